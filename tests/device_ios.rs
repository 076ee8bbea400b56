//! The iOS adapter against the simulated iPhone (`sonde-devsim ios`),
//! through both ways of reaching an app container: Sonde's native AFC
//! client, and the tool path (`afcclient`; a fake, since the real one is
//! not packaged in Debian). Device and app listings always go through the
//! real Debian tools (`idevice_id`, `ideviceinfo`, `ideviceinstaller`).

#![cfg(target_os = "linux")]

mod common;

use common::iphone::{require_tools, Iphone, BANK, JOURNAL, JOURNAL_DB, PATHS, PLANNER, PLANNER_DB};
use sonde_device::ios::native::usbmux::MuxAddress;
use sonde_device::ios::AfcPath;
use sonde_device::model::{DeviceState, PushOptions};
use sonde_device::runner::CancellationToken;
use sonde_device::snapshot::Workspace;
use sonde_device::DeviceError;
use std::path::Path;

fn rows(db: &Path, sql: &str) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    conn.query_row(sql, [], |r| r.get(0)).expect("query")
}

#[tokio::test]
async fn the_real_tools_list_the_phone_and_its_apps() {
    let phone = Iphone::start();
    let scratch = tempfile::tempdir().expect("tmp");
    let ios = phone.adapter(AfcPath::Native, scratch.path()).await;
    let cancel = CancellationToken::new();
    let devices = ios.devices(&cancel).await.expect("devices");
    assert_eq!(devices.len(), 1, "{devices:?}");
    let d = &devices[0];
    assert_eq!((d.id.as_str(), d.state), (phone.udid.as_str(), DeviceState::Ready));
    assert_eq!(d.name, "Sonde Simulated iPhone");
    assert_eq!(d.os_version.as_deref(), Some("iOS 17.4.1"));

    let apps = ios.apps(&phone.udid, false, &cancel).await.expect("apps");
    let app = |id: &str| apps.iter().find(|a| a.id == id).unwrap_or_else(|| panic!("{id} in {apps:?}"));
    assert_eq!(app(PLANNER).debuggable, Some(true));
    assert_eq!(app(JOURNAL).debuggable, Some(true));
    assert_eq!(app(BANK).debuggable, Some(false), "a release build refuses its container");
}

#[tokio::test]
async fn both_paths_find_pull_and_push_the_same_databases() {
    let phone = Iphone::start();
    phone.set_faults(serde_json::json!({ "trace": true }));
    let cancel = CancellationToken::new();
    let mut listings = Vec::new();
    for path in PATHS {
        phone.take_trace();
        let scratch = tempfile::tempdir().expect("tmp");
        let ios = phone.adapter(path, scratch.path()).await;
        let mut dbs: Vec<String> = ios
            .databases(&phone.udid, PLANNER, &cancel)
            .await
            .expect("databases")
            .into_iter()
            .map(|f| f.path)
            .collect();
        dbs.sort();
        assert!(dbs.contains(&PLANNER_DB.to_owned()), "{path:?}: {dbs:?}");
        listings.push(dbs);

        // A verified pull: the Core Data store with its -wal, bytes as on the phone.
        let ws = Workspace::new(scratch.path().join("ws"));
        let u = phone.uri(PLANNER, PLANNER_DB);
        let snap = ios.pull(&ws, &u, &cancel).await.expect("pull");
        let on_phone = std::fs::read(phone.file(PLANNER, PLANNER_DB)).expect("phone db");
        assert_eq!(std::fs::read(snap.db_path()).expect("snapshot"), on_phone, "{path:?}");
        let wal = std::fs::read(phone.file(PLANNER, &format!("{PLANNER_DB}-wal"))).expect("phone wal");
        assert_eq!(std::fs::read(snap.side_path("-wal")).expect("snapshot wal"), wal, "{path:?}");
        // Both read the bytes from the phone over AFC; Sonde's own client
        // keeps one container session, the tool opens one per command.
        let trace = phone.take_trace();
        assert!(trace.iter().any(|s| s.starts_with("afc:FILE_READ")), "{path:?}: {trace:?}");
        let vended = trace.iter().filter(|s| s.starts_with("house_arrest:VendContainer")).count();
        assert_eq!(vended == 1, path == AfcPath::Native, "{path:?}: {vended} sessions");
    }
    assert_eq!(listings[0], listings[1], "the native and the tool path list the same databases");

    for (n, path) in PATHS.into_iter().enumerate() {
        // An edit pushed back lands in the container, checked with SQLite.
        let scratch = tempfile::tempdir().expect("tmp");
        let ios = phone.adapter(path, scratch.path()).await;
        let ws = Workspace::new(scratch.path().join("ws"));
        let u = phone.uri(JOURNAL, JOURNAL_DB);
        let mut snap = ios.pull(&ws, &u, &cancel).await.expect("pull");
        let db = snap.db_path();
        {
            let conn = rusqlite::Connection::open(&db).expect("open snapshot");
            conn.execute_batch(&format!(
                "PRAGMA journal_mode=DELETE; CREATE TABLE IF NOT EXISTS sonde_probe(n); INSERT INTO sonde_probe VALUES ({n});"
            ))
            .expect("edit");
        }
        let _ = std::fs::remove_file(snap.side_path("-wal"));
        let report = ios.push(&ws, &mut snap, PushOptions::default(), &|_| {}, &cancel).await.expect("push");
        assert!(report.bytes > 0);
        let on_phone = phone.file(JOURNAL, JOURNAL_DB);
        assert_eq!(rows(&on_phone, "SELECT count(*) FROM sonde_probe"), n as i64 + 1, "{path:?}");
        let leftovers: Vec<_> = std::fs::read_dir(on_phone.parent().expect("dir"))
            .expect("ls")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|f| f.contains("sonde"))
            .collect();
        assert!(leftovers.is_empty(), "{path:?} left {leftovers:?}");
    }
}

