// Pending (unsaved) edits of one table as an undoable log of actions.
// The effective state is a fold of the log, so undo/redo are just moving
// actions between two stacks; "Save changes" turns it into Edit[] for one
// apply_edits call (one transaction).
import type { Edit } from "../bindings/Edit";
import type { Value } from "../bindings/Value";
import { valuesEqual } from "../values";

export type Op =
  | { t: "set"; key: string; column: string; before: Value; value: Value }
  | { t: "insert"; id: number }
  | { t: "insert_set"; id: number; column: string; value: Value }
  | { t: "insert_remove"; id: number }
  | { t: "delete"; key: string };

export type Action = Op[];

export interface PendingLog {
  done: Action[];
  undone: Action[];
}

export const emptyLog: PendingLog = { done: [], undone: [] };

export interface CellChange {
  before: Value;
  value: Value;
}

export interface Effective {
  /** row key → column → change (only cells whose value differs). */
  updates: Map<string, Map<string, CellChange>>;
  /** new row id → values the user set (others take their defaults). */
  inserts: Map<number, Map<string, Value>>;
  deletes: Set<string>;
}

export function fold(log: PendingLog): Effective {
  const eff: Effective = { updates: new Map(), inserts: new Map(), deletes: new Set() };
  for (const action of log.done) {
    for (const op of action) {
      switch (op.t) {
        case "set": {
          const row = eff.updates.get(op.key) ?? new Map<string, CellChange>();
          const before = row.get(op.column)?.before ?? op.before;
          if (valuesEqual(before, op.value)) row.delete(op.column);
          else row.set(op.column, { before, value: op.value });
          if (row.size) eff.updates.set(op.key, row);
          else eff.updates.delete(op.key);
          break;
        }
        case "insert":
          eff.inserts.set(op.id, new Map());
          break;
        case "insert_set":
          eff.inserts.get(op.id)?.set(op.column, op.value);
          break;
        case "insert_remove":
          eff.inserts.delete(op.id);
          break;
        case "delete":
          eff.deletes.add(op.key);
          break;
      }
    }
  }
  for (const key of eff.deletes) eff.updates.delete(key);
  return eff;
}

/** What `pending-count` shows: changed cells + new rows + deleted rows. */
export function countOf(eff: Effective): number {
  let n = eff.inserts.size + eff.deletes.size;
  for (const row of eff.updates.values()) n += row.size;
  return n;
}

export function push(log: PendingLog, action: Action): PendingLog {
  if (!action.length) return log;
  return { done: [...log.done, action], undone: [] };
}

export function undo(log: PendingLog): PendingLog {
  const last = log.done.at(-1);
  if (!last) return log;
  return { done: log.done.slice(0, -1), undone: [...log.undone, last] };
}

export function redo(log: PendingLog): PendingLog {
  const next = log.undone.at(-1);
  if (!next) return log;
  return { done: [...log.done, next], undone: log.undone.slice(0, -1) };
}

/** One Edit per changed row, then inserts (only the columns set), then deletes. */
export function toEdits(table: string, eff: Effective): Edit[] {
  const edits: Edit[] = [];
  for (const [key, cells] of eff.updates) {
    edits.push({ op: "update", table, key, set: [...cells].map(([column, c]) => ({ column, value: c.value })) });
  }
  for (const values of eff.inserts.values()) {
    edits.push({ op: "insert", table, values: [...values].map(([column, value]) => ({ column, value })) });
  }
  for (const key of eff.deletes) edits.push({ op: "delete", table, key });
  return edits;
}

let nextId = 1;
export const newInsertId = () => nextId++;

/** Restored logs carry their own insert ids: new ones must not collide. */
export function reserveInsertIds(log: PendingLog): void {
  for (const action of [...log.done, ...log.undone]) {
    for (const op of action) if ("id" in op && op.id >= nextId) nextId = op.id + 1;
  }
}
