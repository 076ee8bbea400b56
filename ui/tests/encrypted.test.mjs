// Encrypted (SQLCipher) databases (issue 12): opening one asks for its key
// in a prompt instead of failing with a banner; a wrong or malformed key
// keeps the prompt open with why; advanced settings go with the key; the
// backend keeps the key in memory for the run; the UI never stores it.
// Remember (opt-in) keeps it in the system keychain: the next run opens it
// without asking, a stale one asks again, Forget key removes it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, clearCalls, openTable, problemsOf, startApp } from "./lib/app.mjs";

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
    assert.deepEqual((await calls(page, "open_database")).at(-1).args, { location: SECURE, cipher: { key: KEY, settings: [], remember: false } });
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
    assert.deepEqual(sent, { key: KEY, settings: ["kdf_iter=10000", "cipher_page_size=8192", "cipher_compatibility=3"], remember: false });
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
    assert.deepEqual((await calls(page, "open_database")).at(-1).args, { location: "/home/user/vault.db", cipher: { key: KEY, settings: [], remember: false } });
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

describe("encrypted databases: keys remembered in the system keychain", () => {
  let app;
  before(async () => {
    app = await startApp();
  });
  after(() => app?.close());

  const remember = (page) => page.getByTestId("key-remember");
  const forget = (page) => page.getByTestId("forget-key");
  const tag = (page) => page.getByTestId("encrypted-tag");
  /** What the fake keychain holds for a location (null: nothing). */
  const inKeychain = (page, location = SECURE) => page.evaluate((l) => window.__sondeMock.keychain.get(l), location);
  /** The app's own stores (the fake keychain lives in sessionStorage too: left out). */
  const appStores = (page) =>
    page.evaluate(() => {
      const session = Object.fromEntries(Object.entries(sessionStorage).filter(([k]) => k !== "sonde-mock-keychain"));
      return JSON.stringify(localStorage) + JSON.stringify(session);
    });
  /** Quitting and starting Sonde again: the key in memory is gone, the keychain stays. */
  async function restart(page) {
    await page.reload();
    await page.getByTestId("device-list").waitFor({ state: "attached" });
    await clearCalls(page);
  }
  async function closeVault(page) {
    await page.getByTestId("close-db").click();
    await secrets(page).waitFor({ state: "detached" });
  }

  it("Remember is unticked by default: without it the call says remember false and nothing is kept", async () => {
    const page = await app.open();
    await clickVault(page);
    await prompt(page).waitFor();
    assert.equal(await remember(page).isChecked(), false);
    assert.match(await prompt(page).textContent(), /Remember in the system keychain/);
    assert.match(await prompt(page).textContent(), /keeps the key in memory until it quits; it saves it only in the system keychain, and only if you tick the box/);
    assert.doesNotMatch(await prompt(page).textContent(), /never saves it/);
    await page.getByTestId("key-input").fill(KEY);
    await page.getByTestId("key-input").press("Enter");
    await secrets(page).waitFor();
    assert.deepEqual((await calls(page, "open_database")).at(-1).args, { location: SECURE, cipher: { key: KEY, settings: [], remember: false } });
    assert.equal(await inKeychain(page), null);
    await tag(page).waitFor();
    assert.equal(await tag(page).textContent(), "encrypted");
    assert.equal(await forget(page).count(), 0, "nothing to forget");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("a plain database shows no encrypted tag", async () => {
    const page = await app.open();
    await openTable(page);
    assert.equal(await tag(page).count(), 0);
    assert.equal(await forget(page).count(), 0);
    await page.close();
  });

  it("with Remember ticked the key goes to the keychain: reopening, even after a restart, asks for nothing", async () => {
    const page = await app.open();
    await clickVault(page);
    await remember(page).check();
    await page.getByTestId("key-input").fill(KEY);
    await page.getByTestId("key-open").click();
    await secrets(page).waitFor();
    assert.deepEqual((await calls(page, "open_database")).at(-1).args, { location: SECURE, cipher: { key: KEY, settings: [], remember: true } });
    assert.equal(await inKeychain(page), KEY);
    await tag(page).waitFor();
    await forget(page).waitFor();
    assert.match(await forget(page).getAttribute("title"), /system keychain/);
    assert.equal(await banner(page).count(), 0);
    assert.doesNotMatch(await allAttributes(page), new RegExp(KEY));
    assert.doesNotMatch(await appStores(page), new RegExp(KEY));

    // Closed and opened again from the device tree: no prompt.
    await closeVault(page);
    await clearCalls(page);
    await page.locator('[data-testid="db-item"][data-uri$="/vault.db"]').click();
    await secrets(page).waitFor();
    await forget(page).waitFor();
    assert.equal(await prompt(page).count(), 0);
    assert.deepEqual((await calls(page, "open_database")).map((c) => c.args), [{ location: SECURE }]);

    // Sonde quits and starts again: the keychain's key opens it.
    await restart(page);
    await clickVault(page);
    await secrets(page).waitFor();
    await forget(page).waitFor();
    assert.equal(await prompt(page).count(), 0);
    assert.deepEqual((await calls(page, "open_database")).map((c) => c.args), [{ location: SECURE }], "no key given");
    assert.equal(await page.locator('[role="gridcell"][data-row="1"][data-col="1"]').textContent(), "door");
    assert.doesNotMatch(await allAttributes(page), new RegExp(KEY));
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("Forget key removes it from the keychain; the database stays open; the next run asks again", async () => {
    const page = await app.open({ rememberedKeys: { [SECURE]: KEY } });
    await clickVault(page);
    await secrets(page).waitFor();
    assert.equal(await prompt(page).count(), 0, "opened with the remembered key");
    await forget(page).click();
    const done = page.getByTestId("key-forgotten");
    await done.waitFor();
    assert.match(await done.textContent(), /Key forgotten/);
    assert.match(await done.textContent(), /asks for the key again/);
    await forget(page).waitFor({ state: "detached" });
    assert.deepEqual((await calls(page, "forget_cipher_key")).map((c) => c.args), [{ location: SECURE }]);
    assert.equal(await inKeychain(page), null);
    // Still open, still tagged.
    assert.equal(await secrets(page).count(), 1);
    await tag(page).waitFor();
    assert.equal(await banner(page).count(), 0);
    // Dismissed.
    await done.getByRole("button", { name: "Dismiss" }).click();
    await done.waitFor({ state: "detached" });

    // This run still has the key in memory: closed and reopened, no prompt, nothing to forget.
    await closeVault(page);
    await page.locator('[data-testid="db-item"][data-uri$="/vault.db"]').click();
    await secrets(page).waitFor();
    assert.equal(await prompt(page).count(), 0);
    assert.equal(await forget(page).count(), 0);

    // The next run: the prompt again, Remember unticked.
    await restart(page);
    await clickVault(page);
    await prompt(page).waitFor();
    assert.equal(await page.getByTestId("key-error").count(), 0);
    assert.equal(await remember(page).isChecked(), false);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("a stale remembered key opens the prompt with why and Remember ticked", async () => {
    const page = await app.open({ rememberedKeys: { [SECURE]: "old horse" } });
    await clickVault(page);
    await prompt(page).waitFor();
    const error = page.locator('[data-testid="key-error"][data-kind="wrong_key"]');
    await error.waitFor();
    assert.match(await error.textContent(), /the key remembered in the keychain no longer opens this encrypted database: give its key/);
    assert.equal(await remember(page).isChecked(), true, "the user chose to remember it before");
    assert.equal(await banner(page).count(), 0);
    // A wrong key again: still ticked.
    await page.getByTestId("key-input").fill("wrong horse");
    await page.getByTestId("key-input").press("Enter");
    await page.locator('[data-testid="key-error"][data-kind="wrong_key"]').filter({ hasText: /wrong key for this/ }).waitFor();
    assert.equal(await remember(page).isChecked(), true);
    assert.equal(await inKeychain(page), "old horse", "a key that did not open it replaces nothing");
    // The right one replaces the stale key.
    await page.getByTestId("key-input").fill(KEY);
    await page.getByTestId("key-input").press("Enter");
    await secrets(page).waitFor();
    assert.deepEqual((await calls(page, "open_database")).at(-1).args, { location: SECURE, cipher: { key: KEY, settings: [], remember: true } });
    assert.equal(await inKeychain(page), KEY);
    await forget(page).waitFor();
    assert.doesNotMatch(await allAttributes(page), new RegExp(KEY));
    assert.deepEqual(problemsOf(page), []);
    await page.close();

    // Unticked: the right key opens it and the stale one goes.
    const untick = await app.open({ rememberedKeys: { [SECURE]: "old horse" } });
    await clickVault(untick);
    await untick.locator('[data-testid="key-error"][data-kind="wrong_key"]').waitFor();
    await remember(untick).uncheck();
    await untick.getByTestId("key-input").fill(KEY);
    await untick.getByTestId("key-input").press("Enter");
    await secrets(untick).waitFor();
    assert.deepEqual((await calls(untick, "open_database")).at(-1).args.cipher, { key: KEY, settings: [], remember: false });
    assert.equal(await inKeychain(untick), null);
    assert.equal(await forget(untick).count(), 0);
    await untick.close();
  });

  it("without a keychain the database opens all the same, with a notice of why its key was not remembered", async () => {
    const page = await app.open({ keychain: "unavailable" });
    await clickVault(page);
    await remember(page).check();
    await page.getByTestId("key-input").fill(KEY);
    await page.getByTestId("key-input").press("Enter");
    await secrets(page).waitFor();
    const notice = page.getByTestId("keychain-notice");
    await notice.waitFor();
    assert.match(await notice.textContent(), /is open, but its key could not be remembered/);
    assert.match(
      await page.getByTestId("keychain-reason").textContent(),
      /^the system keychain could not be used: org\.freedesktop\.DBus\.Error\.ServiceUnknown: The name org\.freedesktop\.secrets was not provided by any \.service files$/,
    );
    assert.equal(await banner(page).count(), 0, "not a failed open");
    assert.equal(await prompt(page).count(), 0);
    assert.equal(await forget(page).count(), 0);
    await tag(page).waitFor();
    await notice.getByRole("button", { name: "Dismiss" }).click();
    await notice.waitFor({ state: "detached" });
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("a Forget the keychain refuses goes to the banner; the key stays remembered", async () => {
    const page = await app.open({
      rememberedKeys: { [SECURE]: KEY },
      errors: { forget_cipher_key: { kind: "keychain", message: "the system keychain could not be used: the collection is locked" } },
    });
    await clickVault(page);
    await secrets(page).waitFor();
    await forget(page).click();
    await banner(page).waitFor();
    assert.equal(await banner(page).getAttribute("data-kind"), "keychain");
    assert.match(await banner(page).textContent(), /Forgetting the key of .*vault\.db failed/);
    assert.match(await banner(page).textContent(), /the collection is locked/);
    assert.equal(await forget(page).isVisible(), true);
    assert.equal(await page.getByTestId("key-forgotten").count(), 0);
    await page.close();
  });

  it("a local encrypted file from the open dialog opens with its remembered key", async () => {
    const page = await app.open({ openDialog: "encrypted", rememberedKeys: { "/home/user/vault.db": KEY } });
    await page.getByTestId("open-file").click();
    await secrets(page).waitFor();
    assert.equal(await prompt(page).count(), 0);
    await forget(page).click();
    await page.getByTestId("key-forgotten").waitFor();
    assert.deepEqual((await calls(page, "forget_cipher_key")).map((c) => c.args), [{ location: "file:///home/user/vault.db" }]);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
