// An in-memory fake of Sonde's backend for UI tests and screenshots:
// devices, apps, databases, paging (keyset-like cursors), edits, push and
// export with Channel progress, the SQL console. Behaviour is steered by
// `window.__SONDE_SCENARIO__` and every call is recorded. It follows the
// IPC contract (commands, shapes, error kinds) of the real backend.
//
// Each device database and local file has one stored copy ("the file").
// Opening a device database pulls a snapshot of it; Save writes the
// snapshot; a push writes the snapshot back over the device's copy.
import type { Change } from "../../src/bindings/Change";
import type { Conflict } from "../../src/bindings/Conflict";
import type { DbStatus } from "../../src/bindings/DbStatus";
import type { DeviceListing } from "../../src/bindings/DeviceListing";
import type { Edit } from "../../src/bindings/Edit";
import type { ErrorKind } from "../../src/bindings/ErrorKind";
import type { OpenedDb } from "../../src/bindings/OpenedDb";
import type { Page } from "../../src/bindings/Page";
import type { PageQuery } from "../../src/bindings/PageQuery";
import type { PushOutcome } from "../../src/bindings/PushOutcome";
import type { PushProgress } from "../../src/bindings/PushProgress";
import type { Row } from "../../src/bindings/Row";
import type { RunScope } from "../../src/bindings/RunScope";
import type { SqlPage } from "../../src/bindings/SqlPage";
import type { SqlRun } from "../../src/bindings/SqlRun";
import type { StatementResult } from "../../src/bindings/StatementResult";
import type { TableSchema } from "../../src/bindings/TableSchema";
import type { Value } from "../../src/bindings/Value";
import type { VersionInfo } from "../../src/bindings/VersionInfo";
import type { WatchEvent } from "../../src/bindings/WatchEvent";
import { splitStatements, statementAt, type Span } from "./sqlsplit";
import {
  BIG_ROWS,
  bigRow,
  bigSchema,
  bigView,
  cloneTable,
  messagesTable,
  metaOf,
  notesTable,
  PNG_B64,
  secretsTable,
  selectMem,
  viewSchema,
  WIDE_ROWS,
  wideRow,
  wideSchema,
  type MemTable,
} from "./tables";
import { DecodeInvalid, decodeStored, encodeDate, frameworkDb, isEntityTable, isKind, isRoom, PLANNER_APP, PLANNER_PATH, SOCIAL_APP, SOCIAL_PATH, withOverrides } from "./frameworks";
import { changedRows, cloneContent, diffContent, keepMine, rebase, type Content, type Pending, type Version } from "./versions";
import { BootError, createVirtualDevices, type VirtualScenario } from "./virtual";

export interface Scenario extends VirtualScenario {
  /** "none": no devices at all. */
  devices?: "default" | "none";
  /** Reject a command with this UiError. */
  errors?: Record<string, { kind: ErrorKind; message: string }>;
  /** "conflict": the app on the device wrote to the database after every pull. */
  /** "sql_schema": console writes changed the schema, so a push over app writes is refused. */
  push?: "ok" | "conflict" | "sql_schema";
  export?: "ok" | "dismiss";
  /** ms per export progress step. */
  exportStepMs?: number;
  latencyMs?: number;
  /** How long an exact count takes (ms). */
  exactCountMs?: number;
  /** Extra latency for some commands (ms). */
  slow?: Record<string, number>;
  problems?: string[];
  /** The local file was left mid-transaction by a crashed app. */
  hotJournal?: boolean;
  /** What the native save / open dialogs do. */
  saveDialog?: "save" | "dismiss";
  /** "encrypted": the open dialog picks ENCRYPTED_PATH (a SQLCipher file). */
  openDialog?: "photo" | "dismiss" | "too_big" | "encrypted";
  /** "none": a first run, nothing opened yet. */
  recent?: "default" | "none";
  /** The platform the backend runs on (diagnostics wording). */
  os?: "linux" | "macos";
  /** "unavailable": no keychain (no Secret Service): remembering a key fails, the database opens all the same. */
  keychain?: "ok" | "unavailable";
  /**
   * Keys the OS keychain remembers from an earlier run (location → key; one
   * that is not the database's is stale). Only seeds it: a reload keeps what
   * the keychain holds by then.
   */
  rememberedKeys?: Record<string, string>;
}

export const SIM_SERIAL = "127.0.0.1:40101";
const DEV = "android://emulator-5554";
export const NOTES_URI = `${DEV}/com.example.notes/databases/notes.db`;
export const SECURE_URI = `${DEV}/com.example.secure/databases/vault.db`;
export const LOCAL_PATH = "/home/user/local.db";
const DATA_DIR = "/home/user/.local/share/sonde";
const SNAPSHOT_BYTES = 1_204_224;

type Json = Record<string, unknown>;
export interface Call {
  cmd: string;
  args: Json;
  at: number;
  /** When the command answered (resolved or rejected). */
  done?: number;
}

class UiErr {
  /** Which edit of a batch failed (set by apply_edits). */
  public edit?: number;
  constructor(
    public kind: ErrorKind,
    public message: string,
    public location?: string,
  ) {}
}

/** The stored copy of a database: on the device, or the local file itself. */
interface Stored extends Content {
  /** A -wal file sits beside it. */
  wal: boolean;
  /** Bumped by every write of the app (what a stat of the file sees change). */
  generation: number;
  /** The generation at which the app last recreated the file (-1: never). */
  replacedAt: number;
}

/** One action of the app on the device (or of another program on a local file). */
export type AppWrite =
  | { op: "insert"; table: string; values: Record<string, Value> }
  | { op: "update"; table: string; key: number; set: Record<string, Value> }
  | { op: "delete"; table: string; key: number }
  /** ALTER TABLE … ADD COLUMN. */
  | { op: "add_column"; table: string; column: string; type: string }
  /** The app deletes its database and creates a new one (fresh rows). */
  | { op: "recreate" };

interface Watch {
  channel: unknown;
  index: number;
  intervalMs: number | null;
  paused: boolean;
}

interface Db {
  handle: number;
  location: string;
  label: string;
  snapshot: boolean;
  /** The editable in-memory tables (notes, messages) of this copy. */
  tables: Record<string, MemTable>;
  /** Saved changes not pushed yet. */
  applied: Change[];
  /** Write statements run in the SQL console since the pull. */
  sqlWrites: number;
  wal: boolean;
  /** The device copy changed after this snapshot was pulled. */
  stale: boolean;
  /** The app's writes to the computed `events` table, as this copy holds them. */
  events: Map<number, Value[]>;
  /** Versions of the database, oldest first. */
  versions: Version[];
  nextVersion: number;
  /** The version the saved changes are based on (pinned). */
  base: number;
  watch: Watch | null;
  /** Saved changes a rebase could not re-apply. */
  conflicts: Pending[];
  /** DDL ran from the SQL console since the pull (a Room database's push asks first). */
  schemaChanged?: boolean;
}

