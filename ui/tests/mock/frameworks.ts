// The fake backend's framework databases (issue 13): a Core Data store
// (Planner.sqlite on the iPhone: entities Item/Note/Task sharing ZITEM,
// Project, Tag, the to-many join table Z_1TAGS, the bookkeeping tables)
// and a Room database (social.db on the emulator: users with a Unix-millis
// date, JSON settings and a PNG avatar; room_master_table and
// android_metadata). Display kinds as the backend infers them, display
// overrides, `decode_value` (dates, UUIDs, images and JSON decoded for
// real; plist, protobuf and gzip canned for the fixtures' bytes) and
// `encode_date` computed exactly the way sonde-display does (integer
// nanoseconds and decimal text, never float arithmetic).
import type { Column } from "../../src/bindings/Column";
import type { Framework } from "../../src/bindings/Framework";
import type { TableListing } from "../../src/bindings/TableListing";
import type { TableSchema } from "../../src/bindings/TableSchema";
import type { Value } from "../../src/bindings/Value";
import type { MemTable } from "./tables";

export const PLANNER_APP = "com.example.planner";
export const PLANNER_PATH = "Library/Application Support/Planner.sqlite";
export const SOCIAL_APP = "com.example.social";
export const SOCIAL_PATH = "databases/social.db";

/** A real 3×2 PNG. */
export const AVATAR_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAD0lEQVR42mNgaPgPRXAWAFPeCPvIqZfwAAAAAElFTkSuQmCC";
const GZIP_HELLO = "H4sIAAAAAAAC/8tIzcnJBwCGphA2BQAAAA==";
const PROTO = "CJYBGgIIAQ==";
const BPLIST = "YnBsaXN0MDAAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYn";
const UUID_1 = "b5YZ/4uG0BG0LQDAT8lk/w=="; // 6F9619FF-8B86-D011-B42D-00C04FC964FF
const UUID_2 = "G04oui+hEdKIPwAW08ykJw=="; // 1B4E28BA-2FA1-11D2-883F-0016D3CCA427
const UUID_SHORT = "b5YZ/4uG0BG0LQDAT8lk"; // 15 bytes: not a UUID

const col = (name: string, decl_type: string, extra: Partial<Column> = {}): Column => ({ name, decl_type, not_null: false, default_sql: null, pk: 0, origin: "normal", ...extra });

function table(name: string, columns: Column[], rows: Value[][], key: TableSchema["key"] = { kind: "rowid", alias: columns.some((c) => c.pk) ? columns.find((c) => c.pk)!.name : "rowid" }): MemTable {
  const sql = `CREATE TABLE ${name} (${columns.map((c) => `${c.name} ${c.decl_type}${c.pk ? " PRIMARY KEY" : ""}`).join(", ")})`;
  const schema: TableSchema = { name, kind: "table", sql, without_rowid: false, strict: false, columns, indexes: [], foreign_keys: [], triggers: [], key };
  const map = new Map<number, Value[]>();
  rows.forEach((r, i) => map.set(typeof r[0] === "number" ? r[0] : i + 1, r));
  return { schema, rows: map, nextId: Math.max(0, ...[...map.keys()]) + 1 };
}

export interface FrameworkDb {
  tables: Record<string, MemTable>;
  listing: TableListing[];
  framework: Framework;
  user_version?: number;
}

