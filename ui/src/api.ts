// The one door to the backend: typed wrappers around Tauri commands. Pages
// arrive as raw JSON bytes (decoded here); every rejection becomes a
// CommandError with the backend's `kind`.
import { Channel, invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { App } from "./bindings/App";
import type { BootReport } from "./bindings/BootReport";
import type { BootStep } from "./bindings/BootStep";
import type { Change } from "./bindings/Change";
import type { Conflict } from "./bindings/Conflict";
import type { DbDiff } from "./bindings/DbDiff";
import type { DbFile } from "./bindings/DbFile";
import type { DbStatus } from "./bindings/DbStatus";
import type { DeviceListing } from "./bindings/DeviceListing";
import type { Diagnostics } from "./bindings/Diagnostics";
import type { Edit } from "./bindings/Edit";
import type { ExportProgress } from "./bindings/ExportProgress";
import type { ExportReport } from "./bindings/ExportReport";
import type { ExportSource } from "./bindings/ExportSource";
import type { Filter } from "./bindings/Filter";
import type { Format } from "./bindings/Format";
import type { HistoryEntry } from "./bindings/HistoryEntry";
import type { LoadedFile } from "./bindings/LoadedFile";
import type { OpenedDb } from "./bindings/OpenedDb";
import type { Page } from "./bindings/Page";
import type { PageQuery } from "./bindings/PageQuery";
import type { PendingChange } from "./bindings/PendingChange";
import type { PushProgress } from "./bindings/PushProgress";
import type { PushOutcome } from "./bindings/PushOutcome";
import type { RecentDatabase } from "./bindings/RecentDatabase";
import type { RunScope } from "./bindings/RunScope";
import type { SqlResult } from "./bindings/SqlResult";
import type { SqlRun } from "./bindings/SqlRun";
import type { TableListing } from "./bindings/TableListing";
import type { TableSchema } from "./bindings/TableSchema";
import type { Value } from "./bindings/Value";
import type { VersionInfo } from "./bindings/VersionInfo";
import type { VirtualListing } from "./bindings/VirtualListing";
import type { WatchEvent } from "./bindings/WatchEvent";
import type { Decoded } from "./display/decoded";
import { toCommandError } from "./errors";

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toCommandError(e);
  }
}

const utf8 = new TextDecoder();

/** `fetch_page` answers with the Page as UTF-8 JSON bytes (no Tauri serialization). */
export function decodePage(raw: unknown): Page {
  if (raw instanceof ArrayBuffer) return JSON.parse(utf8.decode(raw)) as Page;
  if (ArrayBuffer.isView(raw)) return JSON.parse(utf8.decode(raw)) as Page;
  if (Array.isArray(raw)) return JSON.parse(utf8.decode(new Uint8Array(raw as number[]))) as Page;
  if (typeof raw === "string") return JSON.parse(raw) as Page;
  return raw as Page; // already an object (should not happen with the real backend)
}

/** Device URI the commands take: `android://SERIAL`, `ios://UDID`, `sim://UDID`. */
export const deviceUri = (d: { platform: string; id: string }) => `${d.platform}://${d.id}`;

/** The key of an encrypted database: a passphrase or `x'<hex>'`, and SQLCipher settings. */
export interface Cipher {
  key: string;
  settings: string[];
  /**
   * Keep the key in the OS keychain once it opens the database (opt-in);
   * false removes a remembered one (it was stale: the prompt only shows
   * when there is no working remembered key).
   */
  remember: boolean;
}

