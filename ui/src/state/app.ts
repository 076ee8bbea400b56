// App-wide state: devices, open databases (with their push status), the
// selected table and tab, and the error banner. Device trees (apps, files)
// load lazily in their nodes.
import { api, type Cipher } from "../api";
import type { AppInfo } from "../bindings/AppInfo";
import type { DbStatus } from "../bindings/DbStatus";
import type { DeviceListing } from "../bindings/DeviceListing";
import type { OpenedDb } from "../bindings/OpenedDb";
import type { PushOutcome } from "../bindings/PushOutcome";
import type { RecentDatabase } from "../bindings/RecentDatabase";
import { firstTableOf } from "../display/frameworks";
import { CommandError, toCommandError } from "../errors";
import { keyPromptStore, type KeyRequest } from "./keyPrompt";
import { createStore } from "./store";

export type Tab = "data" | "schema" | "sql" | "changes";

export interface BannerError {
  kind: string;
  message: string;
  /** What the user was doing ("Opening x.db"). */
  context?: string;
  /** A way out the banner offers as a button. */
  action?: { label: string; run: () => void };
}

/** What became of an open database's key in the OS keychain, said in a notice above its views. */
export type KeyNotice =
  /** Forget key: `removed` false when the keychain held none any more. */
  | { kind: "forgotten"; removed: boolean }
  /** Remembering was asked for and the keychain refused; the database is open all the same. */
  | { kind: "not_remembered"; reason: string };

export interface AppState {
  info: AppInfo | null;
  devices: DeviceListing | null;
  devicesLoading: boolean;
  recent: RecentDatabase[];
  /** The recent list was read once (till then a first run cannot be told). */
  recentLoaded: boolean;
  /** Open databases, in the order they were opened. */
  open: OpenedDb[];
  /** Locations being opened (pulling a snapshot can take a while). */
  opening: string[];
  active: { handle: number; table: string | null } | null;
  tab: Tab;
  error: BannerError | null;
  diagnosticsOpen: boolean;
  aboutOpen: boolean;
  shortcutsOpen: boolean;
  /** What each open database has waiting to be pushed (db_status). */
  status: Record<number, DbStatus>;
  /** Bumped when a database's rows changed under the views (save, SQL, pull). */
  dataVersion: Record<number, number>;
  /**
   * Bumped when the app wrote a new version under the views (watch): they
   * read the rows on screen again in place, keeping their position.
   */
  liveVersion: Record<number, number>;
  /** The last push's outcome, until new edits make it stale. */
  pushed: Record<number, PushOutcome | null>;
  /** The database whose push dialog is open. */
  pushDialog: number | null;
  /** Bumped after a push: device listings (sizes, -wal) are read again. */
  listingVersion: number;
  /** What became of each open database's key in the keychain, until dismissed or closed. */
  keyNotice: Record<number, KeyNotice>;
}

export const appStore = createStore<AppState>({
  info: null,
  devices: null,
  devicesLoading: true,
  recent: [],
  recentLoaded: false,
  open: [],
  opening: [],
  active: null,
  tab: "data",
  error: null,
  diagnosticsOpen: false,
  aboutOpen: false,
  shortcutsOpen: false,
  status: {},
  dataVersion: {},
  liveVersion: {},
  pushed: {},
  pushDialog: null,
  listingVersion: 0,
  keyNotice: {},
});

const patch = (p: Partial<AppState>) => appStore.set((s) => ({ ...s, ...p }));

export function showError(e: unknown, context?: string, action?: BannerError["action"]): CommandError {
  const err = toCommandError(e);
  patch({ error: { kind: err.kind, message: err.message, context, action } });
  return err;
}

/** For a database a crashed app left mid-transaction: roll back, then open. */
function recoverAction(err: CommandError, location: string | undefined, label?: string): BannerError["action"] {
  if (err.kind !== "hot_journal" || !location) return undefined;
  return { label: "Roll back and open", run: () => void openLocation(location, label, true) };
}

export const clearError = () => patch({ error: null });

export async function loadAppInfo(): Promise<void> {
  try {
    patch({ info: await api.appInfo() });
  } catch (e) {
    showError(e, "Reading app info");
  }
}

