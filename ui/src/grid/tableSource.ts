// Rows of a table, page by page: keyset cursors (`next`) when reading on
// from a loaded page, `fetch_page_at` for jumps and far scroll positions.
// Pages live in an LRU; the table is never loaded whole.
import { api } from "../api";
import type { ColumnMeta } from "../bindings/ColumnMeta";
import type { Filter } from "../bindings/Filter";
import type { OrderBy } from "../bindings/OrderBy";
import type { PageQuery } from "../bindings/PageQuery";
import { Lru } from "./lru";
import { Emitter, type GridRow, type RowCount, type RowSource } from "./source";

export const PAGE_SIZE = 200;
/** Values per page: wide tables get fewer rows per page (20 at 2,000 columns). */
const PAGE_VALUES = 40_000;
const MIN_PAGE_SIZE = 20;
const CACHED_PAGES = 60;
const RETRY_MS = 3000;

interface LoadedPage {
  rows: GridRow[];
  next: string | null;
}

export interface TableSourceOptions {
  handle: number;
  table: string;
  order: OrderBy[];
  filters: Filter[];
  /** Columns known before the first page arrives (from the schema). */
  columns?: ColumnMeta[];
  onError?: (e: unknown) => void;
  pageSize?: number;
}

export class TableSource implements RowSource {
  private readonly pages: Lru<number, LoadedPage>;
  private readonly inflight = new Map<number, Promise<LoadedPage | null>>();
  private readonly failed = new Map<number, number>();
  private readonly emitter = new Emitter();
  private cols: ColumnMeta[];
  private estimate: number | null = null;
  private exact: number | null = null;
  /** Row count learnt from a short last page. */
  private end: number | null = null;
  private highest = 0;
  private disposed = false;
  /**
   * Pages read before the last reload: still drawn until their fresh copy
   * arrives, so a reload never blanks the view or moves it.
   */
  private stale = new Map<number, LoadedPage>();
  /** Bumped by reload: answers to older requests are dropped. */
  private generation = 0;
  /** The rows last asked for (what is on screen). */
  private wanted: [number, number] = [0, 0];
  readonly pageSize: number;

  constructor(private readonly opts: TableSourceOptions) {
    this.pageSize = opts.pageSize ?? pageSizeFor(opts.columns?.length ?? 0);
    this.pages = new Lru(CACHED_PAGES);
    this.cols = opts.columns ?? [];
  }

  /** First page plus the row count: an estimate at once, then the exact count. */
  start(): void {
    void this.load(0);
    const { handle, table, filters } = this.opts;
    api.countRows(handle, table, filters, false).then(
      (n) => {
        if (this.disposed || this.exact !== null) return;
        this.estimate = n;
        this.emitter.emit();
      },
      () => undefined,
    );
    this.countExact();
  }

  private countExact(): void {
    const { handle, table, filters } = this.opts;
    const generation = this.generation;
    api.countRows(handle, table, filters, true).then(
      (n) => {
        if (this.disposed || generation !== this.generation) return;
        this.exact = n;
        this.emitter.emit();
      },
      (e) => this.opts.onError?.(e),
    );
  }

  /**
   * The database changed under the view (the app wrote a new version): the
   * rows on screen and the count are read again, in place. The position and
   * the rows shown stay until the fresh ones replace them; other cached
   * pages are read again only when scrolled to.
   */
  reload(): void {
    if (this.disposed) return;
    this.generation++;
    // What is drawn now stays drawn: loaded pages, and older copies of the
    // pages on screen whose fresh copy has not arrived yet.
    const [first, last] = this.wanted;
    const shown = (p: number) => p >= Math.floor(first / this.pageSize) && p <= Math.floor(last / this.pageSize);
    const stale = new Map([...this.stale].filter(([p]) => shown(p)));
    for (const [p, page] of this.pages.entries()) stale.set(p, page);
    this.stale = stale;
    this.pages.clear();
    this.inflight.clear();
    this.failed.clear();
    this.end = null;
    this.countExact();
    this.ensure(first, last);
  }

