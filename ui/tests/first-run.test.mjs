// A first run and missing tools: the first screen says what to do with a
// real phone (only while nothing was ever opened), the "no devices" state
// points to Diagnostics, and Diagnostics says how to install each missing
// tool, its command ready to copy.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { problemsOf, startApp } from "./lib/app.mjs";

describe("first run and missing tools", () => {
  let app;
  before(async () => {
    app = await startApp();
    await app.browser.context.grantPermissions(["clipboard-read", "clipboard-write"]);
  });
  after(() => app?.close());

  it("says what to do with a phone on a first run only", async () => {
    const page = await app.open({ recent: "none" });
    const first = page.getByTestId("first-run");
    await first.waitFor();
    assert.match(await first.textContent(), /Android phone:.*iPhone:.*simulated device works without a phone/s);
    // The welcome's own line stays.
    assert.match(await page.getByTestId("welcome").textContent(), /Pick a device, an app and a database on the left/);
    await page.close();

    const again = await app.open();
    await again.locator('[data-testid="recent-item"]').first().waitFor();
    await again.getByTestId("welcome").waitFor();
    assert.equal(await again.getByTestId("first-run").count(), 0, "not once databases were opened");
    await again.close();
  });

  it("points from “No devices” to how to install the tools", async () => {
    const page = await app.open({ devices: "none" });
    await page.getByTestId("no-devices").waitFor();
    await page.getByTestId("no-devices-tools").click();
    await page.getByTestId("missing-tools").waitFor();
    await page.close();
  });

  it("shows how to install a missing tool, with its command to copy", async () => {
    const page = await app.open({ os: "linux" });
    await page.getByTestId("diagnostics-button").click();
    const tool = page.locator('[data-testid="missing-tool"][data-tools="idevice_id"]');
    await tool.waitFor();
    assert.match(await tool.textContent(), /idevice_id is not installed · needed for iPhones over USB/);
    assert.match(await tool.textContent(), /Install libimobiledevice \(Debian\/Ubuntu: apt install libimobiledevice-utils ideviceinstaller\)\./);
    assert.equal(await tool.getByTestId("install-command").textContent(), "sudo apt install libimobiledevice-utils ideviceinstaller");
    await tool.getByTestId("copy-command").click();
    await tool.getByTestId("copy-command").filter({ hasText: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "sudo apt install libimobiledevice-utils ideviceinstaller");
    // Found tools, a built-in fallback and Xcode off macOS are not missing.
    assert.deepEqual(await page.getByTestId("missing-tool").evaluateAll((els) => els.map((e) => e.dataset.tools)), ["idevice_id"]);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("gives Homebrew's command on macOS, without sudo", async () => {
    const page = await app.open({ os: "macos", virtual: "none" });
    await page.getByTestId("diagnostics-button").click();
    const ios = page.locator('[data-testid="missing-tool"][data-tools="idevice_id"]');
    await ios.waitFor();
    assert.equal(await ios.getByTestId("install-command").textContent(), "brew install libimobiledevice ideviceinstaller");
    // A hint without a command line shows no command.
    const emulator = page.locator('[data-testid="missing-tool"][data-tools="emulator"]');
    assert.match(await emulator.textContent(), /needed for booting Android virtual devices/);
    assert.equal(await emulator.getByTestId("install-command").count(), 0);
    await page.close();
  });
});
