// Bug 6: the SQL console runs the statement at the cursor (Ctrl+Enter),
// the selection (Ctrl+Enter), or everything (Ctrl+Shift+Enter, Run); each
// statement's result is reachable with its row count, rows affected and
// timing; an error replaces the previous result; a cancel is no error.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, cell, openTable, problemsOf, startApp } from "./lib/app.mjs";

async function typeSql(page, sql) {
  await page.getByTestId("sql-editor").click();
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await page.keyboard.type(sql);
}

async function openConsole(page) {
  await openTable(page, { table: "notes" });
  await page.getByTestId("tab-sql").click();
  await page.getByTestId("sql-editor").waitFor();
}

const TWO = "SELECT * FROM notes LIMIT 5;\nSELECT * FROM events LIMIT 3;";

describe("sql console", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("replaces the previous result when a statement fails", async () => {
    const page = await app.open();
    await openConsole(page);
    await typeSql(page, "SELECT * FROM events LIMIT 50");
    await page.getByTestId("sql-run").click();
    await cell(page, 0, 1).filter({ hasText: "event 1" }).waitFor();
    await page.getByTestId("row-count").waitFor();
    await typeSql(page, "SELECT * FROM nowhere");
    await page.getByTestId("sql-run").click();
    await page.getByTestId("sql-error").filter({ hasText: "no such table: nowhere" }).waitFor();
    assert.equal(await page.getByTestId("grid").count(), 0, "no stale grid under the error");
    assert.equal(await page.getByTestId("row-count").count(), 0, "no stale row count");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("runs every statement and keeps each result reachable, with rows and timing", async () => {
    const page = await app.open();
    await openConsole(page);
    await typeSql(page, TWO);
    await page.keyboard.press("Control+Shift+Enter");
    const tabs = page.getByTestId("sql-result-tab");
    await tabs.nth(1).waitFor();
    assert.equal(await tabs.count(), 2);
    const [run] = await calls(page, "run_sql");
    assert.deepEqual(run.args.scope, { kind: "all" });
    assert.equal(run.args.sql, TWO);
    assert.match(await tabs.nth(0).textContent(), /5 rows/);
    assert.match(await tabs.nth(1).textContent(), /3 rows/);
    assert.match(await tabs.nth(0).textContent(), /ms/);
    await tabs.nth(0).click();
    await cell(page, 0, 1).filter({ hasText: "Shopping" }).waitFor();
    await tabs.nth(1).click();
    await cell(page, 0, 1).filter({ hasText: "event 1" }).waitFor();
    assert.match(await page.getByTestId("row-count").textContent(), /^3 rows$/);
    await page.close();
  });

  it("Ctrl+Enter runs only the statement at the cursor", async () => {
    const page = await app.open();
    await openConsole(page);
    await typeSql(page, TWO);
    await page.keyboard.press("Control+Home");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Control+Enter");
    await cell(page, 0, 1).filter({ hasText: "Shopping" }).waitFor();
    const [run] = await calls(page, "run_sql");
    assert.deepEqual(run.args.scope, { kind: "at", offset: 1 });
    assert.equal(run.args.sql, TWO);
    assert.equal(await page.getByTestId("sql-result-tab").count(), 0, "one statement: no result tabs");
    await page.close();
  });

  it("Ctrl+Enter with a selection runs the selection", async () => {
    const page = await app.open();
    await openConsole(page);
    await typeSql(page, TWO);
    // Select the second line.
    await page.keyboard.press("Control+End");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.press("Control+Enter");
    await cell(page, 0, 1).filter({ hasText: "event 1" }).waitFor();
    const [run] = await calls(page, "run_sql");
    assert.deepEqual(run.args, { ...run.args, sql: "SELECT * FROM events LIMIT 3;", scope: { kind: "all" } });
    await page.close();
  });

  it("shows rows affected and timing of a write, and says when a script was rolled back", async () => {
    const page = await app.open();
    await openConsole(page);
    await typeSql(page, "UPDATE notes SET title = 'x'");
    await page.getByTestId("sql-run").click();
    const status = page.getByTestId("sql-status");
    await status.filter({ hasText: "3 rows changed" }).waitFor();
    assert.match(await status.textContent(), /\d+(\.\d+)? ms/);

    await typeSql(page, "UPDATE notes SET title = 'y';\nSELECT * FROM nowhere;");
    await page.getByTestId("sql-run").click();
    await page.getByTestId("sql-error").filter({ hasText: "no such table: nowhere" }).waitFor();
    await page.getByTestId("sql-rolled-back").waitFor();
    assert.match(await page.getByTestId("sql-rolled-back").textContent(), /rolled back/);
    await page.close();
  });

  it("shows a cancelled query as cancelled, not as an error", async () => {
    const page = await app.open();
    await openConsole(page);
    await typeSql(page, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT sum(x) FROM c");
    await page.getByTestId("sql-run").click();
    await page.getByTestId("sql-cancel").click();
    const cancelled = page.getByTestId("sql-cancelled");
    await cancelled.waitFor();
    assert.match(await cancelled.textContent(), /Cancelled/);
    assert.equal(await page.getByTestId("sql-error").count(), 0, "no error shown");
    const color = await cancelled.evaluate((e) => getComputedStyle(e).color);
    const danger = await page.evaluate(() => {
      const probe = document.createElement("span");
      probe.style.color = "var(--danger)";
      document.body.append(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    });
    assert.notEqual(color, danger, "not in the error colour");
    await page.close();
  });
});
