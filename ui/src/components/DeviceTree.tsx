// Device → app → database → table. Apps and database files load when a
// node opens; the built-in simulated device is labelled as such; a
// shut-down simulator can be booted from its row.
import { useEffect, useState } from "react";
import { api, deviceUri } from "../api";
import type { App } from "../bindings/App";
import type { DbFile } from "../bindings/DbFile";
import type { Device } from "../bindings/Device";
import { hintFor, toCommandError } from "../errors";
import { appStore, openLocation, showError } from "../state/app";
import { useStore } from "../state/store";
import { isExpanded, toggle, treeStore } from "../state/tree";
import { formatBytes } from "../values";
import { BootButton, BootProgress } from "./BootControl";
import { DeviceIcon } from "./Icons";
import { shownFramework } from "../display/frameworks";
import { CloseDb, FrameworkTag, TableList } from "./TableList";

const PLATFORM: Record<string, string> = { android: "Android", ios: "iOS", sim: "iOS Simulator" };

const STATE_HINT: Record<string, string> = {
  unauthorized: "Accept the USB debugging prompt on the phone.",
  offline: "Offline: unplug and reconnect the cable, then unlock the phone.",
  shutdown: "Not booted: its files can still be read.",
  unknown: "State unknown.",
};

// An iPhone asks a different question than an Android phone.
const IOS_STATE_HINT: Record<string, string> = {
  unauthorized: "Unlock the iPhone and tap Trust on \"Trust This Computer?\".",
};

function stateHint(device: Device): string {
  return (device.platform === "ios" ? IOS_STATE_HINT[device.state] : undefined) ?? STATE_HINT[device.state] ?? device.raw_state;
}

type Load<T> = { at: "idle" } | { at: "loading" } | { at: "ok"; items: T } | { at: "error"; kind: string; message: string };

function useLazy<T>(open: boolean, key: string, load: () => Promise<T>, what: string): [Load<T>, () => void] {
  const [state, setState] = useState<Load<T>>({ at: "idle" });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (!open) return;
    let live = true;
    // Reading again keeps what is shown until the new answer arrives.
    setState((cur) => (cur.at === "ok" ? cur : { at: "loading" }));
    load().then(
      (items) => live && setState({ at: "ok", items }),
      (e) => {
        if (!live) return;
        const err = toCommandError(e);
        setState({ at: "error", kind: err.kind, message: err.message });
        showError(err, what);
      },
    );
    return () => {
      live = false;
    };
  }, [open, key, nonce]);
  return [state, () => setNonce((n) => n + 1)];
}

function NodeError({ kind, message, retry }: { kind: string; message: string; retry(): void }) {
  return (
    <div className="tree-error" data-kind={kind}>
      <div>{hintFor(kind) ?? message}</div>
      <button className="link" onClick={retry}>
        Retry
      </button>
    </div>
  );
}

export function DeviceNode({ device, simulated }: { device: Device; simulated: boolean }) {
  const uri = deviceUri(device);
  const id = `dev:${uri}`;
  const open = useStore(treeStore, (s) => isExpanded(s, id));
  const [systemApps, setSystemApps] = useState(false);
  const usable = device.state === "device" || device.state === "shutdown";
  // Its files can be read shut down; booting it runs the app too.
  const bootable = device.platform === "sim" && device.state === "shutdown";
  const [apps, retry] = useLazy<App[]>(open && usable, `${uri}|${systemApps}`, () => api.listApps(uri, systemApps), `Listing apps on ${device.name}`);
  const sub = [simulated ? "Sonde's built-in simulated Android device" : PLATFORM[device.platform], device.os_version, device.model && device.model !== device.name ? device.model : null]
    .filter(Boolean)
    .join(" · ");
  return (
    <li>
      <div className="tree-row">
        <button
          className={`tree-item device-item state-${device.state}`}
          data-testid="device-item"
          data-id={uri}
          data-state={device.state}
          aria-expanded={open}
          onClick={() => toggle(id)}
          title={`${uri} (${device.raw_state})`}
        >
          <span className="twisty" aria-hidden>
            {open ? "▾" : "▸"}
          </span>
          <DeviceIcon platform={device.platform} />
          <span className="label">
            {simulated ? "Simulated device" : device.name}
            <span className="sub">{sub}</span>
          </span>
          {simulated && (
            <span className="badge sim" data-testid="sim-badge" title="Sonde's built-in simulated Android device">
              built-in
            </span>
          )}
          {device.state !== "device" && <span className={`badge state ${device.state}`}>{device.state}</span>}
        </button>
        {bootable && <BootButton id={device.id} name={device.name} />}
      </div>
      {bootable && <BootProgress id={device.id} />}
      {open && (
        <div className="tree-children">
          {!usable && <div className="tree-hint">{stateHint(device)}</div>}
          {usable && apps.at === "loading" && <div className="tree-loading">Loading apps…</div>}
          {apps.at === "error" && <NodeError kind={apps.kind} message={apps.message} retry={retry} />}
          {apps.at === "ok" && (
            <>
              {apps.items.length === 0 && <div className="tree-empty">No apps with data found.</div>}
              <ul role="group">
                {apps.items.map((a) => (
                  <AppNode key={a.id} device={device} app={a} />
                ))}
              </ul>
              {device.platform === "android" && (
                <label className="tree-option">
                  <input type="checkbox" checked={systemApps} onChange={(e) => setSystemApps(e.target.checked)} /> Show system apps
                </label>
              )}
            </>
          )}
        </div>
      )}
    </li>
  );
}

