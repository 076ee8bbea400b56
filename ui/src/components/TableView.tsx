// The Data tab of a table: filter bar, toolbar, the grid, pending edits,
// inspector, save / push / export.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api";
import type { Change } from "../bindings/Change";
import type { Filter } from "../bindings/Filter";
import type { OpenedDb } from "../bindings/OpenedDb";
import type { OrderBy } from "../bindings/OrderBy";
import type { TableSchema } from "../bindings/TableSchema";
import type { Value } from "../bindings/Value";
import { countOf, emptyLog, fold, newInsertId, push, redo, toEdits, undo, type Op, type PendingLog } from "../editing/pending";
import { useUndoKeys } from "../editing/useUndoKeys";
import { DataGrid, type ActiveCellInfo, type CellTarget, type GridApi } from "../grid/DataGrid";
import { TableSource } from "../grid/tableSource";
import { parseLoose } from "../parse";
import { openLocation, showError } from "../state/app";
import { useTableSchema } from "../state/useTableSchema";
import { ExportDialog } from "./ExportDialog";
import { FilterBar } from "./FilterBar";
import { JumpToColumn } from "./JumpToColumn";
import { JumpToRow } from "./JumpToRow";
import { PendingList } from "./PendingList";
import { PushDialog } from "./PushDialog";
import { PushDone } from "./PushDone";
import type { PushReport } from "../bindings/PushReport";
import { RowCount } from "./RowCount";
import { SidePanel } from "./SidePanel";

/** Header click: asc → desc → off; Shift adds/cycles a term and keeps the others. */
export function nextOrder(order: OrderBy[], column: string, additive: boolean): OrderBy[] {
  const cur = order.find((o) => o.column === column);
  const cycled: OrderBy | null = !cur ? { column, desc: false } : !cur.desc ? { column, desc: true } : null;
  if (!additive) return cycled ? [cycled] : [];
  if (!cur) return [...order, cycled as OrderBy];
  return cycled ? order.map((o) => (o.column === column ? cycled : o)) : order.filter((o) => o.column !== column);
}

function readOnlyReason(schema: TableSchema): string | null {
  if (schema.kind === "view") return "This is a view: its rows come from a query, so they cannot be edited here.";
  if (schema.kind === "virtual") return "This is a virtual table: its module decides what can be written, so Sonde shows it read-only.";
  if (schema.kind === "shadow") return "This is an internal (shadow) table of a virtual table: read-only.";
  if (schema.key.kind === "none") return "This table has no stable row key (its rowid is shadowed by columns), so rows cannot be edited safely.";
  return null;
}

/** Tables wider than this get a "Go to column" box. */
const WIDE_TABLE = 10;

export function TableView({ db, table }: { db: OpenedDb; table: string }) {
  // Mounted per table (keyed by the parent): no state to reset on a change.
  const schema = useTableSchema(db.handle, table);
  // Rows wait for the schema (one quick call): its width sets the page size.
  if (!schema) {
    return (
      <div className="table-view" aria-busy="true">
        <div className="empty-state" data-testid="schema-loading">Reading the schema of {table}…</div>
      </div>
    );
  }
  return <TableBrowser db={db} table={table} schema={schema} />;
}

