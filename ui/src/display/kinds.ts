// Display kinds: how a column's stored values are shown when not as their
// storage class (a Core Data date, a UUID, an image…). Display only: the
// stored values never change. The grid's one-line form of each kind is
// computed here; the inspector's decoded form comes from `decode_value`.
import type { Value } from "../bindings/Value";
import { base64Size, base64ToBytes, blobHead, formatBytes, imageMime } from "../values";
import { dateOf, formatLocal, formatUtc, isDateKind, unitWords, zoneOf } from "./dates";
import { imageUrl } from "./images";

export const DISPLAY_KINDS = ["coredata-date", "unix-seconds", "unix-millis", "unix-micros", "json", "uuid", "image", "plist", "protobuf", "gzip", "zlib"] as const;

/** What "Show as" offers, in words. */
export const KIND_LABEL: Record<string, string> = {
  "coredata-date": "Core Data date (seconds since 2001)",
  "unix-seconds": "Unix time (seconds)",
  "unix-millis": "Unix time (milliseconds)",
  "unix-micros": "Unix time (microseconds)",
  json: "JSON",
  uuid: "UUID",
  image: "Image",
  plist: "Property list",
  protobuf: "Protobuf",
  gzip: "gzip",
  zlib: "zlib",
  raw: "As stored (raw)",
};

/** The small badge in a column header. */
export const KIND_BADGE: Record<string, string> = {
  "coredata-date": "date",
  "unix-seconds": "date s",
  "unix-millis": "date ms",
  "unix-micros": "date µs",
  json: "json",
  uuid: "uuid",
  image: "image",
  plist: "plist",
  protobuf: "protobuf",
  gzip: "gzip",
  zlib: "zlib",
  raw: "raw",
};

export const kindLabel = (kind: string) => KIND_LABEL[kind] ?? kind;

/** One cell as a display kind shows it. */
export interface CellView {
  text: string;
  /** The value class(es) of the cell (`v-date`, `v-uuid`…). */
  cls: string;
  /** The hover text (UTC and the stored number for dates…). */
  title?: string;
  /** A small badge before the text (`plist`, the Z_ENT number). */
  badge?: string;
  /** An image thumbnail (object URL). */
  thumb?: string;
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 16 bytes as `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX` (uppercase, as NSUUID prints). */
export function uuidText(bytes: Uint8Array): string {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUID value's text: a 16-byte BLOB, or 36 characters of text as stored (null: not a UUID). */
export function uuidOf(v: Value): string | null {
  if (typeof v === "string") return UUID_TEXT.test(v) ? v : null;
  if (v !== null && typeof v === "object" && "$blob" in v && base64Size(v.$blob) === 16) return uuidText(base64ToBytes(v.$blob));
  return null;
}

/** Pixel size from the header of a PNG, GIF or JPEG (null when it does not say). */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && bytes[0] === 0x89 && bytes[1] === 0x50) return { width: dv.getUint32(16), height: dv.getUint32(20) };
  if (bytes.length >= 10 && bytes[0] === 0x47 && bytes[1] === 0x49) return { width: dv.getUint16(6, true), height: dv.getUint16(8, true) };
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let i = 2;
    while (i + 9 < bytes.length && bytes[i] === 0xff) {
      const marker = bytes[i + 1];
      const len = dv.getUint16(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { width: dv.getUint16(i + 7), height: dv.getUint16(i + 5) };
      i += 2 + len;
    }
  }
  return null;
}

/** A value's bytes when it is a BLOB or text (for sizes and sniffing). */
function bytesOf(v: Value): { b64?: string; size: number } | null {
  if (typeof v === "string") return { size: new TextEncoder().encode(v).length };
  if (v !== null && typeof v === "object" && "$blob" in v) return { b64: v.$blob, size: base64Size(v.$blob) };
  if (v !== null && typeof v === "object" && "$text_bytes" in v) return { b64: v.$text_bytes, size: base64Size(v.$text_bytes) };
  return null;
}

