// Bug 5: the in-cell editor is drawn above the rows under it (its type
// selector and error line stay visible, in both themes), and NULL and the
// empty string look different in the editor too.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cell, openTable, problemsOf, startApp } from "./lib/app.mjs";

/** Whether the element's centre is really on top (not covered by a later row). */
const onTop = (locator) =>
  locator.evaluate((el) => {
    const b = el.getBoundingClientRect();
    const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
    return hit === el || el.contains(hit);
  });

describe("cell editor", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  for (const scheme of ["light", "dark"]) {
    it(`keeps the type selector and the error line above the next rows (${scheme})`, async () => {
      const page = await app.open();
      await page.emulateMedia({ colorScheme: scheme });
      await openTable(page, { table: "notes" });
      // Long text opens the multi-line editor, which is taller than a row.
      await cell(page, 2, 2).dblclick();
      const type = page.getByLabel("Store as");
      await type.waitFor();
      assert.equal(await onTop(type), true, "the type selector is not covered");
      await page.keyboard.press("Escape");

      await cell(page, 3, 5).dblclick();
      await page.getByTestId("cell-editor").fill("12abc");
      await page.getByTestId("cell-editor").press("Enter");
      const error = page.getByRole("alert").filter({ hasText: "is not an integer" });
      await error.waitFor();
      assert.equal(await onTop(error), true, "the error line is not covered");
      assert.deepEqual(problemsOf(page), []);
      await page.close();
    });
  }

  it("shows the error line of an edit in the last visible row, not clipped by the grid", async () => {
    const page = await app.open({}, { viewport: { width: 1280, height: 500 } });
    await openTable(page, { table: "notes" });
    const last = await page.evaluate(() => {
      const bottom = document.querySelector(".grid-scroller").getBoundingClientRect().bottom;
      const rows = [...document.querySelectorAll('[role="gridcell"][data-col="5"][data-row]')].filter((e) => e.getBoundingClientRect().bottom <= bottom);
      return Math.max(...rows.map((e) => Number(e.dataset.row)));
    });
    await cell(page, last, 5).dblclick();
    await page.getByTestId("cell-editor").fill("12abc");
    await page.getByTestId("cell-editor").press("Enter");
    const error = page.getByRole("alert").filter({ hasText: "is not an integer" });
    await error.waitFor();
    assert.equal(await onTop(error), true, "the error line is not clipped");
    assert.equal(await onTop(page.getByLabel("Store as")), true);
    await page.close();
  });

  it("shows NULL as NULL and the empty string as empty text", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    // Row 1 body is NULL.
    await cell(page, 0, 2).dblclick();
    const editor = page.getByTestId("cell-editor");
    assert.equal(await page.getByLabel("Store as").inputValue(), "null");
    assert.equal(await editor.getAttribute("data-null"), "true");
    assert.match(await page.getByTestId("cell-editor-state").textContent(), /NULL/);
    // Typing replaces the NULL with text.
    await editor.pressSequentially("hi");
    assert.equal(await page.getByLabel("Store as").inputValue(), "text");
    assert.equal(await editor.inputValue(), "hi");
    await editor.press("Escape");

    // Row 2 title is the empty string.
    await cell(page, 1, 1).dblclick();
    assert.equal(await page.getByLabel("Store as").inputValue(), "text");
    assert.equal(await page.getByTestId("cell-editor").getAttribute("data-null"), "false");
    assert.match(await page.getByTestId("cell-editor-state").textContent(), /empty text/);
    await page.close();
  });

  it("edits multi-line text: Shift+Enter adds a line, Enter commits", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    await cell(page, 3, 2).dblclick();
    const editor = page.getByTestId("cell-editor");
    await editor.press("End");
    await editor.press("Shift+Enter");
    await editor.pressSequentially("second line");
    await editor.press("Enter");
    await editor.waitFor({ state: "detached" });
    await page.getByTestId("pending-list").filter({ hasText: "second line" }).waitFor();
    await cell(page, 3, 2).click();
    await page.getByTestId("side-panel").getByText("row 4, body").waitFor();
    assert.equal(await page.getByTestId("inspect-text").textContent(), "body 4\nsecond line");
    await page.close();
  });
});
