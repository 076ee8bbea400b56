// The key prompt of an encrypted (SQLCipher) database: a passphrase or a
// raw key, and SQLCipher settings for databases made with other ones. The
// key input is uncontrolled (React would mirror a controlled value into
// the `value` attribute): the key is read once, on submit, and never kept.
// Remember (opt-in) asks the backend to keep it in the OS keychain.
import { useEffect, useRef, useState } from "react";
import { hintFor } from "../errors";
import { keyPromptStore, parseSettings, type KeyRequest } from "../state/keyPrompt";
import { useStore } from "../state/store";
import { Dialog } from "./Dialog";

export function KeyPromptHost() {
  const req = useStore(keyPromptStore, (s) => s);
  if (!req) return null;
  return <KeyPrompt key={req.id} req={req} />;
}

function KeyPrompt({ req }: { req: KeyRequest }) {
  const input = useRef<HTMLInputElement>(null);
  const [show, setShow] = useState(false);
  const [empty, setEmpty] = useState(true);
  const [settings, setSettings] = useState("");
  const [remember, setRemember] = useState(req.remember);

  // On open, and after a key that did not open it: the key, selected, to retype.
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, [req.tries]);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const key = input.current?.value ?? "";
    if (req.busy || key === "") return;
    req.submit({ key, settings: parseSettings(settings), remember });
  };

  const hint = req.error ? hintFor(req.error.kind) : undefined;
  return (
    <Dialog title={`Unlock ${req.label}`} testId="key-prompt" onClose={req.cancel}>
      <form onSubmit={submit}>
        <p>
          <strong>{req.label}</strong> is encrypted (SQLCipher): give its key to open it. Sonde keeps the key in memory until it quits; it saves it only in the system keychain, and only if you tick the box below.
        </p>
        <label className="field">
          <span>Key</span>
          <span className="key-row">
            <input
              ref={input}
              type={show ? "text" : "password"}
              data-testid="key-input"
              autoComplete="off"
              autoCapitalize="off"
              autoCorrect="off"
              spellCheck={false}
              readOnly={req.busy}
              aria-invalid={req.error ? true : undefined}
              aria-describedby="key-hint"
              onInput={(e) => setEmpty(e.currentTarget.value === "")}
            />
            <button type="button" className="small" data-testid="key-show" aria-pressed={show} onClick={() => setShow((v) => !v)}>
              {show ? "Hide" : "Show"}
            </button>
          </span>
          <span id="key-hint" className="muted small-text">
            a passphrase, or x'…' for a raw key
          </span>
        </label>
        {req.error && (
          <div className="key-error" data-testid="key-error" data-kind={req.error.kind} role="alert">
            <p className="error-text">{req.error.message}</p>
            {hint && <p className="muted">{hint}</p>}
          </div>
        )}
        <label className="check key-remember">
          <input type="checkbox" data-testid="key-remember" checked={remember} disabled={req.busy} onChange={(e) => setRemember(e.target.checked)} />
          <span>
            Remember in the system keychain
            <span className="muted small-text"> — it then opens without asking; Forget key, beside its name, removes it</span>
          </span>
        </label>
        <details className="key-advanced" data-testid="key-advanced">
          <summary>Advanced settings</summary>
          <label className="field">
            <span className="muted">SQLCipher settings, one NAME=VALUE per line. Leave empty: the defaults of SQLCipher 4, 3, 2 and 1 are tried.</span>
            <textarea
              data-testid="key-settings"
              rows={3}
              spellCheck={false}
              placeholder={"kdf_iter=64000\ncipher_page_size=4096"}
              value={settings}
              onChange={(e) => setSettings(e.target.value)}
            />
          </label>
        </details>
        <div className="dialog-actions">
          <button type="button" data-testid="key-cancel" onClick={req.cancel}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="key-open" disabled={req.busy || empty} aria-busy={req.busy || undefined}>
            {req.busy && <span className="spinner" aria-hidden />}
            {req.busy ? "Opening…" : "Open"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
