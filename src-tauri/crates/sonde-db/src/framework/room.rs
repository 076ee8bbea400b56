//! Room (androidx.room): `room_master_table` holds the identity hash of the
//! schema the app was compiled with; `PRAGMA user_version` is the database
//! version its migrations count. Room refuses to open a database whose
//! schema no longer matches the hash ("Room cannot verify the data
//! integrity"), so DDL from Sonde breaks the app unless it migrates.

use rusqlite::Connection;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomInfo {
    pub identity_hash: Option<String>,
    pub user_version: i64,
}

/// What the app's users will be warned with before DDL or a push of a
/// changed schema.
pub const DDL_WARNING: &str = "this is a Room database: Room checks the identity hash and will refuse to open this database after a schema change the app did not migrate";

pub fn read(conn: &Connection) -> RoomInfo {
    let identity_hash =
        conn.query_row("SELECT identity_hash FROM room_master_table WHERE id = 42", [], |r| r.get(0)).ok();
    let user_version = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap_or(0);
    RoomInfo { identity_hash, user_version }
}
