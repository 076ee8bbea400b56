//! The iOS-device adapter against fake libimobiledevice tools (Python
//! scripts in `tests/fakes/` printing the real tools' formats; the real
//! ones need a device on USB). Each test builds its own fake world.

#![cfg(unix)]

#[path = "fakes/harness.rs"]
mod harness;

use harness::{put, read, sqlite_bytes, wal_bytes, Fake};
use serde_json::json;
use sonde_device::ios::Ios;
use sonde_device::model::{DeviceState, PushOptions, PushProgress};
use sonde_device::runner::{CancellationToken, Retry};
use sonde_device::snapshot::{Snapshot, Workspace};
use sonde_device::tools::Tools;
use sonde_device::{DeviceError, DeviceUri, Platform};
use std::path::Path;
use std::time::Duration;

/// Catches hangs only: a call still running after this is a bug.
const HANG_GUARD: Duration = Duration::from_secs(60);

const UDID: &str = "00008101-001A2B3C4D5E001E";
const APP: &str = "com.example.notes";
const DB: &str = "Documents/notes.db";
const HOSTILE: &str = "Documents/it's $(reboot) `id` \\ \"q\".db";

/// A fake iPhone with a development build of Notes (database in WAL mode,
/// a Core Data store, decoys), an App Store app and a system app.
fn world() -> Fake {
    let fake = Fake::new();
    fake.add_device(
        UDID,
        json!({"DeviceName": "Ana's iPhone", "ProductType": "iPhone15,2", "ProductVersion": "17.1.2", "ProductName": "iPhone OS"}),
        json!([
            {"id": APP, "version": "1.2", "name": "Notes, Pro", "type": "User", "developer": true},
            {"id": "com.store.game", "version": "3.0", "name": "Game", "type": "User", "developer": false},
            {"id": "com.apple.mobilesafari", "version": "17.1", "name": "Safari", "type": "System"}
        ]),
    );
    let c = fake.container(UDID, APP);
    put(&c.join(DB), &sqlite_bytes(1, 2));
    put(&c.join("Documents/notes.db-wal"), &wal_bytes(1, 4152));
    put(&c.join("Documents/notes.db-shm"), &[0u8; 32768]);
    put(&c.join("Documents/readme.txt"), b"not a database");
    put(&c.join("Documents/store"), &sqlite_bytes(2, 1));
    put(&c.join("Documents/blob"), &[9u8; 4096]);
    put(
        &c.join("Documents/tiny"),
        b"SQLite format 3\0 but 100 bytes long, never fetched to sniff...............",
    );
    // Shell syntax in names: the first is no database by name (its
    // "extension" is `db; rm -rf ~`), the second is one.
    put(&c.join("Documents/x.db; rm -rf ~"), &sqlite_bytes(3, 1));
    put(&c.join(HOSTILE), &sqlite_bytes(8, 1));
    put(&c.join("Library/Application Support/Model.sqlite"), &sqlite_bytes(4, 3));
    put(&c.join("Library/Application Support/Model.sqlite-wal"), &wal_bytes(4, 1000));
    put(&c.join("Library/Caches/com.example.notes/Cache.db"), &sqlite_bytes(5, 1));
    put(&c.join("tmp/scratch.db"), &sqlite_bytes(6, 1));
    std::os::unix::fs::symlink("/etc/passwd", c.join("Documents/link.db")).expect("symlink");
    std::fs::create_dir_all(fake.container(UDID, "com.store.game").join("Documents")).expect("mkdir");
    fake
}

async fn ios(fake: &Fake) -> Ios {
    let mut ios = Ios::new(&fake.tools().await).expect("idevice_id found");
    ios.retry = Retry { attempts: 3, base: Duration::from_millis(5), max: Duration::from_millis(20) };
    ios
}

fn uri(path: &str) -> DeviceUri {
    DeviceUri::for_file(Platform::Ios, UDID, APP, path)
}

fn device_file(fake: &Fake, rel: &str) -> std::path::PathBuf {
    fake.container(UDID, APP).join(rel)
}

/// What a checkpointed edit leaves in the snapshot: new bytes, no -wal.
fn edit(snapshot: &Snapshot, bytes: &[u8]) {
    std::fs::write(snapshot.db_path(), bytes).expect("edit");
    let _ = std::fs::remove_file(snapshot.side_path("-wal"));
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("ls")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.contains("sonde"))
        .collect()
}

