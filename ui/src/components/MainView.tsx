// The right side: the open database's head (where it is, what waits to be
// pushed, Refresh, Push) and its tabs (Data, Schema, SQL), or an empty
// state that says how to start.
import { unsavedCount, useDbEdits } from "../editing/store";
import type { OpenedDb } from "../bindings/OpenedDb";
import { plural } from "../lib/format";
import { keyLabel } from "../lib/platform";
import { appStore, activeDb, setPushDialog, setPushed, setTab, type Tab } from "../state/app";
import { refreshWithCare } from "../state/dbActions";
import { conflictsDialogStore, openConflicts, toggleWatch, useWatch } from "../state/watch";
import { ChangesView } from "./ChangesView";
import { ConflictsDialog } from "./ConflictsDialog";
import { layoutStore, toggleSidebar } from "../state/layout";
import { useStore } from "../state/store";
import { Icon, ToolButton } from "./Icons";
import { FirstRun } from "./FirstRun";
import { EncryptedTag, ForgetKey, KeyNotice } from "./KeyStatus";
import { FrameworkTag } from "./TableList";
import { tableTitle } from "../display/frameworks";
import { PushDialog } from "./PushDialog";
import { PushDone } from "./PushDone";
import { RestoreNotice } from "./RestoreNotice";
import { SchemaView } from "./SchemaView";
import { SqlConsole } from "./SqlConsole";
import { TableView } from "./TableView";
import { WatchBar } from "./WatchBar";

function SidebarToggle() {
  const collapsed = useStore(layoutStore, (s) => s.sidebarCollapsed);
  return (
    <button
      className="icon sidebar-toggle"
      data-testid="sidebar-toggle"
      aria-pressed={!collapsed}
      aria-label={collapsed ? "Show the sidebar" : "Hide the sidebar"}
      title={`${collapsed ? "Show" : "Hide"} the sidebar (${keyLabel("Mod+B")})`}
      onClick={toggleSidebar}
    >
      <Icon name="sidebar" size={16} />
    </button>
  );
}

/** Watch, Refresh and Push: what is done to the database as a whole. */
function DbActions({ db }: { db: OpenedDb }) {
  const status = useStore(appStore, (s) => s.status[db.handle]);
  const unsaved = unsavedCount(useDbEdits(db.handle));
  const watch = useWatch(db.handle);
  const watching = watch.phase !== "off";
  const conflicts = watch.conflicts.length;
  const waiting = (status?.pending_changes ?? 0) + (status?.sql_writes ?? 0);
  const pushTitle = waiting
    ? `${plural(waiting, "change")} waiting to be pushed${status?.sql_writes ? ` (${plural(status.sql_writes, "write")} from the SQL console)` : ""}`
    : unsaved
      ? `${plural(unsaved, "unsaved edit")}: saved, then pushed`
      : "Nothing waits to be pushed";
  return (
    <div className="db-actions">
      <ToolButton
        icon="eye"
        label="Watch"
        testId="watch-toggle"
        className={watching ? "watch toggled" : "watch"}
        aria-pressed={watching}
        data-phase={watch.phase}
        onClick={() => toggleWatch(db.handle)}
        title={
          watching
            ? "Stop watching for the app's writes"
            : `Watch for the app's writes: each new version is pulled, marked in the grid and listed under Changes${db.is_snapshot ? "; your saved changes are re-applied onto it" : ""}`
        }
      />
      <ToolButton
        icon="refresh"
        label="Refresh"
        testId="refresh-db"
        onClick={() => void refreshWithCare(db.handle)}
        title={db.is_snapshot ? "Pull a fresh copy from the device (F5)" : "Read the database again (F5)"}
      />
      {db.is_snapshot && conflicts > 0 && (
        <ToolButton
          icon="push"
          className="blocked"
          testId="push-button"
          data-waiting={waiting}
          data-blocked="true"
          onClick={() => openConflicts(db.handle)}
          title={`Pushing is blocked: ${plural(conflicts, "saved change")} ${conflicts === 1 ? "conflicts" : "conflict"} with what the app wrote. Resolve them first.`}
          label={<>Blocked: {plural(conflicts, "conflict")}</>}
        />
      )}
      {db.is_snapshot && conflicts === 0 && (
        <ToolButton
          icon="push"
          className={waiting || unsaved ? "primary" : ""}
          testId="push-button"
          data-waiting={waiting}
          onClick={() => setPushDialog(db.handle)}
          title={`${pushTitle} (${keyLabel("Mod+Shift+P")})`}
          label={<>Push to device{waiting ? ` (${waiting})` : ""}</>}
        />
      )}
    </div>
  );
}

