// Rows of a console query: streamed in order through `fetch_sql_page`
// (a statement cursor has no random access), loaded as the user scrolls
// near the end of what is loaded.
import { api } from "../api";
import type { ColumnMeta } from "../bindings/ColumnMeta";
import type { SqlResult } from "../bindings/SqlResult";
import type { Value } from "../bindings/Value";
import { Emitter, type GridRow, type RowCount, type RowSource } from "./source";
import { pageSizeFor } from "./tableSource";

export const SQL_PAGE = 200;

export class SqlSource implements RowSource {
  private rows: GridRow[] = [];
  private cols: ColumnMeta[];
  private queryId: number | null;
  private loading = false;
  private readonly emitter = new Emitter();
  private disposed = false;
  /** Later pages are sized by the result's width, like a table's. */
  private readonly pageSize: number;

  constructor(first: SqlResult, private readonly onError?: (e: unknown) => void) {
    this.cols = first.page.columns;
    this.pageSize = pageSizeFor(this.cols.length);
    this.queryId = first.page.done ? null : first.query_id;
    this.append(first.page.rows);
  }

  private append(rows: Value[][]): void {
    for (const values of rows) this.rows.push({ key: null, values });
  }

  columns(): ColumnMeta[] {
    return this.cols;
  }

  count(): RowCount {
    const more = this.queryId !== null;
    return { rows: this.rows.length, exact: !more, more };
  }

  row(index: number): GridRow | undefined {
    return this.rows[index];
  }

  ensure(_first: number, last: number): void {
    if (this.queryId === null || this.loading || this.disposed) return;
    // Read ahead by a page so scrolling rarely waits.
    if (last < this.rows.length - this.pageSize) return;
    this.loading = true;
    const id = this.queryId;
    api.fetchSqlPage(id, this.pageSize).then(
      (res) => {
        this.loading = false;
        if (this.disposed) return;
        this.append(res.page.rows);
        this.queryId = res.page.done ? null : res.query_id;
        this.emitter.emit();
      },
      (e) => {
        this.loading = false;
        this.queryId = null;
        this.onError?.(e);
        this.emitter.emit();
      },
    );
  }

  subscribe(listener: () => void): () => void {
    return this.emitter.subscribe(listener);
  }

  dispose(): void {
    this.disposed = true;
    this.emitter.clear();
    if (this.queryId !== null) void api.closeSql(this.queryId).catch(() => undefined);
  }
}
