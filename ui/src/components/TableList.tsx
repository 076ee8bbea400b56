// Tables and views of an open database (the leaves of the source tree),
// each marked when it holds unsaved edits.
import type { OpenedDb } from "../bindings/OpenedDb";
import { unsavedByTable, useDbEdits } from "../editing/store";
import { plural } from "../lib/format";
import { appStore, selectTable } from "../state/app";
import { closeWithCare } from "../state/dbActions";
import { useStore } from "../state/store";
import { describeCounts, totalOf, useWatch } from "../state/watch";
import { formatCount, formatTime } from "../lib/format";

export function TableList({ db }: { db: OpenedDb }) {
  const active = useStore(appStore, (s) => s.active);
  const unsaved = new Map(unsavedByTable(useDbEdits(db.handle)));
  const watch = useWatch(db.handle);
  const since = watch.baseline ? `since version ${watch.baseline.number} (${formatTime(watch.baseline.at)}), when watching started or you last marked all seen` : "";
  if (!db.tables.length) return <div className="tree-empty">No tables (an empty database)</div>;
  return (
    <ul className="tree-children" role="group">
      {db.tables.map((t) => {
        const isActive = active?.handle === db.handle && active.table === t.name;
        const edits = unsaved.get(t.name) ?? 0;
        const changes = watch.phase !== "off" ? watch.counts[t.name] : undefined;
        const changed = totalOf(changes);
        return (
          <li key={t.name}>
            <button
              className={`tree-item table-item${isActive ? " active" : ""}`}
              data-testid="table-item"
              data-name={t.name}
              data-kind={t.kind}
              data-unsaved={edits || undefined}
              data-changes={changes ? changed : undefined}
              aria-current={isActive || undefined}
              onClick={() => selectTable(db.handle, t.name)}
            >
              <span className={`icon-${t.kind}`} aria-hidden>
                {t.kind === "view" ? "◇" : "▦"}
              </span>
              <span className="label">{t.name}</span>
              {t.kind === "view" && <span className="tag">view</span>}
              {changes && (
                <span
                  className={`change-badge${changes.schema ? " schema" : ""}`}
                  data-testid="change-badge"
                  title={`The app: ${describeCounts(changes)} ${since}`}
                  aria-label={`The app: ${describeCounts(changes)}`}
                >
                  {changed ? formatCount(changed) : "schema"}
                </span>
              )}
              {edits > 0 && <span className="unsaved-dot" title={plural(edits, "unsaved edit")} aria-label={plural(edits, "unsaved edit")} />}
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** The "close" control shown next to an open database. */
export function CloseDb({ db }: { db: OpenedDb }) {
  return (
    <button className="icon small close-db" data-testid="close-db" aria-label={`Close ${db.label}`} title="Close" onClick={() => void closeWithCare(db.handle)}>
      ×
    </button>
  );
}
