// Benchmarks of the real app (release-like build with the embedded UI) under
// Xvfb through tauri-driver:
//  - process start → first rendered device list;
//  - first page of a 10,000,000-row table (UI render, and the raw IPC call);
//  - a page after a jump to the middle;
//  - backend memory (RSS, and private memory) with that table open;
//  - `fetch_page` (raw JSON bytes, tauri::ipc::Response) for 200, 1,000
//    and 5,000-row pages. (Tauri's own value serialization was measured
//    against it once, the same speed: docs/BENCHMARKS.md; that command is
//    not part of the app.)
//
//   xvfb-run -a node benches/app/app.bench.mjs   (after scripts/bench.sh built everything)

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session, sleep } from '../../tests/e2e/webdriver.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const TARGET = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
const APP = join(TARGET, 'debug/sonde-desktop');
const DRIVER = join(ROOT, '.tools/bin/tauri-driver');
const BIG = join(ROOT, 'target/bench-data/big.db');
if (!existsSync(BIG)) throw new Error(`${BIG} missing: run \`cargo bench --bench engine\` once (it generates it)`);

const work = mkdtempSync(join(tmpdir(), 'sonde-bench-'));
for (const d of ['home', 'tmp', 'data']) mkdirSync(join(work, d));
const env = {
  ...process.env,
  ANDROID_ADB_SERVER_PORT: '15123',
  HOME: join(work, 'home'),
  TMPDIR: join(work, 'tmp'),
  SONDE_DATA_DIR: join(work, 'data'),
  SONDE_E2E_OPEN_PATH: BIG,
};
const driver = spawn(DRIVER, ['--port', '4477', '--native-port', '4478'], { env, stdio: 'ignore' });
const report = {};
let s;
try {
  const t0 = performance.now();
  s = await Session.create('http://127.0.0.1:4477', APP);
  await s.waitFor('[data-testid="device-list"]', { timeoutMs: 60_000 });
  report.start_to_device_list_rendered_ms = Math.round(performance.now() - t0);
  await s.waitFor('[data-testid="device-item"]', { timeoutMs: 60_000 });
  // Includes starting a fresh adb server (a private one here) and the simulated device.
  report.start_to_first_device_ms = Math.round(performance.now() - t0);
  // The page's own clock: navigation start → now (excludes WebDriver/launch overhead).
  report.page_clock_at_first_device_ms = Math.round(await s.execute('return performance.now()'));

  // RSS counts every shared library page mapped (GTK, WebKitGTK, ...), which
  // other processes share; private memory (smaps_rollup Private_*) is what
  // this process alone costs.
  const pid = () => execFileSync('pgrep', ['-f', '-n', 'debug/sonde-desktop'], { encoding: 'utf8' }).trim();
  const rss = () => {
    const status = readFileSync(`/proc/${pid()}/status`, 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024);
  };
  const privateMb = () => {
    const rollup = readFileSync(`/proc/${pid()}/smaps_rollup`, 'utf8');
    const kb = [...rollup.matchAll(/^Private_(?:Clean|Dirty):\s+(\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    return Math.round(kb / 1024);
  };
  await sleep(2000);
  report.backend_rss_idle_mb = rss();
  report.backend_private_idle_mb = privateMb();

  const t1 = performance.now();
  await s.click(await s.find('[data-testid="open-file"]'));
  await s.click(await s.waitFor('[data-testid="table-item"][data-name="events"]'));
  await s.waitFor('[role="gridcell"][data-row="0"]', { timeoutMs: 30_000 });
  report.open_and_first_page_ui_ms = Math.round(performance.now() - t1);

  const handle = await s.execute(
    "return Number(document.querySelector('[data-testid=\"grid\"]')?.getAttribute('data-handle') ?? 1)",
  );
  const timeInvoke = (cmd, args, n) =>
    s.executeAsync(
      `const [cmd, args, n, done] = arguments;
       (async () => {
         const times = [];
         for (let i = 0; i < n; i++) {
           const t = performance.now();
           const r = await window.__TAURI_INTERNALS__.invoke(cmd, args);
           if (r instanceof ArrayBuffer) JSON.parse(new TextDecoder().decode(r));
           times.push(performance.now() - t);
         }
         times.sort((a, b) => a - b);
         done({ median: times[Math.floor(n / 2)], min: times[0] });
       })().catch((e) => done({ error: String(e?.message ?? JSON.stringify(e)) }));`,
      [cmd, args, n],
    );
  const query = (limit) => ({ table: 'events', limit, after: null, order: [], filters: [] });
  report.first_page_ipc = await timeInvoke('fetch_page', { handle, query: query(200) }, 20);
  // Right after opening, the rowid sample for fast jumps is still being
  // built in the background: the jump walks the b-tree.
  report.jump_to_middle_cold_ipc = await timeInvoke('fetch_page_at', { handle, query: query(200), offset: 5_000_000 }, 1);
  // A user looks at the first page for a moment; by then the sample is ready.
  await sleep(3000);
  report.jump_to_middle_ipc = await timeInvoke('fetch_page_at', { handle, query: query(200), offset: 5_000_000 }, 5);

  const t2 = performance.now();
  const jump = await s.find('[data-testid="jump-to-row"]');
  await s.type(jump, '5000000\uE007');
  await s.waitFor('[role="gridcell"][data-row="4999999"], [role="gridcell"][data-row="5000000"]', { timeoutMs: 30_000 });
  report.jump_to_middle_ui_ms = Math.round(performance.now() - t2);

  report.backend_rss_with_10m_table_mb = rss();
  report.backend_rss_added_by_the_table_mb = report.backend_rss_with_10m_table_mb - report.backend_rss_idle_mb;
  report.backend_private_with_10m_table_mb = privateMb();

  for (const rows of [200, 1000, 5000]) {
    for (let round = 0; round < 2; round++) {
      report[`page_${rows}_rows_response_r${round}`] = await timeInvoke('fetch_page', { handle, query: query(rows) }, 25);
    }
  }
} finally {
  await s?.close();
  driver.kill();
  try {
    execFileSync('/usr/bin/adb', ['kill-server'], { env, stdio: 'ignore' });
  } catch {}
  rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify(report, null, 2));
