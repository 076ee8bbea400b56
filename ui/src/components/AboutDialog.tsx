// About Sonde: icon, name, version (app_info), what it is, and the
// licences of the components it ships, grouped by licence. The list is
// ui/public/licenses.json (scripts/licenses.mjs writes it), imported as a
// chunk of its own: the CSP lets the page fetch nothing but IPC.
import { useEffect, useState } from "react";
import { plural } from "../lib/format";
import { appStore } from "../state/app";
import { useStore } from "../state/store";
import { Dialog } from "./Dialog";
import { AppIcon } from "./Icons";

interface Component {
  name: string;
  version: string;
  license: string;
}
interface Licenses {
  npm: Component[];
  crates: Component[];
}
type Listed = Component & { from: "npm" | "crate" };

/** Licence → its components, the most common licence first. */
function groupByLicense(l: Licenses): [string, Listed[]][] {
  const groups = new Map<string, Listed[]>();
  const all: Listed[] = [...l.npm.map((c) => ({ ...c, from: "npm" as const })), ...l.crates.map((c) => ({ ...c, from: "crate" as const }))];
  for (const c of all) groups.set(c.license, [...(groups.get(c.license) ?? []), c]);
  return [...groups].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
}

function LicenseGroups({ licenses }: { licenses: Licenses }) {
  const groups = groupByLicense(licenses);
  if (!groups.length) return <p className="muted">No component list in this build.</p>;
  return (
    <div className="license-groups" data-testid="license-groups">
      {groups.map(([license, components]) => (
        <details key={license} className="license-group" data-testid="license-group" data-license={license}>
          <summary>
            <span className="mono">{license}</span> <span className="muted">· {components.length}</span>
          </summary>
          <ul>
            {components.map((c) => (
              <li key={`${c.from}:${c.name}@${c.version}`} data-testid="license-item" data-name={c.name} data-from={c.from}>
                <span className="mono">{c.name}</span> {c.version} <span className="tag">{c.from}</span>
              </li>
            ))}
          </ul>
        </details>
      ))}
    </div>
  );
}

export function AboutDialog({ onClose }: { onClose(): void }) {
  const version = useStore(appStore, (s) => s.info?.version ?? null);
  const [licenses, setLicenses] = useState<Licenses | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    import("../../public/licenses.json").then(
      (m) => live && setLicenses(m.default as Licenses),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, []);
  const count = licenses ? licenses.npm.length + licenses.crates.length : 0;
  return (
    <Dialog title="About Sonde" testId="about-dialog" onClose={onClose}>
      <div className="about">
        <div className="about-head">
          <AppIcon size={48} />
          <div>
            <h3 className="about-name">Sonde</h3>
            <div className="muted" data-testid="about-version">
              Version {version ?? "…"}
            </div>
          </div>
        </div>
        <p>Browse and edit the SQLite databases of apps on Android devices, iPhones and simulators, and push your changes back.</p>
        <h3>Components and their licences</h3>
        {error && <p className="error-text">The component list could not be read: {error}</p>}
        {!licenses && !error && <p className="muted">Loading…</p>}
        {licenses && (
          <>
            <p className="muted" data-testid="license-count">
              {plural(count, "bundled component")} ({plural(licenses.npm.length, "npm package")}, {plural(licenses.crates.length, "Rust crate")}), by licence:
            </p>
            <LicenseGroups licenses={licenses} />
          </>
        )}
        <div className="dialog-actions">
          <button className="primary" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </Dialog>
  );
}
