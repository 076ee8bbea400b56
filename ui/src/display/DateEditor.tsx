// The editor of a cell shown as a date: the date and time in local time
// (or UTC, one click away), the same instant in the other zone under it.
// Saving writes the stored representation exactly: the backend's
// `encode_date` turns the ISO-8601 UTC text into the stored number of the
// column's kind, in the storage class of the value it replaces (an INTEGER
// date stays INTEGER), and that value goes through the normal edit path.
// "Edit raw number" switches to the plain cell editor.
import { useEffect, useRef, useState } from "react";
import { affinityOf } from "../affinity";
import { api } from "../api";
import type { Value } from "../bindings/Value";
import { toCommandError } from "../errors";
import { modKey } from "../lib/platform";
import { dateOf, formatLocal, formatUtc, formatUtcPlain, nowNanos, parseDateText, unitWords, zoneOf, type DateKind } from "./dates";

export interface DateEditorProps {
  value: Value | undefined;
  kind: string;
  declType: string;
  onCommit(value: Value, move: "down" | "right" | "none"): void;
  onRaw(): void;
  onCancel(): void;
}

/** The storage class of the value being replaced (a NULL or new cell: the kind's usual one). */
export function storedClass(kind: string, v: Value | undefined, declType: string): "integer" | "real" {
  if (typeof v === "number") return Number.isInteger(v) && affinityOf(declType) !== "real" ? "integer" : "real";
  if (v !== null && v !== undefined && typeof v === "object" && "$int" in v) return "integer";
  if (typeof v === "string" && /^[-+]?\d+$/.test(v.trim())) return "integer";
  if (typeof v === "string" && v.trim() !== "") return "real";
  return kind === "coredata-date" || affinityOf(declType) === "real" ? "real" : "integer";
}

export function DateEditor({ value, kind, declType, onCommit, onRaw, onCancel }: DateEditorProps) {
  const current = value === undefined || value === null ? null : dateOf(kind as DateKind, value, affinityOf(declType) === "real");
  const [utc, setUtc] = useState(false);
  const initial = (nanos: bigint | null, inUtc: boolean) => (nanos === null ? "" : inUtc ? formatUtcPlain(nanos) : formatLocal(nanos));
  const [text, setText] = useState(() => initial(current?.nanos ?? null, false));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    input.current?.focus();
    input.current?.select();
    return () => {
      mounted.current = false;
    };
  }, []);

  const parsed = text.trim() ? parseDateText(text, utc) : null;
  const nanos = parsed && "nanos" in parsed ? parsed.nanos : null;

  const commit = async (move: "down" | "right" | "none") => {
    if (busy) return;
    if (!text.trim()) return setError("Type a date, or use Edit raw number to store NULL or a number");
    if (nanos === null) return setError(parsed && "error" in parsed ? parsed.error : "Not a date");
    // The same instant as stored: nothing to write.
    if (current && nanos === current.nanos) return onCancel();
    setBusy(true);
    try {
      const stored = await api.encodeDate(kind, formatUtc(nanos), storedClass(kind, value, declType));
      // Closed meanwhile (a click elsewhere): nothing is edited.
      if (mounted.current) onCommit(stored, move);
    } catch (e) {
      if (!mounted.current) return;
      setBusy(false);
      setError(toCommandError(e).message);
    }
  };

  const switchZone = (toUtc: boolean) => {
    if (toUtc === utc) return;
    // The text follows: the same instant in the other zone.
    if (nanos !== null) setText(initial(nanos, toUtc));
    setUtc(toUtc);
    setError(null);
    input.current?.focus();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (modKey(e) && e.key.toLowerCase() === "s") return void commit("none");
    e.stopPropagation();
    if (e.key === "Escape") {
      e.preventDefault();
      onCancel();
    } else if (e.key === "Enter") {
      e.preventDefault();
      void commit(e.ctrlKey || e.metaKey ? "none" : "down");
    } else if (e.key === "Tab") {
      e.preventDefault();
      void commit("right");
    }
  };

  const other = nanos === null ? null : utc ? `${formatLocal(nanos)} local (${zoneOf(nanos)})` : `${formatUtc(nanos)} UTC`;
  return (
    <div className="cell-editor date-editor" onMouseDown={(e) => e.stopPropagation()} onDoubleClick={(e) => e.stopPropagation()}>
      <div className="cell-editor-row">
        <input
          ref={input}
          data-testid="date-editor"
          aria-label={`Date and time (${utc ? "UTC" : "local time"})`}
          className={`cell-editor-input${error ? " invalid" : ""}`}
          value={text}
          placeholder="YYYY-MM-DD HH:MM:SS.fff"
          spellCheck={false}
          disabled={busy}
          onKeyDown={onKeyDown}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
        />
        <select className="cell-editor-type" data-testid="date-editor-zone" aria-label="Time zone of the text" value={utc ? "utc" : "local"} onKeyDown={onKeyDown} onChange={(e) => switchZone(e.target.value === "utc")}>
          <option value="local">Local</option>
          <option value="utc">UTC</option>
        </select>
      </div>
      {error ? (
        <div className="cell-editor-error" role="alert" data-testid="date-editor-error">
          {error}
        </div>
      ) : (
        <div className="cell-editor-state" data-testid="date-editor-preview">
          {busy ? "Encoding…" : other ? `= ${other}` : parsed && "error" in parsed ? parsed.error : `Stored as ${unitWords(kind as DateKind)}`}
        </div>
      )}
      <div className="cell-editor-state date-editor-actions">
        <button type="button" className="link" data-testid="date-editor-now" onClick={() => setText(initial(nowNanos(), utc))}>
          Now
        </button>
        <button type="button" className="link" data-testid="date-editor-raw" onClick={onRaw} title="Edit the stored number (or NULL) with the plain editor">
          Edit raw number
        </button>
        <span className="muted">{current ? `stored ${current.raw}` : value === null ? "stored NULL" : ""}</span>
      </div>
    </div>
  );
}
