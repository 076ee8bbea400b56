//! The fake-world iOS tests of `sonde-device/tests/ios_device.rs` (whose
//! fakes print the tools' formats from a plain directory) again, on the
//! simulated iPhone through both paths: the real Debian tools list apps,
//! and containers are reached by Sonde's AFC client or by the fake
//! `afcclient` speaking AFC over the phone's usbmuxd. The world: a
//! development build whose container holds a database whose newest rows
//! live only in its `-wal`, a Core Data store, hostile names, decoys and a
//! symlink out of the container; an App Store build; the demo's apps.
//! What stays fake-only there: afcclient's output quirks (an unfamiliar
//! `ls -l`, a silent `put`), which are the tool's and not the phone's.

#![cfg(target_os = "linux")]

mod common;

use common::iphone::{Iphone, PATHS};
use serde_json::json;
use sonde_device::model::{PushOptions, PushProgress};
use sonde_device::runner::CancellationToken;
use sonde_device::snapshot::{Snapshot, Workspace};
use sonde_device::{DeviceError, DeviceUri};
use std::collections::BTreeSet;
use std::path::Path;

const APP: &str = "com.example.notes";
const STORE_APP: &str = "com.store.game";
const DB: &str = "Documents/notes.db";
const HOSTILE: &str = "Documents/it's $(reboot) `id` \\ \"q\".db";
const SHELLY: &str = "Documents/x.db; rm -rf ~";
/// Rows in the `-wal` only: a copy without it has none.
const WAL_ROWS: i64 = 40;

fn put(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A real SQLite database with `rows` rows in table `t` tagged `tag`.
fn database(path: &Path, tag: &str, rows: i64) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let conn = rusqlite::Connection::open(path).expect("create");
    conn.execute_batch(&format!(
        "CREATE TABLE t(n INTEGER PRIMARY KEY, tag TEXT);
         WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {rows})
         INSERT INTO t SELECT n, '{tag}' FROM c;"
    ))
    .expect("fill");
}

/// Writes a WAL-mode database at `dest` (with `-wal`, `-shm`) as an app
/// leaves it while running: the table is in the main file, its rows only
/// in the `-wal`.
fn wal_database(dest: &Path, tag: &str) {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("db");
    let conn = rusqlite::Connection::open(&db).expect("create");
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(())).expect("wal");
    conn.execute_batch("CREATE TABLE t(n INTEGER PRIMARY KEY, tag TEXT); PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("schema");
    conn.execute_batch("PRAGMA wal_autocheckpoint=0").expect("no autocheckpoint");
    conn.execute_batch(&format!(
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {WAL_ROWS})
         INSERT INTO t SELECT n, '{tag}' FROM c;"
    ))
    .expect("rows");
    // Copied while the connection is open, so nothing is checkpointed.
    for side in ["", "-wal", "-shm"] {
        let from = format!("{}{side}", db.display());
        put(Path::new(&format!("{}{side}", dest.display())), &read(Path::new(&from)));
    }
}

fn count(db: &Path) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).expect("count")
}

/// The demo iPhone with Notes (a development build) and an App Store game.
fn world() -> Iphone {
    let phone = Iphone::start();
    phone.install(json!({"id": APP, "version": "1.2", "name": "Notes, Pro", "developer": true}));
    phone.install(json!({"id": STORE_APP, "version": "3.0", "name": "Game", "developer": false}));
    let c = |rel: &str| phone.file(APP, rel);
    wal_database(&c(DB), "wal");
    put(&c("Documents/readme.txt"), b"not a database");
    database(&c("Documents/store"), "store", 3);
    put(&c("Documents/blob"), &[9u8; 4096]);
    put(&c("Documents/tiny"), b"SQLite format 3\0 but 100 bytes long, never fetched to sniff............");
    // Shell syntax in names: the first is no database by name (its
    // "extension" is `db; rm -rf ~`), the second is one.
    database(&c(SHELLY), "shelly", 1);
    database(&c(HOSTILE), "hostile", 2);
    wal_database(&c("Library/Application Support/Model.sqlite"), "core data");
    database(&c("Library/Caches/com.example.notes/Cache.db"), "cache", 1);
    database(&c("tmp/scratch.db"), "scratch", 1);
    std::os::unix::fs::symlink("/etc/passwd", c("Documents/link.db")).expect("symlink");
    phone
}

