// Tables and views of an open database (the leaves of the source tree),
// each marked when it holds unsaved edits. A table a framework names shows
// its entity (`Item`, the SQL name `ZITEM` under it; a shared Core Data
// table lists its entities), a join table its relationship (`Item.tags`);
// the frameworks' bookkeeping tables sit last in a collapsed "Internal" group.
import type { OpenedDb } from "../bindings/OpenedDb";
import type { TableListing } from "../bindings/TableListing";
import { FRAMEWORK_TITLE, frameworkLabel, isInternal, shownFramework, tableDescription, tableTitle } from "../display/frameworks";
import { unsavedByTable, useDbEdits } from "../editing/store";
import { plural } from "../lib/format";
import { appStore, selectTable } from "../state/app";
import { closeWithCare } from "../state/dbActions";
import { useStore } from "../state/store";
import { isExpanded, toggle, treeStore } from "../state/tree";
import { describeCounts, totalOf, useWatch } from "../state/watch";
import { formatCount, formatTime } from "../lib/format";

export function TableList({ db }: { db: OpenedDb }) {
  const active = useStore(appStore, (s) => s.active);
  const unsaved = new Map(unsavedByTable(useDbEdits(db.handle)));
  const watch = useWatch(db.handle);
  const groupId = `internal:${db.location}`;
  const internalOpen = useStore(treeStore, (s) => isExpanded(s, groupId));
  const since = watch.baseline ? `since version ${watch.baseline.number} (${formatTime(watch.baseline.at)}), when watching started or you last marked all seen` : "";
  if (!db.tables.length) return <div className="tree-empty">No tables (an empty database)</div>;
  const own = db.tables.filter((t) => !isInternal(t));
  const internal = db.tables.filter(isInternal);
  const activeHere = active?.handle === db.handle ? active.table : null;
  // The group opens by itself while one of its tables is shown.
  const showInternal = internalOpen || internal.some((t) => t.name === activeHere);

  const item = (t: TableListing) => {
    const isActive = activeHere === t.name;
    const edits = unsaved.get(t.name) ?? 0;
    const changes = watch.phase !== "off" ? watch.counts[t.name] : undefined;
    const changed = totalOf(changes);
    const title = tableTitle(t);
    const shared = t.entities && t.entities.length > 1 ? t.entities.join(", ") : null;
    const sub = [title !== t.name ? t.name : null, shared].filter(Boolean).join(" · ");
    return (
      <li key={t.name}>
        <button
          className={`tree-item table-item${isActive ? " active" : ""}${t.internal ? " internal" : ""}`}
          data-testid="table-item"
          data-name={t.name}
          data-kind={t.kind}
          data-entity={t.entity ?? undefined}
          data-relationship={t.relationship ?? undefined}
          data-internal={t.internal || undefined}
          data-unsaved={edits || undefined}
          data-changes={changes ? changed : undefined}
          aria-current={isActive || undefined}
          title={t.framework || t.entity || t.relationship || t.internal ? tableDescription(t) : undefined}
          onClick={() => selectTable(db.handle, t.name)}
        >
          <span className={`icon-${t.kind}`} aria-hidden>
            {t.kind === "view" ? "◇" : t.relationship ? "⇄" : "▦"}
          </span>
          <span className="label">
            <span className="table-title" data-testid="table-title">
              {title}
            </span>
            {sub && (
              <span className="sub" data-testid="table-sub">
                {sub}
              </span>
            )}
          </span>
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
  };

  const fw = internal.find((t) => t.framework)?.framework;
  return (
    <ul className="tree-children" role="group">
      {own.map(item)}
      {internal.length > 0 && (
        <li className="internal-group">
          <button
            className="tree-item internal-toggle"
            data-testid="internal-group"
            aria-expanded={showInternal}
            onClick={() => toggle(groupId)}
            title={`${fw ? `${frameworkLabel(fw)}'s` : "The frameworks'"} bookkeeping tables (not the app's data)`}
          >
            <span className="twisty" aria-hidden>
              {showInternal ? "▾" : "▸"}
            </span>
            <span className="label">Internal ({internal.length})</span>
          </button>
          {showInternal && (
            <ul role="group" data-testid="internal-tables">
              {internal.map(item)}
            </ul>
          )}
        </li>
      )}
    </ul>
  );
}

/**
 * The framework that made an open database, said once: a small tag
 * ("Core Data", "Room · v3"), or (`inline`) muted words for a sidebar row's
 * second line, where a tag would squeeze the database's name.
 */
export function FrameworkTag({ db, version = false, inline = false }: { db: OpenedDb; version?: boolean; inline?: boolean }) {
  const fw = shownFramework(db, version);
  if (!fw) return null;
  const v = version && db.user_version ? ` · v${db.user_version}` : "";
  return (
    <span
      className={inline ? "framework-name" : "tag framework-tag"}
      data-testid="framework-tag"
      data-framework={fw}
      title={`${FRAMEWORK_TITLE[fw] ?? frameworkLabel(fw)}${db.user_version ? `\nSchema version (user_version): ${db.user_version}` : ""}`}
    >
      {frameworkLabel(fw)}
      {v}
    </span>
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
