#!/usr/bin/env node
// Regenerates docs/screenshots/*.png (light and dark) from the built UI
// with the fake backend of the UI tests, in Debian's Chromium.
// Usage: npm run screenshots   (builds ui/dist and the mock first)
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { cell, openTable, startApp } from "../ui/tests/lib/app.mjs";

const OUT = join(import.meta.dirname, "..", "docs", "screenshots");
mkdirSync(OUT, { recursive: true });

const SCREENS = {
  // The value-rich table with the inspector on a JSON cell and a pending edit.
  async data(page) {
    await openTable(page, { table: "notes" });
    await cell(page, 1, 1).dblclick();
    await page.getByTestId("cell-editor").fill("Renamed note");
    await page.getByTestId("cell-editor").press("Enter");
    await cell(page, 0, 3).click();
    await page.getByTestId("inspect-text").waitFor();
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
  async sql(page) {
    await openTable(page, { table: "events" });
    await page.getByTestId("tab-sql").click();
    await page.getByTestId("sql-editor").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.type("SELECT * FROM events\n-- newest first\nLIMIT 500;");
    await page.keyboard.press("Control+Enter");
    await cell(page, 0, 1).filter({ hasText: "event 1" }).waitFor();
  },
  async schema(page) {
    await openTable(page, { table: "notes" });
    await page.getByTestId("tab-schema").click();
    await page.getByTestId("schema-sql").waitFor();
  },
  async push(page) {
    await openTable(page, { table: "notes" });
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-confirm").waitFor();
  },
  async export(page) {
    await openTable(page, { table: "events" });
    await page.getByTestId("export-button").click();
    await page.getByTestId("export-start").click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="export-progress"]')?.dataset.rows) >= 300000);
  },
  async errors(page) {
    await page.locator('[data-testid="device-item"][data-id="android://emulator-5554"]').click();
    await page.locator('[data-testid="app-item"][data-id="com.example.release"]').click();
    await page.getByTestId("error-banner").waitFor();
  },
};

const SCENARIOS = { export: { exportStepMs: 400 } };

for (const scheme of ["light", "dark"]) {
  const app = await startApp({ colorScheme: scheme });
  for (const [name, run] of Object.entries(SCREENS)) {
    const page = await app.open(SCENARIOS[name] ?? {});
    await run(page);
    await page.waitForTimeout(150);
    const file = join(OUT, `${name}-${scheme}.png`);
    await page.screenshot({ path: file });
    console.log(file);
    await page.close();
  }
  await app.close();
}
