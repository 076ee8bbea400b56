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

#[test]
fn close_faults_fire_after_the_work_is_done() {
    let h = Harness::demo();
    let limit = Duration::from_secs(2);
    // stall@close: the command ran, but adb never sees its end.
    h.set_faults(json!({"rules": [{"match": "ran-a", "action": "stall", "when": "close"}]}));
    let out = h.adb_s_timeout(&["shell", "echo hi; touch /data/local/tmp/ran-a"], limit);
    assert!(out.timed_out(), "shell finished: {:?} {}", out.code, out.out());
    assert_eq!(out.out(), "hi\n", "the output was sent before the stall");
    assert!(h.fs().join("data/local/tmp/ran-a").exists(), "the command ran");

    // drop@close on a shell: the command ran, its exit status never reaches
    // adb (which then reports its own code, not the command's 3).
    h.set_faults(json!({"rules": [{"match": "ran-b", "action": "drop", "when": "close"}]}));
    let out = h.adb_s(&["shell", "touch /data/local/tmp/ran-b; exit 3"]);
    assert!(!out.timed_out(), "drop must not hang");
    assert_ne!(out.code, Some(3), "the exit status was lost: {}", out.err());
    assert!(h.fs().join("data/local/tmp/ran-b").exists(), "the command ran");
    assert!(h.wait_state("device", Duration::from_secs(15)), "device did not come back");

    // drop@start and stall@start: the command never runs.
    h.set_faults(json!({"rules": [{"match": "ran-c", "action": "drop", "when": "start"}]}));
    let out = h.adb_s(&["shell", "touch /data/local/tmp/ran-c"]);
    assert!(!out.timed_out(), "drop must not hang");
    assert!(h.wait_state("device", Duration::from_secs(15)), "device did not come back");
    h.set_faults(json!({"rules": [{"match": "ran-d", "action": "stall", "when": "start"}]}));
    let out = h.adb_s_timeout(&["shell", "touch /data/local/tmp/ran-d"], limit);
    assert!(out.timed_out(), "stall@start finished: {:?}", out.code);
    for never in ["ran-c", "ran-d"] {
        assert!(!h.fs().join("data/local/tmp").join(never).exists(), "{never} ran");
    }

    // drop@close on a push: the file is in place, adb reports a failure.
    let local = h.root.path().join("up.bin");
    let data = pseudo_random(200_000, 7);
    std::fs::write(&local, &data).expect("write");
    h.set_faults(json!({"rules": [{"match": "sync:", "action": "drop", "when": "close", "after_bytes": 1}]}));
    let push = h.adb_s(&["push", &local.to_string_lossy(), "/data/local/tmp/up.bin"]);
    assert!(!push.timed_out(), "push hung");
    assert_ne!(push.code, Some(0), "the OKAY never came: {}", push.out());
    let landed = std::fs::read(h.fs().join("data/local/tmp/up.bin")).expect("pushed file in place");
    assert_eq!(sha256(&landed), sha256(&data), "whole file, despite `after_bytes` (ignored at close)");
}

#[test]
fn skip_targets_one_stream_and_the_trace_lists_every_open() {
    let h = Harness::demo();
    h.set_faults(json!({"trace": true, "rules": [
        {"match": "echo", "action": "stall", "skip": 1, "times": 1}
    ]}));
    let limit = Duration::from_secs(2);
    h.shell("echo one").expect_code(0, "first echo is skipped");
    let second = h.adb_s_timeout(&["shell", "echo two"], limit);
    assert!(second.timed_out(), "second echo must stall: {:?}", second.code);
    h.shell("echo three").expect_code(0, "budget spent");
    h.shell("true").expect_code(0, "no match");
    let log = std::fs::read_to_string(h.device_dir.join("streams.log")).expect("trace");
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 4, "{log}");
    let labels: Vec<&str> = lines.iter().map(|l| l.split('\t').next().unwrap_or("")).collect();
    assert_eq!(labels, ["-", "stall", "-", "-"], "{log}");
    assert!(lines[1].ends_with(":echo two"), "{log}");
    // Tracing off: nothing more is appended.
    h.set_faults(json!({}));
    h.shell("true").expect_code(0, "untraced");
    assert_eq!(std::fs::read_to_string(h.device_dir.join("streams.log")).expect("trace"), log);
}
