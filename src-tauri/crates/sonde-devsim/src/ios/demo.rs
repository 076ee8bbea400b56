//! `sonde-devsim ios-demo DIR`: the demo iPhone, with real SQLite files.
//!
//! * UDID [`DEMO_UDID`] (the 25-character form of A12 and later phones),
//!   an iPhone 13 (`iPhone14,5`) on iOS 17.4.1.
//! * `com.example.planner` (development build): a Core Data store
//!   ([`crate::demo::coredata`]) at `Library/Application Support/Planner.sqlite`
//!   in WAL mode, with one task committed only to `Planner.sqlite-wal`.
//! * `com.example.journal` (development build, file sharing on): a GRDB
//!   database at `Documents/journal.sqlite` with `grdb_migrations`.
//! * app group `group.com.example.shared` (both apps):
//!   `groups/group.com.example.shared/Library/shared.sqlite`.
//! * `com.example.bank` (release build: house_arrest refuses it):
//!   `Documents/vault.sqlite`.
//! * system apps `com.apple.Preferences`, `com.apple.mobilesafari`.
//! * `crashes/`: two crash reports; a freshly generated pair record in
//!   `pairing/` (the phone is paired and trusted).

use std::path::Path;

use rusqlite::{params, Connection};

use super::phone::{write_atomic, PhoneState, APPS_FILE, INFO_FILE, STATE_FILE};
use super::{pairing, IosError};

pub const DEMO_UDID: &str = "00008110-001A2C3E4F506172";
pub const DEMO_NAME: &str = "Sonde Simulated iPhone";
pub const PLANNER: &str = "com.example.planner";
pub const JOURNAL: &str = "com.example.journal";
pub const BANK: &str = "com.example.bank";
pub const GROUP: &str = "group.com.example.shared";
pub const PLANNER_DB: &str = "Library/Application Support/Planner.sqlite";
pub const JOURNAL_DB: &str = "Documents/journal.sqlite";
pub const BANK_DB: &str = "Documents/vault.sqlite";
pub const GROUP_DB: &str = "Library/shared.sqlite";
/// Title of the Core Data task that lives only in `Planner.sqlite-wal`.
pub const WAL_ONLY_TASK: &str = "Water the plants (only in the WAL)";
const WIFI: &str = "a4:c3:f0:5e:01:72";

pub fn info() -> serde_json::Value {
    serde_json::json!({
        "ActivationState": "Activated",
        "BasebandVersion": "3.40.01",
        "BluetoothAddress": "a4:c3:f0:5e:01:73",
        "BuildVersion": "21E236",
        "CPUArchitecture": "arm64e",
        "DeviceClass": "iPhone",
        "DeviceColor": "1",
        "DeviceName": DEMO_NAME,
        "FirmwareVersion": "iBoot-10151.102.3",
        "HardwareModel": "D17AP",
        "HardwarePlatform": "t8110",
        "PasswordProtected": false,
        "ProductName": "iPhone OS",
        "ProductType": "iPhone14,5",
        "ProductVersion": "17.4.1",
        "ProtocolVersion": "2",
        "SerialNumber": "F4GSONDE0IOS",
        "TimeZone": "Europe/Berlin",
        "UniqueChipID": 7_316_425_730_118_770_u64,
        "UniqueDeviceID": DEMO_UDID,
        "WiFiAddress": WIFI,
        "_domains": {
            "com.apple.disk_usage": {"TotalDiskCapacity": 128_000_000_000_u64, "AmountDataAvailable": 64_424_509_440_u64},
            "com.apple.mobile.battery": {"BatteryCurrentCapacity": 87, "BatteryIsCharging": true}
        }
    })
}

