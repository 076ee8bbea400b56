// Column widths: fitted to the header and the first rows once they are in,
// widened (never narrowed) when wider values scroll into view, resized by
// dragging a header's right edge, fitted to the loaded content by
// double-clicking it. A column the user sized keeps its width. A new set of
// columns starts over.
import { useEffect, useRef, useState } from "react";
import type { GridColumn } from "./gridColumn";
import type { Value } from "../bindings/Value";
import { FIRST_MAX, FIT_MAX, fitWidth, gridFonts, MIN_COL } from "./fit";

export function defaultWidth(c: GridColumn): number {
  if (c.maxWidth) return c.maxWidth;
  const t = c.type.toUpperCase();
  const byType = t.includes("INT") ? 110 : t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB") ? 120 : 180;
  return Math.max(byType, Math.min(260, c.name.length * 8 + 40));
}

/** Columns fitted when the first rows arrive (the rest keep their default). */
const FIRST_FIT_COLUMNS = 120;
const FIRST_FIT_ROWS = 60;

interface Options {
  columns: GridColumn[];
  /** Values of column `col` in the rows loaded around the view. */
  sample(col: number, rows: number): Value[];
  /** The first rows are loaded (the moment to fit). */
  ready: boolean;
  /** An element carrying the grid's fonts. */
  fontsOf(): Element | null;
}

export function useColumnWidths({ columns, sample, ready, fontsOf }: Options) {
  // A new display kind draws other text: the widths are fitted again.
  // (as do Z_ENT's entity names once they are read).
  const key = columns.map((c) => `${c.name}:${c.type}:${c.display ?? ""}:${c.names?.size ?? ""}`).join("\u0000");
  // Widths belong to a set of columns: another set starts from defaults
  // (in the same render, so lengths always match).
  const [state, setState] = useState(() => ({ key, widths: columns.map(defaultWidth), fitted: false }));
  const current = state.key === key ? state : { key, widths: columns.map(defaultWidth), fitted: false };
  const { widths } = current;
  /** Columns the user sized (drag or fit): automatic widening leaves them alone. */
  const manual = useRef({ key, cols: new Set<number>() });
  if (manual.current.key !== key) manual.current = { key, cols: new Set() };
  const setWidths = (f: (ws: number[]) => number[], fitted = true) =>
    setState((s) => {
      const base = s.key === key ? s : { key, widths: columns.map(defaultWidth), fitted: false };
      return { key, widths: f(base.widths), fitted: base.fitted || fitted };
    });

  useEffect(() => {
    if (!ready || current.fitted) return;
    const el = fontsOf();
    if (!el) return;
    const fonts = gridFonts(el);
    setWidths((ws) => ws.map((w, i) => (i < FIRST_FIT_COLUMNS ? fitWidth(columns[i], sample(i, FIRST_FIT_ROWS), fonts, FIRST_MAX) : w)));
  }, [ready, key, current.fitted]);

  /** Fits one column to the values loaded around the view. */
  const fitColumn = (col: number) => {
    const el = fontsOf();
    if (!el || !columns[col]) return;
    manual.current.cols.add(col);
    const w = fitWidth(columns[col], sample(col, 500), gridFonts(el), FIT_MAX);
    setWidths((ws) => ws.map((x, i) => (i === col ? w : x)));
  };

  /** Widens the shown columns to the shown values (after a jump, a far scroll). */
  const growToFit = (cols: number[], values: (col: number) => Value[]) => {
    const el = fontsOf();
    if (!el || !current.fitted) return;
    const fonts = gridFonts(el);
    const grown = new Map<number, number>();
    for (const col of cols) {
      if (manual.current.cols.has(col) || !columns[col]) continue;
      const w = fitWidth(columns[col], values(col), fonts, FIRST_MAX);
      if (w > (widths[col] ?? 0)) grown.set(col, w);
    }
    if (grown.size) setWidths((ws) => ws.map((x, i) => Math.max(x, grown.get(i) ?? 0)));
  };

  const onResizeStart = (e: React.PointerEvent, col: number) => {
    e.preventDefault();
    e.stopPropagation();
    const startX = e.clientX;
    const startW = widths[col] ?? MIN_COL;
    manual.current.cols.add(col);
    // Pointer capture keeps the drag going outside the handle.
    const target = e.currentTarget as HTMLElement;
    target.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent) => {
      const w = Math.max(MIN_COL, startW + ev.clientX - startX);
      setWidths((ws) => ws.map((x, i) => (i === col ? w : x)));
    };
    const up = () => {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", up);
    };
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", up);
  };

  return { widths, fitted: current.fitted, onResizeStart, fitColumn, growToFit };
}
