// The frameworks Sonde recognises (Core Data/SwiftData, Room, Android's
// SQLiteOpenHelper, GRDB, WorkManager, Firestore) as the UI names them:
// a database's badge, a table's entity name, the bookkeeping tables kept
// out of the way, Core Data's Z_PK/Z_ENT/Z_OPT explained.
import type { OpenedDb } from "../bindings/OpenedDb";
import type { TableListing } from "../bindings/TableListing";

export const FRAMEWORK_LABEL: Record<string, string> = {
  coredata: "Core Data",
  room: "Room",
  android: "Android",
  grdb: "GRDB",
  workmanager: "WorkManager",
  firestore: "Firestore",
};

export const FRAMEWORK_TITLE: Record<string, string> = {
  coredata: "A Core Data store (SwiftData stores are Core Data stores too): tables are shown by their entity names",
  room: "A Room database (Android Jetpack)",
  android: "An Android SQLiteOpenHelper database",
  grdb: "A GRDB database",
  workmanager: "Android WorkManager's database",
  firestore: "The Firestore SDK's local cache",
};

export const frameworkLabel = (f: string) => FRAMEWORK_LABEL[f] ?? f;

/** Which framework made the database: the backend's word, else the one its tables name (android_metadata alone says little). */
export function dbFramework(db: OpenedDb): string | null {
  if (db.framework) return db.framework;
  const named = new Set(db.tables.map((t) => t.framework).filter((f): f is NonNullable<typeof f> => !!f));
  for (const f of ["coredata", "room", "grdb", "workmanager", "firestore"] as const) if (named.has(f)) return f;
  return null;
}

/** The framework worth saying for a database: every SQLiteOpenHelper database is "Android", said only with its version. */
export function shownFramework(db: OpenedDb, withVersion: boolean): string | null {
  const fw = dbFramework(db);
  return !fw || (fw === "android" && !(withVersion && db.user_version)) ? null : fw;
}

/** The name a table goes by: its entity (`Item`), its relationship (`Item.tags`), else its SQL name. */
export const tableTitle = (t: Pick<TableListing, "name" | "entity" | "relationship">) => t.entity ?? t.relationship ?? t.name;

/** The framework's bookkeeping tables (shown last, in a collapsed group). */
export const isInternal = (t: TableListing) => t.internal === true;

/** The table a database opens on: the first of the app's own tables, else any. */
export function firstTableOf(tables: TableListing[]): TableListing | undefined {
  return tables.find((t) => t.kind === "table" && !t.internal) ?? tables.find((t) => !t.internal) ?? tables.find((t) => t.kind === "table") ?? tables[0];
}

/** What a table is, in a sentence (its tooltip in the table list). */
export function tableDescription(t: TableListing): string {
  const parts: string[] = [];
  const fw = t.framework ? frameworkLabel(t.framework) : null;
  if (t.relationship) parts.push(`${fw ?? ""} join table of the to-many relationship ${t.relationship}`.trim());
  else if (t.entities && t.entities.length > 1) parts.push(`${fw ?? ""} table of the entities ${t.entities.join(", ")} (one hierarchy: each row's Z_ENT says which)`.trim());
  else if (t.entity) parts.push(`${fw ?? ""} entity ${t.entity}`.trim());
  if (t.internal) parts.push(`${fw ?? "The framework"}'s bookkeeping, not the app's data`);
  parts.push(`SQL name: ${t.name}`);
  return parts.join("\n");
}

/** Core Data's bookkeeping columns of an entity table, explained. */
export const COREDATA_COLUMNS: Record<string, string> = {
  Z_PK: "Core Data's primary key of the row (with Z_ENT, its NSManagedObjectID)",
  Z_ENT: "the row's entity: entities of one hierarchy share a table",
  Z_OPT: "the row's version for optimistic locking: every save bumps it; Sonde bumps it on every edit",
};
