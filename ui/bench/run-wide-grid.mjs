// Measures the grid on the fake backend's 2,000-column table (SQLite's
// maximum): open → first cells, DOM size, frame times while scrolling
// down and sideways, and Ctrl+End (last row, last column).
// Usage (from the repo root): npm run build && npm run build:mock -w ui && node ui/bench/run-wide-grid.mjs
import { openTable, startApp } from "../tests/lib/app.mjs";

const app = await startApp();
const page = await app.open({ latencyMs: 3 });
const cdp = await app.browser.context.newCDPSession(page);
await cdp.send("Performance.enable");
const metrics = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((x) => [x.name, x.value]));

await openTable(page, { table: "events" });
const t0 = await page.evaluate(() => performance.now());
await page.locator('[data-testid="table-item"][data-name="wide"]').click();
await page.waitForFunction(() => document.querySelector('[role="gridcell"][data-row="0"][data-col="1"]')?.textContent === "r1c1");
const openMs = (await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now()))))) - t0;
const cells = () => page.evaluate(() => document.querySelectorAll('[role="gridcell"]').length);
const open = { ms: Math.round(openMs), cells: await cells(), domNodes: (await metrics()).Nodes };

/** Frame times while `steps` wheel events of (dx, dy) run. */
async function frames(dx, dy, steps) {
  await page.getByTestId("grid").hover();
  await page.evaluate(() => {
    window.__frames = [];
    window.__stop = false;
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  for (let i = 0; i < steps; i++) {
    await page.mouse.wheel(dx, dy);
    await page.waitForTimeout(16);
  }
  await page.waitForTimeout(200);
  return page.evaluate(() => {
    window.__stop = true;
    const f = window.__frames.slice(1).sort((a, b) => a - b);
    const pct = (p) => f[Math.min(f.length - 1, Math.floor(f.length * p))];
    return { frames: f.length, meanMs: +(f.reduce((a, b) => a + b, 0) / f.length).toFixed(1), p95Ms: +pct(0.95).toFixed(1), maxMs: +f[f.length - 1].toFixed(1) };
  });
}

const down = await frames(0, 600, 60);
const sideways = await frames(900, 0, 60);
const t1 = await page.evaluate(() => performance.now());
await page.getByTestId("grid").press("Control+End");
await page.waitForFunction(() => document.querySelector('[role="gridcell"][data-row="4999"][data-col="1999"]')?.textContent !== undefined);
const ctrlEndMs = Math.round((await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now()))))) - t1);
const m = await metrics();
console.log(JSON.stringify({ open, down, sideways, ctrlEndMs, cellsAtEnd: await cells(), heapMB: +(m.JSHeapUsedSize / 1048576).toFixed(1), problems: page.problems }, null, 2));
await app.close();
