// The cell inspector: the whole value of the active cell, whatever it is
// (pretty JSON, full text, BLOB as image or hex dump, exact big integers),
// with copy, save to a file, load from a file and a multi-line editor.
// A column shown as a display kind (a date, a plist, an image…) opens on
// its decoded form, the stored value ("Raw") one click away; a value that
// does not decode says why, above the raw view. Resizable; whether it is
// open is remembered (state/layout.ts).
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { affinityOf } from "../affinity";
import { api } from "../api";
import type { Value } from "../bindings/Value";
import type { ActiveCellInfo, CellTarget } from "../grid/DataGrid";
import { toCommandError } from "../errors";
import { copyText } from "../lib/clipboard";
import { plural } from "../lib/format";
import { keyLabel } from "../lib/platform";
import { editorTypeFor, parseAs, ParseError } from "../parse";
import { INSPECTOR, layoutStore, setInspectorWidth } from "../state/layout";
import { useStore } from "../state/store";
import { base64Size, base64ToBytes, displayText, formatBytes, hexDump, hexLineChars, hexOffsetDigits, imageMime, kindOf, looksLikeJson, valueToText } from "../values";
import { DecodedView, useDecoded } from "../display/DecodedView";
import { kindLabel } from "../display/kinds";
import { Icon } from "./Icons";
import { Resizer } from "./Resizer";

const KIND_LABEL: Record<string, string> = {
  null: "NULL",
  integer: "INTEGER",
  bigint: "INTEGER (beyond 2^53, exact)",
  real: "REAL",
  text: "TEXT",
  empty: "TEXT (empty string)",
  json: "TEXT (JSON)",
  blob: "BLOB",
  text_bytes: "TEXT (invalid UTF-8)",
};

interface Props {
  cell: ActiveCellInfo | null;
  /** Table name, for the names of saved files. */
  table: string;
  /** The open database: with it, cells of display-kind columns are decoded. */
  handle?: number;
  /** Stages an edit (absent: read-only). */
  onEdit?(target: CellTarget, value: Value): void;
  onClose(): void;
}

export function SidePanel({ cell, table, handle, onEdit, onClose }: Props) {
  const width = useStore(layoutStore, (s) => s.inspectorWidth);
  return (
    <>
      <Resizer width={width} onWidth={setInspectorWidth} fromRight label="Inspector width" />
      <aside className="side-panel" data-testid="side-panel" aria-label="Cell inspector" style={{ width: `clamp(${INSPECTOR.min}px, ${width}px, 40%)` }}>
        <header>
          <strong>Inspector</strong>
          <button className="icon" aria-label="Close inspector" title={`Close (${keyLabel("Mod+I")})`} onClick={onClose}>
            ×
          </button>
        </header>
        {!cell || cell.value === undefined ? (
          <p className="muted">Select a cell to see its whole value.</p>
        ) : (
          <Body key={`${cell.label}|${cell.target?.kind === "row" ? cell.target.key : ""}|${cell.column.display ?? ""}`} cell={cell} table={table} handle={handle} onEdit={onEdit} />
        )}
      </aside>
    </>
  );
}

/** A file name for a value: table-column-rowkey plus what the bytes are. */
function fileNameFor(table: string, cell: ActiveCellInfo, v: Value): string {
  const t = cell.target;
  const row = t?.kind === "row" ? (/^-?\d+$/.test(t.key) ? t.key : `row${t.index + 1}`) : "new";
  let ext = "txt";
  if (v !== null && typeof v === "object" && "$blob" in v) {
    const mime = imageMime(base64ToBytes(v.$blob.slice(0, 24)));
    ext = mime ? mime.slice(6).replace("jpeg", "jpg") : "bin";
  } else if (typeof v === "string" && looksLikeJson(v)) ext = "json";
  return `${table}-${cell.column.name}-${row}.${ext}`.replace(/[^\w.-]+/g, "_");
}

type Note = { kind: "copied" | "saved" | "loaded" | "error"; text: string } | null;

