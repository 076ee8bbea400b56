// Unsaved edits also live in localStorage, keyed by the database's
// location, so a crash or a reload loses nothing: when that database is
// opened again they are offered back (restore or discard). An entry is
// removed once its edits are saved or deliberately dropped. Never for an
// encrypted database: its edits hold decrypted values, which must not reach
// the disk (they live in memory only).
import type { OpenedDb } from "../bindings/OpenedDb";
import { appStore, onAdopt } from "../state/app";
import { createStore } from "../state/store";
import { editsOf, editsStore, setLog } from "./store";
import { countOf, fold, reserveInsertIds, type Action, type PendingLog } from "./pending";

const PREFIX = "sonde.unsaved:";

interface Stored {
  saved_at: number;
  tables: Record<string, Action[]>;
}

/** Edits from an earlier session, offered back for an open database. */
export interface Offer {
  savedAt: number;
  tables: Record<string, Action[]>;
  count: number;
}

export const offersStore = createStore<Record<number, Offer>>({});

function read(location: string): Stored | null {
  try {
    const raw = localStorage.getItem(PREFIX + location);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

function write(location: string, tables: Record<string, Action[]>): void {
  try {
    if (Object.keys(tables).length) localStorage.setItem(PREFIX + location, JSON.stringify({ saved_at: Date.now(), tables } satisfies Stored));
    else localStorage.removeItem(PREFIX + location);
  } catch {
    // Storage full (large BLOB edits): the edits live in memory only.
  }
}

const countActions = (tables: Record<string, Action[]>) =>
  Object.values(tables).reduce((n, done) => n + countOf(fold({ done, undone: [] })), 0);

/** What is kept for a database: an undecided offer, then the current edits. */
function persist(handle: number): void {
  const db = appStore.get().open.find((o) => o.handle === handle);
  if (!db || db.encrypted) return;
  const offer = offersStore.get()[handle];
  const tables: Record<string, Action[]> = {};
  for (const [table, done] of Object.entries(offer?.tables ?? {})) tables[table] = [...done];
  for (const [table, log] of Object.entries(editsOf(editsStore.get(), handle).logs)) {
    if (log.done.length) tables[table] = [...(tables[table] ?? []), ...log.done];
  }
  write(db.location, tables);
}

function offerFor(db: OpenedDb): void {
  if (db.encrypted) return;
  const stored = read(db.location);
  if (!stored || !Object.keys(stored.tables).length) return;
  const known = new Set(db.tables.map((t) => t.name));
  const tables = Object.fromEntries(Object.entries(stored.tables).filter(([t]) => known.has(t)));
  const count = countActions(tables);
  if (!count) return write(db.location, {});
  offersStore.set((s) => ({ ...s, [db.handle]: { savedAt: stored.saved_at, tables, count } }));
}

function take(handle: number): Offer | undefined {
  const offer = offersStore.get()[handle];
  offersStore.set((s) => {
    const next = { ...s };
    delete next[handle];
    return next;
  });
  return offer;
}

/** Puts the offered edits back in front of any made since. */
export function restoreOffer(handle: number): void {
  const offer = take(handle);
  if (!offer) return;
  for (const [table, done] of Object.entries(offer.tables)) {
    const log: PendingLog = { done, undone: [] };
    reserveInsertIds(log);
    setLog(handle, table, (cur) => ({ done: [...done, ...cur.done], undone: [] }));
  }
  persist(handle);
}

export function dropOffer(handle: number): void {
  take(handle);
  persist(handle);
}

/** Forgets what is stored for a database whose edits were deliberately dropped. */
export function forgetStored(location: string): void {
  write(location, {});
}

/** Starts mirroring the edits store into localStorage. */
export function startPersisting(): void {
  onAdopt(offerFor);
  let previous = editsStore.get();
  editsStore.subscribe(() => {
    const next = editsStore.get();
    for (const key of new Set([...Object.keys(previous), ...Object.keys(next)])) {
      const handle = Number(key);
      if (previous[handle]?.logs !== next[handle]?.logs && next[handle]) persist(handle);
    }
    previous = next;
  });
}
