// The fake databases: a small "notes" table holding every kind of value,
// a 10,000,000-row table computed on the fly (never materialised), a view.
import type { ColumnMeta } from "../../src/bindings/ColumnMeta";
import type { Filter } from "../../src/bindings/Filter";
import type { OrderBy } from "../../src/bindings/OrderBy";
import type { Row } from "../../src/bindings/Row";
import type { TableSchema } from "../../src/bindings/TableSchema";
import type { Value } from "../../src/bindings/Value";

export const BIG_ROWS = 10_000_000;

// A 1x1 PNG (red pixel).
export const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
export const LONG_TEXT = "Lorem ipsum dolor sit amet, ".repeat(80) + "THE END";
export const JSON_TEXT = '{"title":"Groceries","items":["milk","eggs"],"done":false}';
export const BIG_INT = "9007199254740993";

export interface MemTable {
  schema: TableSchema;
  rows: Map<number, Value[]>;
  nextId: number;
}

const col = (name: string, decl_type: string, extra: Partial<TableSchema["columns"][number]> = {}) => ({
  name,
  decl_type,
  not_null: false,
  default_sql: null,
  pk: 0,
  origin: "normal" as const,
  ...extra,
});

export function notesTable(): MemTable {
  const schema: TableSchema = {
    name: "notes",
    kind: "table",
    sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL DEFAULT 'untitled', body TEXT, meta TEXT, attachment BLOB, counter INTEGER, ratio REAL)",
    without_rowid: false,
    strict: false,
    columns: [
      col("id", "INTEGER", { pk: 1 }),
      col("title", "TEXT", { not_null: true, default_sql: "'untitled'" }),
      col("body", "TEXT"),
      col("meta", "TEXT"),
      col("attachment", "BLOB"),
      col("counter", "INTEGER"),
      col("ratio", "REAL"),
    ],
    indexes: [{ name: "notes_title", unique: false, origin: "c", partial: false, columns: ["title"], sql: "CREATE INDEX notes_title ON notes(title)" }],
    foreign_keys: [],
    triggers: [{ name: "notes_touch", sql: "CREATE TRIGGER notes_touch AFTER UPDATE ON notes BEGIN SELECT 1; END" }],
    key: { kind: "rowid", alias: "rowid" },
  };
  const rows = new Map<number, Value[]>();
  const add = (vals: Value[]) => rows.set(vals[0] as number, vals);
  add([1, "Shopping", null, JSON_TEXT, { $blob: PNG_B64 }, { $int: BIG_INT }, 0.5]);
  add([2, "", "", null, null, 42, { $real: "inf" }]);
  add([3, "Essay", LONG_TEXT, "not json {", { $blob: "AAECAwQFBgcICQ==" }, -7, 3.25]);
  for (let i = 4; i <= 30; i++) add([i, `Note ${i}`, `body ${i}`, null, null, i * 10, i / 4]);
  return { schema, rows, nextId: 31 };
}

export const bigSchema: TableSchema = {
  name: "events",
  kind: "table",
  sql: "CREATE TABLE events (id INTEGER PRIMARY KEY, name TEXT, score REAL, created TEXT)",
  without_rowid: false,
  strict: false,
  columns: [col("id", "INTEGER", { pk: 1 }), col("name", "TEXT"), col("score", "REAL"), col("created", "TEXT")],
  indexes: [],
  foreign_keys: [{ table: "notes", from: ["id"], to: ["id"], on_update: "NO ACTION", on_delete: "CASCADE" }],
  triggers: [],
  key: { kind: "rowid", alias: "rowid" },
};

export const viewSchema: TableSchema = {
  name: "recent_notes",
  kind: "view",
  sql: "CREATE VIEW recent_notes AS SELECT id, title FROM notes WHERE id > 20",
  without_rowid: false,
  strict: false,
  columns: [col("id", "INTEGER"), col("title", "TEXT")],
  indexes: [],
  foreign_keys: [],
  triggers: [],
  key: { kind: "none" },
};

// SQLite's maximum column count: 2,000 columns of 5,000 computed rows.
export const WIDE_COLUMNS = 2000;
export const WIDE_ROWS = 5000;
const wideType = (c: number) => ["INTEGER", "TEXT", "REAL"][c % 3];
const wideName = (c: number) => `c${String(c).padStart(4, "0")}`;