pub fn apps() -> serde_json::Value {
    serde_json::json!([
        {"id": PLANNER, "version": "2.4", "build": "241", "name": "Planner", "type": "User",
         "developer": true, "groups": [GROUP], "executable": "Planner"},
        {"id": JOURNAL, "version": "1.0.3", "build": "17", "name": "Journal", "type": "User",
         "developer": true, "file_sharing": true, "groups": [GROUP], "executable": "Journal"},
        {"id": BANK, "version": "5.12", "build": "5120", "name": "Bank", "type": "User",
         "developer": false, "executable": "Bank"},
        {"id": "com.apple.Preferences", "version": "1.0", "name": "Settings", "type": "System",
         "developer": false, "executable": "Preferences"},
        {"id": "com.apple.mobilesafari", "version": "17.4.1", "name": "Safari", "type": "System",
         "developer": false, "executable": "MobileSafari"}
    ])
}

/// Writes the demo phone into `dir` (created if needed). A demo phone that
/// is there is regenerated; any other non-empty directory is refused.
pub fn write_demo(dir: &Path) -> Result<(), IosError> {
    if dir.exists() {
        let non_empty = std::fs::read_dir(dir)?.next().is_some();
        if non_empty && !dir.join(INFO_FILE).exists() {
            return Err(IosError::Config(format!(
                "{} is not empty and has no {INFO_FILE}; refusing to overwrite it",
                dir.display()
            )));
        }
        for sub in ["containers", "groups", "crashes", "media", "pairing"] {
            let p = dir.join(sub);
            if p.exists() {
                std::fs::remove_dir_all(&p)?;
            }
        }
        for f in ["faults.json", "trace.log"] {
            let _ = std::fs::remove_file(dir.join(f));
        }
    }
    std::fs::create_dir_all(dir)?;
    write_atomic(&dir.join(INFO_FILE), &serde_json::to_vec_pretty(&info())?)?;
    write_atomic(&dir.join(APPS_FILE), &serde_json::to_vec_pretty(&apps())?)?;
    write_atomic(&dir.join(STATE_FILE), &serde_json::to_vec_pretty(&PhoneState::default())?)?;
    for app in [PLANNER, JOURNAL, BANK] {
        let c = dir.join("containers").join(app);
        for sub in ["Documents", "Library/Caches", "Library/Preferences", "tmp"] {
            std::fs::create_dir_all(c.join(sub))?;
        }
    }
    std::fs::create_dir_all(dir.join("media/DCIM"))?;
    planner(&dir.join("containers").join(PLANNER).join(PLANNER_DB))?;
    journal(&dir.join("containers").join(JOURNAL).join(JOURNAL_DB))?;
    group(&dir.join("groups").join(GROUP).join(GROUP_DB))?;
    bank(&dir.join("containers").join(BANK).join(BANK_DB))?;
    std::fs::write(
        dir.join("containers").join(JOURNAL).join("Documents/README.txt"),
        "Journal exports land here.\n",
    )?;
    crashes(&dir.join("crashes"))?;
    pairing::generate(&dir.join("pairing"), DEMO_UDID, WIFI)?;
    Ok(())
}

/// The Core Data store, plus a task committed only to its `-wal`.
fn planner(path: &Path) -> Result<(), IosError> {
    crate::demo::coredata::create(path)?;
    let conn = Connection::open(path)?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    conn.query_row("PRAGMA wal_autocheckpoint=0", [], |_| Ok(()))?;
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    let tx = conn.unchecked_transaction()?;
    let pk: i64 = tx.query_row("SELECT Z_MAX + 1 FROM Z_PRIMARYKEY WHERE Z_ENT = 1", [], |r| r.get(0))?;
    tx.execute(
        "INSERT INTO ZITEM (Z_PK, Z_ENT, Z_OPT, ZPROJECT, ZCREATEDAT, ZTITLE, ZDONE, ZPRIORITY)
         VALUES (?1, ?2, 1, 1, ?3, ?4, 0, 1)",
        params![pk, crate::demo::coredata::ENT_TASK, 731_000_000.5_f64, WAL_ONLY_TASK],
    )?;
    tx.execute("UPDATE Z_PRIMARYKEY SET Z_MAX = ?1 WHERE Z_ENT = 1", params![pk])?;
    tx.commit()?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}

