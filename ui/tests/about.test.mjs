// The About box: icon, name, the version app_info gives, what Sonde is,
// and the licences of the bundled components (ui/public/licenses.json,
// written by scripts/licenses.mjs) grouped by licence.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { problemsOf, startApp } from "./lib/app.mjs";

const LICENSES = JSON.parse(readFileSync(join(import.meta.dirname, "..", "public", "licenses.json"), "utf8"));

describe("about", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("shows the version and the bundled components by licence, and closes with Escape", async () => {
    const page = await app.open();
    await page.getByTestId("about-button").click();
    const dialog = page.getByTestId("about-dialog");
    await dialog.waitFor();
    assert.equal(await dialog.locator("svg.app-icon").count(), 1);
    assert.match(await dialog.textContent(), /Sonde/);
    // The mock's app_info says 0.1.0.
    assert.equal((await dialog.getByTestId("about-version").textContent()).trim(), "Version 0.1.0");

    const mit = dialog.locator('[data-testid="license-group"][data-license="MIT"]');
    await mit.waitFor();
    const mitCount = LICENSES.npm.filter((c) => c.license === "MIT").length + LICENSES.crates.filter((c) => c.license === "MIT").length;
    assert.match(await mit.locator("summary").textContent(), new RegExp(`MIT\\s*· ${mitCount}$`));
    // Collapsed until asked.
    const react = mit.locator('[data-testid="license-item"][data-name="react"]');
    assert.equal(await react.isVisible(), false);
    await mit.locator("summary").click();
    assert.match(await react.textContent(), /react 18\.3\.1\s*npm/);
    assert.match(await dialog.getByTestId("license-count").textContent(), new RegExp(`${LICENSES.npm.length} npm packages`));
    // @tauri-apps/api is dual-licensed: one group for "MIT OR Apache-2.0" however it is spelled.
    await dialog.locator('[data-testid="license-group"][data-license="Apache-2.0 OR MIT"] [data-name="@tauri-apps/api"]').waitFor({ state: "attached" });

    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
