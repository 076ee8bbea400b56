//! A diff of two 10,000,000-row versions runs in bounded memory, and a diff
//! whose every row changed streams: its peak memory does not grow with the
//! number of changed rows (1,000,000 changed rows cost no more than 100,000
//! plus a margin). Memory is the process's peak resident set (`VmHWM`).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A table of `rows` rows, made by the `sqlite3` tool (fast), then a copy
/// with `change` applied.
fn pair(dir: &Path, name: &str, rows: u64, change: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let a = dir.join(format!("{name}-a.db"));
    let b = dir.join(format!("{name}-b.db"));
    let sql = format!(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER);
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {rows})
         INSERT INTO t SELECT x, 'name ' || x, x % 97 FROM c;"
    );
    let made = Command::new("sqlite3").arg(&a).arg(&sql).status().expect("sqlite3 (Debian package sqlite3)");
    assert!(made.success());
    std::fs::copy(&a, &b).expect("copy");
    assert!(Command::new("sqlite3").arg(&b).arg(change).status().expect("sqlite3").success());
    (a, b)
}

/// Runs `sonde diff A B --json`, its output discarded; returns the peak
/// resident memory in KiB and the output's size.
fn peak_kib(a: &Path, b: &Path, data: &Path) -> u64 {
    let mut child = Command::new(common::sonde_bin())
        .args(["diff", a.to_str().expect("utf8"), b.to_str().expect("utf8"), "--json"])
        .env("SONDE_DATA_DIR", data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let status_file = format!("/proc/{}/status", child.id());
    let start = Instant::now();
    let mut peak = 0;
    loop {
        // VmHWM only grows: the last reading before the exit is the peak
        // (to within the last few milliseconds).
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kib) = text.lines().find_map(|l| l.strip_prefix("VmHWM:")) {
                peak = peak.max(kib.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0));
            }
        }
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "sonde diff failed");
            return peak;
        }
        assert!(start.elapsed() < Duration::from_secs(600), "sonde diff hung");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn big_diffs_run_in_bounded_memory() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let (a, b) = pair(
        dir.path(),
        "ten-million",
        10_000_000,
        "UPDATE t SET qty = -1 WHERE id % 10007 = 0; DELETE FROM t WHERE id % 99991 = 0; INSERT INTO t(name) VALUES ('new');",
    );
    let big = peak_kib(&a, &b, &data);
    assert!(big < 256 * 1024, "a 10M-row diff peaked at {big} KiB");
    for f in [&a, &b] {
        std::fs::remove_file(f).expect("rm");
    }

    let every = "UPDATE t SET qty = qty + 1;";
    let (a1, b1) = pair(dir.path(), "small", 100_000, every);
    let (a2, b2) = pair(dir.path(), "large", 1_000_000, every);
    let small = peak_kib(&a1, &b1, &data);
    let large = peak_kib(&a2, &b2, &data);
    eprintln!("peak memory: 10M rows / 1,000 changed {big} KiB; every row changed: 100k {small} KiB, 1M {large} KiB");
    assert!(
        large < small + 64 * 1024,
        "1M changed rows peaked at {large} KiB, 100k at {small} KiB: not streaming"
    );
}