const encoder = new TextEncoder();
const TABLES = ["events", "messages", "notes", "recent_notes", "wide"];
/** The key that opens SECURE_URI (any SQLCipher settings). */
export const SECURE_KEY = "correct horse";
/** A local encrypted file (the open dialog picks it with `openDialog: "encrypted"`). */
export const ENCRYPTED_PATH = "/home/user/vault.db";
/** The OS keychain outlives the app: it is kept in sessionStorage, so a reload (a restart of Sonde) finds it. */
const KEYCHAIN_ITEM = "sonde-mock-keychain";
const KEYCHAIN_DOWN =
  "the system keychain could not be used: org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files";
/** What open_database's `cipher` argument holds. */
interface CipherArg {
  key: string;
  settings: string[];
  remember?: boolean;
}
const encryptedAt = (location: string) => location === SECURE_URI || location.replace(/^file:\/\//, "") === ENCRYPTED_PATH;
const tableNames = (location: string) => (encryptedAt(location) ? ["secrets"] : (frameworkDb(location)?.listing.map((t) => t.name) ?? TABLES));

export function createBackend(scenario: Scenario, emit: (event: string, payload: unknown) => void) {
  const calls: Call[] = [];
  const dbs = new Map<number, Db>();
  const stored = new Map<string, Stored>();
  const cancelled = new Set<string>();
  const history: { id: number; sql: string; ran_at: number; ok: boolean; error: string | null }[] = [];
  const cursors = new Map<number, { next: number; total: number; row: (i: number) => Value[] }>();
  const exported = new Set<string>();
  /** What the app told the backend about closing the window. */
  const win = { closeGuard: false, closed: false };
  /** Keys of the encrypted databases opened with one (the backend remembers them for the run). */
  const keys = new Map<string, string>();
  /** The `cipher` argument of the last open_database that had one (test hook). */
  const cipher: { last: CipherArg | null } = { last: null };
  let nextHandle = 1;
  let nextCursor = 1;
  let nextConflict = 1;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const sendChannel = (channel: unknown, index: number, message: unknown) => {
    const id = (channel as { id: number }).id;
    const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback(id: number, data: unknown): void } }).__TAURI_INTERNALS__;
    internals.runCallback(id, { index, message });
  };
  const virtual = createVirtualDevices({ scenario, cancelled, devicesChanged: () => emit("devices-changed", listing()), sendChannel, sleep });

  const listing = (): DeviceListing => ({
    devices: [
      ...(scenario.devices === "none"
        ? []
        : ([
            { platform: "android", id: "emulator-5554", name: "Pixel 7", model: "Pixel 7", os_version: "Android 14", kind: "emulator", state: "device", raw_state: "device" },
            { platform: "android", id: SIM_SERIAL, name: "sonde_sim", model: "Sonde Simulated", os_version: "Android 14", kind: "network", state: "device", raw_state: "device" },
            { platform: "android", id: "R58M123ABC", name: "Galaxy S21", model: "SM-G991B", os_version: null, kind: "physical", state: "unauthorized", raw_state: "unauthorized" },
            { platform: "ios", id: "00008110-001A2B3C", name: "Ada's iPhone", model: "iPhone14,5", os_version: "iOS 17.4", kind: "physical", state: "device", raw_state: "device" },
          ] satisfies DeviceListing["devices"])),
      // Emulators a boot started (and the simulator, when the scenario lists it).
      ...virtual.devices(),
    ],
    problems: scenario.problems ?? [],
  });

  const hotJournal = () =>
    new UiErr(
      "hot_journal",
      `${LOCAL_PATH}: the database has an unfinished transaction left by a crash (a hot -journal file); reading does not roll it back`,
      LOCAL_PATH,
    );

  const isLocal = (location: string) => location.startsWith("file://") || location.startsWith("/");
  const canonical = (location: string) => (isLocal(location) ? `file://${location.replace(/^file:\/\//, "")}` : location);

  /** The OS keychain: location (canonical) → key. */
  const keychain = new Map<string, string>(
    Object.entries((JSON.parse(sessionStorage.getItem(KEYCHAIN_ITEM) ?? "null") as Record<string, string> | null) ?? scenario.rememberedKeys ?? {}).map(
      ([l, k]) => [canonical(l), k],
    ),
  );
  const saveKeychain = () => sessionStorage.setItem(KEYCHAIN_ITEM, JSON.stringify(Object.fromEntries(keychain)));
  saveKeychain();
  const keychainUp = () => scenario.keychain !== "unavailable";
  const isRemembered = (location: string) => keychainUp() && keychain.has(canonical(location));
  /** Test hook: what the keychain holds (a test may seed a stale key after the page loaded). */
  const keychainHook = {
    get: (location: string) => keychain.get(canonical(location)) ?? null,
    set(location: string, key: string) {
      keychain.set(canonical(location), key);
      saveKeychain();
    },
  };

  /** The stored copy at a location (created on first use). */
  const storeAt = (location: string): Stored => {
    let s = stored.get(location);
    if (!s) {
      const tables: Record<string, MemTable> = encryptedAt(location)
        ? { secrets: secretsTable() }
        : (frameworkDb(location)?.tables ?? { notes: notesTable(), messages: messagesTable() });
      s = { tables, events: new Map(), wal: location.endsWith("/notes.db") && !isLocal(location), generation: 0, replacedAt: -1 };
      stored.set(location, s);
    }
    return s;
  };

  const hash = (n: number) => Array.from({ length: 8 }, (_, i) => ((n * 2654435761 + i * 40503) >>> 0).toString(16).padStart(8, "0")).join("");

  /** Records what the stored copy holds now as a new version of `d`. */
  const takeVersion = (d: Db, producer: VersionInfo["producer"], moved: number): Version => {
    const s = storeAt(d.location);
    const number = d.nextVersion++;
    const rows = Object.values(s.tables).reduce((n, t) => n + t.rows.size, 0);
    const v: Version = {
      info: { number, at: Date.now(), producer, bytes: SNAPSHOT_BYTES + rows * 64, sha256: hash(number * 7 + s.generation), wal: s.wal, journal: false, moved_bytes: d.snapshot ? moved : 0, pinned: false },
      content: cloneContent(s),
      generation: s.generation,
    };
    d.versions.push(v);
    return v;
  };
  const infos = (d: Db): VersionInfo[] => d.versions.map((v) => ({ ...v.info, pinned: d.snapshot && v.info.number === d.base }));
  const infoOf = (d: Db, v: Version): VersionInfo => infos(d).find((i) => i.number === v.info.number) as VersionInfo;

  /** A device database is pulled (a private copy); a local file is used in place. */
  const pull = (d: Db) => {
    const s = storeAt(d.location);
    d.tables = d.snapshot ? Object.fromEntries(Object.entries(s.tables).map(([n, t]) => [n, cloneTable(t)])) : s.tables;
    d.events = d.snapshot ? new Map([...s.events].map(([k, v]) => [k, [...v]])) : s.events;
    d.wal = s.wal;
    d.applied = [];
    d.sqlWrites = 0;
    d.conflicts = [];
    d.stale = d.snapshot && scenario.push === "conflict";
    const v = takeVersion(d, d.snapshot ? "pull" : "copy", SNAPSHOT_BYTES);
    d.base = v.info.number;
  };

  const opened = (d: Db): OpenedDb => {
    const fw = frameworkDb(d.location);
    return {
      handle: d.handle,
      location: d.location,
      label: d.label,
      is_snapshot: d.snapshot,
      encrypted: encryptedAt(d.location),
      key_remembered: encryptedAt(d.location) && isRemembered(d.location),
      keychain_error: null,
      tables: fw ? fw.listing : tableNames(d.location).map((name) => ({ name, kind: name === "recent_notes" ? "view" : "table", rows: null })),
      ...(fw ? { framework: fw.framework } : {}),
      ...(fw?.user_version !== undefined ? { user_version: fw.user_version } : {}),
    };
  };

  /** How the user chose to show columns (set_display_kind), per database location, table and column. */
  const displayChoices = new Map<string, string>();
  const choiceKey = (location: string, table: string, column: string) => `${location}\u0000${table}\u0000${column}`;

  /**
   * An encrypted database opens with its key: given now (then remembered in
   * the keychain when asked, a stale remembered one removed when not), kept
   * in memory from an earlier open this run, or the one the keychain
   * remembers. Why remembering the given key failed, if it did.
   */
  const unlock = (location: string, given: unknown): string | null => {
    const loc = canonical(location);
    const c = given as CipherArg | undefined;
    if (c) {
      cipher.last = { key: c.key, settings: [...c.settings], remember: c.remember };
      if (c.key.startsWith("x'") && !/^x'([0-9a-fA-F]{64}|[0-9a-fA-F]{96})'$/.test(c.key)) {
        throw new UiErr("invalid", "cipher key: a raw key is x'<64 hex digits>' (or 96 with the salt)");
      }
    }
    if (!encryptedAt(location)) return null;
    const wrong = () => new UiErr("wrong_key", `${location}: wrong key for this encrypted database (or settings it does not use)`, location);
    if (c) {
      if (c.key !== SECURE_KEY) throw wrong();
      keys.set(loc, c.key);
      if (c.remember && !keychainUp()) return KEYCHAIN_DOWN;
      if (c.remember) keychain.set(loc, c.key);
      // Opened with a key the user gave without Remember: a remembered one was stale.
      else if (keychainUp()) keychain.delete(loc);
      saveKeychain();
      return null;
    }
    const inMemory = keys.get(loc);
    if (inMemory !== undefined) {
      if (inMemory !== SECURE_KEY) throw wrong();
      return null;
    }
    // An unusable keychain is only a missing shortcut: the prompt asks.
    const remembered = keychainUp() ? keychain.get(loc) : undefined;
    if (remembered === undefined) throw new UiErr("encrypted", `${location}: this database is encrypted: give its key`, location);
    if (remembered !== SECURE_KEY) {
      throw new UiErr("wrong_key", `${location}: the key remembered in the keychain no longer opens this encrypted database: give its key`, location);
    }
    keys.set(loc, remembered);
    return null;
  };

  const openDb = (location: string, given?: unknown): OpenedDb => {
    const keychainError = unlock(location, given);
    const loc = canonical(location);
    const path = loc.replace(/^file:\/\//, "");
    const d: Db = {
      handle: nextHandle++,
      location: loc,
      label: isLocal(loc) ? (path.split("/").pop() ?? path) : `${loc.split("/")[3]} — ${loc.split("/").pop()}`,
      snapshot: !isLocal(loc) && loc.startsWith("android://"),
      tables: {},
      applied: [],
      sqlWrites: 0,
      wal: false,
      stale: false,
      events: new Map(),
      versions: [],
      nextVersion: 1,
      base: 0,
      watch: null,
      conflicts: [],
    };
    pull(d);
    dbs.set(d.handle, d);
    return { ...opened(d), keychain_error: keychainError };
  };

  const db = (args: Json): Db => {
    const d = dbs.get(args.handle as number);
    if (!d) throw new UiErr("not_found", "This database is no longer open.");
    return d;
  };

  const status = (d: Db): DbStatus => {
    const pending = d.snapshot ? d.applied.length : 0;
    const sql = d.snapshot ? d.sqlWrites : 0;
    return { pending_changes: pending, sql_writes: sql, unpushed: pending + sql > 0, wal: d.wal };
  };

  const schemaOf = (d: Db, table: string): TableSchema => {
    if (d.tables[table]) return withOverrides(d.tables[table].schema, (c) => displayChoices.get(choiceKey(d.location, table, c)));
    if (table === "events") return bigSchema;
    if (table === "recent_notes") return viewSchema;
    if (table === "wide") return wideSchema;
    throw new UiErr("not_found", `There is no table named ${table}.`);
  };

  /** All rows of a small table, or a positional view of a computed one. */
  const view = (d: Db, q: PageQuery): { total: number; row: (pos: number) => Row } => {
    for (const f of q.filters) if (!schemaOf(d, q.table).columns.some((c) => c.name === f.column)) throw new UiErr("not_found", `There is no column named ${f.column}.`);
    if (q.table === "events") {
      const v = bigView(q.order, q.filters);
      return { total: v.total, row: (pos) => ({ key: String(v.idAt(pos)), values: d.events.get(v.idAt(pos)) ?? bigRow(v.idAt(pos)) }) };
    }
    if (q.table === "wide") {
      const desc = q.order[0]?.desc ?? false;
      const idAt = (pos: number) => (desc ? WIDE_ROWS - pos : pos + 1);
      return { total: WIDE_ROWS, row: (pos) => ({ key: String(idAt(pos)), values: wideRow(idAt(pos)) }) };
    }
    if (q.table === "recent_notes") {
      const rows = selectMem(d.tables.notes, q.order, q.filters).filter((r) => (r.values[0] as number) > 20);
      return { total: rows.length, row: (pos) => ({ key: null, values: rows[pos].values.slice(0, 2) }) };
    }
    const rows = selectMem(d.tables[q.table], q.order, q.filters);
    return { total: rows.length, row: (pos) => rows[pos] };
  };

  const page = (d: Db, q: PageQuery, offset: number): ArrayBuffer => {
    const v = view(d, q);
    const rows: Row[] = [];
    for (let p = offset; p < Math.min(v.total, offset + q.limit); p++) rows.push(v.row(p));
    const end = offset + rows.length;
    const body: Page = { columns: metaOf(schemaOf(d, q.table)), rows, next: end < v.total ? `pos:${end}` : null };
    return encoder.encode(JSON.stringify(body)).buffer as ArrayBuffer;
  };

  /** SQLite's NOT NULL check, with SQLite's message; and a CHECK of the
   * fake's notes table (its message names no column): no body "forbidden". */
  const checkNotNull = (t: MemTable, column: string, value: Value) => {
    const c = t.schema.columns.find((x) => x.name === column);
    if (c?.not_null && value === null) throw new UiErr("constraint", `NOT NULL constraint failed: ${t.schema.name}.${column}`);
    if (t.schema.name === "notes" && column === "body" && value === "forbidden") throw new UiErr("constraint", "CHECK constraint failed: body_allowed");
  };

  const applyEdit = (d: Db, e: Edit): Change => {
    if (e.table === "recent_notes") throw new UiErr("read_only", `${e.table} is a view: its rows cannot be edited.`);
    const t = d.tables[e.table];
    if (!t) {
      // The computed tables accept edits but do not store them.
      if (e.op === "update") return { table: e.table, op: "update", key_before: e.key, key_after: e.key, before: e.set.map((a) => ({ column: a.column, value: null })), after: e.set };
      throw new UiErr("read_only", `${e.table} cannot be edited in this fake.`);
    }
    const cols = t.schema.columns.map((c) => c.name);
    // Core Data's bookkeeping, as the backend keeps it: an update bumps Z_OPT
    // (unless it sets it), an insert takes Z_PK = Z_MAX + 1 of the root
    // entity, Z_ENT and Z_OPT = 1.
    const coreData = isEntityTable(t) && !!frameworkDb(d.location);
    if (e.op === "update") {
      const row = t.rows.get(Number(e.key));
      if (!row) throw new UiErr("not_found", `Row ${e.key} of ${e.table} is gone.`);
      for (const a of e.set) checkNotNull(t, a.column, a.value);
      const before = e.set.map((a) => ({ column: a.column, value: row[cols.indexOf(a.column)] }));
      for (const a of e.set) row[cols.indexOf(a.column)] = a.value;
      if (coreData && !e.set.some((a) => a.column === "Z_OPT")) {
        const at = cols.indexOf("Z_OPT");
        row[at] = (typeof row[at] === "number" ? (row[at] as number) : 0) + 1;
      }
      return { table: e.table, op: "update", key_before: e.key, key_after: e.key, before, after: e.set };
    }
    if (e.op === "insert" && coreData) {
      const registry = d.tables.Z_PRIMARYKEY;
      const rootEnt = [...t.rows.values()].map((r) => r[cols.indexOf("Z_ENT")] as number).sort((a, b) => a - b)[0] ?? 1;
      const reg = registry?.rows.get(rootEnt);
      const pk = Math.max(Number(reg?.[3] ?? 0), ...[...t.rows.keys()]) + 1;
      if (reg) reg[3] = pk;
      const values: Value[] = t.schema.columns.map((c) => (c.name === "Z_PK" ? pk : c.name === "Z_ENT" ? rootEnt : c.name === "Z_OPT" ? 1 : null));
      for (const a of e.values) values[cols.indexOf(a.column)] = a.value;
      t.rows.set(pk, values);
      t.nextId = Math.max(t.nextId, pk + 1);
      return { table: e.table, op: "insert", key_before: null, key_after: String(pk), before: [], after: cols.map((column, i) => ({ column, value: values[i] })) };
    }
    if (e.op === "insert") {
      const id = t.nextId++;
      const values: Value[] = t.schema.columns.map((c) => (c.pk ? id : c.default_sql ? JSON.parse(c.default_sql.replace(/^'(.*)'$/, '"$1"')) : null));
      for (const a of e.values) {
        checkNotNull(t, a.column, a.value);
        values[cols.indexOf(a.column)] = a.value;
      }
      for (const c of t.schema.columns) checkNotNull(t, c.name, values[cols.indexOf(c.name)]);
      t.rows.set(id, values);
      return { table: e.table, op: "insert", key_before: null, key_after: String(id), before: [], after: cols.map((column, i) => ({ column, value: values[i] })) };
    }
    const row = t.rows.get(Number(e.key));
    t.rows.delete(Number(e.key));
    return { table: e.table, op: "delete", key_before: e.key, key_after: null, before: cols.map((column, i) => ({ column, value: row ? row[i] : null })), after: [] };
  };

  const emptyPage = (): SqlPage => ({ columns: [], rows: [], done: true, rows_affected: 0, wrote: false });

  /** One statement of the console; throws UiErr when SQLite would refuse it. */
  async function runStatement(d: Db, text: string, pageSize: number, opId: string): Promise<{ page: SqlPage; query_id: number | null }> {
    if (/^with\s+recursive/i.test(text)) {
      // A query that never ends: it runs until cancel_operation(opId).
      while (!cancelled.has(opId)) await sleep(20);
      throw new UiErr("cancelled", "The query was cancelled.");
    }
    const write = /^(update|delete|insert|replace)\b/i.exec(text);
    if (write) {
      const target = /^(?:update|delete\s+from|insert\s+into|replace\s+into)\s+"?(\w+)"?/i.exec(text)?.[1];
      if (target && !tableNames(d.location).includes(target)) throw new UiErr("sql", `no such table: ${target}`);
      return { page: { columns: [], rows: [], done: true, rows_affected: 3, wrote: true }, query_id: null };
    }
    if (/^(create|drop|alter)\b/i.test(text)) return { page: { ...emptyPage(), wrote: true }, query_id: null };
    const m = /^select\s+(.+?)\s+from\s+"?(\w+)"?/is.exec(text);
    if (!m) {
      if (/^select\s+\d+/i.test(text)) return { page: { columns: [{ name: text.replace(/^select\s+/i, ""), type: "" }], rows: [[Number(/\d+/.exec(text)?.[0])]], done: true, rows_affected: 0, wrote: false }, query_id: null };
      throw new UiErr("sql", `near "${text.split(/\s+/)[0]}": syntax error`);
    }
    const table = m[2];
    if (!tableNames(d.location).includes(table)) throw new UiErr("sql", `no such table: ${table}`);
    const limit = /limit\s+(\d+)/i.exec(text);
    const v = view(d, { table, limit: 1, after: null, order: [], filters: [] });
    const total = Math.min(v.total, limit ? Number(limit[1]) : v.total);
    const schema = schemaOf(d, table);
    const cur = { next: 0, total, row: (i: number) => v.row(i).values };
    const first = take(cur, pageSize);
    const done = cur.next >= total;
    let query_id: number | null = null;
    if (!done) {
      query_id = nextCursor++;
      cursors.set(query_id, cur);
    }
    return { page: { columns: metaOf(schema).slice(0, first[0]?.length ?? schema.columns.length), rows: first, done, rows_affected: 0, wrote: false }, query_id };
  }

  /** run_sql: the statements in scope, in order, stopping at the first failure. */
  async function runSql(d: Db, sql: string, scope: RunScope, pageSize: number, opId: string, allowSchemaChange: boolean): Promise<SqlRun> {
    const spans = splitStatements(sql);
    const chosen: Span[] = scope.kind === "all" ? spans : [statementAt(spans, scope.offset)].filter((s): s is Span => !!s);
    if (!chosen.length) throw new UiErr("invalid", "There is no SQL to run.");
    // A Room database refuses a schema it did not migrate to: the backend asks first.
    const ddl = chosen.some((span) => /^(create|drop|alter)\b/i.test(span.sql));
    if (ddl && isRoom(d.location) && !allowSchemaChange) {
      throw new UiErr(
        "schema_change",
        "this is a Room database: Room checks the identity hash and will refuse to open this database after a schema change the app did not migrate",
      );
    }
    if (ddl && isRoom(d.location)) d.schemaChanged = true;
    const statements: StatementResult[] = [];
    let writes = 0;
    let failed = false;
    for (const span of chosen) {
      const started = performance.now();
      const entry = { id: history.length + 1, sql: span.sql, ran_at: Date.now(), ok: true, error: null as string | null };
      history.unshift(entry);
      try {
        const res = await runStatement(d, span.sql, pageSize, opId);
        if (res.page.wrote) writes++;
        statements.push({ ...span, ...res, elapsed_ms: Math.round((performance.now() - started) * 10) / 10 + 0.4, error: null });
      } catch (e) {
        if (!(e instanceof UiErr)) throw e;
        entry.ok = false;
        entry.error = e.message;
        statements.push({ ...span, page: emptyPage(), query_id: null, elapsed_ms: Math.round(performance.now() - started), error: { kind: e.kind, message: e.message } });
        failed = true;
        break;
      }
    }
    // A script with writes runs in one transaction: a failure rolls it all back.
    const rolledBack = failed && chosen.length > 1 && writes > 0;
    if (!rolledBack) d.sqlWrites += writes;
    return { statements, wrote: writes > 0 && !rolledBack, rolled_back: rolledBack };
  }

  function take(cur: { next: number; total: number; row: (i: number) => Value[] }, n: number): Value[][] {
    const out: Value[][] = [];
    while (cur.next < cur.total && out.length < n) out.push(cur.row(cur.next++));
    return out;
  }

  async function push(d: Db, stopApp: boolean, channel: unknown): Promise<PushOutcome> {
    if (d.conflicts.length) {
      throw new UiErr("conflict", `${d.conflicts.length} of your saved changes conflict with what the app wrote since: keep yours or take the app's for each before pushing.`);
    }
    let n = 0;
    const stage = async (p: PushProgress, ms = 60) => {
      sendChannel(channel, n++, p);
      await sleep(ms);
    };
    await stage({ stage: "checkpoint" });
    await stage({ stage: "local_check" });
    if (!status(d).unpushed) {
      // Nothing edited since the pull: the device is not touched.
      await stage({ stage: "done" }, 0);
      return { outcome: "unchanged" };
    }
    await stage({ stage: "conflict_check" });
    if (d.stale && scenario.push === "conflict") {
      throw new UiErr("conflict", `${d.location.split("/").pop()} changed on the device after it was pulled (its size and hash differ), so Sonde did not overwrite it.`);
    }
    if (d.stale && d.sqlWrites > 0 && scenario.push === "sql_schema") {
      // What row changes cannot redo: the console changed the schema.
      throw new UiErr("conflict", `${d.location} changed on the device, and writes made from the SQL console cannot be re-applied onto the new version: they changed the schema (table notes)`);
    }
    let rebased = 0;
    if (d.stale) {
      // The app wrote since the pull: the saved changes are rebased onto the device's new version first.
      // Console writes join the saved changes as the rows they changed.
      rebased = takeNewVersion(d, "pull").rebased + d.sqlWrites;
      if (d.conflicts.length) {
        throw new UiErr("conflict", `${d.conflicts.length} of your changes to ${d.location} conflict with what the app wrote since you pulled: settle each (keep yours or theirs) before pushing`);
      }
    }
    if (stopApp) await stage({ stage: "stop_app" });
    await stage({ stage: "upload", sent: 0, total: SNAPSHOT_BYTES }, 120);
    await stage({ stage: "upload", sent: SNAPSHOT_BYTES, total: SNAPSHOT_BYTES });
    await stage({ stage: "verify_staged" });
    await stage({ stage: "swap" });
    await stage({ stage: "verify" });
    await stage({ stage: "done" }, 0);
    const s = storeAt(d.location);
    s.tables = Object.fromEntries(Object.entries(d.tables).map(([name, t]) => [name, cloneTable(t)]));
    s.events = new Map([...d.events].map(([k, v]) => [k, [...v]]));
    // The pushed file is checkpointed: no -wal on either side any more.
    s.wal = false;
    d.wal = false;
    d.applied = [];
    d.sqlWrites = 0;
    // The verified pushed file is the new baseline (the watch compares with it).
    d.base = takeVersion(d, "pull", 0).info.number;
    return { outcome: "pushed", uri: d.location, bytes: SNAPSHOT_BYTES, sha256: "ab".repeat(32), backup: `${DATA_DIR}/backups/notes.db.1`, stopped_app: stopApp, rebased };
  }

  async function handle(cmd: string, args: Json): Promise<unknown> {
    switch (cmd) {
      case "app_info":
        return {
          version: "0.1.0",
          data_dir: DATA_DIR,
          log_file: `${DATA_DIR}/sonde.log`,
          simulated_device: scenario.devices === "none" ? null : SIM_SERIAL,
          simulated_device_dir: scenario.devices === "none" ? null : `${DATA_DIR}/simdevice/fs`,
        };
      case "list_devices":
        return listing();
      case "list_virtual_devices":
        return virtual.list();
      case "boot_virtual_device":
        try {
          return await virtual.boot(args.id as string, args.opId as string, args.onProgress);
        } catch (e) {
          if (e instanceof BootError) throw new UiErr(e.kind, e.message);
          throw e;
        }
      case "list_apps": {
        const device = args.device as string;
        if (device.startsWith("ios://"))
          return [
            { id: "com.example.iosnotes", name: "Notes (iOS)", version: "2.0", system: false, debuggable: null },
            { id: PLANNER_APP, name: "Planner", version: "1.2", system: false, debuggable: null },
          ];
        return [
          { id: "com.example.notes", name: "Notes", version: "1.4.2", system: false, debuggable: true },
          { id: "com.example.release", name: "Release App", version: "3.1", system: false, debuggable: false },
          { id: "com.example.secure", name: "Vault", version: "1.0", system: false, debuggable: true },
          { id: SOCIAL_APP, name: "Social", version: "3.0", system: false, debuggable: true },
          ...(args.includeSystem ? [{ id: "com.android.providers.contacts", name: "Contacts Storage", version: "14", system: true, debuggable: false }] : []),
        ];
      }
      case "list_databases": {
        const app = args.app as string;
        const device = args.device as string;
        if (app === "com.example.release") throw new UiErr("not_debuggable", "Release App (com.example.release) is not debuggable: Sonde can only read the data of debug builds.");
        if (app === "com.example.secure") return [{ uri: `${device}/${app}/databases/vault.db`, path: "databases/vault.db", size: 32768, wal: false, journal: false }];
        if (app === PLANNER_APP) return [{ uri: `${device}/${app}/${PLANNER_PATH}`, path: PLANNER_PATH, size: 90112, wal: false, journal: false }];
        if (app === SOCIAL_APP) return [{ uri: `${device}/${app}/${SOCIAL_PATH}`, path: SOCIAL_PATH, size: 24576, wal: false, journal: false }];
        const notes = `${device}/${app}/databases/notes.db`;
        return [
          { uri: notes, path: "databases/notes.db", size: SNAPSHOT_BYTES, wal: storeAt(notes).wal, journal: false },
          { uri: `${device}/${app}/databases/cache.db`, path: "databases/cache.db", size: 8192, wal: false, journal: false },
        ];
      }
      case "recent_databases":
        if (scenario.recent === "none") return [];
        return [
          { uri: `file://${LOCAL_PATH}`, label: "local.db", opened_at: 1_700_000_000_000 },
          { uri: NOTES_URI, label: "com.example.notes — notes.db", opened_at: 1_699_990_000_000 },
        ];
      case "open_database":
        if (scenario.hotJournal && args.location === LOCAL_PATH && !args.recoverHotJournal) throw hotJournal();
        if (args.location === "/home/user/mistyped.db") throw new UiErr("not_found", "There is no file at /home/user/mistyped.db.", "/home/user/mistyped.db");
        return openDb(args.location as string, args.cipher);
      case "forget_cipher_key": {
        if (!keychainUp()) throw new UiErr("keychain", KEYCHAIN_DOWN);
        const removed = keychain.delete(canonical(args.location as string));
        saveKeychain();
        return removed;
      }
      case "open_file_dialog":
        if (scenario.hotJournal) throw hotJournal();
        return openDb(scenario.openDialog === "encrypted" ? ENCRYPTED_PATH : LOCAL_PATH);
      case "close_database": {
        // Closing a database stops its watch.
        const d = dbs.get(args.handle as number);
        if (d?.watch) stopWatch(d);
        dbs.delete(args.handle as number);
        return null;
      }
      case "watch_start": {
        const d = db(args);
        if (d.watch) stopWatch(d);
        d.watch = { channel: args.onEvent, index: 0, intervalMs: (args.intervalMs as number | null) ?? null, paused: false };
        const w = d.watch;
        // The first event follows the answer, as the real watcher's thread does.
        void sleep(1).then(() => {
          if (d.watch !== w) return;
          send(d, { event: "started", version: infoOf(d, d.versions[d.versions.length - 1]) });
          if (gone.has(deviceOf(d.location))) pauseWatch(d);
          else check(d);
        });
        return null;
      }
      case "watch_stop": {
        const d = db(args);
        if (d.watch) stopWatch(d);
        return null;
      }
      case "list_versions":
        return infos(db(args));
      case "diff_versions": {
        const d = db(args);
        const find = (n: number | null) => {
          const v = n === null ? d.versions[d.versions.length - 1] : d.versions.find((x) => x.info.number === n);
          if (!v) throw new UiErr("not_found", `Version ${n} of ${d.label} is not kept any more.`);
          return v;
        };
        const from = find(args.from as number);
        const to = find((args.to as number | null) ?? null);
        return diffContent(from.content, to.content, (args.tables as string[]) ?? [], args.rowCap as number);
      }
      case "rebase_conflicts":
        return db(args).conflicts.map((p) => p.conflict);
      case "resolve_conflict": {
        const d = db(args);
        const at = d.conflicts.findIndex((p) => p.conflict.id === args.id);
        if (at < 0) throw new UiErr("not_found", "This conflict was already resolved.");
        const [p] = d.conflicts.splice(at, 1);
        // Theirs: your change is dropped (the snapshot already holds the app's values).
        if (args.keep === "mine") d.applied.push(keepMine(d.tables, p));
        return d.conflicts.map((x) => x.conflict);
      }
      case "list_tables":
        return opened(db(args)).tables;
      case "db_status":
        return status(db(args));
      case "discard_edits": {
        const d = db(args);
        if (!d.snapshot) throw new UiErr("invalid", `${d.label} is not a device snapshot: there is nothing to discard and pull.`);
        pull(d);
        return opened(d);
      }
      case "refresh_database": {
        const d = db(args);
        const s = status(d);
        if (s.unpushed) {
          throw new UiErr("unpushed_edits", `${d.label} has ${s.pending_changes + s.sql_writes} change(s) that were not pushed to the device: push them or discard them first.`);
        }
        if (d.snapshot) pull(d);
        return opened(d);
      }
      case "count_rows": {
        const d = db(args);
        const v = view(d, { table: args.table as string, limit: 1, after: null, order: [], filters: args.filters as PageQuery["filters"] });
        if (!args.exact) return args.table === "events" && !(args.filters as unknown[]).length ? 9_800_000 : v.total;
        await sleep(scenario.exactCountMs ?? 120);
        return v.total;
      }
      case "table_schema":
        return schemaOf(db(args), args.table as string);
      case "fetch_page": {
        const q = args.query as PageQuery;
        const offset = q.after ? Number(q.after.replace("pos:", "")) : 0;
        return page(db(args), q, offset);
      }
      case "fetch_page_at":
        return page(db(args), args.query as PageQuery, args.offset as number);
      case "fetch_page_json":
        throw new UiErr("invalid", "the UI never uses fetch_page_json");
      case "apply_edits": {
        const d = db(args);
        const before = Object.fromEntries(Object.entries(d.tables).map(([n, t]) => [n, cloneTable(t)]));
        try {
          const changes = (args.edits as Edit[]).map((e, i) => {
            try {
              return applyEdit(d, e);
            } catch (err) {
              if (err instanceof UiErr) err.edit = i;
              throw err;
            }
          });
          if (d.snapshot) d.applied.push(...changes);
          return changes;
        } catch (e) {
          // One transaction: all or nothing.
          for (const [n, t] of Object.entries(before)) {
            d.tables[n].rows = t.rows;
            d.tables[n].nextId = t.nextId;
          }
          throw e;
        }
      }
      case "undo_changes": {
        const changes = args.changes as Change[];
        return changes.map((c) => ({ ...c, before: c.after, after: c.before, key_before: c.key_after, key_after: c.key_before }));
      }
      case "pending_changes": {
        const d = db(args);
        return d.snapshot ? d.applied.map((change, i) => ({ id: i + 1, change })) : [];
      }
      case "push_database": {
        const d = db(args);
        if (!d.snapshot) throw new UiErr("invalid", `${d.label} is a local file: there is no device to push to.`);
        if (d.schemaChanged && args.allowSchemaChange !== true) {
          throw new UiErr(
            "schema_change",
            "this is a Room database: its schema changed since it was pulled; Room checks the identity hash and will refuse to open it after a schema change the app did not migrate",
          );
        }
        return push(d, args.stopApp as boolean, args.onProgress);
      }
      case "run_sql":
        return runSql(db(args), args.sql as string, args.scope as RunScope, args.pageSize as number, args.opId as string, args.allowSchemaChange === true);
      case "fetch_sql_page": {
        const id = args.queryId as number;
        const cur = cursors.get(id);
        if (!cur) throw new UiErr("not_found", "This result is no longer open: run the query again.");
        const rows = take(cur, args.pageSize as number);
        const done = cur.next >= cur.total;
        if (done) cursors.delete(id);
        return { page: { columns: [], rows, done, rows_affected: 0, wrote: false }, query_id: done ? null : id };
      }
      case "close_sql":
        cursors.delete(args.queryId as number);
        return null;
      case "query_history":
        return history.slice(0, 100);
      case "export_data": {
        if (scenario.export === "dismiss") return null;
        const opId = args.opId as string;
        const total = (args.source as { kind: string }).kind === "table" ? BIG_ROWS : null;
        const step = scenario.exportStepMs ?? 60;
        for (let i = 1; i <= 20; i++) {
          await sleep(step);
          if (cancelled.has(opId)) throw new UiErr("cancelled", "The export was cancelled.");
          sendChannel(args.onProgress, i - 1, { rows: i * 50_000, total });
        }
        const path = `/home/user/Documents/export.${args.format as string}`;
        exported.add(path);
        return { rows: 1_000_000, bytes: 48_000_000, path };
      }
      case "reveal_export":
        if (!exported.has(args.path as string)) throw new UiErr("invalid", "Sonde only shows files it exported.");
        return null;
      case "save_value": {
        if (scenario.saveDialog === "dismiss") return null;
        return `/home/user/Downloads/${args.name as string}`;
      }
      case "load_file_value": {
        if (scenario.openDialog === "dismiss") return null;
        if (scenario.openDialog === "too_big") throw new UiErr("invalid", "scan.raw is 80.0 MiB: Sonde loads files up to 64 MiB into a cell.");
        return { name: "photo.png", bytes: 70, value: { $blob: PNG_B64 } };
      }
      case "set_display_kind": {
        const d = db(args);
        const tableName = args.table as string;
        const column = args.column as string;
        const base = schemaOf(d, tableName);
        if (!base.columns.some((c) => c.name === column)) throw new UiErr("not_found", `There is no column named ${column} in ${tableName}.`);
        const kind = args.kind as string | null;
        if (kind !== null && kind !== "raw" && !isKind(kind)) throw new UiErr("invalid", `unknown display kind ${String(kind)}`);
        const id = choiceKey(d.location, tableName, column);
        if (kind === null) displayChoices.delete(id);
        else displayChoices.set(id, kind);
        return schemaOf(d, tableName);
      }
      case "decode_value": {
        const d = db(args);
        const t = d.tables[args.table as string];
        if (!t) throw new UiErr("not_found", `There is no table named ${args.table as string}.`);
        const at = t.schema.columns.findIndex((c) => c.name === args.column);
        if (at < 0) throw new UiErr("not_found", `There is no column named ${args.column as string}.`);
        const row = t.rows.get(Number(args.key));
        if (!row) throw new UiErr("not_found", `Row ${args.key as string} of ${args.table as string} is gone.`);
        if (!isKind(args.kind)) throw new UiErr("invalid", `unknown display kind ${String(args.kind)}`);
        try {
          return decodeStored(args.kind as string, row[at]);
        } catch (e) {
          if (e instanceof DecodeInvalid) throw new UiErr("invalid", e.message);
          throw e;
        }
      }
      case "encode_date":
        try {
          return encodeDate(args.kind as string, args.text as string, args.stored as string);
        } catch (e) {
          if (e instanceof DecodeInvalid) throw new UiErr("invalid", e.message);
          throw e;
        }
      case "set_close_guard":
        win.closeGuard = args.active as boolean;
        return null;
      case "close_window":
        win.closed = true;
        return null;
      case "cancel_operation":
        cancelled.add(args.opId as string);
        return true;
      case "diagnostics": {
        const mac = scenario.os === "macos";
        return {
          metrics: [
            { op: "query.page", calls: 42, errors: 0, mean_us: 850, p50_us: 700, p95_us: 1900, p99_us: 2600, max_us: 3100, histogram: [[1000, 30], [5000, 12]] },
            { op: "device.pull", calls: 3, errors: 1, mean_us: 420_000, p50_us: 400_000, p95_us: 610_000, p99_us: 610_000, max_us: 610_000, histogram: [] },
          ],
          tools: [
            { tool: "adb", path: "/usr/bin/adb", version: "35.0.1", problem: null },
            {
              tool: "idevice_id",
              path: null,
              version: null,
              problem: mac ? "install libimobiledevice (brew install libimobiledevice ideviceinstaller)" : "install libimobiledevice (Debian/Ubuntu: apt install libimobiledevice-utils ideviceinstaller)",
            },
            { tool: "afcclient", path: null, version: null, problem: null, note: "iOS app containers: built-in AFC client (usbmuxd, lockdown, house_arrest)" },
            mac
              ? { tool: "xcrun", path: "/usr/bin/xcrun", version: "xcrun version 70", problem: null }
              : { tool: "xcrun", path: null, version: null, problem: "install Xcode (macOS only)" },
            scenario.virtual === "none"
              ? { tool: "emulator", path: null, version: null, problem: "install the Android Emulator (Android Studio: SDK Manager → SDK Tools) or set ANDROID_HOME" }
              : { tool: "emulator", path: "/home/user/Android/Sdk/emulator/emulator", version: "35.1.21.0", problem: null },
          ],
          open_databases: dbs.size,
          log_file: `${DATA_DIR}/sonde.log`,
        };
      }
      default:
        throw new UiErr("invalid", `unknown command ${cmd}`);
    }
  }

  async function invoke(cmd: string, args: Json = {}): Promise<unknown> {
    const call: Call = { cmd, args: JSON.parse(JSON.stringify(args)) as Json, at: performance.now() };
    calls.push(call);
    await sleep((scenario.latencyMs ?? 4) + (scenario.slow?.[cmd] ?? 0));
    try {
      const err = scenario.errors?.[cmd];
      // Errors cross IPC as plain objects, like the real UiError.
      if (err) throw { ...err };
      return await handle(cmd, args);
    } catch (e) {
      // As the backend serializes a UiError: optional fields left out.
      if (e instanceof UiErr) {
        throw { kind: e.kind, message: e.message, ...(e.location ? { location: e.location } : {}), ...(e.edit !== undefined ? { edit: e.edit } : {}) };
      }
      throw e;
    } finally {
      call.done = performance.now();
    }
  }

  // The watch: the fake "stats" the stored copy when the app writes (and
  // when watching starts); a new generation is pulled as a new version,
  // diffed against the previous one, and the saved changes are rebased.
  const gone = new Set<string>();
  const deviceOf = (location: string) => /^([a-z]+:\/\/[^/]+)/.exec(location)?.[1] ?? "file://";
  const send = (d: Db, e: WatchEvent) => {
    if (d.watch) sendChannel(d.watch.channel, d.watch.index++, e);
  };
  const stopWatch = (d: Db) => {
    send(d, { event: "stopped" });
    d.watch = null;
  };
  const pauseWatch = (d: Db) => {
    if (!d.watch || d.watch.paused) return;
    d.watch.paused = true;
    const name = listing().devices.find((x) => d.location.startsWith(`${x.platform}://${x.id}/`))?.name ?? "The device";
    send(d, { event: "paused", reason: `${name} is not connected (unplugged, or adb lost it): watching resumes by itself when it is back.` });
  };

  function check(d: Db): void {
    const w = d.watch;
    if (!w || w.paused) return;
    const prev = d.versions[d.versions.length - 1];
    if (prev.generation === storeAt(d.location).generation) return;
    const { version, diff, replaced, rebased, conflicts } = takeNewVersion(d, d.snapshot ? "watch" : "copy");
    send(d, { event: "version", version, diff, replaced, rebased, conflicts });
  }

  /**
   * Pulls the device's (or file's) current content as a new version; a
   * snapshot becomes it plus the saved changes that still apply (rebase).
   */
  function takeNewVersion(d: Db, producer: VersionInfo["producer"]) {
    const s = storeAt(d.location);
    const prev = d.versions[d.versions.length - 1];
    const replaced = s.replacedAt > prev.generation;
    // A -wal-only re-pull moves only the -wal; a new file moves all of it.
    const diffNow = diffContent(prev.content, s, [], 1000);
    const moved = replaced ? SNAPSHOT_BYTES : 4096 + changedRows(diffNow) * 512;
    const v = takeVersion(d, producer, moved);
    let rebased = 0;
    let conflicts: Conflict[] = [];
    if (d.snapshot) {
      // The snapshot becomes the new version plus the saved changes that still apply.
      d.tables = Object.fromEntries(Object.entries(s.tables).map(([n, t]) => [n, cloneTable(t)]));
      d.events = new Map([...s.events].map(([k, val]) => [k, [...val]]));
      const older = [...d.applied, ...d.conflicts.map((p) => p.change)];
      const r = rebase(d.tables, older, () => nextConflict++);
      d.applied = r.applied;
      d.conflicts = r.conflicts;
      d.base = v.info.number;
      d.stale = false;
      d.wal = s.wal;
      rebased = r.applied.length;
      conflicts = r.conflicts.map((p) => p.conflict);
    } else {
      // A local file is used in place (a recreated file is a new object).
      d.tables = s.tables;
      d.events = s.events;
    }
    return { version: infoOf(d, v), diff: diffNow, replaced, rebased, conflicts };
  }

  /** The app on the device (or another program, for a local file) writes. */
  async function appWrite(location: string, writes: AppWrite[]): Promise<number | null> {
    const loc = canonical(location);
    const s = storeAt(loc);
    for (const w of writes) {
      if (w.op === "recreate") {
        const fresh = notesTable();
        for (const k of [...fresh.rows.keys()]) if (k > 3) fresh.rows.delete(k);
        fresh.nextId = 4;
        s.tables = { notes: fresh, messages: messagesTable() };
        s.events = new Map();
        s.replacedAt = s.generation + 1;
        continue;
      }
      if (w.table === "events") {
        if (w.op !== "update") throw new Error("the fake app only updates rows of events");
        const row = [...(s.events.get(w.key) ?? bigRow(w.key))];
        for (const [c, val] of Object.entries(w.set)) row[bigSchema.columns.findIndex((x) => x.name === c)] = val;
        s.events.set(w.key, row);
        continue;
      }
      const t = s.tables[w.table];
      const cols = t.schema.columns.map((c) => c.name);
      if (w.op === "insert") {
        const id = (w.values.id as number | undefined) ?? t.nextId;
        t.nextId = Math.max(t.nextId, id + 1);
        t.rows.set(id, cols.map((c) => (c === "id" ? id : (w.values[c] ?? null))));
      } else if (w.op === "update") {
        const row = t.rows.get(w.key);
        if (row) for (const [c, val] of Object.entries(w.set)) row[cols.indexOf(c)] = val;
      } else if (w.op === "delete") t.rows.delete(w.key);
      else if (w.op === "add_column") {
        const sql = (t.schema.sql ?? "").replace(/\)$/, `, ${w.column} ${w.type})`);
        const column = { name: w.column, decl_type: w.type, not_null: false, default_sql: null, pk: 0, origin: "normal" as const };
        t.schema = { ...t.schema, sql, columns: [...t.schema.columns, column] };
        for (const row of t.rows.values()) row.push(null);
      }
    }
    s.generation++;
    let taken: number | null = null;
    for (const d of dbs.values()) {
      if (d.location !== loc) continue;
      if (d.snapshot) d.stale = true;
      // The watch notices at its next stat.
      await sleep(d.watch?.intervalMs ? Math.min(d.watch.intervalMs, 30) : 10);
      const before = d.versions.length;
      check(d);
      if (d.versions.length > before) taken = d.versions[d.versions.length - 1].info.number;
    }
    return taken;
  }

  /** The device is unplugged (its watches pause), then comes back (they resume and catch up). */
  function deviceGone(device = "android://emulator-5554"): void {
    gone.add(device);
    for (const d of dbs.values()) if (deviceOf(d.location) === device) pauseWatch(d);
  }
  function deviceBack(device = "android://emulator-5554"): void {
    gone.delete(device);
    for (const d of dbs.values()) {
      if (deviceOf(d.location) !== device || !d.watch?.paused) continue;
      d.watch.paused = false;
      send(d, { event: "resumed" });
      check(d);
    }
  }

  return { invoke, calls, listing, emit, scenario, win, dbs, appWrite, deviceGone, deviceBack, storeAt, cipher, keychain: keychainHook, virtual };
}
