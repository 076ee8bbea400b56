// How the window is divided (sidebar and inspector widths, what is shown)
// and the theme: remembered across sessions.
import { readPref, writePref } from "../lib/prefs";
import { createStore } from "./store";

export type ThemeMode = "system" | "light" | "dark";

export interface Layout {
  sidebarWidth: number;
  sidebarCollapsed: boolean;
  inspectorOpen: boolean;
  inspectorWidth: number;
  theme: ThemeMode;
}

export const SIDEBAR = { min: 200, max: 480, initial: 260 };
export const INSPECTOR = { min: 220, max: 720, initial: 280 };

export const layoutStore = createStore<Layout>(
  readPref<Layout>("layout", {
    sidebarWidth: SIDEBAR.initial,
    sidebarCollapsed: false,
    inspectorOpen: true,
    inspectorWidth: INSPECTOR.initial,
    theme: "system",
  }),
);
layoutStore.subscribe(() => writePref("layout", layoutStore.get()));

const patch = (p: Partial<Layout>) => layoutStore.set((s) => ({ ...s, ...p }));
const clamp = (v: number, { min, max }: { min: number; max: number }) => Math.round(Math.min(max, Math.max(min, v)));

export const setSidebarWidth = (w: number) => patch({ sidebarWidth: clamp(w, SIDEBAR) });
export const toggleSidebar = () => patch({ sidebarCollapsed: !layoutStore.get().sidebarCollapsed });
export const setInspectorOpen = (inspectorOpen: boolean) => patch({ inspectorOpen });
export const setInspectorWidth = (w: number) => patch({ inspectorWidth: clamp(w, INSPECTOR) });
export const setTheme = (theme: ThemeMode) => patch({ theme });
