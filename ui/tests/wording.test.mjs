// Bug 9: words and numbers. "1 row", one number format everywhere (the
// export progress like the grid, whatever the system locale), no "refresh"
// advice for a path that never existed, no command lines for GUI users,
// the first run's advice for real phones, and a tool that cannot exist on
// this platform is not a problem.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { openTable, startApp } from "./lib/app.mjs";

describe("wording", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("says 1 row, not 1 rows", async () => {
    const page = await app.open();
    await openTable(page, { table: "events" });
    await page.getByTestId("filter-column").selectOption("id");
    await page.getByTestId("filter-value").fill("5");
    await page.getByTestId("filter-apply").click();
    await page.locator('[data-testid="row-count"][data-exact="true"][data-count="1"]').waitFor();
    assert.match(await page.getByTestId("row-count").textContent(), /^1 row\b/);
    await page.close();
  });

  it("words a mistyped path without telling the user to refresh", async () => {
    const page = await app.open();
    await page.evaluate(() => window.__sondeMock.emit("tauri://drag-drop", { paths: ["/home/user/mistyped.db"], position: { x: 10, y: 10 } }));
    const banner = page.getByTestId("error-banner");
    await banner.waitFor();
    assert.equal(await banner.getAttribute("data-kind"), "not_found");
    const text = await banner.textContent();
    assert.match(text, /There is no file at \/home\/user\/mistyped\.db/);
    assert.doesNotMatch(text, /no longer exists|refresh/i);
    await page.close();
  });

  it("gives GUI advice, not command lines", async () => {
    const page = await app.open({ errors: { list_apps: { kind: "offline", message: "The phone is offline." } } });
    await page.locator('[data-testid="device-item"][data-id="android://emulator-5554"]').click();
    const banner = page.getByTestId("error-banner");
    await banner.waitFor();
    assert.doesNotMatch(await banner.textContent(), /kill-server|`|\badb \w/);
    await page.close();
  });

  it("says on a first run what to do with a real phone, one sentence each", async () => {
    const page = await app.open({ recent: "none" });
    const text = (id) => page.getByTestId(id).textContent();
    await page.getByTestId("first-run").waitFor();
    assert.equal(await text("first-run-android"), "Android phone: enable USB debugging (Settings → Developer options) and accept the prompt on the phone.");
    assert.equal(await text("first-run-iphone"), "iPhone: unlock it and tap Trust; only development builds (run from Xcode) show their files.");
    assert.match(await text("first-run-simulated"), /the built-in simulated device works without a phone/);
    assert.doesNotMatch(await page.getByTestId("first-run").textContent(), /`|\badb \w/);
    await page.close();
  });

  it("shows a macOS-only tool as not available on Linux, not as a problem", async () => {
    const page = await app.open({ os: "linux" });
    await page.getByTestId("diagnostics-button").click();
    const row = page.locator('[data-testid="diagnostics-tools"] tr[data-tool="xcrun"]');
    await row.waitFor();
    assert.match(await row.textContent(), /not available on Linux/i);
    assert.doesNotMatch(await row.textContent(), /install Xcode/);
    assert.doesNotMatch((await row.getAttribute("class")) ?? "", /problem/);
    // A real problem still is one.
    assert.match((await page.locator('[data-testid="diagnostics-tools"] tr[data-tool="idevice_id"]').getAttribute("class")) ?? "", /problem/);
    // A missing afcclient is no problem: the built-in AFC client takes over, and says so.
    const afc = page.locator('[data-testid="diagnostics-tools"] tr[data-tool="afcclient"]');
    assert.match(await afc.textContent(), /OK · iOS app containers: built-in AFC client/);
    assert.doesNotMatch((await afc.getAttribute("class")) ?? "", /problem|muted/);
    await page.close();
  });
});

describe("numbers in another locale", () => {
  let app;
  before(async () => {
    app = await startApp({ locale: "de-DE" });
  });
  after(() => app?.close());

  it("formats export progress like the grid's row count", async () => {
    const page = await app.open({ exportStepMs: 200 });
    await openTable(page, { table: "events" });
    await page.getByTestId("row-count").filter({ hasText: "10,000,000 rows" }).waitFor();
    await page.getByTestId("export-button").click();
    await page.getByTestId("export-start").click();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="export-progress"]')?.dataset.rows) >= 100000);
    assert.match(await page.getByTestId("export-progress").textContent(), /\d{2,3},000 of 10,000,000 rows/);
    await page.getByTestId("export-done").waitFor();
    assert.match(await page.getByTestId("export-done").textContent(), /1,000,000 rows/);
    await page.close();
  });
});
