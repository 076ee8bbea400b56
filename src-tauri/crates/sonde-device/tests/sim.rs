//! The simulator adapter against a fake `xcrun simctl` (a Python script in
//! `tests/fakes/` printing simctl's JSON and OpenStep formats; the real one
//! exists only on macOS with Xcode). Each test builds its own fake world.

#![cfg(unix)]

#[path = "fakes/harness.rs"]
mod harness;

use harness::{metadata_plist, put, read, sqlite_bytes, wal_bytes, Fake};
use serde_json::json;
use sonde_device::model::{DeviceKind, DeviceState};
use sonde_device::runner::CancellationToken;
use sonde_device::sim::Sim;
use sonde_device::tools::Tool;
use sonde_device::{DeviceError, DeviceUri, Platform};
use std::path::PathBuf;

const BOOTED: &str = "8A1F2C3D-0000-4000-8000-00000000B007";
const OFF: &str = "8A1F2C3D-0000-4000-8000-000000000FF0";
const APP: &str = "com.example.notes";
const GROUP: &str = "group.com.example.shared";

/// A booted iPhone with Notes (data + app-group containers) and Safari, a
/// shut-down iPad, and an unavailable simulator.
fn world() -> Fake {
    let fake = Fake::new();
    fake.write_json(
        "sims/devices.json",
        &json!([
            {"udid": BOOTED, "name": "iPhone 15", "runtime": "com.apple.CoreSimulator.SimRuntime.iOS-17-0", "state": "Booted", "deviceType": "iPhone-15"},
            {"udid": OFF, "name": "iPad Air", "runtime": "com.apple.CoreSimulator.SimRuntime.iOS-16-4", "state": "Shutdown", "deviceType": "iPad-Air-5th-generation"},
            {"udid": "DEAD-0001", "name": "Old", "runtime": "com.apple.CoreSimulator.SimRuntime.iOS-12-0", "state": "Shutdown", "isAvailable": false}
        ]),
    );
    fake.write_json(
        &format!("sims/{BOOTED}/apps.json"),
        &json!([
            {"id": APP, "type": "User", "name": "Café Notes", "version": "1.2", "groups": [GROUP]},
            {"id": "com.apple.mobilesafari", "type": "System", "name": "Safari", "version": "17.0"}
        ]),
    );
    let data = fake.sim_data(BOOTED, APP);
    put(&data.join("Documents/notes.db"), &sqlite_bytes(1, 2));
    put(&data.join("Documents/notes.db-wal"), &wal_bytes(1, 4152));
    put(&data.join("Documents/notes.db-shm"), &[0u8; 32768]);
    put(&data.join("Documents/readme.txt"), b"hello");
    put(&data.join("Documents/store"), &sqlite_bytes(2, 1));
    put(&data.join("Library/Application Support/Model.sqlite"), &sqlite_bytes(3, 1));
    put(&data.join("Library/Application Support/Model.sqlite-journal"), b"hot journal");
    put(&fake.sim_group(BOOTED, GROUP).join("Library/shared.sqlite"), &sqlite_bytes(4, 1));
    std::fs::create_dir_all(fake.sim_data(BOOTED, "com.apple.mobilesafari")).expect("mkdir");
    // The shut-down iPad: containers named by UUID, known by their metadata.
    let apps = fake.sim_dir(OFF).join("data/Containers/Data/Application");
    let meta = ".com.apple.mobile_container_manager.metadata.plist";
    put(&apps.join("0E7C1A2B-1111-4222-8333-444455556666").join(meta), &metadata_plist(APP));
    put(&apps.join("0E7C1A2B-1111-4222-8333-444455556666/Documents/offline.db"), &sqlite_bytes(5, 1));
    put(
        &apps.join("9F00AA00-1111-4222-8333-444455556666").join(meta),
        &metadata_plist("com.apple.Preferences"),
    );
    put(&apps.join("BAD00000-1111-4222-8333-444455556666").join(meta), b"bplist00 damaged");
    put(&apps.join("EVIL0000-1111-4222-8333-444455556666").join(meta), &metadata_plist("../../etc"));
    std::fs::create_dir_all(apps.join("NOMETA00-1111-4222-8333-444455556666")).expect("mkdir");
    fake
}

async fn sim(fake: &Fake) -> Sim {
    let tools = fake.tools().await;
    Sim::new(tools.path(Tool::Xcrun).expect("fake xcrun found").to_path_buf())
}

fn uri(path: &str) -> DeviceUri {
    DeviceUri::for_file(Platform::Sim, BOOTED, APP, path)
}