const ONE_LINE = 160;
/** Images bigger than this get no grid thumbnail (the inspector still shows them). */
const THUMB_MAX = 4 * 1024 * 1024;

/** A JSON value in one short line: `{title: "Groceries", items: [2], done: false}`. */
export function jsonSummary(value: unknown, budget = ONE_LINE): string {
  const out: string[] = [];
  let used = 0;
  const put = (s: string) => {
    out.push(s);
    used += s.length;
  };
  const walk = (v: unknown, depth: number) => {
    if (used > budget) return;
    if (v === null || typeof v !== "object") {
      const t = typeof v === "string" ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(v);
      put(t);
      return;
    }
    if (Array.isArray(v)) {
      if (depth > 0) return put(`[${v.length}]`);
      put("[");
      v.forEach((x, i) => {
        if (used > budget) return;
        if (i) put(", ");
        walk(x, depth + 1);
      });
      put("]");
      return;
    }
    const keys = Object.keys(v as object);
    if (depth > 0) return put(keys.length ? `{${keys.length}}` : "{}");
    put("{");
    keys.forEach((k, i) => {
      if (used > budget) return;
      if (i) put(", ");
      put(`${k}: `);
      walk((v as Record<string, unknown>)[k], depth + 1);
    });
    put("}");
  };
  walk(value, 0);
  const s = out.join("");
  return s.length > budget ? `${s.slice(0, budget)}…` : s;
}

/** The JSON a value holds (text, or UTF-8 bytes), or undefined. */
export function jsonOf(v: Value): { value: unknown } | null {
  let text: string | null = null;
  if (typeof v === "string") text = v;
  else if (v !== null && typeof v === "object" && ("$blob" in v || "$text_bytes" in v)) {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(base64ToBytes("$blob" in v ? v.$blob : v.$text_bytes));
    } catch {
      return null;
    }
  }
  if (text === null || text.length > 2_000_000) return null;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return null;
  }
}

/**
 * How a cell of a column shown as `kind` looks, or null when the value is
 * not one (a NULL, a number in a UUID column…): the cell then shows the
 * stored value as usual.
 */
export function displayCell(v: Value, kind: string, realColumn: boolean): CellView | null {
  if (v === null) return null;
  if (isDateKind(kind)) {
    const d = dateOf(kind, v, realColumn);
    if (!d) return null;
    const local = formatLocal(d.nanos);
    return {
      text: local,
      cls: "v-date",
      title: `${local} local time (${zoneOf(d.nanos)})\n${formatUtc(d.nanos)} UTC\nStored: ${d.raw} (${unitWords(kind)})`,
    };
  }
  if (kind === "uuid") {
    const text = uuidOf(v);
    return text ? { text, cls: "v-uuid", title: typeof v === "string" ? "UUID (stored as text)" : `UUID (stored as a 16-byte BLOB)` } : null;
  }
  if (kind === "json") {
    const j = jsonOf(v);
    if (!j) return null;
    return { text: jsonSummary(j.value), cls: "v-json" };
  }
  const bytes = bytesOf(v);
  if (!bytes) return null;
  if (kind === "image") {
    if (!bytes.b64 || !("$blob" in (v as object))) return null;
    const head = blobHead(bytes.b64, 4096);
    const mime = imageMime(head);
    if (!mime) return null;
    const size = imageSize(head);
    const format = mime.slice(6).toUpperCase();
    return {
      text: `${format}${size ? ` ${size.width}×${size.height}` : ""}, ${formatBytes(bytes.size)}`,
      cls: "v-image",
      thumb: bytes.size <= THUMB_MAX ? imageUrl(bytes.b64, mime) : undefined,
      title: `${format} image${size ? `, ${size.width}×${size.height} pixels` : ""}, ${formatBytes(bytes.size)} (the inspector shows it)`,
    };
  }
  if (kind === "plist" || kind === "protobuf" || kind === "gzip" || kind === "zlib") {
    return { text: formatBytes(bytes.size), badge: kind, cls: "v-encoded", title: `${kindLabel(kind)}, ${formatBytes(bytes.size)}: the inspector shows it decoded` };
  }
  return null;
}
