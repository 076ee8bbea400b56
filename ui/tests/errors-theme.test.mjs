// Error states that tell the user what to do, the diagnostics panel,
// dark mode, and the CSP (no violations while using the app).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, openTable, problemsOf, startApp } from "./lib/app.mjs";

const banner = (page) => page.getByTestId("error-banner");

describe("errors, diagnostics, themes", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("adb missing: says how to install it", async () => {
    const page = await app.open({ errors: { list_devices: { kind: "adb_missing", message: "adb: not found in PATH" } } });
    await banner(page).waitFor();
    assert.equal(await banner(page).getAttribute("data-kind"), "adb_missing");
    assert.match(await banner(page).textContent(), /platform tools \(adb\) were not found: install Android Studio or the platform tools package/);
    assert.match(await banner(page).textContent(), /adb: not found in PATH/);
    await page.getByLabel("Dismiss error").click();
    assert.equal(await banner(page).count(), 0);
    await page.close();
  });

  it("unauthorized: accept the prompt on the phone", async () => {
    const page = await app.open({ errors: { list_apps: { kind: "unauthorized", message: "device R58 unauthorized" } } });
    await page.locator('[data-testid="device-item"][data-id="android://emulator-5554"]').click();
    await banner(page).waitFor();
    assert.equal(await banner(page).getAttribute("data-kind"), "unauthorized");
    assert.match(await banner(page).textContent(), /accept the USB debugging prompt on the phone/);
    await page.close();
  });

  it("not debuggable: use a debug build", async () => {
    const page = await app.open();
    await page.locator('[data-testid="device-item"][data-id="android://emulator-5554"]').click();
    await page.locator('[data-testid="app-item"][data-id="com.example.release"]').click();
    await banner(page).waitFor();
    assert.equal(await banner(page).getAttribute("data-kind"), "not_debuggable");
    assert.match(await banner(page).textContent(), /use a debug build/);
    await page.close();
  });

  it("hot journal: offers to roll the crashed transaction back, then opens", async () => {
    const page = await app.open({ hotJournal: true });
    await page.getByTestId("open-file").click();
    await banner(page).waitFor();
    assert.equal(await banner(page).getAttribute("data-kind"), "hot_journal");
    assert.match(await banner(page).textContent(), /stopped in the middle of writing/);
    assert.equal(await page.locator('[data-testid="table-item"]').count(), 0, "nothing opened yet");
    await page.getByTestId("error-action").click();
    await page.locator('[data-testid="table-item"]').first().waitFor();
    assert.equal(await banner(page).count(), 0);
    const opens = await calls(page, "open_database");
    assert.deepEqual(opens.at(-1).args, { location: "/home/user/local.db", recoverHotJournal: true });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("shows diagnostics: metrics, tools with versions and problems, log file", async () => {
    const page = await app.open();
    await page.getByTestId("diagnostics-button").click();
    const panel = page.getByTestId("diagnostics-panel");
    await panel.getByTestId("diagnostics-tools").waitFor();
    assert.match(await panel.getByTestId("diagnostics-tools").textContent(), /adb\/usr\/bin\/adb35\.0\.1OK/);
    assert.match(await panel.getByTestId("diagnostics-tools").textContent(), /install libimobiledevice/);
    assert.match(await panel.getByTestId("diagnostics-metrics").textContent(), /query\.page42/);
    assert.equal(await panel.getByTestId("diagnostics-log").textContent(), "/home/user/.local/share/sonde/sonde.log");
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "detached" });
    await page.close();
  });

  it("follows the system colour scheme (dark and light)", async () => {
    const page = await app.open();
    await openTable(page, { table: "notes" });
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const lum = (rgb) => {
      const [r, g, b] = rgb.match(/\d+/g).map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    await page.emulateMedia({ colorScheme: "light" });
    assert.ok(lum(await bg()) > 0.8, "light background");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor !== "rgb(255, 255, 255)");
    assert.ok(lum(await bg()) < 0.2, `dark background, got ${await bg()}`);
    const cellColor = await page.locator('[role="gridcell"][data-row="0"][data-col="1"]').evaluate((e) => getComputedStyle(e).color);
    assert.ok(lum(cellColor) > 0.6, "light text in dark mode");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("runs under the app's CSP without violations", async () => {
    const page = await app.open();
    const violations = [];
    await page.exposeFunction("__cspViolation", (v) => violations.push(v));
    await page.evaluate(() => document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`)));
    await openTable(page, { table: "notes" });
    await page.getByTestId("tab-sql").click();
    await page.getByTestId("sql-editor").waitFor();
    await page.getByTestId("tab-data").click();
    await page.locator('[role="gridcell"][data-row="0"][data-col="4"]').click();
    await page.getByTestId("inspect-image").waitFor();
    assert.deepEqual(violations, []);
    assert.deepEqual(problemsOf(page), []);
    const res = await fetch(app.url);
    assert.match(res.headers.get("content-security-policy"), /script-src 'self' 'nonce-/, "the page was served with the app's CSP");
    // CodeMirror's runtime <style> applied (no style nonce: index.html has no <style>).
    assert.equal(await page.locator(".cm-editor").count(), 0);
    await page.getByTestId("tab-sql").click();
    const display = await page.locator(".cm-editor").evaluate((e) => getComputedStyle(e).display);
    assert.equal(display, "flex", "CodeMirror's base theme is in effect");
    await page.close();
  });
});
