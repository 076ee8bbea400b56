// Pushing a device snapshot back: what will be pushed (saved changes by
// table, SQL console writes, unsaved edits saved first), stop the app (on
// by default), the real stages through the Channel, then the outcome, or
// the conflict dialog with its way out (discard and pull fresh).
import { useEffect, useRef, useState } from "react";
import { api, newOpId } from "../api";
import type { OpenedDb } from "../bindings/OpenedDb";
import type { PendingChange } from "../bindings/PendingChange";
import type { PushProgress } from "../bindings/PushProgress";
import { saveWithCare } from "../editing/conflicts";
import { unsavedCount, useDbEdits } from "../editing/store";
import { hintFor, toCommandError } from "../errors";
import { plural } from "../lib/format";
import { describeKey } from "../lib/rowKey";
import { appStore, refreshStatus, relistDevices, setPushed } from "../state/app";
import { ask } from "../state/confirm";
import { discardAndPull } from "../state/dbActions";
import { cachedSchema } from "../state/schemas";
import { useStore } from "../state/store";
import { afterPush, openConflicts, refreshConflicts, useWatch } from "../state/watch";
import { formatBytes, inlineText } from "../values";
import { Dialog } from "./Dialog";

type Stage = PushProgress["stage"] | "saving";

type Phase =
  | { at: "confirm" }
  | { at: "running"; stage: Stage; sent?: number; total?: number; passed: Stage[] }
  | { at: "conflict"; message: string }
  | { at: "error"; kind: string; message: string };

const STAGES: [Stage, string][] = [
  ["saving", "Saving the unsaved edits"],
  ["checkpoint", "Folding the write-ahead log into the snapshot"],
  ["local_check", "Checking the snapshot"],
  ["conflict_check", "Checking that the device's copy did not change"],
  ["stop_app", "Stopping the app"],
  ["upload", "Uploading"],
  ["verify_staged", "Verifying the uploaded copy"],
  ["swap", "Replacing the database on the device"],
  ["verify", "Verifying the database on the device"],
  ["done", "Done"],
];

/** One saved change in words, its row named by key. */
function describeChange(handle: number, p: PendingChange): string {
  const c = p.change;
  const schema = cachedSchema(handle, c.table);
  if (c.op === "insert") return `added ${describeKey(c.key_after ?? "", schema)}`;
  if (c.op === "delete") return `deleted ${describeKey(c.key_before ?? "", schema)}`;
  const cols = c.after.map((a, i) => `${a.column}: ${inlineText(c.before[i]?.value ?? null)} → ${inlineText(a.value)}`).join(", ");
  return `${describeKey(c.key_before ?? "", schema)} · ${cols}`;
}

function ChangeList({ handle, changes }: { handle: number; changes: PendingChange[] }) {
  const byTable = new Map<string, PendingChange[]>();
  for (const p of changes) byTable.set(p.change.table, [...(byTable.get(p.change.table) ?? []), p]);
  const SHOWN = 8;
  return (
    <div className="push-changes" data-testid="push-changes">
      {[...byTable].map(([table, list]) => (
        <section key={table}>
          <h3>
            {table} <span className="muted">· {plural(list.length, "change")}</span>
          </h3>
          <ul>
            {list.slice(0, SHOWN).map((p) => (
              <li key={p.id} data-op={p.change.op} className={`pending-${p.change.op}`}>
                {describeChange(handle, p)}
              </li>
            ))}
            {list.length > SHOWN && <li className="muted">and {plural(list.length - SHOWN, "more change")}</li>}
          </ul>
        </section>
      ))}
    </div>
  );
}