/// A GRDB database: migrations recorded in `grdb_migrations`, dates as
/// GRDB stores them (`YYYY-MM-DD HH:MM:SS.SSS` text).
fn journal(path: &Path) -> Result<(), IosError> {
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "BEGIN;
         CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
         INSERT INTO grdb_migrations VALUES ('v1'), ('v2-mood'), ('v3-tags');
         CREATE TABLE entry (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             title TEXT NOT NULL,
             body TEXT NOT NULL DEFAULT '',
             mood INTEGER,
             createdAt DATETIME NOT NULL);
         CREATE TABLE tag (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE);
         CREATE TABLE entryTag (
             entryId INTEGER NOT NULL REFERENCES entry(id) ON DELETE CASCADE,
             tagId INTEGER NOT NULL REFERENCES tag(id) ON DELETE CASCADE,
             PRIMARY KEY (entryId, tagId));
         CREATE INDEX entryTag_on_tagId ON entryTag(tagId);
         COMMIT;",
    )?;
    let entries = [
        ("First day with the new phone", "Everything synced.", 4),
        ("Rainy Tuesday", "Stayed in and read.", 3),
        ("Trip planning", "Lisbon in May?", 5),
        ("Dentist", "", 2),
        ("Long run", "12 km along the river.", 5),
    ];
    let tx = conn.unchecked_transaction()?;
    for (i, (title, body, mood)) in entries.iter().enumerate() {
        let at = format!("2024-03-{:02} 08:{:02}:00.000", i + 1, i * 7);
        tx.execute(
            "INSERT INTO entry (title, body, mood, createdAt) VALUES (?1, ?2, ?3, ?4)",
            params![title, body, mood, at],
        )?;
    }
    for t in ["travel", "health", "home"] {
        tx.execute("INSERT INTO tag (name) VALUES (?1)", params![t])?;
    }
    tx.execute_batch("INSERT INTO entryTag VALUES (3, 1), (4, 2), (5, 2), (1, 3);")?;
    tx.commit()?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}

fn group(path: &Path) -> Result<(), IosError> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let conn = Connection::open(path)?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    conn.execute_batch(
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updatedBy TEXT NOT NULL);
         INSERT INTO settings VALUES ('theme', 'dark', 'com.example.planner'),
                                     ('weekStartsOn', 'monday', 'com.example.journal'),
                                     ('syncEnabled', 'true', 'com.example.planner');
         CREATE TABLE widget_snapshot (id INTEGER PRIMARY KEY, app TEXT NOT NULL, payload BLOB);
         INSERT INTO widget_snapshot (app, payload) VALUES ('com.example.planner', x'7b22746f646179223a337d');",
    )?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}

fn bank(path: &Path) -> Result<(), IosError> {
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, holder TEXT NOT NULL, iban TEXT NOT NULL,
                                balance_cents INTEGER NOT NULL);
         INSERT INTO accounts VALUES (1, 'A. Saver', 'DE89370400440532013000', 1234567);
         PRAGMA user_version = 7;",
    )?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}

fn crashes(dir: &Path) -> Result<(), IosError> {
    std::fs::create_dir_all(dir.join("Retired"))?;
    std::fs::write(
        dir.join("Planner-2024-03-02-101500.ips"),
        "{\"app_name\":\"Planner\",\"bundleID\":\"com.example.planner\",\"os_version\":\"iPhone OS 17.4.1 (21E236)\"}\n\
         Exception Type:  EXC_CRASH (SIGABRT)\n",
    )?;
    std::fs::write(
        dir.join("Retired/Journal-2024-02-11-080000.ips"),
        "{\"app_name\":\"Journal\",\"bundleID\":\"com.example.journal\"}\nException Type:  EXC_BREAKPOINT\n",
    )?;
    Ok(())
}
