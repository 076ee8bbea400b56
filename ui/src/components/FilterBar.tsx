// Filters applied server-side: column, operator, value. Applied filters
// show as chips; each one narrows the rows (AND).
import { useEffect, useState } from "react";
import type { ColumnMeta } from "../bindings/ColumnMeta";
import type { Filter } from "../bindings/Filter";
import type { FilterOp } from "../bindings/FilterOp";
import type { Value } from "../bindings/Value";
import { parseLoose } from "../parse";
import { inlineText } from "../values";

export const OPS: [FilterOp, string][] = [
  ["eq", "="],
  ["ne", "≠"],
  ["lt", "<"],
  ["le", "≤"],
  ["gt", ">"],
  ["ge", "≥"],
  ["contains", "contains"],
  ["like", "like"],
  ["not_like", "not like"],
  ["glob", "glob"],
  ["in", "in"],
  ["is_null", "is null"],
  ["is_not_null", "is not null"],
];

const opLabel = (op: FilterOp) => OPS.find(([o]) => o === op)?.[1] ?? op;
const NO_VALUE: FilterOp[] = ["is_null", "is_not_null"];
const TEXT_OPS: FilterOp[] = ["like", "not_like", "glob", "not_glob", "contains"];

/** The filter's operands from what was typed: `in` takes a comma list. */
export function filterValues(op: FilterOp, declType: string, text: string): Value[] {
  if (NO_VALUE.includes(op)) return [];
  if (TEXT_OPS.includes(op)) return [text];
  if (op === "in") {
    const trimmed = text.trim();
    if (trimmed.startsWith("[")) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (Array.isArray(parsed)) return parsed as Value[];
      } catch {
        // not JSON: a comma list
      }
    }
    return text.split(",").map((part) => parseLoose(declType, part.trim()));
  }
  return [parseLoose(declType, text)];
}

export function describeFilter(f: Filter): string {
  if (NO_VALUE.includes(f.op)) return `${f.column} ${opLabel(f.op)}`;
  return `${f.column} ${opLabel(f.op)} ${f.values.map((v) => inlineText(v)).join(", ")}`;
}

interface Props {
  columns: ColumnMeta[];
  filters: Filter[];
  onChange(filters: Filter[]): void;
  /** Controls shown at the right end of the bar. */
  children?: React.ReactNode;
}

export function FilterBar({ columns, filters, onChange, children }: Props) {
  const [column, setColumn] = useState(columns[0]?.name ?? "");
  const [op, setOp] = useState<FilterOp>("eq");
  const [text, setText] = useState("");
  useEffect(() => {
    if (!columns.some((c) => c.name === column)) setColumn(columns[0]?.name ?? "");
  }, [columns, column]);
  const needsValue = !NO_VALUE.includes(op);

  const apply = () => {
    if (!column) return;
    const declType = columns.find((c) => c.name === column)?.type ?? "";
    onChange([...filters, { column, op, values: filterValues(op, declType, text) }]);
    setText("");
  };

  return (
    <div className="filter-bar" role="search">
      <select data-testid="filter-column" aria-label="Filter column" value={column} onChange={(e) => setColumn(e.target.value)}>
        {columns.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
      <select data-testid="filter-op" aria-label="Operator" value={op} onChange={(e) => setOp(e.target.value as FilterOp)}>
        {OPS.map(([o, label]) => (
          <option key={o} value={o}>
            {label}
          </option>
        ))}
      </select>
      <input
        data-testid="filter-value"
        aria-label="Filter value"
        placeholder={op === "in" ? "a, b, c" : needsValue ? "value" : "no value needed"}
        disabled={!needsValue}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") apply();
        }}
      />
      <button data-testid="filter-apply" onClick={apply} disabled={!column}>
        Filter
      </button>
      <button data-testid="filter-clear" onClick={() => onChange([])} disabled={!filters.length}>
        Clear
      </button>
      <div className="filter-chips">
        {filters.map((f, i) => (
          <span className="chip" key={i} data-testid="filter-chip">
            {describeFilter(f)}
            <button aria-label="Remove filter" className="chip-x" onClick={() => onChange(filters.filter((_, j) => j !== i))}>
              ×
            </button>
          </span>
        ))}
      </div>
      <span className="spacer" />
      {children}
    </div>
  );
}
