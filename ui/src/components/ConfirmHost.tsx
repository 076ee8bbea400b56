// The dialog for the question asked with `ask()` (state/confirm.ts).
import { confirmStore } from "../state/confirm";
import { useStore } from "../state/store";
import { Dialog } from "./Dialog";

export function ConfirmHost() {
  const q = useStore(confirmStore, (s) => s);
  if (!q) return null;
  return (
    <Dialog title={q.title} testId="confirm-dialog" onClose={() => q.answer(false)}>
      {q.body.map((p, i) => (
        <p key={i}>{p}</p>
      ))}
      <div className="dialog-actions">
        <button data-testid="confirm-cancel" onClick={() => q.answer(false)} autoFocus>
          {q.cancelLabel ?? "Cancel"}
        </button>
        <button className={q.danger ? "danger" : "primary"} data-testid="confirm-ok" onClick={() => q.answer(true)}>
          {q.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
