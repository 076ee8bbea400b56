// Export through the backend (it shows the save dialog and streams the
// file): choose what and the format, watch progress, cancel.
import { useRef, useState } from "react";
import { api, newOpId } from "../api";
import type { ExportReport } from "../bindings/ExportReport";
import type { ExportSource } from "../bindings/ExportSource";
import type { Format } from "../bindings/Format";
import { toCommandError, hintFor } from "../errors";
import { formatCount, plural } from "../lib/format";
import { formatBytes } from "../values";
import { Dialog } from "./Dialog";

export interface ExportChoice {
  id: string;
  label: string;
  source: ExportSource;
}

type Phase =
  | { at: "choose" }
  | { at: "running"; rows: number; total: number | null }
  | { at: "done"; report: ExportReport }
  | { at: "cancelled" }
  | { at: "error"; kind: string; message: string };

const FORMATS: [Format, string][] = [
  ["csv", "CSV"],
  ["json", "JSON (array of objects)"],
  ["jsonl", "JSON Lines"],
  ["sql", "SQL (CREATE + INSERT)"],
];

export function ExportDialog({ handle, choices, onClose }: { handle: number; choices: ExportChoice[]; onClose(): void }) {
  const [choice, setChoice] = useState(choices[0]?.id ?? "");
  const [format, setFormat] = useState<Format>("csv");
  const [phase, setPhase] = useState<Phase>({ at: "choose" });
  const [revealError, setRevealError] = useState<string | null>(null);
  const opId = useRef("");

  const reveal = async (path: string) => {
    try {
      setRevealError(null);
      await api.revealExport(path);
    } catch (e) {
      setRevealError(toCommandError(e).message);
    }
  };

  const start = async () => {
    const picked = choices.find((c) => c.id === choice);
    if (!picked) return;
    opId.current = newOpId("export");
    setPhase({ at: "running", rows: 0, total: null });
    try {
      const report = await api.exportData(handle, picked.source, format, opId.current, (p) =>
        setPhase((cur) => (cur.at === "running" ? { at: "running", rows: p.rows, total: p.total } : cur)),
      );
      setPhase(report ? { at: "done", report } : { at: "choose" });
    } catch (e) {
      const err = toCommandError(e);
      setPhase(err.kind === "cancelled" ? { at: "cancelled" } : { at: "error", kind: err.kind, message: err.message });
    }
  };

  return (
    <Dialog title="Export" testId="export-dialog" onClose={phase.at === "running" ? () => undefined : onClose}>
      {phase.at === "choose" && (
        <>
          <fieldset className="export-choices">
            <legend>What</legend>
            {choices.map((c) => (
              <label key={c.id} className="check">
                <input type="radio" name="export-what" data-testid={`export-source-${c.id}`} checked={choice === c.id} onChange={() => setChoice(c.id)} />
                {c.label}
              </label>
            ))}
          </fieldset>
          <label className="field">
            Format
            <select data-testid="export-format" value={format} onChange={(e) => setFormat(e.target.value as Format)}>
              {FORMATS.map(([f, label]) => (
                <option key={f} value={f}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <p className="muted">You will choose where to save the file next.</p>
          <div className="dialog-actions">
            <button onClick={onClose}>Cancel</button>
            <button className="primary" data-testid="export-start" onClick={() => void start()} disabled={!choice}>
              Export…
            </button>
          </div>
        </>
      )}
      {phase.at === "running" && (
        <div data-testid="export-progress" data-rows={phase.rows}>
          <progress max={phase.total ?? undefined} value={phase.total ? phase.rows : undefined} />
          <p>
            {formatCount(phase.rows)} {phase.total ? `of ${formatCount(phase.total)} ` : ""}rows written
          </p>
          <button data-testid="export-cancel" onClick={() => void api.cancelOperation(opId.current)}>
            Cancel
          </button>
        </div>
      )}
      {phase.at === "done" && (
        <div data-testid="export-done" data-path={phase.report.path}>
          <p>
            <strong>Exported</strong> {plural(phase.report.rows, "row")} ({formatBytes(phase.report.bytes)}) to
          </p>
          <code className="path">{phase.report.path}</code>
          {revealError && <p className="error-text">{revealError}</p>}
          <div className="dialog-actions">
            <button data-testid="export-reveal" onClick={() => void reveal(phase.report.path)}>
              Show in folder
            </button>
            <button className="primary" onClick={onClose}>
              Close
            </button>
          </div>
        </div>
      )}
      {phase.at === "cancelled" && (
        <div data-testid="export-cancelled">
          <p>Export cancelled; no file was written.</p>
          <div className="dialog-actions">
            <button onClick={onClose}>Close</button>
            <button className="primary" onClick={() => setPhase({ at: "choose" })}>
              Export again
            </button>
          </div>
        </div>
      )}
      {phase.at === "error" && (
        <div data-testid="export-error" data-kind={phase.kind}>
          <p className="error-text">{phase.message}</p>
          {hintFor(phase.kind) && <p className="muted">{hintFor(phase.kind)}</p>}
          <div className="dialog-actions">
            <button onClick={onClose}>Close</button>
          </div>
        </div>
      )}
    </Dialog>
  );
}
