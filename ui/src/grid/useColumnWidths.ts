// Column widths: fitted to the header and the first rows once they are in,
// resized by dragging a header's right edge, fitted to the loaded content
// by double-clicking it. A new set of columns starts over.
import { useEffect, useState } from "react";
import type { ColumnMeta } from "../bindings/ColumnMeta";
import type { Value } from "../bindings/Value";
import { FIRST_MAX, FIT_MAX, fitWidth, gridFonts, MIN_COL } from "./fit";

export function defaultWidth(c: ColumnMeta): number {
  const t = c.type.toUpperCase();
  const byType = t.includes("INT") ? 110 : t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB") ? 120 : 180;
  return Math.max(byType, Math.min(260, c.name.length * 8 + 40));
}

/** Columns fitted when the first rows arrive (the rest keep their default). */
const FIRST_FIT_COLUMNS = 120;
const FIRST_FIT_ROWS = 60;

interface Options {
  columns: ColumnMeta[];
  /** Values of column `col` in the rows loaded around the view. */
  sample(col: number, rows: number): Value[];
  /** The first rows are loaded (the moment to fit). */
  ready: boolean;
  /** An element carrying the grid's fonts. */
  fontsOf(): Element | null;
}

export function useColumnWidths({ columns, sample, ready, fontsOf }: Options) {
  const key = columns.map((c) => `${c.name}:${c.type}`).join("\u0000");
  // Widths belong to a set of columns: another set starts from defaults
  // (in the same render, so lengths always match).
  const [state, setState] = useState(() => ({ key, widths: columns.map(defaultWidth), fitted: false }));
  const current = state.key === key ? state : { key, widths: columns.map(defaultWidth), fitted: false };
  const { widths } = current;
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
    const w = fitWidth(columns[col], sample(col, 500), gridFonts(el), FIT_MAX);
    setWidths((ws) => ws.map((x, i) => (i === col ? w : x)));
  };

  const onResizeStart = (e: React.PointerEvent, col: number) => {
    e.preventDefault();
    e.stopPropagation();
    const startX = e.clientX;
    const startW = widths[col] ?? MIN_COL;
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

  return { widths, onResizeStart, fitColumn };
}