/// A checkpointed edit in the snapshot: `rows` rows tagged `tag`, no -wal.
fn edit(snap: &Snapshot, tag: &str, rows: i64) -> Vec<u8> {
    let conn = rusqlite::Connection::open(snap.db_path()).expect("open snapshot");
    conn.execute_batch(&format!(
        "PRAGMA journal_mode=DELETE; DELETE FROM t;
         WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < {rows})
         INSERT INTO t SELECT n, '{tag}' FROM c;"
    ))
    .expect("edit");
    drop(conn);
    assert!(!snap.side_path("-wal").exists());
    read(&snap.db_path())
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.contains("sonde"))
        .collect()
}

#[tokio::test]
async fn the_real_installer_lists_user_and_system_apps_with_container_access() {
    let phone = world();
    let scratch = tempfile::tempdir().expect("tmp");
    let ios = phone.adapter(PATHS[0], scratch.path()).await;
    let cancel = CancellationToken::new();
    let user = ios.apps(&phone.udid, false, &cancel).await.expect("apps");
    let app = |id: &str| user.iter().find(|a| a.id == id).unwrap_or_else(|| panic!("{id} in {user:?}"));
    assert_eq!(app(APP).name.as_deref(), Some("Notes, Pro"), "a comma in the name survives the CSV");
    assert_eq!(app(APP).version.as_deref(), Some("1.2"));
    assert_eq!((app(APP).system, app(APP).debuggable), (false, Some(true)));
    assert_eq!(app(STORE_APP).debuggable, Some(false), "an App Store build vends no container");
    assert!(user.iter().all(|a| !a.system));
    let all = ios.apps(&phone.udid, true, &cancel).await.expect("all apps");
    assert!(all.len() > user.len() && all.iter().any(|a| a.system), "{all:?}");
    let e = ios.apps("00000000-0000000000000BAD", false, &cancel).await.expect_err("unknown device");
    assert!(matches!(e, DeviceError::DeviceNotFound { .. }), "{e}");
}

#[tokio::test]
async fn both_paths_find_the_databases_and_sniff_only_page_sized_extensionless_files() {
    let phone = world();
    phone.set_faults(json!({ "trace": true }));
    let cancel = CancellationToken::new();
    for path in PATHS {
        let scratch = tempfile::tempdir().expect("tmp");
        let ios = phone.adapter(path, scratch.path()).await;
        phone.take_trace();
        let dbs = ios.databases(&phone.udid, APP, &cancel).await.expect("databases");
        let paths: Vec<&str> = dbs.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                HOSTILE,
                DB,
                "Documents/store",
                "Library/Application Support/Model.sqlite",
                "Library/Caches/com.example.notes/Cache.db",
            ],
            "{path:?}: no decoy, no symlink out, no tmp/"
        );
        let notes = &dbs[1];
        assert!(notes.wal && !notes.journal, "{path:?}");
        assert_eq!(notes.size, Some(read(&phone.file(APP, DB)).len() as u64), "{path:?}");
        assert!(dbs[3].wal, "{path:?}: the Core Data store's -wal is grouped with it");
        for db in &dbs {
            let parsed = DeviceUri::parse(&db.uri).expect("uri round-trips");
            assert_eq!(
                (parsed.device.as_str(), parsed.app.as_str(), parsed.path.as_str()),
                (phone.udid.as_str(), APP, db.path.as_str())
            );
        }
        // What the phone was asked to open: the two page-sized files
        // without an extension, to read their header; nothing else.
        let opened: BTreeSet<String> = phone
            .take_trace()
            .iter()
            .filter_map(|s| s.strip_prefix("afc:FILE_OPEN "))
            .map(|p| p.trim_start_matches('/').to_owned())
            .collect();
        assert_eq!(opened, BTreeSet::from(["Documents/blob".into(), "Documents/store".into()]), "{path:?}");
    }
}