#[tokio::test]
async fn lists_available_simulators() {
    let fake = world();
    let devices = sim(&fake).await.devices(&CancellationToken::new()).await.expect("devices");
    let ids: Vec<&str> = devices.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, [BOOTED, OFF], "booted first, the unavailable one skipped");
    let phone = &devices[0];
    assert_eq!((phone.name.as_str(), phone.model.as_deref()), ("iPhone 15", Some("iPhone 15")));
    assert_eq!(phone.os_version.as_deref(), Some("iOS 17.0"));
    assert_eq!(
        (phone.state, phone.kind, phone.platform),
        (DeviceState::Ready, DeviceKind::Simulator, Platform::Sim)
    );
    assert_eq!(
        (devices[1].state, devices[1].os_version.as_deref()),
        (DeviceState::Shutdown, Some("iOS 16.4"))
    );
    assert_eq!(devices[1].raw_state, "Shutdown");
}

#[tokio::test]
async fn lists_user_and_system_apps() {
    let fake = world();
    let sim = sim(&fake).await;
    let cancel = CancellationToken::new();
    let user = sim.apps(BOOTED, false, &cancel).await.expect("apps");
    assert_eq!(user.len(), 1);
    assert_eq!((user[0].id.as_str(), user[0].name.as_deref()), (APP, Some("Café Notes")));
    assert_eq!((user[0].version.as_deref(), user[0].system), (Some("1.2"), false));
    let all = sim.apps(BOOTED, true, &cancel).await.expect("all");
    assert_eq!(
        all.iter().map(|a| (a.id.as_str(), a.system)).collect::<Vec<_>>(),
        [("com.apple.mobilesafari", true), (APP, false)]
    );
    let e = sim.apps("NOT-A-SIM", false, &cancel).await.expect_err("unknown");
    assert!(matches!(e, DeviceError::DeviceNotFound { .. }), "{e}");
}

#[tokio::test]
async fn finds_databases_in_data_and_group_containers() {
    let fake = world();
    let dbs = sim(&fake).await.databases(BOOTED, APP, &CancellationToken::new()).await.expect("databases");
    let found: Vec<(&str, bool, bool)> = dbs.iter().map(|d| (d.path.as_str(), d.wal, d.journal)).collect();
    assert_eq!(
        found,
        [
            ("Documents/notes.db", true, false),
            ("Documents/store", false, false),
            ("Library/Application Support/Model.sqlite", false, true),
            ("groups/group.com.example.shared/Library/shared.sqlite", false, false),
        ]
    );
    assert_eq!(dbs[0].size, Some(8192));
    for db in &dbs {
        assert_eq!(DeviceUri::parse(&db.uri).expect("uri").path, db.path);
    }
    let e = sim(&fake).await.databases(BOOTED, "com.example.absent", &CancellationToken::new()).await;
    assert!(matches!(e, Err(DeviceError::UnknownPackage { .. })));
}

#[tokio::test]
async fn resolves_databases_in_place() {
    let fake = world();
    let sim = sim(&fake).await;
    let cancel = CancellationToken::new();
    let path = sim.resolve(&uri("Documents/notes.db"), &cancel).await.expect("resolve");
    let expected =
        std::fs::canonicalize(fake.sim_data(BOOTED, APP).join("Documents/notes.db")).expect("canon");
    assert_eq!(path, expected);
    assert!(path.to_str().expect("utf-8").contains("fake root"), "file:// URL decoded: {}", path.display());
    let shared =
        sim.resolve(&uri(&format!("groups/{GROUP}/Library/shared.sqlite")), &cancel).await.expect("group");
    assert_eq!(read(&shared), sqlite_bytes(4, 1));
}

/// An app reinstalled on a simulator gets a new data container id: the same
/// `sim://` URI (device, bundle, path inside the container, which is what
/// recent databases and Sonde's state are keyed by) finds it there.
#[tokio::test]
async fn a_reinstalled_app_is_found_in_its_new_container() {
    let fake = world();
    let sim = sim(&fake).await;
    let cancel = CancellationToken::new();
    let before = sim.resolve(&uri("Documents/notes.db"), &cancel).await.expect("resolve");
    let apps = fake.sim_dir(BOOTED).join("data/Containers/Data/Application");
    let new_id = "5D0C0FFE-2222-4333-8444-555566667777";
    std::fs::rename(fake.sim_data(BOOTED, APP), apps.join(new_id)).expect("reinstall");
    fake.write_json(
        &format!("sims/{BOOTED}/apps.json"),
        &json!([{"id": APP, "type": "User", "name": "Café Notes", "version": "1.3", "groups": [GROUP], "container": new_id}]),
    );
    let after = sim.resolve(&uri("Documents/notes.db"), &cancel).await.expect("resolve after reinstall");
    assert_ne!(before, after);
    assert!(
        after.starts_with(std::fs::canonicalize(apps.join(new_id)).expect("canon")),
        "{}",
        after.display()
    );
    assert_eq!(read(&after), sqlite_bytes(1, 2));
}