function planner(): FrameworkDb {
  const tables: Record<string, MemTable> = {
    ZITEM: table(
      "ZITEM",
      [
        col("Z_PK", "INTEGER", { pk: 1 }),
        col("Z_ENT", "INTEGER"),
        col("Z_OPT", "INTEGER"),
        col("ZCREATEDAT", "TIMESTAMP", { display: "coredata-date" }),
        col("ZIDENTIFIER", "BLOB", { display: "uuid" }),
        col("ZTITLE", "VARCHAR"),
        col("ZPROJECT", "INTEGER"),
        col("ZATTRIBUTES", "BLOB", { display: "plist" }),
        col("ZPAYLOAD", "BLOB", { display: "protobuf" }),
      ],
      [
        [1, 1, 3, 786016000.25, { $blob: UUID_1 }, "Buy milk", 1, { $blob: BPLIST }, { $blob: PROTO }],
        [2, 2, 1, 786019600, { $blob: UUID_2 }, "Meeting notes", 1, null, null],
        [3, 3, 2, 786023200.5, { $blob: UUID_SHORT }, "Call Ada", 2, null, null],
        [4, 1, 1, null, null, "Untitled", null, null, null],
      ],
    ),
    ZPROJECT: table(
      "ZPROJECT",
      [col("Z_PK", "INTEGER", { pk: 1 }), col("Z_ENT", "INTEGER"), col("Z_OPT", "INTEGER"), col("ZNAME", "VARCHAR"), col("ZNOTES", "BLOB", { display: "gzip" })],
      [
        [1, 4, 1, "Home", { $blob: GZIP_HELLO }],
        [2, 4, 2, "Work", null],
      ],
    ),
    ZTAG: table("ZTAG", [col("Z_PK", "INTEGER", { pk: 1 }), col("Z_ENT", "INTEGER"), col("Z_OPT", "INTEGER"), col("ZNAME", "VARCHAR")], [
      [1, 5, 1, "errand"],
      [2, 5, 1, "call"],
    ]),
    Z_1TAGS: table("Z_1TAGS", [col("Z_1ITEMS", "INTEGER", { pk: 1 }), col("Z_5TAGS", "INTEGER", { pk: 2 })], [
      [1, 1],
      [3, 2],
    ], { kind: "primary_key", columns: [0, 1] }),
    Z_METADATA: table("Z_METADATA", [col("Z_VERSION", "INTEGER", { pk: 1 }), col("Z_UUID", "VARCHAR(255)"), col("Z_PLIST", "BLOB", { display: "plist" })], [
      [1, "9E1D3C2A-0F0B-4C51-9D8E-6B1A2C3D4E5F", { $blob: BPLIST }],
    ]),
    Z_MODELCACHE: table("Z_MODELCACHE", [col("Z_CONTENT", "BLOB")], [[{ $blob: "AAECAw==" }]]),
    Z_PRIMARYKEY: table("Z_PRIMARYKEY", [col("Z_ENT", "INTEGER", { pk: 1 }), col("Z_NAME", "VARCHAR"), col("Z_SUPER", "INTEGER"), col("Z_MAX", "INTEGER")], [
      [1, "Item", 0, 4],
      [2, "Note", 1, 0],
      [3, "Task", 1, 0],
      [4, "Project", 0, 2],
      [5, "Tag", 0, 2],
    ]),
  };
  const cd = { framework: "coredata" as const };
  const listing: TableListing[] = [
    { name: "ZITEM", kind: "table", rows: null, ...cd, entity: "Item", entities: ["Item", "Note", "Task"] },
    { name: "ZPROJECT", kind: "table", rows: null, ...cd, entity: "Project" },
    { name: "ZTAG", kind: "table", rows: null, ...cd, entity: "Tag" },
    { name: "Z_1TAGS", kind: "table", rows: null, ...cd, relationship: "Item.tags" },
    { name: "Z_METADATA", kind: "table", rows: null, ...cd, internal: true },
    { name: "Z_MODELCACHE", kind: "table", rows: null, ...cd, internal: true },
    { name: "Z_PRIMARYKEY", kind: "table", rows: null, ...cd, internal: true },
  ];
  return { tables, listing, framework: "coredata" };
}

function social(): FrameworkDb {
  const tables: Record<string, MemTable> = {
    android_metadata: table("android_metadata", [col("locale", "TEXT")], [["en_US"]]),
    room_master_table: table("room_master_table", [col("id", "INTEGER", { pk: 1 }), col("identity_hash", "TEXT")], [[42, "5c1f7d0e3a9b4c2d8e6f1a0b9c8d7e6f"]]),
    users: table(
      "users",
      [
        col("id", "INTEGER", { pk: 1 }),
        col("name", "TEXT", { not_null: true }),
        col("created_at", "INTEGER", { display: "unix-millis" }),
        col("settings_json", "TEXT", { display: "json" }),
        col("avatar", "BLOB", { display: "image" }),
      ],
      [
        [1, "Ada", 1764323200250, '{"theme":"dark","notifications":{"email":true,"push":false},"limits":[1,2,3]}', { $blob: AVATAR_PNG }],
        [2, "Grace", 1764409600000, '{"theme":"light"}', null],
        [3, "Linus", null, null, null],
      ],
    ),
  };
  const listing: TableListing[] = [
    { name: "android_metadata", kind: "table", rows: null, framework: "android", internal: true },
    { name: "room_master_table", kind: "table", rows: null, framework: "room", internal: true },
    { name: "users", kind: "table", rows: null },
  ];
  return { tables, listing, framework: "room", user_version: 3 };
}

