// Tables and views of an open database (the leaves of the source tree).
import type { OpenedDb } from "../bindings/OpenedDb";
import { appStore, closeDatabase, selectTable } from "../state/app";
import { useStore } from "../state/store";

export function TableList({ db }: { db: OpenedDb }) {
  const active = useStore(appStore, (s) => s.active);
  if (!db.tables.length) return <div className="tree-empty">No tables (an empty database)</div>;
  return (
    <ul className="tree-children" role="group">
      {db.tables.map((t) => {
        const isActive = active?.handle === db.handle && active.table === t.name;
        return (
          <li key={t.name}>
            <button
              className={`tree-item table-item${isActive ? " active" : ""}`}
              data-testid="table-item"
              data-name={t.name}
              data-kind={t.kind}
              aria-current={isActive || undefined}
              onClick={() => selectTable(db.handle, t.name)}
            >
              <span className={`icon-${t.kind}`} aria-hidden>
                {t.kind === "view" ? "◇" : "▦"}
              </span>
              <span className="label">{t.name}</span>
              {t.kind === "view" && <span className="tag">view</span>}
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
    <button className="icon small" aria-label={`Close ${db.label}`} title="Close" onClick={() => void closeDatabase(db.handle)}>
      ×
    </button>
  );
}
