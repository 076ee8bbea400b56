// The data grid: virtualized DOM rows and columns (only the visible cells
// exist) over a RowSource, with a scaled scroll mapping for tables taller
// than a browser element can be (see scroll.ts and docs/UI-GRID.md). Cells
// are real DOM elements with role="gridcell", data-row (absolute index)
// and data-col. The leading key columns can be frozen (they stay while
// scrolling sideways); the cell editor floats above the rows.
import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import type { OrderBy } from "../bindings/OrderBy";
import type { Value } from "../bindings/Value";
import type { Effective } from "../editing/pending";
import { formatCount } from "../lib/format";
import { CellEditor } from "./CellEditor";
import { DateEditor } from "../display/DateEditor";
import { isDateKind } from "../display/dates";
import { displayCell, type CellView } from "../display/kinds";
import type { GridColumn } from "./gridColumn";
import { EditorOverlay } from "./EditorOverlay";
import { GridHeader } from "./GridHeader";
import { defaultWidth, useColumnWidths } from "./useColumnWidths";
import { cellClass, cellText } from "./cellView";
import { columnLefts, visibleColumns } from "./columns";
import { clampTop, geometry, toPhysical, toVirtual, visibleRows } from "./scroll";
import { inRange, newRowIndex, newRowPos, parseTsv, rangeOf, toTsv, type Cell, type Range } from "./selection";
import type { GridRow, RowSource } from "./source";
import { affinityOf } from "../affinity";
import { displayText, inlineText, valuesEqual, valueToText } from "../values";
import type { RowMark } from "./changeMarks";

export const ROW_HEIGHT = 26;
const HEADER_HEIGHT = 40;
const OVERSCAN = 4;
const COLUMN_OVERSCAN = 2;
const MIN_EDITOR = 260;

/** What a cell edit targets: a stored row (by key) or a row being added. */
export type CellTarget = { kind: "row"; index: number; key: string; col: number } | { kind: "new"; id: number; col: number };

export interface ActiveCellInfo {
  column: GridColumn;
  value: Value | undefined;
  /** The value is an unsaved edit (or a row being added): not what is stored. */
  pending: boolean;
  label: string;
  /** The row under the cell, for "delete rows" without a row selection. */
  target: CellTarget | null;
  /** The cell can be edited (an editable table, a stored or new row, not deleted). */
  editable: boolean;
}

/** What a failed save is about: rows (key, or `new:<id>`) and cells (row + "\0" + column). */
export interface FailedMarks {
  rows: ReadonlySet<string>;
  cells: ReadonlySet<string>;
}

export interface GridApi {
  scrollToRow(index: number): void;
  /** Makes column `col` the active one and scrolls it into view. */
  scrollToColumn(col: number): void;
  focus(): void;
  /** Scrolls to the loaded row with this key and makes its cell active. */
  revealKey(key: string, column: string | null): void;
}

export interface DataGridProps {
  source: RowSource;
  /** Header columns (the source's once known), with how they are shown. */
  columns: GridColumn[];
  sort?: OrderBy[];
  onSort?(column: string, additive: boolean): void;
  editable?: boolean;
  /** Columns that cannot be edited (generated), by index. */
  readOnlyColumns?: ReadonlySet<number>;
  pending?: Effective;
  /** Ids of rows being added, top to bottom. */
  newRows?: number[];
  /** Text for a column a new row leaves to its default. */
  defaults?: (string | null)[];
  /** Leading columns that stay in view while scrolling sideways. */
  frozen?: number;
  failed?: FailedMarks;
  /**
   * What the app changed (watch), by row key: inserted rows and updated
   * cells are marked; looked up once per drawn row.
   */
  changes?: ReadonlyMap<string, RowMark> | null;
  onEdit?(target: CellTarget, value: Value): void;
  onPaste?(cells: { target: CellTarget; text: string }[]): void;
  onSelectRows?(rows: { indices: number[]; keys: string[]; newIds: number[] }): void;
  onActiveCell?(info: ActiveCellInfo | null): void;
  onDeleteRows?(): void;
  apiRef?: React.Ref<GridApi>;
  emptyText?: string;
  /** Opens a column's menu (Show as…) at a point of the window. */
  onColumnMenu?(col: number, at: { x: number; y: number }): void;
}