const TABS: [Tab, string][] = [
  ["data", "Data"],
  ["schema", "Schema"],
  ["sql", "SQL"],
  ["changes", "Changes"],
];

export function MainView() {
  const db = useStore(appStore, activeDb);
  const table = useStore(appStore, (s) => s.active?.table ?? null);
  const tab = useStore(appStore, (s) => s.tab);
  const opening = useStore(appStore, (s) => s.opening.length > 0);
  const pushed = useStore(appStore, (s) => (db ? (s.pushed[db.handle] ?? null) : null));
  const pushDialog = useStore(appStore, (s) => s.pushDialog);
  const conflictsDialog = useStore(conflictsDialogStore, (s) => s);
  const firstRun = useStore(appStore, (s) => s.recentLoaded && s.recent.length === 0);

  if (!db) {
    return (
      <main className="main">
        <div className="main-head">
          <SidebarToggle />
        </div>
        <div className="main-body empty-main">
          <div className="empty-state big" data-testid="welcome">
            <h1>Inspect an app's SQLite databases</h1>
            <p>Pick a device, an app and a database on the left, open a file, or drop a .db file here.</p>
            {firstRun && <FirstRun />}
            {opening && <p className="muted">Opening…</p>}
          </div>
        </div>
      </main>
    );
  }

  const listing = db.tables.find((t) => t.name === table);
  const kind = listing?.kind;
  const title = listing ? tableTitle(listing) : table;

  return (
    <main className="main">
      <div className="main-head">
        <SidebarToggle />
        <div className="crumbs" title={db.location}>
          {/* The names give way (cut short) before the key's tag and button do. */}
          <span className="crumbs-path">
            <span className="db-label">{db.label}</span>
            {table && (
              <>
                <span className="sep">›</span>
                <span className="table-label" title={listing && title !== table ? `${title} (SQL name ${table})` : undefined}>
                  {title}
                </span>
                {title !== table && <span className="muted sql-name">{table}</span>}
                {kind === "view" && <span className="tag">view</span>}
              </>
            )}
            <FrameworkTag db={db} version />
            {db.is_snapshot && (
              <span className="tag snapshot" title="A local copy pulled from the device: edits are saved to the copy and pushed explicitly">
                snapshot
              </span>
            )}
          </span>
          {db.encrypted && <EncryptedTag db={db} />}
          {db.encrypted && db.key_remembered && <ForgetKey key={db.handle} db={db} />}
        </div>
        <div className="tabs" role="tablist">
          {TABS.map(([id, label]) => (
            <button
              key={id}
              role="tab"
              data-testid={`tab-${id}`}
              aria-selected={tab === id}
              className={tab === id ? "tab active" : "tab"}
              disabled={id !== "sql" && id !== "changes" && !table}
              onClick={() => setTab(id)}
            >
              {label}
            </button>
          ))}
        </div>
        <DbActions db={db} />
      </div>
      <WatchBar db={db} />
      <RestoreNotice handle={db.handle} />
      <KeyNotice db={db} />
      {pushed && <PushDone outcome={pushed} onClose={() => setPushed(db.handle, null)} />}
      <div className="main-body" role="tabpanel">
        {tab === "data" && table && <TableView key={`${db.handle}:${table}`} db={db} table={table} />}
        {tab === "schema" && table && <SchemaView key={`${db.handle}:${table}`} handle={db.handle} table={table} />}
        {tab === "sql" && <SqlConsole key={db.handle} db={db} table={table} />}
        {tab === "changes" && <ChangesView key={db.handle} db={db} />}
        {tab !== "sql" && tab !== "changes" && !table && <div className="empty-state">This database has no tables. Use the SQL tab to create some.</div>}
      </div>
      {pushDialog === db.handle && <PushDialog db={db} onClose={() => setPushDialog(null)} />}
      {conflictsDialog === db.handle && <ConflictsDialog db={db} onClose={() => openConflicts(null)} />}
    </main>
  );
}
