// Errors as the user sees them: the backend's UiError plus what to do about it.
import type { UiError } from "./bindings/UiError";

/** A rejected command, with the stable `kind` the UI branches on. */
export class CommandError extends Error {
  readonly kind: string;
  /** The database location the error is about, when the backend says. */
  readonly location?: string;
  constructor(kind: string, message: string, location?: string) {
    super(message);
    this.kind = kind;
    this.location = location;
    this.name = "CommandError";
  }
}

function isUiError(e: unknown): e is UiError {
  return typeof e === "object" && e !== null && typeof (e as UiError).kind === "string" && typeof (e as UiError).message === "string";
}

/** Normalises whatever a command rejected with (UiError, string, Error). */
export function toCommandError(e: unknown): CommandError {
  if (e instanceof CommandError) return e;
  if (isUiError(e)) return new CommandError(e.kind, e.message, e.location);
  if (e instanceof Error) return new CommandError("error", e.message);
  return new CommandError("error", String(e));
}

/** What the user can do about an error kind (shown under the message). */
export const HINTS: Record<string, string> = {
  hot_journal: "An app stopped in the middle of writing this database. Rolling its unfinished transaction back is what the app itself does the next time it opens it; until then Sonde only reads what was committed.",
  adb_missing: "adb was not found: install Android platform-tools (Debian/Ubuntu: apt install adb; macOS: brew install android-platform-tools) or set ADB / ANDROID_HOME, then reconnect.",
  tool_missing: "A device tool is missing: install libimobiledevice for iOS devices (apt install libimobiledevice-utils / brew install libimobiledevice). See Diagnostics for details.",
  unauthorized: "Unlock the phone and accept the USB debugging prompt on the phone, then try again.",
  offline: "The device is offline: reconnect the cable or restart adb (adb kill-server).",
  device_not_found: "The device is gone: reconnect it and pick it again in the sidebar.",
  not_debuggable: "This app is not debuggable: use a debug build of the app (android:debuggable) to read its databases.",
  unknown_package: "The app is not installed on this device (anymore).",
  conflict: "The database changed on the device since you pulled it: re-open it and redo your edits.",
  timeout: "The device did not answer in time: check the connection and try again.",
  cancelled: "The operation was cancelled.",
  encrypted: "The database is encrypted or corrupt: Sonde cannot read it (SQLCipher and similar are not supported).",
  not_a_database: "This file is not a SQLite database.",
  read_only: "This table cannot be edited (a view, a virtual table, a generated column or a table without a row key).",
  locked: "The database is locked by another process: close the app using it or try again.",
  constraint: "A constraint refused the change (NOT NULL, UNIQUE, CHECK or a foreign key): fix the values and save again.",
  sql: "SQLite refused the statement.",
  not_found: "It no longer exists: refresh and try again.",
  unpushed_edits: "There are saved edits that were not pushed to the device: push them or discard them first.",
  invalid: "The request was not valid.",
};

export function hintFor(kind: string): string | undefined {
  return HINTS[kind];
}