export function PushDialog({ db, onClose }: { db: OpenedDb; onClose(): void }) {
  const { handle } = db;
  const [phase, setPhase] = useState<Phase>({ at: "confirm" });
  const [stopApp, setStopApp] = useState(true);
  const [changes, setChanges] = useState<PendingChange[] | null>(null);
  const status = useStore(appStore, (s) => s.status[handle]);
  const unsaved = unsavedCount(useDbEdits(handle));
  const conflicts = useWatch(handle).conflicts.length;
  // A new version of the app's (watch) re-applies the changes: read them again.
  const live = useStore(appStore, (s) => s.liveVersion[handle] ?? 0);
  const opId = useRef("");

  useEffect(() => {
    void refreshStatus(handle);
    api.pendingChanges(handle).then(setChanges, () => setChanges([]));
  }, [handle, live]);

  const resolve = () => {
    onClose();
    openConflicts(handle);
  };

  const advance = (p: PushProgress) =>
    setPhase((cur) => {
      if (cur.at !== "running") return cur;
      const passed = cur.stage === p.stage ? cur.passed : [...cur.passed, cur.stage];
      return p.stage === "upload" ? { at: "running", stage: p.stage, sent: p.sent, total: p.total, passed } : { at: "running", stage: p.stage, passed };
    });

  /** `allowSchemaChange`: the user confirmed pushing a schema change the backend refused (a Room database). */
  const start = async (allowSchemaChange = false) => {
    opId.current = newOpId("push");
    setPhase({ at: "running", stage: "saving", passed: [] });
    if (!(await saveWithCare(handle))) {
      setPhase({ at: "error", kind: "constraint", message: "The unsaved edits were not saved, so nothing was pushed. The grid marks what to look at." });
      return;
    }
    try {
      const outcome = await api.pushDatabase(handle, stopApp, opId.current, advance, allowSchemaChange);
      setPushed(handle, outcome);
      void refreshStatus(handle);
      if (outcome.outcome === "pushed") afterPush(handle);
      if (outcome.outcome === "pushed") relistDevices();
      onClose();
    } catch (e) {
      const err = toCommandError(e);
      void refreshStatus(handle);
      if (err.kind === "schema_change" && !allowSchemaChange) {
        const yes = await ask({
          title: "Push a schema change to the device?",
          body: [err.message, "Push only if the app expects this schema (it migrates to it, or you are testing what it does)."],
          confirmLabel: "Push anyway",
          danger: true,
        });
        if (yes) return start(true);
        setPhase({ at: "error", kind: err.kind, message: `Not pushed: ${err.message}` });
        return;
      }
      // Refused because saved changes conflict with the app's writes: settle them.
      if (err.kind === "conflict" && (await refreshConflicts(handle)).length) {
        afterPush(handle);
        return resolve();
      }
      setPhase(err.kind === "conflict" ? { at: "conflict", message: err.message } : { at: "error", kind: err.kind, message: err.message });
    }
  };

  const discard = async () => {
    if (await discardAndPull(handle)) onClose();
  };

  if (phase.at === "conflict") {
    return (
      <Dialog title="The database changed on the device" testId="conflict-dialog" onClose={onClose}>
        <p>
          <strong>The app on the device wrote to {db.label} after you pulled it.</strong> Sonde did not overwrite it, so the app's newer data is safe.
        </p>
        <p className="muted">{phase.message}</p>
        <p>To go on, discard your changes and pull a fresh copy, then redo them there.</p>
        <div className="dialog-actions">
          <button onClick={onClose}>Close</button>
          <button className="primary" data-testid="discard-pull" onClick={() => void discard()}>
            Discard my changes and pull fresh…
          </button>
        </div>
      </Dialog>
    );
  }

  const sqlWrites = status?.sql_writes ?? 0;
  const nothing = changes !== null && changes.length === 0 && sqlWrites === 0 && unsaved === 0;

  return (
    <Dialog title="Push to device" testId="push-dialog" onClose={phase.at === "running" ? () => undefined : onClose}>
      {phase.at === "confirm" && (
        <>
          <p>
            Write the edited copy of <strong>{db.label}</strong> back to the device. The device's current file is backed up first.
          </p>
          {changes === null && <p className="muted">Reading the changes…</p>}
          {changes !== null && changes.length > 0 && <ChangeList handle={handle} changes={changes} />}
          {sqlWrites > 0 && (
            <p data-testid="push-sql-writes">
              {plural(sqlWrites, "write")} from the SQL console (not in the list above: they are pushed as they are, and if the app wrote since the pull they are re-applied onto its data as the rows they changed).
            </p>
          )}
          {unsaved > 0 && (
            <p className="note" data-testid="push-unsaved">
              {plural(unsaved, "unsaved edit")} {unsaved === 1 ? "is" : "are"} saved first.
            </p>
          )}
          {nothing && <p className="muted">Nothing was changed since the pull: the device already has this version.</p>}
          {conflicts > 0 && (
            <p className="notice error" data-testid="push-blocked">
              <span>
                <strong>Pushing is blocked:</strong> {plural(conflicts, "saved change")} {conflicts === 1 ? "conflicts" : "conflict"} with what the app wrote since.
                Keep yours or take the app's for each first.
              </span>
              <button className="primary" onClick={resolve}>
                Resolve…
              </button>
            </p>
          )}
          <label className="check">
            <input type="checkbox" data-testid="push-stop-app" checked={stopApp} onChange={(e) => setStopApp(e.target.checked)} />
            Stop the app first (recommended: it cannot write while the file is replaced)
          </label>
          <div className="dialog-actions">
            {!nothing && changes !== null && (
              <button className="link danger-link" data-testid="push-discard" onClick={() => void discard()}>
                Discard changes and pull fresh…
              </button>
            )}
            <span className="spacer" />
            <button onClick={onClose}>Cancel</button>
            <button className="primary" data-testid="push-confirm" disabled={conflicts > 0} title={conflicts ? "Resolve the conflicts first" : undefined} onClick={() => void start()}>
              Push
            </button>
          </div>
        </>
      )}
      {phase.at === "running" && (
        <div data-testid="push-progress" data-stage={phase.stage}>
          <ol className="stages">
            {STAGES.filter(([s]) => s !== "done" && (s !== "saving" || unsaved > 0 || phase.stage === "saving") && (s !== "stop_app" || stopApp)).map(([s, label]) => {
              const state = phase.passed.includes(s) ? "passed" : phase.stage === s ? "current" : "waiting";
              return (
                <li key={s} className={`stage ${state}`} aria-current={state === "current" || undefined}>
                  {label}
                  {s === "upload" && state === "current" && phase.total ? ` (${formatBytes(phase.sent ?? 0)} of ${formatBytes(phase.total)})` : ""}
                </li>
              );
            })}
          </ol>
          {phase.stage === "upload" && phase.total ? <progress max={phase.total} value={phase.sent} /> : <progress />}
          <div className="dialog-actions">
            <button onClick={() => void api.cancelOperation(opId.current)}>Cancel</button>
          </div>
        </div>
      )}
      {phase.at === "error" && (
        <div data-testid="push-error" data-kind={phase.kind}>
          {phase.kind === "cancelled" ? (
            <p>The push was cancelled: the device's database was left as it was.</p>
          ) : (
            <p className="error-text">{phase.message}</p>
          )}
          {hintFor(phase.kind) && <p className="muted">{hintFor(phase.kind)}</p>}
          <div className="dialog-actions">
            <button onClick={onClose}>Close</button>
            <button className="primary" onClick={() => setPhase({ at: "confirm" })}>
              Try again
            </button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