#[tokio::test]
async fn refusals_have_their_own_errors_on_both_paths() {
    let phone = Iphone::start();
    let cancel = CancellationToken::new();
    for path in PATHS {
        let scratch = tempfile::tempdir().expect("tmp");
        let ios = phone.adapter(path, scratch.path()).await;
        let ws = Workspace::new(scratch.path().join("ws"));
        let e = ios
            .pull(&ws, &phone.uri(BANK, "Documents/vault.sqlite"), &cancel)
            .await
            .expect_err("release build");
        assert!(matches!(e, DeviceError::NotDevelopmentBuild { .. }), "{path:?}: {e}");
        let e = ios
            .pull(&ws, &phone.uri(JOURNAL, "Documents/missing.sqlite"), &cancel)
            .await
            .expect_err("missing");
        assert!(matches!(e, DeviceError::NoSuchFile { .. }), "{path:?}: {e}");
    }

    // Lock and trust are the phone's, seen by lockdown through either path
    // (afcclient says so on stderr; the native client reads lockdown's error).
    for path in PATHS {
        let scratch = tempfile::tempdir().expect("tmp");
        let ios = phone.adapter(path, scratch.path()).await;
        let ws = Workspace::new(scratch.path().join("ws"));
        let u = phone.uri(JOURNAL, JOURNAL_DB);
        phone.set_state(true, "trusted");
        let e = ios.pull(&ws, &u, &cancel).await.expect_err("locked");
        assert!(matches!(e, DeviceError::Locked { .. }), "{path:?}: {e}");
        // ideviceinstaller cannot start installation_proxy on a locked phone.
        let e = ios.apps(&phone.udid, false, &cancel).await.expect_err("locked");
        assert!(matches!(e, DeviceError::Locked { .. }), "{path:?}: {e}");
        phone.set_state(false, "denied");
        let e = ios.pull(&ws, &u, &cancel).await.expect_err("untrusted");
        assert!(matches!(e, DeviceError::Untrusted { .. }), "{path:?}: {e}");
        phone.set_state(false, "trusted");
        ios.pull(&ws, &u, &cancel).await.expect("trusted again");
    }
}

#[tokio::test]
async fn a_missing_usbmuxd_is_one_clear_error() {
    let scratch = tempfile::tempdir().expect("tmp");
    let phone = Iphone::start();
    let ios = phone
        .adapter(AfcPath::Native, scratch.path())
        .await
        .with_usbmuxd(MuxAddress::Unix(scratch.path().join("nothing.sock").to_string_lossy().into_owned()));
    let ws = Workspace::new(scratch.path().join("ws"));
    let e =
        ios.pull(&ws, &phone.uri(JOURNAL, JOURNAL_DB), &CancellationToken::new()).await.expect_err("no mux");
    assert!(matches!(e, DeviceError::MuxUnavailable { .. }), "{e}");
    assert!(e.to_string().contains("usbmuxd"), "{e}");
}

/// `sonde` with the phone's usbmuxd, the real tools on PATH and no `afcclient`.
fn sonde_on(phone: &Iphone, data: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(common::sonde_bin())
        .args(args)
        .env("USBMUXD_SOCKET_ADDRESS", phone.mux_env())
        .env("PATH", "/usr/bin:/bin")
        .env("SONDE_DATA_DIR", data)
        .env_remove("SONDE_AFCCLIENT")
        .env_remove("SONDE_IOS_AFC")
        .env_remove("SONDE_LOG")
        .output()
        .expect("run sonde")
}

#[test]
fn the_cli_reaches_the_phone_through_usbmuxd_socket_address_without_afcclient() {
    require_tools();
    let phone = Iphone::start();
    let data = tempfile::tempdir().expect("tmp");
    let out = sonde_on(&phone, data.path(), &["doctor"]);
    let doctor = String::from_utf8_lossy(&out.stdout);
    assert!(doctor.contains("iOS app containers: built-in AFC client"), "{doctor}");

    let out = sonde_on(&phone, data.path(), &["devices"]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&phone.udid),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = sonde_on(&phone, data.path(), &["dbs", &phone.udid, JOURNAL]);
    let dbs = String::from_utf8_lossy(&out.stdout);
    assert!(dbs.contains(JOURNAL_DB), "{dbs}{}", String::from_utf8_lossy(&out.stderr));

    let location = format!("ios://{}/{JOURNAL}/{JOURNAL_DB}", phone.udid);
    let out = sonde_on(&phone, data.path(), &["tables", &location]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("grdb_migrations"));

    let bank = format!("ios://{}/{BANK}/Documents/vault.sqlite", phone.udid);
    let out = sonde_on(&phone, data.path(), &["tables", &bank]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1, "{err}");
    assert!(err.contains("not a development build"), "{err}");
}
