// The Data tab of a table: filter bar, toolbar, the grid, the inspector,
// the unsaved edits of the whole database, save and export. Edits live in
// the database's edits store, so they outlive this view.
import { useEffect, useMemo, useRef, useState } from "react";
import type { Filter } from "../bindings/Filter";
import type { OpenedDb } from "../bindings/OpenedDb";
import type { OrderBy } from "../bindings/OrderBy";
import type { TableSchema } from "../bindings/TableSchema";
import type { Value } from "../bindings/Value";
import { countOf, fold, newInsertId, redo, undo, type Op } from "../editing/pending";
import { registerRowLookup, saveWithCare } from "../editing/conflicts";
import { recordEdit, revertLastSave, setLog, unsavedByTable, useDbEdits, useLog, type FailedCell } from "../editing/store";
import { useUndoKeys } from "../editing/useUndoKeys";
import { DataGrid, type ActiveCellInfo, type CellTarget, type FailedMarks, type GridApi } from "../grid/DataGrid";
import { TableSource } from "../grid/tableSource";
import { listWords, plural } from "../lib/format";
import { keyLabel } from "../lib/platform";
import { parseLoose } from "../parse";
import { appStore, showError } from "../state/app";
import { layoutStore, setInspectorOpen } from "../state/layout";
import { useStore } from "../state/store";
import { useChangeMarks } from "../state/useChangeMarks";
import { useTableSchema } from "../state/useTableSchema";
import { useTableViewState } from "../state/views";
import { api } from "../api";
import { COREDATA_COLUMNS } from "../display/frameworks";
import { kindLabel } from "../display/kinds";
import { useEntityNames } from "../display/useEntityNames";
import type { GridColumn } from "../grid/gridColumn";
import { publishSchema } from "../state/schemas";
import { ColumnMenu } from "./ColumnMenu";
import { ExportDialog } from "./ExportDialog";
import { FilterBar } from "./FilterBar";
import { AppDeletedRows, ChangeLegend } from "./ChangeMarks";
import { ToolButton } from "./Icons";
import { JumpToColumn } from "./JumpToColumn";
import { JumpToRow } from "./JumpToRow";
import { PendingList } from "./PendingList";
import { RowCount } from "./RowCount";
import { SaveError } from "./SaveError";
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

/** Leading columns that form the row key: they stay in view while scrolling sideways. */
function frozenColumns(schema: TableSchema, names: string[]): number {
  const key = new Set(schema.columns.filter((c) => c.pk > 0).map((c) => c.name));
  let n = 0;
  while (n < names.length && key.has(names[n])) n++;
  return n === names.length ? 0 : n;
}

/** The cells and rows of this table a failed save is about, as the grid marks them. */
function marksOf(cells: FailedCell[], table: string): FailedMarks {
  const rows = new Set<string>();
  const marked = new Set<string>();
  for (const c of cells) {
    if (c.table !== table) continue;
    const row = c.key !== undefined ? c.key : `new:${c.newId}`;
    rows.add(row);
    if (c.column) marked.add(`${row}\u0000${c.column}`);
  }
  return { rows, cells: marked };
}

/** Tables wider than this get a "Go to column" box. */
const WIDE_TABLE = 10;

/**
 * What each column was detected as, seen while it was not overridden
 * (location, table, column → kind or null): the column menu names it
 * beside "Automatic" after the user chose another.
 */
const detected = new Map<string, string | null>();

/**
 * The grid's columns with how they are shown: the schema's display kinds
 * and, in a Core Data entity table, Z_PK/Z_ENT/Z_OPT explained, muted and
 * narrow (they stay where they are: Z_PK is the frozen key), Z_ENT naming
 * each row's entity when the table holds several.
 */
