// CodeMirror 6 with SQL highlighting (no eval: fine under the app's CSP).
// Ctrl+Enter / Cmd+Enter runs the statement at the cursor (or the
// selection); Ctrl+Shift+Enter runs everything.
import { useEffect, useRef } from "react";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { sql, SQLite } from "@codemirror/lang-sql";
import { bracketMatching, defaultHighlightStyle, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, placeholder, highlightActiveLine } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import type { RunScope } from "../bindings/RunScope";

// Colours that read on both themes (CSS variables from styles.css).
const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: "var(--syn-keyword)", fontWeight: "600" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--syn-string)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--syn-number)" },
  { tag: tags.comment, color: "var(--syn-comment)", fontStyle: "italic" },
  { tag: [tags.typeName, tags.standard(tags.name)], color: "var(--syn-type)" },
  { tag: [tags.operator, tags.punctuation], color: "var(--fg-muted)" },
]);

function styleNonce(): string | undefined {
  return document.querySelector<HTMLStyleElement>("style[nonce]")?.nonce || undefined;
}

export interface SqlEditorApi {
  request(what: RunWhat): RunRequest;
  getText(): string;
  setText(text: string): void;
  focus(): void;
}

/** What to send to run_sql: the text and which part of it runs. */
export interface RunRequest {
  sql: string;
  scope: RunScope;
}

/** "statement": the selection if any, else the statement at the cursor; "all": everything. */
export type RunWhat = "statement" | "all";

export function runRequest(view: EditorView, what: RunWhat): RunRequest {
  const doc = view.state.doc.toString();
  const sel = view.state.selection.main;
  if (what === "all") return { sql: doc, scope: { kind: "all" } };
  if (!sel.empty) return { sql: view.state.sliceDoc(sel.from, sel.to), scope: { kind: "all" } };
  return { sql: doc, scope: { kind: "at", offset: sel.head } };
}

interface Props {
  initial: string;
  onRun(request: RunRequest): void;
  onChange?(text: string): void;
  apiRef: React.MutableRefObject<SqlEditorApi | null>;
  tables: string[];
}

export function SqlEditor({ initial, onRun, onChange, apiRef, tables }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const run = useRef(onRun);
  run.current = onRun;
  const change = useRef(onChange);
  change.current = onChange;

  useEffect(() => {
    if (!host.current) return;
    const view = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: initial,
        extensions: [
          lineNumbers(),
          history(),
          bracketMatching(),
          highlightActiveLine(),
          sql({ dialect: SQLite, schema: Object.fromEntries(tables.map((t) => [t, []])), upperCaseKeywords: true }),
          syntaxHighlighting(highlight),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          placeholder("SELECT * FROM …   (Ctrl+Enter runs the statement, Ctrl+Shift+Enter everything)"),
          keymap.of([
            { key: "Mod-Enter", run: (v) => (run.current(runRequest(v, "statement")), true), preventDefault: true },
            { key: "Mod-Shift-Enter", run: (v) => (run.current(runRequest(v, "all")), true), preventDefault: true },
            ...defaultKeymap,
            ...historyKeymap,
            indentWithTab,
          ]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) change.current?.(u.state.doc.toString());
          }),
          EditorView.contentAttributes.of({ "data-testid": "sql-editor", "aria-label": "SQL editor" }),
          // CodeMirror injects its base styles in a <style>: when the page
          // carries a style nonce (Tauri adds one if index.html has <style>
          // tags), use it, or the CSP would refuse them.
          ...(styleNonce() ? [EditorView.cspNonce.of(styleNonce() as string)] : []),
        ],
      }),
    });
    apiRef.current = {
      request: (what) => runRequest(view, what),
      getText: () => view.state.doc.toString(),
      setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
      focus: () => view.focus(),
    };
    return () => {
      apiRef.current = null;
      view.destroy();
    };
    // The editor is created once per console; later props go through refs.
  }, []);

  return <div className="sql-editor-host" ref={host} />;
}