#[tokio::test]
async fn lists_devices_with_name_model_and_version() {
    let fake = world();
    fake.add_device(
        "00008030-AAAA",
        json!({"_lockdown_error": "Pairing dialog response pending (-19)"}),
        json!([]),
    );
    let devices = ios(&fake).await.devices(&CancellationToken::new()).await.expect("devices");
    assert_eq!(devices.len(), 2);
    let phone = devices.iter().find(|d| d.id == UDID).expect("phone");
    assert_eq!(phone.name, "Ana's iPhone");
    assert_eq!(phone.model.as_deref(), Some("iPhone15,2"));
    assert_eq!(phone.os_version.as_deref(), Some("iOS 17.1.2"));
    assert_eq!((phone.state, phone.platform), (DeviceState::Ready, Platform::Ios));
    let locked = devices.iter().find(|d| d.id == "00008030-AAAA").expect("untrusted");
    assert_eq!((locked.state, locked.name.as_str()), (DeviceState::Unauthorized, "00008030-AAAA"));
}

#[tokio::test]
async fn missing_tools_are_reported_not_crashed_on() {
    let e = Ios::new(&Tools::default()).err().expect("no idevice_id");
    assert!(matches!(e, DeviceError::ToolMissing { tool: "idevice_id", .. }), "{e}");
    let fake = world();
    std::fs::write(fake.root.join("usbmuxd-down"), b"").expect("down");
    let e = ios(&fake).await.devices(&CancellationToken::new()).await.expect_err("no usbmuxd");
    assert!(e.to_string().contains("usbmuxd"), "{e}");
}

#[tokio::test]
async fn apps_user_and_system_with_container_access() {
    let fake = world();
    let ios = ios(&fake).await;
    let cancel = CancellationToken::new();
    let user = ios.apps(UDID, false, &cancel).await.expect("apps");
    let ids: Vec<&str> = user.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, [APP, "com.store.game"]);
    assert_eq!(user[0].name.as_deref(), Some("Notes, Pro"));
    assert_eq!(user[0].version.as_deref(), Some("1.2"));
    assert_eq!((user[0].system, user[0].debuggable), (false, Some(true)));
    assert_eq!(user[1].debuggable, Some(false), "an App Store build vends no container");
    let all = ios.apps(UDID, true, &cancel).await.expect("all apps");
    let safari = all.iter().find(|a| a.id == "com.apple.mobilesafari").expect("system app");
    assert_eq!((safari.system, safari.debuggable), (true, None));
    assert_eq!(all.len(), 3);
    let e = ios.apps("00000000-0000000000000BAD", false, &cancel).await.expect_err("unknown device");
    assert!(matches!(e, DeviceError::DeviceNotFound { .. }), "{e}");
}

#[tokio::test]
async fn finds_databases_in_the_container() {
    let fake = world();
    let dbs = ios(&fake).await.databases(UDID, APP, &CancellationToken::new()).await.expect("databases");
    let paths: Vec<&str> = dbs.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            HOSTILE,
            "Documents/notes.db",
            "Documents/store",
            "Library/Application Support/Model.sqlite",
            "Library/Caches/com.example.notes/Cache.db",
        ]
    );
    let notes = &dbs[1];
    assert!(notes.wal && !notes.journal);
    assert_eq!(notes.size, Some(8192));
    assert!(dbs[3].wal, "the Core Data store's -wal is grouped with it");
    for db in &dbs {
        let parsed = DeviceUri::parse(&db.uri).expect("uri round-trips");
        assert_eq!(
            (parsed.device.as_str(), parsed.app.as_str(), parsed.path.as_str()),
            (UDID, APP, db.path.as_str())
        );
    }
    let fetched: Vec<String> = fake
        .calls(UDID)
        .into_iter()
        .filter(|c| c.iter().any(|a| a == "get"))
        .filter_map(|c| c.get(c.len() - 2).cloned())
        .collect();
    assert_eq!(fetched.len(), 2, "only page-sized extension-less files are sniffed: {fetched:?}");
    assert!(
        fetched.contains(&"/Documents/store".to_string()) && fetched.contains(&"/Documents/blob".to_string())
    );
    let every_afc_call_ends_options = fake
        .calls(UDID)
        .iter()
        .filter(|c| c[0] == "afcclient")
        .all(|c| c[1..6] == ["-u", UDID, "--container", APP, "--"]);
    assert!(every_afc_call_ends_options);
}

