// The SQL tab: editor, Run (the statement at the cursor, the selection, or
// everything), one result per statement (tabs when there are several) with
// its rows, rows changed and time, SQLite's error as is, and this
// database's history. A new run replaces the previous results entirely.
import { useCallback, useEffect, useRef, useState } from "react";
import { api, newOpId } from "../api";
import type { HistoryEntry } from "../bindings/HistoryEntry";
import type { OpenedDb } from "../bindings/OpenedDb";
import type { StatementResult } from "../bindings/StatementResult";
import type { UiError } from "../bindings/UiError";
import { toCommandError } from "../errors";
import { DataGrid, type ActiveCellInfo } from "../grid/DataGrid";
import { SQL_PAGE, SqlSource } from "../grid/sqlSource";
import { formatCount, formatMs, plural } from "../lib/format";
import { keyLabel } from "../lib/platform";
import { bumpData, refreshStatus, showError } from "../state/app";
import { ask } from "../state/confirm";
import { layoutStore, setInspectorOpen } from "../state/layout";
import { useStore } from "../state/store";
import { ExportDialog } from "./ExportDialog";
import { ToolButton } from "./Icons";
import { RowCount } from "./RowCount";
import { SidePanel } from "./SidePanel";
import { SqlEditor, type RunRequest, type RunWhat, type SqlEditorApi } from "./SqlEditor";

// Text typed in each database's console survives tab switches.
const drafts = new Map<number, string>();

/** Errors that are about the SQL (shown in the console, not in the banner). */
const SQL_KINDS = new Set(["sql", "constraint", "read_only", "locked", "busy", "invalid"]);

interface Statement {
  result: StatementResult;
  /** Rows of a statement that returned columns. */
  source: SqlSource | null;
}

interface Run {
  statements: Statement[];
  rolledBack: boolean;
}

function disposeRun(run: Run | null): void {
  for (const s of run?.statements ?? []) s.source?.dispose();
}

const oneLine = (sql: string) => (sql.length > 40 ? `${sql.slice(0, 40).replace(/\s+/g, " ")}…` : sql.replace(/\s+/g, " "));

/** "5 rows", "200+ rows", "3 rows changed", "failed", "cancelled". */
function summary(s: Statement): string {
  const { error, page } = s.result;
  if (error) return error.kind === "cancelled" ? "cancelled" : "failed";
  if (s.source) {
    const c = s.source.count();
    return c.more ? `${formatCount(c.rows)}+ rows` : plural(c.rows, "row");
  }
  return page.wrote ? `${plural(page.rows_affected, "row")} changed` : "done";
}

