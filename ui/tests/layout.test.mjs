// Room for the data: at 1024×700 nothing wraps and everything is
// reachable; at the 800×500 minimum too; at 1440×900 eight columns or more
// fit; headers show whole names (the type on a second line); the
// inspector's open state and the theme are remembered; keyboard shortcuts
// (with a sheet listing them).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, cell, editCell, openTable, problemsOf, startApp } from "./lib/app.mjs";

/** Bars that must stay one line: [selector, what] → problems found. */
async function wrapProblems(page) {
  return page.evaluate(() => {
    const out = [];
    const bars = document.querySelectorAll(".main-head, .filter-bar, .toolbar");
    for (const bar of bars) {
      const kids = [...bar.children].filter((k) => k.getBoundingClientRect().width > 0);
      if (!kids.length) continue;
      const tops = kids.map((k) => k.getBoundingClientRect().top);
      const bottoms = kids.map((k) => k.getBoundingClientRect().bottom);
      const name = bar.className;
      // One line: every item overlaps the first item's line.
      if (Math.min(...bottoms) < Math.max(...tops)) out.push(`${name} wraps`);
      if (bar.scrollWidth > bar.clientWidth + 1) out.push(`${name} overflows by ${bar.scrollWidth - bar.clientWidth}px`);
      for (const b of bar.querySelectorAll("button, input, select")) {
        const r = b.getBoundingClientRect();
        if (r.width === 0) continue;
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        if (!(hit === b || b.contains(hit))) out.push(`${name}: ${b.textContent || b.getAttribute("aria-label") || b.tagName} is covered or off screen`);
      }
    }
    return out;
  });
}

/** The encrypted vault.db, opened with the key the keychain remembers (Forget key in the head). */
async function openRememberedVault(app) {
  const page = await app.open({ rememberedKeys: { "android://emulator-5554/com.example.secure/databases/vault.db": "correct horse" } });
  await page.locator('[data-testid="device-item"][data-id="android://emulator-5554"]').click();
  await page.locator('[data-testid="app-item"][data-id="com.example.secure"]').click();
  await page.locator('[data-testid="db-item"][data-uri$="/vault.db"]').click();
  await page.locator('[role="gridcell"][data-row="0"][data-col="0"]').filter({ hasText: /./ }).waitFor();
  await page.getByTestId("forget-key").waitFor();
  return page;
}

const gridWidth = (page) => page.evaluate(() => document.querySelector(".grid-scroller").getBoundingClientRect().width);

/** Columns whose header is entirely inside the grid's visible area. */
const wholeColumns = (page) =>
  page.evaluate(() => {
    const g = document.querySelector(".grid-scroller").getBoundingClientRect();
    return [...document.querySelectorAll('[data-testid="column-header"]')].filter((h) => {
      const r = h.getBoundingClientRect();
      return r.left >= g.left - 1 && r.right <= g.right + 1;
    }).length;
  });

