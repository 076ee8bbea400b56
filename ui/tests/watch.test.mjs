// Issue 11: see what the app just wrote. The Watch toggle (remembered per
// database), the grid's marks (added rows, changed cells with their old
// value, deleted rows listed), badges in the table list, the Changes tab
// (versions, a diff of two, "since I opened it"), paused/resumed and the
// announcements, rebase conflicts (keep mine / take theirs, push blocked),
// unsaved edits the app overtook. The fake app writes through
// window.__sondeMock.appWrite, which the fake watch turns into a `version`
// event with its diff, as the backend does.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, cell, clearCalls, editCell, openTable, problemsOf, startApp } from "./lib/app.mjs";

const NOTES = "android://emulator-5554/com.example.notes/databases/notes.db";

/** The app on the device writes; resolves once the watch has sent the new version (if watching). */
const appWrite = (page, writes, location = NOTES) => page.evaluate(([l, w]) => window.__sondeMock.appWrite(l, w), [location, writes]);

async function watch(page) {
  await page.getByTestId("watch-toggle").click();
  await page.locator('[data-testid="watch-bar"][data-phase="watching"]').waitFor();
}

/** Waits until the bar says `n` new versions arrived since watching started. */
const versionsSeen = (page, n) => page.getByTestId("watch-seen").filter({ hasText: new RegExp(`${n} new version`) }).waitFor();

const row = (page, pos) => page.locator(`[role="row"][aria-rowindex="${pos + 2}"]`);
const badge = (page, table) => page.locator(`[data-testid="table-item"][data-name="${table}"] [data-testid="change-badge"]`);

async function saveEdit(page, r, c, text) {
  await editCell(page, r, c, text);
  await page.getByTestId("save-changes").click();
  await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
}

