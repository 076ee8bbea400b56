// Measures the two grid candidates in Chromium (see docs/UI-GRID.md).
// Usage (from ui/): npm i --no-save @glideapps/glide-data-grid@6.0.3 lodash@4.18.1 marked@4.2.9 \
//   react-responsive-carousel@3.2.23 @tanstack/virtual-core@3.19.11
//   && npx vite build --config bench/vite.config.ts && node bench/run-grid-eval.mjs
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { serve } from "../tests/lib/serve.mjs";
import { launch } from "../tests/lib/browser.mjs";

const dist = join(import.meta.dirname, "dist");
const server = await serve(dist, { csp: true });
const results = {};
const jsOf = (name) => {
  const html = readFileSync(join(dist, `${name}.html`), "utf8");
  const files = [...html.matchAll(/assets\/([^"]+\.(?:js|css))/g)].map((m) => m[1]);
  let raw = 0, gz = 0;
  for (const f of new Set(files)) { const b = readFileSync(join(dist, "assets", f)); raw += b.length; gz += gzipSync(b).length; }
  return { raw, gz };
};

for (const variant of ["dom", "glide"]) {
  const browser = await launch();
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.addInitScript(() => {
    window.__long = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ entryTypes: ["longtask"] });
  });
  await page.goto(`${server.url}/${variant}.html`);
  await page.waitForFunction(() => window.__bench?.firstPaint !== undefined, null, { timeout: 20000 });
  const firstPaint = await page.evaluate(() => window.__bench.firstPaint);
  const readable = await page.evaluate(() => {
    const el = document.querySelector('[role=gridcell][data-row="0"][data-col="1"]');
    return el ? el.textContent : [...document.querySelectorAll("*")].some((n) => n.childElementCount === 0 && n.textContent === "user 0");
  });
  await page.mouse.move(400, 300);
  await page.evaluate(() => {
    window.__frames = [];
    window.__long.length = 0;
    let last = performance.now();
    const tick = (t) => { window.__frames.push(t - last); last = t; if (!window.__stopFrames) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  const t0 = Date.now();
  for (let i = 0; i < 150; i++) { await page.mouse.wheel(0, 1200); await page.waitForTimeout(16); }
  const wheelMs = Date.now() - t0;
  await page.waitForTimeout(300);
  const scroll = await page.evaluate(() => {
    window.__stopFrames = true;
    const f = window.__frames.slice(1).sort((a, b) => a - b);
    const pct = (p) => f[Math.min(f.length - 1, Math.floor(f.length * p))];
    return {
      frames: f.length, mean: f.reduce((a, b) => a + b, 0) / f.length, p95: pct(0.95), max: f[f.length - 1],
      over50: f.filter((x) => x > 50).length, longTasks: window.__long.length,
      longTaskMs: window.__long.reduce((a, b) => a + b, 0), firstVisible: window.__bench.firstVisible,
      fetches: window.__bench.fetches(),
    };
  });
  // Far jump: the last rows of a 10M-row table.
  await page.evaluate(() => window.__bench.scrollTo(9_999_990));
  await page.waitForTimeout(800);
  const far = await page.evaluate(() => ({
    firstVisible: window.__bench.firstVisible,
    maxDomRow: Math.max(-1, ...[...document.querySelectorAll("[role=gridcell]")].map((e) => Number(e.dataset.row))),
  }));
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send("Performance.enable");
  await cdp.send("HeapProfiler.collectGarbage");
  const metrics = Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  results[variant] = {
    firstPaintMs: Math.round(firstPaint), readable, wheelMs, scroll, far,
    heapMB: +(metrics.JSHeapUsedSize / 1048576).toFixed(1), domNodes: metrics.Nodes, bundle: jsOf(variant), errors,
  };
  await browser.close();
}
await server.close();
console.log(JSON.stringify(results, null, 2));
