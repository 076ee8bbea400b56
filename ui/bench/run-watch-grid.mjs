// Frame times of the grid with the app's changes marked (issue 11): the
// fake backend's 10,000,000-row table, watched, the app rewrites 1,000 rows
// (every 7th of the first 7,000, two cells each), then the same wheel
// scroll as run-app-grid.mjs (150 × 1,200 px ≈ 7,500 rows) runs through
// them, once with the marks and once after "Mark all seen" (no marks).
// With --dense the 1,000 rows are the first 1,000 (every row on screen
// marked) and the scroll is 40 × 1,200 px (≈ 1,850 rows).
// Usage (from the repo root): npm run build && npm run build:mock -w ui && node ui/bench/run-watch-grid.mjs [--dense]
import { startApp, calls, clearCalls } from "../tests/lib/app.mjs";

const dense = process.argv.includes("--dense");
const WHEELS = dense ? 40 : 150;
const NOTES = "android://emulator-5554/com.example.notes/databases/notes.db";
const app = await startApp();
const page = await app.open({ latencyMs: 3 });
await page.evaluate(() => {
  window.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ entryTypes: ["longtask"] });
});
await page.locator('[data-testid="device-item"][data-id="android://emulator-5554"]').click();
await page.locator('[data-testid="app-item"][data-id="com.example.notes"]').click();
await page.locator('[data-testid="db-item"][data-uri$="/notes.db"]').click();
await page.waitForFunction(() => document.querySelector('[role="gridcell"][data-row="0"][data-col="1"]')?.textContent === "event 1");
await page.getByTestId("watch-toggle").click();
await page.locator('[data-testid="watch-bar"][data-phase="watching"]').waitFor();

// The app writes; time from the write to the marks on screen.
await clearCalls(page);
const writes = Array.from({ length: 1000 }, (_, i) => ({ op: "update", table: "events", key: dense ? i + 1 : i * 7 + 1, set: { name: `app ${i}`, score: -1 } }));
const t0 = await page.evaluate(() => performance.now());
await page.evaluate(([l, w]) => window.__sondeMock.appWrite(l, w), [NOTES, writes]);
await page.waitForFunction(() => document.querySelectorAll('[role="row"][data-app="update"]').length > 0);
const markMs = (await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now()))))) - t0;
const afterVersion = await calls(page);
const highlight = afterVersion.filter((c) => c.cmd === "diff_versions" && c.args.tables.length).map((c) => c.args);
const readsForVersion = afterVersion.filter((c) => c.cmd.startsWith("fetch_page")).length;

async function scrollRun(label) {
  await page.evaluate(() => { const s = document.querySelector(".grid-scroller"); s.scrollTop = 0; });
  await page.waitForFunction(() => document.querySelector('[role="gridcell"][data-row="0"][data-col="0"]'));
  await page.getByTestId("grid").hover();
  await page.evaluate(() => {
    window.__frames = [];
    window.__long.length = 0;
    window.__marked = 0;
    window.__stop = false;
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      window.__marked = Math.max(window.__marked, document.querySelectorAll('[role="row"][data-app]').length);
      if (!window.__stop) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const before = (await calls(page)).length;
  for (let i = 0; i < WHEELS; i++) { await page.mouse.wheel(0, 1200); await page.waitForTimeout(16); }
  await page.waitForTimeout(300);
  const r = await page.evaluate(() => {
    window.__stop = true;
    const f = window.__frames.slice(1).sort((a, b) => a - b);
    const pct = (p) => f[Math.min(f.length - 1, Math.floor(f.length * p))];
    const rows = [...document.querySelectorAll('[role="gridcell"][data-col="0"][data-row]')].map((e) => Number(e.dataset.row));
    return { frames: f.length, mean: +(f.reduce((a, b) => a + b, 0) / f.length).toFixed(2), p50: +pct(0.5).toFixed(2), p95: +pct(0.95).toFixed(2), max: +f[f.length - 1].toFixed(2),
      over16_7: f.filter((x) => x > 17.5).length, over50: f.filter((x) => x > 50).length, longTasks: window.__long.length, longTaskMs: Math.round(window.__long.reduce((a, b) => a + b, 0)),
      lastRowOnScreen: Math.max(...rows), markedRowsOnScreenMax: window.__marked };
  });
  const during = (await calls(page)).slice(before);
  r.pageFetches = during.filter((c) => c.cmd.startsWith("fetch_page")).length;
  r.diffCalls = during.filter((c) => c.cmd === "diff_versions").length;
  return { label, ...r };
}

const marked = await scrollRun("1,000 marked rows");
await page.getByTestId("mark-seen").click();
await page.locator('[role="row"][data-app]').first().waitFor({ state: "detached" });
const plain = await scrollRun("no marks");
console.log(JSON.stringify({ layout: dense ? "rows 1-1,000" : "every 7th row of the first 7,000", writeToMarksMs: Math.round(markMs), highlightRequest: highlight, pageReadsAfterVersion: readsForVersion, runs: [marked, plain], problems: page.problems }, null, 2));
await app.close();
