// The window-wide shortcuts (see ShortcutsSheet). Grid, cell editor and
// SQL editor keys are handled where they apply.
import { useEffect } from "react";
import { saveWithCare } from "../editing/conflicts";
import { activeDb, appStore, setPushDialog, setShortcutsOpen } from "../state/app";
import { refreshWithCare } from "../state/dbActions";
import { layoutStore, setInspectorOpen, toggleSidebar } from "../state/layout";
import { modKey } from "./platform";

/** Focuses the first element matching `selector` (the filter box, go to row). */
const focus = (selector: string) => document.querySelector<HTMLElement>(selector)?.focus();

export function useGlobalShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const db = activeDb(appStore.get());
      const mod = modKey(e) && !e.altKey;
      const key = e.key.toLowerCase();
      let run: (() => void) | null = null;
      if (mod && key === "s" && !e.shiftKey) run = () => db && void saveWithCare(db.handle);
      else if (mod && key === "p" && e.shiftKey) run = () => db?.is_snapshot && setPushDialog(db.handle);
      else if (mod && key === "b" && !e.shiftKey) run = toggleSidebar;
      else if (mod && key === "i" && !e.shiftKey) run = () => setInspectorOpen(!layoutStore.get().inspectorOpen);
      else if (mod && key === "f" && !e.shiftKey) run = () => focus('[data-testid="filter-value"]');
      else if (mod && key === "g" && !e.shiftKey) run = () => focus('[data-testid="jump-to-row"]');
      // F5 and Ctrl+R would reload the page (and drop the app's state).
      else if (e.key === "F5" || (mod && key === "r")) run = () => db && void refreshWithCare(db.handle);
      else if (e.key === "F1") run = () => setShortcutsOpen(true);
      if (!run) return;
      e.preventDefault();
      run();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