describe("layout at 1024×700", () => {
  let app;
  before(async () => {
    app = await startApp({ viewport: { width: 1024, height: 700 } });
  });
  after(() => app?.close());

  it("keeps every bar on one line with everything reachable (data and SQL)", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await editCell(page, 0, 1, "Edited");
    assert.deepEqual(await wrapProblems(page), []);
    // After a save the toolbar offers to revert it: still one line.
    await page.getByTestId("save-changes").click();
    await page.getByTestId("revert-save").waitFor();
    assert.deepEqual(await wrapProblems(page), []);
    await page.getByTestId("tab-sql").click();
    await page.getByTestId("sql-run").click();
    await cell(page, 0, 0).waitFor();
    assert.deepEqual(await wrapProblems(page), []);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("keeps Forget key of an encrypted database reachable in the head", async () => {
    const page = await openRememberedVault(app);
    assert.deepEqual(await wrapProblems(page), []);
    await page.getByTestId("encrypted-tag").waitFor();
    // Its icon alone here: the label stays its name.
    await page.getByRole("button", { name: /^Forget key/ }).waitFor();
    await page.close();
  });

  it("shows whole column names, the type on a second line", async () => {
    const page = await app.open();
    await openTable(page, { table: "messages" });
    const cut = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="column-header"] .col-name')].filter((n) => n.scrollWidth > n.clientWidth + 1).map((n) => n.textContent),
    );
    assert.deepEqual(cut, [], "no column name is cut short");
    const header = page.locator('[data-testid="column-header"][data-name="conversation_id"]');
    assert.equal(await header.locator(".col-type").textContent(), "INTEGER");
    const [name, type] = await Promise.all([header.locator(".col-name").boundingBox(), header.locator(".col-type").boundingBox()]);
    assert.ok(type.y >= name.y + name.height - 1, "the type sits under the name");
    await page.close();
  });

  it("remembers that the inspector was closed, across tables and reloads", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await page.getByTestId("side-panel").waitFor();
    await page.getByLabel("Close inspector").click();
    await page.getByTestId("side-panel").waitFor({ state: "detached" });
    await page.locator('[data-testid="table-item"][data-name="events"]').click();
    await cell(page, 0, 1).filter({ hasText: "event 1" }).waitFor();
    assert.equal(await page.getByTestId("side-panel").count(), 0, "still closed on another table");
    await page.reload();
    await page.getByTestId("device-list").waitFor({ state: "attached" });
    await openTable(page, { table: "notes" });
    assert.equal(await page.getByTestId("side-panel").count(), 0, "still closed after a reload");
    await page.getByTestId("inspector-toggle").click();
    await page.getByTestId("side-panel").waitFor();
    await page.close();
  });

  it("switches the theme in the app and remembers it", async () => {
    const page = await app.open();
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = (rgb) => rgb.match(/\d+/g).slice(0, 3).map(Number).reduce((a, b) => a + b) < 150;
    assert.equal(dark(await bg()), false, "system (light) first");
    await page.getByTestId("theme-select").selectOption("dark");
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    assert.equal(dark(await bg()), true);
    await page.reload();
    await page.getByTestId("device-list").waitFor({ state: "attached" });
    assert.equal(dark(await bg()), true, "remembered");
    await page.getByTestId("theme-select").selectOption("system");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");
    await page.emulateMedia({ colorScheme: "light" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
    assert.equal(dark(await bg()), false, "follows the system again");
    await page.close();
  });

  it("saves with Ctrl+S, opens the push dialog with Ctrl+Shift+P, and lists the shortcuts", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await editCell(page, 0, 1, "Edited");
    await page.keyboard.press("Control+s");
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    assert.equal((await calls(page, "apply_edits")).length, 1);
    await page.keyboard.press("Control+Shift+P");
    await page.getByTestId("push-dialog").waitFor();
    await page.keyboard.press("Escape");
    await page.getByTestId("push-dialog").waitFor({ state: "detached" });
    await page.getByTestId("shortcuts-button").click();
    const sheet = page.getByTestId("shortcuts-sheet");
    await sheet.waitFor();
    const text = await sheet.textContent();
    for (const k of ["Ctrl+S", "Ctrl+Shift+P", "Ctrl+Enter", "Ctrl+Shift+Enter", "Ctrl+Z", "Ctrl+B"]) assert.ok(text.includes(k), `lists ${k}`);
    await page.close();
  });
});

describe("layout at 800×500", () => {
  let app;
  before(async () => {
    app = await startApp({ viewport: { width: 800, height: 500 } });
  });
  after(() => app?.close());

  it("keeps the bars on one line and leaves the grid room", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    assert.deepEqual(await wrapProblems(page), []);
    const w = await gridWidth(page);
    assert.ok(w >= 300, `grid is ${w}px wide`);
    await page.close();
  });

  it("keeps Forget key of an encrypted database reachable in the head", async () => {
    const page = await openRememberedVault(app);
    assert.deepEqual(await wrapProblems(page), []);
    await page.close();
  });
});

describe("layout at 1440×900", () => {
  let app;
  before(async () => {
    app = await startApp({ viewport: { width: 1440, height: 900 } });
  });
  after(() => app?.close());

  it("spells out Forget key beside the encrypted tag when there is room", async () => {
    const page = await openRememberedVault(app);
    assert.deepEqual(await wrapProblems(page), []);
    await page.getByTestId("encrypted-tag").waitFor();
    await page.getByText("Forget key", { exact: true }).waitFor();
    await page.close();
  });

  it("shows at least eight whole columns with the inspector open", async () => {
    const page = await app.open();
    await openTable(page, { table: "messages" });
    await page.getByTestId("side-panel").waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="row-count"]')?.dataset.exact === "true");
    const n = await wholeColumns(page);
    assert.ok(n >= 8, `${n} whole columns`);
    assert.deepEqual(await wrapProblems(page), []);
    await page.close();
  });
});
