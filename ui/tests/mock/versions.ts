// Versions, diffs and rebase for the fake backend (the contract of issue 11):
// a version is a frozen copy of a database's tables; a diff compares two of
// them row by row (by key); a rebase re-applies saved changes onto a newer
// version when the row still holds what the change saw, and reports the
// others as conflicts (what you saw, what the app wrote, what you want).
import type { Change } from "../../src/bindings/Change";
import type { Conflict } from "../../src/bindings/Conflict";
import type { DbDiff } from "../../src/bindings/DbDiff";
import type { RowChange } from "../../src/bindings/RowChange";
import type { SchemaChange } from "../../src/bindings/SchemaChange";
import type { TableDiff } from "../../src/bindings/TableDiff";
import type { Value } from "../../src/bindings/Value";
import type { VersionInfo } from "../../src/bindings/VersionInfo";
import { BIG_ROWS, bigRow, bigSchema, cloneTable, type MemTable } from "./tables";

/** What a database holds at one moment: its editable tables and the app's writes to `events`. */
export interface Content {
  tables: Record<string, MemTable>;
  /** Rows of the computed 10,000,000-row `events` table the app rewrote: id → values. */
  events: Map<number, Value[]>;
}

export interface Version {
  info: VersionInfo;
  content: Content;
  /** The device file's write generation this version was taken at. */
  generation: number;
}

export const cloneContent = (c: Content): Content => ({
  tables: Object.fromEntries(Object.entries(c.tables).map(([n, t]) => [n, cloneTable(t)])),
  events: new Map([...c.events].map(([k, v]) => [k, structuredClone(v)])),
});

