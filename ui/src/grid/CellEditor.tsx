// The in-cell editor: a text field plus the type the value is stored as
// (Enter commits, Esc cancels, Tab commits and moves on).
import { useEffect, useRef, useState } from "react";
import type { Value } from "../bindings/Value";
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

export function CellEditor({ value, declType, seed, onCommit, onCancel }: CellEditorProps) {
  const [type, setType] = useState<EditorType>(() => editorTypeFor(declType, value));
  const [text, setText] = useState(() => seed ?? initialText(value, type));
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const multiline = type === "text" && (text.includes("\n") || text.length > 80);

  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    if (seed === undefined) el.select();
    else el.setSelectionRange(el.value.length, el.value.length);
  }, [multiline, seed]);

  const commit = (move: "down" | "right" | "none") => {
    try {
      onCommit(parseAs(type, text), move);
    } catch (e) {
      setError(e instanceof ParseError ? e.message : String(e));
    }
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
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

  const common = {
    ref: input,
    "data-testid": "cell-editor",
    "aria-label": "Cell value",
    className: `cell-editor-input${error ? " invalid" : ""}`,
    value: type === "null" ? "" : text,
    placeholder: type === "null" ? "NULL" : "",
    readOnly: type === "null",
    spellCheck: false,
    onKeyDown,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      setText(e.target.value);
      setError(null);
    },
  };

  return (
    <div className="cell-editor" onMouseDown={(e) => e.stopPropagation()} onDoubleClick={(e) => e.stopPropagation()}>
      {multiline ? <textarea rows={5} {...common} /> : <input {...common} />}
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
      {error && <div className="cell-editor-error" role="alert">{error}</div>}
    </div>
  );
}