function AppNode({ device, app }: { device: Device; app: App }) {
  const dev = deviceUri(device);
  const id = `app:${dev}/${app.id}`;
  const open = useStore(treeStore, (s) => isExpanded(s, id));
  // Read again after a push: sizes and -wal files change.
  const listingVersion = useStore(appStore, (s) => s.listingVersion);
  const [files, retry] = useLazy<DbFile[]>(open, `${dev}|${app.id}|${listingVersion}`, () => api.listDatabases(dev, app.id), `Listing databases of ${app.id}`);
  const openDbs = useStore(appStore, (s) => s.open);
  const listed = files.at === "ok" ? files.items : [];
  // Open databases of this app that the listing does not show (yet).
  const extra = openDbs.filter((o) => o.location.startsWith(`${dev}/${app.id}/`) && !listed.some((f) => f.uri === o.location));
  return (
    <li>
      <button className="tree-item app-item" data-testid="app-item" data-id={app.id} aria-expanded={open} onClick={() => toggle(id)} title={app.id}>
        <span className="twisty" aria-hidden>
          {open ? "▾" : "▸"}
        </span>
        <span className="label">
          {app.name ?? app.id}
          {app.name && <span className="sub">{app.id}</span>}
        </span>
        {app.debuggable === false && (
          <span className="tag warn" title="Not debuggable: use a debug build to read its databases">
            release
          </span>
        )}
        {app.system && <span className="tag">system</span>}
      </button>
      {open && (
        <div className="tree-children">
          {files.at === "loading" && <div className="tree-loading">Looking for databases…</div>}
          {files.at === "error" && <NodeError kind={files.kind} message={files.message} retry={retry} />}
          {files.at === "ok" && files.items.length === 0 && extra.length === 0 && <div className="tree-empty">No SQLite databases found.</div>}
          <ul role="group">
            {listed.map((f) => (
              <DbNode key={f.uri} uri={f.uri} label={f.path.split("/").pop() ?? f.path} file={f} />
            ))}
            {extra.map((o) => (
              <DbNode key={o.location} uri={o.location} label={o.label} />
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}

export function DbNode({ uri, label, file }: { uri: string; label: string; file?: DbFile }) {
  const db = useStore(appStore, (s) => s.open.find((o) => o.location === uri));
  const opening = useStore(appStore, (s) => s.opening.includes(uri));
  const dir = file && file.path.includes("/") ? `${file.path.slice(0, file.path.lastIndexOf("/"))}/` : null;
  const details = file ? [dir, file.size !== null ? formatBytes(file.size) : null, file.wal ? "WAL" : null, file.journal ? "journal" : null].filter(Boolean).join(" · ") : "";
  return (
    <li>
      <div className="tree-row">
        <button
          className={`tree-item db-item${db ? " open" : ""}`}
          data-testid="db-item"
          data-uri={uri}
          aria-busy={opening || undefined}
          onClick={() => void openLocation(uri, label)}
          title={db ? `Show ${label} (Refresh pulls a fresh copy)` : `Open ${uri}`}
        >
          <span className="icon-db" aria-hidden>
            ⛁
          </span>
          <span className="label">
            {label}
            {(details || (db && shownFramework(db, false))) && (
              <span className="sub">
                {db && shownFramework(db, false) && (
                  <>
                    <FrameworkTag db={db} inline />
                    {details ? " · " : ""}
                  </>
                )}
                {details}
              </span>
            )}
          </span>
          {opening && <span className="spinner" aria-label="Opening" />}
          {db?.is_snapshot && <span className="tag">snapshot</span>}
        </button>
        {db && <CloseDb db={db} />}
      </div>
      {db && <TableList db={db} />}
    </li>
  );
}
