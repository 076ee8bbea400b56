// The theme in effect: the user's choice, or the system's when "system".
// The stylesheet keys on <html data-theme="light|dark">.
import { layoutStore } from "../state/layout";

const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");

function apply(): void {
  const mode = layoutStore.get().theme;
  const theme = mode === "system" ? (darkQuery.matches ? "dark" : "light") : mode;
  if (document.documentElement.dataset.theme !== theme) document.documentElement.dataset.theme = theme;
}

/** Applies the theme now and whenever the choice or the system changes. */
export function startTheme(): void {
  apply();
  darkQuery.addEventListener("change", apply);
  layoutStore.subscribe(apply);
}
