// An in-memory fake of Sonde's backend for UI tests and screenshots:
// devices, apps, databases, paging (keyset-like cursors), edits, push and
// export with Channel progress, the SQL console. Behaviour is steered by
// `window.__SONDE_SCENARIO__` and every call is recorded.
import type { Change } from "../../src/bindings/Change";
import type { DeviceListing } from "../../src/bindings/DeviceListing";
import type { Edit } from "../../src/bindings/Edit";
import type { OpenedDb } from "../../src/bindings/OpenedDb";
import type { Page } from "../../src/bindings/Page";
import type { PageQuery } from "../../src/bindings/PageQuery";
import type { Row } from "../../src/bindings/Row";
import type { TableSchema } from "../../src/bindings/TableSchema";
import type { Value } from "../../src/bindings/Value";
import { BIG_ROWS, bigRow, bigSchema, bigView, metaOf, notesTable, selectMem, viewSchema, WIDE_ROWS, wideRow, wideSchema, type MemTable } from "./tables";

export interface Scenario {
  /** "none": no devices at all. */
  devices?: "default" | "none";
  /** Reject a command with this UiError. */
  errors?: Record<string, { kind: string; message: string }>;
  push?: "ok" | "conflict";
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
}

export const SIM_SERIAL = "127.0.0.1:40101";
const DEV = "android://emulator-5554";
export const NOTES_URI = `${DEV}/com.example.notes/databases/notes.db`;
export const SECURE_URI = `${DEV}/com.example.secure/databases/vault.db`;
export const LOCAL_PATH = "/home/user/local.db";

type Json = Record<string, unknown>;
export interface Call {
  cmd: string;
  args: Json;
  at: number;
  /** When the command answered (resolved or rejected). */
  done?: number;
}

class UiErr {
  constructor(
    public kind: string,
    public message: string,
    public location?: string,
  ) {}
}

interface Db {
  handle: number;
  location: string;
  label: string;
  snapshot: boolean;
  notes: MemTable;
  applied: Change[];
}

const encoder = new TextEncoder();