export function SqlConsole({ db, table }: { db: OpenedDb; table: string | null }) {
  const { handle } = db;
  const editor = useRef<SqlEditorApi | null>(null);
  const [running, setRunning] = useState(false);
  const [run, setRun] = useState<Run | null>(null);
  /** A failure of the run as a whole (nothing ran). */
  const [failure, setFailure] = useState<UiError | null>(null);
  const [shown, setShown] = useState(0);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [cell, setCell] = useState<ActiveCellInfo | null>(null);
  const [exporting, setExporting] = useState(false);
  const inspectorOpen = useStore(layoutStore, (s) => s.inspectorOpen);
  const [, force] = useState(0);
  const opId = useRef("");

  const loadHistory = useCallback(() => {
    api.queryHistory(handle).then(setHistory, () => undefined);
  }, [handle]);
  useEffect(loadHistory, [loadHistory]);
  useEffect(() => () => disposeRun(run), [run]);
  const current = run?.statements[shown] ?? null;
  useEffect(() => current?.source?.subscribe(() => force((n) => n + 1)), [current]);

  /** `allowSchemaChange`: the user confirmed DDL the backend refused (a Room database). */
  const start = async (request: RunRequest, allowSchemaChange = false) => {
    if (!request.sql.trim() || running) return;
    let refused: string | null = null;
    setRunning(true);
    setRun(null);
    setFailure(null);
    setCell(null);
    opId.current = newOpId("sql");
    try {
      const res = await api.runSql(handle, request.sql, request.scope, SQL_PAGE, opId.current, allowSchemaChange);
      const statements = res.statements.map((result) => ({
        result,
        source: !result.error && result.page.columns.length ? new SqlSource({ page: result.page, query_id: result.query_id }, (e) => showError(e, "Reading query results")) : null,
      }));
      setRun({ statements, rolledBack: res.rolled_back });
      setShown(Math.max(0, statements.length - 1));
      if (res.wrote) {
        bumpData(handle);
        void refreshStatus(handle);
      }
    } catch (e) {
      const err = toCommandError(e);
      if (err.kind === "schema_change" && !allowSchemaChange) refused = err.message;
      else if (err.kind === "cancelled" || SQL_KINDS.has(err.kind)) setFailure({ kind: err.kind, message: err.message });
      else showError(err, "Running SQL");
    } finally {
      setRunning(false);
      loadHistory();
    }
    if (refused === null) return;
    // Nothing ran: the backend asks first (Room refuses a schema it did not migrate to).
    const yes = await ask({
      title: "Change the schema of this database?",
      body: [refused, "Run it only if the app expects this change (you are testing a migration, or the app recreates its database)."],
      confirmLabel: "Run anyway",
      danger: true,
    });
    if (yes) await start(request, true);
    else setFailure({ kind: "schema_change", message: `Not run: ${refused}` });
  };
  const runWhat = (what: RunWhat) => {
    const request = editor.current?.request(what);
    if (request) void start(request);
  };

  const initial = drafts.get(handle) ?? (table ? `SELECT * FROM "${table.replace(/"/g, '""')}" LIMIT 100;` : "");
  const error = failure ?? current?.result.error ?? null;

  return (
    <div className="sql-console">
      <div className="sql-top">
        <div className="sql-editor-wrap">
          <SqlEditor initial={initial} onRun={(r) => void start(r)} onChange={(t) => drafts.set(handle, t)} apiRef={editor} tables={db.tables.map((t) => t.name)} />
          <div className="toolbar">
            <ToolButton
              icon="run"
              className="primary"
              testId="sql-run"
              onClick={() => runWhat("all")}
              disabled={running}
              label={running ? "Running…" : "Run all"}
              title={`Run every statement (${keyLabel("Mod+Shift+Enter")})`}
            />
            <ToolButton icon="run" testId="sql-run-statement" onClick={() => runWhat("statement")} disabled={running} label="Run statement" title={`Run the statement at the cursor, or the selection (${keyLabel("Mod+Enter")})`} />
            {running && <ToolButton icon="stop" testId="sql-cancel" onClick={() => void api.cancelOperation(opId.current)} label="Cancel" title="Stop the query (a write is rolled back)" />}
            <span className="spacer" />
            {current?.source && (
              <>
                <RowCount count={current.source.count()} filtered={false} />
                <span className="muted timing">{formatMs(current.result.elapsed_ms)}</span>
                <ToolButton icon="export" testId="export-button" onClick={() => setExporting(true)} label="Export…" title="Export this result" />
              </>
            )}
            <ToolButton
              icon="inspector"
              label="Inspector"
              className={inspectorOpen ? "toggled" : ""}
              aria-pressed={inspectorOpen}
              onClick={() => setInspectorOpen(!inspectorOpen)}
              title={`Cell inspector (${keyLabel("Mod+I")})`}
            />
          </div>
        </div>
        <aside className="sql-history" aria-label="Query history">
          <strong>History</strong>
          {history.length === 0 && <p className="muted">Queries you run on this database appear here.</p>}
          <ul>
            {history.map((h) => (
              <li key={h.id}>
                <button
                  className={`history-item${h.ok ? "" : " failed"}`}
                  data-testid="history-item"
                  title={h.error ?? new Date(h.ran_at).toLocaleString()}
                  onClick={() => {
                    editor.current?.setText(h.sql);
                    editor.current?.focus();
                  }}
                >
                  {h.sql}
                </button>
              </li>
            ))}
          </ul>
        </aside>
      </div>
      {run && run.statements.length > 1 && (
        <div className="result-tabs" role="tablist" aria-label="Statement results">
          {run.statements.map((s, i) => (
            <button
              key={i}
              role="tab"
              data-testid="sql-result-tab"
              aria-selected={i === shown}
              className={`result-tab${i === shown ? " active" : ""}${s.result.error && s.result.error.kind !== "cancelled" ? " failed" : ""}`}
              title={s.result.sql}
              onClick={() => setShown(i)}
            >
              <span className="result-n">{i + 1}</span> <span className="mono">{oneLine(s.result.sql)}</span>{" "}
              <span className="muted">
                · {summary(s)} · {formatMs(s.result.elapsed_ms)}
              </span>
            </button>
          ))}
        </div>
      )}
      {run?.rolledBack && (
        <div className="notice warn" data-testid="sql-rolled-back">
          The statements ran in one transaction, which was rolled back when one failed: nothing was changed.
        </div>
      )}
      {error?.kind === "cancelled" && (
        <div className="sql-cancelled" data-testid="sql-cancelled" role="status">
          Cancelled: the query was stopped and changed nothing.
        </div>
      )}
      {error && error.kind !== "cancelled" && (
        <div className="sql-error" data-testid="sql-error" role="alert">
          {error.message}
        </div>
      )}
      {current && !current.source && !current.result.error && (
        <div className="sql-status" data-testid="sql-status">
          {current.result.page.wrote ? `Done: ${plural(current.result.page.rows_affected, "row")} changed` : "Done"} · {formatMs(current.result.elapsed_ms)}
        </div>
      )}
      {current?.source && (
        <div className="table-main">
          <DataGrid key={`${shown}`} source={current.source} columns={current.source.columns()} onActiveCell={setCell} emptyText="The query returned no rows" />
          {inspectorOpen && <SidePanel cell={cell} table="query" onClose={() => setInspectorOpen(false)} />}
        </div>
      )}
      {exporting && current && (
        <ExportDialog
          handle={handle}
          onClose={() => setExporting(false)}
          choices={[{ id: "query", label: "Result of the statement", source: { kind: "query", sql: current.result.sql, name: "query" } }]}
        />
      )}
    </div>
  );
}