#[tokio::test]
async fn both_paths_pull_the_rows_only_the_wal_holds() {
    let phone = world();
    let cancel = CancellationToken::new();
    for path in PATHS {
        let scratch = tempfile::tempdir().expect("tmp");
        let ios = phone.adapter(path, scratch.path()).await;
        let ws = Workspace::new(scratch.path().join("ws"));
        let uri = phone.uri(APP, DB);
        let snap = ios.pull(&ws, &uri, &cancel).await.expect("pull");
        assert_eq!(read(&snap.db_path()), read(&phone.file(APP, DB)), "{path:?}");
        let wal = read(&phone.file(APP, "Documents/notes.db-wal"));
        assert_eq!(read(&snap.side_path("-wal")), wal, "{path:?}");
        assert!(!snap.side_path("-shm").exists(), "{path:?}: the -shm is never copied");
        assert_eq!(read(&snap.original_dir().join("db.sqlite-wal")), wal, "{path:?}");
        assert_eq!(count(&snap.db_path()), WAL_ROWS, "{path:?}: the rows in the -wal are in the snapshot");
        let m = &snap.manifest;
        assert_eq!(m.device.wal.as_ref().map(|w| w.size), Some(wal.len() as u64), "{path:?}");
        assert!(m.device.journal.is_none() && !m.dirty && m.pushes == 0, "{path:?}");
        assert_eq!(ws.load(&uri).expect("load").expect("installed").manifest, snap.manifest, "{path:?}");
    }
}

#[tokio::test]
async fn both_paths_push_an_edit_in_its_stages_and_drop_the_stale_wal() {
    let cancel = CancellationToken::new();
    for path in PATHS {
        let phone = world();
        let scratch = tempfile::tempdir().expect("tmp");
        let ios = phone.adapter(path, scratch.path()).await;
        let ws = Workspace::new(scratch.path().join("ws"));
        let uri = phone.uri(APP, DB);
        let mut snap = ios.pull(&ws, &uri, &cancel).await.expect("pull");
        let old_db = read(&phone.file(APP, DB));
        let old_wal = read(&phone.file(APP, "Documents/notes.db-wal"));
        let edited = edit(&snap, "edited", 5);
        let stages = std::sync::Mutex::new(Vec::new());
        let record = |p: PushProgress| stages.lock().expect("stages").push(p);
        let report = ios.push(&ws, &mut snap, PushOptions::default(), &record, &cancel).await.expect("push");
        let size = edited.len() as u64;
        let stages = stages.into_inner().expect("stages");
        assert_eq!(stages.first(), Some(&PushProgress::ConflictCheck), "{path:?}: {stages:?}");
        assert_eq!(stages.last(), Some(&PushProgress::Verify), "{path:?}: {stages:?}");
        assert!(stages.contains(&PushProgress::Upload { sent: size, total: size }), "{path:?}: {stages:?}");
        assert!(!stages.contains(&PushProgress::StopApp), "iOS cannot stop an app");
        assert_eq!(read(&phone.file(APP, DB)), edited, "{path:?}");
        assert_eq!(count(&phone.file(APP, DB)), 5, "{path:?}");
        for gone in ["Documents/notes.db-wal", "Documents/notes.db-shm"] {
            assert!(!phone.file(APP, gone).exists(), "{path:?}: {gone} removed after the swap");
        }
        assert!(
            leftovers(&phone.file(APP, "Documents")).is_empty(),
            "{path:?}: no staged or set-aside files"
        );
        assert_eq!((report.bytes, report.stopped_app), (size, false), "{path:?}");
        assert_eq!(read(&report.backup.join("db.sqlite")), old_db, "{path:?}");
        assert_eq!(read(&report.backup.join("db.sqlite-wal")), old_wal, "{path:?}");
        let m = &snap.manifest;
        assert_eq!((m.pushes, m.dirty, m.device.db.size), (1, false, size), "{path:?}");
        assert!(m.device.wal.is_none(), "{path:?}");
        // A second edit pushes against the new baseline.
        let again = edit(&snap, "again", 2);
        ios.push(&ws, &mut snap, PushOptions::default(), &|_| {}, &cancel).await.expect("second push");
        assert_eq!(read(&phone.file(APP, DB)), again, "{path:?}");
    }
}

