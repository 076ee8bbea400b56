// Places the cell editor over its cell, above every row (rows are their own
// stacking contexts, so an editor inside its cell would be covered by the
// next row). It grows right and down, and moves left or up when the grid's
// edge would cut it.
import { useLayoutEffect, useRef, useState } from "react";

export interface EditorBox {
  /** The cell, in the grid layer's coordinates. */
  left: number;
  top: number;
  width: number;
  /** Where the unfrozen area starts, and where the view ends. */
  minLeft: number;
  maxRight: number;
  maxBottom: number;
}

export function EditorOverlay({ box, children }: { box: EditorBox; children: React.ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setSize((s) => (s.w === el.offsetWidth && s.h === el.offsetHeight ? s : { w: el.offsetWidth, h: el.offsetHeight }));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const left = Math.max(box.minLeft, Math.min(box.left, box.maxRight - size.w - 2));
  // Below the view's end: open upwards from the cell's bottom edge.
  const top = box.top + size.h > box.maxBottom && box.top + 26 - size.h >= 0 ? box.top + 26 - size.h : box.top;
  return (
    <div ref={ref} className="cell-editor-overlay" style={{ left, top, minWidth: Math.max(box.width, 260) }}>
      {children}
    </div>
  );
}
