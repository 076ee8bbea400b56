// Encrypted (SQLCipher) databases (issue 12): opening one asks for its key
// in a prompt instead of failing with a banner; a wrong or malformed key
// keeps the prompt open with why; advanced settings go with the key; the
// backend remembers the key for the run; the UI never stores it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, problemsOf, startApp } from "./lib/app.mjs";

const SECURE = "android://emulator-5554/com.example.secure/databases/vault.db";
const KEY = "correct horse";

const banner = (page) => page.getByTestId("error-banner");
const prompt = (page) => page.getByTestId("key-prompt");
const secrets = (page) => page.locator('[data-testid="table-item"][data-name="secrets"]');

/** Device → the Vault app → vault.db (encrypted). */
async function clickVault(page) {
  await page.locator('[data-testid="device-item"][data-id="android://emulator-5554"]').click();
  await page.locator('[data-testid="app-item"][data-id="com.example.secure"]').click();
  await page.locator('[data-testid="db-item"][data-uri$="/vault.db"]').click();
}

/** Every attribute of every element (inputs' values are properties, not attributes). */
const allAttributes = (page) =>
  page.evaluate(() => [...document.querySelectorAll("*")].flatMap((el) => [...el.attributes].map((a) => `${a.name}=${a.value}`)).join("\n"));

const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { testId: el?.getAttribute("data-testid"), start: el?.selectionStart, end: el?.selectionEnd, length: el?.value?.length };
  });

