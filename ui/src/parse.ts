// Turning what the user typed into a Value, by the chosen editor type.
// Integers beyond 2^53 travel as {$int} so no digit is lost.
import type { Value } from "./bindings/Value";
import { affinityOf } from "./affinity";
import { bytesToBase64 } from "./values";

export type EditorType = "text" | "integer" | "real" | "null" | "blob_hex" | "blob_base64";

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

export class ParseError extends Error {}

export function parseInteger(text: string): Value {
  const t = text.trim();
  if (!/^[-+]?\d+$/.test(t)) throw new ParseError(`"${text}" is not an integer`);
  const big = BigInt(t);
  if (big < I64_MIN || big > I64_MAX) throw new ParseError(`${t} does not fit a 64-bit integer`);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : { $int: big.toString() };
}

export function parseReal(text: string): Value {
  const t = text.trim().toLowerCase();
  if (t === "inf" || t === "infinity" || t === "+inf") return { $real: "inf" };
  if (t === "-inf" || t === "-infinity") return { $real: "-inf" };
  if (t === "nan") return { $real: "nan" };
  if (t === "" || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(t)) throw new ParseError(`"${text}" is not a number`);
  return Number(t);
}

export function parseHex(text: string): Value {
  const clean = text.replace(/^0x/i, "").replace(/[\s:]/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new ParseError("hex needs pairs of 0-9a-f digits");
  const bytes = new Uint8Array(clean.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return { $blob: bytesToBase64(bytes) };
}

export function parseBase64(text: string): Value {
  const clean = text.replace(/\s/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) throw new ParseError("not valid base64");
  return { $blob: clean };
}

export function parseAs(type: EditorType, text: string): Value {
  switch (type) {
    case "null":
      return null;
    case "integer":
      return parseInteger(text);
    case "real":
      return parseReal(text);
    case "blob_hex":
      return parseHex(text);
    case "blob_base64":
      return parseBase64(text);
    default:
      return text;
  }
}

/** The editor to open for a cell: by its current value, else by the column type. */
export function editorTypeFor(declType: string, current: Value | undefined): EditorType {
  if (current !== undefined && current !== null) {
    if (typeof current === "number") return Number.isInteger(current) && affinityOf(declType) !== "real" ? "integer" : "real";
    if (typeof current === "string") return "text";
    if ("$int" in current) return "integer";
    if ("$real" in current) return "real";
    if ("$blob" in current) return "blob_hex";
    return "text";
  }
  switch (affinityOf(declType)) {
    case "integer":
      return "integer";
    case "real":
      return "real";
    case "numeric":
      return "real";
    case "blob":
      return declType === "" ? "text" : "blob_hex";
    default:
      return "text";
  }
}

/**
 * A value pasted or typed without an explicit type (paste, filters): numbers
 * for numeric columns when the text is a number, text otherwise.
 */
export function parseLoose(declType: string, text: string): Value {
  const aff = affinityOf(declType);
  const t = text.trim();
  if (aff === "integer" || aff === "real" || aff === "numeric") {
    if (/^[-+]?\d+$/.test(t)) {
      try {
        return parseInteger(t);
      } catch {
        return text;
      }
    }
    if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return Number(t);
  }
  return text;
}