export const wideSchema: TableSchema = {
  name: "wide",
  kind: "table",
  sql: `CREATE TABLE wide (${Array.from({ length: WIDE_COLUMNS }, (_, c) => `${wideName(c)} ${wideType(c)}`).join(", ")})`,
  without_rowid: false,
  strict: false,
  columns: Array.from({ length: WIDE_COLUMNS }, (_, c) => col(wideName(c), wideType(c))),
  indexes: [],
  foreign_keys: [],
  triggers: [],
  key: { kind: "rowid", alias: "rowid" },
};

/** Row `id` (1-based): column c holds "r<id>c<c>" in its type. */
export const wideRow = (id: number): Value[] =>
  Array.from({ length: WIDE_COLUMNS }, (_, c) => (c % 3 === 0 ? id * 10_000 + c : c % 3 === 1 ? `r${id}c${c}` : id + c / 10_000));

export const bigRow = (id: number): Value[] => [id, `event ${id}`, ((id * 37) % 1000) / 10, `2024-${String((id % 12) + 1).padStart(2, "0")}-01`];

export const metaOf = (s: TableSchema): ColumnMeta[] => s.columns.map((c) => ({ name: c.name, type: c.decl_type }));

function compare(a: Value, b: Value): number {
  const norm = (v: Value): number | string => {
    if (v === null) return -Infinity;
    if (typeof v === "number" || typeof v === "string") return v;
    if ("$int" in v) return Number(v.$int);
    return JSON.stringify(v);
  };
  const x = norm(a);
  const y = norm(b);
  if (typeof x === "number" && typeof y === "number") return x - y;
  return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
}

export function matches(v: Value, f: Filter): boolean {
  const [a] = f.values;
  switch (f.op) {
    case "is_null":
      return v === null;
    case "is_not_null":
      return v !== null;
    case "eq":
      return v !== null && compare(v, a) === 0;
    case "ne":
      return v !== null && compare(v, a) !== 0;
    case "lt":
      return v !== null && compare(v, a) < 0;
    case "le":
      return v !== null && compare(v, a) <= 0;
    case "gt":
      return v !== null && compare(v, a) > 0;
    case "ge":
      return v !== null && compare(v, a) >= 0;
    case "contains":
      return typeof v === "string" && v.toLowerCase().includes(String(a).toLowerCase());
    case "like":
    case "not_like": {
      const re = new RegExp(`^${String(a).replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".")}$`, "i");
      const hit = typeof v === "string" && re.test(v);
      return f.op === "like" ? hit : !hit;
    }
    case "in":
      return f.values.some((x) => v !== null && compare(v, x) === 0);
    default:
      return true;
  }
}

/** Rows of a small table after filters and order (materialised: it is small). */
export function selectMem(t: MemTable, order: OrderBy[], filters: Filter[]): Row[] {
  const idx = (name: string) => t.schema.columns.findIndex((c) => c.name === name);
  let rows = [...t.rows.values()].filter((r) => filters.every((f) => matches(r[idx(f.column)], f)));
  rows = rows.sort((a, b) => {
    for (const o of order) {
      const c = compare(a[idx(o.column)], b[idx(o.column)]);
      if (c) return o.desc ? -c : c;
    }
    return compare(a[0], b[0]);
  });
  return rows.map((values) => ({ key: String(values[0]), values }));
}

/**
 * The big table as a function: position → id, after an optional `id`
 * range filter and an order on the first term's direction (ids are unique
 * and every column grows with id here, which keeps this O(1)).
 */
export function bigView(order: OrderBy[], filters: Filter[]) {
  let lo = 1;
  let hi = BIG_ROWS;
  for (const f of filters) {
    if (f.column !== "id") {
      if (f.op === "is_null") hi = lo - 1;
      continue;
    }
    const n = Number(typeof f.values[0] === "object" && f.values[0] && "$int" in f.values[0] ? f.values[0].$int : f.values[0]);
    if (f.op === "lt") hi = Math.min(hi, n - 1);
    if (f.op === "le") hi = Math.min(hi, n);
    if (f.op === "gt") lo = Math.max(lo, n + 1);
    if (f.op === "ge") lo = Math.max(lo, n);
    if (f.op === "eq") {
      lo = Math.max(lo, n);
      hi = Math.min(hi, n);
    }
  }
  const total = Math.max(0, hi - lo + 1);
  const desc = order[0]?.desc ?? false;
  return { total, idAt: (pos: number) => (desc ? hi - pos : lo + pos) };
}

