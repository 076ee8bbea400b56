// The sticky header row: column names with their type on a second line,
// sort marks (click: asc → desc → off; Shift+click adds a term), resize
// handles (drag; double-click fits the column to its content). The frozen
// key columns sit with the corner in a part that does not scroll sideways.
import type { ColumnMeta } from "../bindings/ColumnMeta";
import type { OrderBy } from "../bindings/OrderBy";

interface Props {
  columns: ColumnMeta[];
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
}

export function GridHeader({ columns, visible, frozen, lefts, widths, gutter, height, totalWidth, sort, onSort, onResizeStart, onFit }: Props) {
  const header = (col: number) => {
    const c = columns[col];
    if (!c) return null;
    const si = sort.findIndex((o) => o.column === c.name);
    const dir = si >= 0 ? (sort[si].desc ? "descending" : "ascending") : "none";
    return (
      <div
        key={c.name + col}
        role="columnheader"
        data-testid="column-header"
        data-col={col}
        aria-colindex={col + 2}
        data-name={c.name}
        aria-sort={dir}
        className={`column-header${si >= 0 ? " sorted" : ""}${onSort ? " sortable" : ""}${col === frozen - 1 ? " frozen-edge" : ""}`}
        style={{ left: lefts[col], width: widths[col] }}
        title={`${c.name}${c.type ? ` · ${c.type}` : ""}${onSort ? "\nClick to sort, Shift+click to add a sort term" : ""}`}
        onClick={(e) => onSort?.(c.name, e.shiftKey)}
      >
        <span className="col-name">{c.name}</span>
        <span className="col-type">{c.type || "\u00a0"}</span>
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
