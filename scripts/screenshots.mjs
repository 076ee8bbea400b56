#!/usr/bin/env node
// Regenerates docs/screenshots/*.png from the built UI with the fake backend
// of the UI tests, in Debian's Chromium: every view at 1024×700 (the size
// the layout is designed for) and 1440×900, light and dark
// (`<view>-<width>-<scheme>.png`). Files it no longer produces are removed.
// Usage: npm run screenshots   (builds ui/dist and the mock first)
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cell, editCell, openTable, startApp } from "../ui/tests/lib/app.mjs";

const OUT = join(import.meta.dirname, "..", "docs", "screenshots");
mkdirSync(OUT, { recursive: true });

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
];

const NOTES = "android://emulator-5554/com.example.notes/databases/notes.db";
const appWrite = (page, writes) => page.evaluate(([l, w]) => window.__sondeMock.appWrite(l, w), [NOTES, writes]);
async function watch(page) {
  await page.getByTestId("watch-toggle").click();
  await page.locator('[data-testid="watch-bar"][data-phase="watching"]').waitFor();
}
const seen = (page, n) => page.getByTestId("watch-seen").filter({ hasText: new RegExp(`${n} new version`) }).waitFor();

async function typeSql(page, sql) {
  await page.getByTestId("sql-editor").click();
  await page.keyboard.press("Control+a");
  await page.keyboard.type(sql);
}

const SCREENS = {
  // A chat app's messages: many columns, an unsaved edit, the inspector.
  async data(page) {
    await openTable(page, { table: "messages" });
    await editCell(page, 1, 2, "zoe");
    await cell(page, 3, 3).click();
    await page.getByTestId("inspect-text").waitFor();
  },
  // The value-rich table: NULL, empty text, JSON, an image BLOB in the inspector.
  async values(page) {
    await openTable(page, { table: "notes" });
    await cell(page, 0, 4).click();
    await page.getByTestId("inspect-image").waitFor();
  },
  // Ten million rows, scrolled to the middle, sorted.
  async big(page) {
    await openTable(page, { table: "events" });
    await page.locator('[data-testid="column-header"][data-name="id"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="row-count"]')?.dataset.exact === "true");
    await page.getByTestId("jump-to-row").fill("5000000");
    await page.getByTestId("jump-to-row").press("Enter");
    await cell(page, 4_999_999, 0).filter({ hasText: /\d/ }).waitFor();
    await cell(page, 4_999_999, 2).click();
  },
  // Two statements run at once: one result tab each.
  async sql(page) {
    await openTable(page, { table: "events" });
    await page.getByTestId("tab-sql").click();
    await typeSql(page, "UPDATE notes SET title = trim(title);\nSELECT * FROM events\n-- newest first\nLIMIT 500;");
    await page.keyboard.press("Control+Shift+Enter");
    await cell(page, 0, 1).filter({ hasText: "event 1" }).waitFor();
  },
  async schema(page) {
    await openTable(page, { table: "messages" });
    await page.getByTestId("tab-schema").click();
    await page.getByTestId("schema-sql").waitFor();
  },
  // What a push will write: saved changes by table, an unsaved edit.
  async push(page) {
    await openTable(page, { table: "notes" });
    await editCell(page, 2, 1, "Essay (final)");
    await page.getByTestId("save-changes").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    await editCell(page, 3, 1, "Groceries");
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-changes").waitFor();
  },
  async export(page) {
    await openTable(page, { table: "events" });
    await page.getByTestId("export-button").click();
    await page.getByTestId("export-start").click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="export-progress"]')?.dataset.rows) >= 300000);
  },
  // Watching: what the app just wrote, marked in the grid, counted in the table list.
  async watch(page) {
    await openTable(page, { table: "messages" });
    await watch(page);
    await appWrite(page, [
      { op: "update", table: "messages", key: 2, set: { body: "Running late, 7:30?", status: "read" } },
      { op: "update", table: "messages", key: 6, set: { status: "read" } },
      { op: "delete", table: "messages", key: 4 },
      { op: "insert", table: "messages", values: { conversation_id: 3, sender: "grace", body: "Here it is", sent_at: 1717003900000, status: "sent", is_read: 0 } },
      { op: "update", table: "notes", key: 1, set: { title: "Shopping (done)" } },
    ]);
    await seen(page, 1);
    await page.locator('[role="gridcell"].app-changed[data-row="1"]').first().waitFor();
    await page.getByTestId("app-deleted").waitFor();
    // More columns in view (the inspector is in the other screenshots).
    await page.getByTestId("inspector-toggle").click();
    await cell(page, 2, 2).click();
  },
  // The Changes tab: the versions, and the diff of two of them.
  async changes(page) {
    await openTable(page, { table: "notes" });
    await watch(page);
    await appWrite(page, [
      { op: "update", table: "notes", key: 3, set: { title: "Essay (final)", counter: 12 } },
      { op: "insert", table: "notes", values: { title: "Call the bank", body: "before Friday" } },
    ]);
    await seen(page, 1);
    await appWrite(page, [
      { op: "update", table: "messages", key: 7, set: { status: "read", is_read: 1 } },
      { op: "delete", table: "notes", key: 30 },
      { op: "add_column", table: "notes", column: "pinned", type: "INTEGER" },
    ]);
    await seen(page, 2);
    await page.getByTestId("tab-changes").click();
    await page.getByTestId("since-opened").click();
    await page.locator('[data-testid="diff-table"][data-name="notes"]').waitFor();
    await page.locator('[data-testid="version-row"][data-number="3"] [data-testid="version-counts"]').filter({ hasText: "messages" }).waitFor();
  },
  // Saved changes the app's new version conflicts with.
  async conflicts(page) {
    await openTable(page, { table: "notes" });
    await editCell(page, 0, 1, "Shopping for Sunday");
    await editCell(page, 2, 2, "Final draft");
    await editCell(page, 5, 2, "call the landlord");
    await page.getByTestId("save-changes").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    await watch(page);
    await appWrite(page, [
      { op: "update", table: "notes", key: 1, set: { title: "Shopping (synced)" } },
      { op: "update", table: "notes", key: 3, set: { body: "Draft 2 (synced from the phone)" } },
    ]);
    await page.getByTestId("conflicts-notice").waitFor();
    await page.getByTestId("push-button").click();
    await page.getByTestId("conflicts-dialog").waitFor();
  },
  async errors(page) {
    await page.locator('[data-testid="device-item"][data-id="android://emulator-5554"]').click();
    await page.locator('[data-testid="app-item"][data-id="com.example.release"]').click();
    await page.getByTestId("error-banner").waitFor();
  },
};

const SCENARIOS = { export: { exportStepMs: 400 } };

const written = new Set();
for (const size of SIZES) {
  for (const scheme of ["light", "dark"]) {
    const app = await startApp({ colorScheme: scheme, viewport: size });
    for (const [name, run] of Object.entries(SCREENS)) {
      const page = await app.open(SCENARIOS[name] ?? {});
      await run(page);
      // Let the last frame (widths fitted to the rows, progress) settle.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const file = `${name}-${size.width}-${scheme}.png`;
      await page.screenshot({ path: join(OUT, file) });
      written.add(file);
      console.log(join(OUT, file));
      await page.close();
    }
    await app.close();
  }
}

for (const f of readdirSync(OUT)) {
  if (f.endsWith(".png") && !written.has(f)) {
    rmSync(join(OUT, f));
    console.log(`removed ${f}`);
  }
}
