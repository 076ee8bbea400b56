//! Which framework wrote a database, read from its bookkeeping tables, and
//! what that makes of each table: Core Data / SwiftData entities and their
//! to-many join tables, Room's identity table, the bookkeeping of GRDB,
//! WorkManager and Firestore. Detection only reads the catalog and the few
//! bookkeeping rows it needs (cheap enough for every listing).
//!
//! Layouts are the frameworks' own, as documented publicly: Core Data's
//! SQLite store (`Z_PRIMARYKEY`, `Z_METADATA`, `Z_MODELCACHE`, entity tables
//! `Z<ENTITY>` with `Z_PK`/`Z_ENT`/`Z_OPT`, join tables `Z_<ent><RELATION>`),
//! described in Apple's Core Data Programming Guide and in Fatbobman's
//! "How Core Data Saves Data in SQLite"; Room's `room_master_table`
//! (androidx.room `RoomMasterTable`); GRDB's `grdb_migrations`
//! (`DatabaseMigrator`); WorkManager's `WorkSpec`; Firestore's
//! `target_globals` / `remote_documents`.

pub mod coredata;
pub mod foreign;
pub mod room;

use rusqlite::Connection;
use serde::Serialize;
use std::collections::HashMap;

/// A framework Sonde recognises by its bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Framework {
    /// Core Data (and SwiftData, which stores through it).
    Coredata,
    Room,
    /// Android's own `SQLiteOpenHelper` (`android_metadata`).
    Android,
    Grdb,
    Workmanager,
    Firestore,
}

/// What a framework makes of one table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableRole {
    pub framework: Option<Framework>,
    /// The entity stored in it (Core Data: the root of its hierarchy).
    pub entity: Option<String>,
    /// Every entity whose rows live in it (a Core Data hierarchy), by `Z_ENT`.
    pub entities: Vec<(i64, String)>,
    /// A to-many join table: `Entity.relationship`.
    pub relationship: Option<String>,
    /// Bookkeeping: the framework's, not the app's data.
    pub internal: bool,
}

/// Everything detected about a database.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub framework: Option<Framework>,
    pub tables: HashMap<String, TableRole>,
    pub coredata: Option<coredata::Model>,
    pub room: Option<room::RoomInfo>,
}

impl Profile {
    pub fn role(&self, table: &str) -> Option<&TableRole> {
        self.tables.get(table)
    }
}

/// Reads the catalog and bookkeeping of the database on `conn`. Never fails:
/// a bookkeeping table that does not read as the framework writes it is not
/// that framework's.
pub fn detect(conn: &Connection) -> Profile {
    let names = table_names(conn);
    let has = |n: &str| names.iter().any(|t| t.eq_ignore_ascii_case(n));
    let mut profile = Profile::default();
    let mark = |profile: &mut Profile, table: &str, framework: Framework| {
        if let Some(name) = names.iter().find(|t| t.eq_ignore_ascii_case(table)) {
            profile.tables.insert(
                name.clone(),
                TableRole { framework: Some(framework), internal: true, ..TableRole::default() },
            );
        }
    };
    if has("Z_PRIMARYKEY") && has("Z_METADATA") {
        if let Some(model) = coredata::read(conn, &names) {
            profile.framework = Some(Framework::Coredata);
            for (table, role) in model.roles(&names) {
                profile.tables.insert(table, role);
            }
            profile.coredata = Some(model);
        }
    }
    if has("room_master_table") {
        profile.framework.get_or_insert(Framework::Room);
        mark(&mut profile, "room_master_table", Framework::Room);
        profile.room = Some(room::read(conn));
    }
    if has("android_metadata") {
        profile.framework.get_or_insert(Framework::Android);
        mark(&mut profile, "android_metadata", Framework::Android);
    }
    if has("grdb_migrations") {
        profile.framework.get_or_insert(Framework::Grdb);
        mark(&mut profile, "grdb_migrations", Framework::Grdb);
    }
    if has("WorkSpec") && has("WorkTag") && has("Dependency") {
        // WorkManager is a Room database of its own: its tables are all its.
        profile.framework = Some(Framework::Workmanager);
        for t in
            ["WorkSpec", "WorkTag", "Dependency", "SystemIdInfo", "WorkName", "WorkProgress", "Preference"]
        {
            mark(&mut profile, t, Framework::Workmanager);
        }
    }
    if has("target_globals") && has("remote_documents") {
        profile.framework = Some(Framework::Firestore);
        for t in names.iter().filter(|t| FIRESTORE_TABLES.contains(&t.as_str())).cloned().collect::<Vec<_>>()
        {
            mark(&mut profile, &t, Framework::Firestore);
        }
    }
    profile
}

/// Firestore's offline cache (firebase-ios-sdk / firebase-android-sdk `SQLiteSchema`).
const FIRESTORE_TABLES: &[&str] = &[
    "bundles",
    "collection_parents",
    "data_migrations",
    "document_mutations",
    "document_overlays",
    "globals",
    "index_configuration",
    "index_entries",
    "index_state",
    "mutation_queues",
    "mutations",
    "named_queries",
    "remote_document_changes",
    "remote_documents",
    "target_documents",
    "target_globals",
    "targets",
    "version",
];

fn table_names(conn: &Connection) -> Vec<String> {
    let Ok(mut stmt) = conn.prepare_cached("SELECT name FROM sqlite_schema WHERE type = 'table'") else {
        return Vec::new();
    };
    let Ok(rows) = stmt.query_map([], |r| r.get::<_, String>(0)) else { return Vec::new() };
    rows.filter_map(|r| r.ok()).collect()
}
