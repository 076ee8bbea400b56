// End-to-end tests of the REAL app binary in a real window (run under
// Xvfb), driven through tauri-driver + WebKitWebDriver, against the app's
// built-in simulated Android device reached through the real adb client.
//
//   xvfb-run -a node tests/e2e/app.e2e.mjs
//
// Needs: target/debug/sonde-desktop built with --features sonde-desktop/custom-protocol,
// target/debug/sonde-devsim and target/debug/sonde, .tools/bin/tauri-driver, /usr/bin/adb.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, copyFileSync, chmodSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { Session, KEY, sleep, freePort } from './webdriver.mjs';
import { startSecretService } from './secret-service.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const TARGET = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(ROOT, 'target');
const BIN = join(TARGET, 'debug');
const APP = join(BIN, 'sonde-desktop');
const SONDE = join(BIN, 'sonde');
const DRIVER = join(ROOT, '.tools/bin/tauri-driver');

for (const p of [APP, SONDE, join(BIN, 'sonde-devsim'), DRIVER, '/usr/bin/adb', '/usr/bin/WebKitWebDriver']) {
  assert.ok(existsSync(p), `${p} is missing (run scripts/test.sh, which builds and installs everything)`);
}

const work = mkdtempSync(join(tmpdir(), 'sonde-e2e-'));
for (const d of ['home', 'tmp', 'data', 'local', 'out', 'keyring']) mkdirSync(join(work, d));
// The OS keychain the app remembers database keys in: a real Secret Service.
const secrets = await startSecretService(join(work, 'keyring'));
// A generated music catalog (Artist, Album, Track...), made by sonde-devsim.
const catalog = join(work, 'local/catalog.sqlite');
execFileSync(join(BIN, 'sonde-devsim'), ['fixture', 'catalog', catalog]);
const exportPath = join(work, 'out/Album.csv');
const adbPort = await freePort();
const env = {
  ...process.env,
  ANDROID_ADB_SERVER_PORT: String(adbPort),
  HOME: join(work, 'home'),
  TMPDIR: join(work, 'tmp'),
  SONDE_DATA_DIR: join(work, 'data'),
  ADB: '/usr/bin/adb',
  SONDE_E2E_OPEN_PATH: catalog,
  SONDE_E2E_SAVE_PATH: exportPath,
  // The demo chat app stays quiet: these tests make the app's writes themselves.
  SONDE_SIM_LIVE_MS: '0',
  ...secrets.env,
};
delete env.ADB_VENDOR_KEYS;
// An Android SDK emulator with one AVD: the fake (tests/fakes/emulator)
// whose boot attaches a sonde-devsim to the app's adb server.
const avdHome = join(work, 'avd');
const emulator = join(work, 'sdk/emulator/emulator');
mkdirSync(join(avdHome, 'Pixel_E2E.avd'), { recursive: true });
mkdirSync(join(work, 'sdk/emulator'), { recursive: true });
writeFileSync(join(avdHome, 'Pixel_E2E.ini'), 'path=Pixel_E2E.avd\n');
copyFileSync(join(ROOT, 'tests/fakes/emulator'), emulator);
chmodSync(emulator, 0o755);
writeFileSync(join(work, 'sdk/emulator/.fake-emulator.json'), JSON.stringify({ avd_home: avdHome, devsim: join(BIN, 'sonde-devsim'), adb: '/usr/bin/adb' }));
env.SONDE_EMULATOR = emulator;
const deviceDb = join(work, 'data/simdevice/fs/data/data/com.example.shop/databases/shop.db');