#[tokio::test]
async fn listing_falls_back_to_info_when_ls_l_is_unfamiliar() {
    let fake = world();
    fake.faults(UDID, json!({"afc_ls_long_garbage": true}));
    let dbs = ios(&fake).await.databases(UDID, APP, &CancellationToken::new()).await.expect("databases");
    assert_eq!(dbs.len(), 5);
    assert_eq!(dbs[1].size, Some(8192));
    assert!(fake.calls(UDID).iter().any(|c| c.iter().any(|a| a == "info")));
}

#[tokio::test]
async fn a_non_development_app_has_no_reachable_container() {
    let fake = world();
    let e = ios(&fake)
        .await
        .databases(UDID, "com.store.game", &CancellationToken::new())
        .await
        .expect_err("locked");
    assert!(matches!(&e, DeviceError::NotDevelopmentBuild { .. }), "{e}");
}

#[tokio::test]
async fn pulls_a_snapshot_with_its_wal() {
    let fake = world();
    let ws = Workspace::new(&fake.workspace);
    let snap = ios(&fake).await.pull(&ws, &uri(DB), &CancellationToken::new()).await.expect("pull");
    assert_eq!(read(&snap.db_path()), read(&device_file(&fake, DB)));
    assert_eq!(read(&snap.side_path("-wal")), read(&device_file(&fake, "Documents/notes.db-wal")));
    assert!(!snap.side_path("-shm").exists(), "the -shm is never copied");
    assert_eq!(read(&snap.original_dir().join("db.sqlite-wal")), read(&snap.side_path("-wal")));
    let m = &snap.manifest;
    assert_eq!((m.device.db.size, m.device.wal.as_ref().map(|w| w.size)), (8192, Some(4152)));
    assert!(m.device.journal.is_none() && !m.dirty && m.pushes == 0);
    assert_eq!(m.uri, uri(DB).to_string());
    let loaded = ws.load(&uri(DB)).expect("load").expect("installed");
    assert_eq!(loaded.manifest, snap.manifest);
}

#[tokio::test]
async fn pushes_an_edit_and_drops_the_stale_wal() {
    let fake = world();
    let ws = Workspace::new(&fake.workspace);
    let ios = ios(&fake).await;
    let cancel = CancellationToken::new();
    let mut snap = ios.pull(&ws, &uri(DB), &cancel).await.expect("pull");
    let old_db = read(&device_file(&fake, DB));
    let old_wal = read(&device_file(&fake, "Documents/notes.db-wal"));
    let edited = sqlite_bytes(42, 3);
    edit(&snap, &edited);
    let stages = std::sync::Mutex::new(Vec::new());
    let record = |p: PushProgress| stages.lock().expect("stages").push(p);
    let report = ios.push(&ws, &mut snap, PushOptions::default(), &record, &cancel).await.expect("push");
    let size = edited.len() as u64;
    assert_eq!(
        stages.into_inner().expect("stages"),
        [
            PushProgress::ConflictCheck,
            PushProgress::Upload { sent: 0, total: size },
            PushProgress::Upload { sent: size, total: size },
            PushProgress::VerifyStaged,
            PushProgress::Swap,
            PushProgress::Verify,
        ],
        "the real stages, in order (iOS cannot stop an app: no stop_app)"
    );
    assert_eq!(read(&device_file(&fake, DB)), edited);
    for gone in ["Documents/notes.db-wal", "Documents/notes.db-shm"] {
        assert!(!device_file(&fake, gone).exists(), "{gone} removed after the swap");
    }
    assert!(leftovers(&device_file(&fake, "Documents")).is_empty(), "no staged or set-aside files left");
    assert_eq!((report.bytes, report.stopped_app), (edited.len() as u64, false));
    assert_eq!(read(&report.backup.join("db.sqlite")), old_db);
    assert_eq!(read(&report.backup.join("db.sqlite-wal")), old_wal);
    let m = &snap.manifest;
    assert_eq!((m.pushes, m.dirty, m.device.db.size), (1, false, edited.len() as u64));
    assert!(m.device.wal.is_none());
    assert_eq!(ws.load(&uri(DB)).expect("load").expect("snapshot").manifest, *m);
    // A second edit pushes against the new baseline.
    edit(&snap, &sqlite_bytes(43, 1));
    ios.push(&ws, &mut snap, PushOptions::default(), &|_| {}, &cancel).await.expect("second push");
    assert_eq!(read(&device_file(&fake, DB)), sqlite_bytes(43, 1));
}

