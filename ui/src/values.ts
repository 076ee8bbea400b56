// SQLite values as the backend sends them (see bindings/Value.ts) and how
// they look: NULL, empty text, BLOBs, long text, JSON and big integers must
// be told apart at a glance and never lose information.
import type { Value } from "./bindings/Value";

export type ValueKind = "null" | "integer" | "bigint" | "real" | "text" | "empty" | "json" | "blob" | "text_bytes";

export function kindOf(v: Value, realColumn = false): ValueKind {
  if (v === null) return "null";
  if (typeof v === "number") return Number.isInteger(v) && !realColumn ? "integer" : "real";
  if (typeof v === "string") {
    if (v === "") return "empty";
    return looksLikeJson(v) ? "json" : "text";
  }
  if ("$int" in v) return "bigint";
  if ("$blob" in v) return "blob";
  if ("$real" in v) return "real";
  return "text_bytes";
}

/** JSON objects/arrays stored as TEXT (the common case in app databases). */
export function looksLikeJson(s: string): boolean {
  const t = s.trimStart();
  if (t[0] !== "{" && t[0] !== "[") return false;
  if (s.length > 2_000_000) return false;
  try {
    const parsed: unknown = JSON.parse(s);
    return typeof parsed === "object" && parsed !== null;
  } catch {
    return false;
  }
}

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Decoded size of base64 text without decoding it. */
export function base64Size(b64: string): number {
  const pad = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - pad;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const IMAGE_MAGIC: [string, number[]][] = [
  ["image/png", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ["image/jpeg", [0xff, 0xd8, 0xff]],
  ["image/gif", [0x47, 0x49, 0x46, 0x38]],
];

/** The image type of a BLOB from its magic bytes (PNG, JPEG, GIF, WebP). */
export function imageMime(bytes: Uint8Array): string | null {
  for (const [mime, magic] of IMAGE_MAGIC) {
    if (bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b)) return mime;
  }
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "image/webp";
  return null;
}

/** Only the first bytes of a big BLOB are needed to sniff it. */
export function blobHead(b64: string, n = 16): Uint8Array {
  return base64ToBytes(b64.slice(0, Math.ceil(n / 3) * 4));
}

/** Offset digits of a dump: 4 while they suffice, else 8. */
export const hexOffsetDigits = (length: number) => (length <= 0x10000 ? 4 : 8);

/** Characters of one hex dump line of `perLine` bytes. */
export const hexLineChars = (perLine: number, offsetDigits = 8) => offsetDigits + 2 + perLine * 3 - 1 + 2 + perLine;

/** Classic hex dump: offset, `perLine` bytes in hex, ASCII. */
export function hexDump(bytes: Uint8Array, limit = 64 * 1024, perLine = 16): string {
  const lines: string[] = [];
  const n = Math.min(bytes.length, limit);
  const digits = hexOffsetDigits(bytes.length);
  for (let off = 0; off < n; off += perLine) {
    const chunk = bytes.subarray(off, Math.min(off + perLine, n));
    const hex = [...chunk].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = [...chunk].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${off.toString(16).padStart(digits, "0")}  ${hex.padEnd(perLine * 3 - 1)}  ${ascii}`);
  }
  if (bytes.length > limit) lines.push(`… ${formatBytes(bytes.length - limit)} more`);
  return lines.join("\n");
}

export function bytesToHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Characters of text shown in a grid cell; the side panel shows all of it. */
export const CELL_TEXT_LIMIT = 300;

/**
 * What a grid cell shows (its textContent). `realColumn`: the column has
 * REAL affinity, so whole numbers are reals (JSON cannot tell 1.0 from 1).
 */
export function displayText(v: Value, realColumn = false): string {
  if (v === null) return "NULL";
  if (typeof v === "number") return realColumn && Number.isInteger(v) ? v.toFixed(1) : String(v);
  if (typeof v === "string") {
    const oneLine = v.length > CELL_TEXT_LIMIT ? `${v.slice(0, CELL_TEXT_LIMIT)}…` : v;
    return oneLine.replace(/[\r\n]+/g, " ⏎ ");
  }
  if ("$int" in v) return v.$int;
  if ("$real" in v) return v.$real;
  if ("$blob" in v) {
    const size = base64Size(v.$blob);
    const mime = size > 0 ? imageMime(blobHead(v.$blob)) : null;
    return mime ? `${mime.slice(6).toUpperCase()} image, ${formatBytes(size)}` : `BLOB ${formatBytes(size)}`;
  }
  return `text (invalid UTF-8), ${formatBytes(base64Size(v.$text_bytes))}`;
}

/** Plain text of a value for copying (TSV) and editing. */
export function valueToText(v: Value): string {
  if (v === null) return "";
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return v;
  if ("$int" in v) return v.$int;
  if ("$real" in v) return v.$real;
  if ("$blob" in v) return bytesToHex(base64ToBytes(v.$blob));
  return new TextDecoder().decode(base64ToBytes(v.$text_bytes));
}

export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A value in a sentence (review lists): empty text shows as "". */
export function inlineText(v: Value): string {
  return v === "" ? '""' : displayText(v);
}

/** A value in a one-line list, cut to about `max` characters. */
export function shortText(v: Value, max = 40): string {
  const t = inlineText(v);
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
