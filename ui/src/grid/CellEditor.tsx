// The in-cell editor: a text field plus the type the value is stored as
// (Enter commits, Shift+Enter adds a line, Esc cancels, Tab commits and
// moves on). NULL and the empty string look different here too: a NULL
// cell opens as NULL (typing replaces it), empty text says so.
import { useEffect, useRef, useState } from "react";
import type { Value } from "../bindings/Value";
import { formatCount } from "../lib/format";
import { modKey } from "../lib/platform";
import { editorTypeFor, parseAs, ParseError, type EditorType } from "../parse";
import { base64ToBytes, bytesToHex, valueToText } from "../values";

const TYPES: [EditorType, string][] = [
  ["text", "Text"],
  ["integer", "Integer"],
  ["real", "Real"],
  ["null", "NULL"],
  ["blob_hex", "BLOB (hex)"],
  ["blob_base64", "BLOB (base64)"],
];

function initialText(v: Value | undefined, type: EditorType): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "object" && "$blob" in v) return type === "blob_base64" ? v.$blob : bytesToHex(base64ToBytes(v.$blob));
  return valueToText(v);
}

export interface CellEditorProps {
  value: Value | undefined;
  declType: string;
  /** Replaces the text (editing started by typing a character). */
  seed?: string;
  onCommit(value: Value, move: "down" | "right" | "none"): void;
  onCancel(): void;
}

/** What the field holds, in words, under it. */
function stateText(type: EditorType, text: string): string {
  if (type === "null") return "NULL (no value): type to replace it";
  if (type === "text" && text === "") return "empty text (not NULL)";
  if (type === "text") return `${formatCount(text.length)} character${text.length === 1 ? "" : "s"} · Shift+Enter: new line`;
  return "";
}

export function CellEditor({ value, declType, seed, onCommit, onCancel }: CellEditorProps) {
  // A NULL cell opens as NULL unless editing started by typing.
  const [type, setType] = useState<EditorType>(() => (value === null && seed === undefined ? "null" : editorTypeFor(declType, value ?? undefined)));
  const [text, setText] = useState(() => seed ?? initialText(value, type));
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const lines = Math.min(8, text.split("\n").length + (text.length > 60 ? Math.floor(text.length / 60) : 0));

  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    if (seed === undefined) el.select();
    else el.setSelectionRange(el.value.length, el.value.length);
  }, [seed]);

  const commit = (move: "down" | "right" | "none") => {
    try {
      onCommit(parseAs(type, text), move);
    } catch (e) {
      setError(e instanceof ParseError ? e.message : String(e));
    }
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    // Ctrl+S keeps the value and lets the window's shortcut save it.
    if (modKey(e) && e.key.toLowerCase() === "s") return commit("none");
    e.stopPropagation();
    if (e.key === "Escape") {
      e.preventDefault();
      onCancel();
    } else if (e.key === "Enter" && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      commit(e.ctrlKey || e.metaKey ? "none" : "down");
    } else if (e.key === "Tab") {
      e.preventDefault();
      commit("right");
    }
  };

  const state = stateText(type, text);
  return (
    <div className="cell-editor" onMouseDown={(e) => e.stopPropagation()} onDoubleClick={(e) => e.stopPropagation()}>
      <div className="cell-editor-row">
        <textarea
          ref={input}
          rows={Math.max(1, lines)}
          data-testid="cell-editor"
          data-null={type === "null"}
          aria-label="Cell value"
          className={`cell-editor-input${error ? " invalid" : ""}${type === "null" ? " is-null" : ""}`}
          value={type === "null" ? "" : text}
          placeholder={type === "null" ? "NULL" : type === "text" ? "empty text" : ""}
          spellCheck={false}
          onKeyDown={onKeyDown}
          onChange={(e) => {
            // Typing into NULL stores what is typed, as the column's type.
            if (type === "null") setType(editorTypeFor(declType, undefined));
            setText(e.target.value);
            setError(null);
          }}
        />
        <select
          className="cell-editor-type"
          aria-label="Store as"
          value={type}
          onKeyDown={onKeyDown}
          onChange={(e) => {
            setType(e.target.value as EditorType);
            setError(null);
            input.current?.focus();
          }}
        >
          {TYPES.map(([t, label]) => (
            <option key={t} value={t}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {error ? (
        <div className="cell-editor-error" role="alert">
          {error}
        </div>
      ) : (
        state && (
          <div className="cell-editor-state" data-testid="cell-editor-state">
            {state}
          </div>
        )
      )}
    </div>
  );
}
