// Column widths: a default per type, reset when the columns change, and
// resizing by dragging a header's right edge.
import { useState } from "react";
import type { ColumnMeta } from "../bindings/ColumnMeta";

const MIN_COL = 48;

export function defaultWidth(c: ColumnMeta): number {
  const t = c.type.toUpperCase();
  const byType = t.includes("INT") ? 110 : t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB") ? 120 : 180;
  return Math.max(byType, Math.min(260, c.name.length * 8 + 40));
}

export function useColumnWidths(columns: ColumnMeta[]) {
  const key = columns.map((c) => `${c.name}:${c.type}`).join("\u0000");
  // Widths belong to a set of columns: another set starts from defaults
  // (in the same render, so lengths always match).
  const [state, setState] = useState(() => ({ key, widths: columns.map(defaultWidth) }));
  const widths = state.key === key ? state.widths : columns.map(defaultWidth);
  const setWidths = (f: (ws: number[]) => number[]) =>
    setState((s) => ({ key, widths: f(s.key === key ? s.widths : columns.map(defaultWidth)) }));

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

  return { widths, onResizeStart };
}
