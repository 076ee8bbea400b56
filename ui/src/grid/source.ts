// What the grid renders from: rows by absolute index, fetched on demand.
import type { ColumnMeta } from "../bindings/ColumnMeta";
import type { Value } from "../bindings/Value";

export interface GridRow {
  /** Row key for edits (`null`: not editable, e.g. query results). */
  key: string | null;
  values: Value[];
}

export interface RowCount {
  /** Rows to size the scroll area with. */
  rows: number;
  /** True when `rows` is exact; false for an estimate or "at least". */
  exact: boolean;
  /** More rows may exist beyond `rows` (streamed query results). */
  more: boolean;
}

export interface RowSource {
  columns(): ColumnMeta[];
  count(): RowCount;
  row(index: number): GridRow | undefined;
  /** Asks for rows [first, last] to be loaded (no-op when cached). */
  ensure(first: number, last: number): void;
  /** Called whenever rows, columns or the count change. */
  subscribe(listener: () => void): () => void;
  dispose(): void;
}

/** Listener plumbing shared by the sources. */
export class Emitter {
  private listeners = new Set<() => void>();
  private scheduled = false;
  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  /** Coalesces bursts of page arrivals into one render. */
  emit(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const l of [...this.listeners]) l();
    });
  }
  clear(): void {
    this.listeners.clear();
  }
}
