// The Changes tab: the versions Sonde keeps of the database (each pull, each
// new version the watch saw), with what each changed; pick two to compare
// them, or see everything that changed since the database was opened.
import { useEffect, useState } from "react";
import { api } from "../api";
import type { DbDiff } from "../bindings/DbDiff";
import type { OpenedDb } from "../bindings/OpenedDb";
import type { VersionInfo } from "../bindings/VersionInfo";
import { toCommandError } from "../errors";
import { formatTime, plural } from "../lib/format";
import { refreshVersions, startWatch, summarize, useWatch, type TableCounts } from "../state/watch";
import { formatBytes } from "../values";
import { DiffView } from "./DiffView";

/** Rows per table a diff view lists. */
const DIFF_ROWS = 1000;

const PRODUCER: Record<VersionInfo["producer"], [string, string]> = {
  pull: ["Pulled", "Pulled from the device (opening, Refresh, after a push)"],
  watch: ["App wrote", "The watch saw the app write and pulled the new version"],
  copy: ["File changed", "A private copy taken when the file changed"],
  edit: ["Your edit", "A private copy taken after you saved in Sonde (not the app's write)"],
};

function Counts({ counts }: { counts: Record<string, TableCounts> | undefined }) {
  if (!counts) return <span className="muted">…</span>;
  const tables = Object.entries(counts);
  if (!tables.length) return <span className="muted">no change</span>;
  return (
    <span className="version-counts">
      {tables.map(([name, c]) => (
        <span key={name} className="version-count" data-table={name} title={`${name}: ${[c.inserted && `${c.inserted} added`, c.updated && `${c.updated} changed`, c.deleted && `${c.deleted} deleted`, c.schema && "schema changed"].filter(Boolean).join(", ")}`}>
          {name}
          {c.inserted > 0 && <span className="n-ins"> +{c.inserted}</span>}
          {c.updated > 0 && <span className="n-upd"> ~{c.updated}</span>}
          {c.deleted > 0 && <span className="n-del"> −{c.deleted}</span>}
          {c.schema && <span className="n-schema"> schema</span>}
        </span>
      ))}
    </span>
  );
}

type Shown = { kind: "pair"; from: number; to: number } | { kind: "session"; from: number };

export function ChangesView({ db }: { db: OpenedDb }) {
  const { handle } = db;
  const w = useWatch(handle);
  const [picked, setPicked] = useState<number[]>([]);
  const [shown, setShown] = useState<Shown | null>(null);
  const [result, setResult] = useState<{ key: string; diff?: DbDiff; error?: string } | null>(null);
  const versions = w.versions;

  useEffect(() => {
    void refreshVersions(handle);
  }, [handle]);
  useEffect(() => {
    void summarize(handle, versions);
  }, [handle, versions]);

  // "Since I opened it" follows the newest version as the app writes.
  const newest = versions.at(-1)?.number ?? null;
  const key = shown ? (shown.kind === "pair" ? `${shown.from}-${shown.to}` : `${shown.from}-${newest}`) : "";
  useEffect(() => {
    if (!shown) return;
    let live = true;
    const to = shown.kind === "pair" ? shown.to : null;
    api.diffVersions(handle, shown.from, to, [], DIFF_ROWS).then(
      (diff) => live && setResult({ key, diff }),
      (e) => live && setResult({ key, error: toCommandError(e).message }),
    );
    return () => {
      live = false;
    };
  }, [key]);

  const pick = (n: number, on: boolean) => {
    const next = on ? [...picked.filter((x) => x !== n), n].slice(-2) : picked.filter((x) => x !== n);
    setPicked(next);
    if (next.length === 2) setShown({ kind: "pair", from: Math.min(...next), to: Math.max(...next) });
  };
  const showPrevious = (i: number) => {
    const pair = [versions[i - 1].number, versions[i].number];
    setPicked(pair);
    setShown({ kind: "pair", from: pair[0], to: pair[1] });
  };
  const sinceOpened = () => {
    if (w.sessionFirst === null) return;
    setPicked([]);
    setShown({ kind: "session", from: w.sessionFirst });
  };

  const title =
    shown?.kind === "session" ? (
      <>
        What changed since you opened it <span className="muted">(version {shown.from} → {newest === null ? "newest" : `${newest}, the newest`})</span>
      </>
    ) : shown ? (
      <>
        Version {shown.from} → version {shown.to}
      </>
    ) : null;

  return (
    <div className="changes-view" data-testid="changes-view">
      <div className="toolbar changes-head">
        <strong>Versions of {db.label}</strong>
        <span className="muted">{plural(versions.length, "version")} kept · pick two to compare</span>
        <span className="spacer" />
        {w.phase === "off" && (
          <button className="small" data-testid="changes-watch" onClick={() => void startWatch(handle)} title="Record a new version each time the app writes">
            Start watching
          </button>
        )}
        <button
          className="primary small"
          data-testid="since-opened"
          disabled={w.sessionFirst === null || w.sessionFirst === newest}
          onClick={sinceOpened}
          title={w.sessionFirst === newest ? "Nothing new since you opened it" : `From version ${w.sessionFirst}, when you opened it, to the newest`}
        >
          What changed since I opened it
        </button>
      </div>
      <div className="versions-wrap">
        {versions.length === 0 ? (
          <p className="empty-state">No versions yet. Sonde records one each time it pulls the database and, while watching, each time the app writes.</p>
        ) : (
          <table className="versions" data-testid="versions">
            <thead>
              <tr>
                <th className="pick">
                  <span className="tool-label-hidden">Compare</span>
                </th>
                <th>Version</th>
                <th>Time</th>
                <th>How</th>
                <th>Changed since the version before</th>
                <th className="num">Size</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {versions
                .map((v, i) => ({ v, i }))
                .reverse()
                .map(({ v, i }) => (
                  <tr key={v.number} data-testid="version-row" data-number={v.number} className={picked.includes(v.number) ? "picked" : ""}>
                    <td className="pick">
                      <input type="checkbox" aria-label={`Compare version ${v.number}`} data-testid="version-pick" checked={picked.includes(v.number)} onChange={(e) => pick(v.number, e.target.checked)} />
                    </td>
                    <td>
                      #{v.number}
                      {v.number === w.sessionFirst && <span className="tag">opened</span>}
                      {v.pinned && (
                        <span className="tag" title="Your saved changes are based on this version: it is kept until they are pushed or discarded">
                          base
                        </span>
                      )}
                    </td>
                    <td className="time">{formatTime(v.at)}</td>
                    <td title={PRODUCER[v.producer][1]}>{PRODUCER[v.producer][0]}</td>
                    <td data-testid="version-counts">{i === 0 ? <span className="muted">the oldest kept</span> : <Counts counts={w.summaries[v.number]} />}</td>
                    <td className="num" data-testid="version-bytes">
                      {formatBytes(v.bytes)}
                      {db.is_snapshot && <span className="muted"> · {formatBytes(v.moved_bytes)} moved</span>}
                    </td>
                    <td>
                      {i > 0 && (
                        <button className="link" data-testid="version-show" onClick={() => showPrevious(i)}>
                          Show
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </div>
      <div className="diff-wrap">
        {!shown && <p className="empty-state">Pick two versions to see what changed between them, row by row.</p>}
        {shown && result?.key !== key && <p className="empty-state">Comparing…</p>}
        {shown && result?.key === key && result.error && <p className="error-text" data-testid="diff-error">{result.error}</p>}
        {shown && result?.key === key && result.diff && <DiffView handle={handle} diff={result.diff} title={title} />}
      </div>
    </div>
  );
}
