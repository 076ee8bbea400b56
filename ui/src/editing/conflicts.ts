// Unsaved edits the app overtook: the value under an edit is no longer the
// one the edit was made on (its `before`), because the app wrote there (or
// deleted the row) after the edit was staged. The grid marks them from the
// rows it shows; saving asks first, from the rows the open views hold and
// from what the watch saw the app write.
import type { Value } from "../bindings/Value";
import { describeKey } from "../lib/rowKey";
import { listWords, plural } from "../lib/format";
import { ask } from "../state/confirm";
import { cachedSchema } from "../state/schemas";
import { watchOf, watchStore } from "../state/watch";
import { inlineText, valuesEqual } from "../values";
import { fold } from "./pending";
import { editsOf, editsStore, saveAll } from "./store";

type Lookup = (key: string, column: string) => Value | undefined;
const lookups = new Map<string, Lookup>();
const id = (handle: number, table: string) => `${handle}\u0000${table}`;

/** A view of a table offers its loaded rows (the freshest copy there is). */
export function registerRowLookup(handle: number, table: string, lookup: Lookup): () => void {
  lookups.set(id(handle, table), lookup);
  return () => {
    if (lookups.get(id(handle, table)) === lookup) lookups.delete(id(handle, table));
  };
}

export interface StaleEdit {
  table: string;
  key: string;
  column: string;
  /** What the edit was made on. */
  before: Value;
  /** What the row holds now (undefined when the app deleted the row). */
  now: Value | undefined;
  mine: Value;
}

export function staleEdits(handle: number): StaleEdit[] {
  const out: StaleEdit[] = [];
  const app = watchOf(watchStore.get(), handle).appRows;
  for (const [table, log] of Object.entries(editsOf(editsStore.get(), handle).logs)) {
    const lookup = lookups.get(id(handle, table));
    for (const [key, cells] of fold(log).updates) {
      for (const [column, c] of cells) {
        const loaded = lookup?.(key, column);
        const wrote = app[table]?.get(key);
        if (loaded !== undefined) {
          if (!valuesEqual(loaded, c.before)) out.push({ table, key, column, before: c.before, now: loaded, mine: c.value });
        } else if (wrote?.deleted) out.push({ table, key, column, before: c.before, now: undefined, mine: c.value });
        else if (wrote?.values.has(column) && !valuesEqual(wrote.values.get(column) ?? null, c.before)) {
          out.push({ table, key, column, before: c.before, now: wrote.values.get(column) ?? null, mine: c.value });
        }
      }
    }
  }
  return out;
}

function describe(handle: number, s: StaleEdit): string {
  const row = `${s.table} ${describeKey(s.key, cachedSchema(handle, s.table))}`;
  if (s.now === undefined) return `${row}: the app deleted the row you edited (${s.column} → ${inlineText(s.mine)})`;
  return `${row} · ${s.column}: you edited ${inlineText(s.before)}, it is now ${inlineText(s.now)}; yours: ${inlineText(s.mine)}`;
}

/** Save, after asking when unsaved edits would overwrite what the app wrote since. */
export async function saveWithCare(handle: number): Promise<boolean> {
  const stale = staleEdits(handle);
  if (stale.length) {
    const SHOWN = 5;
    const yes = await ask({
      title: "Save over the app's newer values?",
      body: [
        `${plural(stale.length, "unsaved edit")} ${stale.length === 1 ? "was" : "were"} made on values the app changed since (marked in red in the grid):`,
        ...stale.slice(0, SHOWN).map((s) => describe(handle, s)),
        ...(stale.length > SHOWN ? [`and ${plural(stale.length - SHOWN, "more")}.`] : []),
        `Saving writes yours over the app's in ${listWords([...new Set(stale.map((s) => s.table))])}. Undo an edit first to keep the app's value.`,
      ],
      confirmLabel: "Save mine anyway",
      cancelLabel: "Don't save",
      danger: true,
    });
    if (!yes) return false;
  }
  return saveAll(handle);
}
