// Layout: sidebar (sources, resizable and collapsible), main view (tabs),
// error banner, and the dialogs anything may open.
import { AboutDialog } from "./components/AboutDialog";
import { ConfirmHost } from "./components/ConfirmHost";
import { DiagnosticsPanel } from "./components/DiagnosticsPanel";
import { ErrorBanner } from "./components/ErrorBanner";
import { KeyPromptHost } from "./components/KeyPrompt";
import { MainView } from "./components/MainView";
import { Resizer } from "./components/Resizer";
import { ShortcutsSheet } from "./components/ShortcutsSheet";
import { Sidebar } from "./components/Sidebar";
import { useGlobalShortcuts } from "./lib/shortcuts";
import { appStore, setAboutOpen, setDiagnosticsOpen, setShortcutsOpen } from "./state/app";
import { layoutStore, setSidebarWidth } from "./state/layout";
import { useStore } from "./state/store";

export function App({ dropping }: { dropping: boolean }) {
  const diagnostics = useStore(appStore, (s) => s.diagnosticsOpen);
  const shortcuts = useStore(appStore, (s) => s.shortcutsOpen);
  const about = useStore(appStore, (s) => s.aboutOpen);
  const width = useStore(layoutStore, (s) => s.sidebarWidth);
  const collapsed = useStore(layoutStore, (s) => s.sidebarCollapsed);
  useGlobalShortcuts();
  return (
    <div className={`app${dropping ? " dropping" : ""}`} style={{ gridTemplateColumns: collapsed ? "0 0 1fr" : `${width}px 0 1fr` }}>
      {collapsed ? <div /> : <Sidebar />}
      {collapsed ? <div /> : <Resizer width={width} onWidth={setSidebarWidth} label="Sidebar width" testId="sidebar-resizer" />}
      <div className="main-col">
        <ErrorBanner />
        <MainView />
      </div>
      {diagnostics && <DiagnosticsPanel onClose={() => setDiagnosticsOpen(false)} />}
      {shortcuts && <ShortcutsSheet onClose={() => setShortcutsOpen(false)} />}
      {about && <AboutDialog onClose={() => setAboutOpen(false)} />}
      <ConfirmHost />
      <KeyPromptHost />
      {dropping && <div className="drop-overlay">Drop a SQLite file to open it</div>}
    </div>
  );
}
