// "≈ 10,000,000 rows" while estimating, then the exact count.
import type { RowCount as Count } from "../grid/source";

export function RowCount({ count, filtered }: { count: Count; filtered: boolean }) {
  const n = count.rows.toLocaleString("en-US");
  const text = count.exact ? `${n} rows` : count.more ? `${n}+ rows` : `≈ ${n} rows`;
  return (
    <span
      className="row-count"
      data-testid="row-count"
      data-count={count.rows}
      data-exact={count.exact}
      title={count.exact ? "Exact row count" : "Estimated; the exact count follows"}
    >
      {text}
      {filtered ? " (filtered)" : ""}
    </span>
  );
}
