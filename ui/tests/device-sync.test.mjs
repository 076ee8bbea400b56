// Bugs 2 and 8: the way out of a push conflict (discard and pull fresh,
// after a confirmation that says what is lost), a visible Refresh, and a
// push state that is always clear: "nothing to push", SQL console writes
// count as waiting, the device listing is re-read after a push, and the
// push dialog lists what will be pushed.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, cell, editCell, openTable, problemsOf, startApp } from "./lib/app.mjs";

const confirmDialog = (page) => page.getByTestId("confirm-dialog");

async function saveEdit(page, row, col, text) {
  await editCell(page, row, col, text);
  await page.getByTestId("save-changes").click();
  await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
}

async function runInConsole(page, sql) {
  await page.getByTestId("tab-sql").click();
  await page.getByTestId("sql-editor").click();
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await page.keyboard.type(sql);
  await page.getByTestId("sql-run").click();
}

describe("device sync", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("after a push conflict, discards the edits and pulls a fresh copy once confirmed", async () => {
    const page = await app.open({ push: "conflict" });
    await openTable(page, { table: "notes" });
    await saveEdit(page, 0, 1, "Mine");
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-confirm").click();
    const conflict = page.getByTestId("conflict-dialog");
    await conflict.waitFor();
    assert.equal(await page.getByTestId("conflict-reopen").count(), 0, "no button that reopens the stale snapshot");
    await page.getByTestId("discard-pull").click();
    await confirmDialog(page).waitFor();
    assert.match(await confirmDialog(page).textContent(), /1 saved change in notes/);
    assert.equal((await calls(page, "discard_edits")).length, 0, "nothing is dropped before the confirmation");
    await page.getByTestId("confirm-ok").click();
    await cell(page, 0, 1).filter({ hasText: "Shopping" }).waitFor();
    const [discard] = await calls(page, "discard_edits");
    assert.deepEqual(discard.args, { handle: 1 });
    assert.equal(await conflict.count(), 0);
    assert.equal(await page.getByTestId("push-button").getAttribute("data-waiting"), "0", "nothing waits to be pushed");
    assert.equal((await calls(page, "open_database")).length, 1, "the same database, not a reopened stale one");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("refreshes a database with nothing to push, and offers to discard when something waits", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    const fetchesBefore = (await calls(page, "fetch_page")).length;
    await page.getByTestId("refresh-db").click();
    await page.waitForFunction((n) => window.__sondeMock.calls.filter((c) => c.cmd === "fetch_page").length > n, fetchesBefore);
    assert.deepEqual((await calls(page, "refresh_database"))[0].args, { handle: 1 });

    await saveEdit(page, 0, 1, "Mine");
    await page.getByTestId("refresh-db").click();
    await confirmDialog(page).waitFor();
    assert.match(await confirmDialog(page).textContent(), /not pushed/);
    await page.getByTestId("confirm-ok").click();
    await cell(page, 0, 1).filter({ hasText: "Shopping" }).waitFor();
    assert.equal((await calls(page, "discard_edits")).length, 1);
    assert.equal(await page.getByTestId("error-banner").count(), 0);
    await page.close();
  });

  it("says when there is nothing to push", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-confirm").click();
    const done = page.getByTestId("push-done");
    await done.waitFor();
    assert.equal(await done.getAttribute("data-outcome"), "unchanged");
    assert.match(await done.textContent(), /Nothing to push: the device already has this version/);
    await page.close();
  });

  it("counts SQL console writes as waiting to be pushed", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    assert.equal(await page.getByTestId("push-button").getAttribute("data-waiting"), "0");
    await runInConsole(page, "UPDATE notes SET title = 'x' WHERE id = 1");
    await page.locator('[data-testid="push-button"][data-waiting="1"]').waitFor();
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-sql-writes").filter({ hasText: "1 write from the SQL console" }).waitFor();
    await page.close();
  });

  it("pushes console writes over the app's writes (re-applied), and says why when it cannot", async () => {
    const NOTES = "android://emulator-5554/com.example.notes/databases/notes.db";
    const appWrite = (page) => page.evaluate((l) => window.__sondeMock.appWrite(l, [{ op: "update", table: "notes", key: 5, set: { body: "from the app" } }]), NOTES);
    const push = async (page) => {
      await page.getByTestId("push-button").click();
      await page.getByTestId("push-confirm").click();
    };
    let page = await app.open();
    await openTable(page, { table: "notes" });
    await runInConsole(page, "UPDATE notes SET title = 'x' WHERE id = 1");
    await appWrite(page);
    await push(page);
    await page.locator('[data-testid="push-done"][data-outcome="pushed"]').waitFor();
    assert.match(await page.getByTestId("push-rebased").textContent(), /your change was re-applied on top of its data/);
    await page.close();

    page = await app.open({ push: "sql_schema" });
    await openTable(page, { table: "notes" });
    await runInConsole(page, "ALTER TABLE notes ADD COLUMN note TEXT");
    await appWrite(page);
    await push(page);
    // The app's newer data is kept; the dialog says why and offers discard-and-pull.
    const dialog = page.getByTestId("conflict-dialog");
    await dialog.waitFor();
    assert.equal(await dialog.getByTestId("discard-pull").count(), 1);
    assert.match(await dialog.textContent(), /cannot be re-applied onto the new version: they changed the schema \(table notes\)/);
    await page.close();
  });

  it("lists what will be pushed by table with row keys, shows the real stages, and re-lists the device after", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    const dbItem = page.locator('[data-testid="db-item"][data-uri$="/notes.db"]');
    assert.match(await dbItem.textContent(), /WAL/);
    await editCell(page, 2, 1, "Third");
    await page.locator('[data-testid="table-item"][data-name="messages"]').click();
    await cell(page, 0, 2).filter({ hasText: /\w/ }).waitFor();
    await saveEdit(page, 4, 2, "zoe");
    await page.getByTestId("push-button").click();
    const changes = page.getByTestId("push-changes");
    await changes.waitFor();
    const text = await changes.textContent();
    assert.match(text, /notes/);
    assert.match(text, /messages/);
    assert.match(text, /rowid 3/, "rows named by their key, not their position");
    assert.match(text, /id 5/, "a rowid alias is named by its column");
    await page.getByTestId("push-confirm").click();
    await page.locator('[data-testid="push-progress"][data-stage="upload"]').waitFor();
    await page.getByTestId("push-done").waitFor();
    assert.equal(await page.getByTestId("push-done").getAttribute("data-outcome"), "pushed");
    assert.equal(await page.getByTestId("push-rebased").count(), 0, "the device had not changed: nothing to say about a rebase");
    // The device's -wal is gone after the push: the listing says so.
    await dbItem.filter({ hasNotText: "WAL" }).waitFor();
    await page.close();
  });
});
