// Around the grid while watching: the legend of what the grid marks (since
// which version, how many rows) and the rows the app deleted, which are no
// longer in the table and so are listed under it.
import { useState } from "react";
import type { ChangeMarks } from "../grid/changeMarks";
import { formatCount, formatTime, plural } from "../lib/format";
import { describeKey } from "../lib/rowKey";
import { cachedSchema } from "../state/schemas";
import { useWatch } from "../state/watch";
import { shortText } from "../values";

export function ChangeLegend({ handle, marks }: { handle: number; marks: ChangeMarks }) {
  const w = useWatch(handle);
  const since = w.baseline;
  const parts: string[] = [];
  if (marks.inserted) parts.push(`${plural(marks.inserted, "row")} added`);
  if (marks.updated) parts.push(`${plural(marks.updated, "row")} changed`);
  if (marks.deletedCount) parts.push(`${plural(marks.deletedCount, "row")} deleted`);
  return (
    <div className="change-legend" data-testid="change-legend" role="status">
      <span>
        <strong>
          Since version {since?.number}
          {since ? ` (${formatTime(since.at)})` : ""}, by the app: {parts.length ? parts.join(", ") : "the schema changed"}
        </strong>
        {marks.truncated && <span className="muted"> The first {formatCount(marks.rows.size + marks.deleted.length)} are marked.</span>}
      </span>
      <span className="legend-keys" aria-hidden>
        {marks.inserted > 0 && <span className="key-inserted">added</span>}
        {marks.updated > 0 && <span className="key-changed">changed (hover: old value)</span>}
        {marks.deletedCount > 0 && <span className="key-deleted">deleted: below</span>}
      </span>
    </div>
  );
}

const SHOWN = 100;

export function AppDeletedRows({ handle, table, marks }: { handle: number; table: string; marks: ChangeMarks }) {
  const [open, setOpen] = useState(true);
  const schema = cachedSchema(handle, table);
  const rows = marks.deleted;
  return (
    <section className="app-deleted" data-testid="app-deleted" aria-label="Rows the app deleted">
      <header>
        <button className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "▾" : "▸"} Deleted by the app
        </button>
        <span className="muted">
          {plural(marks.deletedCount, "row")} since version {useWatch(handle).baseline?.number}, as they were
        </span>
      </header>
      {open && (
        <ul>
          {rows.slice(0, SHOWN).map((r, i) => (
            <li key={r.key ?? `i${i}`} data-testid="app-deleted-row" data-key={r.key ?? undefined}>
              <span className="row-name">{r.key !== null ? describeKey(r.key, schema) : "a row"}</span>{" "}
              {marks.columns
                .map((c, j) => [c, j] as const)
                .filter(([c]) => !marks.keyColumns.includes(c))
                .slice(0, 8)
                .map(([c, j]) => `${c} = ${shortText(r.old?.[j] ?? null, 32)}`)
                .join(", ")}
              {marks.columns.length > 8 + marks.keyColumns.length ? ", …" : ""}
            </li>
          ))}
          {marks.deletedCount > SHOWN && <li className="muted">and {plural(marks.deletedCount - Math.min(SHOWN, rows.length), "more row")}</li>}
        </ul>
      )}
    </section>
  );
}
