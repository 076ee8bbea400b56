// Sidebar: devices (incl. the simulated one), apps, databases, tables,
// empty states, live device changes, Open file…, recent list, drag & drop.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, cell, openTable, problemsOf, startApp } from "./lib/app.mjs";

describe("navigation", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("walks device → app → database → table and shows its rows", async () => {
    const page = await app.open();
    const devices = page.getByTestId("device-item");
    assert.equal(await devices.count(), 4);
    await openTable(page, { table: "notes" });
    assert.equal(await cell(page, 0, 1).textContent(), "Shopping");
    const opened = await calls(page, "open_database");
    assert.deepEqual(opened.at(-1).args, { location: "android://emulator-5554/com.example.notes/databases/notes.db" });
    const apps = await calls(page, "list_apps");
    assert.deepEqual(apps[0].args, { device: "android://emulator-5554", includeSystem: false });
    assert.equal(await page.getByTestId("table-item").count(), 5);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("moves through the tree with the keyboard", async () => {
    const page = await app.open();
    const first = page.locator('[data-testid="device-item"][data-id="android://emulator-5554"]');
    await first.focus();
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="app-item"][data-id="com.example.notes"]').waitFor();
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.id), "com.example.notes");
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="db-item"][data-uri$="/notes.db"]').waitFor();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="table-item"][data-name="notes"]').waitFor();
    await page.keyboard.press("ArrowUp");
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.id), "com.example.notes");
    await page.close();
  });

  it("labels the built-in simulated device", async () => {
    const page = await app.open();
    const sim = page.locator('[data-testid="device-item"][data-id="android://127.0.0.1:40101"]');
    await sim.getByTestId("sim-badge").waitFor();
    assert.match(await sim.textContent(), /Simulated device/);
    // Only that device carries the badge.
    assert.equal(await page.getByTestId("sim-badge").count(), 1);
    await page.close();
  });

  it("says what to do with an unauthorized phone", async () => {
    const page = await app.open();
    await page.locator('[data-testid="device-item"][data-id="android://R58M123ABC"]').click();
    await page.getByText("Accept the USB debugging prompt on the phone.").waitFor();
    assert.equal((await calls(page, "list_apps")).length, 0, "no app listing on an unauthorized device");
    // An untrusted iPhone asks for Trust, not for USB debugging.
    await page.evaluate(() =>
      window.__sondeMock.emit("devices-changed", {
        devices: [{ platform: "ios", id: "UNTRUSTED1", name: "Ada's iPhone", model: null, os_version: null, kind: "physical", state: "unauthorized", raw_state: "unauthorized" }],
        problems: [],
      }),
    );
    await page.locator('[data-testid="device-item"][data-id="ios://UNTRUSTED1"]').click();
    await page.getByText('Unlock the iPhone and tap Trust on "Trust This Computer?".').waitFor();
    assert.equal(await page.getByText("Accept the USB debugging prompt on the phone.").count(), 0);
    await page.close();
  });

  it("shows an empty state without devices, and devices appear on devices-changed", async () => {
    const page = await app.open({ devices: "none", problems: ["idevice_id: not found"] });
    await page.getByTestId("no-devices").waitFor();
    assert.match(await page.getByTestId("no-devices").textContent(), /connect a phone with USB debugging, or use the simulated device/i);
    assert.match(await page.getByTestId("device-problems").textContent(), /1 problem/);
    await page.evaluate(() =>
      window.__sondeMock.emit("devices-changed", {
        devices: [{ platform: "android", id: "NEW123", name: "Pixel 8", model: null, os_version: null, kind: "physical", state: "device", raw_state: "device" }],
        problems: [],
      }),
    );
    await page.locator('[data-testid="device-item"][data-id="android://NEW123"]').waitFor();
    assert.equal(await page.getByTestId("no-devices").count(), 0);
    await page.close();
  });

  it("opens a file with Open file…, from the recent list and by drag & drop", async () => {
    const page = await app.open();
    await page.getByTestId("open-file").click();
    await page.locator('[data-testid="open-db"][data-uri="file:///home/user/local.db"]').waitFor();
    await page.locator('[data-testid="table-item"][data-name="events"]').first().waitFor();
    assert.equal((await calls(page, "open_file_dialog")).length, 1);

    await page.locator('[data-testid="recent-item"][data-uri="android://emulator-5554/com.example.notes/databases/notes.db"]').click();
    // Reveals the device path and shows the tables under its database.
    await page.locator('[data-testid="db-item"][data-uri="android://emulator-5554/com.example.notes/databases/notes.db"]').waitFor();
    assert.deepEqual((await calls(page, "open_database")).at(-1).args, { location: "android://emulator-5554/com.example.notes/databases/notes.db" });

    await page.evaluate(() => window.__sondeMock.emit("tauri://drag-drop", { paths: ["/tmp/dropped.sqlite"], position: { x: 10, y: 10 } }));
    await page.locator('[data-testid="open-db"][data-uri="file:///tmp/dropped.sqlite"]').waitFor();
    assert.deepEqual((await calls(page, "open_database")).at(-1).args, { location: "/tmp/dropped.sqlite" });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
