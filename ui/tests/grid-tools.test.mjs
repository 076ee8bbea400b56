// Room for the data, grid and inspector: fit a column to its content
// (double-click the header edge), big integers whole or with the full value
// on hover, the key column frozen while scrolling sideways, a hex dump that
// fits the inspector, copy / save to file / load from file / multi-line
// edits in the inspector; banners that do not go stale (a failed save marks
// the offending cell and clears once fixed; "Pushed" goes with new edits);
// "Show in folder" after an export; where the simulated device keeps files.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, cell, editCell, openTable, problemsOf, startApp } from "./lib/app.mjs";

// The 1x1 PNG of the fake notes table (tests/mock/tables.ts).
const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

const header = (page, name) => page.locator(`[data-testid="column-header"][data-name="${name}"]`);

async function dragEdge(page, name, dx) {
  await header(page, name).scrollIntoViewIfNeeded();
  const box = await header(page, name).boundingBox();
  await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width - 2 + dx, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
}

/** Clicks a cell and waits until the inspector shows it. */
async function inspect(page, row, col, label) {
  await cell(page, row, col).click();
  await page.getByTestId("side-panel").getByText(label, { exact: true }).waitFor();
}

const onTop = (locator) =>
  locator.evaluate((el) => {
    const b = el.getBoundingClientRect();
    const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
    return hit === el || el.contains(hit);
  });