/** The framework database at a location (null: one of the plain fakes). */
export function frameworkDb(location: string): FrameworkDb | null {
  if (location.endsWith(`/${PLANNER_APP}/${PLANNER_PATH}`)) return planner();
  if (location.endsWith(`/${SOCIAL_APP}/${SOCIAL_PATH}`)) return social();
  return null;
}

export const isRoom = (location: string) => location.endsWith(`/${SOCIAL_APP}/${SOCIAL_PATH}`);

/** A Core Data entity table: its rows carry Z_PK, Z_ENT and Z_OPT. */
export const isEntityTable = (t: MemTable) => ["Z_PK", "Z_ENT", "Z_OPT"].every((c) => t.schema.columns.some((x) => x.name === c));

const KINDS = ["coredata-date", "unix-seconds", "unix-millis", "unix-micros", "json", "uuid", "image", "plist", "protobuf", "gzip", "zlib"];
export const isKind = (k: unknown) => typeof k === "string" && KINDS.includes(k);

/** A schema with the user's display choices (column → kind, or "raw"). */
export function withOverrides(schema: TableSchema, chosen: (column: string) => string | undefined): TableSchema {
  return {
    ...schema,
    columns: schema.columns.map((c) => {
      const o = chosen(c.name);
      if (o === undefined) return c;
      const { display: _auto, ...rest } = c;
      void _auto;
      return o === "raw" ? { ...rest, display_override: true } : { ...rest, display: o, display_override: true };
    }),
  };
}

// ---- dates, exactly (mirrors sonde-display/src/date.rs) ----

const NS = 1_000_000_000n;
const UNITS: Record<string, [bigint, bigint]> = {
  "coredata-date": [978_307_200n, NS],
  "unix-seconds": [0n, NS],
  "unix-millis": [0n, 1_000_000n],
  "unix-micros": [0n, 1_000n],
};
const floorDiv = (a: bigint, b: bigint) => (a % b !== 0n && a < 0n !== b < 0n ? a / b - 1n : a / b);

function scaled(text: string, per: bigint): bigint | null {
  const m = /^([-+]?)(\d*)(?:\.(\d*))?(?:e([-+]?\d+))?$/i.exec(text);
  if (!m) return null;
  const frac = m[3] ?? "";
  const exp = Number(m[4] ?? 0) - frac.length;
  let n = BigInt(`${m[2] || "0"}${frac}`) * per;
  if (m[1] === "-") n = -n;
  return exp >= 0 ? n * 10n ** BigInt(exp) : floorDiv(n, 10n ** BigInt(-exp));
}

class Invalid extends Error {}

