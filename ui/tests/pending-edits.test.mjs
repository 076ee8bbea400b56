// Bug 1: unsaved edits belong to the open database, not to a view. They
// survive tab and table switches, are listed across tables, are saved in
// one transaction, and closing a database or the window asks first. They
// are also kept in localStorage, so a crash or reload loses nothing.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, cell, closeGuard, editCell, openTable, problemsOf, startApp } from "./lib/app.mjs";

const pending = (page) => page.getByTestId("pending-count").textContent();
const confirmDialog = (page) => page.getByTestId("confirm-dialog");

describe("pending edits", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("keeps an unsaved edit and its undo across a switch to the SQL tab and back", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await editCell(page, 0, 1, "Edited");
    await page.getByTestId("tab-sql").click();
    await page.getByTestId("sql-editor").waitFor();
    await page.getByTestId("tab-data").click();
    await cell(page, 0, 1).filter({ hasText: "Edited" }).waitFor();
    assert.equal(await pending(page), "1");
    assert.match(await cell(page, 0, 1).getAttribute("class"), /pending/);
    await page.getByTestId("undo").click();
    await cell(page, 0, 1).filter({ hasText: "Shopping" }).waitFor();
    assert.equal(await pending(page), "0");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("keeps edits of every table, lists them by table and saves them in one transaction", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await editCell(page, 0, 1, "Edited");
    await page.locator('[data-testid="table-item"][data-name="messages"]').click();
    await cell(page, 0, 2).filter({ hasText: /\w/ }).waitFor();
    await editCell(page, 0, 2, "zoe");
    assert.equal(await pending(page), "2", "the count covers the whole database");
    const list = page.getByTestId("pending-list");
    assert.match(await list.textContent(), /notes/);
    assert.match(await list.textContent(), /messages/);
    // The table item in the sidebar says it has unsaved edits.
    await page.locator('[data-testid="table-item"][data-name="notes"][data-unsaved="1"]').waitFor();

    // Back to notes: the edit is still there.
    await page.locator('[data-testid="table-item"][data-name="notes"]').click();
    await cell(page, 0, 1).filter({ hasText: "Edited" }).waitFor();
    await page.getByTestId("save-changes").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    const saves = await calls(page, "apply_edits");
    assert.equal(saves.length, 1, "one apply_edits call for both tables");
    assert.deepEqual(saves[0].args.edits, [
      { op: "update", table: "notes", key: "1", set: [{ column: "title", value: "Edited" }] },
      { op: "update", table: "messages", key: "1", set: [{ column: "sender", value: "zoe" }] },
    ]);
    await page.close();
  });

  it("asks before closing a database with unsaved edits, and again with saved edits not pushed", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await editCell(page, 0, 1, "Edited");
    const close = page.locator('[data-testid="close-db"]');
    await close.click();
    await confirmDialog(page).waitFor();
    assert.match(await confirmDialog(page).textContent(), /1 unsaved edit/);
    await page.getByTestId("confirm-cancel").click();
    await confirmDialog(page).waitFor({ state: "detached" });
    assert.equal((await calls(page, "close_database")).length, 0, "still open");
    assert.equal(await pending(page), "1");

    await page.getByTestId("save-changes").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    await close.click();
    await confirmDialog(page).waitFor();
    assert.match(await confirmDialog(page).textContent(), /1 saved change .*not pushed/);
    await page.getByTestId("confirm-ok").click();
    await page.locator('[data-testid="table-item"]').first().waitFor({ state: "detached" });
    assert.equal((await calls(page, "close_database")).length, 1);
    await page.close();
  });

  it("guards the window: closing it with unsaved edits asks, then closes for real", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await editCell(page, 0, 1, "Edited");
    await page.waitForFunction(() => window.__sondeMock.win.closeGuard === true);
    assert.equal(await closeGuard(page), true);
    await page.evaluate(() => window.__sondeMock.emit("close-requested", null));
    await confirmDialog(page).waitFor();
    assert.match(await confirmDialog(page).textContent(), /1 unsaved edit/);
    await page.getByTestId("confirm-cancel").click();
    await confirmDialog(page).waitFor({ state: "detached" });
    assert.equal((await calls(page, "close_window")).length, 0, "cancel keeps the window");

    // Undoing the edit leaves nothing to lose: the guard is lifted.
    await page.getByTestId("undo").click();
    await page.waitForFunction(() => window.__sondeMock.win.closeGuard === false);

    await editCell(page, 1, 1, "Again");
    await page.waitForFunction(() => window.__sondeMock.win.closeGuard === true);
    await page.evaluate(() => window.__sondeMock.emit("close-requested", null));
    await page.getByTestId("confirm-ok").click();
    await page.waitForFunction(() => window.__sondeMock.win.closed === true);
    await page.close();
  });

  it("offers unsaved edits back after a reload (a crash loses nothing)", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await editCell(page, 0, 1, "Survivor");
    await page.reload();
    await page.getByTestId("device-list").waitFor({ state: "attached" });
    await openTable(page, { table: "notes" });
    const notice = page.getByTestId("restore-notice");
    await notice.waitFor();
    assert.match(await notice.textContent(), /1 unsaved edit/);
    await page.getByTestId("restore-accept").click();
    await cell(page, 0, 1).filter({ hasText: "Survivor" }).waitFor();
    assert.equal(await pending(page), "1");
    assert.equal(await notice.count(), 0);

    // Once saved, nothing is offered again.
    await page.getByTestId("save-changes").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    await page.reload();
    await page.getByTestId("device-list").waitFor({ state: "attached" });
    await openTable(page, { table: "notes" });
    assert.equal(await page.getByTestId("restore-notice").count(), 0);
    await page.close();
  });
});
