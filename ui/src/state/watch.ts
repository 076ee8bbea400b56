// Watching an open database for the app's own writes (issue 11). The
// backend records versions (each pull; a private copy when a local file
// changes), watches the database and sends events on a channel; each new
// version comes with its diff and the rebase of the saved changes onto it.
//
// Here, per open database: whether it is watched (remembered per location),
// the state the backend reports (watching, paused with its sentence), the
// versions, the changes since the "baseline" (the version watching started
// at, or the last "Mark all seen") that the grid highlights and the table
// list counts, the announcements (file recreated, schema changed), the
// rebase conflicts, and the latest values the app wrote (unsaved edits on
// them are conflicts).
import { api } from "../api";
import type { Conflict } from "../bindings/Conflict";
import type { DbDiff } from "../bindings/DbDiff";
import type { OpenedDb } from "../bindings/OpenedDb";
import type { PendingChange } from "../bindings/PendingChange";
import type { Value } from "../bindings/Value";
import type { VersionInfo } from "../bindings/VersionInfo";
import type { WatchEvent } from "../bindings/WatchEvent";
import { toCommandError } from "../errors";
import { listWords, plural } from "../lib/format";
import { readPref, writePref } from "../lib/prefs";
import { appStore, bumpLive, onAdopt, refreshStatus, setTables, showError } from "./app";
import { forgetSchemas } from "./schemas";
import { createStore, useStore } from "./store";

export type WatchPhase = "off" | "starting" | "watching" | "paused" | "error";

/** Rows of one table changed between two versions. */
export interface TableCounts {
  inserted: number;
  updated: number;
  deleted: number;
  /** Its schema changed (or it was added or dropped). */
  schema: boolean;
}

export interface WatchNotice {
  id: number;
  kind: "replaced" | "schema";
  title: string;
  details: string[];
  version: number;
}

/** What the app last wrote to a row (since watching): its values by column, or that it deleted it. */
export interface AppRow {
  deleted: boolean;
  values: Map<string, Value>;
}

export interface DbWatch {
  phase: WatchPhase;
  /** The backend's sentence while paused, or the error. */
  reason: string | null;
  /** Highlights and badges show what changed since this version. */
  baseline: VersionInfo | null;
  newest: VersionInfo | null;
  /** Versions seen since watching started (the count in the bar). */
  seen: number;
  /** Per table: rows changed from the baseline to the newest version. */
  counts: Record<string, TableCounts>;
  notices: WatchNotice[];
  /** The versions the backend keeps, oldest first. */
  versions: VersionInfo[];
  /** The newest version when this database was opened ("since I opened it"). */
  sessionFirst: number | null;
  /** Per version: what changed since the version before it. */
  summaries: Record<number, Record<string, TableCounts>>;
  /** Saved changes the last rebase could not re-apply. */
  conflicts: Conflict[];
  /** Saved changes waiting to be pushed (after the last rebase). */
  pending: PendingChange[] | null;
  /** table → row key → what the app wrote there last. */
  appRows: Record<string, Map<string, AppRow>>;
}

const EMPTY: DbWatch = {
  phase: "off",
  reason: null,
  baseline: null,
  newest: null,
  seen: 0,
  counts: {},
  notices: [],
  versions: [],
  sessionFirst: null,
  summaries: {},
  conflicts: [],
  pending: null,
  appRows: {},
};

export const watchStore = createStore<Record<number, DbWatch>>({});
export const watchOf = (s: Record<number, DbWatch>, handle: number): DbWatch => s[handle] ?? EMPTY;
export const useWatch = (handle: number) => useStore(watchStore, (s) => watchOf(s, handle));

/** The database whose conflicts dialog is open. */
export const conflictsDialogStore = createStore<number | null>(null);
export const openConflicts = (handle: number | null) => conflictsDialogStore.set(handle);

