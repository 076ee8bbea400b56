// Unsaved edits belong to the open database, not to a view: one undoable
// log per table, kept here while tabs and tables come and go. Save writes
// the edits of every table in one apply_edits call (one transaction).
import { api } from "../api";
import type { Change } from "../bindings/Change";
import type { Edit } from "../bindings/Edit";
import { toCommandError } from "../errors";
import { appStore, bumpData, refreshStatus, setPushed } from "../state/app";
import { createStore, useStore } from "../state/store";
import { countOf, emptyLog, fold, push, toEdits, type Op, type PendingLog } from "./pending";

/** A cell (or a whole new row when `column` is null) a failed save is about. */
export interface FailedCell {
  table: string;
  column: string | null;
  key?: string;
  newId?: number;
}

export interface SaveError {
  kind: string;
  message: string;
  cells: FailedCell[];
}

export interface DbEdits {
  logs: Record<string, PendingLog>;
  /** The last successful save, for "Revert last save". */
  lastSaved: Change[] | null;
  saving: boolean;
  saveError: SaveError | null;
}

const NONE: DbEdits = { logs: {}, lastSaved: null, saving: false, saveError: null };

export const editsStore = createStore<Record<number, DbEdits>>({});

export const editsOf = (s: Record<number, DbEdits>, handle: number): DbEdits => s[handle] ?? NONE;

function update(handle: number, f: (e: DbEdits) => DbEdits): void {
  editsStore.set((s) => ({ ...s, [handle]: f(editsOf(s, handle)) }));
}

export const useDbEdits = (handle: number) => useStore(editsStore, (s) => editsOf(s, handle));
export const useLog = (handle: number, table: string) => useStore(editsStore, (s) => editsOf(s, handle).logs[table] ?? emptyLog);

/** The log of one table, as of now. */
export const logOf = (handle: number, table: string): PendingLog => editsOf(editsStore.get(), handle).logs[table] ?? emptyLog;

/** Unsaved edits per table (only tables that have some). */
export function unsavedByTable(e: DbEdits): [string, number][] {
  return Object.entries(e.logs)
    .map(([table, log]): [string, number] => [table, countOf(fold(log))])
    .filter(([, n]) => n > 0);
}

export const unsavedCount = (e: DbEdits) => unsavedByTable(e).reduce((n, [, c]) => n + c, 0);

export function setLog(handle: number, table: string, next: (l: PendingLog) => PendingLog): void {
  update(handle, (e) => ({ ...e, logs: { ...e.logs, [table]: next(e.logs[table] ?? emptyLog) } }));
}

const touches = (op: Op, c: FailedCell) =>
  (op.t === "set" && c.key === op.key && c.column === op.column) ||
  (op.t === "insert_set" && c.newId === op.id && (c.column === op.column || c.column === null)) ||
  (op.t === "insert_remove" && c.newId === op.id) ||
  (op.t === "delete" && c.key === op.key);

/** A new edit: once it touches every cell a save failed on, the failure is over. */
export function recordEdit(handle: number, table: string, ops: Op[]): void {
  if (!ops.length) return;
  update(handle, (e) => {
    let saveError = e.saveError;
    if (saveError) {
      const cells = saveError.cells.filter((c) => !(c.table === table && ops.some((op) => touches(op, c))));
      saveError = cells.length === saveError.cells.length ? saveError : cells.length ? { ...saveError, cells } : null;
    }
    return { ...e, saveError, logs: { ...e.logs, [table]: push(e.logs[table] ?? emptyLog, ops) } };
  });
  // A "Pushed" notice is stale as soon as there is something new.
  setPushed(handle, null);
}

/** Drops the unsaved edits of one table, or of every table. */
export function discardUnsaved(handle: number, table?: string): void {
  update(handle, (e) => {
    if (!table) return { ...e, logs: {}, saveError: null };
    const logs = { ...e.logs };
    delete logs[table];
    const saveError = e.saveError && e.saveError.cells.every((c) => c.table === table) ? null : e.saveError;
    return { ...e, logs, saveError };
  });
}

/** The database was closed or pulled again: nothing of it is kept. */
export function forgetEdits(handle: number): void {
  editsStore.set((s) => {
    const next = { ...s };
    delete next[handle];
    return next;
  });
}

/**
 * The cells a constraint failure names ("NOT NULL constraint failed:
 * notes.title", "UNIQUE constraint failed: t.a, t.b"), among the edits
 * being saved. Failures that name no column (CHECK, FOREIGN KEY) mark
 * nothing: the message says what failed.
 */