const driverPort = await freePort();
const nativePort = await freePort();
const driver = spawn(DRIVER, ['--port', String(driverPort), '--native-port', String(nativePort)], {
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
let session;
const results = [];

async function step(name, fn) {
  const start = Date.now();
  try {
    await fn();
    results.push({ name, ok: true, ms: Date.now() - start });
    console.log(`ok   ${name} (${Date.now() - start} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
    try {
      const png = await session?.screenshot();
      if (png) {
        const shot = join(TARGET, 'e2e-failure.png');
        (await import('node:fs')).writeFileSync(shot, Buffer.from(png, 'base64'));
        console.log(`     screenshot: ${shot}`);
      }
    } catch {}
    throw e;
  }
}

/** Confirms the open push dialog once it has listed what will be pushed
 * (its layout settles then: a click before could land beside the button). */
async function pushConfirm() {
  await session.waitFor('[data-testid="push-discard"]');
  await session.click(await session.find('[data-testid="push-confirm"]'));
}

/** Saves the pending edits, pushes them and waits until they are on the device. */
async function saveAndPush() {
  await session.click(await session.find('[data-testid="save-changes"]'));
  await waitText('[data-testid="pending-count"]', '0');
  const push = await pushButtonWhen((waiting) => waiting === '1');
  await session.click(push);
  await pushConfirm();
  await session.waitFor('[data-testid="push-done"][data-outcome="pushed"]', { timeoutMs: 60_000 });
}

/** The visible grid cell in `row` under the column named `column`. */
async function cell(row, column) {
  const header = await session.waitFor(`[data-testid="column-header"][data-name="${column}"]`);
  const col = await session.attr(header, 'data-col');
  return session.waitFor(`[role="gridcell"][data-row="${row}"][data-col="${col}"]`);
}

/** Waits until a grid cell holds `text`. */
async function gridShows(text, options = {}) {
  return session.waitFor('[role="gridcell"]', { ...options, predicate: async (id) => (await session.text(id)).includes(text) });
}

/** Waits until the push button's count of waiting changes passes `test`. */
async function pushButtonWhen(test) {
  return session.waitFor('[data-testid="push-button"]', { predicate: async (id) => test(await session.attr(id, 'data-waiting')) });
}

async function waitText(css, expected, timeoutMs = 30_000) {
  return session.waitFor(css, {
    timeoutMs,
    predicate: async (id) => (await session.text(id)).trim() === expected,
  });
}

/** All rows of all tables of a db (read from a copy, with its -wal). */
function dump(db) {
  const dir = mkdtempSync(join(work, 'dump-'));
  copyFileSync(db, join(dir, 'x.db'));
  if (existsSync(`${db}-wal`)) copyFileSync(`${db}-wal`, join(dir, 'x.db-wal'));
  const tables = execFileSync('sqlite3', [join(dir, 'x.db'), "SELECT name FROM sqlite_schema WHERE type='table' ORDER BY name"], { encoding: 'utf8' })
    .trim()
    .split('\n');
  const out = {};
  for (const t of tables) {
    out[t] = execFileSync('sqlite3', ['-json', join(dir, 'x.db'), `SELECT * FROM "${t}" ORDER BY rowid`], { encoding: 'utf8' });
  }
  rmSync(dir, { recursive: true, force: true });
  return out;
}

try {
  session = await Session.create(`http://127.0.0.1:${driverPort}`, APP);

  await step('the built-in simulated device appears, labelled', async () => {
    await session.waitFor('[data-testid="device-item"] [data-testid="sim-badge"]', { timeoutMs: 90_000 });
  });

  let before;
  let simSerial;
  await step('device → app → database → table shows rows, including rows only in the -wal', async () => {
    before = dump(deviceDb);
    const items = await session.findAll('[data-testid="device-item"]');
    let sim;
    for (const id of items) {
      if ((await session.findAll(`[data-testid="device-item"][data-id="${await session.attr(id, 'data-id')}"] [data-testid="sim-badge"]`)).length) sim = id;
    }
    assert.ok(sim, 'simulated device item');
    simSerial = await session.attr(sim, 'data-id');
    await session.click(sim);
    await session.click(await session.waitFor('[data-testid="app-item"][data-id="com.example.shop"]', { timeoutMs: 60_000 }));
    await session.click(await session.waitFor('[data-testid="db-item"][data-uri$="/databases/shop.db"]', { timeoutMs: 60_000 }));
    await session.click(await session.waitFor('[data-testid="table-item"][data-name="users"]', { timeoutMs: 60_000 }));
    await gridShows('wal_only_alice');
  });

  await step('unsaved edits survive tab and table switches (issue 10, bug 1)', async () => {
    const target = await cell(0, 'username');
    assert.equal((await session.text(target)).trim(), JSON.parse(before.users).find((u) => u.id === 1).username);
    await session.doubleClick(target);
    const editor = await session.waitFor('[data-testid="cell-editor"]');
    await session.clear(editor);
    await session.type(editor, 'edited in the app');
    await session.keys(KEY.ENTER);
    await waitText('[data-testid="pending-count"]', '1');
    // To the SQL tab and back, then to another table and back: still pending.
    await session.click(await session.find('[data-testid="tab-sql"]'));
    await session.waitFor('[data-testid="sql-editor"]');
    await session.click(await session.find('[data-testid="tab-data"]'));
    await waitText('[data-testid="pending-count"]', '1');
    await session.click(await session.find('[data-testid="table-item"][data-name="orders"]'));
    await session.waitFor('[data-testid="column-header"][data-name="shipping_address"]');
    await session.click(await session.find('[data-testid="table-item"][data-name="users"]'));
    await waitText('[data-testid="pending-count"]', '1');
    await gridShows('edited in the app');
    // Closing the database with an unsaved edit asks first; cancelling keeps it.
    await session.click(await session.find('[data-testid="close-db"]'));
    await session.click(await session.waitFor('[data-testid="confirm-cancel"]'));
    await waitText('[data-testid="pending-count"]', '1');
  });

  await step('save and push; exactly that value changes on the device', async () => {
    await saveAndPush();
    const after = dump(deviceDb);
    assert.ok(!existsSync(`${deviceDb}-wal`), 'stale -wal removed on the device');
    const users = JSON.parse(after.users);
    assert.equal(users.find((u) => u.id === 1).username, 'edited in the app');
    const expected = JSON.parse(before.users).map((u) => (u.id === 1 ? { ...u, username: 'edited in the app' } : u));
    assert.deepEqual(users, expected, 'only that cell changed in users');
    for (const t of Object.keys(before)) {
      if (t !== 'users') assert.deepEqual(JSON.parse(after[t] || '[]'), JSON.parse(before[t] || '[]'), `table ${t} unchanged`);
    }
  });

  /** Edits the username in grid row `row` (0: the first) and saves it. */
  async function saveUsername(row, value) {
    await session.doubleClick(await cell(row, 'username'));
    const editor = await session.waitFor('[data-testid="cell-editor"]');
    await session.clear(editor);
    await session.type(editor, value);
    await session.keys(KEY.ENTER);
    await session.click(await session.find('[data-testid="save-changes"]'));
    await waitText('[data-testid="pending-count"]', '0');
  }
  const username = (id) => JSON.parse(dump(deviceDb).users).find((u) => u.id === id).username;
  const email = (id) => JSON.parse(dump(deviceDb).users).find((u) => u.id === id).email;

  await step('watch: the app writes and the new row shows up marked (issue 11)', async () => {
    await session.click(await session.find('[data-testid="watch-toggle"]'));
    await session.waitFor('[data-testid="watch-bar"][data-phase="watching"]', { timeoutMs: 30_000 });
    execFileSync('sqlite3', [deviceDb, "INSERT INTO users(username, email) VALUES ('written while watched', 'w@app')"]);
    await gridShows('written while watched', { timeoutMs: 60_000 });
    await session.waitFor('[role="row"][data-app="insert"]');
    await session.waitFor('[data-testid="watch-seen"]');
    await session.click(await session.find('[data-testid="watch-toggle"]'));
    await session.waitFor('[data-testid="watch-toggle"][aria-pressed="false"]');
  });

  await step("a push over the app's writes is rebased onto them (issue 11)", async () => {
    await saveUsername(0, 'mine, rebased');
    execFileSync('sqlite3', [deviceDb, "UPDATE users SET email = 'rebased@app' WHERE id = 3"]);
    await session.click(await session.find('[data-testid="push-button"]'));
    await pushConfirm();
    await session.waitFor('[data-testid="push-done"][data-outcome="pushed"]', { timeoutMs: 60_000 });
    assert.equal(username(1), 'mine, rebased');
    assert.equal(email(3), 'rebased@app', "the app's write stays");
  });

  await step('a change the app overwrote is a conflict, settled in the dialog (issue 11)', async () => {
    await saveUsername(0, 'mine, conflicting');
    execFileSync('sqlite3', [deviceDb, "UPDATE users SET username = 'theirs' WHERE id = 1"]);
    await session.click(await session.find('[data-testid="push-button"]'));
    await pushConfirm();
    const inDialog = (id) => `[data-testid="conflicts-dialog"] [data-testid="${id}"]`;
    await session.waitFor(inDialog('conflict-item'), { timeoutMs: 60_000 });
    assert.equal((await session.text(await session.find(inDialog('conflict-theirs-value')))).trim(), 'theirs');
    assert.equal((await session.text(await session.find(inDialog('conflict-mine-value')))).trim(), 'mine, conflicting');
    assert.equal(username(1), 'theirs', 'nothing was pushed');
    await session.click(await session.find(inDialog('conflict-theirs')));
    await session.waitFor('[data-testid="conflicts-none"]');
    await session.click(await session.find('[data-testid="conflicts-dialog"] .dialog-actions button'));
    await gridShows('theirs', { timeoutMs: 60_000 });
    await pushButtonWhen((waiting) => waiting === '0');
    assert.equal(username(1), 'theirs');
  });

  /** Replaces the SQL console's text with `sql`, runs it and waits until it waits to be pushed. */
  async function runInConsole(sql) {
    await session.click(await session.find('[data-testid="tab-sql"]'));
    const editor = await session.waitFor('[data-testid="sql-editor"]');
    await session.click(editor);
    await session.chord(KEY.CONTROL, 'a');
    await session.keys(KEY.DELETE);
    await session.type(editor, sql);
    await session.click(await session.find('[data-testid="sql-run"]'));
    await pushButtonWhen((waiting) => waiting !== '0');
    await session.click(await session.find('[data-testid="tab-data"]'));
  }
  const columns = () => execFileSync('sqlite3', [deviceDb, 'SELECT name FROM pragma_table_info(\'users\')'], { encoding: 'utf8' });

  await step("SQL console writes are rebased onto the app's writes", async () => {
    await runInConsole("UPDATE users SET email = 'sql@sonde' WHERE id = 2");
    execFileSync('sqlite3', [deviceDb, "UPDATE users SET email = 'written@by.the.app' WHERE id = 3"]);
    await session.click(await session.find('[data-testid="push-button"]'));
    await pushConfirm();
    await session.waitFor('[data-testid="push-done"][data-outcome="pushed"]', { timeoutMs: 60_000 });
    assert.equal(email(2), 'sql@sonde', 'the console write reached the device');
    assert.equal(email(3), 'written@by.the.app', "the app's write stays");
    await pushButtonWhen((waiting) => waiting === '0');
  });

  await step("a console schema change under the app's writes: discard my changes and pull fresh (issue 10, bug 2)", async () => {
    await runInConsole('ALTER TABLE users ADD COLUMN note TEXT');
    execFileSync('sqlite3', [deviceDb, "UPDATE users SET email = 'written again@by.the.app' WHERE id = 3"]);
    await session.click(await session.find('[data-testid="push-button"]'));
    await pushConfirm();
    await session.click(await session.waitFor('[data-testid="discard-pull"]', { timeoutMs: 60_000 }));
    await session.click(await session.waitFor('[data-testid="confirm-ok"]'));
    // The device's version is what the grid shows now; nothing waits.
    await gridShows('written again@by.the.app', { timeoutMs: 60_000 });
    await pushButtonWhen((waiting) => waiting === '0');
    assert.doesNotMatch(columns(), /^note$/m, 'the device never got the new column');
    // With nothing to push, Refresh pulls again.
    await session.click(await session.find('[data-testid="refresh-db"]'));
    await gridShows('written again@by.the.app');
  });

  await step('the simulated device comes back after adb kill-server (issue 10, bug 3)', async () => {
    const serial = simSerial.replace('android://', '');
    const attached = () =>
      execFileSync('/usr/bin/adb', ['devices'], { env, encoding: 'utf8' })
        .split('\n')
        .some((l) => l.startsWith(serial) && l.trim().endsWith('device'));
    execFileSync('/usr/bin/adb', ['kill-server'], { env });
    // A fresh adb server knows no network device: only the app can bring it back.
    const deadline = Date.now() + 60_000;
    while (!attached()) {
      assert.ok(Date.now() < deadline, 'the app never reattached the simulated device');
      await sleep(250);
    }
    // Its apps list again (collapse and expand: a fresh listing).
    const item = await session.waitFor(`[data-testid="device-item"][data-id="${simSerial}"]`);
    if ((await session.attr(item, 'aria-expanded')) === 'true') await session.click(item);
    await session.click(item);
    await session.waitFor('[data-testid="app-item"][data-id="com.example.chat"]', { timeoutMs: 60_000 });
  });

  await step('the simulated device keeps its serial when the app restarts (issue 10, bug 4)', async () => {
    await session.close();
    session = await Session.create(`http://127.0.0.1:${driverPort}`, APP);
    await session.waitFor(`[data-testid="device-item"][data-id="${simSerial}"][data-state="device"] [data-testid="sim-badge"]`, {
      timeoutMs: 90_000,
    });
    const listed = execFileSync('/usr/bin/adb', ['devices'], { env, encoding: 'utf8' });
    assert.doesNotMatch(listed, /offline/, `no stale serial left behind: ${listed}`);
    assert.equal(listed.trim().split('\n').length, 2, `one device, the same serial: ${listed}`);
    // The recent entry of the database still opens (it is keyed by that serial).
    // The virtual devices above it load on their own: click once they are in,
    // or the list moves under the click.
    await session.waitFor('[data-testid="virtual-device"][data-id="Pixel_E2E"]', { timeoutMs: 30_000 });
    await session.click(await session.waitFor('[data-testid="recent-item"][data-uri*="com.example.shop"]'));
    await session.waitFor('[data-testid="table-item"][data-name="users"]', { timeoutMs: 60_000 });
  });

  await step('an encrypted database opens with its key, remembered in the keychain only when asked (issue 12)', async () => {
    // A SQLCipher 3 database made by Debian's sqlcipher shell, on the device.
    const vault = join(work, 'data/simdevice/fs/data/data/com.example.shop/databases/vault.db');
    execFileSync('sqlcipher', [vault], { input: "PRAGMA key = 'e2e pass'; CREATE TABLE secrets(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO secrets VALUES (1, 'hidden');" });
    const vaultItem = '[data-testid="db-item"][data-uri$="/databases/vault.db"]';
    const openVault = async () => {
      await session.waitFor(`[data-testid="device-item"][data-id="${simSerial}"][data-state="device"] [data-testid="sim-badge"]`, { timeoutMs: 90_000 });
      await session.click(await session.find(`[data-testid="device-item"][data-id="${simSerial}"]`));
      await session.click(await session.waitFor('[data-testid="app-item"][data-id="com.example.shop"]', { timeoutMs: 60_000 }));
      await session.click(await session.waitFor(vaultItem, { timeoutMs: 60_000 }));
    };
    const restart = async () => {
      await session.close();
      session = await Session.create(`http://127.0.0.1:${driverPort}`, APP);
    };
    const entryOf = async () => {
      const uri = await session.attr(await session.find(vaultItem), 'data-uri');
      return secrets.lookup('service', 'dev.sonde.app', 'username', uri);
    };
    await restart();
    await openVault();
    await session.type(await session.waitFor('[data-testid="key-input"]', { timeoutMs: 60_000 }), 'e2e pass');
    await session.click(await session.find('[data-testid="key-remember"]'));
    await session.click(await session.find('[data-testid="key-open"]'));
    await session.waitFor('[data-testid="table-item"][data-name="secrets"]', { timeoutMs: 60_000 });
    await session.waitFor('[data-testid="forget-key"]');
    assert.match((await entryOf()) ?? '', /e2e pass/, 'secret-tool finds the key in the Secret Service');

    // The next run opens it with the remembered key: no prompt.
    await restart();
    await openVault();
    await session.waitFor('[data-testid="table-item"][data-name="secrets"]', { timeoutMs: 60_000 });
    assert.equal((await session.findAll('[data-testid="key-prompt"]')).length, 0, 'no key prompt');
    await session.click(await session.find('[data-testid="forget-key"]'));
    await session.waitFor('[data-testid="encrypted-tag"]');
    await session.waitFor('body', { predicate: async () => (await session.findAll('[data-testid="forget-key"]')).length === 0 });
    assert.equal(await entryOf(), null, 'forgotten: the entry is gone from the Secret Service');
  });

  await step('a Core Data row edited in the app keeps its bookkeeping: Z_OPT bumped on the device (issue 13)', async () => {
    const planner = join(work, 'data/simdevice/fs/data/data/com.example.planner/databases/Planner.sqlite');
    const item = (pk) => JSON.parse(dump(planner).ZITEM).find((r) => r.Z_PK === pk);
    const before = item(1);
    const keys = dump(planner).Z_PRIMARYKEY;
    if ((await session.findAll('[data-testid="app-item"][data-id="com.example.planner"]')).length === 0) {
      await session.click(await session.find(`[data-testid="device-item"][data-id="${simSerial}"]`));
    }
    await session.click(await session.waitFor('[data-testid="app-item"][data-id="com.example.planner"]', { timeoutMs: 60_000 }));
    await session.click(await session.waitFor('[data-testid="db-item"][data-uri$="/databases/Planner.sqlite"]', { timeoutMs: 60_000 }));
    await session.click(await session.waitFor('[data-testid="table-item"][data-name="ZITEM"]', { timeoutMs: 60_000 }));
    const title = await cell(0, 'ZTITLE');
    await gridShows(before.ZTITLE);
    await session.doubleClick(title);
    const editor = await session.waitFor('[data-testid="cell-editor"]');
    await session.clear(editor);
    await session.type(editor, 'Renew passport today');
    await session.keys(KEY.ENTER);
    await saveAndPush();
    const after = item(1);
    assert.equal(after.ZTITLE, 'Renew passport today');
    assert.equal(after.Z_OPT, before.Z_OPT + 1, 'Core Data sees a new version of the row');
    assert.deepEqual({ ...after, ZTITLE: before.ZTITLE, Z_OPT: before.Z_OPT }, before, 'nothing else of the row changed');
    assert.equal(dump(planner).Z_PRIMARYKEY, keys, 'no key allocated by an update');
  });

  await step('open a local file', async () => {
    const firstAlbum = JSON.parse(
      execFileSync(SONDE, ['query', catalog, 'SELECT Title FROM Album WHERE AlbumId = 1', '--json'], { env }),
    ).rows[0][0];
    await session.click(await session.find('[data-testid="open-file"]'));
    await session.click(await session.waitFor('[data-testid="table-item"][data-name="Album"]', { timeoutMs: 30_000 }));
    await gridShows(firstAlbum);
  });

  await step('export a table; the file equals the CLI export', async () => {
    await session.click(await session.find('[data-testid="export-button"]'));
    const csv = await session.waitFor('[data-testid="export-format"] option[value="csv"]');
    await session.click(csv);
    await session.click(await session.find('[data-testid="export-start"]'));
    await session.waitFor('[data-testid="export-done"]', { timeoutMs: 60_000 });
    const cli = execFileSync(SONDE, ['export', catalog, 'Album', '--format', 'csv'], { env });
    assert.deepEqual(readFileSync(exportPath), cli);
  });

  await step('a script that never ends is cancelled and changes nothing', async () => {
    const before = execFileSync(SONDE, ['export', catalog, 'Album', '--format', 'csv'], { env });
    await session.click(await session.find('[data-testid="export-done"] button.primary')); // close the export dialog
    await session.click(await session.waitFor('[data-testid="tab-sql"]'));
    const editor = await session.waitFor('[data-testid="sql-editor"]');
    await session.click(editor);
    await session.chord(KEY.CONTROL, 'a');
    await session.keys(KEY.DELETE);
    await session.type(
      editor,
      "UPDATE Album SET Title = 'lost'; WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT sum(x) FROM c;",
    );
    await session.click(await session.find('[data-testid="sql-run"]'));
    await session.click(await session.waitFor('[data-testid="sql-cancel"]'));
    // A cancelled query is not an error.
    await session.waitFor('[data-testid="sql-cancelled"]');
    assert.equal((await session.findAll('[data-testid="sql-error"]')).length, 0);
    // The script ran in one transaction: its finished UPDATE was rolled back.
    assert.deepEqual(execFileSync(SONDE, ['export', catalog, 'Album', '--format', 'csv'], { env }), before);
  });

  // The built-in simulated iPhone (sonde-devsim ios), reached through the
  // real libimobiledevice tools and Sonde's native AFC client (issue 14).
  const iphoneDir = join(work, 'data/simiphone');
  const iphoneState = (state) => writeFileSync(join(iphoneDir, 'state.json'), JSON.stringify(state));
  const iphone = '[data-testid="device-item"][data-id^="ios://"]';

  await step('an untrusted iPhone is listed as such, and usable once trusted (issue 14)', async () => {
    await session.waitFor(`${iphone}[data-state="device"]`, { timeoutMs: 60_000 });
    iphoneState({ locked: false, trust: 'denied' });
    await session.waitFor(`${iphone}[data-state="unauthorized"]`, { timeoutMs: 30_000 });
    iphoneState({ locked: false, trust: 'trusted' });
    await session.waitFor(`${iphone}[data-state="device"]`, { timeoutMs: 30_000 });
  });

  await step('a locked iPhone says to unlock it; unlocked, its apps are listed (issue 14)', async () => {
    iphoneState({ locked: true, trust: 'trusted' });
    await session.click(await session.find(iphone));
    const error = await session.waitFor('.tree-error[data-kind="device_locked"]', { timeoutMs: 60_000 });
    assert.match(await session.text(error), /unlock it with its passcode/);
    iphoneState({ locked: false, trust: 'trusted' });
    await session.click(await session.find('.tree-error[data-kind="device_locked"] button'));
    await session.waitFor('[data-testid="app-item"][data-id="com.example.journal"]', { timeoutMs: 60_000 });
  });

  await step('iPhone → app → database → table, edit, push: the container has it (issue 14)', async () => {
    await session.click(await session.find('[data-testid="app-item"][data-id="com.example.journal"]'));
    await session.click(await session.waitFor('[data-testid="db-item"][data-uri$="/Documents/journal.sqlite"]', { timeoutMs: 60_000 }));
    await session.click(await session.waitFor('[data-testid="table-item"][data-name="tag"]', { timeoutMs: 60_000 }));
    // The previous step left the SQL tab in front.
    await session.click(await session.find('[data-testid="tab-data"]'));
    await gridShows('travel');
    await session.doubleClick(await cell(0, 'name'));
    await session.waitFor('[data-testid="cell-editor"]');
    // Other open databases keep their (hidden) grids: type into the focused
    // editor, whose text is selected, instead of looking one up.
    await session.chord(KEY.CONTROL, 'a');
    await session.keys('edited on the iPhone');
    await session.keys(KEY.ENTER);
    await waitText('[data-testid="pending-count"]', '1');
    await saveAndPush();
    const tags = JSON.parse(dump(join(iphoneDir, 'containers/com.example.journal/Documents/journal.sqlite')).tag);
    assert.equal(tags[0].name, 'edited on the iPhone');
  });

  await step("a release build says only development builds expose their data (issue 14)", async () => {
    // The simulated Android device has a com.example.bank too: the iPhone's.
    const onIphone = `li:has(> .tree-row > ${iphone})`;
    await session.click(await session.find(`${onIphone} [data-testid="app-item"][data-id="com.example.bank"]`));
    const error = await session.waitFor(`${onIphone} .tree-error[data-kind="not_development_build"]`, { timeoutMs: 60_000 });
    assert.match(await session.text(error), /development build/);
  });

  await step('an Android virtual device boots from the device tree and becomes a device (issue 15)', async () => {
    const row = '[data-testid="virtual-device"][data-id="Pixel_E2E"]';
    const before = (await session.findAll('[data-testid="device-item"]')).length;
    await session.click(await session.waitFor(`${row} [data-testid="boot-button"]`, { timeoutMs: 30_000 }));
    await session.waitFor(`${row} [data-testid="boot-status"]`);
    // Booted: the row leaves the group, the device joins the list.
    await session.waitFor('[data-testid="device-item"]', {
      timeoutMs: 90_000,
      predicate: async () => (await session.findAll(row)).length === 0 && (await session.findAll('[data-testid="device-item"]')).length > before,
    });
    const out = execFileSync(SONDE, ['emulators', '--json'], { env, encoding: 'utf8' });
    const pixel = JSON.parse(out).find((d) => d.id === 'Pixel_E2E');
    assert.match(pixel.running ?? '', /^android:\/\//, out);
  });
} finally {
  try {
    process.kill(Number(readFileSync(join(avdHome, 'Pixel_E2E.avd/pid'), 'utf8')), 'SIGTERM');
  } catch {}
  await session?.close();
  driver.kill();
  try {
    execFileSync('/usr/bin/adb', ['kill-server'], { env, stdio: 'ignore' });
  } catch {}
  secrets.stop();
  rmSync(work, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok).length;
console.log(`\n${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

