//! Device faults injected by sonde-devsim under the real adb client: drops,
//! stalls, unanswered opens, slow links, unauthorized and offline devices.
//! After each: a typed error (never a hang), nothing partial kept locally,
//! the device database unchanged (or wholly replaced), unpushed edits kept.

mod common;

use common::device::Lab;
use common::{json, sha256};
use serde_json::json as j;

fn shop_uri(lab: &Lab) -> String {
    format!("android://{}/com.example.shop/databases/shop.db", lab.sim().serial)
}

fn fault_lab() -> Lab {
    let mut lab = Lab::demo(1);
    lab.timeout_ms = 3000;
    lab
}

/// Hashes of the device's shop database and its side files.
fn device_state(lab: &Lab) -> Vec<Option<String>> {
    common::side_hashes(&lab.sim().fs("data/data/com.example.shop/databases/shop.db"))
}

fn assert_no_snapshot(lab: &Lab) {
    let files = lab.snapshot_files();
    assert!(
        !files.iter().any(|f| f.ends_with("db.sqlite") || f.contains(".staging-")),
        "nothing partial may be kept: {files:?}"
    );
}

#[test]
fn dropped_or_stalled_pulls_keep_nothing() {
    let lab = fault_lab();
    let uri = shop_uri(&lab);
    for rule in [
        j!({"match": "exec:", "action": "drop", "after_bytes": 4096}),
        j!({"match": "exec:", "action": "stall", "after_bytes": 1000}),
        j!({"match": "sha256sum", "action": "never_open"}),
        j!({"match": "exec:", "action": "slow", "bytes_per_sec": 4000}),
    ] {
        lab.sim().set_faults(j!({"rules": [rule]}));
        let err = lab.sonde_err(&["pull", &uri]);
        assert!(
            ["did not answer", "incomplete", "offline", "not found", "kept changing", "failed"]
                .iter()
                .any(|w| err.contains(w)),
            "{rule}: {err}"
        );
        assert_no_snapshot(&lab);
        lab.sim().set_faults(j!({}));
        lab.wait_ready(&lab.sim().serial);
    }
    // Once the link is healthy the same pull works, and a slow-but-sufficient
    // link is fine too.
    lab.sim().set_faults(j!({"rules": [{"match": "exec:", "action": "slow", "bytes_per_sec": 400_000}]}));
    let path = lab.sonde_ok(&["pull", &uri]);
    let snapshot = std::path::PathBuf::from(path.trim());
    assert_eq!(
        sha256(&snapshot),
        sha256(&lab.sim().fs("data/data/com.example.shop/databases/shop.db")),
        "verified copy"
    );
}

#[test]
fn a_push_that_fails_midway_leaves_the_device_as_it_was_and_keeps_the_edits() {
    let lab = fault_lab();
    let uri = shop_uri(&lab);
    lab.sonde_ok(&["update", &uri, "users", "--key", "1", "--set", "username=pending edit"]);
    let before = device_state(&lab);
    for rule in [
        j!({"match": "sync:", "action": "drop", "after_bytes": 2000}),
        j!({"match": "sync:", "action": "stall", "after_bytes": 2000}),
        j!({"match": "sync:", "action": "never_open"}),
        j!({"match": "sha256sum", "action": "drop", "times": 2}),
        j!({"match": "'cp'", "action": "never_open"}),
    ] {
        lab.sim().set_faults(j!({"rules": [rule]}));
        let out = lab.sonde(&["push", &uri]);
        lab.sim().set_faults(j!({}));
        lab.wait_ready(&lab.sim().serial);
        assert!(!out.status.success(), "{rule}: push should fail");
        assert_eq!(device_state(&lab), before, "{rule}: device unchanged");
        // The edit is still in the local snapshot.
        let page = json(&lab.sonde_ok(&["rows", &uri, "users", "--where", "id = 1", "--json"]));
        assert_eq!(page["rows"][0]["values"][1], "pending edit", "{rule}");
    }
    // No temp files were left on the device.
    let leftovers: Vec<String> =
        common::walk(&lab.sim().fs("")).into_iter().filter(|p| p.contains("sonde")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    lab.sonde_ok(&["push", &uri]);
    assert_ne!(device_state(&lab), before);
}

#[test]
fn a_push_interrupted_at_the_swap_is_all_or_nothing() {
    let lab = fault_lab();
    let uri = shop_uri(&lab);
    lab.sonde_ok(&["update", &uri, "users", "--key", "2", "--set", "username=swap test"]);
    let before = device_state(&lab);
    lab.sim().set_faults(j!({"rules": [{"match": "sh' '-c", "action": "drop", "times": 1}]}));
    let out = lab.sonde(&["push", &uri]);
    lab.sim().set_faults(j!({}));
    lab.wait_ready(&lab.sim().serial);
    let after = device_state(&lab);
    if out.status.success() {
        assert_eq!(after[1], None, "new database never sits next to the old -wal");
    } else {
        assert!(after == before || after[1].is_none(), "old or new, never a mix: {after:?}");
    }
}

#[test]
fn unauthorized_and_offline_devices_are_reported_not_waited_for() {
    let lab = fault_lab();
    let serial = lab.sim().serial.clone();
    lab.sim().set_faults(j!({"unauthorized": true}));
    lab.reconnect(&serial);
    let err = lab.sonde_err(&["dbs", &serial, "com.example.shop"]);
    assert!(err.contains("unauthorized") || err.contains("not found"), "{err}");
    let devices = json(&lab.sonde_ok(&["devices", "--json"]));
    let state = devices
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["id"] == serial.as_str())
        .map(|d| d["state"].clone());
    assert_eq!(state, Some(j!("unauthorized")));

    lab.sim().set_faults(j!({"offline": true}));
    lab.reconnect(&serial);
    let err = lab.sonde_err(&["pull", &shop_uri(&lab)]);
    assert!(err.contains("offline") || err.contains("not found"), "{err}");
    assert_no_snapshot(&lab);
}
