// Numbers and durations as the whole app writes them: one grouping style
// (1,234,567) whatever the system locale, so the grid, the row count and
// the export progress always agree.
const counts = new Intl.NumberFormat("en-US");

export const formatCount = (n: number): string => counts.format(n);

/** "1 row", "2 rows", "1,000 rows". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A statement's run time: "0.4 ms", "12 ms", "1.25 s". */
export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** "a", "a and b", "a, b and c". */
export function listWords(words: string[]): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}
