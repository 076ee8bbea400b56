// Synthetic 10,000,000-row source for the grid evaluation: pages of 200 rows
// generated on demand after a short async delay (stands in for IPC), kept in
// a small LRU. The table is never materialised.
export const TOTAL_ROWS = 10_000_000;
export const PAGE = 200;
export const COLS = ["id", "name", "email", "score", "created", "flag", "note", "blob"];

export type Cell = string;
const cache = new Map<number, Cell[][]>();
const inflight = new Map<number, Promise<Cell[][]>>();
const LRU_PAGES = 64;
export const stats = { fetches: 0 };

function makeRow(r: number): Cell[] {
  return [String(r + 1), `user ${r}`, `u${r}@example.com`, ((r * 7919) % 1000 / 10).toFixed(1),
    `2024-01-${String((r % 28) + 1).padStart(2, "0")}`, r % 3 === 0 ? "1" : "0", r % 5 === 0 ? "" : `note ${r % 97}`, `<blob ${r % 512} B>`];
}

export function pageIfLoaded(p: number): Cell[][] | undefined {
  const hit = cache.get(p);
  if (hit) { cache.delete(p); cache.set(p, hit); }
  return hit;
}

export function loadPage(p: number): Promise<Cell[][]> {
  const hit = pageIfLoaded(p);
  if (hit) return Promise.resolve(hit);
  let pending = inflight.get(p);
  if (pending) return pending;
  stats.fetches++;
  pending = new Promise<Cell[][]>((resolve) => setTimeout(() => {
    const rows: Cell[][] = [];
    const start = p * PAGE;
    for (let r = start; r < Math.min(start + PAGE, TOTAL_ROWS); r++) rows.push(makeRow(r));
    // Serialise + parse like the real bytes path does.
    const decoded = JSON.parse(JSON.stringify(rows)) as Cell[][];
    cache.set(p, decoded);
    inflight.delete(p);
    while (cache.size > LRU_PAGES) cache.delete(cache.keys().next().value as number);
    resolve(decoded);
  }, 3));
  inflight.set(p, pending);
  return pending;
}

declare global {
  interface Window { __bench: { firstPaint?: number; start: number; firstVisible?: number; fetches: () => number; scrollTo: (row: number) => void } }
}
