// App-wide state: devices, open databases, the selected table and tab, and
// the error banner. Device trees (apps, files) load lazily in their nodes.
import { api } from "../api";
import type { AppInfo } from "../bindings/AppInfo";
import type { DeviceListing } from "../bindings/DeviceListing";
import type { OpenedDb } from "../bindings/OpenedDb";
import type { RecentDatabase } from "../bindings/RecentDatabase";
import { CommandError, toCommandError } from "../errors";
import { createStore } from "./store";

export type Tab = "data" | "schema" | "sql";

export interface BannerError {
  kind: string;
  message: string;
  /** What the user was doing ("Opening x.db"). */
  context?: string;
  /** A way out the banner offers as a button. */
  action?: { label: string; run: () => void };
}

export interface AppState {
  info: AppInfo | null;
  devices: DeviceListing | null;
  devicesLoading: boolean;
  recent: RecentDatabase[];
  /** Open databases, in the order they were opened. */
  open: OpenedDb[];
  /** Locations being opened (pulling a snapshot can take a while). */
  opening: string[];
  active: { handle: number; table: string | null } | null;
  tab: Tab;
  error: BannerError | null;
  diagnosticsOpen: boolean;
}

export const appStore = createStore<AppState>({
  info: null,
  devices: null,
  devicesLoading: true,
  recent: [],
  open: [],
  opening: [],
  active: null,
  tab: "data",
  error: null,
  diagnosticsOpen: false,
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
    patch({ recent: await api.recentDatabases() });
  } catch (e) {
    showError(e, "Reading recent databases");
  }
}

function adopt(db: OpenedDb): void {
  appStore.set((s) => {
    // Re-opening a location replaces the old handle (a fresh snapshot).
    const others = s.open.filter((o) => o.location !== db.location);
    const firstTable = db.tables.find((t) => t.kind === "table") ?? db.tables[0];
    return {
      ...s,
      open: [...others, db],
      active: { handle: db.handle, table: firstTable?.name ?? null },
      tab: firstTable ? "data" : "sql",
      error: null,
    };
  });
  void refreshRecent();
}

export async function openLocation(location: string, label?: string, recoverHotJournal = false): Promise<OpenedDb | null> {
  patch({ opening: [...appStore.get().opening, location] });
  try {
    const previous = appStore.get().open.find((o) => o.location === location);
    const db = await api.openDatabase(location, recoverHotJournal);
    if (previous && previous.handle !== db.handle) void api.closeDatabase(previous.handle).catch(() => undefined);
    adopt(db);
    return db;
  } catch (e) {
    const err = toCommandError(e);
    showError(err, `Opening ${label ?? location}`, recoverAction(err, location, label));
    return null;
  } finally {
    appStore.set((s) => ({ ...s, opening: s.opening.filter((l) => l !== location) }));
  }
}

export async function openFileDialog(): Promise<void> {
  try {
    const db = await api.openFileDialog();
    if (db) adopt(db);
  } catch (e) {
    const err = toCommandError(e);
    showError(err, "Opening a file", recoverAction(err, err.location));
  }
}

export async function closeDatabase(handle: number): Promise<void> {
  appStore.set((s) => ({
    ...s,
    open: s.open.filter((o) => o.handle !== handle),
    active: s.active?.handle === handle ? null : s.active,
  }));
  try {
    await api.closeDatabase(handle);
  } catch (e) {
    showError(e, "Closing the database");
  }
}

export const selectTable = (handle: number, table: string | null, tab?: Tab) =>
  appStore.set((s) => ({ ...s, active: { handle, table }, tab: tab ?? (s.tab === "sql" && table ? "data" : s.tab) }));

export const setTab = (tab: Tab) => patch({ tab });
export const setDiagnosticsOpen = (diagnosticsOpen: boolean) => patch({ diagnosticsOpen });

export function activeDb(s: AppState): OpenedDb | undefined {
  return s.active ? s.open.find((o) => o.handle === s.active?.handle) : undefined;
}