describe("watch", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("starts and stops watching from the toolbar, and remembers it for the database", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    const toggle = page.getByTestId("watch-toggle");
    assert.equal(await toggle.getAttribute("aria-pressed"), "false");
    await watch(page);
    assert.equal(await toggle.getAttribute("aria-pressed"), "true");
    const [start] = await calls(page, "watch_start");
    assert.equal(start.args.handle, 1);
    assert.equal(start.args.intervalMs, null);
    assert.ok(start.args.onEvent, "events come on a channel");
    assert.match(await page.getByTestId("watch-state").textContent(), /Watching · version 1 at \d\d:\d\d:\d\d · no write by the app yet/);

    // Opened again (another session): watching resumes by itself.
    await page.reload();
    await page.getByTestId("device-list").waitFor({ state: "attached" });
    await openTable(page, { table: "notes" });
    await page.locator('[data-testid="watch-bar"][data-phase="watching"]').waitFor();
    assert.equal((await calls(page, "watch_start")).length, 1);

    await toggle.click();
    await page.getByTestId("watch-bar").waitFor({ state: "detached" });
    assert.equal((await calls(page, "watch_stop")).length, 1);
    assert.equal(await toggle.getAttribute("aria-pressed"), "false");

    // Turned off: the next session does not watch.
    await page.reload();
    await page.getByTestId("device-list").waitFor({ state: "attached" });
    await openTable(page, { table: "notes" });
    await page.waitForFunction(() => window.__sondeMock.calls.some((c) => c.cmd === "list_versions" && c.done));
    assert.equal((await calls(page, "watch_start")).length, 0);
    assert.equal(await page.getByTestId("watch-bar").count(), 0);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("marks what the app wrote: added rows, changed cells (old value on hover), deleted rows listed", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await watch(page);
    await clearCalls(page);
    await appWrite(page, [
      { op: "update", table: "notes", key: 3, set: { title: "Essay (app)" } },
      { op: "delete", table: "notes", key: 2 },
      { op: "insert", table: "notes", values: { title: "From the app" } },
    ]);
    // id 2 is gone: id 3 is now the second row, with its new title, marked.
    const changed = cell(page, 1, 1);
    await changed.filter({ hasText: "Essay (app)" }).waitFor();
    await page.locator('[role="gridcell"].app-changed[data-row="1"][data-col="1"]').waitFor();
    assert.doesNotMatch(await cell(page, 1, 2).getAttribute("class"), /app-changed/, "only the changed cell is marked");
    assert.equal(await row(page, 1).getAttribute("data-app"), "update");
    assert.equal(await row(page, 0).getAttribute("data-app"), null, "untouched rows are not marked");
    await changed.hover();
    await page.waitForFunction(() => /Before: Essay\nNow: Essay \(app\)/.test(document.querySelector('[role="gridcell"][data-row="1"][data-col="1"]')?.title ?? ""));

    // The deleted row is listed under the grid, as it was.
    const deleted = page.getByTestId("app-deleted");
    await deleted.waitFor();
    assert.match(await deleted.locator('[data-testid="app-deleted-row"][data-key="2"]').textContent(), /rowid 2 .*title = ""/);
    assert.match(await page.getByTestId("change-legend").textContent(), /Since version 1 \(\d\d:\d\d:\d\d\), by the app: 1 row added, 1 row changed, 1 row deleted/);

    // The added row is at the end of the table.
    await page.getByTestId("jump-to-row").fill("30");
    await page.getByTestId("jump-to-row").press("Enter");
    await cell(page, 29, 1).filter({ hasText: "From the app" }).waitFor();
    assert.equal(await row(page, 29).getAttribute("data-app"), "insert");

    // The highlight asked for this table's rows only, up to 10,000.
    const diffs = (await calls(page, "diff_versions")).filter((c) => c.args.tables.length);
    assert.deepEqual(diffs.map((c) => c.args), [{ handle: 1, from: 1, to: 2, tables: ["notes"], rowCap: 10000 }]);
    // After the version: status and the saved changes are read again.
    assert.ok((await calls(page, "db_status")).length >= 1);
    assert.ok((await calls(page, "pending_changes")).length >= 1);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("reads the rows on screen again in place: the scroll position stays", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    await page.getByTestId("jump-to-row").fill("5000");
    await page.getByTestId("jump-to-row").press("Enter");
    await cell(page, 4999, 2).filter({ hasText: /\d/ }).waitFor();
    await watch(page);
    const firstRow = () => page.evaluate(() => Math.min(...[...document.querySelectorAll('[role="gridcell"][data-col="0"][data-row]')].map((e) => Number(e.dataset.row))));
    const before = await firstRow();
    await clearCalls(page);
    await appWrite(page, [{ op: "update", table: "events", key: 5001, set: { score: 4242.5 } }]);
    await cell(page, 5000, 2).filter({ hasText: "4242.5" }).waitFor();
    await page.locator('[role="gridcell"].app-changed[data-row="5000"][data-col="2"]').waitFor();
    assert.equal(await firstRow(), before, "the view did not move");
    const fetches = (await calls(page)).filter((c) => c.cmd.startsWith("fetch_page"));
    assert.ok(fetches.length > 0, "the rows were read again");
    assert.ok(fetches.every((c) => c.cmd === "fetch_page_at" || c.args.query.after !== null), "never from the top again");
    await page.close();
  });

  it("counts changes per table in the list; Mark all seen clears badges and marks without reading rows", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await watch(page);
    await appWrite(page, [
      { op: "update", table: "notes", key: 1, set: { title: "Shopping list" } },
      { op: "delete", table: "notes", key: 4 },
      { op: "update", table: "messages", key: 1, set: { body: "edited by the app" } },
    ]);
    await badge(page, "notes").filter({ hasText: /^2$/ }).waitFor();
    await badge(page, "messages").filter({ hasText: /^1$/ }).waitFor();
    assert.match(await badge(page, "notes").getAttribute("title"), /1 row changed, 1 row deleted since version 1/);
    assert.equal(await badge(page, "events").count(), 0);
    // A second version: counts are since watching started, not per version.
    await appWrite(page, [{ op: "update", table: "notes", key: 1, set: { title: "Shopping list 2" } }]);
    await versionsSeen(page, 2);
    await page.locator('[data-testid="table-item"][data-name="notes"][data-changes="2"]').waitFor();
    await page.locator('[role="gridcell"].app-changed[data-row="0"][data-col="1"]').filter({ hasText: "Shopping list 2" }).waitFor();
    assert.match(await page.getByTestId("watch-bar").textContent(), /Marked: changes since version 1/);

    await clearCalls(page);
    await page.getByTestId("mark-seen").click();
    await badge(page, "notes").waitFor({ state: "detached" });
    await page.locator(".app-changed").first().waitFor({ state: "detached" });
    assert.equal(await badge(page, "messages").count(), 0);
    assert.equal(await page.getByTestId("change-legend").count(), 0);
    assert.deepEqual((await calls(page)).filter((c) => c.cmd.startsWith("fetch_page") || c.cmd === "diff_versions"), [], "clearing marks reads nothing");
    assert.match(await page.getByTestId("watch-bar").textContent(), /Marked: changes since version 3/);
    await page.close();
  });

  it("lists the versions and shows the diff of two picked ones, cell by cell", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await watch(page);
    await appWrite(page, [{ op: "update", table: "notes", key: 3, set: { title: "Essay v2", counter: 1 } }]);
    await versionsSeen(page, 1);
    await appWrite(page, [
      { op: "insert", table: "messages", values: { conversation_id: 1, sender: "ken", body: "new", sent_at: 1, status: "sent", is_read: 0 } },
      { op: "delete", table: "notes", key: 30 },
    ]);
    await versionsSeen(page, 2);
    await page.getByTestId("show-changes").click();
    const rows = page.getByTestId("version-row");
    await rows.nth(2).waitFor();
    assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => r.dataset.number)), ["3", "2", "1"], "newest first");
    const v2 = page.locator('[data-testid="version-row"][data-number="2"]');
    await v2.locator('[data-testid="version-counts"]').filter({ hasText: "notes ~1" }).waitFor();
    assert.match(await v2.textContent(), /App wrote/);
    assert.match(await v2.getByTestId("version-bytes").textContent(), /moved/);
    await page.locator('[data-testid="version-row"][data-number="3"] [data-testid="version-counts"]').filter({ hasText: /messages \+1.*notes −1/ }).waitFor();
    assert.match(await page.locator('[data-testid="version-row"][data-number="1"]').textContent(), /Pulled.*the oldest kept/);

    await v2.getByTestId("version-pick").check();
    await page.locator('[data-testid="version-row"][data-number="1"] [data-testid="version-pick"]').check();
    const view = page.getByTestId("diff-view");
    await view.filter({ hasText: "Version 1 → version 2" }).waitFor();
    const notes = view.locator('[data-testid="diff-table"][data-name="notes"]');
    assert.match(await notes.getByTestId("diff-counts").textContent(), /1 row: 1 changed/);
    const change = notes.locator('[data-testid="diff-row"][data-op="update"][data-key="3"]');
    assert.equal(await change.locator('.cell-change[data-column="title"] del').textContent(), "Essay");
    assert.equal(await change.locator('.cell-change[data-column="title"] ins').textContent(), "Essay v2");
    assert.equal(await change.locator('.cell-change[data-column="counter"] ins').textContent(), "1");
    assert.equal(await view.locator('[data-testid="diff-table"][data-name="messages"]').count(), 0, "only tables that changed");
    const last = (await calls(page, "diff_versions")).at(-1);
    assert.deepEqual(last.args, { handle: 1, from: 1, to: 2, tables: [], rowCap: 1000 });

    // Picking a third keeps the last two picked (1 and 3).
    await page.locator('[data-testid="version-row"][data-number="3"] [data-testid="version-pick"]').check();
    await view.filter({ hasText: "Version 1 → version 3" }).waitFor();
    assert.equal(await v2.getByTestId("version-pick").isChecked(), false);
    await view.locator('[data-testid="diff-table"][data-name="messages"] [data-testid="diff-row"][data-op="insert"]').filter({ hasText: /sender = ken/ }).waitFor();
    await view.locator('[data-testid="diff-table"][data-name="notes"] [data-testid="diff-row"][data-op="delete"][data-key="30"]').waitFor();
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("shows what changed since the database was opened, schema changes included, and announces them", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    // The app writes before watching starts: the watch's first look pulls it.
    await appWrite(page, [{ op: "update", table: "notes", key: 1, set: { title: "Before watching" } }]);
    await watch(page);
    await versionsSeen(page, 1);
    await appWrite(page, [{ op: "add_column", table: "notes", column: "pinned", type: "INTEGER" }]);
    await versionsSeen(page, 2);
    const notice = page.locator('[data-testid="watch-notice"][data-kind="schema"]');
    await notice.waitFor();
    assert.match(await notice.textContent(), /The app changed the schema: table notes changed/);
    // The grid has the new column (after the 7 it had).
    await page.locator('[data-testid="grid"][aria-colcount="8"]').waitFor();
    assert.equal(await badge(page, "notes").getAttribute("class"), "change-badge schema");

    await page.getByTestId("tab-changes").click();
    await page.getByTestId("since-opened").click();
    const view = page.getByTestId("diff-view");
    await view.filter({ hasText: /What changed since you opened it.*version 1 → 3/ }).waitFor();
    assert.match(await view.getByTestId("diff-schema").textContent(), /table notes changed/);
    await view.locator('[data-testid="diff-row"][data-op="update"][data-key="1"] .cell-change[data-column="title"] ins').filter({ hasText: "Before watching" }).waitFor();
    assert.deepEqual((await calls(page, "diff_versions")).at(-1).args, { handle: 1, from: 1, to: null, tables: [], rowCap: 1000 });

    // It follows the newest version.
    await appWrite(page, [{ op: "update", table: "notes", key: 2, set: { body: "later" } }]);
    await view.filter({ hasText: /version 1 → 4/ }).waitFor();
    await view.locator('[data-testid="diff-row"][data-key="2"]').waitFor();
    await page.close();
  });

  it("says when watching pauses (the backend's sentence) and resumes, and when the app recreated its database", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await watch(page);
    await page.evaluate(() => window.__sondeMock.deviceGone());
    const bar = page.locator('[data-testid="watch-bar"][data-phase="paused"]');
    await bar.waitFor();
    assert.match(await bar.textContent(), /Watching paused: Pixel 7 is not connected \(unplugged, or adb lost it\): watching resumes by itself when it is back\./);
    // Written while the device was away: seen once it is back.
    await appWrite(page, [{ op: "recreate" }]);
    await page.evaluate(() => window.__sondeMock.deviceBack());
    await page.locator('[data-testid="watch-bar"][data-phase="watching"]').waitFor();
    const notice = page.locator('[data-testid="watch-notice"][data-kind="replaced"]');
    await notice.waitFor();
    assert.match(await notice.textContent(), /The app recreated .*notes\.db: it is a new file, not new commits/);
    await page.getByTestId("row-count").filter({ hasText: /^3 rows/ }).waitFor();
    await notice.getByRole("button", { name: "Dismiss" }).click();
    await notice.waitFor({ state: "detached" });
    await page.close();
  });

  it("lists rebase conflicts with what you saw, what the app wrote and yours; resolves each; blocks pushing until none is left", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await saveEdit(page, 0, 1, "Mine 1");
    await saveEdit(page, 1, 2, "Mine 2");
    await saveEdit(page, 3, 1, "Mine 4");
    await watch(page);
    await appWrite(page, [
      { op: "update", table: "notes", key: 1, set: { title: "App 1" } },
      { op: "update", table: "notes", key: 2, set: { body: "App 2" } },
      { op: "update", table: "notes", key: 10, set: { counter: 7 } },
    ]);
    const notice = page.getByTestId("conflicts-notice");
    await notice.waitFor();
    assert.match(await notice.textContent(), /2 saved changes conflict with what the app wrote since/);
    const push = page.getByTestId("push-button");
    assert.equal(await push.getAttribute("data-blocked"), "true");
    assert.match(await push.textContent(), /Blocked: 2 conflicts/);
    // The change that still applied was re-applied: 1 waits to be pushed.
    await page.locator('[data-testid="push-button"][data-waiting="1"]').waitFor();
    await cell(page, 3, 1).filter({ hasText: "Mine 4" }).waitFor();

    await push.click();
    const dialog = page.getByTestId("conflicts-dialog");
    await dialog.waitFor();
    const items = dialog.getByTestId("conflict-item");
    assert.equal(await items.count(), 2);
    const first = dialog.locator('[data-testid="conflict-item"][data-key="1"]');
    assert.equal(await first.getByTestId("conflict-saw").textContent(), "Shopping");
    assert.equal(await first.getByTestId("conflict-theirs-value").textContent(), "App 1");
    assert.equal(await first.getByTestId("conflict-mine-value").textContent(), "Mine 1");
    assert.match(await first.textContent(), /rowid 1 · your edit/);
    const second = dialog.locator('[data-testid="conflict-item"][data-key="2"]');
    assert.equal(await second.getByTestId("conflict-saw").textContent(), '""');
    assert.equal(await second.getByTestId("conflict-theirs-value").textContent(), "App 2");

    await first.getByTestId("conflict-mine").click();
    await first.waitFor({ state: "detached" });
    await second.getByTestId("conflict-theirs").click();
    await dialog.getByTestId("conflicts-none").waitFor();
    const resolved = await calls(page, "resolve_conflict");
    assert.deepEqual(resolved.map((c) => c.args.keep), ["mine", "theirs"]);
    await dialog.getByRole("button", { name: "Close" }).last().click();
    // Mine is written over the app's, theirs stays; pushing is possible again.
    await cell(page, 0, 1).filter({ hasText: "Mine 1" }).waitFor();
    await cell(page, 1, 2).filter({ hasText: "App 2" }).waitFor();
    await page.locator('[data-testid="push-button"]:not([data-blocked])').waitFor();
    assert.equal(await notice.count(), 0);
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-confirm").click();
    await page.getByTestId("push-done").waitFor();
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("settles all conflicts at once, and the push dialog says why it cannot push", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await saveEdit(page, 0, 1, "Mine 1");
    await saveEdit(page, 2, 1, "Mine 3");
    await watch(page);
    await appWrite(page, [
      { op: "update", table: "notes", key: 1, set: { title: "App 1" } },
      { op: "delete", table: "notes", key: 3 },
    ]);
    await page.getByTestId("conflicts-notice").waitFor();
    // Ctrl+Shift+P still opens the push dialog: it is blocked and says so.
    await page.getByTestId("grid").focus();
    await page.keyboard.press("Control+Shift+P");
    const blocked = page.getByTestId("push-blocked");
    await blocked.waitFor();
    assert.match(await blocked.textContent(), /Pushing is blocked: 2 saved changes conflict/);
    assert.equal(await page.getByTestId("push-confirm").isDisabled(), true);
    await blocked.getByRole("button", { name: "Resolve…" }).click();
    const dialog = page.getByTestId("conflicts-dialog");
    await dialog.waitFor();
    // The row the app deleted: what the app wrote is "row absent".
    assert.match(await dialog.locator('[data-testid="conflict-item"][data-key="3"] [data-testid="conflict-theirs-value"]').first().textContent(), /row absent/);
    await dialog.getByTestId("conflicts-all-theirs").click();
    await dialog.getByTestId("conflicts-none").waitFor();
    const resolved = await calls(page, "resolve_conflict");
    assert.equal(resolved.length, 2);
    assert.ok(resolved.every((c) => c.args.keep === "theirs"));
    await page.locator('[data-testid="push-button"]:not([data-blocked])[data-waiting="0"]').waitFor();
    await page.close();
  });

  it("pushes onto what the app wrote meanwhile (rebased), and opens the conflicts when a change no longer applies", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await saveEdit(page, 0, 1, "Mine");
    // Not watching: the app writes another row; the push rebases and goes out.
    await appWrite(page, [{ op: "update", table: "notes", key: 5, set: { body: "from the app" } }]);
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-confirm").click();
    await page.locator('[data-testid="push-done"][data-outcome="pushed"]').waitFor();
    assert.match(await page.getByTestId("push-rebased").textContent(), /your change was re-applied on top of its data/);
    // The views read the rebased rows: the app's write and mine are both there.
    await cell(page, 4, 2).filter({ hasText: "from the app" }).waitFor();
    assert.equal(await cell(page, 0, 1).textContent(), "Mine");

    // Now the app writes the row of a saved change: the push opens the conflicts.
    await saveEdit(page, 1, 1, "Mine 2");
    await appWrite(page, [{ op: "update", table: "notes", key: 2, set: { title: "App 2" } }]);
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-confirm").click();
    const dialog = page.getByTestId("conflicts-dialog");
    await dialog.waitFor();
    assert.equal(await page.getByTestId("push-dialog").count(), 0);
    assert.equal(await dialog.locator('[data-testid="conflict-item"][data-key="2"] [data-testid="conflict-theirs-value"]').textContent(), "App 2");
    await page.locator('[data-testid="push-button"][data-blocked="true"]').waitFor();
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("keeps unsaved edits through a new version, marks the one the app overtook, and asks before saving it", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await watch(page);
    await editCell(page, 0, 1, "Mine");
    await editCell(page, 2, 1, "Also mine");
    await appWrite(page, [
      { op: "update", table: "notes", key: 1, set: { title: "App title" } },
      { op: "update", table: "notes", key: 3, set: { counter: 99 } },
    ]);
    // The version arrived (the other cell of row 3 is marked), the edits are still staged.
    await page.locator('[role="gridcell"].app-changed[data-row="2"][data-col="5"]').filter({ hasText: "99" }).waitFor();
    assert.equal(await page.getByTestId("pending-count").textContent(), "2");
    const overtaken = cell(page, 0, 1);
    await page.locator('[role="gridcell"].edit-conflict[data-row="0"][data-col="1"]').filter({ hasText: "Mine" }).waitFor();
    assert.doesNotMatch(await cell(page, 2, 1).getAttribute("class"), /edit-conflict/, "the app did not touch that cell");
    assert.match(await cell(page, 2, 1).getAttribute("class"), /pending/);
    await overtaken.hover();
    await page.waitForFunction(() => /^Conflict: you edited Shopping, the value is now App title\./.test(document.querySelector('[role="gridcell"][data-row="0"][data-col="1"]')?.title ?? ""));

    await clearCalls(page);
    await page.getByTestId("save-changes").click();
    const ask = page.getByTestId("confirm-dialog");
    await ask.waitFor();
    assert.match(await ask.textContent(), /notes rowid 1 · title: you edited Shopping, it is now App title; yours: Mine/);
    await page.getByTestId("confirm-cancel").click();
    await ask.waitFor({ state: "detached" });
    assert.equal((await calls(page, "apply_edits")).length, 0, "nothing saved");
    assert.equal(await page.getByTestId("pending-count").textContent(), "2");
    await page.getByTestId("save-changes").click();
    await page.getByTestId("confirm-ok").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    assert.equal((await calls(page, "apply_edits")).length, 1);
    await cell(page, 0, 1).filter({ hasText: "Mine" }).waitFor();
    await page.close();
  });

  it("marks 1,000 changed rows of the 10,000,000-row table by key, without reading rows to mark them", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    await watch(page);
    const writes = Array.from({ length: 1000 }, (_, i) => ({ op: "update", table: "events", key: i * 3 + 1, set: { name: `app ${i}` } }));
    await appWrite(page, writes);
    await badge(page, "events").filter({ hasText: /^1,000$/ }).waitFor();
    await page.locator('[role="row"][data-app="update"][aria-rowindex="2"]').waitFor();
    const [hl] = (await calls(page, "diff_versions")).filter((c) => c.args.tables.length);
    assert.deepEqual(hl.args.tables, ["events"]);
    assert.equal(hl.args.rowCap, 10000);
    // Every third row up to id 2998 is marked, and nothing else.
    const marked = () =>
      page.evaluate(() => [...document.querySelectorAll('[role="row"][aria-rowindex]')].map((r) => [Number(r.getAttribute("aria-rowindex")) - 2, r.dataset.app ?? null]));
    for (const [pos, app] of await marked()) assert.equal(app, pos % 3 === 0 && pos < 3000 ? "update" : null, `row ${pos}`);
    await page.getByTestId("jump-to-row").fill("2990");
    await page.getByTestId("jump-to-row").press("Enter");
    await cell(page, 2989, 1).filter({ hasText: /event|app/ }).waitFor();
    await cell(page, 3000, 1).filter({ hasText: "event 3001" }).waitFor();
    for (const [pos, app] of await marked()) assert.equal(app, pos % 3 === 0 && pos < 3000 ? "update" : null, `row ${pos}`);

    // Marks come from the diff's keys: clearing them reads no row.
    await clearCalls(page);
    await page.getByTestId("mark-seen").click();
    await page.locator('[role="row"][data-app]').first().waitFor({ state: "detached" });
    assert.deepEqual((await calls(page)).filter((c) => c.cmd.startsWith("fetch_page")), []);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