export function failedCells(message: string, logs: Record<string, PendingLog>): FailedCell[] {
  const m = /constraint failed: ([\w.,\s"]+)$/i.exec(message.trim());
  if (!m) return [];
  const named = m[1].split(",").map((p) => p.trim().replace(/"/g, "").split("."));
  // NOT NULL fails only where the value is NULL; UNIQUE wherever it is set.
  const notNull = /NOT NULL/i.test(message);
  const out: FailedCell[] = [];
  for (const [table, column] of named) {
    const log = logs[table];
    if (!log || !column) continue;
    const eff = fold(log);
    for (const [key, cells] of eff.updates) {
      const c = cells.get(column);
      if (c && (!notNull || c.value === null)) out.push({ table, column, key });
    }
    for (const [id, values] of eff.inserts) {
      const v = values.get(column);
      if (notNull ? v === undefined || v === null : v !== undefined) out.push({ table, column, newId: id });
    }
  }
  return out;
}

/** The row each edit of a batch is about, in the order `toEdits` makes them. */
function rowsOfEdits(logs: Record<string, PendingLog>): FailedCell[] {
  return Object.entries(logs).flatMap(([table, log]) => {
    const eff = fold(log);
    return [
      ...[...eff.updates.keys()].map((key) => ({ table, column: null, key })),
      ...[...eff.inserts.keys()].map((newId) => ({ table, column: null, newId })),
      ...[...eff.deletes].map((key) => ({ table, column: null, key })),
    ];
  });
}

/**
 * What a failed save marks: the cells its message names, narrowed to the
 * edit the backend says failed; that edit's whole row when the message
 * names no column (CHECK, FOREIGN KEY).
 */
export function failedMarks(message: string, edit: number | undefined, logs: Record<string, PendingLog>): FailedCell[] {
  const named = failedCells(message, logs);
  const row = edit === undefined ? undefined : rowsOfEdits(logs)[edit];
  if (!row) return named;
  const same = (c: FailedCell) => c.table === row.table && c.key === row.key && c.newId === row.newId;
  const narrowed = named.filter(same);
  return narrowed.length ? narrowed : [row];
}

const inflight = new Map<number, Promise<boolean>>();

/** Writes every table's unsaved edits in one transaction; false when it failed. */
export function saveAll(handle: number): Promise<boolean> {
  const running = inflight.get(handle);
  if (running) return running.then((ok) => (ok ? saveAll(handle) : false));
  const { logs } = editsOf(editsStore.get(), handle);
  const saved = Object.fromEntries(Object.entries(logs).map(([t, l]) => [t, l.done]));
  const edits: Edit[] = Object.entries(logs).flatMap(([table, log]) => toEdits(table, fold(log)));
  if (!edits.length) return Promise.resolve(true);
  update(handle, (e) => ({ ...e, saving: true }));
  const run = api.applyEdits(handle, edits).then(
    (changes) => {
      update(handle, (e) => {
        // Keep edits made while saving (actions after the saved ones).
        const next: Record<string, PendingLog> = {};
        for (const [table, log] of Object.entries(e.logs)) {
          const done = saved[table] ?? [];
          const kept = done.every((a, i) => log.done[i] === a) ? log.done.slice(done.length) : [];
          if (kept.length) next[table] = { done: kept, undone: [] };
        }
        return { ...e, logs: next, lastSaved: changes, saving: false, saveError: null };
      });
      bumpData(handle);
      void refreshStatus(handle);
      return true;
    },
    (err) => {
      const e = toCommandError(err);
      update(handle, (cur) => ({ ...cur, saving: false, saveError: { kind: e.kind, message: e.message, cells: failedMarks(e.message, e.edit, logs) } }));
      return false;
    },
  );
  inflight.set(handle, run);
  void run.finally(() => {
    if (inflight.get(handle) === run) inflight.delete(handle);
  });
  return run;
}

/** Undoes the last save by writing the reverse changes. */
export async function revertLastSave(handle: number): Promise<void> {
  const { lastSaved } = editsOf(editsStore.get(), handle);
  if (!lastSaved) return;
  try {
    await api.undoChanges(handle, lastSaved);
    update(handle, (e) => ({ ...e, lastSaved: null }));
    bumpData(handle);
    void refreshStatus(handle);
  } catch (err) {
    const e = toCommandError(err);
    update(handle, (cur) => ({ ...cur, saveError: { kind: e.kind, message: `Reverting the last save failed: ${e.message}`, cells: [] } }));
  }
}

/** Everything of a database that closing it, or pulling it again, would lose. */
export function lossOf(handle: number): { unsaved: [string, number][]; pending: number; sqlWrites: number } {
  const status = appStore.get().status[handle];
  return {
    unsaved: unsavedByTable(editsOf(editsStore.get(), handle)),
    pending: status?.pending_changes ?? 0,
    sqlWrites: status?.sql_writes ?? 0,
  };
}