/**
 * A chat app's messages: twelve columns of the usual kinds (ids, epoch
 * times, JSON, a BLOB, long names), enough to show how many columns fit.
 */
export function messagesTable(): MemTable {
  const schema: TableSchema = {
    name: "messages",
    kind: "table",
    sql:
      "CREATE TABLE messages (id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL, sender TEXT NOT NULL, body TEXT, " +
      "sent_at INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'sent', is_read INTEGER NOT NULL DEFAULT 0, reply_to_id INTEGER, " +
      "attachment BLOB, reactions TEXT, edited_at INTEGER, server_id TEXT)",
    without_rowid: false,
    strict: false,
    columns: [
      col("id", "INTEGER", { pk: 1 }),
      col("conversation_id", "INTEGER", { not_null: true }),
      col("sender", "TEXT", { not_null: true }),
      col("body", "TEXT"),
      col("sent_at", "INTEGER", { not_null: true }),
      col("status", "TEXT", { not_null: true, default_sql: "'sent'" }),
      col("is_read", "INTEGER", { not_null: true, default_sql: "0" }),
      col("reply_to_id", "INTEGER"),
      col("attachment", "BLOB"),
      col("reactions", "TEXT"),
      col("edited_at", "INTEGER"),
      col("server_id", "TEXT"),
    ],
    indexes: [{ name: "messages_by_conversation", unique: false, origin: "c", partial: false, columns: ["conversation_id", "sent_at"], sql: null }],
    foreign_keys: [{ table: "messages", from: ["reply_to_id"], to: [null], on_update: "NO ACTION", on_delete: "SET NULL" }],
    triggers: [],
    key: { kind: "rowid", alias: "id" },
  };
  const senders = ["ada", "grace", "linus", "margaret", "ken"];
  const bodies = ["See you at 7?", "On my way", "Can you send the file?", "Sounds good", "Moved to Thursday", "lol", "Where are the keys", "Call me when you land"];
  const rows = new Map<number, Value[]>();
  for (let id = 1; id <= 40; id++) {
    const sent = 1_717_000_000_000 + id * 93_000;
    rows.set(id, [
      id,
      (id % 4) + 1,
      senders[id % senders.length],
      id % 9 === 0 ? null : bodies[id % bodies.length],
      sent,
      id > 36 ? "pending" : "delivered",
      id < 30 ? 1 : 0,
      id % 5 === 0 ? id - 2 : null,
      id % 7 === 0 ? { $blob: PNG_B64 } : null,
      id % 3 === 0 ? `{"like":${id % 4},"love":1}` : null,
      id % 11 === 0 ? sent + 60_000 : null,
      `srv_${(id * 7919).toString(36)}`,
    ]);
  }
  return { schema, rows, nextId: 41 };
}

/** The one table of the encrypted (SQLCipher) database. */
export function secretsTable(): MemTable {
  const schema: TableSchema = {
    name: "secrets",
    kind: "table",
    sql: "CREATE TABLE secrets (id INTEGER PRIMARY KEY, name TEXT NOT NULL, secret TEXT)",
    without_rowid: false,
    strict: false,
    columns: [col("id", "INTEGER", { pk: 1 }), col("name", "TEXT", { not_null: true }), col("secret", "TEXT")],
    indexes: [],
    foreign_keys: [],
    triggers: [],
    key: { kind: "rowid", alias: "id" },
  };
  const rows = new Map<number, Value[]>([
    [1, [1, "wifi", "hunter2"]],
    [2, [2, "door", "1234"]],
  ]);
  return { schema, rows, nextId: 3 };
}

/** A deep copy (a pulled snapshot must not share rows with the device). */
export function cloneTable(t: MemTable): MemTable {
  return { schema: t.schema, rows: new Map([...t.rows].map(([k, v]) => [k, structuredClone(v)])), nextId: t.nextId };
}