function Body({ cell, table, handle, onEdit }: { cell: ActiveCellInfo; table: string; handle?: number; onEdit?: Props["onEdit"] }) {
  const v = cell.value ?? null;
  const real = affinityOf(cell.column.type) === "real";
  const kind = kindOf(v, real);
  const [note, setNote] = useState<Note>(null);
  const [editing, setEditing] = useState(false);
  const [raw, setRaw] = useState(false);
  const target = cell.target;
  const display = handle !== undefined && v !== null ? cell.column.display : undefined;
  const canEdit = !!onEdit && cell.editable && target !== null;
  const isBytes = kind === "blob" || kind === "text_bytes" || kind === "text" || kind === "json" || kind === "empty";

  const saveToFile = async () => {
    try {
      const path = await api.saveValue(v, fileNameFor(table, cell, v));
      if (path) setNote({ kind: "saved", text: `Saved to ${path}` });
    } catch (e) {
      setNote({ kind: "error", text: toCommandError(e).message });
    }
  };
  const loadFromFile = async () => {
    if (!target || !onEdit) return;
    try {
      const file = await api.loadFileValue();
      if (!file) return;
      onEdit(target, file.value);
      setNote({ kind: "loaded", text: `Loaded ${file.name} (${formatBytes(file.bytes)}): save to keep it.` });
    } catch (e) {
      setNote({ kind: "error", text: toCommandError(e).message });
    }
  };

  return (
    <div className="inspect">
      <div className="inspect-meta">
        <div>{cell.label}</div>
        <div className="muted">
          {cell.column.type || "no declared type"} · <span data-testid="inspect-kind">{KIND_LABEL[kind]}</span>
          {display && (
            <>
              {" "}
              · shown as <span data-testid="inspect-display">{kindLabel(display)}</span>
            </>
          )}
        </div>
        {cell.column.note && <div className="muted small-note">{cell.column.note}</div>}
      </div>
      <div className="inspect-actions">
        <button className="small" data-testid="inspect-copy" onClick={() => void copyText(valueToText(v)).then(() => setNote({ kind: "copied", text: "Copied" }))} title="Copy the whole value">
          <Icon name="copy" /> Copy
        </button>
        {isBytes && (
          <button className="small" data-testid="inspect-save-file" onClick={() => void saveToFile()} title="Save the value's bytes to a file">
            <Icon name="fileOut" /> Save…
          </button>
        )}
        {canEdit && (
          <button className="small" data-testid="inspect-load-file" onClick={() => void loadFromFile()} title="Replace the value with a file's bytes (as a BLOB)">
            <Icon name="fileIn" /> Load…
          </button>
        )}
        {canEdit && !editing && kind !== "blob" && kind !== "text_bytes" && (
          <button className="small" data-testid="inspect-edit" onClick={() => setEditing(true)} title="Edit the value here (several lines)">
            <Icon name="edit" /> Edit
          </button>
        )}
      </div>
      {note && (
        <div className={note.kind === "error" ? "error-text small-note" : "muted small-note"} data-testid={note.kind === "error" ? "inspect-file-error" : `inspect-${note.kind}`} role="status">
          {note.text}
        </div>
      )}
      {editing && target && onEdit ? (
        <InspectEditor
          value={v}
          declType={cell.column.type}
          onApply={(value) => {
            onEdit(target, value);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : display && handle !== undefined ? (
        <Decodable cell={cell} table={table} handle={handle} kind={display} raw={raw} onRaw={setRaw} real={real} />
      ) : (
        <Content v={v} real={real} />
      )}
    </div>
  );
}

/** The decoded form with the stored one a click away; a decoding error shows above the raw view. */
function Decodable({ cell, table, handle, kind, raw, onRaw, real }: { cell: ActiveCellInfo; table: string; handle: number; kind: string; raw: boolean; onRaw(raw: boolean): void; real: boolean }) {
  const v = cell.value ?? null;
  const state = useDecoded({
    handle,
    table,
    rowKey: cell.target?.kind === "row" ? cell.target.key : null,
    column: cell.column.name,
    kind,
    value: v,
    pending: cell.pending,
    realColumn: real,
  });
  const failed = state.at === "error";
  return (
    <>
      <div className="segmented" role="group" aria-label="Show the value">
        <button className="small" data-testid="inspect-view-decoded" aria-pressed={!raw} onClick={() => onRaw(false)} title={`Decoded as ${kindLabel(kind)}`}>
          Decoded
        </button>
        <button className="small" data-testid="inspect-view-raw" aria-pressed={raw} onClick={() => onRaw(true)} title="The stored value, as it is">
          Raw
        </button>
      </div>
      {failed && (
        <div className="error-text small-note" data-testid="inspect-decode-error" data-kind={state.kind} role="status">
          Not shown as {kindLabel(kind)}: {state.message}
        </div>
      )}
      {!raw && !failed && (
        <div className="decoded" data-testid="inspect-decoded" data-state={state.at}>
          {state.at === "loading" && <div className="muted">Decoding…</div>}
          {state.at === "unsaved" && <div className="muted">The decoded form shows once this value is saved (the backend decodes stored values).</div>}
          {state.at === "ok" && <DecodedView decoded={state.decoded} value={v} kind={kind} />}
          {state.at === "ok" && state.local && <div className="muted small-note">Not saved yet: decoded here from the edit.</div>}
        </div>
      )}
      {(raw || failed) && (
        <div className="raw-view" data-testid="inspect-raw">
          <Content v={v} real={real} />
        </div>
      )}
    </>
  );
}

/** The multi-line editor: Apply stages the edit (Ctrl+Enter), Escape cancels. */
function InspectEditor({ value, declType, onApply, onCancel }: { value: Value; declType: string; onApply(v: Value): void; onCancel(): void }) {
  const type = editorTypeFor(declType, value);
  const asText = type === "null" ? "text" : type;
  const [text, setText] = useState(() => (value === null ? "" : valueToText(value)));
  const [error, setError] = useState<string | null>(null);
  const apply = () => {
    try {
      onApply(parseAs(asText, text));
    } catch (e) {
      setError(e instanceof ParseError ? e.message : String(e));
    }
  };
  return (
    <div className="inspect-editor-wrap">
      <textarea
        className="inspect-editor"
        data-testid="inspect-editor"
        aria-label="Value"
        autoFocus
        spellCheck={false}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setError(null);
        }}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            apply();
          } else if (e.key === "Escape") onCancel();
        }}
      />
      {error && (
        <div className="error-text small-note" role="alert">
          {error}
        </div>
      )}
      <div className="inspect-actions">
        <span className="muted small-note">Stored as {asText}</span>
        <span className="spacer" />
        <button className="small" onClick={onCancel}>
          Cancel
        </button>
        <button className="small primary" data-testid="inspect-apply" onClick={apply} title={`Apply (${keyLabel("Mod+Enter")})`}>
          Apply
        </button>
      </div>
    </div>
  );
}