describe("grid tools", () => {
  let app;
  before(async () => {
    app = await startApp();
    await app.browser.context.grantPermissions(["clipboard-read", "clipboard-write"]);
  });
  after(() => app?.close());

  it("fits a column to its content on a double-click of the header edge", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await dragEdge(page, "title", -120);
    const narrow = (await header(page, "title").boundingBox()).width;
    assert.ok(narrow < 70, `narrowed to ${narrow}`);
    assert.ok(await cell(page, 0, 1).evaluate((e) => e.scrollWidth > e.clientWidth), "Shopping is cut");
    await header(page, "title").locator(".resize-handle").dblclick();
    await page.waitForFunction(() => document.querySelector('[data-testid="column-header"][data-name="title"]').getBoundingClientRect().width > 70);
    assert.ok(await cell(page, 0, 1).evaluate((e) => e.scrollWidth <= e.clientWidth), "Shopping fits");
    await page.close();
  });

  it("widens fitted columns when wider values scroll into view (a jump far down)", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    await page.waitForFunction(() => document.querySelector('[data-testid="row-count"]')?.dataset.exact === "true");
    await page.getByTestId("jump-to-row").fill("5000000");
    await page.getByTestId("jump-to-row").press("Enter");
    await cell(page, 4_999_999, 1).filter({ hasText: "event 5000000" }).waitFor();
    await page.waitForFunction(() => {
      const cut = (c) => {
        const e = document.querySelector(`[role="gridcell"][data-row="4999999"][data-col="${c}"]`);
        return !e || e.scrollWidth > e.clientWidth;
      };
      return !cut(0) && !cut(1);
    });
    await page.close();
  });

  it("shows big integers whole, and the full value of a cut cell on hover", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    const big = cell(page, 0, 5);
    assert.ok(await big.evaluate((e) => e.scrollWidth <= e.clientWidth), "9007199254740993 fits its column");
    await dragEdge(page, "counter", -200);
    assert.ok(await big.evaluate((e) => e.scrollWidth > e.clientWidth), "now cut");
    await big.hover();
    await page.waitForFunction(() => document.querySelector('[role="gridcell"][data-row="0"][data-col="5"]').title === "9007199254740993");
    await page.close();
  });

  it("keeps the key column in view while scrolling sideways", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    const before = await cell(page, 0, 0).boundingBox();
    await page.evaluate(() => {
      document.querySelector(".grid-scroller").scrollLeft = 400;
    });
    await page.waitForFunction(() => !document.querySelector('[role="gridcell"][data-row="0"][data-col="1"]') || document.querySelector('[role="gridcell"][data-row="0"][data-col="1"]').getBoundingClientRect().right < document.querySelector('[role="gridcell"][data-row="0"][data-col="0"]')?.getBoundingClientRect().right + 1);
    const key = cell(page, 0, 0);
    assert.equal(await key.count(), 1, "the key cell is still rendered");
    const after = await key.boundingBox();
    assert.equal(Math.round(after.x), Math.round(before.x), "at the same place");
    assert.equal(await onTop(key), true, "not covered by the scrolled cells");
    assert.equal(await onTop(header(page, "id")), true);
    await page.close();
  });

  it("fits the hex dump into the inspector", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await inspect(page, 0, 4, "row 1, attachment");
    const hex = page.getByTestId("inspect-hex");
    await hex.waitFor();
    assert.ok(await hex.evaluate((e) => e.scrollWidth <= e.clientWidth), "no hidden columns of bytes");
    assert.match(await hex.textContent(), /^0000 {2}89 50 4e 47 0d 0a 1a 0a {2}\.PNG\.\.\.\.\n0008 /, "8 bytes a line at the default width");
    await page.close();
  });

  it("copies a value, saves a BLOB to a file and loads one from a file", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await inspect(page, 0, 3, "row 1, meta");
    await page.getByTestId("inspect-copy").click();
    await page.getByTestId("inspect-copied").waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), '{"title":"Groceries","items":["milk","eggs"],"done":false}');

    await inspect(page, 0, 4, "row 1, attachment");
    await page.getByTestId("inspect-save-file").click();
    await page.getByTestId("inspect-saved").filter({ hasText: "/home/user/Downloads/" }).waitFor();
    const [save] = await calls(page, "save_value");
    assert.deepEqual(save.args, { value: { $blob: PNG_B64 }, name: "notes-attachment-1.png" });

    await inspect(page, 2, 4, "row 3, attachment");
    await page.getByTestId("inspect-load-file").click();
    await cell(page, 2, 4).filter({ hasText: "PNG image, 70 B" }).waitFor();
    assert.match(await cell(page, 2, 4).getAttribute("class"), /pending/);
    assert.equal(await page.getByTestId("pending-count").textContent(), "1");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("says why a file could not be loaded", async () => {
    const page = await app.open({ openDialog: "too_big" });
    await openTable(page, { table: "notes" });
    await inspect(page, 2, 4, "row 3, attachment");
    await page.getByTestId("inspect-load-file").click();
    await page.getByTestId("inspect-file-error").filter({ hasText: "up to 64 MiB" }).waitFor();
    assert.equal(await page.getByTestId("pending-count").textContent(), "0");
    await page.close();
  });

  it("edits multi-line text in the inspector", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await inspect(page, 3, 2, "row 4, body");
    await page.getByTestId("inspect-edit").click();
    const editor = page.getByTestId("inspect-editor");
    await editor.fill("first\nsecond");
    await page.getByTestId("inspect-apply").click();
    await cell(page, 3, 2).filter({ hasText: "first ⏎ second" }).waitFor();
    assert.equal(await page.getByTestId("pending-count").textContent(), "1");
    await page.getByTestId("save-changes").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    const [save] = await calls(page, "apply_edits");
    assert.deepEqual(save.args.edits, [{ op: "update", table: "notes", key: "4", set: [{ column: "body", value: "first\nsecond" }] }]);
    await page.close();
  });

  it("marks the row of the edit a save failed on when the message names no column", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await editCell(page, 0, 2, "fine");
    await editCell(page, 2, 2, "forbidden");
    await page.getByTestId("save-changes").click();
    await page.getByTestId("save-error").filter({ hasText: "CHECK constraint failed" }).waitFor();
    // The backend says which edit failed: the second one, row 3.
    assert.match(await page.locator('[role="row"][aria-rowindex="4"]').getAttribute("class"), /save-failed/);
    assert.doesNotMatch(await page.locator('[role="row"][aria-rowindex="2"]').getAttribute("class"), /save-failed/);
    await page.close();
  });

  it("marks the cell a save failed on, and clears the message once it is fixed", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await cell(page, 1, 1).dblclick();
    await page.getByLabel("Store as").selectOption("null");
    await page.getByTestId("cell-editor").press("Enter");
    await page.getByTestId("save-changes").click();
    const notice = page.getByTestId("save-error");
    await notice.filter({ hasText: "NOT NULL constraint failed: notes.title" }).waitFor();
    assert.match(await cell(page, 1, 1).getAttribute("class"), /save-failed/);
    assert.match(await page.locator('[role="row"][aria-rowindex="3"]').getAttribute("class"), /save-failed/);
    await editCell(page, 1, 1, "Fixed");
    await notice.waitFor({ state: "detached" });
    assert.doesNotMatch(await cell(page, 1, 1).getAttribute("class"), /save-failed/);
    await page.getByTestId("save-changes").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    assert.equal(await page.getByTestId("error-banner").count(), 0, "no stale failure banner");
    assert.equal(await notice.count(), 0);
    await page.close();
  });

  it("drops the 'Pushed' notice when new edits are made", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await editCell(page, 0, 1, "One");
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-confirm").click();
    await page.getByTestId("push-done").waitFor();
    await editCell(page, 1, 1, "Two");
    await page.getByTestId("push-done").waitFor({ state: "detached" });
    await page.close();
  });

  it("offers Show in folder after an export", async () => {
    const page = await app.open({ exportStepMs: 5 });
    await openTable(page, { table: "events" });
    await page.getByTestId("export-button").click();
    await page.getByTestId("export-start").click();
    await page.getByTestId("export-done").waitFor();
    await page.getByTestId("export-reveal").click();
    await page.waitForFunction(() => window.__sondeMock.calls.some((c) => c.cmd === "reveal_export" && c.done));
    const [reveal] = await calls(page, "reveal_export");
    assert.deepEqual(reveal.args, { path: "/home/user/Documents/export.csv" });
    assert.equal(await page.getByTestId("export-error").count(), 0);
    await page.close();
  });

  it("says where the simulated device keeps its files", async () => {
    const page = await app.open();
    await page.getByTestId("diagnostics-button").click();
    const dir = page.getByTestId("diagnostics-simdir");
    await dir.waitFor();
    const text = await dir.textContent();
    assert.match(text, /\/home\/user\/\.local\/share\/sonde\/simdevice\/fs/);
    assert.match(text, /data\/data\//);
    await page.close();
  });
});