#[tokio::test]
async fn push_is_refused_when_the_device_copy_changed() {
    let fake = world();
    let ws = Workspace::new(&fake.workspace);
    let ios = ios(&fake).await;
    let cancel = CancellationToken::new();
    let mut snap = ios.pull(&ws, &uri(DB), &cancel).await.expect("pull");
    let app_wrote = sqlite_bytes(7, 2);
    std::fs::write(device_file(&fake, DB), &app_wrote).expect("app writes");
    edit(&snap, &sqlite_bytes(42, 2));
    let e = ios.push(&ws, &mut snap, PushOptions::default(), &|_| {}, &cancel).await.expect_err("conflict");
    assert!(matches!(e, DeviceError::ChangedOnDevice { .. }), "{e}");
    assert_eq!(read(&device_file(&fake, DB)), app_wrote);
    assert!(device_file(&fake, "Documents/notes.db-wal").exists());
    assert!(leftovers(&device_file(&fake, "Documents")).is_empty());
    assert_eq!(snap.manifest.pushes, 0);
}

#[tokio::test]
async fn a_truncated_download_installs_nothing() {
    let fake = world();
    fake.faults(UDID, json!({"afc_get_truncate": true}));
    let ws = Workspace::new(&fake.workspace);
    let e = ios(&fake).await.pull(&ws, &uri(DB), &CancellationToken::new()).await.expect_err("truncated");
    assert!(matches!(e, DeviceError::TransferIncomplete { .. }), "{e}");
    assert!(ws.load(&uri(DB)).expect("load").is_none());
    let parent = ws.dir_for(&uri(DB)).parent().expect("parent").to_path_buf();
    let left = std::fs::read_dir(&parent).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0, "no staging directory is left behind");
}

#[tokio::test]
async fn a_database_that_keeps_changing_is_not_snapshotted() {
    let fake = world();
    fake.faults(UDID, json!({"afc_grow_on_get": "/Documents/notes.db-wal"}));
    let ws = Workspace::new(&fake.workspace);
    let e = ios(&fake).await.pull(&ws, &uri(DB), &CancellationToken::new()).await.expect_err("moving");
    assert!(matches!(e, DeviceError::KeptChanging), "{e}");
    assert!(ws.load(&uri(DB)).expect("load").is_none());
}

#[tokio::test]
async fn transient_afc_errors_are_retried() {
    let fake = world();
    fake.faults(UDID, json!({"afc_transient_get": 2}));
    let ws = Workspace::new(&fake.workspace);
    let snap =
        ios(&fake).await.pull(&ws, &uri(DB), &CancellationToken::new()).await.expect("pull after retries");
    assert_eq!(read(&snap.db_path()), read(&device_file(&fake, DB)));
}

#[tokio::test]
async fn a_hung_afcclient_times_out() {
    let fake = world();
    fake.faults(UDID, json!({"afc_hang": true}));
    let mut ios = ios(&fake).await;
    ios.timeouts.command = Duration::from_millis(700);
    // The guard only catches a hang (the runner's own 700 ms timeout must
    // end the call); how fast it ends is not asserted.
    let cancel = CancellationToken::new();
    let listed = tokio::time::timeout(HANG_GUARD, ios.databases(UDID, APP, &cancel));
    let e = listed.await.expect("the runner's timeout ended the hung call").expect_err("hung");
    assert!(matches!(e, DeviceError::Timeout { tool: "afcclient", .. }), "{e}");
}

#[tokio::test]
async fn a_failing_rename_leaves_the_device_database_unchanged() {
    let fake = world();
    let ws = Workspace::new(&fake.workspace);
    let ios = ios(&fake).await;
    let cancel = CancellationToken::new();
    let mut snap = ios.pull(&ws, &uri(DB), &cancel).await.expect("pull");
    let (old_db, old_wal) =
        (read(&device_file(&fake, DB)), read(&device_file(&fake, "Documents/notes.db-wal")));
    edit(&snap, &sqlite_bytes(42, 2));
    fake.faults(UDID, json!({"afc_fail_mv": true}));
    let e =
        ios.push(&ws, &mut snap, PushOptions::default(), &|_| {}, &cancel).await.expect_err("rename fails");
    assert!(matches!(e, DeviceError::PushRolledBack { .. }), "{e}");
    assert_eq!(read(&device_file(&fake, DB)), old_db);
    assert_eq!(read(&device_file(&fake, "Documents/notes.db-wal")), old_wal);
    assert!(leftovers(&device_file(&fake, "Documents")).is_empty());
    assert_eq!((snap.manifest.pushes, snap.manifest.device.db.size), (0, 8192));
}

