// An encrypted database's key, beside its name: the "encrypted" tag, Forget
// key while the OS keychain remembers it; and a notice of what became of
// the key (forgotten, or not remembered because the keychain refused).
import { useState } from "react";
import type { OpenedDb } from "../bindings/OpenedDb";
import { appStore, dismissKeyNotice, forgetKey } from "../state/app";
import { useStore } from "../state/store";
import { ToolButton } from "./Icons";

export function EncryptedTag({ db }: { db: OpenedDb }) {
  return (
    <span
      className="tag encrypted"
      data-testid="encrypted-tag"
      title={db.key_remembered ? "Encrypted (SQLCipher); its key is remembered in the system keychain" : "Encrypted (SQLCipher); Sonde keeps its key in memory until it quits"}
    >
      encrypted
    </span>
  );
}

/** While the keychain remembers its key. */
export function ForgetKey({ db }: { db: OpenedDb }) {
  const [busy, setBusy] = useState(false);
  const forget = () => {
    setBusy(true);
    void forgetKey(db.handle).finally(() => setBusy(false));
  };
  return (
    <ToolButton
      icon="key"
      label="Forget key"
      className="small forget-key"
      testId="forget-key"
      disabled={busy}
      aria-busy={busy || undefined}
      title="Forget key: remove its key from the system keychain, so the next time Sonde starts it asks for the key again. The database stays open."
      onClick={forget}
    />
  );
}

export function KeyNotice({ db }: { db: OpenedDb }) {
  const notice = useStore(appStore, (s) => s.keyNotice[db.handle]);
  if (!notice) return null;
  const dismiss = (
    <button className="icon" aria-label="Dismiss" onClick={() => dismissKeyNotice(db.handle)}>
      ×
    </button>
  );
  if (notice.kind === "not_remembered") {
    return (
      <div className="notice warn" data-testid="keychain-notice" role="status">
        <span>
          <strong>{db.label} is open, but its key could not be remembered.</strong> Sonde keeps it in memory until it quits, then asks for it again.
          <span className="error-message" data-testid="keychain-reason">
            {notice.reason}
          </span>
        </span>
        {dismiss}
      </div>
    );
  }
  return (
    <div className="notice ok" data-testid="key-forgotten" role="status">
      <span>
        <strong>{notice.removed ? "Key forgotten." : "No key to forget."}</strong>{" "}
        {notice.removed ? `The system keychain no longer holds the key of ${db.label}.` : `The system keychain held no key for ${db.label} any more.`} It stays open; the next time
        Sonde starts, it asks for the key again.
      </span>
      {dismiss}
    </div>
  );
}