function update(handle: number, f: (w: DbWatch) => DbWatch): void {
  if (!appStore.get().open.some((o) => o.handle === handle)) return;
  watchStore.set((s) => ({ ...s, [handle]: f(watchOf(s, handle)) }));
}

const locationOf = (handle: number) => appStore.get().open.find((o) => o.handle === handle)?.location;
const labelOf = (handle: number) => appStore.get().open.find((o) => o.handle === handle)?.label ?? "the database";

// Watched databases, by location, across sessions.
const PREF = "watched";
const remembered = () => readPref<Record<string, boolean>>(PREF, {});
function remember(handle: number, on: boolean): void {
  const location = locationOf(handle);
  if (!location) return;
  const next = { ...remembered() };
  if (on) next[location] = true;
  else delete next[location];
  writePref(PREF, next);
}

/** Per-table counts of a diff (tables without changes left out). */
export function countsOf(diff: DbDiff): Record<string, TableCounts> {
  const out: Record<string, TableCounts> = {};
  for (const t of diff.tables) {
    const schema = t.schema_changed || t.status !== "compared";
    if (t.inserted || t.updated || t.deleted || schema) out[t.name] = { inserted: t.inserted, updated: t.updated, deleted: t.deleted, schema };
  }
  for (const c of diff.schema) if (c.kind === "table" && !out[c.name]) out[c.name] = { inserted: 0, updated: 0, deleted: 0, schema: true };
  return out;
}

export const totalOf = (c: TableCounts | undefined) => (c ? c.inserted + c.updated + c.deleted : 0);

/** "2 added, 3 changed, 1 deleted". */
export function describeCounts(c: TableCounts): string {
  const parts: string[] = [];
  if (c.inserted) parts.push(`${plural(c.inserted, "row")} added`);
  if (c.updated) parts.push(`${plural(c.updated, "row")} changed`);
  if (c.deleted) parts.push(`${plural(c.deleted, "row")} deleted`);
  if (c.schema) parts.push("schema changed");
  return parts.join(", ") || "no change";
}

let noticeId = 1;

function noticesOf(diff: DbDiff, replaced: boolean, version: VersionInfo, label: string): WatchNotice[] {
  const out: WatchNotice[] = [];
  if (replaced) {
    out.push({
      id: noticeId++,
      kind: "replaced",
      version: version.number,
      title: `The app recreated ${label}: it is a new file, not new commits to the old one.`,
      details: ["Rows that look deleted and added again may be the same data written anew. Sonde now shows the new file."],
    });
  }
  if (diff.schema.length) {
    const words = { added: "added", dropped: "dropped", changed: "changed" } as const;
    const kinds = { table: "table", index: "index", view: "view", trigger: "trigger", user_version: "user_version" } as const;
    out.push({
      id: noticeId++,
      kind: "schema",
      version: version.number,
      title: `The app changed the schema: ${listWords(diff.schema.map((c) => (c.kind === "user_version" ? `user_version ${words[c.change]}` : `${kinds[c.kind]} ${c.name} ${words[c.change]}`)))}.`,
      details: diff.schema.map((c) => `${c.kind} ${c.name}: ${c.before ?? "(none)"} → ${c.after ?? "(none)"}`),
    });
  }
  return out;
}

/** What the app wrote last, per row, from a version's diff. */
function withAppRows(prev: Record<string, Map<string, AppRow>>, diff: DbDiff): Record<string, Map<string, AppRow>> {
  const next = { ...prev };
  for (const t of diff.tables) {
    if (!t.rows.length) continue;
    const rows = new Map(next[t.name] ?? []);
    for (const r of t.rows) {
      if (r.key === null) continue;
      if (r.op === "delete") rows.set(r.key, { deleted: true, values: new Map() });
      else rows.set(r.key, { deleted: false, values: new Map(t.columns.map((c, i) => [c, r.new?.[i] ?? null])) });
    }
    next[t.name] = rows;
  }
  return next;
}

