// The review list of unsaved edits: what "Save changes" will write.
import type { Effective } from "../editing/pending";
import { inlineText } from "../values";

export function PendingList({ eff, onDiscard }: { eff: Effective; onDiscard(): void }) {
  // Keys are opaque: name rows by the number the grid showed.
  const rowName = (key: string) => {
    const n = eff.rowOf.get(key);
    return n === undefined ? "row" : `row ${(n + 1).toLocaleString()}`;
  };
  const items: { key: string; text: string; kind: string }[] = [];
  for (const [rowKey, cells] of eff.updates) {
    for (const [column, c] of cells) {
      items.push({ key: `u${rowKey}${column}`, kind: "update", text: `${rowName(rowKey)} · ${column}: ${inlineText(c.before)} → ${inlineText(c.value)}` });
    }
  }
  let n = 0;
  for (const [id, values] of eff.inserts) {
    n++;
    const set = [...values].map(([c, v]) => `${c} = ${inlineText(v)}`).join(", ");
    items.push({ key: `i${id}`, kind: "insert", text: `new row ${n}: ${set || "all defaults"}` });
  }
  for (const rowKey of eff.deletes) items.push({ key: `d${rowKey}`, kind: "delete", text: `delete ${rowName(rowKey)}` });
  return (
    <section className="pending-list" data-testid="pending-list" aria-label="Unsaved changes">
      <header>
        <strong>Unsaved changes</strong>
        <button className="link" onClick={onDiscard}>
          Discard all
        </button>
      </header>
      <ul>
        {items.map((it) => (
          <li key={it.key} className={`pending-${it.kind}`} data-kind={it.kind}>
            {it.text}
          </li>
        ))}
      </ul>
    </section>
  );
}