/** Bytes per hex dump line that fit the width: 16, 8 or 4. */
function useBytesPerLine(ref: React.RefObject<HTMLElement>, length: number): number {
  const [perLine, setPerLine] = useState(8);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ctx = document.createElement("canvas").getContext("2d");
    const style = getComputedStyle(el);
    if (ctx) ctx.font = `${style.fontSize} ${style.fontFamily}`;
    const charW = ctx?.measureText("0").width || 7;
    const measure = () => {
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      setPerLine([16, 8, 4].find((n) => hexLineChars(n, hexOffsetDigits(length)) * charW <= room) ?? 4);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [length]);
  return perLine;
}

function HexDump({ bytes }: { bytes: Uint8Array }) {
  const ref = useRef<HTMLPreElement>(null);
  const perLine = useBytesPerLine(ref, bytes.length);
  return (
    <pre className="inspect-hex" data-testid="inspect-hex" ref={ref}>
      {hexDump(bytes, 64 * 1024, perLine)}
    </pre>
  );
}

function Content({ v, real }: { v: Value; real: boolean }) {
  if (v === null) return <div className="inspect-null">NULL</div>;
  if (typeof v === "number") return <pre className="inspect-text">{displayText(v, real)}</pre>;
  if (typeof v === "string") {
    if (v === "") return <div className="inspect-null">(empty string, not NULL)</div>;
    const kind = kindOf(v);
    const body = kind === "json" ? JSON.stringify(JSON.parse(v), null, 2) : v;
    return (
      <>
        <div className="muted">{plural(v.length, "character")}</div>
        <pre className={`inspect-text${kind === "json" ? " json" : ""}`} data-testid="inspect-text">
          {body}
        </pre>
      </>
    );
  }
  if ("$int" in v) return <pre className="inspect-text">{v.$int}</pre>;
  if ("$real" in v) return <pre className="inspect-text">{v.$real}</pre>;
  const b64 = "$blob" in v ? v.$blob : v.$text_bytes;
  return <BlobContent b64={b64} image={"$blob" in v} />;
}

function BlobContent({ b64, image }: { b64: string; image: boolean }) {
  const [bytes, setBytes] = useState(() => base64ToBytes(b64));
  useEffect(() => setBytes(base64ToBytes(b64)), [b64]);
  const mime = image ? imageMime(bytes) : null;
  return (
    <>
      <div className="muted">
        {formatBytes(base64Size(b64))}
        {mime ? ` · ${mime}` : ""}
      </div>
      {mime && <img className="inspect-image" data-testid="inspect-image" alt="BLOB preview" src={`data:${mime};base64,${b64}`} />}
      <HexDump bytes={bytes} />
    </>
  );
}