/** Reads the versions the backend keeps. */
export async function refreshVersions(handle: number): Promise<void> {
  try {
    const versions = await api.listVersions(handle);
    update(handle, (w) => ({ ...w, versions, sessionFirst: w.sessionFirst ?? versions.at(-1)?.number ?? null }));
  } catch {
    // Closed meanwhile, or a backend without versions: nothing to list.
  }
}

async function refreshPending(handle: number): Promise<void> {
  try {
    const pending = await api.pendingChanges(handle);
    update(handle, (w) => ({ ...w, pending }));
  } catch {
    // Closed meanwhile.
  }
}

export async function refreshConflicts(handle: number): Promise<Conflict[]> {
  try {
    const conflicts = await api.rebaseConflicts(handle);
    update(handle, (w) => ({ ...w, conflicts }));
    return conflicts;
  } catch {
    return watchOf(watchStore.get(), handle).conflicts;
  }
}

/** Counts from the baseline to the newest version, for the badges. */
async function recount(handle: number): Promise<void> {
  const w = watchOf(watchStore.get(), handle);
  const from = w.baseline?.number;
  const to = w.newest?.number;
  if (from === undefined || to === undefined) return;
  if (from === to) return update(handle, (x) => ({ ...x, counts: {} }));
  try {
    const diff = await api.diffVersions(handle, from, to, [], 0);
    update(handle, (x) => (x.baseline?.number === from && x.newest?.number === to ? { ...x, counts: countsOf(diff) } : x));
  } catch (e) {
    // The baseline is no longer kept: start counting from the newest.
    const err = toCommandError(e);
    if (err.kind === "not_found") update(handle, (x) => ({ ...x, baseline: x.newest, counts: {} }));
  }
}

function onEvent(handle: number, e: WatchEvent): void {
  switch (e.event) {
    case "started":
      update(handle, (w) => ({
        ...w,
        phase: "watching",
        reason: null,
        baseline: w.baseline ?? e.version,
        newest: e.version,
        sessionFirst: w.sessionFirst ?? e.version.number,
      }));
      void refreshVersions(handle);
      void refreshConflicts(handle);
      return;
    case "version": {
      const label = labelOf(handle);
      update(handle, (w) => ({
        ...w,
        phase: "watching",
        reason: null,
        newest: e.version,
        seen: w.seen + 1,
        versions: w.versions.some((v) => v.number === e.version.number) ? w.versions : [...w.versions, e.version],
        summaries: { ...w.summaries, [e.version.number]: countsOf(e.diff) },
        notices: [...w.notices, ...noticesOf(e.diff, e.replaced, e.version, label)],
        conflicts: e.conflicts,
        appRows: withAppRows(w.appRows, e.diff),
      }));
      // The snapshot is now the new version plus the re-applied changes:
      // the views read their rows again (in place), and what waits to be pushed.
      if (e.diff.schema.length || e.replaced) {
        forgetSchemas(handle);
        void api.listTables(handle, false).then((tables) => setTables(handle, tables), () => undefined);
      }
      bumpLive(handle);
      void refreshStatus(handle);
      void refreshPending(handle);
      void refreshVersions(handle);
      void refreshConflicts(handle);
      void recount(handle);
      return;
    }
    case "paused":
      update(handle, (w) => ({ ...w, phase: "paused", reason: e.reason }));
      return;
    case "resumed":
      update(handle, (w) => ({ ...w, phase: "watching", reason: null }));
      return;
    case "error":
      update(handle, (w) => ({ ...w, phase: "error", reason: e.error.message }));
      return;
    case "stopped": {
      // Not asked for (the watch ended on an error): say why, once.
      const w = watchOf(watchStore.get(), handle);
      if (w.phase !== "off" && w.reason && w.phase === "error") showError({ kind: "internal", message: w.reason }, `Watching ${labelOf(handle)}`);
      update(handle, (x) => (x.phase === "off" ? x : { ...x, phase: "off", reason: null }));
      return;
    }
  }
}

