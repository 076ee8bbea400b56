// Virtualized DOM rows with @tanstack/virtual-core on the synthetic source
// (plain, unscaled: total height = rows x 24 px, which the browser caps).
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from "@tanstack/virtual-core";
import { COLS, PAGE, TOTAL_ROWS, loadPage, pageIfLoaded, stats } from "./source";

window.__bench = { start: performance.now(), fetches: () => stats.fetches, scrollTo: () => {} };
const root = document.getElementById("root")!;
root.innerHTML = "";
const scroller = document.createElement("div");
scroller.style.cssText = "height:100%;overflow:auto;font:13px sans-serif";
const spacer = document.createElement("div");
spacer.style.position = "relative";
scroller.appendChild(spacer);
root.appendChild(scroller);

let scheduled = false;
const v = new Virtualizer<HTMLDivElement, HTMLDivElement>({
  count: TOTAL_ROWS, getScrollElement: () => scroller, estimateSize: () => 24, overscan: 10,
  scrollToFn: elementScroll, observeElementRect, observeElementOffset,
  onChange: () => { if (!scheduled) { scheduled = true; requestAnimationFrame(render); } },
});
v._willUpdate();
function render() {
  scheduled = false;
  spacer.style.height = `${v.getTotalSize()}px`;
  const items = v.getVirtualItems();
  window.__bench.firstVisible = items[0]?.index;
  const frag = document.createDocumentFragment();
  for (const it of items) {
    const page = pageIfLoaded(Math.floor(it.index / PAGE));
    if (!page) void loadPage(Math.floor(it.index / PAGE)).then(() => { if (!scheduled) { scheduled = true; requestAnimationFrame(render); } });
    const row = document.createElement("div");
    row.style.cssText = `position:absolute;top:0;left:0;height:24px;display:flex;transform:translateY(${it.start}px)`;
    for (let c = 0; c < COLS.length; c++) {
      const cell = document.createElement("div");
      cell.setAttribute("role", "gridcell");
      cell.dataset.row = String(it.index);
      cell.dataset.col = String(c);
      cell.style.cssText = "width:140px;overflow:hidden;white-space:nowrap;padding:2px 6px;box-sizing:border-box";
      cell.textContent = page ? page[it.index % PAGE][c] : "";
      row.appendChild(cell);
    }
    frag.appendChild(row);
  }
  spacer.replaceChildren(frag);
  if (window.__bench.firstPaint === undefined && pageIfLoaded(0) && items.length) {
    requestAnimationFrame(() => { window.__bench.firstPaint = performance.now(); });
  }
}
window.__bench.scrollTo = (row: number) => v.scrollToIndex(row);
const cleanup = v._didMount();
void cleanup;
render();
