// Pushing a device snapshot back: confirm (stop the app first, on by
// default), progress through the Channel, then done, or the conflict
// dialog when the database changed on the device since it was pulled.
import { useRef, useState } from "react";
import { api, newOpId } from "../api";
import type { PushReport } from "../bindings/PushReport";
import { toCommandError, hintFor } from "../errors";
import { Dialog } from "./Dialog";

type Phase =
  | { at: "confirm" }
  | { at: "running"; stage: string }
  | { at: "conflict"; message: string }
  | { at: "error"; kind: string; message: string };

const STAGES: Record<string, string> = {
  saving: "Saving your edits…",
  preparing: "Preparing the snapshot…",
  transferring: "Transferring to the device and verifying…",
  done: "Done",
};

interface Props {
  handle: number;
  label: string;
  unpushed: number;
  /** Edits not saved yet: they are saved first. */
  unsaved: number;
  /** Finishes or runs the save; false when it failed. */
  beforePush(): Promise<boolean>;
  onClose(): void;
  /** Called with the report; the dialog is closed by the parent then. */
  onPushed(report: PushReport): void;
  onReopen(): void;
}

export function PushDialog({ handle, label, unpushed, unsaved, beforePush, onClose, onPushed, onReopen }: Props) {
  const [phase, setPhase] = useState<Phase>({ at: "confirm" });
  const [stopApp, setStopApp] = useState(true);
  const opId = useRef("");

  const start = async () => {
    opId.current = newOpId("push");
    setPhase({ at: "running", stage: "saving" });
    if (!(await beforePush())) {
      setPhase({ at: "error", kind: "error", message: "Saving the edits failed, so nothing was pushed." });
      return;
    }
    setPhase({ at: "running", stage: "preparing" });
    try {
      const report = await api.pushDatabase(handle, stopApp, opId.current, (p) =>
        setPhase((cur) => (cur.at === "running" ? { at: "running", stage: p.stage } : cur)),
      );
      onPushed(report);
    } catch (e) {
      const err = toCommandError(e);
      setPhase(err.kind === "conflict" ? { at: "conflict", message: err.message } : { at: "error", kind: err.kind, message: err.message });
    }
  };

  if (phase.at === "conflict") {
    return (
      <Dialog title="The database changed on the device" testId="conflict-dialog" onClose={onClose}>
        <p>
          <strong>The database changed on the device since you pulled it; re-open it and redo your edits.</strong>
        </p>
        <p className="muted">Sonde did not overwrite it, so the app's newer data is safe. {phase.message}</p>
        <div className="dialog-actions">
          <button onClick={onClose}>Close</button>
          <button className="primary" data-testid="conflict-reopen" onClick={onReopen}>
            Re-open from device
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Push to device" testId="push-dialog" onClose={phase.at === "running" ? () => undefined : onClose}>
      {phase.at === "confirm" && (
        <>
          <p>
            Write the edited copy of <strong>{label}</strong> back to the device
            {unpushed ? ` (${unpushed} saved change${unpushed === 1 ? "" : "s"})` : ""}. The device's current file is backed up first.
          </p>
          {unsaved > 0 && (
            <p className="note" data-testid="push-unsaved">
              {unsaved} unsaved edit{unsaved === 1 ? " is" : "s are"} saved first.
            </p>
          )}
          <label className="check">
            <input type="checkbox" data-testid="push-stop-app" checked={stopApp} onChange={(e) => setStopApp(e.target.checked)} />
            Stop the app first (recommended: it cannot write while the file is replaced)
          </label>
          <div className="dialog-actions">
            <button onClick={onClose}>Cancel</button>
            <button className="primary" data-testid="push-confirm" onClick={() => void start()}>
              Push
            </button>
          </div>
        </>
      )}
      {phase.at === "running" && (
        <div data-testid="push-progress" data-stage={phase.stage}>
          <progress />
          <p>{STAGES[phase.stage] ?? phase.stage}</p>
          <button onClick={() => void api.cancelOperation(opId.current)}>Cancel</button>
        </div>
      )}
      {phase.at === "error" && (
        <div data-testid="push-error" data-kind={phase.kind}>
          <p className="error-text">{phase.message}</p>
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
