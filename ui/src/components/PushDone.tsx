// The result of a push, as a notice above the views (not a modal: the
// user goes on working right away). It goes away with the next edit.
import type { PushOutcome } from "../bindings/PushOutcome";
import { formatBytes } from "../values";

export function PushDone({ outcome, onClose }: { outcome: PushOutcome; onClose(): void }) {
  return (
    <div className="notice ok" data-testid="push-done" data-outcome={outcome.outcome} role="status">
      {outcome.outcome === "unchanged" ? (
        <span>
          <strong>Nothing to push: the device already has this version.</strong> Nothing was edited since the pull, so the device was not touched.
        </span>
      ) : (
        <span>
          <strong>Pushed to the device.</strong> {formatBytes(outcome.bytes)} written
          {outcome.stopped_app ? " (the app was stopped)" : ""}.
          {outcome.rebased > 0 && (
            <span data-testid="push-rebased">
              {" "}
              The app had written since the pull: your {outcome.rebased === 1 ? "change was" : `${outcome.rebased} changes were`} re-applied on top of its data.
            </span>
          )}{" "}
          Previous version backed up at <code>{outcome.backup}</code>
        </span>
      )}
      <button className="icon" aria-label="Dismiss" onClick={onClose}>
        ×
      </button>
    </div>
  );
}
