// The source tree: devices (Android, iOS, simulators, the simulated
// device), virtual devices to boot, local files, recent databases; Open
// file…, and at the foot (always in view) Diagnostics, About, the
// shortcuts sheet and the theme.
import { useEffect, useState } from "react";
import { deviceUri } from "../api";
import { appStore, openFileDialog, openLocation, refreshDevices, setAboutOpen, setDiagnosticsOpen, setShortcutsOpen } from "../state/app";
import { layoutStore, setTheme, type ThemeMode } from "../state/layout";
import { useStore } from "../state/store";
import { revealLocation, splitDeviceLocation } from "../state/tree";
import { refreshVirtualDevices, virtualStore } from "../state/virtualDevices";
import { DeviceNode } from "./DeviceTree";
import { CloseDb, FrameworkTag, TableList } from "./TableList";
import { VirtualDevices } from "./VirtualDevices";

/** Up/Down move between the tree's items (Enter/Space activate them). */
function moveFocus(e: React.KeyboardEvent<HTMLElement>) {
  if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
  const items = [...e.currentTarget.querySelectorAll<HTMLElement>("button.tree-item")];
  const at = items.indexOf(document.activeElement as HTMLElement);
  if (at < 0) return;
  e.preventDefault();
  items[Math.min(items.length - 1, Math.max(0, at + (e.key === "ArrowDown" ? 1 : -1)))]?.focus();
}

/** How long the first device list waits for the first list of virtual devices. */
const VIRTUAL_WAIT_MS = 2000;

/**
 * Whether the first device list may show: once it is in, and the virtual
 * devices too (or they are slow). Shown one after the other, the second
 * group would move the rows below it (the recent list) under the pointer.
 */
function useDevicesShown(): boolean {
  const devicesIn = useStore(appStore, (s) => s.devices !== null || !s.devicesLoading);
  const virtualIn = useStore(virtualStore, (s) => s.listing !== null);
  const [waited, setWaited] = useState(false);
  useEffect(() => {
    if (!devicesIn || virtualIn) return;
    const timer = setTimeout(() => setWaited(true), VIRTUAL_WAIT_MS);
    return () => clearTimeout(timer);
  }, [devicesIn, virtualIn]);
  return devicesIn && (virtualIn || waited);
}

export function Sidebar() {
  const devices = useStore(appStore, (s) => s.devices);
  const shown = useDevicesShown();
  const loading = useStore(appStore, (s) => s.devicesLoading) || !shown;
  const simulated = useStore(appStore, (s) => s.info?.simulated_device ?? null);
  const open = useStore(appStore, (s) => s.open);
  const recent = useStore(appStore, (s) => s.recent);
  const list = (shown && devices?.devices) || [];
  // Open databases not shown under a listed device: local files, or a
  // device that is gone.
  const loose = open.filter((o) => {
    const parts = splitDeviceLocation(o.location);
    return !parts || !list.some((d) => deviceUri(d) === parts.device);
  });

  return (
    <nav className="sidebar" data-testid="sidebar" aria-label="Sources" onKeyDown={moveFocus}>
      <div className="sidebar-head">
        <span className="brand">Sonde</span>
        <button data-testid="open-file" className="primary small" onClick={() => void openFileDialog()} title="Open a SQLite file (or drop it on the window)">
          Open file…
        </button>
      </div>
      <div className="sidebar-scroll" data-testid="sidebar-scroll">
        <section className="tree-section">
          <header>
            <span>Devices</span>
            <button className="icon small" aria-label="Refresh devices" title="Refresh" onClick={() => void Promise.all([refreshDevices(), refreshVirtualDevices()])}>
              ⟳
            </button>
          </header>
          <ul className="tree" data-testid="device-list" role="tree" aria-busy={loading || undefined}>
            {list.map((d) => (
              <DeviceNode key={deviceUri(d)} device={d} simulated={simulated !== null && d.platform === "android" && d.id === simulated} />
            ))}
          </ul>
          {!loading && list.length === 0 && (
            <div className="empty-state" data-testid="no-devices">
              <strong>No devices</strong>
              <p>Connect a phone with USB debugging, or use the simulated device (it starts by itself when no phone is attached).</p>
              <p>
                A tool missing (adb, libimobiledevice)?{" "}
                <button className="link" data-testid="no-devices-tools" onClick={() => setDiagnosticsOpen(true)}>
                  Diagnostics says how to install it
                </button>
              </p>
            </div>
          )}
          {loading && list.length === 0 && <div className="tree-loading">Looking for devices…</div>}
          {shown && devices && devices.problems.length > 0 && (
            <details className="problems" data-testid="device-problems">
              <summary>
                {devices.problems.length} problem{devices.problems.length === 1 ? "" : "s"} finding devices
              </summary>
              <ul>
                {devices.problems.map((p, i) => (
                  <li key={i}>{p}</li>
                ))}
              </ul>
            </details>
          )}
        </section>
        {shown && <VirtualDevices />}
        {loose.length > 0 && (
          <section className="tree-section">
            <header>
              <span>Open files</span>
            </header>
            <ul className="tree" data-testid="open-list">
              {loose.map((db) => (
                <li key={db.handle}>
                  <div className="tree-row">
                    <span className="tree-item db-item open" data-testid="open-db" data-uri={db.location} title={db.location}>
                      <span className="icon-db" aria-hidden>
                        ⛁
                      </span>
                      <span className="label">{db.label}</span>
                      <FrameworkTag db={db} />
                    </span>
                    <CloseDb db={db} />
                  </div>
                  <TableList db={db} />
                </li>
              ))}
            </ul>
          </section>
        )}
        <section className="tree-section">
          <header>
            <span>Recent</span>
          </header>
          {recent.length === 0 ? (
            <div className="tree-empty">Databases you open appear here. Drop a .db file on the window to open it.</div>
          ) : (
            <ul className="tree">
              {recent.map((r) => (
                <li key={r.uri}>
                  <button
                    className="tree-item recent-item"
                    data-testid="recent-item"
                    data-uri={r.uri}
                    title={`${r.uri}\nopened ${new Date(r.opened_at).toLocaleString()}`}
                    onClick={() => {
                      revealLocation(r.uri);
                      void openLocation(r.uri, r.label);
                    }}
                  >
                    <span className="label">
                      {r.label}
                      <span className="sub">{r.uri.startsWith("file://") ? r.uri.slice(7) : r.uri}</span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <SidebarFoot />
    </nav>
  );
}

const THEMES: [ThemeMode, string][] = [
  ["system", "System"],
  ["light", "Light"],
  ["dark", "Dark"],
];

function SidebarFoot() {
  const theme = useStore(layoutStore, (s) => s.theme);
  return (
    <div className="sidebar-foot">
      <button data-testid="diagnostics-button" className="small" onClick={() => setDiagnosticsOpen(true)}>
        Diagnostics
      </button>
      <button data-testid="about-button" className="small" onClick={() => setAboutOpen(true)} title="About Sonde: version and licences">
        About
      </button>
      <button data-testid="shortcuts-button" className="small" onClick={() => setShortcutsOpen(true)} title="Keyboard shortcuts (F1)" aria-label="Keyboard shortcuts">
        ?
      </button>
      <select data-testid="theme-select" className="small" aria-label="Theme" title="Theme" value={theme} onChange={(e) => setTheme(e.target.value as ThemeMode)}>
        {THEMES.map(([t, label]) => (
          <option key={t} value={t}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}
