// Issue 13, "speak the app's language": Core Data and Room databases are
// shown the way the app sees them. Tables by entity (the SQL name as
// detail), join tables by relationship, bookkeeping tables in a collapsed
// "Internal" group; Z_PK/Z_ENT/Z_OPT explained; values by display kind
// (dates in local time with UTC and the stored number on hover, UUIDs,
// image thumbnails, JSON summaries); the inspector's decoded forms with a
// Raw toggle; "Show as" per column, remembered; the date editor writing
// the exact stored value; a Room database's schema change confirmed first.
// The browser runs in Europe/Paris, so local times are known here.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { calls, cell, clearCalls, problemsOf, startApp } from "./lib/app.mjs";

const IPHONE = "ios://00008110-001A2B3C";
const EMULATOR = "android://emulator-5554";

async function openPlanner(page) {
  await page.locator(`[data-testid="device-item"][data-id="${IPHONE}"]`).click();
  await page.locator('[data-testid="app-item"][data-id="com.example.planner"]').click();
  await page.locator('[data-testid="db-item"][data-uri$="/Planner.sqlite"]').click();
  await cell(page, 0, 0).filter({ hasText: /./ }).waitFor();
}

async function openSocial(page) {
  await page.locator(`[data-testid="device-item"][data-id="${EMULATOR}"]`).click();
  await page.locator('[data-testid="app-item"][data-id="com.example.social"]').click();
  await page.locator('[data-testid="db-item"][data-uri$="/social.db"]').click();
  await cell(page, 0, 0).filter({ hasText: /./ }).waitFor();
}

const tableItem = (page, name) => page.locator(`[data-testid="table-item"][data-name="${name}"]`);
const header = (page, name) => page.locator(`[data-testid="column-header"][data-name="${name}"]`);
const panel = (page) => page.getByTestId("side-panel");

/** Makes a cell the active one (the inspector shows it), scrolling it into view with the keyboard. */
async function select(page, row, col) {
  await cell(page, row, 0).click();
  for (let c = 0; c < col; c++) await page.keyboard.press("ArrowRight");
  await cell(page, row, col).and(page.locator(".active")).waitFor();
}

async function showAs(page, column, kind) {
  await header(page, column).click({ button: "right" });
  await page.getByTestId("column-menu").waitFor();
  await page.locator(`[data-testid="show-as"][data-kind="${kind}"]`).click();
  await page.getByTestId("column-menu").waitFor({ state: "detached" });
}