/** How a value of column `c` is drawn when not as stored: a display kind, or a name beside the number (Z_ENT). */
function shownAs(c: GridColumn | undefined, v: Value | undefined, real: boolean): CellView | null {
  if (!c || v === undefined || v === null) return null;
  if (c.names || c.namesTitle) {
    const id = typeof v === "object" && "$int" in v ? v.$int : typeof v === "object" ? null : String(v);
    const name = id !== null ? c.names?.get(id) : undefined;
    if (name !== undefined) return { text: name, badge: id ?? undefined, cls: "v-named", title: `${c.name} = ${id}: ${name}${c.namesTitle ? `\n${c.namesTitle}` : ""}` };
    if (c.namesTitle) return { text: displayText(v, real), cls: cellClass(v, real), title: c.namesTitle };
  }
  return c.display ? displayCell(v, c.display, real) : null;
}


export function DataGrid(props: DataGridProps) {
  const { source, columns, sort = [], editable = false, pending, newRows = [], apiRef, failed } = props;
  const frozen = Math.min(props.frozen ?? 0, columns.length);
  // Re-render when the source reports new rows or counts.
  const version = useRef(0);
  const subscribe = useCallback((l: () => void) => source.subscribe(() => { version.current++; l(); }), [source]);
  useSyncExternalStore(subscribe, () => version.current);
  const count = source.count();
  const rowCount = count.rows + (count.more ? 1 : 0);

  const root = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ w: 800, h: 400 });
  const [top, setTopState] = useState(0);
  const [scrollLeft, setScrollLeft] = useState(0);
  const topRef = useRef(0);
  const expectedPhysical = useRef(0);
  const [active, setActive] = useState<Cell>({ pos: 0, col: 0 });
  const [anchor, setAnchor] = useState<Cell | null>(null);
  const [rowSel, setRowSel] = useState<Set<number>>(new Set());
  /** `raw`: the date editor gave way to the number editor ("Edit raw number"). */
  const [editing, setEditing] = useState<{ cell: Cell; seed?: string; raw?: boolean } | null>(null);

  /** The columns and how they are shown (the side panel follows a new "Show as"). */
  const shownKey = columns.map((c) => `${c.name}\u0001${c.display ?? ""}\u0001${c.displayOverride ? 1 : 0}\u0001${c.names?.size ?? 0}`).join("\u0000");
  const firstLoaded = source.row(0) !== undefined || count.exact;
  const { widths, fitted, onResizeStart, fitColumn, growToFit } = useColumnWidths({
    columns,
    ready: firstLoaded,
    fontsOf: () => root.current,
    sample: (col, n) => {
      const out: Value[] = [];
      const from = Math.max(0, Math.floor(topRef.current / ROW_HEIGHT) - n / 2);
      for (let i = from; i < from + n; i++) {
        const v = source.row(i)?.values[col];
        if (v !== undefined) out.push(v);
      }
      return out;
    },
  });
  useEffect(() => {
    topRef.current = 0;
    setTopState(0);
    setActive({ pos: 0, col: 0 });
    setAnchor(null);
    setRowSel(new Set());
    setEditing(null);
  }, [source]);

  const newCount = newRows.length;
  const bodyH = Math.max(ROW_HEIGHT, view.h - HEADER_HEIGHT - newCount * ROW_HEIGHT);
  const geom = geometry(rowCount, ROW_HEIGHT, bodyH);
  const gutter = Math.max(44, String(Math.max(1, rowCount)).length * 7 + 22);
  const colLefts = useMemo(() => columnLefts(widths, gutter), [widths, gutter]);
  const totalW = colLefts[colLefts.length - 1] ?? gutter;
  const realCols = useMemo(() => columns.map((c) => affinityOf(c.type) === "real"), [columns]);

  // Moves that did not come from the scrollbar (wheel in scaled mode, keys,
  // jumps) must move the scrollbar too; scrollbar moves must not be undone.
  const syncScrollbar = useRef(false);
  const setTop = useCallback(
    (t: number, fromScrollbar = false) => {
      const clamped = clampTop(geom, bodyH, t);
      if (!fromScrollbar) syncScrollbar.current = true;
      topRef.current = clamped;
      setTopState(clamped);
    },
    [geom.virtual, geom.scale, bodyH],
  );

  // A new scale (row count known) keeps the virtual offset: move the bar.
  useLayoutEffect(() => {
    syncScrollbar.current = true;
  }, [geom.scale, geom.physical]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !syncScrollbar.current) return;
    syncScrollbar.current = false;
    const physical = toPhysical(geom, top);
    if (Math.abs(el.scrollTop - physical) > 1) {
      expectedPhysical.current = physical;
      el.scrollTop = physical;
    }
  });

  // Row count shrank (filters, exact count): stay in range.
  useEffect(() => {
    if (topRef.current > clampTop(geom, bodyH, topRef.current)) setTop(topRef.current);
  }, [geom.virtual, bodyH]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setView({ w: el.clientWidth, h: el.clientHeight });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    setScrollLeft(el.scrollLeft);
    // Our own scrollTop writes echo back here: ignore those.
    if (Math.abs(el.scrollTop - expectedPhysical.current) <= 1.5) return;
    expectedPhysical.current = el.scrollTop;
    setTop(toVirtual(geom, el.scrollTop), true);
  };

  // Scaled mode: the wheel moves the virtual offset by real pixels.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      if (geom.scale === 1 || e.ctrlKey) return;
      const unit = e.deltaMode === 1 ? ROW_HEIGHT : e.deltaMode === 2 ? bodyH : 1;
      const dy = e.shiftKey ? 0 : e.deltaY * unit;
      const dx = (e.shiftKey ? e.deltaY : e.deltaX) * unit;
      e.preventDefault();
      if (dx) el.scrollLeft += dx;
      if (dy) setTop(topRef.current + dy);
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
  }, [geom.scale, bodyH, setTop]);

  const [first, last] = visibleRows(top, bodyH, ROW_HEIGHT, rowCount);
  const [firstCol, lastCol] = visibleColumns(colLefts, scrollLeft, view.w, COLUMN_OVERSCAN);
  // Frozen columns are drawn apart (they do not scroll sideways).
  const renderedCols = useMemo(() => {
    const cols: number[] = [];
    for (let c = Math.max(firstCol, frozen); c <= lastCol; c++) cols.push(c);
    return cols;
  }, [firstCol, lastCol, frozen]);
  const frozenCols = useMemo(() => Array.from({ length: frozen }, (_, i) => i), [frozen]);
  const frozenRight = colLefts[frozen] ?? gutter;

  // Ask for the visible rows; while the position jumps far (scrollbar drag)
  // wait until it settles, so pages scrolled past are never fetched.
  const lastEnsured = useRef(-1);
  useEffect(() => {
    const from = Math.max(0, first - OVERSCAN);
    const to = Math.max(from, last + OVERSCAN);
    const far = lastEnsured.current >= 0 && Math.abs(from - lastEnsured.current) > 4 * (last - first + 1);
    const run = () => {
      lastEnsured.current = from;
      source.ensure(from, to);
    };
    if (!far) {
      run();
      return;
    }
    const t = window.setTimeout(run, 90);
    return () => window.clearTimeout(t);
  }, [first, last, source, rowCount]);

  // Values scrolled into view may be wider than the first rows were.
  useEffect(() => {
    growToFit(renderedCols.concat(frozenCols), (col) => {
      const out: Value[] = [];
      for (let p = first; p <= last; p++) {
        const v = source.row(p)?.values[col];
        if (v !== undefined) out.push(v);
      }
      return out;
    });
  }, [first, last, renderedCols, frozenCols, version.current]);

  const rowAt = (pos: number): GridRow | undefined => (pos >= 0 ? source.row(pos) : undefined);
  const newIdAt = (pos: number): number | undefined => (pos < 0 ? newRows[newRowIndex(pos, newCount)] : undefined);

  const valueAt = (pos: number, col: number): { value: Value | undefined; pending: boolean; deleted: boolean; conflict: boolean } => {
    const name = columns[col]?.name;
    if (pos < 0) {
      const id = newIdAt(pos);
      const values = id !== undefined ? pending?.inserts.get(id) : undefined;
      const has = values?.has(name);
      return { value: has ? (values?.get(name) as Value) : undefined, pending: !!has, deleted: false, conflict: false };
    }
    const row = rowAt(pos);
    if (!row) return { value: undefined, pending: false, deleted: false, conflict: false };
    const change = row.key !== null ? pending?.updates.get(row.key)?.get(name) : undefined;
    const deleted = row.key !== null && !!pending?.deletes.has(row.key);
    // An unsaved edit on a value that changed since it was made (the app wrote there).
    const conflict = !!change && row.values[col] !== undefined && !valuesEqual(change.before, row.values[col]);
    return { value: change ? change.value : row.values[col], pending: !!change, deleted, conflict };
  };

  const targetOf = (pos: number, col: number): CellTarget | null => {
    if (pos < 0) {
      const id = newIdAt(pos);
      return id === undefined ? null : { kind: "new", id, col };
    }
    const row = rowAt(pos);
    return row?.key != null ? { kind: "row", index: pos, key: row.key, col } : null;
  };

  const canEdit = (pos: number, col: number) =>
    editable && !props.readOnlyColumns?.has(col) && targetOf(pos, col) !== null && !valueAt(pos, col).deleted;

  // Report the active cell (side panel) when it or its value changes.
  const activeInfo = valueAt(active.pos, active.col);
  const activeValueKey = activeInfo.value === undefined ? "∅" : JSON.stringify(activeInfo.value);
  useEffect(() => {
    const column = columns[active.col];
    if (!props.onActiveCell) return;
    if (!column) return props.onActiveCell(null);
    const label = active.pos < 0 ? `new row, ${column.name}` : `row ${formatCount(active.pos + 1)}, ${column.name}`;
    const target = targetOf(active.pos, active.col);
    props.onActiveCell({ column, value: activeInfo.value, pending: activeInfo.pending || active.pos < 0, label, target, editable: canEdit(active.pos, active.col) });
  }, [active.pos, active.col, activeValueKey, activeInfo.pending, shownKey, rowAt(active.pos)?.key, newIdAt(active.pos), editable]);

  // Selected rows (gutter clicks) for "Delete rows".
  useEffect(() => {
    if (!props.onSelectRows) return;
    const indices: number[] = [];
    const keys: string[] = [];
    const newIds: number[] = [];
    for (const pos of [...rowSel].sort((a, b) => a - b)) {
      if (pos < 0) {
        const id = newIdAt(pos);
        if (id !== undefined) newIds.push(id);
      } else {
        const row = rowAt(pos);
        indices.push(pos);
        if (row?.key != null) keys.push(row.key);
      }
    }
    props.onSelectRows({ indices, keys, newIds });
  }, [rowSel, newRows]);

  const range: Range | null = anchor ? rangeOf(anchor, active) : null;
  const minPos = -newCount;
  const maxPos = Math.max(minPos, rowCount - 1);

  const reveal = (cell: Cell) => {
    if (cell.pos >= 0) {
      const y = cell.pos * ROW_HEIGHT;
      if (y < topRef.current) setTop(y);
      else if (y + ROW_HEIGHT > topRef.current + bodyH) setTop(y + ROW_HEIGHT - bodyH);
    }
    const el = scroller.current;
    // Frozen columns are always in view; the others must clear them.
    if (el && colLefts[cell.col] !== undefined && cell.col >= frozen) {
      const left = colLefts[cell.col] - frozenRight;
      const right = colLefts[cell.col + 1];
      if (left < el.scrollLeft) el.scrollLeft = left;
      else if (right > el.scrollLeft + el.clientWidth) el.scrollLeft = right - el.clientWidth;
    }
  };

  const moveTo = (cell: Cell, extend: boolean) => {
    const next = {
      pos: Math.min(maxPos, Math.max(minPos, cell.pos)),
      col: Math.min(columns.length - 1, Math.max(0, cell.col)),
    };
    if (extend) setAnchor((a) => a ?? active);
    else setAnchor(null);
    setActive(next);
    reveal(next);
  };

  useImperativeHandle(
    apiRef,
    () => ({
      scrollToRow(index: number) {
        const pos = Math.min(Math.max(0, index), Math.max(0, rowCount - 1));
        setTop(pos * ROW_HEIGHT);
        setAnchor(null);
        setActive((a) => ({ pos, col: a.col }));
      },
      scrollToColumn(col: number) {
        moveTo({ pos: active.pos, col }, false);
      },
      focus: () => root.current?.focus(),
      revealKey(key: string, column: string | null) {
        const limit = Math.min(rowCount, 200_000);
        for (let i = 0; i < limit; i++) {
          const row = source.row(i);
          if (row === undefined && i > topRef.current / ROW_HEIGHT + 1000) break;
          if (row?.key !== key) continue;
          const col = Math.max(0, column ? columns.findIndex((c) => c.name === column) : active.col);
          moveTo({ pos: i, col }, false);
          root.current?.focus();
          return;
        }
      },
    }),
    // No deps: the handle closes over this render's position and geometry.
  );

  const startEdit = (cell: Cell, seed?: string) => {
    if (!canEdit(cell.pos, cell.col)) return;
    setEditing({ cell, seed });
  };

  const commitEdit = (value: Value, move: "down" | "right" | "none") => {
    if (!editing) return;
    const { cell } = editing;
    const target = targetOf(cell.pos, cell.col);
    setEditing(null);
    if (target) props.onEdit?.(target, value);
    if (move === "down") moveTo({ pos: cell.pos + 1, col: cell.col }, false);
    if (move === "right") moveTo({ pos: cell.pos, col: cell.col + 1 }, false);
    root.current?.focus();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (editing) return;
    const pageRows = Math.max(1, Math.floor(bodyH / ROW_HEIGHT) - 1);
    const ctrl = e.ctrlKey || e.metaKey;
    const go = (cell: Cell) => {
      e.preventDefault();
      moveTo(cell, e.shiftKey);
    };
    switch (e.key) {
      case "ArrowDown":
        return go({ pos: ctrl ? maxPos : active.pos + 1, col: active.col });
      case "ArrowUp":
        return go({ pos: ctrl ? minPos : active.pos - 1, col: active.col });
      case "ArrowRight":
        return go({ pos: active.pos, col: ctrl ? columns.length - 1 : active.col + 1 });
      case "ArrowLeft":
        return go({ pos: active.pos, col: ctrl ? 0 : active.col - 1 });
      case "PageDown":
        return go({ pos: active.pos + pageRows, col: active.col });
      case "PageUp":
        return go({ pos: active.pos - pageRows, col: active.col });
      case "Home":
        return go(ctrl ? { pos: minPos, col: 0 } : { pos: active.pos, col: 0 });
      case "End":
        return go(ctrl ? { pos: maxPos, col: columns.length - 1 } : { pos: active.pos, col: columns.length - 1 });
      case "Enter":
      case "F2":
        e.preventDefault();
        return startEdit(active);
      case "Escape":
        setAnchor(null);
        setRowSel(new Set());
        return;
      case "ContextMenu":
      case "F10":
        if (e.key === "F10" && !e.shiftKey) return;
        if (props.onColumnMenu && root.current) {
          e.preventDefault();
          const header = root.current.querySelector<HTMLElement>(`[role="columnheader"][data-col="${active.col}"]`);
          const r = header?.getBoundingClientRect() ?? root.current.getBoundingClientRect();
          props.onColumnMenu(active.col, { x: r.left, y: r.bottom });
        }
        return;
      case "Delete":
        if (rowSel.size && props.onDeleteRows) {
          e.preventDefault();
          props.onDeleteRows();
        }
        return;
    }
    if (e.key.length === 1 && !ctrl && !e.altKey && canEdit(active.pos, active.col)) {
      e.preventDefault();
      startEdit(active, e.key);
    }
  };

  const onCopy = (e: React.ClipboardEvent) => {
    if (editing) return;
    const r = range ?? rangeOf(active, active);
    const rowsOut: string[][] = [];
    for (let p = r.top; p <= r.bottom && rowsOut.length < 10_000; p++) {
      const line: string[] = [];
      for (let c = r.left; c <= r.right; c++) {
        const v = valueAt(p, c).value;
        line.push(v === undefined ? "" : valueToText(v));
      }
      rowsOut.push(line);
    }
    e.clipboardData.setData("text/plain", toTsv(rowsOut));
    e.preventDefault();
  };

  const onPaste = (e: React.ClipboardEvent) => {
    if (editing || !editable || !props.onPaste) return;
    const text = e.clipboardData.getData("text/plain");
    if (!text) return;
    e.preventDefault();
    const matrix = parseTsv(text);
    const start = range ? { pos: range.top, col: range.left } : active;
    const cells: { target: CellTarget; text: string }[] = [];
    matrix.forEach((line, dr) =>
      line.forEach((txt, dc) => {
        const pos = start.pos + dr;
        const col = start.col + dc;
        if (col >= columns.length || !canEdit(pos, col)) return;
        const target = targetOf(pos, col);
        if (target) cells.push({ target, text: txt });
      }),
    );
    if (cells.length) props.onPaste(cells);
  };

  const onCellMouseDown = (e: React.MouseEvent, pos: number, col: number) => {
    if (e.button !== 0) return;
    if (editing) setEditing(null);
    if (e.shiftKey) {
      setAnchor((a) => a ?? active);
      setActive({ pos, col });
    } else {
      setAnchor(null);
      setActive({ pos, col });
    }
    setRowSel(new Set());
    root.current?.focus({ preventScroll: true });
  };

  const onGutterMouseDown = (e: React.MouseEvent, pos: number) => {
    if (e.button !== 0) return;
    e.preventDefault();
    setEditing(null);
    setRowSel((prev) => {
      if (e.shiftKey && prev.size) {
        const anchorPos = [...prev].at(-1) ?? pos;
        const next = new Set(prev);
        for (let p = Math.min(anchorPos, pos); p <= Math.max(anchorPos, pos); p++) next.add(p);
        return next;
      }
      if (e.ctrlKey || e.metaKey) {
        const next = new Set(prev);
        if (next.has(pos)) next.delete(pos);
        else next.add(pos);
        return next;
      }
      return new Set([pos]);
    });
    setAnchor({ pos, col: 0 });
    setActive({ pos, col: columns.length - 1 });
    root.current?.focus({ preventScroll: true });
  };


  /** The failure marks' id of the row at `pos` (its key, or new:<id>). */
  const rowMark = (pos: number): string | undefined => {
    if (pos < 0) {
      const id = newIdAt(pos);
      return id === undefined ? undefined : `new:${id}`;
    }
    return rowAt(pos)?.key ?? undefined;
  };

  const renderCell = (pos: number, col: number, app?: RowMark) => {
    const c = columns[col];
    const { value, pending: isPending, deleted, conflict } = valueAt(pos, col);
    const isActive = active.pos === pos && active.col === col;
    const isEditing = editing && editing.cell.pos === pos && editing.cell.col === col;
    const real = realCols[col];
    const mark = failed && rowMark(pos);
    const view = shownAs(c, value, real);
    let cls = `cell ${view ? view.cls : cellClass(value, real)}`;
    if (c.bookkeeping) cls += " bookkeeping";
    if (pos < 0 && value === undefined) cls = "cell v-default";
    if (isPending) cls += " pending";
    if (conflict) cls += " edit-conflict";
    if (app?.old?.has(c.name)) cls += " app-changed";
    if (deleted) cls += " deleted";
    if (isActive) cls += " active";
    if (inRange(range, pos, col) || rowSel.has(pos)) cls += " selected";
    if (isEditing) cls += " editing";
    if (mark && failed.cells.has(`${mark}\u0000${c.name}`)) cls += " save-failed";
    if (col === frozen - 1) cls += " frozen-edge";
    const text = pos < 0 && value === undefined ? (props.defaults?.[col] != null ? `DEFAULT ${props.defaults[col]}` : "DEFAULT") : view ? view.text : cellText(value, real);
    return (
      <div
        key={col}
        role="gridcell"
        className={cls}
        data-row={pos >= 0 ? pos : undefined}
        data-new-row={pos < 0 ? newRowIndex(pos, newCount) : undefined}
        data-col={col}
        aria-colindex={col + 2}
        aria-selected={isActive || undefined}
        style={{ left: colLefts[col], width: widths[col] ?? defaultWidth(c) }}
        onMouseDown={(e) => onCellMouseDown(e, pos, col)}
        onDoubleClick={() => startEdit({ pos, col })}
      >
        {view?.thumb && <img className="cell-thumb" src={view.thumb} alt="" data-testid="cell-thumb" draggable={false} />}
        {view?.badge !== undefined && <span className="cell-badge">{view.badge}</span>}
        {view?.badge !== undefined ? " " : null}
        {text}
      </div>
    );
  };

  const renderRow = (pos: number, y: number, extraClass = "") => {
    const row = pos >= 0 ? rowAt(pos) : null;
    const deleted = row?.key != null && !!pending?.deletes.has(row.key);
    const mark = failed && rowMark(pos);
    const failedRow = !!mark && failed.rows.has(mark);
    const app = row?.key != null && props.changes ? props.changes.get(row.key) : undefined;
    const appClass = app ? (app.op === "insert" ? " app-inserted" : " app-updated") : "";
    return (
      <div
        key={pos}
        role="row"
        aria-rowindex={pos >= 0 ? pos + 2 : undefined}
        className={`grid-row${deleted ? " deleted" : ""}${rowSel.has(pos) ? " row-selected" : ""}${failedRow ? " save-failed" : ""}${appClass}${extraClass}`}
        data-app={app?.op}
        style={{ transform: `translateY(${y}px)`, width: totalW }}
      >
        <div className="row-head" style={{ width: frozenRight }}>
          <div
            className="gutter"
            role="rowheader"
            onMouseDown={(e) => onGutterMouseDown(e, pos)}
            style={{ width: gutter }}
            title={app ? (app.op === "insert" ? "Added by the app" : "Changed by the app (hover a marked cell for its old value)") : undefined}
          >
            {pos >= 0 ? formatCount(pos + 1) : "+"}
          </div>
          {frozenCols.map((col) => renderCell(pos, col, app))}
        </div>
        {renderedCols.map((col) => renderCell(pos, col, app))}
      </div>
    );
  };

  const bodyRows: React.ReactNode[] = [];
  if (rowCount > 0) {
    for (let pos = first; pos <= last; pos++) bodyRows.push(renderRow(pos, pos * ROW_HEIGHT - top));
  }

  /** Where the cell being edited is drawn, in the layer's coordinates. */
  const editorBox = (() => {
    if (!editing) return null;
    const { pos, col } = editing.cell;
    const y = pos < 0 ? newRowIndex(pos, newCount) * ROW_HEIGHT : newCount * ROW_HEIGHT + pos * ROW_HEIGHT - top;
    const x = col < frozen ? colLefts[col] + scrollLeft : colLefts[col];
    return { left: x, top: HEADER_HEIGHT + y, width: widths[col] ?? MIN_EDITOR, minLeft: scrollLeft + frozenRight * (col < frozen ? 0 : 1), maxRight: scrollLeft + view.w, maxBottom: view.h };
  })();

  /**
   * A cut cell shows its whole value on hover; a cell the app changed, its
   * value before; an unsaved edit the app overtook, both sides.
   */
  const onMouseOver = (e: React.MouseEvent) => {
    const el = (e.target as HTMLElement).closest<HTMLElement>('[role="gridcell"]');
    if (!el) return;
    const explained = explain(el);
    if (explained !== null) {
      el.title = explained;
      return;
    }
    const shown = shownTitle(el);
    if (shown) {
      el.title = shown;
      return;
    }
    if (el.scrollWidth <= el.clientWidth) {
      if (el.title) el.removeAttribute("title");
      return;
    }
    const col = Number(el.dataset.col);
    const pos = el.dataset.row !== undefined ? Number(el.dataset.row) : newRowPos(Number(el.dataset.newRow), newCount);
    const v = valueAt(pos, col).value;
    if (v === undefined) return;
    el.title = typeof v === "string" ? v.slice(0, 2000) : displayText(v, realCols[col]);
  };

  /** What a cell shown as a display kind is: its UTC time and stored number… */
  const shownTitle = (el: HTMLElement): string | null => {
    const col = Number(el.dataset.col);
    const pos = el.dataset.row !== undefined ? Number(el.dataset.row) : newRowPos(Number(el.dataset.newRow), newCount);
    return shownAs(columns[col], valueAt(pos, col).value, realCols[col])?.title ?? null;
  };

  /** Why a marked cell looks the way it does (null: not marked). */
  const explain = (el: HTMLElement): string | null => {
    if (el.dataset.row === undefined) return null;
    const pos = Number(el.dataset.row);
    const col = Number(el.dataset.col);
    const row = rowAt(pos);
    const name = columns[col]?.name;
    if (!row || name === undefined) return null;
    const at = valueAt(pos, col);
    if (at.conflict) {
      const change = row.key !== null ? pending?.updates.get(row.key)?.get(name) : undefined;
      return `Conflict: you edited ${inlineText(change?.before ?? null)}, the value is now ${inlineText(row.values[col])}.\nSaving writes yours: ${inlineText(at.value ?? null)}`;
    }
    const old = row.key !== null ? props.changes?.get(row.key)?.old : undefined;
    if (old?.has(name)) return `Changed by the app. Before: ${inlineText(old.get(name) ?? null)}\nNow: ${inlineText(row.values[col])}`;
    return null;
  };

  const canvasH = geom.physical + HEADER_HEIGHT + newCount * ROW_HEIGHT;

  return (
    <div
      ref={root}
      className="grid"
      data-testid="grid"
      data-widths-fitted={fitted ? "true" : "false"}
      role="grid"
      aria-rowcount={count.exact ? rowCount + 1 : -1}
      aria-colcount={columns.length}
      aria-readonly={!editable}
      tabIndex={0}
      onKeyDown={onKeyDown}
      onCopy={onCopy}
      onPaste={onPaste}
      onMouseOver={onMouseOver}
    >
      <div ref={scroller} className="grid-scroller" onScroll={onScroll}>
        <div className="grid-canvas" style={{ height: canvasH, width: totalW }}>
          <div className="grid-layer" style={{ height: view.h, width: totalW }}>
            <GridHeader
              columns={columns}
              visible={renderedCols}
              frozen={frozen}
              onFit={fitColumn}
              lefts={colLefts}
              widths={widths}
              gutter={gutter}
              height={HEADER_HEIGHT}
              totalWidth={totalW}
              sort={sort}
              onSort={props.onSort}
              onResizeStart={onResizeStart}
              onMenu={props.onColumnMenu}
            />
            {newCount > 0 && (
              <div className="grid-newrows" style={{ top: HEADER_HEIGHT, height: newCount * ROW_HEIGHT, width: totalW }}>
                {newRows.map((_, i) => renderRow(newRowPos(i, newCount), i * ROW_HEIGHT, " new-row"))}
              </div>
            )}
            <div className="grid-body" style={{ top: HEADER_HEIGHT + newCount * ROW_HEIGHT, height: bodyH, width: totalW }}>
              {bodyRows}
            </div>
            {rowCount === 0 && newCount === 0 && (
              <div className="grid-empty" style={{ top: HEADER_HEIGHT }}>
                {count.exact ? props.emptyText ?? "No rows" : "Loading…"}
              </div>
            )}
            {editing && editorBox && columns[editing.cell.col] && isDateKind(columns[editing.cell.col].display) && !editing.raw && (
              <EditorOverlay box={editorBox}>
                <DateEditor
                  value={valueAt(editing.cell.pos, editing.cell.col).value}
                  kind={columns[editing.cell.col].display as string}
                  declType={columns[editing.cell.col].type}
                  onCommit={commitEdit}
                  onRaw={() => setEditing({ ...editing, raw: true })}
                  onCancel={() => {
                    setEditing(null);
                    root.current?.focus();
                  }}
                />
              </EditorOverlay>
            )}
            {editing && editorBox && columns[editing.cell.col] && (!isDateKind(columns[editing.cell.col].display) || editing.raw) && (
              <EditorOverlay box={editorBox}>
                <CellEditor
                  value={valueAt(editing.cell.pos, editing.cell.col).value}
                  declType={columns[editing.cell.col].type}
                  seed={editing.seed}
                  onCommit={commitEdit}
                  onCancel={() => {
                    setEditing(null);
                    root.current?.focus();
                  }}
                />
              </EditorOverlay>
            )}
          </div>
        </div>
      </div>
    </div>
  );
}
