// Virtual devices in the sidebar: the AVDs and simulators that are not
// running, booted from their row (progress, Cancel, failures with what to
// check), a booted one becoming a device; the quiet line without any; a
// shut-down simulator that is a device row already is booted from there.
// Boot steps wait for the test (`bootGate`): no sleeps.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, problemsOf, startApp } from "./lib/app.mjs";

const SIM_UDID = "8C3E5B1A-2F4D-4E6A-9B7C-1D2E3F4A5B6C";
const row = (page, id) => page.locator(`[data-testid="virtual-device"][data-id="${id}"]`);
const device = (page, uri) => page.locator(`[data-testid="device-item"][data-id="${uri}"]`);
/** Lets the boot the mock holds go on to its next step. */
const release = (page) => page.evaluate(() => window.__sondeMock.virtual.release());
const status = (page, id, text) => row(page, id).getByTestId("boot-status").filter({ hasText: text }).waitFor();

describe("virtual devices", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("lists the AVDs and simulators that are not running, each with Boot", async () => {
    const page = await app.open();
    const group = page.getByTestId("virtual-devices");
    await group.getByTestId("virtual-device").first().waitFor();
    const ids = await group.getByTestId("virtual-device").evaluateAll((els) => els.map((e) => e.dataset.id));
    // Medium_Phone_API_35 runs (as emulator-5554): it is a device, not listed here.
    assert.deepEqual(ids, ["Pixel_7_API_34", "Small_Phone", SIM_UDID]);
    assert.equal(await group.getByTestId("boot-button").count(), 3);
    const sim = row(page, SIM_UDID);
    assert.match(await sim.textContent(), /iPhone 15.*iOS Simulator · iOS 17\.5/);
    assert.equal(await sim.locator("svg.icon-platform.p-sim").count(), 1);
    assert.equal(await row(page, "Small_Phone").locator("svg.icon-platform.p-android").count(), 1);
    assert.equal(await page.getByTestId("virtual-empty").count(), 0);
    // Refresh asks again.
    const before = (await calls(page, "list_virtual_devices")).length;
    await page.getByRole("button", { name: "Refresh devices" }).click();
    await page.waitForFunction((n) => window.__sondeMock.calls.filter((c) => c.cmd === "list_virtual_devices").length > n, before);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("boots an AVD: progress on its row, then it is a device and leaves the group", async () => {
    const page = await app.open({ bootGate: true });
    await row(page, "Pixel_7_API_34").getByTestId("boot-button").click();
    await status(page, "Pixel_7_API_34", "Starting…");
    const [boot] = await calls(page, "boot_virtual_device");
    assert.equal(boot.args.id, "Pixel_7_API_34");
    assert.match(boot.args.opId, /^boot-/);
    assert.equal(await row(page, "Pixel_7_API_34").getByTestId("boot-button").count(), 0, "no second Boot while it boots");

    await release(page);
    await status(page, "Pixel_7_API_34", "Booting (emulator-5556)…");
    // adb sees the emulator while Android boots (devices-changed).
    await page.locator('[data-testid="device-item"][data-id="android://emulator-5556"][data-state="offline"]').waitFor();
    const listedBefore = (await calls(page, "list_devices")).length;

    await release(page);
    await row(page, "Pixel_7_API_34").waitFor({ state: "detached" });
    await page.locator('[data-testid="device-item"][data-id="android://emulator-5556"][data-state="device"]').waitFor();
    // Listed again after the boot too, in case no event came.
    await page.waitForFunction((n) => window.__sondeMock.calls.filter((c) => c.cmd === "list_devices").length > n, listedBefore);
    assert.equal(await row(page, "Small_Phone").count(), 1, "the others stay");
    assert.equal(await page.getByTestId("error-banner").count(), 0);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("cancels a boot with the boot's own opId", async () => {
    const page = await app.open({ bootGate: true });
    await row(page, "Small_Phone").getByTestId("boot-button").click();
    await status(page, "Small_Phone", "Starting…");
    await row(page, "Small_Phone").getByTestId("boot-cancel").click();
    await row(page, "Small_Phone").getByTestId("boot-button").waitFor();
    const [boot] = await calls(page, "boot_virtual_device");
    const cancels = await calls(page, "cancel_operation");
    assert.deepEqual(
      cancels.map((c) => c.args),
      [{ opId: boot.args.opId }],
    );
    // Cancelled on purpose: no failure to show.
    assert.equal(await row(page, "Small_Phone").getByTestId("boot-error").count(), 0);
    assert.equal(await page.getByTestId("boot-status").count(), 0);
    await page.close();
  });

  it("boots and cancels with the keyboard", async () => {
    const page = await app.open({ bootGate: true });
    await row(page, "Pixel_7_API_34").getByTestId("boot-button").focus();
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.closest("[data-testid=virtual-device]")?.dataset.id), "Small_Phone");
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "boot-button");
    await page.keyboard.press("Space");
    await status(page, "Small_Phone", "Starting…");
    // The Boot button made way: focus is on Cancel.
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "boot-cancel");
    await page.keyboard.press("Enter");
    await row(page, "Small_Phone").getByTestId("boot-button").waitFor();
    assert.equal((await calls(page, "cancel_operation")).length, 1);
    await row(page, "Small_Phone").getByTestId("boot-button").focus();
    await page.keyboard.press("Enter");
    await status(page, "Small_Phone", "Starting…");
    assert.equal((await calls(page, "boot_virtual_device")).length, 2);
    await page.close();
  });

  it("shows why the emulator could not start, and what to check", async () => {
    const page = await app.open({ boot: "emulator", bootGate: true });
    await row(page, "Pixel_7_API_34").getByTestId("boot-button").click();
    await status(page, "Pixel_7_API_34", "Starting…");
    await release(page);
    const error = row(page, "Pixel_7_API_34").locator('[data-testid="boot-error"][data-kind="emulator"]');
    await error.waitFor();
    assert.match(await error.textContent(), /hardware acceleration is unavailable.*\/dev\/kvm is not found/);
    assert.match(await error.textContent(), /KVM enabled in the BIOS and your user in the kvm group/);
    // Boot again is the retry; the banner is not used for a row's failure.
    await row(page, "Pixel_7_API_34").getByTestId("boot-button").waitFor();
    assert.equal(await page.getByTestId("error-banner").count(), 0);
    await error.getByTestId("boot-dismiss").click();
    await error.waitFor({ state: "detached" });
    await page.close();
  });

  it("says a boot that timed out may be tried again, and the emulator is gone", async () => {
    const page = await app.open({ boot: "timeout", bootGate: true });
    await row(page, "Pixel_7_API_34").getByTestId("boot-button").click();
    await release(page);
    await device(page, "android://emulator-5556").waitFor();
    await release(page);
    const error = row(page, "Pixel_7_API_34").locator('[data-testid="boot-error"][data-kind="timeout"]');
    await error.waitFor();
    assert.match(await error.textContent(), /did not finish booting within 300s/);
    assert.match(await error.textContent(), /A cold boot can take minutes: boot it again to keep waiting/);
    await device(page, "android://emulator-5556").waitFor({ state: "detached" });
    await page.close();
  });

  it("says in one quiet line when no emulator is installed", async () => {
    const page = await app.open({ virtual: "none" });
    const empty = page.getByTestId("virtual-empty");
    await empty.waitFor();
    assert.equal((await empty.textContent()).trim(), "No emulators found · how to install");
    // Missing tools are not problems to shout about.
    assert.equal(await page.getByTestId("virtual-problems").count(), 0);
    assert.equal(await page.getByTestId("boot-button").count(), 0);
    await empty.getByTestId("virtual-install").click();
    await page.locator('[data-testid="missing-tool"][data-tools="emulator"]').waitFor();
    assert.match(await page.locator('[data-testid="missing-tool"][data-tools="emulator"]').textContent(), /Android Studio: SDK Manager → SDK Tools/);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("says how to get one when the emulator has no AVD", async () => {
    const page = await app.open({ virtual: "no_avds" });
    const empty = page.getByTestId("virtual-empty");
    await empty.waitFor();
    assert.match(await empty.textContent(), /No virtual devices: create one in Android Studio's Device Manager/);
    assert.equal(await page.getByTestId("virtual-problems").count(), 0, "a missing xcrun (Linux) is not a problem");
    await page.close();
  });

  it("boots a shut-down simulator from its device row, without listing it twice", async () => {
    const page = await app.open({ simInDevices: true, bootGate: true });
    const sim = page.locator(`[data-testid="device-item"][data-id="sim://${SIM_UDID}"][data-state="shutdown"]`);
    await sim.waitFor();
    await row(page, "Small_Phone").waitFor();
    assert.equal(await row(page, SIM_UDID).count(), 0, "the simulator is a device row already");
    const li = page.locator("li", { has: page.locator(`[data-testid="device-item"][data-id="sim://${SIM_UDID}"]`) });
    await li.getByTestId("boot-button").click();
    await li.getByTestId("boot-status").filter({ hasText: "Starting…" }).waitFor();
    await release(page);
    await page.locator(`[data-testid="device-item"][data-id="sim://${SIM_UDID}"][data-state="device"]`).waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid="boot-status"]'));
    assert.equal(await li.getByTestId("boot-button").count(), 0, "a booted simulator has no Boot");
    assert.equal((await calls(page, "boot_virtual_device"))[0].args.id, SIM_UDID);
    await page.close();
  });

  it("shows the devices with the virtual devices, so the recent list below moves once", async () => {
    const page = await app.open({ listGate: true });
    // Every place the first recent entry is drawn at, from here on.
    await page.evaluate(() => {
      window.__recentTops = [];
      const note = () => {
        const el = document.querySelector('[data-testid="recent-item"]');
        const top = el?.getBoundingClientRect().top;
        if (top !== undefined && window.__recentTops.at(-1) !== top) window.__recentTops.push(top);
      };
      note();
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.waitForFunction(() => window.__sondeMock.calls.some((c) => c.cmd === "list_devices" && c.done));
    await page.getByTestId("recent-item").first().waitFor();
    // Two frames after the devices came in: still waiting for the virtual ones.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    assert.equal(await page.getByTestId("device-item").count(), 0, "the device list waits for the virtual devices");
    await page.getByText("Looking for devices…").waitFor();

    await page.evaluate(() => window.__sondeMock.virtual.releaseList());
    await page.getByTestId("virtual-device").first().waitFor();
    assert.ok((await page.getByTestId("device-item").count()) > 0);
    const tops = await page.evaluate(() => window.__recentTops);
    assert.equal(tops.length, 2, `the recent list moved ${tops.length - 1} times: ${tops.join(" → ")}`);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("does not hold the devices back for long when the virtual devices are slow", async () => {
    const page = await app.open({ listGate: true });
    await page.getByTestId("device-item").first().waitFor();
    assert.equal(await page.getByTestId("virtual-devices").count(), 0);
    await page.evaluate(() => window.__sondeMock.virtual.releaseList());
    await page.getByTestId("virtual-device").first().waitFor();
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