function shownColumns(
  columns: { name: string; type: string }[],
  byName: Map<string, TableSchema["columns"][number]>,
  listing: OpenedDb["tables"][number] | undefined,
  entityNames: ReadonlyMap<string, string> | undefined,
): GridColumn[] {
  const coreData = listing?.framework === "coredata" && !listing.internal && !listing.relationship;
  const entities = listing?.entities && listing.entities.length > 1 ? listing.entities : null;
  return columns.map((c) => {
    const col = byName.get(c.name);
    const g: GridColumn = { ...c, display: col?.display, displayOverride: col?.display_override === true };
    const what = coreData ? COREDATA_COLUMNS[c.name] : undefined;
    if (what) {
      g.bookkeeping = true;
      g.note = `${c.name}: ${what}`;
      g.maxWidth = 76;
      if (c.name === "Z_ENT" && entities) {
        const held = `This table holds the entities ${entities.join(", ")}: Z_ENT says which one each row is.`;
        g.note += `\n${held}`;
        g.names = entityNames;
        g.namesTitle = held;
        if (entityNames?.size) g.maxWidth = 130;
      }
    }
    return g;
  });
}

export function TableView({ db, table }: { db: OpenedDb; table: string }) {
  // Mounted per table (keyed by the parent): no state to reset on a change.
  const schema = useTableSchema(db.handle, table);
  // Rows wait for the schema (one quick call): its width sets the page size.
  if (!schema) {
    return (
      <div className="table-view" aria-busy="true">
        <div className="empty-state" data-testid="schema-loading">
          Reading the schema of {table}…
        </div>
      </div>
    );
  }
  return <TableBrowser db={db} table={table} schema={schema} />;
}

