// Push of device snapshots (confirm, progress, done; the conflict is in
// device-sync.test.mjs) and export (format, progress from the Channel,
// cancel, done).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, cell, openTable, problemsOf, startApp } from "./lib/app.mjs";

async function saveOneEdit(page) {
  await cell(page, 0, 1).dblclick();
  await page.getByTestId("cell-editor").fill("Edited");
  await page.getByTestId("cell-editor").press("Enter");
  await page.getByTestId("save-changes").click();
  await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
}

describe("push and export", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("pushes a saved snapshot after confirming, with progress", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await saveOneEdit(page);
    await page.getByTestId("push-button").filter({ hasText: "(1)" }).waitFor();
    await page.getByTestId("push-button").click();
    assert.equal(await page.getByTestId("push-stop-app").isChecked(), true, "stop the app is on by default");
    await page.getByTestId("push-confirm").click();
    await page.locator('[data-testid="push-progress"][data-stage="upload"]').waitFor();
    await page.getByTestId("push-done").waitFor();
    assert.match(await page.getByTestId("push-done").textContent(), /the app was stopped/);
    // Not modal: the app stays usable (e.g. open a file next).
    assert.equal(await page.getByTestId("push-dialog").count(), 0);
    await page.getByTestId("open-file").click();
    await page.locator('[data-testid="open-db"][data-uri="file:///home/user/local.db"]').waitFor();
    const [push] = await calls(page, "push_database");
    assert.equal(push.args.stopApp, true);
    assert.equal(push.args.handle, 1);
    assert.match(push.args.opId, /^push-/);
    assert.match(push.args.onProgress, /^__CHANNEL__:\d+$/, "progress comes through a Channel");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("waits for a running save before pushing, and saves unsaved edits first", async () => {
    const page = await app.open({ slow: { apply_edits: 400 } });
    await openTable(page, { table: "notes" });
    await cell(page, 0, 1).dblclick();
    await page.getByTestId("cell-editor").fill("Quick");
    await page.getByTestId("cell-editor").press("Enter");
    // Save, then push at once (as a fast user or a WebDriver script does).
    await page.getByTestId("save-changes").click();
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-confirm").click();
    await page.getByTestId("push-done").waitFor();
    let [save] = await calls(page, "apply_edits");
    let [push] = await calls(page, "push_database");
    assert.ok(push.at > save.done, "push starts after the save finished");

    // Unsaved edits: the dialog says so and saves them before pushing.
    await page.getByTestId("push-done").getByLabel("Dismiss").click();
    await cell(page, 1, 1).dblclick();
    await page.getByTestId("cell-editor").fill("Unsaved");
    await page.getByTestId("cell-editor").press("Enter");
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-unsaved").waitFor();
    await page.getByTestId("push-confirm").click();
    await page.getByTestId("push-done").waitFor();
    const saves = await calls(page, "apply_edits");
    const pushes = await calls(page, "push_database");
    assert.equal(saves.length, 2);
    assert.deepEqual(saves[1].args.edits, [{ op: "update", table: "notes", key: "2", set: [{ column: "title", value: "Unsaved" }] }]);
    assert.ok(pushes[1].at > saves[1].done);
    assert.equal(await page.getByTestId("pending-count").textContent(), "0");
    await page.close();
  });

  it("can push without stopping the app", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await saveOneEdit(page);
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-stop-app").uncheck();
    await page.getByTestId("push-confirm").click();
    await page.getByTestId("push-done").waitFor();
    assert.equal((await calls(page, "push_database"))[0].args.stopApp, false);
    await page.close();
  });

  it("does not offer push for local files", async () => {
    const page = await app.open();
    await page.getByTestId("open-file").click();
    await page.locator('[data-testid="table-item"][data-name="notes"]').click();
    await cell(page, 0, 1).filter({ hasText: "Shopping" }).waitFor();
    assert.equal(await page.getByTestId("push-button").count(), 0);
    assert.match(await page.getByTestId("save-changes").textContent(), /Save changes/);
    await page.close();
  });

  it("exports the filtered view with progress and reports the file", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    await page.getByTestId("filter-column").selectOption("id");
    await page.getByTestId("filter-op").selectOption("gt");
    await page.getByTestId("filter-value").fill("10");
    await page.getByTestId("filter-apply").click();
    await page.locator('[data-testid="column-header"][data-name="score"]').click();
    await page.getByTestId("export-button").click();
    await page.getByTestId("export-format").selectOption("jsonl");
    assert.equal(await page.getByTestId("export-source-view").isChecked(), true, "the current view is the default");
    await page.getByTestId("export-start").click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="export-progress"]')?.dataset.rows) >= 100000);
    await page.getByTestId("export-done").waitFor();
    assert.match(await page.getByTestId("export-done").textContent(), /\/home\/user\/Documents\/export\.jsonl/);
    const [exp] = await calls(page, "export_data");
    assert.equal(exp.args.format, "jsonl");
    assert.deepEqual(exp.args.source, {
      kind: "table",
      table: "events",
      order: [{ column: "score", desc: false }],
      filters: [{ column: "id", op: "gt", values: [10] }],
    });
    await page.close();
  });

  it("cancels an export", async () => {
    const page = await app.open({ exportStepMs: 150 });
    await openTable(page, { table: "events" });
    await page.getByTestId("export-button").click();
    await page.getByTestId("export-format").selectOption("csv");
    await page.getByTestId("export-start").click();
    await page.getByTestId("export-progress").waitFor();
    await page.getByTestId("export-cancel").click();
    await page.getByTestId("export-cancelled").waitFor();
    const [exp] = await calls(page, "export_data");
    const [cancel] = await calls(page, "cancel_operation");
    assert.equal(cancel.args.opId, exp.args.opId);
    assert.equal(await page.getByTestId("export-done").count(), 0);
    await page.close();
  });

  it("closes quietly when the save dialog is dismissed", async () => {
    const page = await app.open({ export: "dismiss" });
    await openTable(page, { table: "events" });
    await page.getByTestId("export-button").click();
    await page.getByTestId("export-start").click();
    await page.getByTestId("export-start").waitFor();
    assert.equal(await page.getByTestId("error-banner").count(), 0);
    await page.close();
  });
});
