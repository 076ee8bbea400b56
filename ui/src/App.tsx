// Layout: sidebar (sources), main view (tabs), error banner, diagnostics.
import { DiagnosticsPanel } from "./components/DiagnosticsPanel";
import { ErrorBanner } from "./components/ErrorBanner";
import { MainView } from "./components/MainView";
import { Sidebar } from "./components/Sidebar";
import { appStore, setDiagnosticsOpen } from "./state/app";
import { useStore } from "./state/store";

export function App({ dropping }: { dropping: boolean }) {
  const diagnostics = useStore(appStore, (s) => s.diagnosticsOpen);
  return (
    <div className={`app${dropping ? " dropping" : ""}`}>
      <Sidebar />
      <div className="main-col">
        <ErrorBanner />
        <MainView />
      </div>
      {diagnostics && <DiagnosticsPanel onClose={() => setDiagnosticsOpen(false)} />}
      {dropping && <div className="drop-overlay">Drop a SQLite file to open it</div>}
    </div>
  );
}