export async function refreshDevices(): Promise<void> {
  patch({ devicesLoading: true });
  try {
    setDevices(await api.listDevices());
  } catch (e) {
    patch({ devicesLoading: false });
    showError(e, "Listing devices");
  }
}

export function setDevices(listing: DeviceListing): void {
  patch({ devices: listing, devicesLoading: false });
  // The simulated device starts after the window: learn its serial when a
  // device that could be it shows up.
  const sim = appStore.get().info?.simulated_device ?? null;
  const maybeSim = listing.devices.some((d) => d.platform === "android" && d.kind === "network" && d.id !== sim);
  if (maybeSim && !refetchingInfo) {
    refetchingInfo = true;
    void loadAppInfo().finally(() => {
      refetchingInfo = false;
    });
  }
}
let refetchingInfo = false;

export async function refreshRecent(): Promise<void> {
  try {
    patch({ recent: await api.recentDatabases(), recentLoaded: true });
  } catch (e) {
    patch({ recentLoaded: true });
    showError(e, "Reading recent databases");
  }
}

const without = <T>(rec: Record<number, T>, handle: number): Record<number, T> => {
  const next = { ...rec };
  delete next[handle];
  return next;
};

/** Listeners told when a database is adopted (the edits store offers saved edits back). */
const adoptListeners = new Set<(db: OpenedDb) => void>();
export const onAdopt = (l: (db: OpenedDb) => void) => adoptListeners.add(l);

function adopt(db: OpenedDb): void {
  appStore.set((s) => {
    const others = s.open.filter((o) => o.location !== db.location);
    const firstTable = firstTableOf(db.tables);
    return {
      ...s,
      open: [...others, db],
      active: { handle: db.handle, table: firstTable?.name ?? null },
      tab: firstTable ? "data" : "sql",
      error: null,
      // Open, but its key was not remembered: said beside it, not as a failure.
      keyNotice: db.keychain_error ? { ...s.keyNotice, [db.handle]: { kind: "not_remembered", reason: db.keychain_error } } : without(s.keyNotice, db.handle),
    };
  });
  void refreshStatus(db.handle);
  void refreshRecent();
  for (const l of adoptListeners) l(db);
}

/** Opens and adopts (`keep` false: closes it again), the location marked as being opened meanwhile. */
async function openTracked(location: string, recoverHotJournal: boolean, cipher?: Cipher, keep: () => boolean = () => true): Promise<OpenedDb | null> {
  patch({ opening: [...appStore.get().opening, location] });
  try {
    const db = await api.openDatabase(location, recoverHotJournal, cipher);
    if (!keep()) {
      void api.closeDatabase(db.handle).catch(() => undefined);
      return null;
    }
    adopt(db);
    return db;
  } finally {
    appStore.set((s) => ({ ...s, opening: s.opening.filter((l) => l !== location) }));
  }
}

/** An encrypted database without (the right) key: the key prompt, not the banner. */
const needsKey = (err: CommandError) => err.kind === "encrypted" || err.kind === "wrong_key";
/**
 * An open without a key failed on the key the keychain remembered (the
 * first error of a prompt always comes from such an open; a failing key
 * kept in memory says nothing of the keychain).
 */
const rememberedKeyFailed = (err: CommandError) => err.kind === "wrong_key" && /keychain/i.test(err.message);
/** What keeps the key prompt open, its message shown in it. */
const PROMPT_KINDS = new Set(["encrypted", "wrong_key", "invalid"]);

const baseName = (location: string) => location.replace(/[\\/]+$/, "").split(/[\\/]/).pop() || location;

let promptSeq = 0;

/**
 * Asks for the key of an encrypted database and opens it with it; a wrong
 * or malformed key keeps the prompt open with why. The database, or null
 * when cancelled (or another error, shown in the banner).
 */
