// Stored date numbers (Core Data's seconds since 2001, Unix seconds,
// milliseconds, microseconds) to instants and back, exactly: through
// decimal text and integer nanoseconds (BigInt), never through float
// arithmetic, the way the backend's sonde-display does. Local time is
// shown as YYYY-MM-DD HH:MM:SS[.fff…] (no locale: a database tool shows
// the same digits everywhere), UTC as ISO-8601 with a Z.
import type { Value } from "../bindings/Value";

export const DATE_KINDS = ["coredata-date", "unix-seconds", "unix-millis", "unix-micros"] as const;
export type DateKind = (typeof DATE_KINDS)[number];

export const isDateKind = (kind: string | undefined | null): kind is DateKind => !!kind && (DATE_KINDS as readonly string[]).includes(kind);

const NS = 1_000_000_000n;
/** 2001-01-01T00:00:00Z in Unix seconds. */
export const COREDATA_EPOCH = 978_307_200;

const UNITS: Record<DateKind, { epoch: bigint; perUnit: bigint; words: string }> = {
  "coredata-date": { epoch: BigInt(COREDATA_EPOCH), perUnit: NS, words: "seconds since 2001-01-01 (Core Data)" },
  "unix-seconds": { epoch: 0n, perUnit: NS, words: "seconds since 1970-01-01 (Unix)" },
  "unix-millis": { epoch: 0n, perUnit: 1_000_000n, words: "milliseconds since 1970-01-01 (Unix)" },
  "unix-micros": { epoch: 0n, perUnit: 1_000n, words: "microseconds since 1970-01-01 (Unix)" },
};

export const unitWords = (kind: DateKind) => UNITS[kind].words;

/** Years -9999 to 9999, as the backend shows them. */
const MIN_MS = -377_705_116_800_000; // -9999-01-01T00:00:00Z
const END_MS = 253_402_300_800_000; // 10000-01-01T00:00:00Z

const floorDiv = (a: bigint, b: bigint) => {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
};

/** A decimal number's text times `scale`, rounded toward the past (null: not a plain number). */
export function decimalToScaled(text: string, scale: bigint): bigint | null {
  const m = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return null;
  const frac = m[3] ?? "";
  const exp = Number(m[4] ?? 0) - frac.length;
  if (Math.abs(exp) > 400) return null;
  let n = BigInt(`${m[2] || "0"}${frac}`) * scale;
  if (m[1] === "-") n = -n;
  return exp >= 0 ? n * 10n ** BigInt(exp) : floorDiv(n, 10n ** BigInt(-exp));
}

/** A stored value read as a date: nanoseconds since 1970 and the stored number as text. */
export interface DateValue {
  nanos: bigint;
  raw: string;
}

/** The date a stored value means under `kind` (null: not a number, or out of range). */
export function dateOf(kind: DateKind, v: Value, realColumn = false): DateValue | null {
  const { epoch, perUnit } = UNITS[kind];
  let raw: string;
  let units: bigint | null;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return null;
    raw = realColumn && Number.isInteger(v) ? v.toFixed(1) : String(v);
    units = Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? BigInt(v) * perUnit : decimalToScaled(String(v), perUnit);
  } else if (typeof v === "string") {
    raw = v.trim();
    units = decimalToScaled(raw, perUnit);
  } else if (v !== null && "$int" in v) {
    raw = v.$int;
    units = BigInt(v.$int) * perUnit;
  } else return null;
  if (units === null) return null;
  const nanos = units + epoch * NS;
  const ms = Number(floorDiv(nanos, 1_000_000n));
  if (ms < MIN_MS || ms >= END_MS) return null;
  return { nanos, raw };
}

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, "0");
const year = (y: number) => (y < 0 ? `-${pad(y, 4)}` : pad(y, 4));

/** Sub-second digits in groups of three, as many as needed (none when whole). */
function fraction(nanos: bigint): string {
  const sub = nanos - floorDiv(nanos, NS) * NS;
  if (sub === 0n) return "";
  let digits = sub.toString().padStart(9, "0");
  while (digits.endsWith("000")) digits = digits.slice(0, -3);
  return `.${digits}`;
}

const dateAt = (nanos: bigint) => new Date(Number(floorDiv(nanos, NS)) * 1000);

/** ISO-8601 UTC: `2025-11-28T09:46:40.250Z`. */
export function formatUtc(nanos: bigint): string {
  const d = dateAt(nanos);
  return `${year(d.getUTCFullYear())}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fraction(nanos)}Z`;
}

/** Local time: `2025-11-28 10:46:40.250`. */
export function formatLocal(nanos: bigint): string {
  const d = dateAt(nanos);
  return `${year(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${fraction(nanos)}`;
}

/** The same instant in UTC, written like formatLocal (for the editor's UTC mode). */
export function formatUtcPlain(nanos: bigint): string {
  return formatUtc(nanos).replace("T", " ").replace(/Z$/, "");
}

/** The local time zone's name (`Europe/Paris`) and its offset at that instant (`UTC+01:00`). */
export function zoneOf(nanos: bigint): string {
  const d = dateAt(nanos);
  const off = -d.getTimezoneOffset();
  const name = Intl.DateTimeFormat().resolvedOptions().timeZone ?? "local";
  return `${name}, UTC${off < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

export const nowNanos = () => BigInt(Date.now()) * 1_000_000n;

/**
 * A date typed in the editor, as local time or UTC (`utc`), or with its own
 * zone (`Z`, `+02:00`): `YYYY-MM-DD[ HH:MM[:SS[.fffffffff]]]`, `T` or a
 * space between. Nanoseconds since 1970, or why it is not a date.
 */
export function parseDateText(text: string, utc: boolean): { nanos: bigint } | { error: string } {
  const m = /^\s*(-?\d{4,5})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/i.exec(text);
  if (!m) return { error: "Write a date as YYYY-MM-DD HH:MM:SS.fff" };
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return { error: `${text.trim()} is not a valid date and time` };
  const zone = m[8];
  const asUtc = utc || !!zone;
  const dt = new Date(0);
  if (asUtc) {
    dt.setUTCFullYear(y, mo - 1, d);
    dt.setUTCHours(h, mi, s, 0);
    if (dt.getUTCDate() !== d) return { error: `${text.trim()} is not a valid date (no such day)` };
  } else {
    dt.setFullYear(y, mo - 1, d);
    dt.setHours(h, mi, s, 0);
    if (dt.getDate() !== d) return { error: `${text.trim()} is not a valid date (no such day)` };
  }
  let nanos = BigInt(dt.getTime()) * 1_000_000n + BigInt((m[7] ?? "").padEnd(9, "0") || "0");
  if (zone && zone.toUpperCase() !== "Z") {
    const z = /([+-])(\d{2}):?(\d{2})/.exec(zone);
    if (z) nanos -= BigInt((z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60) * NS;
  }
  const ms = Number(floorDiv(nanos, 1_000_000n));
  if (ms < MIN_MS || ms >= END_MS) return { error: "Years -9999 to 9999 only" };
  return { nanos };
}
