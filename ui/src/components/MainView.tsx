// The right side: the open database's tabs (Data, Schema, SQL), or an
// empty state that says how to start.
import { appStore, activeDb, setTab } from "../state/app";
import { useStore } from "../state/store";
import { SchemaView } from "./SchemaView";
import { SqlConsole } from "./SqlConsole";
import { TableView } from "./TableView";

export function MainView() {
  const db = useStore(appStore, activeDb);
  const table = useStore(appStore, (s) => s.active?.table ?? null);
  const tab = useStore(appStore, (s) => s.tab);
  const opening = useStore(appStore, (s) => s.opening.length > 0);

  if (!db) {
    return (
      <main className="main empty-main">
        <div className="empty-state big" data-testid="welcome">
          <h1>Inspect an app's SQLite databases</h1>
          <p>Pick a device, an app and a database on the left, open a file, or drop a .db file here.</p>
          {opening && <p className="muted">Opening…</p>}
        </div>
      </main>
    );
  }

  const tabs: ["data" | "schema" | "sql", string][] = [
    ["data", "Data"],
    ["schema", "Schema"],
    ["sql", "SQL"],
  ];
  const kind = db.tables.find((t) => t.name === table)?.kind;

  return (
    <main className="main">
      <div className="main-head">
        <div className="crumbs" title={db.location}>
          <span className="db-label">{db.label}</span>
          {table && (
            <>
              <span className="sep">›</span>
              <span className="table-label">{table}</span>
              {kind === "view" && <span className="tag">view</span>}
            </>
          )}
          {db.is_snapshot && (
            <span className="tag" title="A local copy pulled from the device: edits are saved to the copy and pushed explicitly">
              snapshot
            </span>
          )}
        </div>
        <div className="tabs" role="tablist">
          {tabs.map(([id, label]) => (
            <button
              key={id}
              role="tab"
              data-testid={`tab-${id}`}
              aria-selected={tab === id}
              className={tab === id ? "tab active" : "tab"}
              disabled={id !== "sql" && !table}
              onClick={() => setTab(id)}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      <div className="main-body" role="tabpanel">
        {tab === "data" && table && <TableView key={`${db.handle}:${table}`} db={db} table={table} />}
        {tab === "schema" && table && <SchemaView key={`${db.handle}:${table}`} handle={db.handle} table={table} />}
        {tab === "sql" && <SqlConsole key={db.handle} db={db} table={table} />}
        {tab !== "sql" && !table && <div className="empty-state">This database has no tables. Use the SQL tab to create some.</div>}
      </div>
    </main>
  );
}
