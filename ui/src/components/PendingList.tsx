// The review list of unsaved edits of the whole database, by table: what
// "Save changes" will write. Rows are named by their key.
import { fold, type Effective } from "../editing/pending";
import { discardUnsaved, useDbEdits } from "../editing/store";
import { listWords, plural } from "../lib/format";
import { describeKey } from "../lib/rowKey";
import { selectTable } from "../state/app";
import { ask } from "../state/confirm";
import { cachedSchema } from "../state/schemas";
import { inlineText } from "../values";

interface Item {
  key: string;
  text: string;
  kind: "update" | "insert" | "delete";
}

function itemsOf(handle: number, table: string, eff: Effective): Item[] {
  const schema = cachedSchema(handle, table);
  const items: Item[] = [];
  for (const [rowKey, cells] of eff.updates) {
    for (const [column, c] of cells) {
      items.push({ key: `u${rowKey}\u0000${column}`, kind: "update", text: `${describeKey(rowKey, schema)} · ${column}: ${inlineText(c.before)} → ${inlineText(c.value)}` });
    }
  }
  let n = 0;
  for (const [id, values] of eff.inserts) {
    n++;
    const set = [...values].map(([c, v]) => `${c} = ${inlineText(v)}`).join(", ");
    items.push({ key: `i${id}`, kind: "insert", text: `new row ${n}: ${set || "all defaults"}` });
  }
  for (const rowKey of eff.deletes) items.push({ key: `d${rowKey}`, kind: "delete", text: `delete ${describeKey(rowKey, schema)}` });
  return items;
}

export function PendingList({ handle, current, currentCount }: { handle: number; current: string; currentCount: number }) {
  const { logs } = useDbEdits(handle);
  // The table on screen first, then the others.
  const tables = Object.keys(logs).sort((a, b) => (a === current ? -1 : b === current ? 1 : a.localeCompare(b)));
  const groups = tables.map((t) => [t, itemsOf(handle, t, fold(logs[t]))] as const).filter(([, items]) => items.length);
  // Edits of other tables are out of sight: dropping them is confirmed.
  const discardAll = async () => {
    const others = groups.filter(([t]) => t !== current).map(([t]) => t);
    if (others.length) {
      const total = groups.reduce((n, [, items]) => n + items.length, 0);
      const yes = await ask({
        title: "Discard every unsaved edit?",
        body: [`This drops ${plural(total, "unsaved edit")}, also in ${listWords(others)}. Undo cannot bring them back.`],
        confirmLabel: "Discard them",
        danger: true,
      });
      if (!yes) return;
    }
    discardUnsaved(handle);
  };
  return (
    <section className="pending-list" data-testid="pending-list" aria-label="Unsaved changes">
      <header>
        <strong>Unsaved changes</strong>
        <span className="muted">{currentCount ? `${plural(currentCount, "edit")} in this table` : "none in this table"}</span>
        <span className="spacer" />
        <button className="link" onClick={() => void discardAll()}>
          Discard all
        </button>
      </header>
      {groups.map(([table, items]) => (
        <div key={table} className="pending-group" data-table={table}>
          <div className="pending-table">
            {table === current ? (
              <strong>{table}</strong>
            ) : (
              <button className="link" onClick={() => selectTable(handle, table, "data")} title={`Show ${table}`}>
                {table}
              </button>
            )}
            <span className="muted"> · {plural(items.length, "edit")}</span>
            <button className="link" onClick={() => discardUnsaved(handle, table)} aria-label={`Discard the edits of ${table}`}>
              Discard
            </button>
          </div>
          <ul>
            {items.map((it) => (
              <li key={it.key} className={`pending-${it.kind}`} data-kind={it.kind}>
                {it.text}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