let opCounter = 0;
/** Ids for cancellable operations (push, export, SQL, boot). */
export const newOpId = (what: string) => `${what}-${Date.now().toString(36)}-${++opCounter}`;

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  listDevices: () => call<DeviceListing>("list_devices"),
  /** AVDs and simulators, running or not; a platform whose tool is missing is a problem, not a rejection. */
  listVirtualDevices: () => call<VirtualListing>("list_virtual_devices"),
  /** Boots an AVD or simulator (`id` from listVirtualDevices) and waits until it can be used; can take minutes. */
  bootVirtualDevice: (id: string, opId: string, onProgress: (s: BootStep) => void) => {
    const channel = new Channel<BootStep>(onProgress);
    return call<BootReport>("boot_virtual_device", { id, opId, onProgress: channel });
  },
  listApps: (device: string, includeSystem: boolean) => call<App[]>("list_apps", { device, includeSystem }),
  listDatabases: (device: string, app: string) => call<DbFile[]>("list_databases", { device, app }),
  recentDatabases: () => call<RecentDatabase[]>("recent_databases"),
  /**
   * `cipher`: the key of an encrypted (SQLCipher) database and its settings
   * (`NAME=VALUE`; none: the backend tries SQLCipher 4, 3, 2, 1). Once a
   * database opened with a key, the backend keeps it in memory for this
   * run. Without one, an encrypted database opens with the key the OS
   * keychain remembers, if any.
   */
  openDatabase: (location: string, recoverHotJournal = false, cipher?: Cipher) =>
    call<OpenedDb>("open_database", { location, ...(recoverHotJournal ? { recoverHotJournal } : {}), ...(cipher ? { cipher } : {}) }),
  openFileDialog: () => call<OpenedDb | null>("open_file_dialog"),
  /** Removes the key the OS keychain remembers for it (true: one was there); an open database stays open. */
  forgetCipherKey: (location: string) => call<boolean>("forget_cipher_key", { location }),
  closeDatabase: (handle: number) => call<null>("close_database", { handle }),
  listTables: (handle: number, counts: boolean) => call<TableListing[]>("list_tables", { handle, counts }),
  countRows: (handle: number, table: string, filters: Filter[], exact: boolean) =>
    call<number>("count_rows", { handle, table, filters, exact }),
  tableSchema: (handle: number, table: string) => call<TableSchema>("table_schema", { handle, table }),
  fetchPage: async (handle: number, query: PageQuery) => decodePage(await call<unknown>("fetch_page", { handle, query })),
  fetchPageAt: async (handle: number, query: PageQuery, offset: number) =>
    decodePage(await call<unknown>("fetch_page_at", { handle, query, offset })),
  applyEdits: (handle: number, edits: Edit[]) => call<Change[]>("apply_edits", { handle, edits }),
  undoChanges: (handle: number, changes: Change[]) => call<Change[]>("undo_changes", { handle, changes }),
  pendingChanges: (handle: number) => call<PendingChange[]>("pending_changes", { handle }),
  dbStatus: (handle: number) => call<DbStatus>("db_status", { handle }),
  /** Device snapshots: drops every unpushed change and pulls a fresh copy (same handle). */
  discardEdits: (handle: number) => call<OpenedDb>("discard_edits", { handle }),
  /** Re-pulls a device database with nothing unpushed; re-reads a local file's tables. */
  refreshDatabase: (handle: number) => call<OpenedDb>("refresh_database", { handle }),
  /**
   * `allowSchemaChange`: the user confirmed a schema change the backend
   * refused with `schema_change` (a Room database); sent only when true.
   */
  pushDatabase: (handle: number, stopApp: boolean, opId: string, onProgress: (p: PushProgress) => void, allowSchemaChange = false) => {
    const channel = new Channel<PushProgress>(onProgress);
    return call<PushOutcome>("push_database", { handle, stopApp, opId, onProgress: channel, ...(allowSchemaChange ? { allowSchemaChange } : {}) });
  },
  /** `allowSchemaChange`: as for pushDatabase (DDL on a Room database, confirmed). */
  runSql: (handle: number, sql: string, scope: RunScope, pageSize: number, opId: string, allowSchemaChange = false) =>
    call<SqlRun>("run_sql", { handle, sql, scope, pageSize, opId, ...(allowSchemaChange ? { allowSchemaChange } : {}) }),
  fetchSqlPage: (queryId: number, pageSize: number) => call<SqlResult>("fetch_sql_page", { queryId, pageSize }),
  closeSql: (queryId: number) => call<null>("close_sql", { queryId }),
  queryHistory: (handle: number) => call<HistoryEntry[]>("query_history", { handle }),
  exportData: (handle: number, source: ExportSource, format: Format, opId: string, onProgress: (p: ExportProgress) => void) => {
    const channel = new Channel<ExportProgress>(onProgress);
    return call<ExportReport | null>("export_data", { handle, source, format, opId, onProgress: channel });
  },
  /** Opens the system file manager on a file this app exported. */
  revealExport: (path: string) => call<null>("reveal_export", { path }),
  cancelOperation: (opId: string) => call<boolean>("cancel_operation", { opId }),
  diagnostics: () => call<Diagnostics>("diagnostics"),
  /** Save dialog, then writes the value's bytes; the path, or null when dismissed. */
  saveValue: (value: Value, name: string) => call<string | null>("save_value", { value, name }),
  /** Open dialog: the file's bytes as a BLOB; null when dismissed. */
  loadFileValue: () => call<LoadedFile | null>("load_file_value"),
  /**
   * Watches the open database for the app's writes (device: a cheap stat
   * per interval, null = the backend's default; local: file events). Events
   * arrive on the channel: `started` first, then versions, pauses...
   */
  watchStart: (handle: number, intervalMs: number | null, onEvent: (e: WatchEvent) => void) => {
    const channel = new Channel<WatchEvent>(onEvent);
    return call<null>("watch_start", { handle, intervalMs, onEvent: channel });
  },
  watchStop: (handle: number) => call<null>("watch_stop", { handle }),
  /** Versions of the database, oldest first. */
  listVersions: (handle: number) => call<VersionInfo[]>("list_versions", { handle }),
  /** `to` null: the newest; `tables` empty: all of them; at most `rowCap` rows per table. */
  diffVersions: (handle: number, from: number, to: number | null, tables: string[], rowCap: number) =>
    call<DbDiff>("diff_versions", { handle, from, to, tables, rowCap }),
  /** Saved changes that could not be re-applied onto the app's newest version. */
  rebaseConflicts: (handle: number) => call<Conflict[]>("rebase_conflicts", { handle }),
  /** Settles one conflict; the ones that remain. */
  resolveConflict: (handle: number, id: number, keep: "mine" | "theirs") => call<Conflict[]>("resolve_conflict", { handle, id, keep }),
  /**
   * How a column is shown, remembered per database location, table and
   * column: a display kind, `"raw"` (as stored) or null (automatic). The
   * table's schema with its columns' new `display`.
   */
  setDisplayKind: (handle: number, table: string, column: string, kind: string | null) =>
    call<TableSchema>("set_display_kind", { handle, table, column, kind }),
  /** The whole stored value of one cell (by row key) decoded as `kind`. */
  decodeValue: (handle: number, table: string, key: string, column: string, kind: string) =>
    call<Decoded>("decode_value", { handle, table, key, column, kind }),
  /**
   * The exact stored value of a date (`text`: ISO-8601 UTC) for a date
   * kind, in the storage class of the value it replaces.
   */
  encodeDate: (kind: string, text: string, stored: "integer" | "real") => call<Value>("encode_date", { kind, text, stored }),
  /** While active, closing the window emits "close-requested" instead. */
  setCloseGuard: (active: boolean) => call<null>("set_close_guard", { active }),
  closeWindow: () => call<null>("close_window"),
};
