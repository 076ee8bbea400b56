// Glide Data Grid (canvas) on the synthetic source.
import "@glideapps/glide-data-grid/dist/index.css";
import { DataEditor, GridCellKind, type GridCell, type Item, type Rectangle, type DataEditorRef } from "@glideapps/glide-data-grid";
import { createRoot } from "react-dom/client";
import { useCallback, useRef } from "react";
import { COLS, PAGE, TOTAL_ROWS, loadPage, pageIfLoaded, stats } from "./source";

window.__bench = { start: performance.now(), fetches: () => stats.fetches, scrollTo: () => {} };
const columns = COLS.map((c) => ({ title: c, id: c, width: 140 }));

function App() {
  const ref = useRef<DataEditorRef>(null);
  const getCellContent = useCallback(([col, row]: Item): GridCell => {
    const page = pageIfLoaded(Math.floor(row / PAGE));
    const text = page ? page[row % PAGE][col] : "";
    if (page && row === 0 && col === 0 && window.__bench.firstPaint === undefined) {
      requestAnimationFrame(() => { window.__bench.firstPaint = performance.now(); });
    }
    return { kind: GridCellKind.Text, data: text, displayData: text, allowOverlay: false };
  }, []);
  const onVisible = useCallback((r: Rectangle) => {
    window.__bench.firstVisible = r.y;
    const first = Math.floor(r.y / PAGE), last = Math.floor((r.y + r.height) / PAGE);
    for (let p = first; p <= last; p++) {
      if (pageIfLoaded(p)) continue;
      void loadPage(p).then(() => {
        const cells: { cell: Item }[] = [];
        for (let i = p * PAGE; i < p * PAGE + PAGE; i++) for (let c = 0; c < COLS.length; c++) cells.push({ cell: [c, i] });
        ref.current?.updateCells(cells);
      });
    }
  }, []);
  window.__bench.scrollTo = (row: number) => ref.current?.scrollTo(0, row);
  return <DataEditor ref={ref} columns={columns} rows={TOTAL_ROWS} getCellContent={getCellContent}
    onVisibleRegionChanged={onVisible} width="100%" height="100%" rowHeight={24} smoothScrollY />;
}
createRoot(document.getElementById("root")!).render(<App />);
