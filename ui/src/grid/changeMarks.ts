// What the app changed in one table, as the grid marks it: a Map from row
// key (`RowChange.key` is `Row.key`) to the row's mark, looked up once per
// rendered row; never a scan. Deleted rows are not in the table any more:
// they are listed under the grid.
import type { RowChange } from "../bindings/RowChange";
import type { TableDiff } from "../bindings/TableDiff";
import type { Value } from "../bindings/Value";

export interface RowMark {
  op: "insert" | "update";
  /** Updates: the changed cells' values before the app's write, by column name. */
  old: ReadonlyMap<string, Value> | null;
}

export interface ChangeMarks {
  rows: ReadonlyMap<string, RowMark>;
  /** Rows the app deleted (capped like the diff). */
  deleted: RowChange[];
  /** The diff's columns (the order of `RowChange.old`/`new`). */
  columns: string[];
  /** Columns the row key is made of (named by the key already). */
  keyColumns: string[];
  inserted: number;
  updated: number;
  deletedCount: number;
  /** More rows changed than the diff holds (only those are marked). */
  truncated: boolean;
}

export function marksOf(diff: TableDiff): ChangeMarks {
  const rows = new Map<string, RowMark>();
  const deleted: RowChange[] = [];
  for (const r of diff.rows) {
    if (r.op === "delete") {
      deleted.push(r);
      continue;
    }
    if (r.key === null) continue;
    if (r.op === "insert") rows.set(r.key, { op: "insert", old: null });
    else rows.set(r.key, { op: "update", old: new Map(r.changed.map((i) => [diff.columns[i], r.old?.[i] ?? null])) });
  }
  return {
    rows,
    deleted,
    columns: diff.columns,
    keyColumns: diff.key_columns,
    inserted: diff.inserted,
    updated: diff.updated,
    deletedCount: diff.deleted,
    truncated: diff.truncated,
  };
}
