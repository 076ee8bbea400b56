// A column's menu (▾ in its header, a right-click, or Shift+F10 / the
// context-menu key in the grid): "Show as" Automatic, As stored (raw) or
// one of the display kinds. The choice is the backend's to remember (per
// database location, table and column). Display only: the stored values
// never change. Esc or a click elsewhere closes it; arrows move.
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { DISPLAY_KINDS, kindLabel } from "../display/kinds";
import type { GridColumn } from "../grid/gridColumn";

interface Props {
  column: GridColumn;
  at: { x: number; y: number };
  /** What the backend infers for the column when it is not overridden (known only then). */
  automatic: string | null;
  /** `null`: automatic; `"raw"`: as stored; else a kind. */
  onShowAs(kind: string | null): void;
  /** `refocus`: give the focus back to the grid (not after a click elsewhere). */
  onClose(refocus: boolean): void;
}

export function ColumnMenu({ column, at, automatic, onShowAs, onClose }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState(at);
  const chosen = column.displayOverride ? (column.display ?? "raw") : null;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Kept inside the window.
    const r = el.getBoundingClientRect();
    setPos({ x: Math.max(4, Math.min(at.x, window.innerWidth - r.width - 4)), y: Math.max(4, Math.min(at.y, window.innerHeight - r.height - 4)) });
    el.querySelector<HTMLElement>('[aria-checked="true"]')?.focus() ?? el.querySelector<HTMLElement>('[role^="menuitem"]')?.focus();
  }, [at.x, at.y]);

  useEffect(() => {
    const down = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose(false);
    };
    const blur = () => onClose(false);
    window.addEventListener("mousedown", down, true);
    window.addEventListener("blur", blur);
    return () => {
      window.removeEventListener("mousedown", down, true);
      window.removeEventListener("blur", blur);
    };
  }, [onClose]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    e.stopPropagation();
    const items = [...(ref.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === "Escape" || e.key === "Tab") {
      e.preventDefault();
      onClose(true);
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const next = at < 0 ? 0 : (at + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items[next]?.focus();
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      items[e.key === "Home" ? 0 : items.length - 1]?.focus();
    }
  };

  const pick = (kind: string | null) => {
    onClose(true);
    if (kind !== chosen) onShowAs(kind);
  };

  const item = (kind: string | null, label: string, hint?: string) => (
    <button
      key={kind ?? "auto"}
      role="menuitemradio"
      aria-checked={chosen === kind}
      className="menu-item"
      data-testid="show-as"
      data-kind={kind ?? "auto"}
      title={hint}
      onClick={() => pick(kind)}
    >
      <span className="menu-check" aria-hidden>
        {chosen === kind ? "●" : ""}
      </span>
      {label}
    </button>
  );

  return createPortal(
    <div ref={ref} className="menu" role="menu" aria-label={`Column ${column.name}`} data-testid="column-menu" style={{ left: pos.x, top: pos.y }} onKeyDown={onKeyDown}>
      <div className="menu-heading" role="presentation">
        Show <span className="mono">{column.name}</span> as
      </div>
      {item(null, `Automatic${automatic ? ` (${kindLabel(automatic)})` : column.displayOverride ? "" : " (as stored)"}`, "What Sonde detects from the column's name, type, framework and values")}
      {item("raw", kindLabel("raw"), "The stored value, not decoded")}
      <div className="menu-sep" role="separator" />
      {DISPLAY_KINDS.map((k) => item(k, kindLabel(k)))}
      <div className="menu-note" role="presentation">
        Display only: the stored values do not change.
      </div>
    </div>,
    document.body,
  );
}