function askKey(location: string, label: string, recoverHotJournal: boolean, first: CommandError): Promise<OpenedDb | null> {
  // A newer request replaces one still open (that one counts as cancelled).
  keyPromptStore.get()?.cancel();
  const id = ++promptSeq;
  const update = (p: Partial<KeyRequest>) => keyPromptStore.set((cur) => (cur?.id === id ? { ...cur, ...p } : cur));
  return new Promise((resolve) => {
    let settled = false;
    const settle = (db: OpenedDb | null) => {
      if (settled) return;
      settled = true;
      keyPromptStore.set((cur) => (cur?.id === id ? null : cur));
      resolve(db);
    };
    keyPromptStore.set({
      id,
      location,
      label,
      error: first.kind === "wrong_key" ? { kind: first.kind, message: first.message } : null,
      remember: rememberedKeyFailed(first),
      tries: 0,
      busy: false,
      cancel: () => settle(null),
      submit: (cipher) => {
        if (settled || keyPromptStore.get()?.busy) return;
        update({ busy: true });
        // Cancelled while it opened: closed again, the app left as it was.
        openTracked(location, recoverHotJournal, cipher, () => !settled).then(
          (db) => db && settle(db),
          (e) => {
            if (settled) return;
            const err = toCommandError(e);
            if (PROMPT_KINDS.has(err.kind)) {
              update({ busy: false, error: { kind: err.kind, message: err.message }, tries: (keyPromptStore.get()?.tries ?? 0) + 1 });
              return;
            }
            settle(null);
            showError(err, `Opening ${label}`, recoverAction(err, location, label));
          },
        );
      },
    });
  });
}

export async function openLocation(location: string, label?: string, recoverHotJournal = false): Promise<OpenedDb | null> {
  // An open database is only switched to: reopening would drop nothing
  // safely (Refresh pulls a fresh copy, with a question when needed).
  const already = appStore.get().open.find((o) => o.location === location || o.location === `file://${location}`);
  if (already && !recoverHotJournal) {
    activateDb(already.handle);
    return already;
  }
  try {
    return await openTracked(location, recoverHotJournal);
  } catch (e) {
    const err = toCommandError(e);
    if (needsKey(err)) return askKey(location, label ?? baseName(location), recoverHotJournal, err);
    showError(err, `Opening ${label ?? location}`, recoverAction(err, location, label));
    return null;
  }
}

export async function openFileDialog(): Promise<void> {
  try {
    const db = await api.openFileDialog();
    if (!db) return;
    const already = appStore.get().open.find((o) => o.location === db.location && o.handle !== db.handle);
    if (already) activateDb(already.handle);
    else adopt(db);
  } catch (e) {
    const err = toCommandError(e);
    // The dialog's file is encrypted: open it again with its key.
    if (needsKey(err) && err.location) {
      await askKey(err.location, baseName(err.location), false, err);
      return;
    }
    showError(err, "Opening a file", recoverAction(err, err.location));
  }
}

/** Shows an open database: its active table if it has one, else its first. */
export function activateDb(handle: number): void {
  appStore.set((s) => {
    if (s.active?.handle === handle) return s;
    const db = s.open.find((o) => o.handle === handle);
    const first = db ? firstTableOf(db.tables) : undefined;
    return { ...s, active: { handle, table: first?.name ?? null }, tab: first ? s.tab : "sql" };
  });
}

/** Closes without asking (the caller asked when something would be lost). */
export async function closeDatabase(handle: number): Promise<void> {
  appStore.set((s) => ({
    ...s,
    open: s.open.filter((o) => o.handle !== handle),
    active: s.active?.handle === handle ? null : s.active,
    status: without(s.status, handle),
    pushed: without(s.pushed, handle),
    liveVersion: without(s.liveVersion, handle),
    pushDialog: s.pushDialog === handle ? null : s.pushDialog,
    keyNotice: without(s.keyNotice, handle),
  }));
  try {
    await api.closeDatabase(handle);
  } catch (e) {
    showError(e, "Closing the database");
  }
}

/**
 * Removes the key the OS keychain remembers for an open database. It stays
 * open: the backend keeps the key in memory until Sonde quits.
 */