#[tokio::test]
async fn a_failing_swap_puts_the_wal_back() {
    let fake = world();
    let ws = Workspace::new(&fake.workspace);
    let ios = ios(&fake).await;
    let cancel = CancellationToken::new();
    let mut snap = ios.pull(&ws, &uri(DB), &cancel).await.expect("pull");
    let (old_db, old_wal) =
        (read(&device_file(&fake, DB)), read(&device_file(&fake, "Documents/notes.db-wal")));
    edit(&snap, &sqlite_bytes(42, 2));
    // The -wal is set aside, then the rename over the database fails.
    fake.faults(UDID, json!({"afc_fail_mv_to": "/Documents/notes.db"}));
    let e = ios.push(&ws, &mut snap, PushOptions::default(), &|_| {}, &cancel).await.expect_err("swap fails");
    assert!(matches!(e, DeviceError::PushRolledBack { .. }), "{e}");
    assert_eq!(read(&device_file(&fake, DB)), old_db);
    assert_eq!(read(&device_file(&fake, "Documents/notes.db-wal")), old_wal, "the -wal is back");
    assert!(leftovers(&device_file(&fake, "Documents")).is_empty());
    let renames: Vec<Vec<String>> =
        fake.calls(UDID).into_iter().filter(|c| c.iter().any(|a| a == "mv")).collect();
    assert_eq!(renames.len(), 3, "aside, swap, restore: {renames:?}");
}

#[tokio::test]
async fn an_upload_that_silently_wrote_nothing_is_caught() {
    let fake = world();
    let ws = Workspace::new(&fake.workspace);
    let ios = ios(&fake).await;
    let cancel = CancellationToken::new();
    let mut snap = ios.pull(&ws, &uri(DB), &cancel).await.expect("pull");
    let old_db = read(&device_file(&fake, DB));
    edit(&snap, &sqlite_bytes(42, 2));
    for fault in [json!({"afc_put_silent_fail": true}), json!({"afc_put_truncate": true})] {
        fake.faults(UDID, fault);
        let e =
            ios.push(&ws, &mut snap, PushOptions::default(), &|_| {}, &cancel).await.expect_err("bad upload");
        assert!(matches!(e, DeviceError::TransferIncomplete { .. }), "{e}");
        assert_eq!(read(&device_file(&fake, DB)), old_db);
        assert!(leftovers(&device_file(&fake, "Documents")).is_empty());
    }
}

#[tokio::test]
async fn hostile_names_stay_names() {
    let fake = world();
    let ws = Workspace::new(&fake.workspace);
    let ios = ios(&fake).await;
    let cancel = CancellationToken::new();
    let canary = fake.root.join("canary");
    std::fs::write(&canary, b"alive").expect("canary");
    for (path, bytes) in [("Documents/x.db; rm -rf ~", sqlite_bytes(3, 1)), (HOSTILE, sqlite_bytes(8, 1))] {
        let hostile = DeviceUri::parse(&uri(path).to_string()).expect("parse");
        let mut snap = ios.pull(&ws, &hostile, &cancel).await.expect("pull hostile name");
        assert_eq!(read(&snap.db_path()), bytes);
        assert!(snap.dir.starts_with(&fake.workspace));
        edit(&snap, &sqlite_bytes(9, 1));
        ios.push(&ws, &mut snap, PushOptions::default(), &|_| {}, &cancel).await.expect("push hostile name");
        assert_eq!(read(&device_file(&fake, path)), sqlite_bytes(9, 1));
    }
    assert!(canary.exists());
    for bad in [format!("ios://{UDID}/{APP}/../../.bashrc"), format!("ios://{UDID}/{APP}/Documents/../../x")]
    {
        assert!(DeviceUri::parse(&bad).is_err(), "{bad}");
    }
    for path in ["../../.bashrc", "Documents/../../../etc/passwd", "/etc/passwd"] {
        let e = ios.pull(&ws, &uri(path), &cancel).await.expect_err(path);
        assert!(matches!(e, DeviceError::InvalidName { .. }), "{path}: {e}");
    }
    let e = ios.databases(UDID, "com.x;reboot", &cancel).await.expect_err("bundle");
    assert!(matches!(e, DeviceError::InvalidName { .. }), "{e}");
    assert!(
        fake.calls(UDID).iter().all(|c| !c.iter().any(|a| a.contains(".."))),
        "no traversal ever reached the tool"
    );
}
