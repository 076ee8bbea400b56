// Bug 7: every part of the sidebar can be reached: the close × of an open
// database keeps clear of the scrollbar, Diagnostics stays in view while
// the tree scrolls. The sidebar can be resized and collapsed (remembered).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { openTable, startApp } from "./lib/app.mjs";

/** Fills the sidebar until it scrolls: every device expanded, system apps shown. */
async function crowdSidebar(page) {
  await openTable(page, { table: "notes" });
  await page.locator('[data-testid="device-item"][data-id="android://127.0.0.1:40101"]').click();
  await page.locator('[data-testid="device-item"][data-id="ios://00008110-001A2B3C"]').click();
  await page.locator('[data-testid="app-item"][data-id="com.example.iosnotes"]').waitFor();
  await page.waitForFunction(() => {
    const s = document.querySelector('[data-testid="sidebar-scroll"]') ?? document.querySelector(".sidebar");
    return s.scrollHeight > s.clientHeight;
  });
}

const onTop = (locator) =>
  locator.evaluate((el) => {
    const b = el.getBoundingClientRect();
    const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
    return hit === el || el.contains(hit);
  });

describe("sidebar", () => {
  let app;
  before(async () => {
    app = await startApp({ viewport: { width: 1024, height: 700 } });
  });
  after(() => app?.close());

  it("keeps Diagnostics in view while the tree scrolls", async () => {
    const page = await app.open();
    await crowdSidebar(page);
    const diag = page.getByTestId("diagnostics-button");
    const box = await diag.boundingBox();
    assert.ok(box && box.y + box.height <= 700, `Diagnostics is on screen (bottom ${box?.y + box?.height})`);
    assert.equal(await onTop(diag), true);
    await diag.click();
    await page.getByTestId("diagnostics-panel").waitFor();
    await page.close();
  });

  it("keeps the close × of a database clear of the scrollbar", async () => {
    const page = await app.open();
    await crowdSidebar(page);
    const close = page.getByTestId("close-db");
    const edge = await page.evaluate(() => {
      const s = document.querySelector('[data-testid="sidebar-scroll"]') ?? document.querySelector(".sidebar");
      return s.getBoundingClientRect().right;
    });
    const box = await close.boundingBox();
    // Overlay scrollbars (GTK, macOS) are drawn over the last ~12 px.
    assert.ok(box.x + box.width <= edge - 12, `× ends at ${box.x + box.width}, the scroller at ${edge}`);
    await page.close();
  });

  it("collapses and resizes, and remembers both", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    const sidebar = page.getByTestId("sidebar");
    const handle = page.getByTestId("sidebar-resizer");
    const hb = await handle.boundingBox();
    await page.mouse.move(hb.x + hb.width / 2, hb.y + 200);
    await page.mouse.down();
    await page.mouse.move(hb.x + hb.width / 2 + 100, hb.y + 200, { steps: 4 });
    await page.mouse.up();
    const wide = (await sidebar.boundingBox()).width;
    assert.ok(wide > 300, `dragged wider: ${wide}`);
    await page.reload();
    await page.getByTestId("device-list").waitFor({ state: "attached" });
    assert.equal(Math.round((await sidebar.boundingBox()).width), Math.round(wide), "the width is remembered");

    await page.getByTestId("sidebar-toggle").click();
    await sidebar.waitFor({ state: "hidden" });
    const main = await page.locator("main").boundingBox();
    assert.ok(main.x < 60, `the main view takes the room (starts at ${main.x})`);
    await page.reload();
    await page.getByTestId("sidebar-toggle").waitFor();
    assert.equal(await sidebar.isVisible(), false, "collapsed after a reload too");
    await page.keyboard.press("Control+b");
    await sidebar.waitFor();
    await page.close();
  });
});
