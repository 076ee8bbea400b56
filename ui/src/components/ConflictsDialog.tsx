// Saved changes the rebase could not re-apply onto the app's new version:
// for each, what you saw, what the app wrote and what you want; keep yours
// or take the app's, one by one or all at once. Pushing waits for none left.
import { useEffect, useState } from "react";
import type { Conflict } from "../bindings/Conflict";
import type { OpenedDb } from "../bindings/OpenedDb";
import type { Value } from "../bindings/Value";
import { plural } from "../lib/format";
import { describeKey } from "../lib/rowKey";
import { cachedSchema } from "../state/schemas";
import { refreshConflicts, resolveConflicts, useWatch } from "../state/watch";
import { inlineText } from "../values";
import { Dialog } from "./Dialog";

const WHAT: Record<string, string> = { update: "your edit", delete: "your delete", insert: "your new row" };

function cellOf(values: Value[] | null, i: number) {
  if (values === null) return <span className="muted absent">row absent</span>;
  const text = inlineText(values[i] ?? null);
  return (
    <span className="conflict-value" title={text}>
      {text}
    </span>
  );
}

function Item({ handle, c, busy, onResolve }: { handle: number; c: Conflict; busy: boolean; onResolve(keep: "mine" | "theirs"): void }) {
  return (
    <li className="conflict-item" data-testid="conflict-item" data-id={c.id} data-table={c.table} data-key={c.key ?? undefined}>
      <div className="conflict-head">
        <strong>{c.table}</strong> <span>{c.key !== null ? describeKey(c.key, cachedSchema(handle, c.table)) : "a row"}</span>
        <span className="muted"> · {WHAT[c.op] ?? c.op}</span>
        <span className="spacer" />
        <button className="small" data-testid="conflict-theirs" disabled={busy} onClick={() => onResolve("theirs")} title="Drop your change: the app's value stays">
          Take theirs
        </button>
        <button className="small primary" data-testid="conflict-mine" disabled={busy} onClick={() => onResolve("mine")} title="Write yours over the app's value (pushed with the rest)">
          Keep mine
        </button>
      </div>
      <table className="conflict-values">
        <thead>
          <tr>
            <th>Column</th>
            <th>You saw</th>
            <th>The app wrote</th>
            <th>Yours</th>
          </tr>
        </thead>
        <tbody>
          {c.columns.map((col, i) => (
            <tr key={col}>
              <td className="mono">{col}</td>
              <td data-testid="conflict-saw">{cellOf(c.saw, i)}</td>
              <td data-testid="conflict-theirs-value" className="theirs">{cellOf(c.theirs, i)}</td>
              <td data-testid="conflict-mine-value" className="mine">{cellOf(c.mine, i)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </li>
  );
}

export function ConflictsDialog({ db, onClose }: { db: OpenedDb; onClose(): void }) {
  const { handle } = db;
  const { conflicts } = useWatch(handle);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void refreshConflicts(handle);
  }, [handle]);
  const run = async (ids: number[], keep: "mine" | "theirs") => {
    setBusy(true);
    await resolveConflicts(handle, ids, keep);
    setBusy(false);
  };
  const ids = conflicts.map((c) => c.id);
  return (
    <Dialog title="Your saved changes and the app's writes" testId="conflicts-dialog" onClose={onClose} wide>
      <p>
        After you saved these changes, the app wrote to the same rows. For each one, <strong>keep yours</strong> (it is written over the app's value and
        pushed with the rest) or <strong>take theirs</strong> (your change is dropped; the app's value stays).
      </p>
      {conflicts.length === 0 ? (
        <p className="ok-text" data-testid="conflicts-none">
          No conflict left: you can push.
        </p>
      ) : (
        <>
          <div className="conflict-bulk">
            <span data-testid="conflicts-count">
              {plural(conflicts.length, "conflict")}: pushing waits until none is left.
            </span>
            <span className="spacer" />
            <button data-testid="conflicts-all-theirs" disabled={busy} onClick={() => void run(ids, "theirs")}>
              Take all theirs
            </button>
            <button className="primary" data-testid="conflicts-all-mine" disabled={busy} onClick={() => void run(ids, "mine")}>
              Keep all mine
            </button>
          </div>
          <ul className="conflicts">
            {conflicts.map((c) => (
              <Item key={c.id} handle={handle} c={c} busy={busy} onResolve={(keep) => void run([c.id], keep)} />
            ))}
          </ul>
        </>
      )}
      <div className="dialog-actions">
        <button onClick={onClose}>Close</button>
      </div>
    </Dialog>
  );
}
