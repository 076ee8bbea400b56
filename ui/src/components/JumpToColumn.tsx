// Jump to a column by name, for tables too wide to scroll through: the
// exact name first, then ignoring case, then a prefix, then a substring.
import { useState } from "react";
import type { ColumnMeta } from "../bindings/ColumnMeta";

export function findColumn(columns: readonly ColumnMeta[], text: string): number {
  const lower = text.toLowerCase();
  const tests = [
    (n: string) => n === text,
    (n: string) => n.toLowerCase() === lower,
    (n: string) => n.toLowerCase().startsWith(lower),
    (n: string) => n.toLowerCase().includes(lower),
  ];
  for (const test of tests) {
    const i = columns.findIndex((c) => test(c.name));
    if (i >= 0) return i;
  }
  return -1;
}

export function JumpToColumn({ columns, onJump }: { columns: readonly ColumnMeta[]; onJump(col: number): void }) {
  const [text, setText] = useState("");
  const [missing, setMissing] = useState(false);
  return (
    <>
      <input
        className={`jump jump-column${missing ? " invalid" : ""}`}
        data-testid="jump-to-column"
        aria-label="Jump to column"
        aria-invalid={missing || undefined}
        title={missing ? `No column matches "${text}"` : "Type a column name and press Enter"}
        placeholder="Go to column…"
        list="jump-column-names"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setMissing(false);
        }}
        onKeyDown={(e) => {
          if (e.key !== "Enter" || !text) return;
          const col = findColumn(columns, text);
          setMissing(col < 0);
          if (col >= 0) onJump(col);
        }}
      />
      <datalist id="jump-column-names">
        {columns.map((c, i) => (
          <option key={i} value={c.name} />
        ))}
      </datalist>
    </>
  );
}