#[tokio::test]
async fn both_paths_refuse_a_push_over_what_the_app_wrote_meanwhile() {
    let phone = world();
    let cancel = CancellationToken::new();
    for path in PATHS {
        let scratch = tempfile::tempdir().expect("tmp");
        let ios = phone.adapter(path, scratch.path()).await;
        let ws = Workspace::new(scratch.path().join("ws"));
        let mut snap = ios.pull(&ws, &phone.uri(APP, DB), &cancel).await.expect("pull");
        // The app appends to its -wal after the pull.
        let wal = phone.file(APP, "Documents/notes.db-wal");
        let mut app_wrote = read(&wal);
        app_wrote.extend_from_slice(&[7u8; 4120]);
        std::fs::write(&wal, &app_wrote).expect("app writes");
        let db_before = read(&phone.file(APP, DB));
        edit(&snap, "mine", 1);
        let e =
            ios.push(&ws, &mut snap, PushOptions::default(), &|_| {}, &cancel).await.expect_err("conflict");
        assert!(matches!(e, DeviceError::ChangedOnDevice { .. }), "{path:?}: {e}");
        assert_eq!(read(&phone.file(APP, DB)), db_before, "{path:?}");
        assert_eq!(read(&wal), app_wrote, "{path:?}: the app's -wal is untouched");
        assert!(leftovers(&phone.file(APP, "Documents")).is_empty(), "{path:?}");
        assert_eq!(snap.manifest.pushes, 0, "{path:?}");
    }
}

#[tokio::test]
async fn both_paths_keep_hostile_names_as_names_and_refuse_escapes() {
    let phone = world();
    let canary = phone.dir.join("canary");
    std::fs::write(&canary, b"alive").expect("canary");
    let cancel = CancellationToken::new();
    for path in PATHS {
        let scratch = tempfile::tempdir().expect("tmp");
        let ios = phone.adapter(path, scratch.path()).await;
        let ws = Workspace::new(scratch.path().join("ws"));
        for (n, name) in [SHELLY, HOSTILE].into_iter().enumerate() {
            let hostile = DeviceUri::parse(&phone.uri(APP, name).to_string()).expect("parse");
            let on_phone = read(&phone.file(APP, name));
            let mut snap = ios.pull(&ws, &hostile, &cancel).await.expect("pull hostile name");
            assert_eq!(read(&snap.db_path()), on_phone, "{path:?} {name}");
            let edited = edit(&snap, "renamed", 9 + n as i64);
            ios.push(&ws, &mut snap, PushOptions::default(), &|_| {}, &cancel)
                .await
                .expect("push hostile name");
            assert_eq!(read(&phone.file(APP, name)), edited, "{path:?} {name}");
            assert!(snap.dir.starts_with(scratch.path()), "{path:?}");
        }
        for name in ["../../.bashrc", "Documents/../../../etc/passwd", "/etc/passwd"] {
            let e = ios.pull(&ws, &phone.uri(APP, name), &cancel).await.expect_err(name);
            assert!(matches!(e, DeviceError::InvalidName { .. }), "{path:?} {name}: {e}");
        }
        // A symlink out of the container is no way out: the phone refuses
        // to follow it, nothing is installed.
        let link = phone.uri(APP, "Documents/link.db");
        ios.pull(&ws, &link, &cancel).await.expect_err("a symlink to /etc/passwd");
        assert!(ws.load(&link).expect("load").is_none(), "{path:?}");
        let e = ios.databases(&phone.udid, "com.x;reboot", &cancel).await.expect_err("bundle");
        assert!(matches!(e, DeviceError::InvalidName { .. }), "{path:?}: {e}");
        let e = ios.databases(&phone.udid, STORE_APP, &cancel).await.expect_err("App Store build");
        assert!(matches!(e, DeviceError::NotDevelopmentBuild { .. }), "{path:?}: {e}");
    }
    assert!(canary.exists());
}
