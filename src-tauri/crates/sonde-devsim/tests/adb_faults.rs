//! End-to-end fault injection with the real `/usr/bin/adb`.

mod common;

use std::time::{Duration, Instant};

use common::{pseudo_random, sha256, Harness};
use serde_json::json;

const FIVE_MB: usize = 5 * 1024 * 1024;

fn big_file(h: &Harness, rel: &str) -> Vec<u8> {
    let data = pseudo_random(FIVE_MB, 3);
    let path = h.fs().join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(&path, &data).expect("write");
    data
}

#[test]
fn drop_during_pull_fails_fast_and_leaves_no_partial_file() {
    let h = Harness::demo();
    let data = big_file(&h, "sdcard/Download/big.bin");
    h.set_faults(json!({"rules": [
        {"match": "sync:", "action": "drop", "after_bytes": 1_000_000, "times": 1}
    ]}));
    let local = h.root.path().join("big.bin");
    let local_s = local.to_string_lossy().into_owned();
    let pull = h.adb_s(&["pull", "/sdcard/Download/big.bin", &local_s]);
    assert!(!pull.timed_out(), "pull hung");
    assert_ne!(pull.code, Some(0), "pull succeeded despite drop");
    assert!(pull.elapsed < Duration::from_secs(5), "{:?}", pull.elapsed);
    assert!(!local.exists(), "partial file left behind");

    // The adb server reconnects; the rule's budget (times: 1) is spent.
    assert!(h.wait_state("device", Duration::from_secs(15)), "device did not come back");
    let again = h.adb_s(&["pull", "/sdcard/Download/big.bin", &local_s]);
    again.expect_code(0, "second pull");
    assert_eq!(sha256(&std::fs::read(&local).expect("pulled")), sha256(&data));
}

#[test]
fn drop_during_push_leaves_no_partial_file() {
    let h = Harness::demo();
    let local = h.root.path().join("up.bin");
    std::fs::write(&local, pseudo_random(FIVE_MB, 11)).expect("write");
    h.set_faults(json!({"rules": [
        {"match": "sync:", "action": "drop", "after_bytes": 1_000_000}
    ]}));
    let push = h.adb_s(&["push", &local.to_string_lossy(), "/data/local/tmp/up.bin"]);
    assert!(!push.timed_out(), "push hung");
    assert_eq!(push.code, Some(1), "{} {}", push.out(), push.err());
    assert!(!h.fs().join("data/local/tmp/up.bin").exists(), "partial push visible");
    // The aborted stream's temp file is removed as well.
    let tmp = h.device_dir.join(".devsim-tmp");
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let left = std::fs::read_dir(&tmp).expect("tmp").count();
        if left == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{left} temp files left");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn stall_hangs_adb_until_our_timeout() {
    let h = Harness::demo();
    big_file(&h, "data/local/tmp/big.bin");
    h.set_faults(json!({"rules": [
        {"match": "exec:", "action": "stall", "after_bytes": 100_000},
        {"match": "sha256sum", "action": "stall"}
    ]}));
    let limit = Duration::from_secs(2);
    let cat = h.adb_s_timeout(&["exec-out", "cat", "/data/local/tmp/big.bin"], limit);
    assert!(cat.timed_out(), "exec-out finished: {:?}", cat.code);
    assert_eq!(cat.stdout.len(), 100_000, "exactly after_bytes reach the host");
    let sum = h.adb_s_timeout(&["shell", "sha256sum /data/local/tmp/big.bin"], limit);
    assert!(sum.timed_out(), "shell finished: {:?}", sum.code);
    // Other streams on the same connection still work.
    h.shell("echo alive").expect_code(0, "unaffected stream");
}

#[test]
fn never_open_hangs_only_matching_services() {
    let h = Harness::demo();
    h.set_faults(json!({"rules": [{"match": "exec:", "action": "never_open"}]}));
    let out = h.adb_s_timeout(&["exec-out", "echo", "hi"], Duration::from_secs(2));
    assert!(out.timed_out(), "exec-out answered: {:?} {}", out.code, out.out());
    let ok = h.shell("echo still-here");
    ok.expect_code(0, "shell");
    assert_eq!(ok.out(), "still-here\n");
}

#[test]
fn slow_rule_paces_transfers() {
    let h = Harness::demo();
    let data = pseudo_random(300_000, 5);
    std::fs::write(h.fs().join("data/local/tmp/s.bin"), &data).expect("write");
    let fast = h.adb_s(&["exec-out", "cat", "/data/local/tmp/s.bin"]);
    assert_eq!(fast.stdout, data);
    assert!(fast.elapsed < Duration::from_millis(1500), "{:?}", fast.elapsed);
    h.set_faults(json!({"rules": [
        {"match": "exec:", "action": "slow", "after_bytes": 100_000, "bytes_per_sec": 200_000}
    ]}));
    let slow = h.adb_s(&["exec-out", "cat", "/data/local/tmp/s.bin"]);
    slow.expect_code(0, "slow exec-out");
    assert_eq!(slow.stdout, data, "slow transfer must stay intact");
    // 200 000 paced bytes at 200 000 B/s: about one second.
    assert!(slow.elapsed >= Duration::from_millis(900), "{:?}", slow.elapsed);
}

#[test]
fn unauthorized_device_is_reported() {
    let h = Harness::with_config(json!({"faults": {"unauthorized": true}}), false);
    let connect = h.adb(&["connect", &h.serial], Duration::from_secs(20));
    assert!(
        connect.out().contains("failed to authenticate") || connect.out().contains("connected"),
        "{}",
        connect.out()
    );
    assert!(h.wait_state("unauthorized", Duration::from_secs(10)));
    let shell = h.shell("echo hi");
    shell.expect_code(1, "shell on unauthorized device");
    assert!(shell.err().contains("unauthorized"), "{}", shell.err());
}

#[test]
fn offline_device_never_completes_connect() {
    let h = Harness::with_config(json!({"faults": {"offline": true}}), false);
    let connect = h.adb(&["connect", &h.serial], Duration::from_secs(30));
    assert!(connect.out().contains("failed to connect"), "{}", connect.out());
    assert_eq!(h.state_of(&h.serial).as_deref(), Some("offline"));
    let shell = h.shell("echo hi");
    shell.expect_code(1, "shell on offline device");
    assert!(shell.err().contains("offline"), "{}", shell.err());
}

#[test]
fn features_override_selects_shell_v1() {
    let h = Harness::with_config(json!({"features": [], "props": {"ro.product.model": "Old Phone"}}), true);
    // Without shell_v2 the exit code is lost and stderr is merged.
    let out = h.shell("echo out; echo err >&2; exit 3");
    out.expect_code(0, "v1 shell");
    assert_eq!(out.out(), "out\nerr\n");
    let missing = h.adb_s(&["pull", "/sdcard/nope", &h.root.path().join("x").to_string_lossy()]);
    assert!(missing.out().contains("does not exist"), "{}", missing.out());
}
