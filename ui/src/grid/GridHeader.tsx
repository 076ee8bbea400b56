// The sticky header row: column names with their type on a second line,
// sort marks (click: asc → desc → off; Shift+click adds a term), resize
// handles (drag; double-click fits the column to its content). The frozen
// key columns sit with the corner in a part that does not scroll sideways.
// A column shown as a display kind carries its badge (`date`, `uuid`…);
// the column menu (▾, or a right-click) offers "Show as".
import type { OrderBy } from "../bindings/OrderBy";
import { KIND_BADGE, kindLabel } from "../display/kinds";
import type { GridColumn } from "./gridColumn";

interface Props {
  columns: GridColumn[];
  /** Indexes of the scrolling columns to render (the visible ones). */
  visible: number[];
  /** How many leading columns are frozen. */
  frozen: number;
  lefts: number[];
  widths: number[];
  gutter: number;
  height: number;
  totalWidth: number;
  sort: OrderBy[];
  onSort?(column: string, additive: boolean): void;
  onResizeStart(e: React.PointerEvent, col: number): void;
  onFit(col: number): void;
  /** Opens the column's menu at a point of the window (absent: no menu). */
  onMenu?(col: number, at: { x: number; y: number }): void;
}

/** A column's tooltip: what it is, how it is shown, what clicking does. */
function headerTitle(c: GridColumn, sortable: boolean, menu: boolean): string {
  const lines = [`${c.name}${c.type ? ` · ${c.type}` : ""}`];
  if (c.note) lines.push(c.note);
  if (c.display) lines.push(`Shown as ${kindLabel(c.display)}${c.displayOverride ? " (your choice)" : " (detected)"}: display only, the stored values do not change`);
  else if (c.displayOverride) lines.push("Shown as stored (your choice)");
  if (sortable) lines.push("Click to sort, Shift+click to add a sort term");
  if (menu) lines.push("Right-click or ▾ for the column menu (Show as…)");
  return lines.join("\n");
}

export function GridHeader({ columns, visible, frozen, lefts, widths, gutter, height, totalWidth, sort, onSort, onResizeStart, onFit, onMenu }: Props) {
  const header = (col: number) => {
    const c = columns[col];
    if (!c) return null;
    const si = sort.findIndex((o) => o.column === c.name);
    const dir = si >= 0 ? (sort[si].desc ? "descending" : "ascending") : "none";
    const badge = c.display ? (KIND_BADGE[c.display] ?? c.display) : c.displayOverride ? KIND_BADGE.raw : null;
    return (
      <div
        key={c.name + col}
        role="columnheader"
        data-testid="column-header"
        data-col={col}
        aria-colindex={col + 2}
        data-name={c.name}
        aria-sort={dir}
        data-display={c.display ?? (c.displayOverride ? "raw" : undefined)}
        data-bookkeeping={c.bookkeeping || undefined}
        className={`column-header${si >= 0 ? " sorted" : ""}${onSort ? " sortable" : ""}${col === frozen - 1 ? " frozen-edge" : ""}${c.bookkeeping ? " bookkeeping" : ""}`}
        style={{ left: lefts[col], width: widths[col] }}
        title={headerTitle(c, !!onSort, !!onMenu)}
        onClick={(e) => onSort?.(c.name, e.shiftKey)}
        onContextMenu={
          onMenu
            ? (e) => {
                e.preventDefault();
                onMenu(col, { x: e.clientX, y: e.clientY });
              }
            : undefined
        }
      >
        <span className="col-name">{c.name}</span>
        <span className="col-type">
          {c.type || (badge ? "" : "\u00a0")}
          {badge && (
            <span className={`display-badge${c.displayOverride ? " chosen" : ""}`} data-testid="display-badge">
              {badge}
            </span>
          )}
        </span>
        {onMenu && (
          <button
            className="col-menu-button"
            data-testid="column-menu-button"
            aria-label={`Column menu of ${c.name}`}
            aria-haspopup="menu"
            tabIndex={-1}
            onClick={(e) => {
              e.stopPropagation();
              const r = e.currentTarget.getBoundingClientRect();
              onMenu(col, { x: r.left, y: r.bottom });
            }}
          >
            ▾
          </button>
        )}
        {si >= 0 && (
          <span className="sort-mark" aria-hidden>
            {sort[si].desc ? "▼" : "▲"}
            {sort.length > 1 ? si + 1 : ""}
          </span>
        )}
        <span
          className="resize-handle"
          title="Drag to resize, double-click to fit the content"
          onPointerDown={(e) => onResizeStart(e, col)}
          onClick={(e) => e.stopPropagation()}
          onDoubleClick={(e) => {
            e.stopPropagation();
            onFit(col);
          }}
        />
      </div>
    );
  };
  const frozenCols = Array.from({ length: frozen }, (_, i) => i);
  return (
    <div className="grid-header" role="row" style={{ width: totalWidth, height }}>
      <div className="row-head" style={{ width: lefts[frozen] ?? gutter }}>
        <div className="gutter corner" style={{ width: gutter }} />
        {frozenCols.map(header)}
      </div>
      {visible.map(header)}
    </div>
  );
}
