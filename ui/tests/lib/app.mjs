// Test harness: serves the built UI (ui/dist) with the app's CSP, starts
// Chromium once per test file, and opens pages with the fake backend
// (tests/mock/dist/mock.js) injected before the app's own scripts.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launch } from "./browser.mjs";
import { serve } from "./serve.mjs";

const UI = join(import.meta.dirname, "..", "..");
const DIST = join(UI, "dist");
const MOCK = join(UI, "tests", "mock", "dist", "mock.js");

export async function startApp({ colorScheme = "light", viewport, locale, timezoneId } = {}) {
  for (const f of [join(DIST, "index.html"), MOCK]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run "npm run build" and "npm run build:mock -w ui" first`);
  }
  const mock = readFileSync(MOCK, "utf8");
  const server = await serve(DIST);
  const browser = await launch({ colorScheme, viewport, locale, timezoneId });
  return {
    url: server.url,
    browser,
    /** A fresh page on the app with `scenario` steering the fake backend. */
    async open(scenario = {}, { viewport } = {}) {
      const page = await browser.context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      const problems = [];
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console: ${m.text()}`);
      });
      page.on("requestfailed", (r) => problems.push(`requestfailed: ${r.url()}`));
      await page.addInitScript((s) => {
        window.__SONDE_SCENARIO__ = s;
        // Each page starts from a clean localStorage (the context is shared
        // by the tests of a file); a reload of the same page keeps it.
        if (!sessionStorage.getItem("sonde-test-started")) {
          localStorage.clear();
          sessionStorage.setItem("sonde-test-started", "1");
        }
      }, scenario);
      await page.addInitScript({ content: mock });
      await page.goto(server.url + "/");
      page.setDefaultTimeout(8000);
      await page.getByTestId("device-list").waitFor({ state: "attached" });
      page.problems = problems;
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Commands the fake backend received (optionally one command only). */
export async function calls(page, cmd) {
  const all = await page.evaluate(() => window.__sondeMock.calls.map((c) => ({ cmd: c.cmd, args: c.args, at: c.at, done: c.done })));
  return cmd ? all.filter((c) => c.cmd === cmd) : all;
}

export async function clearCalls(page) {
  await page.evaluate(() => {
    window.__sondeMock.calls.length = 0;
  });
}

/** Device → app → database → table through the sidebar. */
export async function openTable(page, { device = "android://emulator-5554", app = "com.example.notes", db = "notes.db", table = "notes" } = {}) {
  await page.locator(`[data-testid="device-item"][data-id="${device}"]`).click();
  await page.locator(`[data-testid="app-item"][data-id="${app}"]`).click();
  await page.locator(`[data-testid="db-item"][data-uri$="/${db}"]`).click();
  await page.locator(`[data-testid="table-item"][data-name="${table}"]`).click();
  await page.locator('[role="gridcell"][data-row="0"][data-col="0"]').filter({ hasText: /./ }).waitFor();
}

/** Double-click a cell, type, Enter: one pending edit. */
export async function editCell(page, row, col, text) {
  await cell(page, row, col).dblclick();
  const editor = page.getByTestId("cell-editor");
  await editor.fill(text);
  await editor.press("Enter");
  await editor.waitFor({ state: "detached" });
}

/** The last value the UI passed to set_close_guard (undefined: never called). */
export const closeGuard = (page) =>
  page.evaluate(() => window.__sondeMock.calls.filter((c) => c.cmd === "set_close_guard").at(-1)?.args.active);

export const cell = (page, row, col) => page.locator(`[role="gridcell"][data-row="${row}"][data-col="${col}"]`);

/** The CSP/console errors a page collected (tests assert it is empty). */
export const problemsOf = (page) => page.problems ?? [];