export function encodeDate(kind: string, text: string, stored: string): Value {
  const unit = UNITS[kind];
  if (!unit) throw new Invalid(`${kind} is not a date kind`);
  const m = /^(-?\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!m) throw new Invalid(`not an ISO-8601 UTC date: ${text}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const nanos = BigInt(ms) * 1_000_000n + BigInt((m[7] ?? "").padEnd(9, "0"));
  const [epoch, per] = unit;
  const since = nanos - epoch * NS;
  if (stored === "integer") {
    const units = floorDiv(since + per / 2n, per);
    return units >= BigInt(Number.MIN_SAFE_INTEGER) && units <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(units) : { $int: units.toString() };
  }
  if (stored !== "real") throw new Invalid(`stored must be "integer" or "real", not ${stored}`);
  const abs = since < 0n ? -since : since;
  const digits = per.toString().length - 1;
  return Number(`${since < 0n ? "-" : ""}${abs / per}.${(abs % per).toString().padStart(digits, "0")}`);
}

function isoOf(nanos: bigint): string {
  const secs = floorDiv(nanos, NS);
  const sub = nanos - secs * NS;
  let frac = sub === 0n ? "" : sub.toString().padStart(9, "0");
  while (frac.endsWith("000")) frac = frac.slice(0, -3);
  return new Date(Number(secs) * 1000).toISOString().replace(/\.\d{3}Z$/, `${frac ? `.${frac}` : ""}Z`);
}

// ---- decode_value ----

const b64bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

const CANNED: Record<string, unknown> = {
  [BPLIST]: {
    type: "plist",
    archiver: true,
    root: {
      type: "dict",
      class: "NSDictionary",
      entries: [
        { key: "name", value: { type: "string", value: "Ada" } },
        { key: "n", value: { type: "integer", value: 3 } },
        {
          key: "reminder",
          value: {
            type: "dict",
            class: "NSMutableDictionary",
            entries: [
              { key: "offsetMinutes", value: { type: "integer", value: 15 } },
              { key: "sound", value: { type: "string", value: "chime" } },
            ],
          },
        },
        { key: "tags", value: { type: "array", items: [{ type: "string", value: "errand" }, { type: "uid", value: 7 }] } },
        { key: "due", value: { type: "date", utc: "2025-11-28T09:46:40.250Z", epoch_ms: 1764323200250 } },
        { key: "thumb", value: { type: "data", bytes: 4, hex: "00010203" } },
        { key: "future", value: { type: "sparkle", level: 9 } },
      ],
    },
  },
  [PROTO]: {
    type: "protobuf",
    fields: [
      { field: 1, type: "varint", value: 150, zigzag: 75 },
      { field: 3, type: "message", fields: [{ field: 1, type: "varint", value: 1, zigzag: -1 }] },
    ],
  },
  [GZIP_HELLO]: { type: "decompressed", format: "gzip", bytes: 5, truncated: false, preview: { type: "text", text: "hello", truncated: false } },
};

/** What decode_value answers for a stored value read as `kind` (throws Invalid with the backend's wording). */
export function decodeStored(kind: string, v: Value): unknown {
  const unit = UNITS[kind];
  if (unit) {
    let raw: string;
    let units: bigint | null;
    if (typeof v === "number") {
      raw = String(v);
      units = scaled(raw, unit[1]);
    } else if (typeof v === "string") {
      raw = v.trim();
      units = scaled(raw, unit[1]);
      if (units === null) throw new Invalid(`not a number: ${JSON.stringify(v)}`);
    } else if (v !== null && "$int" in v) {
      raw = v.$int;
      units = BigInt(v.$int) * unit[1];
    } else throw new Invalid(`a ${kind} is a number, not ${v === null ? "NULL" : "a BLOB"}`);
    if (units === null) throw new Invalid(`not a number: ${raw}`);
    const nanos = units + unit[0] * NS;
    return { type: "date", epoch_ms: Number(nanos) / 1e6, utc: isoOf(nanos), raw };
  }
  if (v === null) throw new Invalid("NULL has nothing to decode");
  const bytes = typeof v === "string" ? new TextEncoder().encode(v) : typeof v !== "object" ? null : "$blob" in v ? b64bytes(v.$blob) : "$text_bytes" in v ? b64bytes(v.$text_bytes) : null;
  const b64 = typeof v === "object" && "$blob" in v ? v.$blob : null;
  switch (kind) {
    case "uuid":
      if (typeof v === "string" && /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(v)) return { type: "uuid", text: v };
      if (!bytes || typeof v !== "object") throw new Invalid("not a UUID: a number");
      if (bytes.length !== 16) throw new Invalid(`not a UUID: ${bytes.length} bytes (a UUID is 16)`);
      {
        const h = hex(bytes).toUpperCase();
        return { type: "uuid", text: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}` };
      }
    case "image":
      if (!bytes || bytes.length < 24 || bytes[0] !== 0x89 || bytes[1] !== 0x50) throw new Invalid("not an image: no PNG, JPEG, GIF, WebP or HEIC signature");
      {
        const dv = new DataView(bytes.buffer);
        return { type: "image", format: "png", width: dv.getUint32(16), height: dv.getUint32(20), bytes: bytes.length };
      }
    case "json":
      try {
        return { type: "json", value: JSON.parse(new TextDecoder().decode(bytes ?? new Uint8Array())) as unknown };
      } catch (e) {
        throw new Invalid(`not JSON: ${(e as Error).message}`);
      }
    default: {
      const canned = b64 ? (CANNED[b64] as { type: string; format?: string } | undefined) : undefined;
      const fits = canned && (canned.type === kind || (canned.type === "decompressed" && canned.format === kind));
      if (!fits) {
        if (kind === "plist") throw new Invalid("not a property list: no bplist00 header or <plist> element");
        if (kind === "protobuf") throw new Invalid("not protobuf: field 0 is not valid");
        if (kind === "gzip" || kind === "zlib") throw new Invalid(`not ${kind} data: no ${kind} header`);
        throw new Invalid(`unknown display kind ${kind}`);
      }
      return canned;
    }
  }
}

export { Invalid as DecodeInvalid };