function TableBrowser({ db, table, schema }: { db: OpenedDb; table: string; schema: TableSchema }) {
  const { handle } = db;
  const { order, filters, setOrder, setFilters } = useTableViewState(handle, table);
  const log = useLog(handle, table);
  const edits = useDbEdits(handle);
  const dataVersion = useStore(appStore, (s) => s.dataVersion[handle] ?? 0);
  const inspectorOpen = useStore(layoutStore, (s) => s.inspectorOpen);
  const [selection, setSelection] = useState<{ indices: number[]; keys: string[]; newIds: number[] }>({ indices: [], keys: [], newIds: [] });
  const [activeCell, setActiveCell] = useState<ActiveCellInfo | null>(null);
  const [exporting, setExporting] = useState(false);
  const grid = useRef<GridApi>(null);

  const columns = useMemo(() => schema.columns.filter((c) => c.origin !== "hidden").map((c) => ({ name: c.name, type: c.decl_type })), [schema]);
  const byName = useMemo(() => new Map(schema.columns.map((c) => [c.name, c])), [schema]);

  const source = useMemo(() => {
    const s = new TableSource({ handle, table, order, filters, columns, onError: (e) => showError(e, `Reading ${table}`) });
    s.start();
    return s;
    // `columns` only seeds the header and sizes pages; a new data version reads the rows again.
  }, [handle, table, order, filters, dataVersion]);
  useEffect(() => () => source.dispose(), [source]);
  // The app wrote a new version (watch): the rows on screen are read again, in place.
  const live = useStore(appStore, (s) => s.liveVersion[handle] ?? 0);
  const seenLive = useRef({ source, live });
  useEffect(() => {
    if (seenLive.current.source === source && seenLive.current.live !== live) source.reload();
    seenLive.current = { source, live };
  }, [source, live]);
  const marks = useChangeMarks(handle, table);
  const [, force] = useState(0);
  useEffect(() => source.subscribe(() => force((n) => n + 1)), [source]);
  const gridColumns = source.columns().length ? source.columns() : columns;
  const listing = db.tables.find((t) => t.name === table);
  const entityNames = useEntityNames(db, listing, dataVersion);
  const displayColumns = useMemo(() => shownColumns(gridColumns, byName, listing, entityNames), [gridColumns, byName, listing, entityNames]);
  for (const c of schema.columns) if (!c.display_override) detected.set(`${db.location}\u0000${table}\u0000${c.name}`, c.display ?? null);
  const [menu, setMenu] = useState<{ col: number; at: { x: number; y: number } } | null>(null);
  const menuColumn = menu ? displayColumns[menu.col] : undefined;
  const showAs = async (column: string, kind: string | null) => {
    try {
      publishSchema(handle, await api.setDisplayKind(handle, table, column, kind));
    } catch (e) {
      showError(e, `Showing ${column} ${kind === null ? "automatically" : `as ${kindLabel(kind)}`}`);
    }
  };

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
  const frozen = useMemo(() => frozenColumns(schema, gridColumns.map((c) => c.name)), [schema, gridColumns]);
  // Saving asks when an unsaved edit sits on a value that changed since: these rows are the freshest.
  useEffect(
    () =>
      registerRowLookup(handle, table, (key, column) => {
        const i = source.columns().findIndex((c) => c.name === column);
        return i < 0 ? undefined : source.findKey(key)?.values[i];
      }),
    [handle, table, source],
  );

  const eff = useMemo(() => fold(log), [log]);
  const newRows = useMemo(() => [...eff.inserts.keys()], [eff]);
  const unsaved = unsavedByTable(edits);
  const pendingCount = unsaved.reduce((n, [, c]) => n + c, 0);
  const failed = useMemo(() => marksOf(edits.saveError?.cells ?? [], table), [edits.saveError, table]);

  const doUndo = () => setLog(handle, table, undo);
  const doRedo = () => setLog(handle, table, redo);
  useUndoKeys(doUndo, doRedo, editable);
  const record = (ops: Op[]) => recordEdit(handle, table, ops);

  const opFor = (target: CellTarget, value: Value): Op | null => {
    const name = gridColumns[target.col]?.name;
    if (!name) return null;
    if (target.kind === "new") return { t: "insert_set", id: target.id, column: name, value };
    const row = source.row(target.index);
    const before = row ? row.values[target.col] : null;
    return { t: "set", key: target.key, column: name, before, value };
  };

  const onEdit = (target: CellTarget, value: Value) => {
    const op = opFor(target, value);
    if (op) record([op]);
  };

  const onPaste = (cells: { target: CellTarget; text: string }[]) =>
    record(cells.map(({ target, text }) => opFor(target, parseLoose(gridColumns[target.col]?.type ?? "", text))).filter((o): o is Op => o !== null));

  const addRow = () => record([{ t: "insert", id: newInsertId() }]);

  const deleteRows = () => {
    let keys = selection.keys;
    let { newIds } = selection;
    if (!keys.length && !newIds.length && activeCell?.target) {
      const t = activeCell.target;
      if (t.kind === "row") keys = [t.key];
      else newIds = [t.id];
    }
    record([...keys.map((key): Op => ({ t: "delete", key })), ...newIds.map((id): Op => ({ t: "insert_remove", id }))]);
  };

  const count = source.count();
  const tableCount = countOf(eff);
  const savedTitle = pendingCount
    ? `${plural(pendingCount, "unsaved edit")} in ${listWords(unsaved.map(([t]) => t))} (${keyLabel("Mod+S")} saves them all)`
    : "No unsaved edits";

  return (
    <div className="table-view">
      <FilterBar columns={gridColumns} filters={filters} onChange={setFilters}>
        {gridColumns.length > WIDE_TABLE && <JumpToColumn columns={gridColumns} onJump={(c) => grid.current?.scrollToColumn(c)} />}
      </FilterBar>
      <div className="toolbar" role="toolbar" aria-label="Table actions" data-testid="table-toolbar">
        <RowCount count={count} filtered={filters.length > 0} />
        <JumpToRow max={count.rows} onJump={(i) => grid.current?.scrollToRow(i)} />
        <span className="spacer" />
        {editable && (
          <>
            <span className="tool-group">
              <ToolButton icon="plus" label="Row" testId="add-row" onClick={addRow} title="Add a row (columns you leave unset take their defaults)" />
              <ToolButton icon="trash" label="Delete" testId="delete-rows" onClick={deleteRows} title="Delete the selected rows (click row numbers to select; Delete)" />
              <ToolButton icon="undo" label="Undo" testId="undo" onClick={doUndo} disabled={!log.done.length} title={`Undo (${keyLabel("Mod+Z")})`} />
              <ToolButton icon="redo" label="Redo" testId="redo" onClick={doRedo} disabled={!log.undone.length} title={`Redo (${keyLabel("Mod+Shift+Z")})`} />
            </span>
            <span className={`pending-badge${pendingCount ? " has" : ""}`} title={savedTitle}>
              <span data-testid="pending-count">{pendingCount}</span>
              <span className="pending-word"> pending</span>
            </span>
            <ToolButton
              icon="save"
              className="primary"
              testId="save-changes"
              onClick={() => void saveWithCare(handle)}
              disabled={!pendingCount || edits.saving}
              title={savedTitle}
              label={edits.saving ? "Saving…" : db.is_snapshot ? "Save changes" : "Save changes to file"}
            />
            {edits.lastSaved && !pendingCount && (
              <button className="link" data-testid="revert-save" onClick={() => void revertLastSave(handle)} title="Undo the last save (writes the reverse changes)">
                Revert save
              </button>
            )}
          </>
        )}
        <ToolButton icon="export" label="Export…" testId="export-button" onClick={() => setExporting(true)} title="Export the table or the current view" />
        <ToolButton
          icon="inspector"
          label="Inspector"
          testId="inspector-toggle"
          className={inspectorOpen ? "toggled" : ""}
          aria-pressed={inspectorOpen}
          onClick={() => setInspectorOpen(!inspectorOpen)}
          title={`Cell inspector (${keyLabel("Mod+I")})`}
        />
      </div>
      {edits.saveError && <SaveError error={edits.saveError} onShow={(c) => c.key !== undefined && grid.current?.revealKey(c.key, c.column)} />}
      {reason && (
        <div className="readonly-note" data-testid="readonly-note">
          Read-only: {reason}
        </div>
      )}
      {marks && <ChangeLegend handle={handle} marks={marks} />}
      <div className="table-main">
        <DataGrid
          source={source}
          columns={displayColumns}
          sort={order}
          onSort={(column, additive) => setOrder((o) => nextOrder(o, column, additive))}
          editable={editable}
          readOnlyColumns={readOnlyColumns}
          pending={eff}
          newRows={newRows}
          defaults={defaults}
          frozen={frozen}
          failed={failed}
          changes={marks?.rows}
          onEdit={onEdit}
          onPaste={onPaste}
          onSelectRows={setSelection}
          onActiveCell={setActiveCell}
          onDeleteRows={deleteRows}
          apiRef={grid}
          emptyText={filters.length ? "No rows match the filters" : "This table is empty"}
          onColumnMenu={(col, at) => setMenu({ col, at })}
        />
        {inspectorOpen && <SidePanel cell={activeCell} table={table} handle={handle} onEdit={editable ? onEdit : undefined} onClose={() => setInspectorOpen(false)} />}
        {menu && menuColumn && (
          <ColumnMenu
            column={menuColumn}
            at={menu.at}
            automatic={detected.get(`${db.location}\u0000${table}\u0000${menuColumn.name}`) ?? null}
            onShowAs={(kind) => void showAs(menuColumn.name, kind)}
            onClose={(refocus) => {
              setMenu(null);
              if (refocus) grid.current?.focus();
            }}
          />
        )}
      </div>
      {marks && marks.deleted.length > 0 && <AppDeletedRows handle={handle} table={table} marks={marks} />}
      {pendingCount > 0 && <PendingList handle={handle} current={table} currentCount={tableCount} />}
      {exporting && (
        <ExportDialog
          handle={handle}
          onClose={() => setExporting(false)}
          choices={[
            ...(filters.length || order.length
              ? [{ id: "view", label: `Current view of ${table} (filters and order)`, source: { kind: "table" as const, table, order, filters: filters as Filter[] } }]
              : []),
            { id: "table", label: `Whole table ${table}`, source: { kind: "table" as const, table, order: [], filters: [] } },
          ]}
        />
      )}
    </div>
  );
}
