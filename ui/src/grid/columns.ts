// Horizontal geometry: where each column starts, and which columns a
// viewport shows. Only those are rendered, so a 2,000-column table costs
// what a 10-column one does.

/** Left edge of every column after the row gutter, plus the total width last. */
export function columnLefts(widths: readonly number[], gutter: number): number[] {
  const out = new Array<number>(widths.length + 1);
  let x = gutter;
  for (let i = 0; i < widths.length; i++) {
    out[i] = x;
    x += widths[i];
  }
  out[widths.length] = x;
  return out;
}

/**
 * Columns [first, last] intersecting [scrollLeft, scrollLeft + viewWidth),
 * widened by `overscan` on each side; [0, -1] when there are none.
 */
export function visibleColumns(lefts: readonly number[], scrollLeft: number, viewWidth: number, overscan: number): [number, number] {
  const n = lefts.length - 1;
  if (n <= 0) return [0, -1];
  // The last column whose left edge is at or before x.
  const at = (x: number) => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lefts[mid] <= x) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const first = at(scrollLeft);
  const last = at(scrollLeft + Math.max(1, viewWidth) - 1);
  return [Math.max(0, first - overscan), Math.min(n - 1, last + overscan)];
}