export async function forgetKey(handle: number): Promise<void> {
  const db = appStore.get().open.find((o) => o.handle === handle);
  if (!db) return;
  let removed: boolean;
  try {
    removed = await api.forgetCipherKey(db.location);
  } catch (e) {
    showError(e, `Forgetting the key of ${db.label}`);
    return;
  }
  appStore.set((s) => ({
    ...s,
    // The keychain holds one key per location: every open copy of it is told.
    open: s.open.map((o) => (o.location === db.location ? { ...o, key_remembered: false } : o)),
    keyNotice: s.open.some((o) => o.handle === handle) ? { ...s.keyNotice, [handle]: { kind: "forgotten", removed } } : s.keyNotice,
  }));
}

export const dismissKeyNotice = (handle: number) => appStore.set((s) => ({ ...s, keyNotice: without(s.keyNotice, handle) }));

export async function refreshStatus(handle: number): Promise<void> {
  try {
    const status = await api.dbStatus(handle);
    appStore.set((s) => (s.open.some((o) => o.handle === handle) ? { ...s, status: { ...s.status, [handle]: status } } : s));
  } catch {
    // The database closed meanwhile: nothing to show.
  }
}

/** Rows changed under the views of this database: they read them again. */
export const bumpData = (handle: number) => appStore.set((s) => ({ ...s, dataVersion: { ...s.dataVersion, [handle]: (s.dataVersion[handle] ?? 0) + 1 } }));

/** The app wrote a new version: views read their rows again where they are. */
export const bumpLive = (handle: number) => appStore.set((s) => ({ ...s, liveVersion: { ...s.liveVersion, [handle]: (s.liveVersion[handle] ?? 0) + 1 } }));

/** The table list of an open database changed (the app created or dropped tables). */
export function setTables(handle: number, tables: OpenedDb["tables"]): void {
  appStore.set((s) => {
    const db = s.open.find((o) => o.handle === handle);
    if (!db || JSON.stringify(db.tables.map((t) => [t.name, t.kind])) === JSON.stringify(tables.map((t) => [t.name, t.kind]))) return s;
    const next = { ...db, tables };
    const keep = s.active?.handle !== handle || tables.some((t) => t.name === s.active?.table);
    const first = firstTableOf(tables);
    return {
      ...s,
      open: s.open.map((o) => (o.handle === handle ? next : o)),
      active: keep ? s.active : { handle, table: first?.name ?? null },
    };
  });
}

/** After discard/refresh: the same handle with a fresh table list and rows. */
export function replaceDb(db: OpenedDb): void {
  appStore.set((s) => {
    const keep = s.active?.handle === db.handle && db.tables.some((t) => t.name === s.active?.table);
    const first = firstTableOf(db.tables);
    return {
      ...s,
      open: s.open.map((o) => (o.handle === db.handle ? db : o)),
      active: s.active?.handle === db.handle && !keep ? { handle: db.handle, table: first?.name ?? null } : s.active,
      pushed: { ...s.pushed, [db.handle]: null },
    };
  });
  bumpData(db.handle);
  void refreshStatus(db.handle);
}

export function setPushed(handle: number, outcome: PushOutcome | null): void {
  appStore.set((s) => (s.pushed[handle] === outcome ? s : { ...s, pushed: { ...s.pushed, [handle]: outcome } }));
}

/** After a push the device's files changed: listings are read again. */
export const relistDevices = () => appStore.set((s) => ({ ...s, listingVersion: s.listingVersion + 1 }));

export const selectTable = (handle: number, table: string | null, tab?: Tab) =>
  appStore.set((s) => ({ ...s, active: { handle, table }, tab: tab ?? (s.tab === "sql" && table ? "data" : s.tab) }));

export const setTab = (tab: Tab) => patch({ tab });
export const setDiagnosticsOpen = (diagnosticsOpen: boolean) => patch({ diagnosticsOpen });
export const setAboutOpen = (aboutOpen: boolean) => patch({ aboutOpen });
export const setShortcutsOpen = (shortcutsOpen: boolean) => patch({ shortcutsOpen });
export const setPushDialog = (pushDialog: number | null) => patch({ pushDialog });

export function activeDb(s: AppState): OpenedDb | undefined {
  return s.active ? s.open.find((o) => o.handle === s.active?.handle) : undefined;
}
