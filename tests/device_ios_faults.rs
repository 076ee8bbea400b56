//! The iOS fault matrix, on the simulated iPhone through both ways of
//! reaching a container (Sonde's native AFC client, and `afcclient`: the
//! fake that speaks AFC over the phone's usbmuxd, so the phone's faults
//! reach it as they would reach the real tool): every step of a push (and
//! of a pull) dropped or stalled before, during or after it. Whatever happens, the container holds exactly the
//! old or the new database: a push that reports success left the new one,
//! a failed push one of the two (never a mix, never a missing file), and
//! the next push without faults lands and leaves nothing behind.

#![cfg(target_os = "linux")]

mod common;

use common::iphone::{Iphone, JOURNAL, JOURNAL_DB, PATHS};
use serde_json::json;
use sha2::{Digest, Sha256};
use sonde_device::ios::{AfcPath, Ios};
use sonde_device::model::PushOptions;
use sonde_device::runner::{CancellationToken, Timeouts};
use sonde_device::snapshot::{Snapshot, Workspace};
use sonde_device::{DeviceUri, Platform};
use std::path::Path;

/// Steps of a push over AFC, as the simulator names them.
const PUSH_STEPS: [&str; 8] = [
    "usbmuxd:Connect",
    "lockdown:StartSession",
    "house_arrest:VendContainer",
    "afc:FILE_OPEN",
    "afc:FILE_WRITE",
    "afc:FILE_READ",
    "afc:RENAME_PATH",
    "afc:REMOVE_PATH",
];

fn sha(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).expect("read")))
}

async fn ios(phone: &Iphone, path: AfcPath, scratch: &Path) -> Ios {
    let mut ios = phone.adapter(path, scratch).await;
    // A stall is noticed after a couple of seconds, not twenty (the tool
    // path starts a process and a TLS session per command).
    ios.timeouts = Timeouts::new(2, 2, 50);
    ios
}

fn leftovers(phone: &Iphone) -> Vec<String> {
    std::fs::read_dir(phone.file(JOURNAL, "Documents"))
        .expect("ls")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.contains("sonde"))
        .collect()
}

/// A checkpointed edit in the snapshot (a row tagged `tag`); returns the
/// hash of the new database.
fn edit(snap: &Snapshot, tag: usize) -> String {
    let conn = rusqlite::Connection::open(snap.db_path()).expect("open snapshot");
    conn.execute_batch(&format!(
        "PRAGMA journal_mode=DELETE; CREATE TABLE IF NOT EXISTS fault_probe(n); INSERT INTO fault_probe VALUES ({tag});"
    ))
    .expect("edit");
    drop(conn);
    let _ = std::fs::remove_file(snap.side_path("-wal"));
    sha(&snap.db_path())
}

/// Pulls, edits (a row tagged `tag`) and pushes; returns the push's result
/// and the hash the new database has.
async fn edit_and_push(
    ios: &Ios,
    phone: &Iphone,
    ws: &Workspace,
    tag: usize,
) -> (Result<(), String>, String) {
    let cancel = CancellationToken::new();
    let uri = DeviceUri::for_file(Platform::Ios, &phone.udid, JOURNAL, JOURNAL_DB);
    let mut snap = ios.pull(ws, &uri, &cancel).await.expect("pull without faults");
    let new = edit(&snap, tag);
    let result = ios
        .push(ws, &mut snap, PushOptions::default(), &|_| {}, &cancel)
        .await
        .map(drop)
        .map_err(|e| e.to_string());
    (result, new)
}

#[tokio::test]
async fn every_push_step_under_drop_and_stall_leaves_the_old_or_the_new_database() {
    for path in PATHS {
        push_matrix(path).await;
    }
}