/** Starts watching (and remembers it for this location). */
export async function startWatch(handle: number): Promise<void> {
  const w = watchOf(watchStore.get(), handle);
  if (w.phase !== "off" && w.phase !== "error") return;
  update(handle, (x) => ({ ...x, phase: "starting", reason: null, baseline: null, counts: {}, seen: 0, notices: [] }));
  remember(handle, true);
  try {
    await api.watchStart(handle, null, (e) => onEvent(handle, e));
  } catch (e) {
    const err = showError(e, `Watching ${labelOf(handle)}`);
    update(handle, (x) => ({ ...x, phase: "error", reason: err.message }));
  }
}

/** Stops watching; highlights and badges go with it. */
export async function stopWatch(handle: number): Promise<void> {
  update(handle, (w) => ({ ...w, phase: "off", reason: null, baseline: null, counts: {}, seen: 0, notices: [] }));
  remember(handle, false);
  try {
    await api.watchStop(handle);
  } catch (e) {
    showError(e, `Stopping the watch of ${labelOf(handle)}`);
  }
}

export function toggleWatch(handle: number): void {
  const on = watchOf(watchStore.get(), handle).phase !== "off";
  void (on ? stopWatch(handle) : startWatch(handle));
}

/**
 * A push may have rebased the saved changes onto the device's newest
 * version (the app wrote since the pull): the views read their rows again.
 */
export function afterPush(handle: number): void {
  bumpLive(handle);
  void refreshVersions(handle);
  void refreshConflicts(handle);
  void refreshPending(handle);
}

/** Highlights and badges start over from the newest version. */
export function markSeen(handle: number): void {
  update(handle, (w) => ({ ...w, baseline: w.newest, counts: {} }));
}

export function dismissNotice(handle: number, id: number): void {
  update(handle, (w) => ({ ...w, notices: w.notices.filter((n) => n.id !== id) }));
}

/** Settles one conflict (or all of them, one by one); the views read the rows again. */
export async function resolveConflicts(handle: number, ids: number[], keep: "mine" | "theirs"): Promise<void> {
  try {
    let left: Conflict[] | null = null;
    for (const id of ids) left = await api.resolveConflict(handle, id, keep);
    if (left) update(handle, (w) => ({ ...w, conflicts: left as Conflict[] }));
  } catch (e) {
    showError(e, "Resolving the conflict");
    void refreshConflicts(handle);
  }
  bumpLive(handle);
  void refreshStatus(handle);
  void refreshPending(handle);
}

/** Per version, the changes since the version before it (read when missing). */
export async function summarize(handle: number, versions: VersionInfo[]): Promise<void> {
  for (let i = 1; i < versions.length; i++) {
    const v = versions[i];
    if (watchOf(watchStore.get(), handle).summaries[v.number]) continue;
    try {
      const diff = await api.diffVersions(handle, versions[i - 1].number, v.number, [], 0);
      update(handle, (w) => ({ ...w, summaries: { ...w.summaries, [v.number]: countsOf(diff) } }));
    } catch {
      return;
    }
  }
}

/** Opening a database: its versions, and watching again if it was watched. */
function adopted(db: OpenedDb): void {
  void refreshVersions(db.handle);
  if (remembered()[db.location]) void startWatch(db.handle);
}

export function startWatching(): void {
  onAdopt(adopted);
  // A closed database's watch state goes with it (closing stops its watch).
  appStore.subscribe(() => {
    const open = new Set(appStore.get().open.map((o) => o.handle));
    const cur = watchStore.get();
    const gone = Object.keys(cur).filter((h) => !open.has(Number(h)));
    if (!gone.length) return;
    watchStore.set((s) => Object.fromEntries(Object.entries(s).filter(([h]) => open.has(Number(h)))));
    if (gone.includes(String(conflictsDialogStore.get()))) openConflicts(null);
  });
}