export function createBackend(scenario: Scenario, emit: (event: string, payload: unknown) => void) {
  const calls: Call[] = [];
  const dbs = new Map<number, Db>();
  const cancelled = new Set<string>();
  const history: { id: number; sql: string; ran_at: number; ok: boolean; error: string | null }[] = [];
  const cursors = new Map<number, { next: number; total: number; row: (i: number) => Value[] }>();
  let nextHandle = 1;
  let nextCursor = 1;

  const listing = (): DeviceListing => ({
    devices:
      scenario.devices === "none"
        ? []
        : [
            { platform: "android", id: "emulator-5554", name: "Pixel 7", model: "Pixel 7", os_version: "Android 14", kind: "emulator", state: "device", raw_state: "device" },
            { platform: "android", id: SIM_SERIAL, name: "sonde_sim", model: "Sonde Simulated", os_version: "Android 14", kind: "network", state: "device", raw_state: "device" },
            { platform: "android", id: "R58M123ABC", name: "Galaxy S21", model: "SM-G991B", os_version: null, kind: "physical", state: "unauthorized", raw_state: "unauthorized" },
            { platform: "ios", id: "00008110-001A2B3C", name: "Ada's iPhone", model: "iPhone14,5", os_version: "iOS 17.4", kind: "physical", state: "device", raw_state: "device" },
          ],
    problems: scenario.problems ?? [],
  });

  const hotJournal = () =>
    new UiErr(
      "hot_journal",
      `${LOCAL_PATH}: the database has an unfinished transaction left by a crash (a hot -journal file); reading does not roll it back`,
      LOCAL_PATH,
    );

  const openDb = (location: string): OpenedDb => {
    const local = location.startsWith("file://") || location.startsWith("/");
    if (location === SECURE_URI) throw new UiErr("encrypted", `${location}: file is not a database (encrypted or corrupt)`);
    const path = location.replace(/^file:\/\//, "");
    const db: Db = {
      handle: nextHandle++,
      location: local ? `file://${path}` : location,
      label: local ? (path.split("/").pop() ?? path) : `${location.split("/")[3]} — ${location.split("/").pop()}`,
      snapshot: !local && location.startsWith("android://"),
      notes: notesTable(),
      applied: [],
    };
    dbs.set(db.handle, db);
    return {
      handle: db.handle,
      location: db.location,
      label: db.label,
      is_snapshot: db.snapshot,
      tables: [
        { name: "events", kind: "table", rows: null },
        { name: "notes", kind: "table", rows: null },
        { name: "recent_notes", kind: "view", rows: null },
        { name: "wide", kind: "table", rows: null },
      ],
    };
  };

  const db = (args: Json): Db => {
    const d = dbs.get(args.handle as number);
    if (!d) throw new UiErr("not_found", "database is not open");
    return d;
  };

  const schemaOf = (d: Db, table: string): TableSchema => {
    if (table === "notes") return d.notes.schema;
    if (table === "events") return bigSchema;
    if (table === "recent_notes") return viewSchema;
    if (table === "wide") return wideSchema;
    throw new UiErr("not_found", `no such table: ${table}`);
  };

  /** All rows of a small table, or a positional view of the big one. */
  const view = (d: Db, q: PageQuery): { total: number; row: (pos: number) => Row } => {
    for (const f of q.filters) if (!schemaOf(d, q.table).columns.some((c) => c.name === f.column)) throw new UiErr("not_found", `no such column: ${f.column}`);
    if (q.table === "events") {
      const v = bigView(q.order, q.filters);
      return { total: v.total, row: (pos) => ({ key: String(v.idAt(pos)), values: bigRow(v.idAt(pos)) }) };
    }
    if (q.table === "wide") {
      const desc = q.order[0]?.desc ?? false;
      const idAt = (pos: number) => (desc ? WIDE_ROWS - pos : pos + 1);
      return { total: WIDE_ROWS, row: (pos) => ({ key: String(idAt(pos)), values: wideRow(idAt(pos)) }) };
    }
    if (q.table === "recent_notes") {
      const rows = selectMem(d.notes, q.order, q.filters).filter((r) => (r.values[0] as number) > 20);
      return { total: rows.length, row: (pos) => ({ key: null, values: rows[pos].values.slice(0, 2) }) };
    }
    const rows = selectMem(d.notes, q.order, q.filters);
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

  const applyEdit = (d: Db, e: Edit): Change => {
    if (e.table !== "notes" && e.table !== "events") throw new UiErr("read_only", `${e.table} is a view`);
    const t = d.notes;
    const cols = t.schema.columns.map((c) => c.name);
    if (e.op === "update") {
      const row = t.rows.get(Number(e.key));
      const before = e.set.map((a) => ({ column: a.column, value: row ? row[cols.indexOf(a.column)] : null }));
      if (row) for (const a of e.set) row[cols.indexOf(a.column)] = a.value;
      return { table: e.table, op: "update", key_before: e.key, key_after: e.key, before, after: e.set };
    }
    if (e.op === "insert") {
      const id = t.nextId++;
      const values: Value[] = t.schema.columns.map((c) => (c.name === "id" ? id : c.name === "title" ? "untitled" : null));
      for (const a of e.values) {
        if (a.column === "title" && a.value === null) throw new UiErr("constraint", "NOT NULL constraint failed: notes.title");
        values[cols.indexOf(a.column)] = a.value;
      }
      t.rows.set(id, values);
      return { table: e.table, op: "insert", key_before: null, key_after: String(id), before: [], after: cols.map((column, i) => ({ column, value: values[i] })) };
    }
    const row = t.rows.get(Number(e.key));
    t.rows.delete(Number(e.key));
    return { table: e.table, op: "delete", key_before: e.key, key_after: null, before: cols.map((column, i) => ({ column, value: row ? row[i] : null })), after: [] };
  };

  const sendChannel = (channel: unknown, index: number, message: unknown) => {
    const id = (channel as { id: number }).id;
    const internals = (window as unknown as { __TAURI_INTERNALS__: { runCallback(id: number, data: unknown): void } }).__TAURI_INTERNALS__;
    internals.runCallback(id, { index, message });
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const runSql = (d: Db, sql: string, pageSize: number) => {
    const text = sql.trim();
    const entry = { id: history.length + 1, sql: text, ran_at: Date.now(), ok: true, error: null as string | null };
    history.unshift(entry);
    const fail = (message: string) => {
      entry.ok = false;
      entry.error = message;
      throw new UiErr("sql", message);
    };
    if (/^(update|delete|insert)\b/i.test(text)) {
      return { page: { columns: [], rows: [], done: true, rows_affected: 3, wrote: true }, query_id: null };
    }
    const m = /^select\s+(.+?)\s+from\s+"?(\w+)"?/i.exec(text);
    if (!m) {
      if (/^select\s+\d+/i.test(text)) return { page: { columns: [{ name: "1", type: "" }], rows: [[1]], done: true, rows_affected: 0, wrote: false }, query_id: null };
      return fail(`near "${text.split(/\s+/)[0]}": syntax error`);
    }
    const table = m[2];
    if (!["events", "notes", "recent_notes", "wide"].includes(table)) return fail(`no such table: ${table}`);
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
  };

  function take(cur: { next: number; total: number; row: (i: number) => Value[] }, n: number): Value[][] {
    const out: Value[][] = [];
    while (cur.next < cur.total && out.length < n) out.push(cur.row(cur.next++));
    return out;
  }

  async function handle(cmd: string, args: Json): Promise<unknown> {
    switch (cmd) {
      case "app_info":
        return { version: "0.1.0", data_dir: "/home/user/.local/share/sonde", log_file: "/home/user/.local/share/sonde/sonde.log", simulated_device: scenario.devices === "none" ? null : SIM_SERIAL };
      case "list_devices":
        return listing();
      case "list_apps": {
        const device = args.device as string;
        if (device.startsWith("ios://")) return [{ id: "com.example.iosnotes", name: "Notes (iOS)", version: "2.0", system: false, debuggable: null }];
        return [
          { id: "com.example.notes", name: "Notes", version: "1.4.2", system: false, debuggable: true },
          { id: "com.example.release", name: "Release App", version: "3.1", system: false, debuggable: false },
          { id: "com.example.secure", name: "Vault", version: "1.0", system: false, debuggable: true },
          ...(args.includeSystem ? [{ id: "com.android.providers.contacts", name: "Contacts Storage", version: "14", system: true, debuggable: false }] : []),
        ];
      }
      case "list_databases": {
        const app = args.app as string;
        const device = args.device as string;
        if (app === "com.example.release") throw new UiErr("not_debuggable", "package com.example.release is not debuggable (run-as failed)");
        if (app === "com.example.secure") return [{ uri: `${device}/${app}/databases/vault.db`, path: "databases/vault.db", size: 32768, wal: false, journal: false }];
        return [
          { uri: `${device}/${app}/databases/notes.db`, path: "databases/notes.db", size: 1_204_224, wal: true, journal: false },
          { uri: `${device}/${app}/databases/cache.db`, path: "databases/cache.db", size: 8192, wal: false, journal: false },
        ];
      }
      case "recent_databases":
        return [
          { uri: `file://${LOCAL_PATH}`, label: "local.db", opened_at: 1_700_000_000_000 },
          { uri: NOTES_URI, label: "com.example.notes — notes.db", opened_at: 1_699_990_000_000 },
        ];
      case "open_database":
        if (scenario.hotJournal && args.location === LOCAL_PATH && !args.recoverHotJournal) throw hotJournal();
        return openDb(args.location as string);
      case "open_file_dialog":
        if (scenario.hotJournal) throw hotJournal();
        return openDb(LOCAL_PATH);
      case "close_database":
        dbs.delete(args.handle as number);
        return null;
      case "list_tables":
        return openDb(db(args).location).tables;
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
        const before = structuredClone([...d.notes.rows]);
        try {
          const changes = (args.edits as Edit[]).map((e) => applyEdit(d, e));
          d.applied.push(...changes);
          return changes;
        } catch (e) {
          d.notes.rows = new Map(before); // one transaction: all or nothing
          throw e;
        }
      }
      case "undo_changes": {
        const changes = args.changes as Change[];
        return changes.map((c) => ({ ...c, before: c.after, after: c.before, key_before: c.key_after, key_after: c.key_before }));
      }
      case "pending_changes":
        return db(args).applied.map((change, i) => ({ id: i + 1, change }));
      case "push_database": {
        const d = db(args);
        const ch = args.onProgress;
        sendChannel(ch, 0, { stage: "preparing" });
        await sleep(150);
        sendChannel(ch, 1, { stage: "transferring" });
        await sleep(150);
        if (scenario.push === "conflict") throw new UiErr("conflict", `${d.location} changed on the device since it was pulled (size and hash differ)`);
        sendChannel(ch, 2, { stage: "done" });
        d.applied = [];
        return { uri: d.location, bytes: 1_204_224, sha256: "ab".repeat(32), backup: "/home/user/.local/share/sonde/backups/notes.db.1", stopped_app: args.stopApp };
      }
      case "run_sql": {
        const sql = args.sql as string;
        if (/^with\s+recursive/i.test(sql.trim())) {
          // A query that never ends: it runs until cancel_operation(opId).
          history.unshift({ id: history.length + 1, sql: sql.trim(), ran_at: Date.now(), ok: false, error: "cancelled" });
          while (!cancelled.has(args.opId as string)) await sleep(20);
          throw new UiErr("cancelled", "cancelled");
        }
        return runSql(db(args), sql, args.pageSize as number);
      }
      case "fetch_sql_page": {
        const id = args.queryId as number;
        const cur = cursors.get(id);
        if (!cur) throw new UiErr("not_found", "this result is no longer open; run the query again");
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
          if (cancelled.has(opId)) throw new UiErr("cancelled", "export cancelled");
          sendChannel(args.onProgress, i - 1, { rows: i * 50_000, total });
        }
        return { rows: 1_000_000, bytes: 48_000_000, path: `/home/user/Documents/export.${args.format as string}` };
      }
      case "cancel_operation":
        cancelled.add(args.opId as string);
        return true;
      case "diagnostics":
        return {
          metrics: [
            { op: "query.page", calls: 42, errors: 0, mean_us: 850, p50_us: 700, p95_us: 1900, p99_us: 2600, max_us: 3100, histogram: [[1000, 30], [5000, 12]] },
            { op: "device.pull", calls: 3, errors: 1, mean_us: 420_000, p50_us: 400_000, p95_us: 610_000, p99_us: 610_000, max_us: 610_000, histogram: [] },
          ],
          tools: [
            { tool: "adb", path: "/usr/bin/adb", version: "35.0.1", problem: null },
            { tool: "idevice_id", path: null, version: null, problem: "not found: install libimobiledevice (apt install libimobiledevice-utils)" },
          ],
          open_databases: dbs.size,
          log_file: "/home/user/.local/share/sonde/sonde.log",
        };
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
      if (e instanceof UiErr) throw e.location ? { kind: e.kind, message: e.message, location: e.location } : { kind: e.kind, message: e.message };
      throw e;
    } finally {
      call.done = performance.now();
    }
  }

  return { invoke, calls, listing, emit, scenario };
}
