// The INSTALLED app (from the .deb, /usr/bin/sonde-desktop) in a real
// window under Xvfb, through tauri-driver + WebKitWebDriver: it finds its
// simulated device next to itself (/usr/bin/sonde-devsim) and lists it,
// with nothing fetched. Run by scripts/check-package.sh after `dpkg -i`.
//
//   xvfb-run -a node tests/e2e/installed.e2e.mjs [/usr/bin/sonde-desktop]

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { Session, freePort } from './webdriver.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const APP = process.argv[2] ?? '/usr/bin/sonde-desktop';
const DRIVER = join(ROOT, '.tools/bin/tauri-driver');
for (const p of [APP, DRIVER, '/usr/bin/WebKitWebDriver']) assert.ok(existsSync(p), `${p} is missing`);

const work = mkdtempSync(join(tmpdir(), 'sonde-installed-'));
for (const d of ['home', 'tmp']) mkdirSync(join(work, d));
const adbPort = await freePort();
// A fresh user: its own HOME (so its own data dir), its own adb server;
// no SONDE_* variable points the app anywhere.
const env = { PATH: '/usr/bin:/bin', DISPLAY: process.env.DISPLAY, XAUTHORITY: process.env.XAUTHORITY, HOME: join(work, 'home'), TMPDIR: join(work, 'tmp'), ANDROID_ADB_SERVER_PORT: String(adbPort), XDG_RUNTIME_DIR: join(work, 'tmp') };
const driverPort = await freePort();
const driver = spawn(DRIVER, ['--port', String(driverPort), '--native-port', String(await freePort())], { env, stdio: ['ignore', 'inherit', 'inherit'] });
let session;
let ok = false;
try {
  session = await Session.create(`http://127.0.0.1:${driverPort}`, APP);
  const badge = await session.waitFor('[data-testid="device-item"] [data-testid="sim-badge"]', { timeoutMs: 90_000 });
  assert.match(await session.text(badge), /built-in/);
  assert.equal(await session.execute('return document.title'), 'Sonde');
  ok = true;
  console.log('ok   the installed app lists its built-in simulated device');
} catch (e) {
  console.log(`FAIL the installed app: ${e.stack ?? e}`);
} finally {
  await session?.close();
  driver.kill();
  try {
    execFileSync('/usr/bin/adb', ['kill-server'], { env, stdio: 'ignore' });
  } catch {}
  rmSync(work, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
