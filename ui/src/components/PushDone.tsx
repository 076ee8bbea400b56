// The result of a push, as a notice above the grid (not a modal: the user
// goes on working right away).
import type { PushReport } from "../bindings/PushReport";
import { formatBytes } from "../values";

export function PushDone({ report, onClose }: { report: PushReport; onClose(): void }) {
  return (
    <div className="notice ok" data-testid="push-done" role="status">
      <span>
        <strong>Pushed to the device.</strong> {formatBytes(report.bytes)} written
        {report.stopped_app ? " (the app was stopped)" : ""}. Previous version backed up at <code>{report.backup}</code>
      </span>
      <button className="icon" aria-label="Dismiss" onClick={onClose}>
        ×
      </button>
    </div>
  );
}