#[tokio::test]
async fn resolve_refuses_traversal_and_symlink_escapes() {
    let fake = world();
    let sim = sim(&fake).await;
    let cancel = CancellationToken::new();
    let data = fake.sim_data(BOOTED, APP);
    put(&fake.root.join("secret.db"), &sqlite_bytes(9, 1));
    std::os::unix::fs::symlink(fake.root.join("secret.db"), data.join("Documents/escape.db"))
        .expect("symlink");
    std::os::unix::fs::symlink(&fake.root, data.join("Documents/out")).expect("symlink");
    for (path, why) in [
        ("../../../../../secret.db", "traversal"),
        ("Documents/escape.db", "symlinked file"),
        ("Documents/out/secret.db", "symlinked dir"),
        ("groups/../Documents/notes.db", "traversal via groups"),
        ("/etc/passwd", "absolute"),
    ] {
        let e = sim.resolve(&uri(path), &cancel).await.expect_err(why);
        assert!(matches!(e, DeviceError::InvalidName { .. }), "{why}: {e}");
    }
    let e = sim.resolve(&uri("Documents/absent.db"), &cancel).await.expect_err("absent");
    assert!(matches!(e, DeviceError::NoSuchFile { .. }), "{e}");
    let e = sim.resolve(&uri("groups/group.other/x.db"), &cancel).await.expect_err("other group");
    assert!(matches!(e, DeviceError::NoAppGroup { .. }), "{e}");
    let e =
        sim.resolve(&DeviceUri::for_file(Platform::Ios, BOOTED, APP, "Documents/notes.db"), &cancel).await;
    assert!(matches!(e, Err(DeviceError::BadUri { .. })));
    let listed = sim.databases(BOOTED, APP, &cancel).await.expect("databases");
    assert!(
        listed.iter().all(|d| !d.path.contains("escape") && !d.path.contains("out/")),
        "symlinks are not followed"
    );
}

#[tokio::test]
async fn the_wal_is_never_touched() {
    let fake = world();
    let sim = sim(&fake).await;
    let cancel = CancellationToken::new();
    let docs = fake.sim_data(BOOTED, APP).join("Documents");
    // Bytes (as a hash, to keep failure messages short) and mtime.
    let snapshot = |name: &str| -> (String, std::time::SystemTime) {
        let p: PathBuf = docs.join(name);
        let modified = std::fs::metadata(&p).expect("meta").modified().expect("mtime");
        (sonde_device::hash::sha256_file(&p).expect("hash").0, modified)
    };
    let before = (snapshot("notes.db-wal"), snapshot("notes.db-shm"));
    sim.databases(BOOTED, APP, &cancel).await.expect("databases");
    sim.resolve(&uri("Documents/notes.db"), &cancel).await.expect("resolve");
    assert_eq!((snapshot("notes.db-wal"), snapshot("notes.db-shm")), before, "bytes and mtime unchanged");
}

#[tokio::test]
async fn a_shut_down_simulator_is_read_from_disk() {
    let fake = world();
    let sim = sim(&fake).await;
    let cancel = CancellationToken::new();
    let apps = sim.apps(OFF, true, &cancel).await.expect("apps of a shut-down simulator");
    let listed: Vec<(&str, bool)> = apps.iter().map(|a| (a.id.as_str(), a.system)).collect();
    assert_eq!(
        listed,
        [("com.apple.Preferences", true), (APP, false)],
        "damaged or hostile metadata is skipped"
    );
    assert_eq!(sim.apps(OFF, false, &cancel).await.expect("user apps").len(), 1);
    let dbs = sim.databases(OFF, APP, &cancel).await.expect("databases");
    assert_eq!(dbs.iter().map(|d| d.path.as_str()).collect::<Vec<_>>(), ["Documents/offline.db"]);
    let path =
        sim.resolve(&DeviceUri::for_file(Platform::Sim, OFF, APP, "Documents/offline.db"), &cancel).await;
    assert_eq!(read(&path.expect("resolve")), sqlite_bytes(5, 1));
}

#[tokio::test]
async fn a_shut_down_simulator_boots_and_a_booted_one_is_left_alone() {
    let fake = world();
    let sim = sim(&fake).await;
    let cancel = CancellationToken::new();
    let state = |devices: &[sonde_device::model::Device], id: &str| {
        devices.iter().find(|d| d.id == id).map(|d| d.state).expect("listed")
    };
    let before = sim.devices(&cancel).await.expect("devices");
    assert_eq!(state(&before, OFF), DeviceState::Shutdown);
    assert!(!sim.boot(OFF, &cancel).await.expect("boot"), "it was shut down");
    let after = sim.devices(&cancel).await.expect("devices");
    assert_eq!(state(&after, OFF), DeviceState::Ready);
    assert!(sim.boot(BOOTED, &cancel).await.expect("boot a booted one"), "already running");
    let e = sim.boot("NOT-A-SIM", &cancel).await.expect_err("unknown");
    assert!(matches!(e, DeviceError::DeviceNotFound { .. }), "{e}");
    let e = sim.boot("x;reboot", &cancel).await.expect_err("hostile");
    assert!(matches!(e, DeviceError::InvalidName { .. }), "{e}");
}
