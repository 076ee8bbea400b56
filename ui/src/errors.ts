// Errors as the user sees them: the backend's UiError plus what to do about it.
import type { ErrorKind } from "./bindings/ErrorKind";
import type { UiError } from "./bindings/UiError";

/** A rejected command, with the stable `kind` the UI branches on. */
export class CommandError extends Error {
  readonly kind: ErrorKind;
  /** The database location the error is about, when the backend says. */
  readonly location?: string;
  /** Which edit of a batch failed (the batch was rolled back), when the backend says. */
  readonly edit?: number;
  constructor(kind: ErrorKind, message: string, location?: string, edit?: number) {
    super(message);
    this.kind = kind;
    this.location = location;
    this.edit = edit;
    this.name = "CommandError";
  }
}

function isUiError(e: unknown): e is UiError {
  return typeof e === "object" && e !== null && typeof (e as UiError).kind === "string" && typeof (e as UiError).message === "string";
}

/** Normalises whatever a command rejected with (UiError, string, Error). */
export function toCommandError(e: unknown): CommandError {
  if (e instanceof CommandError) return e;
  if (isUiError(e)) return new CommandError(e.kind, e.message, e.location, e.edit);
  if (e instanceof Error) return new CommandError("internal", e.message);
  return new CommandError("internal", String(e));
}

/**
 * What the user can do about an error kind (shown under the message). The
 * backend words the message for the app; these add the way out, in terms
 * of what can be done in the app (no command lines).
 */
export const HINTS: Partial<Record<ErrorKind, string>> = {
  hot_journal: "An app stopped in the middle of writing this database. Rolling its unfinished transaction back is what the app itself does the next time it opens it; until then Sonde only reads what was committed.",
  adb_missing: "Android's platform tools (adb) were not found: install Android Studio or the platform tools package of your system, then reconnect the phone.",
  tool_missing: "A device tool is missing: install libimobiledevice for iOS devices. Diagnostics lists what was found.",
  unauthorized: "Unlock the phone and accept the USB debugging prompt on the phone (on an iPhone: tap Trust on \"Trust This Computer?\"), then try again.",
  device_locked: "The iPhone is locked: unlock it with its passcode and keep it unlocked while Sonde reads its files, then try again.",
  offline: "The device is offline: unplug and reconnect the cable, then unlock the phone.",
  device_not_found: "The device is gone: reconnect it and pick it again in the sidebar.",
  not_debuggable: "This app is not debuggable: use a debug build of the app to read its databases.",
  not_development_build: "Only development builds (run from Xcode) expose their data over USB: install a development build.",
  unknown_package: "The app is not installed on this device (any more).",
  conflict: "The app on the device wrote to the same rows as your saved changes since you pulled them. Sonde did not overwrite anything: settle each conflict (keep yours or take the app's), then push. Writes from the SQL console cannot be combined with the app's: for those, discard your changes and pull a fresh copy.",
  timeout: "The device did not answer in time: check the connection and try again.",
  encrypted: "The database is encrypted (SQLCipher) or damaged: open it again and Sonde asks for its key (a passphrase, or x'…' for a raw key).",
  wrong_key: "The key does not open this encrypted database: check the key and its SQLCipher settings.",
  corrupt: "The database file is damaged: SQLite cannot read it.",
  not_a_database: "This file is not a SQLite database.",
  read_only: "This table cannot be edited (a view, a virtual table, a generated column or a table without a row key).",
  locked: "The database is locked by another process: close the app using it or try again.",
  busy: "The database is busy: try again in a moment.",
  constraint: "A constraint refused the change (NOT NULL, UNIQUE, CHECK or a foreign key): fix the marked value and save again.",
  sql: "SQLite refused the statement.",
  not_found: "Check the name or the path.",
  unpushed_edits: "There are saved changes that were not pushed to the device: push them, or discard them and pull a fresh copy.",
  too_slow: "The transfer is too slow: check the cable or the connection and try again.",
  transfer: "Copying from or to the device failed: check the connection and try again.",
  keychain: "The system keychain could not be used: unlock it (or start your desktop's keyring) and try again. Open databases stay open; Sonde keeps their keys in memory until it quits.",
  schema_change:
    "This is a Room database: Room compares the schema with the identity hash in room_master_table and refuses to open a database whose schema changed without a migration. Only go on when the app expects this change.",
  emulator:
    "Check hardware acceleration (Linux: KVM enabled in the BIOS and your user in the kvm group; Windows: Windows Hypervisor Platform turned on) and free disk space; Android Studio's Device Manager can cold-boot or wipe the virtual device.",
  io: "Reading or writing a file failed: check the disk and the permissions.",
};

export function hintFor(kind: string): string | undefined {
  return HINTS[kind as ErrorKind];
}
