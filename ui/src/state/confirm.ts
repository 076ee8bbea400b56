// One question at a time, asked in a modal dialog (ConfirmHost renders
// it): "Close with unsaved edits?", "Discard and pull fresh?".
import { createStore } from "./store";

export interface Question {
  title: string;
  /** What happens, in sentences (one paragraph each). */
  body: string[];
  confirmLabel: string;
  cancelLabel?: string;
  /** The confirm button destroys something (drawn as a warning). */
  danger?: boolean;
}

interface Pending extends Question {
  answer(yes: boolean): void;
}

export const confirmStore = createStore<Pending | null>(null);

export function ask(q: Question): Promise<boolean> {
  // A newer question replaces one still open (that one counts as "no").
  confirmStore.get()?.answer(false);
  return new Promise((resolve) => {
    confirmStore.set({
      ...q,
      answer: (yes) => {
        confirmStore.set(null);
        resolve(yes);
      },
    });
  });
}
