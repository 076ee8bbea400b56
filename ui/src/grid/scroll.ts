// Scroll mapping for tables taller than browsers allow: an element is
// capped around 33M px (less in some engines), and 10M rows x 24 px is
// 240M px. The scroll area is capped at MAX_SCROLL_PX and the scrollbar
// position maps proportionally onto the "virtual" offset; wheel and keys
// move the virtual offset by real pixels, so fine scrolling stays fine.
export const MAX_SCROLL_PX = 8_000_000;

export interface ScrollGeometry {
  /** Full virtual height of the rows (rows x row height). */
  virtual: number;
  /** Height given to the scroll area (capped). */
  physical: number;
  /** Virtual px per physical px beyond the viewport (1 when not capped). */
  scale: number;
}

export function geometry(rows: number, rowHeight: number, viewport: number): ScrollGeometry {
  const virtual = rows * rowHeight;
  if (virtual <= MAX_SCROLL_PX) return { virtual, physical: virtual, scale: 1 };
  const physical = MAX_SCROLL_PX;
  const scale = Math.max(1, (virtual - viewport) / Math.max(1, physical - viewport));
  return { virtual, physical, scale };
}

export const maxVirtualTop = (g: ScrollGeometry, viewport: number) => Math.max(0, g.virtual - viewport);

export const clampTop = (g: ScrollGeometry, viewport: number, top: number) =>
  Math.min(Math.max(0, top), maxVirtualTop(g, viewport));

export const toPhysical = (g: ScrollGeometry, virtualTop: number) => virtualTop / g.scale;
export const toVirtual = (g: ScrollGeometry, physicalTop: number) => physicalTop * g.scale;

/** Rows [first, last] intersecting the viewport at `virtualTop`. */
export function visibleRows(virtualTop: number, viewport: number, rowHeight: number, rows: number): [number, number] {
  const first = Math.floor(virtualTop / rowHeight);
  const last = Math.min(rows - 1, Math.floor((virtualTop + viewport - 1) / rowHeight));
  return [Math.max(0, first), last];
}