describe("encrypted databases", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  it("opening an encrypted database asks for its key, not a banner", async () => {
    const page = await app.open();
    await clickVault(page);
    await prompt(page).waitFor();
    assert.match(await prompt(page).getAttribute("aria-label"), /vault\.db/);
    assert.match(await prompt(page).locator("h2").textContent(), /vault\.db/);
    assert.match(await prompt(page).textContent(), /a passphrase, or x'…' for a raw key/);
    const input = page.getByTestId("key-input");
    assert.equal(await input.getAttribute("type"), "password");
    assert.equal((await focused(page)).testId, "key-input", "the key input has the focus");
    assert.equal(await page.getByTestId("key-error").count(), 0);
    assert.equal(await banner(page).count(), 0);
    assert.equal(await page.getByTestId("key-open").isDisabled(), true, "nothing to open with yet");
    // Show / Hide.
    await input.fill("abc");
    await page.getByTestId("key-show").click();
    await page.locator('[data-testid="key-input"][type="text"]').waitFor();
    await page.getByTestId("key-show").click();
    await page.locator('[data-testid="key-input"][type="password"]').waitFor();
    assert.equal(await input.inputValue(), "abc");
    const opens = await calls(page, "open_database");
    assert.deepEqual(opens.map((c) => c.args), [{ location: SECURE }], "tried without a key first");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("a wrong key keeps the prompt open with why, the key selected to retype", async () => {
    const page = await app.open();
    await clickVault(page);
    const input = page.getByTestId("key-input");
    await input.fill("wrong horse");
    await input.press("Enter");
    const error = page.locator('[data-testid="key-error"][data-kind="wrong_key"]');
    await error.waitFor();
    assert.match(await error.textContent(), /wrong key for this encrypted database \(or settings it does not use\)/);
    assert.match(await error.textContent(), /check the key and its SQLCipher settings/);
    assert.equal(await banner(page).count(), 0);
    assert.equal(await prompt(page).isVisible(), true);
    assert.deepEqual(await focused(page), { testId: "key-input", start: 0, end: "wrong horse".length, length: "wrong horse".length });
    // A malformed raw key: its message, in the prompt.
    await input.fill("x'abcd'");
    await page.getByTestId("key-open").click();
    const invalid = page.locator('[data-testid="key-error"][data-kind="invalid"]');
    await invalid.waitFor();
    assert.match(await invalid.textContent(), /^cipher key: a raw key is x'<64 hex digits>' \(or 96 with the salt\)/);
    assert.equal((await focused(page)).testId, "key-input");
    assert.equal(await banner(page).count(), 0);
    // The right one opens it.
    await input.fill(KEY);
    await input.press("Enter");
    await secrets(page).waitFor();
    assert.equal(await prompt(page).count(), 0);
    assert.equal(await banner(page).count(), 0);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("Cancel and Escape close the prompt, nothing opened, no banner", async () => {
    const page = await app.open();
    await clickVault(page);
    await page.getByTestId("key-input").fill("something");
    await page.getByTestId("key-cancel").click();
    await prompt(page).waitFor({ state: "detached" });
    assert.equal(await banner(page).count(), 0);
    assert.equal(await page.locator('[data-testid="table-item"]').count(), 0);
    assert.equal(await page.locator('[data-testid="db-item"].open').count(), 0);
    // Again, then Escape.
    await page.locator('[data-testid="db-item"][data-uri$="/vault.db"]').click();
    await prompt(page).waitFor();
    await page.keyboard.press("Escape");
    await prompt(page).waitFor({ state: "detached" });
    assert.equal(await banner(page).count(), 0);
    assert.equal(await page.locator('[data-testid="table-item"]').count(), 0);
    const opens = await calls(page, "open_database");
    assert.ok(opens.every((c) => !("cipher" in c.args)), "no key was sent");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("the right key opens the tables; reopening later needs no key; the key is stored nowhere", async () => {
    const page = await app.open({ slow: { open_database: 250 } });
    await clickVault(page);
    const input = page.getByTestId("key-input");
    await input.fill(KEY);
    assert.doesNotMatch(await allAttributes(page), new RegExp(KEY), "not in the DOM while typed");
    await page.getByTestId("key-open").click();
    // Deriving the key takes a moment: the button says so and cannot be pressed again.
    const busy = page.locator('[data-testid="key-open"][aria-busy="true"]');
    await busy.waitFor();
    assert.equal(await busy.isDisabled(), true);
    await secrets(page).waitFor();
    assert.equal(await prompt(page).count(), 0);
    assert.equal(await banner(page).count(), 0);
    assert.deepEqual((await calls(page, "open_database")).at(-1).args, { location: SECURE, cipher: { key: KEY, settings: [] } });
    assert.equal(await page.locator('[role="gridcell"][data-row="1"][data-col="1"]').textContent(), "door");

    assert.doesNotMatch(await page.evaluate(() => JSON.stringify(localStorage)), new RegExp(KEY));
    assert.doesNotMatch(await allAttributes(page), new RegExp(KEY));
    assert.doesNotMatch(await page.url(), /horse/);

    // Closed, then opened again: the backend remembers the key.
    await page.getByTestId("close-db").click();
    await secrets(page).waitFor({ state: "detached" });
    await page.locator('[data-testid="db-item"][data-uri$="/vault.db"]').click();
    await secrets(page).waitFor();
    assert.equal(await prompt(page).count(), 0);
    assert.deepEqual((await calls(page, "open_database")).at(-1).args, { location: SECURE });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("advanced settings go with the key, one NAME=VALUE per line", async () => {
    const page = await app.open();
    await clickVault(page);
    await page.locator('[data-testid="key-advanced"] summary').click();
    await page.getByTestId("key-settings").fill("kdf_iter=10000\n\n  cipher_page_size=8192  \ncipher_compatibility=3\n");
    await page.getByTestId("key-input").fill(KEY);
    await page.getByTestId("key-input").press("Enter");
    await secrets(page).waitFor();
    const sent = await page.evaluate(() => window.__sondeMock.cipher.last);
    assert.deepEqual(sent, { key: KEY, settings: ["kdf_iter=10000", "cipher_page_size=8192", "cipher_compatibility=3"] });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("an encrypted file from the open dialog or dropped on the window asks for its key too", async () => {
    const page = await app.open({ openDialog: "encrypted" });
    await page.getByTestId("open-file").click();
    await prompt(page).waitFor();
    assert.match(await prompt(page).locator("h2").textContent(), /vault\.db/);
    assert.equal(await banner(page).count(), 0);
    await page.getByTestId("key-input").fill(KEY);
    await page.getByTestId("key-input").press("Enter");
    await secrets(page).waitFor();
    assert.deepEqual((await calls(page, "open_database")).at(-1).args, { location: "/home/user/vault.db", cipher: { key: KEY, settings: [] } });
    await page.close();

    const dropped = await app.open();
    await dropped.evaluate(() => window.__sondeMock.emit("tauri://drag-drop", { paths: ["/home/user/vault.db"], position: { x: 10, y: 10 } }));
    await prompt(dropped).waitFor();
    assert.match(await prompt(dropped).locator("h2").textContent(), /vault\.db/);
    await dropped.getByTestId("key-input").fill(KEY);
    await dropped.getByTestId("key-open").click();
    await secrets(dropped).waitFor();
    assert.equal(await banner(dropped).count(), 0);
    assert.deepEqual(problemsOf(dropped), []);
    await dropped.close();
  });
});
