//! `sonde-devsim demo DIR`: a ready-made device with realistic app data.
//!
//! Apps (all data under `fs/data/data/<pkg>/`):
//! * `com.example.notes` (debuggable): `databases/notes.db` — the
//!   `notes_sample.db` fixture, rollback journal.
//! * `com.example.shop` (debuggable): `databases/shop.db` — the
//!   `ecommerce_sample.db` fixture converted to WAL mode, plus
//!   `databases/shop.db-wal` and `shop.db-shm`. Everything in the fixture is
//!   checkpointed into `shop.db`; then, with checkpointing disabled, the rows
//!   below are committed and live **only in `shop.db-wal`**:
//!   * `users` rows with `username` `wal_only_alice` (id 101) and
//!     `wal_only_bob` (id 102) — see [`WAL_ONLY_USERNAMES`];
//!   * an `orders` row with id 101, `user_id` 101, `status` `pending` and
//!     `shipping_address` [`WAL_ONLY_ORDER_ADDRESS`].
//!
//!   Copying only `shop.db` therefore shows 5 users; opening it together with
//!   its `-wal` shows 7.
//! * `com.example.music` (debuggable): `databases/music.db` — the chinook
//!   fixture plus Room's `room_master_table` and `android_metadata`;
//!   `files/cache_store` (an extension-less SQLite database),
//!   `files/readme.txt` (not a database), and the external
//!   `/sdcard/Android/data/com.example.music/files/export.sqlite`.
//! * `com.example.bank` (**not** debuggable): `databases/vault.db`.
//! * system packages `android`, `com.android.settings`,
//!   `com.google.android.gms` (filtered by `pm list packages -3`).
//!
//! Also `/sdcard/Download/notes_backup.db` (readable without run-as) and an
//! empty `/data/local/tmp`.

use std::path::Path;

use rusqlite::config::DbConfig;
use rusqlite::{params, Connection};
use thiserror::Error;

use crate::config::CONFIG_FILE;

const CHINOOK: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../shared/fixtures/chinook.sqlite"));
const ECOMMERCE: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../shared/fixtures/ecommerce_sample.db"));
const NOTES: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../shared/fixtures/notes_sample.db"));

/// Usernames of the `users` rows that exist only in `shop.db-wal`.
pub const WAL_ONLY_USERNAMES: &[&str] = &["wal_only_alice", "wal_only_bob"];
/// `shipping_address` of the `orders` row (id 101) that exists only in the WAL.
pub const WAL_ONLY_ORDER_ADDRESS: &str = "1 Write-Ahead Lane, Uncheckpointed City";
/// Model shown by `adb devices -l` (as `Sonde_Simulated_Pixel`).
pub const DEMO_MODEL: &str = "Sonde Simulated Pixel";

#[derive(Debug, Error)]
pub enum DemoError {
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("sqlite error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("json error: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0} is not empty and has no {CONFIG_FILE}; refusing to overwrite it")]
    NotADevice(String),
    #[error("WAL was checkpointed unexpectedly; {0} is missing")]
    WalMissing(String),
}

/// The demo `device.json`.
pub fn demo_config() -> serde_json::Value {
    serde_json::json!({
        "props": {
            "ro.product.model": DEMO_MODEL,
            "ro.product.name": "sonde_sim",
            "ro.product.device": "sonde_sim",
            "ro.product.manufacturer": "Sonde",
            "ro.product.brand": "sonde",
            "ro.product.cpu.abi": "arm64-v8a",
            "ro.build.version.sdk": "34",
            "ro.build.version.release": "14",
            "ro.build.type": "user",
            "ro.debuggable": "0",
            "ro.serialno": "SONDESIM0001",
        },
        "packages": [
            {"name": "android", "system": true},
            {"name": "com.android.settings", "system": true},
            {"name": "com.google.android.gms", "system": true},
            {"name": "com.example.notes", "debuggable": true},
            {"name": "com.example.shop", "debuggable": true},
            {"name": "com.example.music", "debuggable": true},
            {"name": "com.example.bank", "debuggable": false},
        ],
        "faults": {"unauthorized": false, "offline": false, "rules": []},
    })
}

/// Writes the demo device into `dir` (created if needed). An existing demo
/// device is regenerated; any other non-empty directory is refused.
pub fn write_demo(dir: &Path) -> Result<(), DemoError> {
    if dir.exists() {
        let non_empty = std::fs::read_dir(dir)?.next().is_some();
        if non_empty && !dir.join(CONFIG_FILE).exists() {
            return Err(DemoError::NotADevice(dir.display().to_string()));
        }
        // Stale -wal/-shm files next to fresh databases would corrupt them.
        let fs = dir.join("fs");
        if fs.exists() {
            std::fs::remove_dir_all(&fs)?;
        }
    }
    let fs = dir.join("fs");
    for d in [
        "sdcard/Download",
        "sdcard/DCIM",
        "sdcard/Documents",
        "data/local/tmp",
        "system/bin",
        "data/data/com.android.settings/databases",
    ] {
        std::fs::create_dir_all(fs.join(d))?;
    }
    std::fs::write(dir.join(CONFIG_FILE), serde_json::to_vec_pretty(&demo_config())?)?;
    let data = fs.join("data/data");

    let notes = data.join("com.example.notes");
    std::fs::create_dir_all(notes.join("databases"))?;
    std::fs::create_dir_all(notes.join("shared_prefs"))?;
    std::fs::write(notes.join("databases/notes.db"), NOTES)?;
    std::fs::write(
        notes.join("shared_prefs/settings.xml"),
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    <boolean name=\"dark_mode\" value=\"true\" />\n</map>\n",
    )?;
    std::fs::write(fs.join("sdcard/Download/notes_backup.db"), NOTES)?;

    write_shop(&data.join("com.example.shop/databases"))?;
    write_music(&data.join("com.example.music"), &fs)?;
    write_bank(&data.join("com.example.bank/databases"))?;
    Ok(())
}

