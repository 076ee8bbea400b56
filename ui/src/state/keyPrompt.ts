// The key an encrypted (SQLCipher) database needs, asked in a modal prompt
// (KeyPrompt renders it; state/app.ts opens with what it is given). The
// key only passes through the UI: it is never stored, logged or put in the
// DOM (the backend keeps it in the OS keychain when the user ticks Remember).
import type { Cipher } from "../api";
import { createStore } from "./store";

export interface KeyRequest {
  /** Tells one request from the next (a newer one replaces an open one). */
  id: number;
  location: string;
  /** The database's name in the prompt's title. */
  label: string;
  /** Why the last try did not open it (a wrong or malformed key), shown in the prompt. */
  error: { kind: string; message: string } | null;
  /**
   * The Remember box starts ticked: the key the keychain remembered no
   * longer opens it (the user chose to remember one before).
   */
  remember: boolean;
  /** Bumped after each failed try: the prompt selects the key again. */
  tries: number;
  /** Opening with the given key (deriving it takes a moment). */
  busy: boolean;
  submit(cipher: Cipher): void;
  cancel(): void;
}

export const keyPromptStore = createStore<KeyRequest | null>(null);

/** The settings textarea: one NAME=VALUE per line, blank lines ignored. */
export const parseSettings = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
