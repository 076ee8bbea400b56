// Under the database's head while it is watched: what the watch is doing
// (watching, paused with the backend's sentence, a problem), the newest
// version, since when the grid and the table list mark changes, and the
// announcements a version can bring (the app recreated its database, the
// schema changed, saved changes that conflict with the app's writes).
import type { OpenedDb } from "../bindings/OpenedDb";
import { formatTime, plural } from "../lib/format";
import { setTab } from "../state/app";
import { dismissNotice, markSeen, openConflicts, totalOf, useWatch } from "../state/watch";

export function WatchBar({ db }: { db: OpenedDb }) {
  const w = useWatch(db.handle);
  const { handle } = db;
  const changedTables = Object.values(w.counts).filter((c) => totalOf(c) > 0 || c.schema).length;
  return (
    <>
      {w.phase !== "off" && (
        <div className={`watch-bar ${w.phase}`} data-testid="watch-bar" data-phase={w.phase} role="status">
          <span className="watch-dot" aria-hidden />
          <span
            className="watch-text"
            data-testid="watch-state"
            title={
              db.is_snapshot
                ? "Sonde looks at the device's file every second (one quick check) and pulls a new version when the app wrote to it"
                : "Sonde is told when the file changes and keeps a copy of each new version"
            }
          >
            {w.phase === "starting" && "Starting to watch…"}
            {w.phase === "watching" && (
              <>
                <strong>Watching</strong>
                {w.newest && (
                  <>
                    {" "}
                    · version {w.newest.number} at {formatTime(w.newest.at)}
                  </>
                )}
                {w.seen > 0 ? <span data-testid="watch-seen"> · {plural(w.seen, "new version")} since it started</span> : " · no write by the app yet"}
              </>
            )}
            {w.phase === "paused" && (
              <>
                <strong>Watching paused:</strong> {w.reason}
              </>
            )}
            {w.phase === "error" && (
              <>
                <strong>Watching hit a problem:</strong> {w.reason}
              </>
            )}
          </span>
          <span className="spacer" />
          {w.baseline && (
            <span className="watch-since muted" title="The grid marks and the table list counts what the app changed since this version">
              Marked: changes since version {w.baseline.number} ({formatTime(w.baseline.at)})
            </span>
          )}
          {changedTables > 0 && (
            <button className="link" data-testid="mark-seen" onClick={() => markSeen(handle)} title="Clear the marks and badges: count from the newest version on">
              Mark all seen
            </button>
          )}
          <button className="small" data-testid="show-changes" onClick={() => setTab("changes")}>
            Versions…
          </button>
        </div>
      )}
      {w.conflicts.length > 0 && (
        <div className="notice error" data-testid="conflicts-notice" role="alert">
          <span>
            <strong>
              {plural(w.conflicts.length, "saved change")} {w.conflicts.length === 1 ? "conflicts" : "conflict"} with what the app wrote since.
            </strong>{" "}
            The others were re-applied onto the app's new version. Pushing waits until each conflict is settled.
          </span>
          <button className="primary" data-testid="resolve-conflicts" onClick={() => openConflicts(handle)}>
            Resolve…
          </button>
        </div>
      )}
      {w.notices.map((n) => (
        <div key={n.id} className="notice warn" data-testid="watch-notice" data-kind={n.kind} role="alert">
          <span>
            <strong>{n.title}</strong> <span className="muted">(version {n.version})</span>
            {n.details.length > 0 && (
              <details className="notice-details">
                <summary>Details</summary>
                <ul>
                  {n.details.map((d, i) => (
                    <li key={i}>{d}</li>
                  ))}
                </ul>
              </details>
            )}
          </span>
          <span className="notice-actions">
            <button className="link" onClick={() => setTab("changes")}>
              See the changes
            </button>
            <button className="icon" aria-label="Dismiss" onClick={() => dismissNotice(handle, n.id)}>
              ×
            </button>
          </span>
        </div>
      ))}
    </>
  );
}
