// The sticky header row: column names and types, sort marks (click: asc →
// desc → off; Shift+click adds a term), resize handles.
import type { ColumnMeta } from "../bindings/ColumnMeta";
import type { OrderBy } from "../bindings/OrderBy";

interface Props {
  columns: ColumnMeta[];
  /** Indexes of the columns to render (the visible ones). */
  visible: number[];
  lefts: number[];
  widths: number[];
  gutter: number;
  height: number;
  totalWidth: number;
  sort: OrderBy[];
  onSort?(column: string, additive: boolean): void;
  onResizeStart(e: React.PointerEvent, col: number): void;
}

export function GridHeader({ columns, visible, lefts, widths, gutter, height, totalWidth, sort, onSort, onResizeStart }: Props) {
  return (
    <div className="grid-header" role="row" style={{ width: totalWidth, height }}>
      <div className="gutter corner" style={{ width: gutter }} />
      {visible.map((col) => {
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
            className={`column-header${si >= 0 ? " sorted" : ""}${onSort ? " sortable" : ""}`}
            style={{ left: lefts[col], width: widths[col] }}
            title={onSort ? `${c.name} ${c.type}\nClick to sort, Shift+click to add a sort term` : `${c.name} ${c.type}`}
            onClick={(e) => onSort?.(c.name, e.shiftKey)}
          >
            <span className="col-name">{c.name}</span>
            <span className="col-type">{c.type}</span>
            {si >= 0 && (
              <span className="sort-mark" aria-hidden>
                {sort[si].desc ? "▼" : "▲"}
                {sort.length > 1 ? si + 1 : ""}
              </span>
            )}
            <span className="resize-handle" onPointerDown={(e) => onResizeStart(e, col)} onClick={(e) => e.stopPropagation()} />
          </div>
        );
      })}
    </div>
  );
}
