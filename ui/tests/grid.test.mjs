// The grid on a 10,000,000-row table: paging as you scroll (only pages
// near the viewport), far scrolling, jump to row, sort, filter, value
// rendering and the inspector, column resize.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, cell, clearCalls, openTable, problemsOf, startApp } from "./lib/app.mjs";

const fetches = async (page) => (await calls(page)).filter((c) => c.cmd === "fetch_page" || c.cmd === "fetch_page_at");
const visibleRows = (page) =>
  page.evaluate(() => [...document.querySelectorAll('[role="gridcell"][data-col="0"][data-row]')].map((e) => Number(e.dataset.row)));

describe("grid", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("fetches pages while wheel-scrolling, reading on with keyset cursors", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    const first = await fetches(page);
    assert.equal(first.length, 1, "one page for the first screen");
    assert.deepEqual(first[0].args.query, { table: "events", limit: 200, after: null, order: [], filters: [] });
    await clearCalls(page);
    await page.getByTestId("grid").hover();
    for (let i = 0; i < 8; i++) await page.mouse.wheel(0, 1000);
    await page.waitForFunction(() => document.querySelector('[role="gridcell"][data-row="320"][data-col="0"]')?.textContent === "321");
    const more = await fetches(page);
    assert.ok(more.length >= 1 && more.length <= 3, `a few pages, got ${more.length}`);
    assert.ok(more.every((c) => c.cmd === "fetch_page" && c.args.query.after !== null), "sequential pages use the keyset cursor");
    assert.equal(more[0].args.query.after, "pos:200");
    await page.close();
  });

  it("scrolls far (scrollbar) fetching only the pages at the new position", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    await page.waitForFunction(() => document.querySelector('[data-testid="row-count"]')?.dataset.exact === "true");
    await clearCalls(page);
    // Drag the scrollbar through the middle in steps (like a user would).
    await page.evaluate(async () => {
      const s = document.querySelector(".grid-scroller");
      for (const f of [0.1, 0.3, 0.45, 0.5]) {
        s.scrollTop = (s.scrollHeight - s.clientHeight) * f;
        await new Promise((r) => requestAnimationFrame(r));
      }
    });
    await page.waitForFunction(() => {
      const c = [...document.querySelectorAll('[role="gridcell"][data-col="0"][data-row]')];
      return c.length > 0 && Number(c[0].dataset.row) > 4_000_000 && c.every((e) => e.textContent === String(Number(e.dataset.row) + 1));
    });
    const rows = await visibleRows(page);
    const lo = Math.min(...rows);
    const hi = Math.max(...rows);
    assert.ok(lo > 4_900_000 && hi < 5_100_000, `around the middle: ${lo}..${hi}`);
    const got = await fetches(page);
    assert.ok(got.length >= 1 && got.length <= 3, `only pages near the viewport: ${got.length}`);
    for (const c of got) {
      const at = c.cmd === "fetch_page_at" ? c.args.offset : Number(c.args.query.after.slice(4));
      assert.ok(at >= lo - 400 && at <= hi + 400, `page at ${at} is near ${lo}..${hi}`);
    }
    assert.equal(got[0].cmd, "fetch_page_at", "a far position starts with fetch_page_at");
    // Cells carry the absolute index and their text.
    assert.equal(await cell(page, lo, 1).textContent(), `event ${lo + 1}`);
    await page.close();
  });

  it("shows the estimated row count first, then the exact one", async () => {
    const page = await app.open({ exactCountMs: 1500 });
    await openTable(page, { table: "events" });
    await page.getByTestId("row-count").filter({ hasText: "≈ 9,800,000 rows" }).waitFor();
    assert.equal(await page.getByTestId("row-count").getAttribute("data-exact"), "false");
    await page.getByTestId("row-count").filter({ hasText: /^10,000,000 rows$/ }).waitFor();
    const counts = await calls(page, "count_rows");
    assert.deepEqual(
      counts.map((c) => c.args.exact),
      [false, true],
    );
    await page.close();
  });

  it("jumps to a row and to the end", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    await page.waitForFunction(() => document.querySelector('[data-testid="row-count"]')?.dataset.exact === "true");
    assert.equal(await page.getByTestId("row-count").textContent(), "10,000,000 rows");
    await page.getByTestId("jump-to-row").fill("9999990");
    await page.getByTestId("jump-to-row").press("Enter");
    await cell(page, 9_999_989, 0).filter({ hasText: "9999990" }).waitFor();
    const at = await calls(page, "fetch_page_at");
    assert.equal(at.at(-1).args.offset, 9_999_800);
    // Ctrl+End: the very last row.
    await cell(page, 9_999_989, 1).click();
    await page.keyboard.press("Control+End");
    await cell(page, 9_999_999, 0).filter({ hasText: "10000000" }).waitFor();
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("sorts on the server by clicking headers (asc → desc → off, shift adds)", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    const header = page.locator('[data-testid="column-header"][data-name="id"]');
    await header.click();
    await page.waitForFunction(() => document.querySelector('[data-name="id"]')?.getAttribute("aria-sort") === "ascending");
    let last = (await calls(page, "fetch_page")).at(-1);
    assert.deepEqual(last.args.query.order, [{ column: "id", desc: false }]);
    await header.click();
    await cell(page, 0, 0).filter({ hasText: "10000000" }).waitFor();
    last = (await calls(page, "fetch_page")).at(-1);
    assert.deepEqual(last.args.query.order, [{ column: "id", desc: true }]);
    assert.equal(await header.getAttribute("aria-sort"), "descending");
    await page.locator('[data-testid="column-header"][data-name="name"]').click({ modifiers: ["Shift"] });
    await page.waitForFunction(() => document.querySelector('[data-name="name"]')?.getAttribute("aria-sort") === "ascending");
    last = (await calls(page, "fetch_page")).at(-1);
    assert.deepEqual(last.args.query.order, [
      { column: "id", desc: true },
      { column: "name", desc: false },
    ]);
    // A plain click on the descending column turns sorting off.
    await header.click();
    await cell(page, 0, 0).filter({ hasText: /^1$/ }).waitFor();
    assert.deepEqual((await calls(page, "fetch_page")).at(-1).args.query.order, []);
    await page.close();
  });

  it("filters with the filter bar and clears", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    await page.getByTestId("filter-column").selectOption("id");
    await page.getByTestId("filter-op").selectOption("lt");
    await page.getByTestId("filter-value").fill("100");
    await page.getByTestId("filter-apply").click();
    await page.getByTestId("row-count").filter({ hasText: "99 rows" }).waitFor();
    const last = (await calls(page, "fetch_page")).at(-1);
    assert.deepEqual(last.args.query.filters, [{ column: "id", op: "lt", values: [100] }]);
    const counts = await calls(page, "count_rows");
    assert.deepEqual(counts.at(-1).args.filters, [{ column: "id", op: "lt", values: [100] }]);
    await page.getByTestId("filter-column").selectOption("name");
    await page.getByTestId("filter-op").selectOption("is_not_null");
    await page.getByTestId("filter-apply").click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="filter-chip"]').length === 2);
    assert.deepEqual((await calls(page, "fetch_page")).at(-1).args.query.filters[1], { column: "name", op: "is_not_null", values: [] });
    await page.getByTestId("filter-clear").click();
    await page.getByTestId("row-count").filter({ hasText: "10,000,000 rows" }).waitFor();
    assert.deepEqual((await calls(page, "fetch_page")).at(-1).args.query.filters, []);
    await page.close();
  });

  it("renders NULL, empty, BLOB, long text, JSON and big integers distinctly; the inspector shows them whole", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    // Row 1: id 1 Shopping NULL JSON PNG bigint 0.5; row 2: empty strings.
    assert.equal(await cell(page, 0, 2).textContent(), "NULL");
    assert.match(await cell(page, 0, 2).getAttribute("class"), /v-null/);
    assert.equal(await cell(page, 1, 1).textContent(), "");
    assert.match(await cell(page, 1, 1).getAttribute("class"), /v-empty/);
    assert.match(await cell(page, 0, 4).textContent(), /^PNG image, \d+ B$/);
    assert.match(await cell(page, 0, 4).getAttribute("class"), /v-blob/);
    assert.equal(await cell(page, 0, 5).textContent(), "9007199254740993", "big integers keep every digit");
    assert.match(await cell(page, 0, 3).getAttribute("class"), /v-json/);
    assert.match(await cell(page, 2, 2).getAttribute("class"), /v-long/);
    assert.ok((await cell(page, 2, 2).textContent()).length <= 301);
    // The last column is beyond the viewport (columns are virtualized): End brings it in.
    await cell(page, 1, 1).click();
    await page.keyboard.press("End");
    assert.match(await cell(page, 1, 6).textContent(), /^inf$/);
    await page.keyboard.press("Home");

    await cell(page, 0, 3).click();
    const panel = page.getByTestId("side-panel");
    await panel.getByText("TEXT (JSON)").waitFor();
    assert.match(await panel.getByTestId("inspect-text").textContent(), /\{\n {2}"title": "Groceries",/);
    await cell(page, 0, 4).click();
    await panel.getByTestId("inspect-image").waitFor();
    assert.match(await panel.getByTestId("inspect-image").getAttribute("src"), /^data:image\/png;base64,iVBOR/);
    assert.match(await panel.getByTestId("inspect-hex").textContent(), /^0000 {2}89 50 4e 47/);
    await cell(page, 2, 4).click();
    await panel.getByText("row 3, attachment").waitFor();
    assert.equal(await panel.getByTestId("inspect-image").count(), 0, "a non-image BLOB has no preview");
    await cell(page, 2, 2).click();
    await panel.getByText("row 3, body").waitFor();
    assert.match(await panel.getByTestId("inspect-text").textContent(), /THE END$/);
    await cell(page, 1, 1).click();
    await panel.getByText("empty string, not NULL").waitFor();
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("resizes columns and keeps the header sticky", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    const header = page.locator('[data-testid="column-header"][data-name="name"]');
    // Widths are fitted to the first rows once they are in: wait for that,
    // and for the header to keep its width from one frame to the next.
    await page.locator('[data-testid="grid"][data-widths-fitted="true"]').waitFor();
    await cell(page, 0, 1).waitFor();
    // Ten frames in a row with the same box: a refit or a late layout
    // change (the sidebar's lists load beside it) would move the handle.
    await page.waitForFunction(
      () => {
        const r = document.querySelector('[data-testid="column-header"][data-name="name"]').getBoundingClientRect();
        const key = `${r.x},${r.width}`;
        window.__stableFrames = window.__lastHeaderBox === key ? (window.__stableFrames ?? 0) + 1 : 0;
        window.__lastHeaderBox = key;
        return window.__stableFrames >= 10;
      },
      null,
      { polling: "raf" },
    );
    const box = await header.boundingBox();
    await page.mouse.move(box.x + box.width - 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width + 120, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    const wide = await header.boundingBox();
    assert.ok(Math.abs(wide.width - (box.width + 122)) < 6, `resized to ${wide.width}`);
    assert.ok(Math.abs((await cell(page, 0, 1).boundingBox()).width - wide.width) < 2, "cells follow the header");
    await page.getByTestId("grid").hover();
    await page.mouse.wheel(0, 3000);
    // Prove the scroll happened before checking that the header did not move.
    await page.waitForFunction(() => document.querySelector('[data-testid="grid"] .grid-scroller').scrollTop > 40);
    const after = await header.boundingBox();
    assert.equal(Math.round(after.y), Math.round(box.y), "header stays on top");
    await page.close();
  });

  it("moves with the keyboard", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    await cell(page, 0, 0).click();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowRight");
    assert.equal(await cell(page, 1, 1).getAttribute("aria-selected"), "true");
    await page.keyboard.press("PageDown");
    const active = await page.locator('[role="gridcell"][aria-selected="true"]').getAttribute("data-row");
    assert.ok(Number(active) > 10, `PageDown moved to ${active}`);
    await page.close();
  });

  it("renders only the visible columns of a 2,000-column table, reaches every one, and keeps an edit that scrolls away", async () => {
    const page = await app.open();
    await openTable(page, { table: "wide" });
    const rendered = () =>
      page.evaluate(() => ({
        cells: document.querySelectorAll('[role="gridcell"]').length,
        headers: document.querySelectorAll('[data-testid="column-header"]').length,
        cols: [...new Set([...document.querySelectorAll('[role="gridcell"]')].map((e) => Number(e.dataset.col)))].sort((a, b) => a - b),
      }));
    assert.equal(await page.getByTestId("grid").getAttribute("aria-colcount"), "2000");
    let r = await rendered();
    assert.ok(r.headers > 3 && r.headers < 30, `a screenful of headers, got ${r.headers}`);
    assert.ok(r.cells < 40 * 30, `a screenful of cells, got ${r.cells}`);
    assert.equal(r.cols[0], 0);
    // Pages are sized by width: 40,000 values, so 20 rows of 2,000 columns.
    const pages = (await fetches(page)).filter((c) => c.args.query.table === "wide");
    assert.ok(pages.length > 0 && pages.every((c) => c.args.query.limit === 20), "20-row pages");

    // Scrolled sideways to the middle: those columns, with the right values.
    await page.evaluate(() => {
      const s = document.querySelector(".grid-scroller");
      s.scrollLeft = (s.scrollWidth - s.clientWidth) / 2;
    });
    await page.waitForFunction(() => !document.querySelector('[role="gridcell"][data-col="0"]'));
    r = await rendered();
    assert.ok(r.cols[0] > 800 && r.cols.at(-1) < 1200, `middle columns ${r.cols[0]}..${r.cols.at(-1)}`);
    const mid = r.cols.find((c) => c % 3 === 1);
    assert.equal(await cell(page, 0, mid).textContent(), `r1c${mid}`);
    assert.equal(await page.locator(`[data-testid="column-header"][data-col="${mid}"]`).getAttribute("data-name"), `c${String(mid).padStart(4, "0")}`);

    // Ctrl+End: the last row and the last column.
    await page.getByTestId("grid").focus();
    await page.keyboard.press("Control+End");
    await page.waitForFunction(() => document.querySelector('[role="gridcell"][data-row="4999"][data-col="1999"]')?.textContent === "r5000c1999");
    assert.equal(await cell(page, 4999, 1999).getAttribute("aria-selected"), "true");
    assert.ok((await rendered()).cells < 40 * 30);

    // An edit in progress survives scrolling its column out of view.
    await page.keyboard.press("Control+Home");
    await cell(page, 0, 1).waitFor();
    await cell(page, 0, 1).dblclick();
    await page.getByTestId("cell-editor").fill("half-typed");
    await page.evaluate(() => {
      document.querySelector(".grid-scroller").scrollLeft = 60_000;
    });
    await page.waitForFunction(() => !document.querySelector('[role="gridcell"][data-col="2"]'));
    assert.ok((await rendered()).cols.at(-1) > 300, "scrolled far right");
    assert.equal(await page.getByTestId("cell-editor").inputValue(), "half-typed");
    await page.evaluate(() => {
      document.querySelector(".grid-scroller").scrollLeft = 0;
    });
    await page.getByTestId("cell-editor").press("Escape");
    await page.getByTestId("cell-editor").waitFor({ state: "detached" });
    assert.equal(await cell(page, 0, 1).textContent(), "r1c1", "Escape leaves the value as it was");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("jumps to a column by name in a wide table", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    assert.equal(await page.getByTestId("jump-to-column").count(), 0, "narrow tables need no column box");
    await page.locator('[data-testid="table-item"][data-name="wide"]').click();
    await cell(page, 0, 1).filter({ hasText: "r1c1" }).waitFor();
    const box = page.getByTestId("jump-to-column");
    const activeCol = () => page.locator('[role="gridcell"][aria-selected="true"]').getAttribute("data-col");
    await box.fill("c1501");
    await box.press("Enter");
    await cell(page, 0, 1501).filter({ hasText: "r1c1501" }).waitFor();
    assert.equal(await activeCol(), "1501");
    assert.equal(await page.locator('[data-testid="column-header"][data-col="1501"]').getAttribute("data-name"), "c1501");
    // Case-insensitive prefix: the first column starting with "C07".
    await box.fill("C07");
    await box.press("Enter");
    await cell(page, 0, 700).waitFor();
    assert.equal(await activeCol(), "700");
    await box.fill("no such column");
    await box.press("Enter");
    assert.equal(await box.getAttribute("aria-invalid"), "true");
    assert.equal(await activeCol(), "700", "a miss moves nothing");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
