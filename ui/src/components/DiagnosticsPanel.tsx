// Diagnostics: operation timings, the device tools found (with versions or
// what is wrong with them; how to install the missing ones) and where the
// log file is.
import { useEffect, useState } from "react";
import { api } from "../api";
import type { Diagnostics } from "../bindings/Diagnostics";
import type { ToolInfo } from "../bindings/ToolInfo";
import { formatCount } from "../lib/format";
import { isMac, MAC_ONLY_TOOLS, osName } from "../lib/platform";
import { appStore } from "../state/app";
import { useStore } from "../state/store";
import { Dialog } from "./Dialog";
import { MissingTools } from "./MissingTools";

const ms = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${us} µs`);

function toolStatus(t: ToolInfo): { text: string; problem: boolean } {
  if (MAC_ONLY_TOOLS.has(t.tool) && !isMac && !t.path) return { text: `Not available on ${osName} (iOS simulators need a Mac)`, problem: false };
  if (t.problem) return { text: t.problem, problem: true };
  return { text: t.note ? `OK · ${t.note}` : "OK", problem: false };
}

function SimulatedDeviceDir({ dir }: { dir: string }) {
  return (
    <>
      <h3>Simulated device</h3>
      <p data-testid="diagnostics-simdir">
        The simulated device keeps its file system in <code>{dir}</code>. An app's data is under <code>data/data/&lt;package&gt;/</code> there
        (its databases in <code>databases/</code>). To check a push by hand, open that database file with any SQLite tool after pushing.
      </p>
    </>
  );
}

export function DiagnosticsPanel({ onClose }: { onClose(): void }) {
  const [diag, setDiag] = useState<Diagnostics | null>(null);
  const [error, setError] = useState<string | null>(null);
  const info = useStore(appStore, (s) => s.info);
  const load = () => api.diagnostics().then(setDiag, (e: Error) => setError(e.message));
  useEffect(() => {
    void load();
  }, []);
  return (
    <Dialog title="Diagnostics" onClose={onClose} wide>
      <div data-testid="diagnostics-panel" className="diagnostics">
        {error && <p className="error-text">{error}</p>}
        {!diag && !error && <p className="muted">Loading…</p>}
        {diag && (
          <>
            <p>
              Sonde {info?.version ?? ""} · {diag.open_databases} open database{diag.open_databases === 1 ? "" : "s"} · log file:{" "}
              <code data-testid="diagnostics-log">{diag.log_file}</code>
            </p>
            <h3>Tools</h3>
            <MissingTools tools={diag.tools} />
            <table className="schema-table" data-testid="diagnostics-tools">
              <thead>
                <tr>
                  <th>Tool</th>
                  <th>Path</th>
                  <th>Version</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {diag.tools.map((t) => {
                  const status = toolStatus(t);
                  return (
                    <tr key={t.tool} data-tool={t.tool} className={status.problem ? "problem" : status.text.startsWith("OK") ? "" : "muted"}>
                      <td className="mono">{t.tool}</td>
                      <td className="mono">{t.path ?? "—"}</td>
                      <td>{t.version ?? "—"}</td>
                      <td>{status.text}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {info?.simulated_device_dir && <SimulatedDeviceDir dir={info.simulated_device_dir} />}
            <h3>Operations</h3>
            {diag.metrics.length === 0 ? (
              <p className="muted">Nothing measured yet.</p>
            ) : (
              <table className="schema-table num" data-testid="diagnostics-metrics">
                <thead>
                  <tr>
                    <th>Operation</th>
                    <th>Calls</th>
                    <th>Errors</th>
                    <th>Mean</th>
                    <th>p50</th>
                    <th>p95</th>
                    <th>p99</th>
                    <th>Max</th>
                  </tr>
                </thead>
                <tbody>
                  {diag.metrics.map((m) => (
                    <tr key={m.op}>
                      <td className="mono">{m.op}</td>
                      <td>{formatCount(m.calls)}</td>
                      <td>{formatCount(m.errors)}</td>
                      <td>{ms(m.mean_us)}</td>
                      <td>{ms(m.p50_us)}</td>
                      <td>{ms(m.p95_us)}</td>
                      <td>{ms(m.p99_us)}</td>
                      <td>{ms(m.max_us)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <div className="dialog-actions">
              <button onClick={() => void load()}>Refresh</button>
              <button className="primary" onClick={onClose}>
                Close
              </button>
            </div>
          </>
        )}
      </div>
    </Dialog>
  );
}
