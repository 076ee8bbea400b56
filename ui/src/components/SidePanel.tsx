// The cell inspector: the whole value of the active cell, whatever it is
// (pretty JSON, full text, BLOB as image or hex dump, exact big integers).
import type { ActiveCellInfo } from "../grid/DataGrid";
import { affinityOf } from "../affinity";
import type { Value } from "../bindings/Value";
import { base64Size, base64ToBytes, displayText, formatBytes, hexDump, imageMime, kindOf } from "../values";

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

export function SidePanel({ cell, onClose }: { cell: ActiveCellInfo | null; onClose(): void }) {
  return (
    <aside className="side-panel" data-testid="side-panel" aria-label="Cell inspector">
      <header>
        <strong>Inspector</strong>
        <button className="icon" aria-label="Close inspector" onClick={onClose}>
          ×
        </button>
      </header>
      {!cell || cell.value === undefined ? <p className="muted">Select a cell to see its whole value.</p> : <Body cell={cell} />}
    </aside>
  );
}

function Body({ cell }: { cell: ActiveCellInfo }) {
  const v = cell.value ?? null;
  const real = affinityOf(cell.column.type) === "real";
  const kind = kindOf(v, real);
  return (
    <div className="inspect">
      <div className="inspect-meta">
        <div>{cell.label}</div>
        <div className="muted">
          {cell.column.type || "no declared type"} · <span data-testid="inspect-kind">{KIND_LABEL[kind]}</span>
        </div>
      </div>
      <Content v={v} real={real} />
    </div>
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
        <div className="muted">{v.length.toLocaleString()} characters</div>
        <pre className={`inspect-text${kind === "json" ? " json" : ""}`} data-testid="inspect-text">
          {body}
        </pre>
      </>
    );
  }
  if ("$int" in v) return <pre className="inspect-text">{v.$int}</pre>;
  if ("$real" in v) return <pre className="inspect-text">{v.$real}</pre>;
  const b64 = "$blob" in v ? v.$blob : v.$text_bytes;
  const bytes = base64ToBytes(b64);
  const mime = "$blob" in v ? imageMime(bytes) : null;
  return (
    <>
      <div className="muted">
        {formatBytes(base64Size(b64))}
        {mime ? ` · ${mime}` : ""}
      </div>
      {mime && <img className="inspect-image" data-testid="inspect-image" alt="BLOB preview" src={`data:${mime};base64,${b64}`} />}
      <pre className="inspect-hex" data-testid="inspect-hex">
        {hexDump(bytes)}
      </pre>
    </>
  );
}
