// Editing: in-cell editors, pending edits with undo/redo, save as one
// apply_edits call with the exact Edit objects, add/delete rows, paste,
// read-only views.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, cell, openTable, problemsOf, startApp } from "./lib/app.mjs";

async function editCell(page, row, col, text) {
  await cell(page, row, col).dblclick();
  const editor = page.getByTestId("cell-editor");
  await editor.fill(text);
  await editor.press("Enter");
  await editor.waitFor({ state: "detached" });
}

const pending = (page) => page.getByTestId("pending-count").textContent();

describe("editing", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("edits a cell, undoes, redoes and saves the exact edit (big integers as $int)", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    // counter of row 2 (id 2): a value beyond 2^53.
    await editCell(page, 1, 5, "9223372036854775807");
    assert.equal(await pending(page), "1");
    assert.match(await cell(page, 1, 5).getAttribute("class"), /pending/);
    assert.equal(await cell(page, 1, 5).textContent(), "9223372036854775807");
    assert.match(await page.getByTestId("pending-list").textContent(), /rowid 2 · counter: 42 → 9223372036854775807/);

    await page.getByTestId("grid").focus();
    await page.keyboard.press("Control+z");
    assert.equal(await pending(page), "0");
    assert.equal(await cell(page, 1, 5).textContent(), "42");
    await page.keyboard.press("Control+Shift+Z");
    assert.equal(await pending(page), "1");
    await page.getByTestId("undo").click();
    assert.equal(await pending(page), "0");
    await page.getByTestId("redo").click();
    assert.equal(await pending(page), "1");

    // A second edit in the same row becomes one update with two assignments.
    await editCell(page, 1, 1, "Renamed");
    assert.equal(await pending(page), "2");
    await page.getByTestId("save-changes").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    const saves = await calls(page, "apply_edits");
    assert.equal(saves.length, 1, "one apply_edits call (one transaction)");
    assert.deepEqual(saves[0].args.edits, [
      {
        op: "update",
        table: "notes",
        key: "2",
        set: [
          { column: "counter", value: { $int: "9223372036854775807" } },
          { column: "title", value: "Renamed" },
        ],
      },
    ]);
    // Reloaded from the backend after saving.
    await cell(page, 1, 1).filter({ hasText: "Renamed" }).waitFor();
    assert.equal(await page.getByTestId("pending-list").count(), 0);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("uses type-aware editors: integers are validated, NULL and BLOB hex", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await cell(page, 3, 5).dblclick();
    const editor = page.getByTestId("cell-editor");
    await editor.fill("12abc");
    await editor.press("Enter");
    await page.getByRole("alert").filter({ hasText: "is not an integer" }).waitFor();
    assert.equal(await pending(page), "0", "an invalid integer is not committed");
    await editor.press("Escape");
    await editor.waitFor({ state: "detached" });
    assert.equal(await pending(page), "0");

    // NULL through the type selector.
    await cell(page, 3, 2).dblclick();
    await page.getByLabel("Store as").selectOption("null");
    await page.getByTestId("cell-editor").press("Enter");
    await page.getByTestId("cell-editor").waitFor({ state: "detached" });
    assert.equal(await cell(page, 3, 2).textContent(), "NULL");

    // A BLOB column opens the hex editor.
    await cell(page, 2, 4).dblclick();
    assert.equal(await page.getByLabel("Store as").inputValue(), "blob_hex");
    assert.equal(await page.getByTestId("cell-editor").inputValue(), "00010203040506070809");
    await page.getByTestId("cell-editor").fill("cafe");
    await page.getByTestId("cell-editor").press("Enter");
    assert.equal(await pending(page), "2");
    await page.getByTestId("save-changes").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    const [save] = await calls(page, "apply_edits");
    assert.deepEqual(save.args.edits, [
      { op: "update", table: "notes", key: "4", set: [{ column: "body", value: null }] },
      { op: "update", table: "notes", key: "3", set: [{ column: "attachment", value: { $blob: "yv4=" } }] },
    ]);
    await page.close();
  });

  it("adds a row sending only the columns set, and deletes selected rows", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await page.getByTestId("add-row").click();
    const newCell = page.locator('[role="gridcell"][data-new-row="0"][data-col="2"]');
    await newCell.waitFor();
    assert.match(await page.locator('[role="gridcell"][data-new-row="0"][data-col="1"]').textContent(), /DEFAULT 'untitled'/);
    await newCell.dblclick();
    await page.getByTestId("cell-editor").fill("hello");
    await page.getByTestId("cell-editor").press("Enter");
    assert.equal(await pending(page), "1");

    // Select rows 5 and 6 by their row numbers, then delete them.
    await page.locator('[role="row"][aria-rowindex="6"] .gutter').click();
    await page.locator('[role="row"][aria-rowindex="7"] .gutter').click({ modifiers: ["Shift"] });
    await page.getByTestId("delete-rows").click();
    assert.equal(await pending(page), "3");
    assert.match(await page.locator('[role="row"][aria-rowindex="6"]').getAttribute("class"), /deleted/);

    await page.getByTestId("save-changes").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    const [save] = await calls(page, "apply_edits");
    assert.deepEqual(save.args.edits, [
      { op: "insert", table: "notes", values: [{ column: "body", value: "hello" }] },
      { op: "delete", table: "notes", key: "5" },
      { op: "delete", table: "notes", key: "6" },
    ]);
    await page.close();
  });

  it("pastes TSV into cells and copies cells as TSV", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await cell(page, 4, 1).click();
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.setData("text/plain", "A\t7\nB\t8\n");
      document.querySelector('[data-testid="grid"]').dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
    });
    assert.equal(await pending(page), "4");
    assert.equal(await cell(page, 5, 1).textContent(), "B");
    await page.getByTestId("undo").click();
    assert.equal(await pending(page), "0", "a paste is one undo step");
    await page.getByTestId("redo").click();

    await cell(page, 0, 0).click();
    await cell(page, 1, 1).click({ modifiers: ["Shift"] });
    const copied = await page.evaluate(() => {
      const dt = new DataTransfer();
      document.querySelector('[data-testid="grid"]').dispatchEvent(new ClipboardEvent("copy", { clipboardData: dt, bubbles: true, cancelable: true }));
      return dt.getData("text/plain");
    });
    assert.equal(copied, "1\tShopping\n2\t");
    await page.getByTestId("save-changes").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    const [save] = await calls(page, "apply_edits");
    assert.deepEqual(save.args.edits, [
      { op: "update", table: "notes", key: "5", set: [{ column: "title", value: "A" }, { column: "body", value: "7" }] },
      { op: "update", table: "notes", key: "6", set: [{ column: "title", value: "B" }, { column: "body", value: "8" }] },
    ]);
    await page.close();
  });

  it("keeps views read-only and says why", async () => {
    const page = await app.open();
    await openTable(page, { table: "recent_notes" });
    await page.getByTestId("readonly-note").waitFor();
    assert.match(await page.getByTestId("readonly-note").textContent(), /view/);
    assert.equal(await page.getByTestId("add-row").count(), 0);
    assert.equal(await page.getByTestId("save-changes").count(), 0);
    await cell(page, 0, 1).dblclick();
    await page.keyboard.press("Enter");
    assert.equal(await page.getByTestId("cell-editor").count(), 0);
    await page.close();
  });
});
