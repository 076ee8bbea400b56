// Measures Sonde's own grid (the built app on the fake backend's
// 10,000,000-row table) with the same protocol as run-grid-eval.mjs.
// Usage (from the repo root): npm run build && npm run build:mock -w ui && node ui/bench/run-app-grid.mjs
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { startApp, calls } from "../tests/lib/app.mjs";

const dist = join(import.meta.dirname, "..", "dist", "assets");
let raw = 0, gz = 0;
for (const f of readdirSync(dist)) {
  const b = readFileSync(join(dist, f));
  raw += b.length;
  gz += gzipSync(b).length;
}

const app = await startApp();
const page = await app.open({ latencyMs: 3 });
await page.addInitScript(() => {});
await page.evaluate(() => {
  window.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ entryTypes: ["longtask"] });
});
await page.locator('[data-testid="device-item"][data-id="android://emulator-5554"]').click();
await page.locator('[data-testid="app-item"][data-id="com.example.notes"]').click();
// Opening selects the first table (events, 10M rows): time open → first cells.
const t0 = await page.evaluate(() => performance.now());
await page.locator('[data-testid="db-item"][data-uri$="/notes.db"]').click();
await page.waitForFunction(() => document.querySelector('[role="gridcell"][data-row="0"][data-col="1"]')?.textContent === "event 1");
const firstPaint = (await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now()))))) - t0;

await page.getByTestId("grid").hover();
await page.evaluate(() => {
  window.__frames = [];
  window.__long.length = 0;
  let last = performance.now();
  const tick = (t) => { window.__frames.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
});
const before = (await calls(page)).length;
for (let i = 0; i < 150; i++) { await page.mouse.wheel(0, 1200); await page.waitForTimeout(16); }
await page.waitForTimeout(300);
const scroll = await page.evaluate(() => {
  window.__stop = true;
  const f = window.__frames.slice(1).sort((a, b) => a - b);
  const pct = (p) => f[Math.min(f.length - 1, Math.floor(f.length * p))];
  const rows = [...document.querySelectorAll('[role="gridcell"][data-col="0"][data-row]')].map((e) => Number(e.dataset.row));
  return { frames: f.length, mean: f.reduce((a, b) => a + b, 0) / f.length, p95: pct(0.95), max: f[f.length - 1], over50: f.filter((x) => x > 50).length,
    longTasks: window.__long.length, longTaskMs: window.__long.reduce((a, b) => a + b, 0), firstVisible: Math.min(...rows) };
});
scroll.fetches = (await calls(page)).slice(before).filter((c) => c.cmd.startsWith("fetch_page")).length;

await page.evaluate(() => { const s = document.querySelector(".grid-scroller"); s.scrollTop = s.scrollHeight; });
await page.waitForFunction(() => document.querySelector('[role="gridcell"][data-row="9999999"][data-col="0"]')?.textContent === "10000000");
const far = await page.evaluate(() => Math.max(...[...document.querySelectorAll("[role=gridcell][data-row]")].map((e) => Number(e.dataset.row))));
const cdp = await app.browser.context.newCDPSession(page);
await cdp.send("Performance.enable");
await cdp.send("HeapProfiler.collectGarbage");
const m = Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((x) => [x.name, x.value]));
console.log(JSON.stringify({ firstPaintMs: Math.round(firstPaint), scroll, farLastRow: far, heapMB: +(m.JSHeapUsedSize / 1048576).toFixed(1), domNodes: m.Nodes, bundle: { raw, gz }, problems: page.problems }, null, 2));
await app.close();
