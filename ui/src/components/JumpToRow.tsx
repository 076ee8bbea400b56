// Jump to a row number (1-based, as the row numbers in the grid).
import { useState } from "react";

export function JumpToRow({ max, onJump }: { max: number; onJump(index: number): void }) {
  const [text, setText] = useState("");
  return (
    <input
      className="jump"
      data-testid="jump-to-row"
      aria-label="Jump to row"
      placeholder="Go to row…"
      inputMode="numeric"
      value={text}
      onChange={(e) => setText(e.target.value.replace(/[^\d]/g, ""))}
      onKeyDown={(e) => {
        if (e.key !== "Enter" || !text) return;
        const n = Math.max(1, Math.min(Number(text), Math.max(1, max)));
        onJump(n - 1);
      }}
    />
  );
}
