// The SQL tab: editor, Run (Ctrl+Enter), results in the same grid (paged
// with fetch_sql_page), the SQLite error as is, and this database's history.
import { useCallback, useEffect, useRef, useState } from "react";
import { api, newOpId } from "../api";
import type { HistoryEntry } from "../bindings/HistoryEntry";
import type { OpenedDb } from "../bindings/OpenedDb";
import { toCommandError } from "../errors";
import { DataGrid, type ActiveCellInfo } from "../grid/DataGrid";
import { SQL_PAGE, SqlSource } from "../grid/sqlSource";
import { showError } from "../state/app";
import { ExportDialog } from "./ExportDialog";
import { RowCount } from "./RowCount";
import { SidePanel } from "./SidePanel";
import { SqlEditor, type SqlEditorApi } from "./SqlEditor";

// Text typed in each database's console survives tab switches.
const drafts = new Map<number, string>();

export function SqlConsole({ db, table }: { db: OpenedDb; table: string | null }) {
  const { handle } = db;
  const editor = useRef<SqlEditorApi | null>(null);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<{ source: SqlSource; sql: string; affected: number; wrote: boolean; hasColumns: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [cell, setCell] = useState<ActiveCellInfo | null>(null);
  const [exporting, setExporting] = useState(false);
  const [, force] = useState(0);
  const opId = useRef("");

  const loadHistory = useCallback(() => {
    api.queryHistory(handle).then(setHistory, () => undefined);
  }, [handle]);
  useEffect(loadHistory, [loadHistory]);
  useEffect(() => () => result?.source.dispose(), [result]);
  useEffect(() => result?.source.subscribe(() => force((n) => n + 1)), [result]);

  const run = async () => {
    const text = editor.current?.getText().trim() ?? "";
    if (!text || running) return;
    setRunning(true);
    setError(null);
    opId.current = newOpId("sql");
    try {
      const res = await api.runSql(handle, text, SQL_PAGE, opId.current);
      const source = new SqlSource(res, (e) => showError(e, "Reading query results"));
      setResult({ source, sql: text, affected: res.page.rows_affected, wrote: res.page.wrote, hasColumns: res.page.columns.length > 0 });
    } catch (e) {
      const err = toCommandError(e);
      if (err.kind === "cancelled") setError("Cancelled: the query was stopped and changed nothing.");
      else if (err.kind === "sql" || err.kind === "constraint" || err.kind === "read_only" || err.kind === "locked") setError(err.message);
      else showError(err, "Running SQL");
    } finally {
      setRunning(false);
      loadHistory();
    }
  };

  const initial = drafts.get(handle) ?? (table ? `SELECT * FROM "${table.replace(/"/g, '""')}" LIMIT 100;` : "");

  return (
    <div className="sql-console">
      <div className="sql-top">
        <div className="sql-editor-wrap">
          <SqlEditor initial={initial} onRun={() => void run()} onChange={(t) => drafts.set(handle, t)} apiRef={editor} tables={db.tables.map((t) => t.name)} />
          <div className="toolbar">
            <button className="primary" data-testid="sql-run" onClick={() => void run()} disabled={running} title="Run (Ctrl+Enter)">
              {running ? "Running…" : "Run"}
            </button>
            {running && (
              <button data-testid="sql-cancel" onClick={() => void api.cancelOperation(opId.current)} title="Stop the query (a write is rolled back)">
                Cancel
              </button>
            )}
            <span className="muted">Ctrl+Enter runs the whole editor</span>
            <span className="spacer" />
            {result?.hasColumns && (
              <>
                <RowCount count={result.source.count()} filtered={false} />
                <button data-testid="export-button" onClick={() => setExporting(true)}>
                  Export result…
                </button>
              </>
            )}
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
      {error && (
        <div className="sql-error" data-testid="sql-error" role="alert">
          {error}
        </div>
      )}
      {result && !result.hasColumns && !error && (
        <div className="sql-status" data-testid="sql-status">
          {result.wrote ? `Done: ${result.affected.toLocaleString()} row${result.affected === 1 ? "" : "s"} changed.` : "Done."}
        </div>
      )}
      {result?.hasColumns && (
        <div className="table-main">
          <DataGrid source={result.source} columns={result.source.columns()} onActiveCell={setCell} emptyText="The query returned no rows" />
          <SidePanel cell={cell} onClose={() => setCell(null)} />
        </div>
      )}
      {exporting && result && (
        <ExportDialog
          handle={handle}
          onClose={() => setExporting(false)}
          choices={[{ id: "query", label: "Result of the query", source: { kind: "query", sql: result.sql, name: "query" } }]}
        />
      )}
    </div>
  );
}