function TableBrowser({ db, table, schema }: { db: OpenedDb; table: string; schema: TableSchema }) {
  const [order, setOrder] = useState<OrderBy[]>([]);
  const [filters, setFilters] = useState<Filter[]>([]);
  const [reload, setReload] = useState(0);
  const [log, setLogState] = useState<PendingLog>(emptyLog);
  // The log as of now (not as of the last render): a push awaiting a save
  // must see that the save emptied it.
  const logRef = useRef<PendingLog>(emptyLog);
  const setLog = useCallback((next: PendingLog | ((l: PendingLog) => PendingLog)) => {
    logRef.current = typeof next === "function" ? next(logRef.current) : next;
    setLogState(logRef.current);
  }, []);
  const [selection, setSelection] = useState<{ indices: number[]; keys: string[]; newIds: number[] }>({ indices: [], keys: [], newIds: [] });
  const [activeCell, setActiveCell] = useState<ActiveCellInfo | null>(null);
  const [panelOpen, setPanelOpen] = useState(true);
  const [saving, setSaving] = useState(false);
  const [lastSaved, setLastSaved] = useState<Change[] | null>(null);
  const [unpushed, setUnpushed] = useState(0);
  const [dialog, setDialog] = useState<"push" | "export" | null>(null);
  const [pushed, setPushed] = useState<PushReport | null>(null);
  const grid = useRef<GridApi>(null);
  const { handle } = db;

  const refreshUnpushed = useCallback(() => {
    if (!db.is_snapshot) return;
    api.pendingChanges(handle).then(
      (p) => setUnpushed(p.length),
      () => undefined,
    );
  }, [handle, db.is_snapshot]);
  useEffect(refreshUnpushed, [refreshUnpushed]);

  const columns = useMemo(() => schema.columns.filter((c) => c.origin !== "hidden").map((c) => ({ name: c.name, type: c.decl_type })), [schema]);
  const byName = useMemo(() => new Map(schema.columns.map((c) => [c.name, c])), [schema]);

  const source = useMemo(() => {
    const s = new TableSource({ handle, table, order, filters, columns, onError: (e) => showError(e, `Reading ${table}`) });
    s.start();
    return s;
    // `columns` only seeds the header and sizes pages; the schema is read once.
  }, [handle, table, order, filters, reload]);
  useEffect(() => () => source.dispose(), [source]);

  const [, force] = useState(0);
  useEffect(() => source.subscribe(() => force((n) => n + 1)), [source]);
  const gridColumns = source.columns().length ? source.columns() : columns;

  const reason = readOnlyReason(schema);
  const editable = reason === null;
  const readOnlyColumns = useMemo(() => {
    const out = new Set<number>();
    gridColumns.forEach((c, i) => {
      const col = byName.get(c.name);
      if (!col || col.origin === "generated_virtual" || col.origin === "generated_stored") out.add(i);
    });
    return out;
  }, [gridColumns, byName]);
  const defaults = useMemo(() => gridColumns.map((c) => byName.get(c.name)?.default_sql ?? null), [gridColumns, byName]);

  const eff = useMemo(() => fold(log), [log]);
  const pendingCount = countOf(eff);
  const newRows = useMemo(() => [...eff.inserts.keys()], [eff]);

  const doUndo = useCallback(() => setLog(undo), [setLog]);
  const doRedo = useCallback(() => setLog(redo), [setLog]);
  useUndoKeys(doUndo, doRedo, editable);

  const opFor = (target: CellTarget, value: Value): Op | null => {
    const name = gridColumns[target.col]?.name;
    if (!name) return null;
    if (target.kind === "new") return { t: "insert_set", id: target.id, column: name, value };
    const row = source.row(target.index);
    const before = row ? row.values[target.col] : null;
    return { t: "set", key: target.key, column: name, before, value, row: target.index };
  };

  const onEdit = (target: CellTarget, value: Value) => {
    const op = opFor(target, value);
    if (op) setLog((l) => push(l, [op]));
  };

  const onPaste = (cells: { target: CellTarget; text: string }[]) => {
    const ops = cells
      .map(({ target, text }) => opFor(target, parseLoose(gridColumns[target.col]?.type ?? "", text)))
      .filter((o): o is Op => o !== null);
    setLog((l) => push(l, ops));
  };

  const addRow = () => setLog((l) => push(l, [{ t: "insert", id: newInsertId() }]));

  const deleteRows = () => {
    let rows = selection.indices.map((index) => ({ index, key: source.row(index)?.key })).filter((r): r is { index: number; key: string } => !!r.key);
    let { newIds } = selection;
    if (!rows.length && !newIds.length && activeCell?.target) {
      const t = activeCell.target;
      if (t.kind === "row") rows = [{ index: t.index, key: t.key }];
      else newIds = [t.id];
    }
    const ops: Op[] = [...rows.map((r): Op => ({ t: "delete", key: r.key, row: r.index })), ...newIds.map((id): Op => ({ t: "insert_remove", id }))];
    setLog((l) => push(l, ops));
  };

  // The save in flight: a push must wait for it (a quick Save → Push
  // would otherwise push the snapshot without the edits).
  const inflightSave = useRef<Promise<boolean> | null>(null);
  const save = (): Promise<boolean> => {
    const saved = logRef.current.done;
    const edits = toEdits(table, fold(logRef.current));
    if (!edits.length) return inflightSave.current ?? Promise.resolve(true);
    setSaving(true);
    const run = api.applyEdits(handle, edits).then(
      (changes) => {
        // Keep edits made while saving (actions after the saved ones).
        setLog((cur) => {
          const kept = saved.every((a, i) => cur.done[i] === a) ? cur.done.slice(saved.length) : [];
          return { done: kept, undone: [] };
        });
        setLastSaved(changes);
        setReload((n) => n + 1);
        refreshUnpushed();
        return true;
      },
      (e) => {
        showError(e, "Saving changes");
        return false;
      },
    );
    inflightSave.current = run;
    void run.finally(() => {
      if (inflightSave.current === run) inflightSave.current = null;
      setSaving(false);
    });
    return run;
  };

  /** Before pushing: finish the running save, and save edits not saved yet. */
  const saveBeforePush = async (): Promise<boolean> => {
    if (inflightSave.current && !(await inflightSave.current)) return false;
    return countOf(fold(logRef.current)) ? save() : true;
  };

  const revertLastSave = async () => {
    if (!lastSaved) return;
    try {
      await api.undoChanges(handle, lastSaved);
      setLastSaved(null);
      setReload((n) => n + 1);
      refreshUnpushed();
    } catch (e) {
      showError(e, "Reverting the last save");
    }
  };

  const changeOrder = (column: string, additive: boolean) => setOrder((o) => nextOrder(o, column, additive));
  const count = source.count();

  return (
    <div className="table-view">
      <FilterBar columns={gridColumns} filters={filters} onChange={setFilters}>
        {gridColumns.length > WIDE_TABLE && <JumpToColumn columns={gridColumns} onJump={(c) => grid.current?.scrollToColumn(c)} />}
        <button className={panelOpen ? "toggled" : ""} onClick={() => setPanelOpen((o) => !o)} aria-pressed={panelOpen} title="Cell inspector">
          Inspector
        </button>
      </FilterBar>
      <div className="toolbar" role="toolbar" aria-label="Table actions">
        <RowCount count={count} filtered={filters.length > 0} />
        <JumpToRow max={count.rows} onJump={(i) => grid.current?.scrollToRow(i)} />
        <span className="spacer" />
        {editable && (
          <>
            <button data-testid="add-row" onClick={addRow} title="Add a row (columns you leave unset take their defaults)">
              + Row
            </button>
            <button data-testid="delete-rows" onClick={deleteRows} title="Delete the selected rows (click row numbers to select)">
              Delete rows
            </button>
            <button data-testid="undo" onClick={doUndo} disabled={!log.done.length} title="Undo (Ctrl+Z)">
              Undo
            </button>
            <button data-testid="redo" onClick={doRedo} disabled={!log.undone.length} title="Redo (Ctrl+Shift+Z)">
              Redo
            </button>
            <span className={`pending-badge${pendingCount ? " has" : ""}`} title="Unsaved changes">
              <span data-testid="pending-count">{pendingCount}</span> pending
            </span>
            <button className="primary" data-testid="save-changes" onClick={() => void save()} disabled={!pendingCount || saving}>
              {saving ? "Saving…" : db.is_snapshot ? "Save changes" : "Save changes to file"}
            </button>
            {lastSaved && !pendingCount && (
              <button onClick={() => void revertLastSave()} title="Undo the last save (writes the reverse changes)">
                Revert last save
              </button>
            )}
          </>
        )}
        {db.is_snapshot && (
          <button data-testid="push-button" className={unpushed ? "primary" : ""} onClick={() => setDialog("push")} title="Write the edited snapshot back to the device">
            Push to device{unpushed ? ` (${unpushed})` : ""}
          </button>
        )}
        <button data-testid="export-button" onClick={() => setDialog("export")}>
          Export…
        </button>
      </div>
      {pushed && <PushDone report={pushed} onClose={() => setPushed(null)} />}
      {reason && (
        <div className="readonly-note" data-testid="readonly-note">
          Read-only: {reason}
        </div>
      )}
      <div className="table-main">
        <DataGrid
          source={source}
          columns={gridColumns}
          sort={order}
          onSort={changeOrder}
          editable={editable}
          readOnlyColumns={readOnlyColumns}
          pending={eff}
          newRows={newRows}
          defaults={defaults}
          onEdit={onEdit}
          onPaste={onPaste}
          onSelectRows={setSelection}
          onActiveCell={setActiveCell}
          onDeleteRows={deleteRows}
          apiRef={grid}
          emptyText={filters.length ? "No rows match the filters" : "This table is empty"}
        />
        {panelOpen && <SidePanel cell={activeCell} onClose={() => setPanelOpen(false)} />}
      </div>
      {pendingCount > 0 && <PendingList eff={eff} onDiscard={() => setLog(emptyLog)} />}
      {dialog === "push" && (
        <PushDialog
          handle={handle}
          label={db.label}
          unpushed={unpushed}
          unsaved={pendingCount}
          beforePush={saveBeforePush}
          onClose={() => setDialog(null)}
          onPushed={(report) => {
            setDialog(null);
            setPushed(report);
            refreshUnpushed();
          }}
          onReopen={() => {
            setDialog(null);
            void openLocation(db.location, db.label);
          }}
        />
      )}
      {dialog === "export" && (
        <ExportDialog
          handle={handle}
          onClose={() => setDialog(null)}
          choices={[
            ...(filters.length || order.length
              ? [{ id: "view", label: `Current view of ${table} (filters and order)`, source: { kind: "table" as const, table, order, filters } }]
              : []),
            { id: "table", label: `Whole table ${table}`, source: { kind: "table" as const, table, order: [], filters: [] } },
          ]}
        />
      )}
    </div>
  );
}