const same = (a: Value | undefined, b: Value | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function keyColumns(t: MemTable): string[] {
  return t.schema.columns.filter((c) => c.pk > 0).map((c) => c.name);
}

/** One table's rows compared by key (mem tables: their rowid; events: the rewritten ids). */
function diffTable(name: string, a: MemTable | undefined, b: MemTable | undefined, cap: number): TableDiff | null {
  const schema = (b ?? a)?.schema;
  if (!schema) return null;
  const columns = schema.columns.map((c) => c.name);
  const oldCols = a?.schema.columns.map((c) => c.name) ?? [];
  const status = !a ? "added" : !b ? "dropped" : "compared";
  const schemaChanged = !!a && !!b && a.schema.sql !== b.schema.sql;
  const rows: RowChange[] = [];
  let inserted = 0;
  let deleted = 0;
  let updated = 0;
  // Old values in the new column order (a column added since reads NULL).
  const align = (vals: Value[]) => columns.map((c) => {
    const i = oldCols.indexOf(c);
    return i < 0 ? null : vals[i];
  });
  const keys = new Set<number>([...(a?.rows.keys() ?? []), ...(b?.rows.keys() ?? [])]);
  for (const k of [...keys].sort((x, y) => x - y)) {
    const o = a?.rows.get(k);
    const n = b?.rows.get(k);
    let change: RowChange | null = null;
    if (o && !n) {
      deleted++;
      change = { op: "delete", key: String(k), old: align(o), new: null, changed: [] };
    } else if (!o && n) {
      inserted++;
      change = { op: "insert", key: String(k), old: null, new: [...n], changed: [] };
    } else if (o && n) {
      const old = align(o);
      const changed = columns.map((_, i) => i).filter((i) => !same(old[i], n[i]) && oldCols.includes(columns[i]));
      if (changed.length) {
        updated++;
        change = { op: "update", key: String(k), old, new: [...n], changed };
      }
    }
    if (change && rows.length < cap) rows.push(change);
  }
  if (!inserted && !deleted && !updated && !schemaChanged && status === "compared") return null;
  return {
    name,
    status,
    schema_changed: schemaChanged,
    columns,
    key: schema.key,
    key_columns: keyColumns((b ?? a) as MemTable),
    inserted,
    deleted,
    updated,
    compared: b?.rows.size ?? a?.rows.size ?? 0,
    rows,
    truncated: inserted + deleted + updated > rows.length,
  };
}

function diffEvents(a: Map<number, Value[]>, b: Map<number, Value[]>, cap: number): TableDiff | null {
  const columns = bigSchema.columns.map((c) => c.name);
  const rows: RowChange[] = [];
  let updated = 0;
  const ids = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
  for (const id of ids) {
    const old = a.get(id) ?? bigRow(id);
    const now = b.get(id) ?? bigRow(id);
    const changed = columns.map((_, i) => i).filter((i) => !same(old[i], now[i]));
    if (!changed.length) continue;
    updated++;
    if (rows.length < cap) rows.push({ op: "update", key: String(id), old: [...old], new: [...now], changed });
  }
  if (!updated) return null;
  return {
    name: "events",
    status: "compared",
    schema_changed: false,
    columns,
    key: bigSchema.key,
    key_columns: ["id"],
    inserted: 0,
    deleted: 0,
    updated,
    compared: BIG_ROWS,
    rows,
    truncated: updated > rows.length,
  };
}

/** What changed from `a` to `b` (only tables with differences), at most `cap` rows per table. */
export function diffContent(a: Content, b: Content, tables: string[], cap: number): DbDiff {
  const wanted = (n: string) => !tables.length || tables.includes(n);
  const out: TableDiff[] = [];
  const schema: SchemaChange[] = [];
  for (const name of [...new Set([...Object.keys(a.tables), ...Object.keys(b.tables)])].sort()) {
    const ta = a.tables[name];
    const tb = b.tables[name];
    if (ta?.schema.sql !== tb?.schema.sql) {
      schema.push({ kind: "table", name, change: !ta ? "added" : !tb ? "dropped" : "changed", before: ta?.schema.sql ?? null, after: tb?.schema.sql ?? null });
    }
    if (!wanted(name)) continue;
    const d = diffTable(name, ta, tb, cap);
    if (d) out.push(d);
  }
  if (wanted("events")) {
    const d = diffEvents(a.events, b.events, cap);
    if (d) out.push(d);
  }
  out.sort((x, y) => x.name.localeCompare(y.name));
  return { tables: out, schema };
}

/** Counts of a diff's rows (for moved bytes and logs). */
export const changedRows = (d: DbDiff) => d.tables.reduce((n, t) => n + t.inserted + t.deleted + t.updated, 0);

export interface Pending {
  conflict: Conflict;
  change: Change;
}

const valuesOf = (t: MemTable, row: Value[], names: string[]) => names.map((n) => row[t.schema.columns.findIndex((c) => c.name === n)] ?? null);

/**
 * Re-applies saved changes (oldest first) onto `tables`, in place. A change
 * is re-applied when its row still holds what the change saw; otherwise it
 * is a conflict and nothing of it is written.
 */
export function rebase(tables: Record<string, MemTable>, changes: Change[], nextId: () => number): { applied: Change[]; conflicts: Pending[] } {
  const applied: Change[] = [];
  const conflicts: Pending[] = [];
  for (const c of changes) {
    const t = tables[c.table];
    if (!t) continue;
    const cols = t.schema.columns.map((x) => x.name);
    const conflict = (columns: string[], saw: Value[] | null, theirs: Value[] | null, mine: Value[] | null, key: string | null) =>
      conflicts.push({ change: c, conflict: { id: nextId(), table: c.table, key, op: c.op, columns, saw, theirs, mine } });
    if (c.op === "update") {
      const key = Number(c.key_before);
      const row = t.rows.get(key);
      const names = c.before.map((a) => a.column);
      const saw = c.before.map((a) => a.value);
      if (row && names.every((n, i) => same(row[cols.indexOf(n)], saw[i]))) {
        for (const a of c.after) row[cols.indexOf(a.column)] = a.value;
        applied.push(c);
      } else conflict(names, saw, row ? valuesOf(t, row, names) : null, c.after.map((a) => a.value), c.key_before);
    } else if (c.op === "delete") {
      const key = Number(c.key_before);
      const row = t.rows.get(key);
      const names = c.before.map((a) => a.column);
      const saw = c.before.map((a) => a.value);
      if (row && names.every((n, i) => same(row[cols.indexOf(n)], saw[i]))) {
        t.rows.delete(key);
        applied.push(c);
      } else conflict(names, saw, row ? valuesOf(t, row, names) : null, null, c.key_before);
    } else {
      const key = Number(c.key_after);
      const row = t.rows.get(key);
      const names = c.after.map((a) => a.column);
      if (!row) {
        t.rows.set(key, cols.map((n) => c.after.find((a) => a.column === n)?.value ?? null));
        t.nextId = Math.max(t.nextId, key + 1);
        applied.push(c);
      } else conflict(names, null, valuesOf(t, row, names), c.after.map((a) => a.value), c.key_after);
    }
  }
  return { applied, conflicts };
}

/** "Keep mine" of a conflict: your values written over the app's; the change to push. */
export function keepMine(tables: Record<string, MemTable>, p: Pending): Change {
  const { conflict: k, change } = p;
  const t = tables[k.table];
  const cols = t.schema.columns.map((x) => x.name);
  const key = Number(k.key);
  const before = k.columns.map((column, i) => ({ column, value: k.theirs?.[i] ?? null }));
  if (k.op === "delete") {
    t.rows.delete(key);
    return { ...change, before };
  }
  const row = t.rows.get(key) ?? cols.map(() => null as Value);
  k.columns.forEach((n, i) => (row[cols.indexOf(n)] = k.mine?.[i] ?? null));
  if (k.op === "insert") row[0] = key;
  t.rows.set(key, row);
  return { ...change, op: k.op === "insert" && k.theirs ? "update" : change.op, before, after: k.columns.map((column, i) => ({ column, value: k.mine?.[i] ?? null })) };
}
