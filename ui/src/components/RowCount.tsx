// "≈ 10,000,000 rows" while estimating, then the exact count ("1 row").
import type { RowCount as Count } from "../grid/source";
import { formatCount } from "../lib/format";

export function RowCount({ count, filtered }: { count: Count; filtered: boolean }) {
  const n = formatCount(count.rows);
  const unit = count.rows === 1 && !count.more ? "row" : "rows";
  const text = count.exact ? `${n} ${unit}` : count.more ? `${n}+ rows` : `≈ ${n} ${unit}`;
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
