// Unsaved edits of this database from an earlier session (the app closed
// or crashed before they were saved): put them back, or drop them.
import { dropOffer, offersStore, restoreOffer } from "../editing/persist";
import { listWords, plural } from "../lib/format";
import { useStore } from "../state/store";

export function RestoreNotice({ handle }: { handle: number }) {
  const offer = useStore(offersStore, (s) => s[handle]);
  if (!offer) return null;
  const when = new Date(offer.savedAt).toLocaleString();
  return (
    <div className="notice warn" data-testid="restore-notice" role="status">
      <span>
        <strong>{plural(offer.count, "unsaved edit")}</strong> in {listWords(Object.keys(offer.tables))} from an earlier session ({when}) {offer.count === 1 ? "was" : "were"} kept.
        Restore {offer.count === 1 ? "it" : "them"} to review and save, or discard.
      </span>
      <span className="notice-actions">
        <button data-testid="restore-discard" onClick={() => dropOffer(handle)}>
          Discard
        </button>
        <button className="primary" data-testid="restore-accept" onClick={() => restoreOffer(handle)}>
          Restore
        </button>
      </span>
    </div>
  );
}
