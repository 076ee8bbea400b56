// SQL console (typing, Ctrl+Enter, results paged through fetch_sql_page,
// SQLite errors, history) and the schema view.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, cell, openTable, problemsOf, startApp } from "./lib/app.mjs";

async function typeSql(page, sql) {
  const editor = page.getByTestId("sql-editor");
  await editor.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await page.keyboard.type(sql);
}

describe("sql console and schema", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("runs a query with Ctrl+Enter and pages through the result", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    await page.getByTestId("tab-sql").click();
    await typeSql(page, "SELECT * FROM events");
    // Highlighted by CodeMirror (keywords get their own spans).
    await page.locator(".cm-content .cm-line span").first().waitFor();
    await page.keyboard.press("Control+Enter");
    await cell(page, 0, 1).filter({ hasText: "event 1" }).waitFor();
    const [run] = await calls(page, "run_sql");
    const { opId, ...rest } = run.args;
    assert.deepEqual(rest, { handle: 1, sql: "SELECT * FROM events", scope: { kind: "at", offset: 20 }, pageSize: 200 });
    assert.match(opId, /^sql-/);
    assert.match(await page.getByTestId("row-count").textContent(), /^\d00\+ rows/, "more rows may follow");
    await page.getByTestId("grid").hover();
    // Scrolling to the end of what is loaded streams the next page in.
    // Steps smaller than the viewport, so row 220 cannot be skipped.
    const scrollTop = () => page.evaluate(() => document.querySelector('[data-testid="grid"] .grid-scroller').scrollTop);
    for (let i = 0; i < 40 && !(await cell(page, 220, 1).count()); i++) {
      const before = await scrollTop();
      await page.mouse.wheel(0, 400);
      // Each step waits for the scroll it caused (or for the end of the rows).
      await page.waitForFunction(
        (prev) => document.querySelector('[data-testid="grid"] .grid-scroller').scrollTop !== prev || document.querySelector('[role="gridcell"][data-row="220"]'),
        before,
      );
    }
    await cell(page, 220, 1).filter({ hasText: "event 221" }).waitFor();
    const more = await calls(page, "fetch_sql_page");
    assert.ok(more.length >= 1);
    assert.deepEqual(more[0].args, { queryId: 1, pageSize: 200 });
    await page.locator('[data-testid="history-item"]', { hasText: "SELECT * FROM events" }).waitFor();
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("reads a 2,000-column result in pages sized by its width", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await page.getByTestId("tab-sql").click();
    await typeSql(page, "SELECT * FROM wide");
    await page.keyboard.press("Control+Enter");
    await cell(page, 0, 1).filter({ hasText: "r1c1" }).waitFor();
    await page.getByTestId("grid").focus();
    await page.keyboard.press("End");
    await cell(page, 0, 1999).filter({ hasText: "r1c1999" }).waitFor();
    await page.keyboard.press("Control+End");
    await page.waitForFunction(() => (window.__sondeMock.calls.filter((c) => c.cmd === "fetch_sql_page").length > 0));
    const more = await calls(page, "fetch_sql_page");
    assert.ok(more.every((c) => c.args.pageSize === 20), `20-row pages: ${more.map((c) => c.args.pageSize)}`);
    assert.ok((await page.locator('[role="gridcell"]').count()) < 40 * 30, "only the visible cells exist");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("cancels a query that never ends", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await page.getByTestId("tab-sql").click();
    await typeSql(page, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT sum(x) FROM c");
    await page.getByTestId("sql-run").click();
    await page.getByTestId("sql-cancel").click();
    await page.getByTestId("sql-cancelled").filter({ hasText: "Cancelled" }).waitFor();
    assert.equal(await page.getByTestId("sql-cancel").count(), 0, "no Cancel once stopped");
    assert.equal(await page.getByTestId("sql-run").isEnabled(), true);
    const [run] = await calls(page, "run_sql");
    const [cancel] = await calls(page, "cancel_operation");
    assert.equal(cancel.args.opId, run.args.opId, "the running query is the one cancelled");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("shows SQLite's error message", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await page.getByTestId("tab-sql").click();
    await typeSql(page, "SELECT * FROM nowhere");
    await page.getByTestId("sql-run").click();
    await page.getByTestId("sql-error").waitFor();
    assert.equal(await page.getByTestId("sql-error").textContent(), "no such table: nowhere");
    await typeSql(page, "UPDATE notes SET title = 'x'");
    await page.getByTestId("sql-run").click();
    await page.getByTestId("sql-status").filter({ hasText: "3 rows changed" }).waitFor();
    assert.equal(await page.getByTestId("sql-error").count(), 0);
    // History keeps both, the failed one marked.
    await page.locator(".history-item.failed", { hasText: "nowhere" }).waitFor();
    await page.close();
  });

  it("shows columns, indexes, foreign keys, triggers and the CREATE statement", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await page.getByTestId("tab-schema").click();
    const view = page.getByTestId("schema-view");
    await view.getByTestId("schema-columns").waitFor();
    const cols = await view.getByTestId("schema-columns").textContent();
    assert.match(cols, /idINTEGERPRIMARY KEY/);
    assert.match(cols, /titleTEXTNOT NULL'untitled'/);
    assert.match(await view.getByTestId("schema-indexes").textContent(), /notes_titletitle/);
    assert.match(await view.textContent(), /notes_touch/);
    assert.match(await view.getByTestId("schema-sql").textContent(), /^CREATE TABLE notes \(id INTEGER PRIMARY KEY/);
    await page.locator('[data-testid="table-item"][data-name="events"]').click();
    await view.getByTestId("schema-fks").waitFor();
    assert.match(await view.getByTestId("schema-fks").textContent(), /notes\(id\)NO ACTION \/ CASCADE/);
    await page.close();
  });
});
