// The inspector's decoded form of a cell shown as a display kind: a date
// (local, UTC and the stored number), a UUID, an image preview with its
// format, pixel size and byte size, plist / protobuf / JSON trees, the
// start of decompressed gzip/zlib data. Stored rows are decoded by the
// backend (`decode_value` reads the whole stored value by row key); a
// value not saved yet is decoded here when the kind allows it.
import { useEffect, useState } from "react";
import { api } from "../api";
import type { Value } from "../bindings/Value";
import { toCommandError } from "../errors";
import { plural } from "../lib/format";
import { base64Size, blobHead, formatBytes, imageMime } from "../values";
import { dateOf, formatLocal, formatUtc, isDateKind, unitWords, zoneOf } from "./dates";
import type { Decoded, PlistNode, Preview, ProtoField } from "./decoded";
import { imageUrl } from "./images";
import { imageSize, jsonOf, kindLabel, uuidOf } from "./kinds";

export type DecodeState = { at: "loading" } | { at: "ok"; decoded: Decoded; local: boolean } | { at: "error"; kind: string; message: string } | { at: "unsaved" };

/** What the UI can decode itself (a value not saved yet); null: only the backend can. */
export function decodeLocally(kind: string, v: Value, realColumn: boolean): Decoded | { error: string } | null {
  if (isDateKind(kind)) {
    const d = dateOf(kind, v, realColumn);
    if (!d) return { error: `not a ${kindLabel(kind)}: the value is not a number in range` };
    return { type: "date", epoch_ms: Number(d.nanos / 1_000_000n), utc: formatUtc(d.nanos), raw: d.raw };
  }
  if (kind === "uuid") {
    const text = uuidOf(v);
    return text ? { type: "uuid", text } : { error: "not a UUID (a 16-byte BLOB or 36 characters of text)" };
  }
  if (kind === "json") {
    const j = jsonOf(v);
    return j ? { type: "json", value: j.value } : { error: "not JSON" };
  }
  if (kind === "image" && v !== null && typeof v === "object" && "$blob" in v) {
    const head = blobHead(v.$blob, 4096);
    const mime = imageMime(head);
    if (!mime) return { error: "not an image this app knows (PNG, JPEG, GIF, WebP)" };
    const size = imageSize(head);
    return { type: "image", format: mime.slice(6), width: size?.width ?? null, height: size?.height ?? null, bytes: base64Size(v.$blob) };
  }
  return null;
}

interface Source {
  handle: number;
  table: string;
  /** The stored row's key; null: a row being added. */
  rowKey: string | null;
  column: string;
  kind: string;
  value: Value;
  /** The value is an unsaved edit (not what is stored). */
  pending: boolean;
  realColumn: boolean;
}

const DECODE_DELAY_MS = 40;