fn write_shop(dbdir: &Path) -> Result<(), DemoError> {
    std::fs::create_dir_all(dbdir)?;
    let db = dbdir.join("shop.db");
    std::fs::write(&db, ECOMMERCE)?;
    let conn = Connection::open(&db)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    debug_assert_eq!(mode.to_lowercase(), "wal");
    // Everything from the fixture goes into the main file...
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    // ...and from now on nothing is checkpointed, not even on close.
    conn.query_row("PRAGMA wal_autocheckpoint=0", [], |_| Ok(()))?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    conn.execute(
        "INSERT INTO users (id, username, email, first_name, last_name, is_active) \
         VALUES (101, ?1, 'alice@wal.example', 'Alice', 'Walker', 1), \
                (102, ?2, 'bob@wal.example', 'Bob', 'Journal', 1)",
        params![WAL_ONLY_USERNAMES[0], WAL_ONLY_USERNAMES[1]],
    )?;
    conn.execute(
        "INSERT INTO orders (id, user_id, total_amount, status, shipping_address, order_date) \
         VALUES (101, 101, 42.00, 'pending', ?1, '2024-02-01 12:00:00')",
        params![WAL_ONLY_ORDER_ADDRESS],
    )?;
    conn.close().map_err(|(_, e)| e)?;
    let wal = dbdir.join("shop.db-wal");
    match std::fs::metadata(&wal) {
        Ok(m) if m.len() > 0 => Ok(()),
        _ => Err(DemoError::WalMissing(wal.display().to_string())),
    }
}

fn write_music(app: &Path, fs: &Path) -> Result<(), DemoError> {
    std::fs::create_dir_all(app.join("databases"))?;
    std::fs::create_dir_all(app.join("files"))?;
    let db = app.join("databases/music.db");
    std::fs::write(&db, CHINOOK)?;
    let conn = Connection::open(&db)?;
    conn.execute_batch(
        "CREATE TABLE room_master_table (id INTEGER PRIMARY KEY, identity_hash TEXT);
         INSERT INTO room_master_table (id, identity_hash)
             VALUES (42, '7f3c2a9d1e8b4f6a0c5d2e9b8a7f6c3d');
         CREATE TABLE android_metadata (locale TEXT);
         INSERT INTO android_metadata (locale) VALUES ('en_US');
         PRAGMA user_version = 3;",
    )?;
    let external = fs.join("sdcard/Android/data/com.example.music/files");
    std::fs::create_dir_all(&external)?;
    let export = external.join("export.sqlite");
    conn.execute("ATTACH DATABASE ?1 AS ex", params![export.to_string_lossy().into_owned()])?;
    conn.execute_batch(
        "CREATE TABLE ex.exported_tracks AS
             SELECT t.TrackId AS track_id, t.Name AS name, ar.Name AS artist
             FROM Track t JOIN Album al ON al.AlbumId = t.AlbumId
                          JOIN Artist ar ON ar.ArtistId = al.ArtistId
             ORDER BY t.TrackId LIMIT 100;
         DETACH DATABASE ex;",
    )?;
    conn.close().map_err(|(_, e)| e)?;

    let cache = Connection::open(app.join("files/cache_store"))?;
    cache.execute_batch(
        "CREATE TABLE cache (key TEXT PRIMARY KEY, value BLOB, expires_at INTEGER);
         INSERT INTO cache VALUES ('now_playing', x'01020304', 1893456000);
         INSERT INTO cache VALUES ('last_sync', '2024-02-01T12:00:00Z', 1893456000);",
    )?;
    cache.close().map_err(|(_, e)| e)?;
    std::fs::write(app.join("files/readme.txt"), "Music app cache directory. Not a database.\n")?;
    Ok(())
}

fn write_bank(dbdir: &Path) -> Result<(), DemoError> {
    std::fs::create_dir_all(dbdir)?;
    let conn = Connection::open(dbdir.join("vault.db"))?;
    conn.execute_batch(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, holder TEXT NOT NULL,
                                iban TEXT NOT NULL, balance_cents INTEGER NOT NULL);
         INSERT INTO accounts VALUES (1, 'A. Saver', 'DE89370400440532013000', 1234567);
         INSERT INTO accounts VALUES (2, 'B. Spender', 'GB29NWBK60161331926819', -4200);",
    )?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}
