//! `sonde-devsim demo DIR`: a ready-made device with realistic app data,
//! every byte of it generated here (deterministic: the same databases on
//! every machine; nothing is read from outside the repository).
//!
//! Apps (all data under `fs/data/data/<pkg>/`):
//! * `com.example.chat` (debuggable): `databases/chat.db`, WAL mode — the
//!   app that keeps writing: `serve --live` appends a message every few
//!   seconds ([`chat::append_messages`]); `sonde-devsim chat` does one step
//!   on demand, so tests drive its writes deterministically.
//! * `com.example.notes` (debuggable): `databases/notes.db`, rollback
//!   journal — notes with JSON tags and settings, image attachments (PNG
//!   BLOBs), non-UTF-8 bytes and 64-bit integers.
//! * `com.example.shop` (debuggable): `databases/shop.db` with foreign
//!   keys, in WAL mode, with `shop.db-wal` and `shop.db-shm`. The catalog is
//!   checkpointed into `shop.db`; then, with checkpointing disabled, the
//!   rows below are committed and live **only in `shop.db-wal`**:
//!   * `users` rows with `username` `wal_only_alice` (id 101) and
//!     `wal_only_bob` (id 102) — see [`WAL_ONLY_USERNAMES`];
//!   * an `orders` row with id 101, `user_id` 101, `status` `pending` and
//!     `shipping_address` [`WAL_ONLY_ORDER_ADDRESS`].
//!
//!   Copying only `shop.db` therefore shows 5 users; opening it together with
//!   its `-wal` shows 7.
//! * `com.example.music` (debuggable): `databases/music.db` — a Room
//!   database: the [`catalog`] plus `playlists` (AUTOINCREMENT, JSON, cover
//!   images), `room_master_table` and `android_metadata`, `user_version` 3;
//!   `files/cache_store` (an extension-less SQLite database),
//!   `files/readme.txt` (not a database), and the external
//!   `/sdcard/Android/data/com.example.music/files/export.sqlite`.
//! * `com.example.planner` (debuggable): `databases/Planner.sqlite`, laid
//!   out as Core Data writes a store ([`coredata`]).
//! * `com.example.analytics` (debuggable): `databases/events.db`, one table
//!   of [`EVENTS_FULL`] rows (made when the demo is written; a small demo
//!   has [`EVENTS_SMALL`]).
//! * `com.example.bank` (**not** debuggable): `databases/vault.db`.
//! * system packages `android`, `com.android.settings`,
//!   `com.google.android.gms` (filtered by `pm list packages -3`).
//!
//! Also `/sdcard/Download/notes_backup.db` (readable without run-as) and an
//! empty `/data/local/tmp`.

pub mod catalog;
pub mod chat;
pub mod coredata;
mod events;
mod images;
mod notes;
mod shop;

use std::path::Path;

use thiserror::Error;

use crate::config::CONFIG_FILE;

pub use chat::{append_messages, CHAT_DB};
pub use events::{EVENTS_FULL, EVENTS_SMALL};
pub use shop::{WAL_ONLY_ORDER_ADDRESS, WAL_ONLY_USERNAMES};

/// Model shown by `adb devices -l` (as `Sonde_Simulated_Pixel`).
pub const DEMO_MODEL: &str = "Sonde Simulated Pixel";

/// Written next to `device.json`; a demo of another version is rewritten
/// by [`ensure_demo`].
pub const DEMO_VERSION_FILE: &str = "demo-version";
/// Bumped whenever the generated content changes.
pub const DEMO_VERSION: u32 = 2;

#[derive(Debug, Error)]
pub enum DemoError {
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    #[error("sqlite error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("json error: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot encode a demo image: {0}")]
    Image(#[from] png::EncodingError),
    #[error("cannot encode a property list: {0}")]
    Plist(#[from] plist::Error),
    #[error("{0} is not empty and has no {CONFIG_FILE}; refusing to overwrite it")]
    NotADevice(String),
    #[error("WAL was checkpointed unexpectedly; {0} is missing")]
    WalMissing(String),
}

/// How much data the demo holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoSize {
    /// What the app's built-in device gets: the events table has
    /// [`EVENTS_FULL`] rows (about two seconds to make).
    Full,
    /// For tests that start many devices: [`EVENTS_SMALL`] events.
    Small,
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
            {"name": "com.example.chat", "debuggable": true},
            {"name": "com.example.notes", "debuggable": true},
            {"name": "com.example.shop", "debuggable": true},
            {"name": "com.example.music", "debuggable": true},
            {"name": "com.example.planner", "debuggable": true},
            {"name": "com.example.analytics", "debuggable": true},
            {"name": "com.example.bank", "debuggable": false},
        ],
        "faults": {"unauthorized": false, "offline": false, "rules": []},
    })
}

/// Writes the full demo device into `dir` (see [`write_demo_sized`]).
pub fn write_demo(dir: &Path) -> Result<(), DemoError> {
    write_demo_sized(dir, DemoSize::Full)
}

/// Writes the demo device into `dir` (created if needed). An existing demo
/// device is regenerated; any other non-empty directory is refused.
pub fn write_demo_sized(dir: &Path, size: DemoSize) -> Result<(), DemoError> {
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

    chat::create(&fs.join(CHAT_DB))?;
    let notes_db = notes::write_app(&data.join("com.example.notes"))?;
    std::fs::copy(&notes_db, fs.join("sdcard/Download/notes_backup.db"))?;
    shop::create(&data.join("com.example.shop/databases"))?;
    catalog::write_music_app(&data.join("com.example.music"), &fs)?;
    coredata::create(&data.join("com.example.planner/databases/Planner.sqlite"))?;
    let rows = match size {
        DemoSize::Full => EVENTS_FULL,
        DemoSize::Small => EVENTS_SMALL,
    };
    events::create(&data.join("com.example.analytics/databases/events.db"), rows)?;
    write_bank(&data.join("com.example.bank/databases"))?;
    std::fs::write(dir.join(DEMO_VERSION_FILE), DEMO_VERSION.to_string())?;
    Ok(())
}

/// Writes the demo into `dir` unless a demo of this version is there
/// already (a user's edits on the simulated device survive restarts).
/// Returns whether it wrote.
pub fn ensure_demo(dir: &Path, size: DemoSize) -> Result<bool, DemoError> {
    let current = std::fs::read_to_string(dir.join(DEMO_VERSION_FILE)).ok();
    if current.as_deref().map(str::trim) == Some(DEMO_VERSION.to_string().as_str())
        && dir.join(CONFIG_FILE).exists()
    {
        return Ok(false);
    }
    write_demo_sized(dir, size)?;
    Ok(true)
}

fn write_bank(dbdir: &Path) -> Result<(), DemoError> {
    std::fs::create_dir_all(dbdir)?;
    let conn = rusqlite::Connection::open(dbdir.join("vault.db"))?;
    conn.execute_batch(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, holder TEXT NOT NULL,
                                iban TEXT NOT NULL, balance_cents INTEGER NOT NULL);
         INSERT INTO accounts VALUES (1, 'A. Saver', 'DE89370400440532013000', 1234567);
         INSERT INTO accounts VALUES (2, 'B. Spender', 'GB29NWBK60161331926819', -4200);",
    )?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}

/// A small deterministic generator (SplitMix64): the demo must be the same
/// bytes everywhere, whatever version of a random crate is in the lockfile.
pub(crate) struct Seq(u64);

impl Seq {
    pub(crate) fn new(seed: u64) -> Seq {
        Seq(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-ish in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}