/** The decoded form of one cell: asked of the backend for a stored value, computed for an unsaved one. */
export function useDecoded(src: Source): DecodeState {
  const { handle, table, rowKey, column, kind, value, pending, realColumn } = src;
  const valueKey = JSON.stringify(value);
  const [state, setState] = useState<DecodeState>({ at: "loading" });
  useEffect(() => {
    if (pending || rowKey === null) {
      const local = decodeLocally(kind, value, realColumn);
      setState(local === null ? { at: "unsaved" } : "error" in local ? { at: "error", kind: "invalid", message: local.error } : { at: "ok", decoded: local, local: true });
      return;
    }
    let live = true;
    setState({ at: "loading" });
    // Moving through cells with the keyboard asks for the one it stops on.
    const timer = window.setTimeout(() => {
      api.decodeValue(handle, table, rowKey, column, kind).then(
        (decoded) => live && setState({ at: "ok", decoded, local: false }),
        (e) => {
          if (!live) return;
          const err = toCommandError(e);
          setState({ at: "error", kind: err.kind, message: err.message });
        },
      );
    }, DECODE_DELAY_MS);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [handle, table, rowKey, column, kind, valueKey, pending]);
  return state;
}

/** One node of a tree (plist, protobuf, JSON): a key, its type, a one-line value, children. */
export interface TreeNode {
  key: string;
  type?: string;
  value?: string;
  children?: TreeNode[];
}

const CHILDREN_SHOWN = 500;

function TreeItem({ node, depth }: { node: TreeNode; depth: number }) {
  const [open, setOpen] = useState(depth < 1);
  const kids = node.children;
  const has = !!kids && kids.length > 0;
  return (
    <li role="treeitem" aria-expanded={has ? open : undefined} data-key={node.key} className="tree-node">
      <div className="tree-node-row">
        {has ? (
          <button className="twisty-button" aria-label={`${open ? "Collapse" : "Expand"} ${node.key}`} data-testid="tree-toggle" onClick={() => setOpen(!open)}>
            {open ? "▾" : "▸"}
          </button>
        ) : (
          <span className="twisty-space" aria-hidden />
        )}
        <span className="tree-key" data-testid="tree-key">
          {node.key}
        </span>
        {node.type && <span className="tree-type">{node.type}</span>}
        {node.value !== undefined && (
          <span className="tree-value" data-testid="tree-value">
            {node.value}
          </span>
        )}
      </div>
      {has && open && (
        <ul role="group">
          {kids.slice(0, CHILDREN_SHOWN).map((k, i) => (
            <TreeItem key={i} node={k} depth={depth + 1} />
          ))}
          {kids.length > CHILDREN_SHOWN && <li className="muted">… {plural(kids.length - CHILDREN_SHOWN, "more item")}</li>}
        </ul>
      )}
    </li>
  );
}

export function Tree({ nodes, label }: { nodes: TreeNode[]; label: string }) {
  if (!nodes.length) return <div className="muted">(empty)</div>;
  return (
    <ul className="decoded-tree" role="tree" aria-label={label} data-testid="decoded-tree">
      {nodes.map((n, i) => (
        <TreeItem key={i} node={n} depth={0} />
      ))}
    </ul>
  );
}

const str = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** Anything the UI does not know yet, as key/value JSON. */
function generic(key: string, v: unknown): TreeNode {
  if (v !== null && typeof v === "object") {
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
    const type = !Array.isArray(v) && typeof (v as { type?: unknown }).type === "string" ? String((v as { type: string }).type) : undefined;
    return { key, type, children: entries.filter(([k]) => k !== "type").map(([k, x]) => generic(k, x)) };
  }
  return { key, value: str(v) };
}

export function plistTree(key: string, n: PlistNode): TreeNode {
  const any = n as unknown as Record<string, unknown>;
  switch (n.type) {
    case "null":
      return { key, type: "null", value: "null" };
    case "dict":
      return { key, type: n.class ? n.class : "dict", value: plural(n.entries.length, "key"), children: n.entries.map((e) => plistTree(e.key, e.value)) };
    case "array": {
      const items = n.items ?? (Array.isArray(any.values) ? (any.values as PlistNode[]) : []);
      return { key, type: "array", value: plural(items.length, "item"), children: items.map((x, i) => plistTree(String(i), x)) };
    }
    case "string":
      return { key, type: "string", value: JSON.stringify(n.value) };
    case "integer":
    case "real":
    case "bool":
    case "url":
    case "uid":
      return { key, type: n.type, value: String(n.value) };
    case "date":
      return { key, type: "date", value: `${formatLocal(BigInt(Math.floor(n.epoch_ms)) * 1_000_000n)} local · ${n.utc}` };
    case "data":
      return { key, type: "data", value: `${formatBytes(n.bytes)}${n.hex ? ` · ${n.hex}${n.hex.length < n.bytes * 2 ? "…" : ""}` : ""}` };
    case "uuid":
      return { key, type: "uuid", value: n.value ?? n.text ?? "" };
    case "ref":
      return { key, type: "ref", value: `→ object ${String(n.uid)} (shown above)` };
    default:
      return generic(key, n);
  }
}

export function protoTree(f: ProtoField): TreeNode {
  const key = `${f.field}`;
  const v = f as Record<string, unknown>;
  switch (f.type) {
    case "varint":
      return { key, type: "varint", value: `${str(v.value)}${v.zigzag !== undefined && str(v.zigzag) !== str(v.value) ? ` (zigzag ${str(v.zigzag)})` : ""}` };
    case "i64":
      return { key, type: "i64", value: `${str(v.value)} · signed ${str(v.signed)} · double ${str(v.double)}` };
    case "i32":
      return { key, type: "i32", value: `${str(v.value)} · signed ${str(v.signed)} · float ${str(v.float)}` };
    case "message":
    case "group":
      return { key, type: f.type, value: plural((v.fields as ProtoField[]).length, "field"), children: (v.fields as ProtoField[]).map(protoTree) };
    case "string":
      return { key, type: "string", value: JSON.stringify(v.value) };
    case "bytes": {
      const varints = Array.isArray(v.varints) ? ` · packed varints [${(v.varints as unknown[]).map(str).join(", ")}]` : "";
      return { key, type: "bytes", value: `${formatBytes(Number(v.bytes))} · ${str(v.hex)}${varints}` };
    }
    default:
      return generic(key, f);
  }
}

export function jsonTree(key: string, v: unknown): TreeNode {
  if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { $number?: unknown }).$number === "string") {
    return { key, type: "number", value: (v as { $number: string }).$number };
  }
  if (Array.isArray(v)) return { key, type: "array", value: plural(v.length, "item"), children: v.map((x, i) => jsonTree(String(i), x)) };
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>);
    return { key, type: "object", value: plural(entries.length, "key"), children: entries.map(([k, x]) => jsonTree(k, x)) };
  }
  return { key, type: v === null ? "null" : typeof v, value: typeof v === "string" ? JSON.stringify(v) : String(v) };
}