async fn push_matrix(path: AfcPath) {
    let phone = Iphone::start();
    let bin = tempfile::tempdir().expect("tmp");
    let ios = ios(&phone, path, bin.path()).await;
    let db = phone.file(JOURNAL, JOURNAL_DB);
    let mut case = 0;
    let mut outcomes = (0, 0);
    for step in PUSH_STEPS {
        for rule in [
            json!({"match": step, "action": "drop", "when": "before", "times": 1}),
            json!({"match": step, "action": "drop", "when": "after", "times": 1}),
            json!({"match": step, "action": "drop", "when": "during", "after_bytes": 64, "times": 1}),
            json!({"match": step, "action": "drop", "when": "before", "skip": 1, "times": 1}),
            json!({"match": step, "action": "stall", "when": "before", "times": 1}),
        ] {
            case += 1;
            let scratch = tempfile::tempdir().expect("tmp");
            let ws = Workspace::new(scratch.path().join("ws"));
            let old = sha(&db);
            // The rule arms after the pull: the pull is not under test here.
            let cancel = CancellationToken::new();
            let uri = DeviceUri::for_file(Platform::Ios, &phone.udid, JOURNAL, JOURNAL_DB);
            let mut snap = ios.pull(&ws, &uri, &cancel).await.expect("pull without faults");
            let new = edit(&snap, case);
            phone.set_faults(json!({ "rules": [rule] }));
            let result = ios.push(&ws, &mut snap, PushOptions::default(), &|_| {}, &cancel).await;
            phone.set_faults(json!({}));
            let now = sha(&db);
            match &result {
                Ok(_) => {
                    outcomes.0 += 1;
                    assert_eq!(now, new, "{path:?} {rule}: a successful push left the new database");
                }
                Err(e) => {
                    outcomes.1 += 1;
                    assert!(
                        now == old || now == new,
                        "{path:?} {rule}: after `{e}` the database is neither old nor new"
                    );
                    assert!(!e.to_string().is_empty());
                }
            }
            // The next push without faults lands and cleans up.
            let ws = Workspace::new(scratch.path().join("ws2"));
            let (again, expected) = edit_and_push(&ios, &phone, &ws, 10_000 + case).await;
            again.unwrap_or_else(|e| panic!("{path:?} {rule}: the push after the fault failed: {e}"));
            assert_eq!(sha(&db), expected, "{path:?} {rule}");
            assert!(leftovers(&phone).is_empty(), "{path:?} {rule}: left {:?}", leftovers(&phone));
        }
    }
    // Both outcomes happened: faults before the swap fail the push, faults
    // the retries absorb do not.
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "{path:?}: outcomes (ok, failed): {outcomes:?}");
}

#[tokio::test]
async fn a_pull_under_faults_installs_an_exact_copy_or_nothing() {
    for path in PATHS {
        pull_faults(path).await;
    }
}

async fn pull_faults(path: AfcPath) {
    let phone = Iphone::start();
    let bin = tempfile::tempdir().expect("tmp");
    let ios = ios(&phone, path, bin.path()).await;
    let db = phone.file(JOURNAL, JOURNAL_DB);
    let cancel = CancellationToken::new();
    let uri = DeviceUri::for_file(Platform::Ios, &phone.udid, JOURNAL, JOURNAL_DB);
    for rule in [
        json!({"match": "afc:FILE_READ", "action": "drop", "when": "during", "after_bytes": 100}),
        json!({"match": "afc:FILE_READ", "action": "drop", "when": "during", "after_bytes": 100, "times": 1}),
        json!({"match": "afc:FILE_READ", "action": "stall"}),
        json!({"match": "afc:GET_FILE_INFO", "action": "drop", "times": 2}),
        json!({"match": "usbmuxd:ReadPairRecord", "action": "drop"}),
        json!({"detach": true}),
    ] {
        let scratch = tempfile::tempdir().expect("tmp");
        let ws = Workspace::new(scratch.path().join("ws"));
        let faults = if rule.get("detach").is_some() { rule.clone() } else { json!({ "rules": [rule] }) };
        phone.set_faults(faults);
        let result = ios.pull(&ws, &uri, &cancel).await;
        phone.set_faults(json!({}));
        match result {
            Ok(snap) => assert_eq!(sha(&snap.db_path()), sha(&db), "{path:?} {rule}: the copy is exact"),
            Err(e) => {
                assert!(
                    ws.load(&uri).expect("load").is_none(),
                    "{path:?} {rule}: a failed pull installed a snapshot ({e})"
                );
            }
        }
    }
    // Unfaulted again: the phone serves the next pull.
    let ws = Workspace::new(tempfile::tempdir().expect("tmp").path().join("ws"));
    ios.pull(&ws, &uri, &cancel).await.expect("pull after the faults");
}