  /** The loaded row with this key, if any (a few thousand rows at most are scanned). */
  findKey(key: string): GridRow | undefined {
    for (const page of this.pages.values()) for (const r of page.rows) if (r.key === key) return r;
    return undefined;
  }

  columns(): ColumnMeta[] {
    return this.cols;
  }

  count(): RowCount {
    if (this.exact !== null) return { rows: this.exact, exact: true, more: false };
    if (this.end !== null) return { rows: this.end, exact: true, more: false };
    const est = this.estimate ?? 0;
    return { rows: Math.max(est, this.highest), exact: false, more: this.estimate === null };
  }

  row(index: number): GridRow | undefined {
    const p = Math.floor(index / this.pageSize);
    const page = this.pages.peek(p) ?? this.stale.get(p);
    return page?.rows[index % this.pageSize];
  }

  ensure(first: number, last: number): void {
    if (this.disposed) return;
    this.wanted = [first, last];
    const lastPage = Math.floor(Math.max(first, last) / this.pageSize);
    for (let p = Math.floor(Math.max(0, first) / this.pageSize); p <= lastPage; p++) {
      if (this.end !== null && p * this.pageSize >= this.end && p > 0) break;
      if (this.pages.get(p) || this.inflight.has(p)) continue;
      const failedAt = this.failed.get(p);
      if (failedAt !== undefined && performance.now() - failedAt < RETRY_MS) continue;
      void this.load(p);
    }
  }

  private query(after: string | null): PageQuery {
    const { table, order, filters } = this.opts;
    return { table, limit: this.pageSize, after, order, filters };
  }

  private load(p: number): Promise<LoadedPage | null> {
    const existing = this.inflight.get(p);
    if (existing) return existing;
    const generation = this.generation;
    const task = this.fetch(p).then(
      (page) => {
        if (this.disposed || generation !== this.generation) return null;
        this.inflight.delete(p);
        this.failed.delete(p);
        this.pages.set(p, page);
        this.stale.delete(p);
        const endOfPage = p * this.pageSize + page.rows.length;
        this.highest = Math.max(this.highest, endOfPage);
        if (page.next === null || page.rows.length < this.pageSize) this.end = endOfPage;
        this.emitter.emit();
        return page;
      },
      (e) => {
        if (this.disposed || generation !== this.generation) return null;
        this.inflight.delete(p);
        this.failed.set(p, performance.now());
        this.opts.onError?.(e);
        return null;
      },
    );
    this.inflight.set(p, task);
    return task;
  }

  private async fetch(p: number): Promise<LoadedPage> {
    const { handle } = this.opts;
    if (p === 0) return this.adopt(await api.fetchPage(handle, this.query(null)));
    // Reading on from the previous page: continue its keyset cursor.
    const before = this.inflight.get(p - 1);
    const prev = before ? await before : this.pages.peek(p - 1);
    if (prev?.next) return this.adopt(await api.fetchPage(handle, this.query(prev.next)));
    if (prev && prev.next === null) return { rows: [], next: null };
    return this.adopt(await api.fetchPageAt(handle, this.query(null), p * this.pageSize));
  }

  private adopt(page: { columns: ColumnMeta[]; rows: GridRow[]; next: string | null }): LoadedPage {
    if (page.columns.length && (this.cols.length !== page.columns.length || this.cols.some((c, i) => c.name !== page.columns[i].name))) {
      this.cols = page.columns;
    }
    return { rows: page.rows, next: page.next };
  }

  subscribe(listener: () => void): () => void {
    return this.emitter.subscribe(listener);
  }

  dispose(): void {
    this.disposed = true;
    this.emitter.clear();
    this.pages.clear();
    this.stale.clear();
  }
}

/** Rows per page for a table this wide: at most PAGE_VALUES values a page. */
export function pageSizeFor(columns: number): number {
  return Math.max(MIN_PAGE_SIZE, Math.min(PAGE_SIZE, Math.floor(PAGE_VALUES / Math.max(1, columns))));
}