function PreviewView({ preview }: { preview: Preview }) {
  if (preview.type === "text") {
    return (
      <pre className="inspect-text" data-testid="decoded-preview">
        {preview.text}
        {preview.truncated ? "…" : ""}
      </pre>
    );
  }
  if (preview.type === "hex") {
    return (
      <pre className="inspect-hex" data-testid="decoded-preview">
        {(preview.hex.match(/.{1,32}/g) ?? []).map((l) => l.replace(/(..)/g, "$1 ").trim()).join("\n")}
        {preview.truncated ? "\n…" : ""}
      </pre>
    );
  }
  return <pre className="inspect-text">{JSON.stringify(preview, null, 2)}</pre>;
}

function ImagePreview({ value, format }: { value: Value; format: string }) {
  if (value === null || typeof value !== "object" || !("$blob" in value)) return null;
  const mime = imageMime(blobHead(value.$blob)) ?? `image/${format}`;
  return <img className="inspect-image" data-testid="decoded-image" alt={`${format.toUpperCase()} image`} src={imageUrl(value.$blob, mime)} />;
}

function Fact({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

/** The decoded form itself. */
export function DecodedView({ decoded, value, kind }: { decoded: Decoded; value: Value; kind: string }) {
  const d = decoded as Decoded | { type: string };
  switch (d.type) {
    case "date": {
      const x = d as Extract<Decoded, { type: "date" }>;
      // Local time from the exact UTC text (epoch_ms is rounded).
      const nanos = utcNanos(x.utc) ?? BigInt(Math.floor(x.epoch_ms)) * 1_000_000n;
      return (
        <dl className="decoded-facts" data-testid="decoded-date">
          <Fact label="Local" testId="decoded-date-local">
            {formatLocal(nanos)} <span className="muted">({zoneOf(nanos)})</span>
          </Fact>
          <Fact label="UTC" testId="decoded-date-utc">
            {x.utc}
          </Fact>
          <Fact label="Stored" testId="decoded-date-raw">
            {x.raw} <span className="muted">{isDateKind(kind) ? unitWords(kind) : ""}</span>
          </Fact>
        </dl>
      );
    }
    case "uuid":
      return (
        <dl className="decoded-facts">
          <Fact label="UUID" testId="decoded-uuid">
            <span className="mono">{(d as Extract<Decoded, { type: "uuid" }>).text}</span>
          </Fact>
        </dl>
      );
    case "image": {
      const x = d as Extract<Decoded, { type: "image" }>;
      return (
        <>
          <div className="muted" data-testid="decoded-image-info">
            {x.format.toUpperCase()} · {x.width !== null && x.height !== null ? `${x.width}×${x.height} pixels` : "size unknown"} · {formatBytes(x.bytes)}
          </div>
          <ImagePreview value={value} format={x.format} />
        </>
      );
    }
    case "plist": {
      const x = d as Extract<Decoded, { type: "plist" }>;
      return (
        <>
          <div className="muted">{x.archiver ? "NSKeyedArchiver archive (its object graph)" : "Property list"}</div>
          <Tree nodes={[plistTree("root", x.root)]} label="Property list" />
        </>
      );
    }
    case "protobuf": {
      const x = d as Extract<Decoded, { type: "protobuf" }>;
      return (
        <>
          <div className="muted">Protobuf without a schema: {plural(x.fields.length, "field")} by number</div>
          <Tree nodes={x.fields.map(protoTree)} label="Protobuf fields" />
        </>
      );
    }
    case "json":
      return <Tree nodes={[jsonTree("root", (d as Extract<Decoded, { type: "json" }>).value)]} label="JSON" />;
    case "decompressed": {
      const x = d as Extract<Decoded, { type: "decompressed" }>;
      return (
        <>
          <div className="muted" data-testid="decoded-decompressed">
            {x.format} · {formatBytes(x.bytes)} decompressed{x.truncated ? " (stopped at the limit: there is more)" : ""}
          </div>
          <PreviewView preview={x.preview} />
        </>
      );
    }
    default:
      return <Tree nodes={[generic("value", d)]} label="Decoded value" />;
  }
}

/** Nanoseconds since 1970 of ISO-8601 UTC text (`…T09:46:40.250Z`); null when it does not parse. */
function utcNanos(utc: string): bigint | null {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/.exec(utc);
  if (!m) return null;
  const dt = new Date(0);
  dt.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  dt.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), 0);
  return BigInt(dt.getTime()) * 1_000_000n + BigInt((m[7] ?? "").padEnd(9, "0"));
}