describe("frameworks", () => {
  let app;
  before(async () => {
    app = await startApp({ timezoneId: "Europe/Paris" });
  });
  after(() => app?.close());

  it("lists Core Data tables by entity and relationship, the bookkeeping tables in a collapsed group", async () => {
    const page = await app.open();
    await openPlanner(page);
    // The store opens on the first of the app's tables, not a bookkeeping one.
    assert.equal(await tableItem(page, "ZITEM").getAttribute("aria-current"), "true");
    const item = tableItem(page, "ZITEM");
    assert.equal(await item.getByTestId("table-title").textContent(), "Item");
    assert.equal(await item.getByTestId("table-sub").textContent(), "ZITEM · Item, Note, Task");
    assert.match(await item.getAttribute("title"), /entities Item, Note, Task/);
    assert.equal(await tableItem(page, "ZPROJECT").getByTestId("table-title").textContent(), "Project");
    const join = tableItem(page, "Z_1TAGS");
    assert.equal(await join.getByTestId("table-title").textContent(), "Item.tags");
    assert.equal(await join.getByTestId("table-sub").textContent(), "Z_1TAGS");
    assert.match(await join.getAttribute("title"), /to-many relationship Item\.tags/);

    // Internal tables: last, collapsed, counted.
    const group = page.getByTestId("internal-group");
    assert.equal(await group.textContent(), "▸Internal (3)");
    assert.equal(await group.getAttribute("aria-expanded"), "false");
    assert.equal(await tableItem(page, "Z_PRIMARYKEY").count(), 0);
    const names = await page.locator('[data-testid="table-item"]').evaluateAll((els) => els.map((e) => e.dataset.name));
    assert.deepEqual(names, ["ZITEM", "ZPROJECT", "ZTAG", "Z_1TAGS"]);
    await group.click();
    assert.equal(await group.getAttribute("aria-expanded"), "true");
    const internal = await page.getByTestId("internal-tables").locator('[data-testid="table-item"]').evaluateAll((els) => els.map((e) => e.dataset.name));
    assert.deepEqual(internal, ["Z_METADATA", "Z_MODELCACHE", "Z_PRIMARYKEY"]);
    await tableItem(page, "Z_PRIMARYKEY").click();
    await cell(page, 0, 1).filter({ hasText: "Item" }).waitFor();
    await group.click();
    // Collapsing keeps the shown table in view.
    assert.equal(await tableItem(page, "Z_PRIMARYKEY").count(), 1);

    // The framework is said once, beside the database (and in the crumbs).
    const tag = page.locator('[data-testid="db-item"][data-uri$="/Planner.sqlite"]').getByTestId("framework-tag");
    assert.equal(await tag.textContent(), "Core Data");
    await tableItem(page, "ZITEM").click();
    await page.locator(".crumbs .table-label").filter({ hasText: "Item" }).waitFor();
    assert.equal(await page.locator(".crumbs .sql-name").textContent(), "ZITEM");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("explains Z_PK, Z_ENT and Z_OPT, keeps them narrow and names each row's entity", async () => {
    const page = await app.open();
    await openPlanner(page);
    const expected = {
      Z_PK: "Core Data's primary key of the row (with Z_ENT, its NSManagedObjectID)",
      Z_ENT: "the row's entity: entities of one hierarchy share a table",
      Z_OPT: "the row's version for optimistic locking: every save bumps it; Sonde bumps it on every edit",
    };
    for (const [name, text] of Object.entries(expected)) {
      const h = header(page, name);
      assert.ok((await h.getAttribute("title")).includes(`${name}: ${text}`), `${name} explained`);
      assert.equal(await h.getAttribute("data-bookkeeping"), "true");
      assert.ok((await h.boundingBox()).width <= 130, `${name} is narrow`);
    }
    assert.match(await header(page, "Z_ENT").getAttribute("title"), /holds the entities Item, Note, Task/);
    assert.equal(await header(page, "ZTITLE").getAttribute("data-bookkeeping"), null);
    assert.match(await cell(page, 0, 2).getAttribute("class"), /bookkeeping/);
    // Z_ENT shows the entity (from Z_PRIMARYKEY) beside the stored number.
    await cell(page, 1, 1).filter({ hasText: "Note" }).waitFor();
    assert.equal(await cell(page, 1, 1).textContent(), "2 Note");
    assert.equal(await cell(page, 2, 1).textContent(), "3 Task");
    await cell(page, 1, 1).hover();
    await page.waitForFunction(() => document.querySelector('[role="gridcell"][data-row="1"][data-col="1"]')?.title);
    assert.match(await cell(page, 1, 1).getAttribute("title"), /^Z_ENT = 2: Note\nThis table holds the entities Item, Note, Task/);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("shows a Core Data date in local time, UTC and the stored number on hover; UUIDs as text", async () => {
    const page = await app.open();
    await openPlanner(page);
    // 786016000.25 s after 2001-01-01 = 2025-11-28T09:46:40.250Z = 10:46:40.250 in Paris.
    assert.equal(await cell(page, 0, 3).textContent(), "2025-11-28 10:46:40.250");
    assert.equal(await cell(page, 1, 3).textContent(), "2025-11-28 11:46:40");
    assert.equal(await cell(page, 3, 3).textContent(), "NULL");
    await cell(page, 0, 3).hover();
    await page.waitForFunction(() => document.querySelector('[role="gridcell"][data-row="0"][data-col="3"]')?.title);
    const title = await cell(page, 0, 3).getAttribute("title");
    assert.match(title, /^2025-11-28 10:46:40\.250 local time \(Europe\/Paris, UTC\+01:00\)$/m);
    assert.match(title, /^2025-11-28T09:46:40\.250Z UTC$/m);
    assert.match(title, /^Stored: 786016000\.25 \(seconds since 2001-01-01 \(Core Data\)\)$/m);
    assert.equal(await header(page, "ZCREATEDAT").getByTestId("display-badge").textContent(), "date");
    assert.equal(await header(page, "ZCREATEDAT").getAttribute("data-display"), "coredata-date");

    // A 16-byte BLOB as a UUID; 15 bytes are not one: shown as stored.
    assert.equal(await cell(page, 0, 4).textContent(), "6F9619FF-8B86-D011-B42D-00C04FC964FF");
    assert.equal(await cell(page, 2, 4).textContent(), "BLOB 15 B");
    assert.equal(await header(page, "ZIDENTIFIER").getByTestId("display-badge").textContent(), "uuid");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("shows images as thumbnails, JSON as a one-line summary and Unix milliseconds as dates (Room)", async () => {
    const page = await app.open();
    await openSocial(page);
    // The bookkeeping tables (first in the listing) are not where it opens.
    assert.equal(await tableItem(page, "users").getAttribute("aria-current"), "true");
    assert.equal(await page.getByTestId("internal-group").textContent(), "▸Internal (2)");
    assert.equal(await page.locator(".crumbs").getByTestId("framework-tag").textContent(), "Room · v3");
    assert.match(await page.locator(".crumbs").getByTestId("framework-tag").getAttribute("title"), /user_version\): 3/);

    assert.equal(await cell(page, 0, 2).textContent(), "2025-11-28 10:46:40.250");
    assert.equal(await cell(page, 0, 3).textContent(), '{theme: "dark", notifications: {2}, limits: [3]}');
    assert.equal(await header(page, "settings_json").getByTestId("display-badge").textContent(), "json");
    const thumb = cell(page, 0, 4).getByTestId("cell-thumb");
    await thumb.waitFor();
    assert.match(await thumb.getAttribute("src"), /^blob:/);
    // It really loads (the CSP allows blob: images): 3×2 pixels.
    await page.waitForFunction(() => document.querySelector('[data-testid="cell-thumb"]')?.naturalWidth === 3);
    assert.equal(await cell(page, 0, 4).textContent(), "PNG 3×2, 72 B");
    assert.equal(await cell(page, 1, 4).textContent(), "NULL");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("inspects plist, protobuf, gzip and a failed decode, with the raw value one click away", async () => {
    const page = await app.open();
    await openPlanner(page);
    await clearCalls(page);

    // An NSKeyedArchiver plist: a tree, nested keys expand.
    await select(page, 0, 7);
    const decoded = panel(page).getByTestId("inspect-decoded");
    await decoded.getByTestId("decoded-tree").waitFor();
    const call = (await calls(page, "decode_value")).find((c) => c.args.column === "ZATTRIBUTES");
    assert.deepEqual(call.args, { handle: call.args.handle, table: "ZITEM", key: "1", column: "ZATTRIBUTES", kind: "plist" });
    assert.equal(await panel(page).getByTestId("inspect-display").textContent(), "Property list");
    const tree = decoded.getByTestId("decoded-tree");
    await tree.locator('[data-key="name"]').getByText('"Ada"').waitFor();
    assert.equal(await tree.locator('[data-key="sound"]').count(), 0, "nested keys start collapsed");
    await tree.locator('[data-key="reminder"] [data-testid="tree-toggle"]').first().click();
    assert.equal(await tree.locator('[data-key="sound"] [data-testid="tree-value"]').textContent(), '"chime"');
    assert.match(await tree.locator('[data-key="reminder"]').first().textContent(), /NSMutableDictionary/);
    // A node type this UI does not know is shown generically.
    await tree.locator('[data-key="future"] [data-testid="tree-toggle"]').click();
    assert.equal(await tree.locator('[data-key="level"] [data-testid="tree-value"]').textContent(), "9");

    // Raw: the stored bytes; Decoded again.
    await panel(page).getByTestId("inspect-view-raw").click();
    await panel(page).getByTestId("inspect-raw").getByTestId("inspect-hex").filter({ hasText: "bplist00" }).waitFor();
    assert.equal(await decoded.count(), 0);
    await panel(page).getByTestId("inspect-view-decoded").click();
    await decoded.getByTestId("decoded-tree").waitFor();

    // Protobuf fields by number.
    await select(page, 0, 8);
    const proto = panel(page).getByTestId("decoded-tree");
    await proto.locator('[data-key="1"] [data-testid="tree-value"]').first().filter({ hasText: "150 (zigzag 75)" }).waitFor();
    // Top-level fields are open: the nested message's fields show.
    assert.equal(await proto.locator('[data-key="3"] [data-key="1"] [data-testid="tree-value"]').textContent(), "1 (zigzag -1)");

    // 15 bytes are not a UUID: said inline, above the raw view.
    await select(page, 2, 4);
    const error = panel(page).getByTestId("inspect-decode-error");
    await error.waitFor();
    assert.equal(await error.textContent(), "Not shown as UUID: not a UUID: 15 bytes (a UUID is 16)");
    await panel(page).getByTestId("inspect-raw").getByTestId("inspect-hex").waitFor();

    // A Core Data date: local, UTC and the stored number.
    await select(page, 0, 3);
    await panel(page).getByTestId("decoded-date").waitFor();
    assert.equal(await panel(page).getByTestId("decoded-date-local").textContent(), "2025-11-28 10:46:40.250 (Europe/Paris, UTC+01:00)");
    assert.equal(await panel(page).getByTestId("decoded-date-utc").textContent(), "2025-11-28T09:46:40.250Z");
    assert.match(await panel(page).getByTestId("decoded-date-raw").textContent(), /^786016000\.25 seconds since 2001/);
    await select(page, 0, 4);
    assert.equal(await panel(page).getByTestId("decoded-uuid").textContent(), "6F9619FF-8B86-D011-B42D-00C04FC964FF");

    // gzip: the start of the decompressed content.
    await tableItem(page, "ZPROJECT").click();
    await cell(page, 0, 0).filter({ hasText: "1" }).waitFor();
    await select(page, 0, 4);
    assert.equal(await panel(page).getByTestId("decoded-preview").textContent(), "hello");
    assert.match(await panel(page).getByTestId("decoded-decompressed").textContent(), /^gzip · 5 B decompressed$/);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("inspects JSON as a tree and an image with its format, pixel size and byte size", async () => {
    const page = await app.open();
    await openSocial(page);
    await select(page, 0, 3);
    const tree = panel(page).getByTestId("decoded-tree");
    await tree.waitFor();
    assert.equal(await tree.locator('[data-key="theme"] [data-testid="tree-value"]').textContent(), '"dark"');
    await tree.locator('[data-key="notifications"] [data-testid="tree-toggle"]').click();
    assert.equal(await tree.locator('[data-key="push"] [data-testid="tree-value"]').textContent(), "false");

    await select(page, 0, 4);
    assert.equal(await panel(page).getByTestId("decoded-image-info").textContent(), "PNG · 3×2 pixels · 72 B");
    await page.waitForFunction(() => document.querySelector('[data-testid="decoded-image"]')?.naturalHeight === 2);
    await panel(page).getByTestId("inspect-view-raw").click();
    await panel(page).getByTestId("inspect-raw").getByTestId("inspect-hex").waitFor();
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("shows a column as stored and back to automatic, remembered after reopening the database", async () => {
    const page = await app.open();
    await openPlanner(page);
    await clearCalls(page);
    await showAs(page, "ZCREATEDAT", "raw");
    await cell(page, 0, 3).filter({ hasText: "786016000.25" }).waitFor();
    const [set] = await calls(page, "set_display_kind");
    assert.deepEqual(set.args, { handle: set.args.handle, table: "ZITEM", column: "ZCREATEDAT", kind: "raw" });
    assert.equal(await header(page, "ZCREATEDAT").getByTestId("display-badge").textContent(), "raw");
    assert.match(await header(page, "ZCREATEDAT").getAttribute("title"), /Shown as stored \(your choice\)/);
    const reads = (await calls(page)).filter((c) => c.cmd.startsWith("fetch_page") && c.args.query.table === "ZITEM");
    assert.equal(reads.length, 0, "display only: the rows are not read again");

    // Closed and opened again: still as stored.
    await page.getByTestId("close-db").click();
    await page.locator('[data-testid="db-item"][data-uri$="/Planner.sqlite"]').click();
    await cell(page, 0, 3).filter({ hasText: "786016000.25" }).waitFor();

    // The menu says what is chosen, and Automatic names what was detected.
    await header(page, "ZCREATEDAT").getByTestId("column-menu-button").click();
    await page.getByTestId("column-menu").waitFor();
    assert.equal(await page.locator('[data-testid="show-as"][aria-checked="true"]').getAttribute("data-kind"), "raw");
    assert.equal(await page.locator('[data-testid="show-as"][data-kind="auto"]').textContent(), "Automatic (Core Data date (seconds since 2001))");
    await page.keyboard.press("Escape");
    await page.getByTestId("column-menu").waitFor({ state: "detached" });

    await showAs(page, "ZCREATEDAT", "auto");
    await cell(page, 0, 3).filter({ hasText: "2025-11-28 10:46:40.250" }).waitFor();
    assert.equal((await calls(page, "set_display_kind")).at(-1).args.kind, null);
    assert.equal(await header(page, "ZCREATEDAT").getByTestId("display-badge").textContent(), "date");

    // Any kind can be chosen: the project number read as Unix seconds.
    await showAs(page, "ZPROJECT", "unix-seconds");
    await cell(page, 0, 6).filter({ hasText: "1970-01-01 01:00:01" }).waitFor();
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("edits a Core Data date in a date editor: the exact REAL is saved and Z_OPT goes up", async () => {
    const page = await app.open();
    await openPlanner(page);
    await clearCalls(page);
    await cell(page, 0, 3).dblclick();
    const editor = page.getByTestId("date-editor");
    assert.equal(await editor.inputValue(), "2025-11-28 10:46:40.250");
    // UTC one click away: the same instant.
    await page.getByTestId("date-editor-zone").selectOption("utc");
    assert.equal(await editor.inputValue(), "2025-11-28 09:46:40.250");
    await page.getByTestId("date-editor-zone").selectOption("local");
    assert.equal(await editor.inputValue(), "2025-11-28 10:46:40.250");
    await editor.fill("2025-11-28 11:00:00.750");
    assert.equal(await page.getByTestId("date-editor-preview").textContent(), "= 2025-11-28T10:00:00.750Z UTC");
    await editor.press("Enter");
    await editor.waitFor({ state: "detached" });
    const [enc] = await calls(page, "encode_date");
    assert.deepEqual(enc.args, { kind: "coredata-date", text: "2025-11-28T10:00:00.750Z", stored: "real" });
    await cell(page, 0, 3).filter({ hasText: "2025-11-28 11:00:00.750" }).waitFor();
    await page.getByTestId("save-changes").click();
    await cell(page, 0, 2).filter({ hasText: /^4$/ }).waitFor();
    const [save] = await calls(page, "apply_edits");
    assert.deepEqual(save.args.edits, [{ op: "update", table: "ZITEM", key: "1", set: [{ column: "ZCREATEDAT", value: 786016800.75 }] }]);
    assert.equal(await cell(page, 0, 3).textContent(), "2025-11-28 11:00:00.750");

    // The number editor stays available.
    await cell(page, 1, 3).dblclick();
    await page.getByTestId("date-editor-raw").click();
    assert.equal(await page.getByTestId("cell-editor").inputValue(), "786019600");
    await page.getByTestId("cell-editor").press("Escape");
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("edits a Unix-milliseconds date: an INTEGER stays an INTEGER", async () => {
    const page = await app.open();
    await openSocial(page);
    await clearCalls(page);
    await cell(page, 0, 2).dblclick();
    const editor = page.getByTestId("date-editor");
    await editor.fill("2025-11-28 10:46:41");
    await editor.press("Enter");
    await editor.waitFor({ state: "detached" });
    assert.deepEqual((await calls(page, "encode_date"))[0].args, { kind: "unix-millis", text: "2025-11-28T09:46:41Z", stored: "integer" });
    await page.getByTestId("save-changes").click();
    await page.getByTestId("pending-count").filter({ hasText: /^0$/ }).waitFor();
    const [save] = await calls(page, "apply_edits");
    assert.deepEqual(save.args.edits[0].set, [{ column: "created_at", value: 1764323201000 }]);
    await cell(page, 0, 2).filter({ hasText: "2025-11-28 10:46:41" }).waitFor();
    // A NULL date starts empty; a bad date says why and writes nothing.
    await cell(page, 2, 2).dblclick();
    assert.equal(await editor.inputValue(), "");
    await editor.fill("2025-02-30 10:00");
    await editor.press("Enter");
    assert.match(await page.getByTestId("date-editor-error").textContent(), /no such day/);
    await editor.press("Escape");
    assert.equal((await calls(page, "encode_date")).length, 1);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });

  it("asks before DDL on a Room database, in the console and before pushing", async () => {
    const page = await app.open();
    await openSocial(page);
    await page.getByTestId("tab-sql").click();
    await page.getByTestId("sql-editor").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.press("Delete");
    await page.keyboard.type("ALTER TABLE users ADD COLUMN bio TEXT");
    await clearCalls(page);

    // Cancelled: nothing runs again.
    await page.getByTestId("sql-run").click();
    const dialog = page.getByTestId("confirm-dialog");
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Room checks the identity hash/);
    await page.getByTestId("confirm-cancel").click();
    await page.getByTestId("sql-error").filter({ hasText: /^Not run: this is a Room database/ }).waitFor();
    let runs = await calls(page, "run_sql");
    assert.equal(runs.length, 1);
    assert.equal(runs[0].args.allowSchemaChange, undefined);

    // Confirmed: run again with allowSchemaChange.
    await page.getByTestId("sql-run").click();
    await dialog.waitFor();
    await page.getByTestId("confirm-ok").click();
    await page.getByTestId("sql-status").waitFor();
    runs = await calls(page, "run_sql");
    assert.equal(runs.length, 3);
    assert.equal(runs[1].args.allowSchemaChange, undefined);
    assert.equal(runs[2].args.allowSchemaChange, true);
    assert.equal(runs[2].args.sql, "ALTER TABLE users ADD COLUMN bio TEXT");

    // The push asks too: cancelled, then confirmed.
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-confirm").click();
    await dialog.waitFor();
    assert.match(await dialog.textContent(), /Room checks the identity hash/);
    await page.getByTestId("confirm-cancel").click();
    await page.getByTestId("push-error").filter({ hasText: /Not pushed/ }).waitFor();
    let pushes = await calls(page, "push_database");
    assert.equal(pushes.length, 1);
    assert.equal(pushes[0].args.allowSchemaChange, undefined);
    await page.getByTestId("push-error").getByRole("button", { name: "Close" }).click();
    await page.getByTestId("push-button").click();
    await page.getByTestId("push-confirm").click();
    await dialog.waitFor();
    await page.getByTestId("confirm-ok").click();
    await page.getByTestId("push-dialog").waitFor({ state: "detached" });
    pushes = await calls(page, "push_database");
    assert.equal(pushes.length, 3);
    assert.equal(pushes[2].args.allowSchemaChange, true);
    assert.deepEqual(problemsOf(page), []);
    await page.close();
  });
});
