//! Helpers shared by the integration tests: real files in temp dirs, the
//! real `sonde` binary, hashes to prove files unchanged.
#![allow(dead_code)]

pub mod secret_service;
pub mod watch;

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The generated music catalog (sonde-devsim's, shaped like the Chinook
/// sample: Artist, Album, Track, ... with foreign keys) at `dir/catalog.sqlite`.
pub fn catalog_db(dir: &Path) -> PathBuf {
    let path = dir.join("catalog.sqlite");
    sonde_devsim::demo::catalog::create(&path).expect("generate the catalog");
    path
}

/// Creates a database at `dir/name` from a SQL script.
pub fn make_db(dir: &Path, name: &str, sql: &str) -> PathBuf {
    let path = dir.join(name);
    let conn = rusqlite::Connection::open(&path).expect("create db");
    conn.execute_batch(sql).expect("schema script");
    path
}

/// SHA-256 of a database and of its `-wal` and `-journal` (None: absent).
pub fn side_hashes(db: &Path) -> Vec<Option<String>> {
    ["", "-wal", "-journal"]
        .iter()
        .map(|s| {
            let p = std::path::PathBuf::from(format!("{}{s}", db.display()));
            p.exists().then(|| sha256(&p))
        })
        .collect()
}

pub fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

/// Hashes of a database and its side files, to prove nothing changed.
pub fn db_fingerprint(path: &Path) -> Vec<(String, Option<String>)> {
    ["", "-wal", "-journal"]
        .iter()
        .map(|suffix| {
            let p = PathBuf::from(format!("{}{suffix}", path.display()));
            (suffix.to_string(), p.exists().then(|| sha256(&p)))
        })
        .collect()
}

/// The built `sonde` binary (built once if a plain `cargo test -p sonde-suite` ran alone).
pub fn sonde_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("test exe");
        let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
        let bin = profile_dir.join("sonde");
        if !bin.exists() {
            let status = Command::new(env!("CARGO"))
                .args(["build", "-p", "sonde-cli"])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .expect("cargo build");
            assert!(status.success(), "building sonde failed");
        }
        bin
    })
    .clone()
}

/// A private Sonde data dir for this test process (never the user's).
pub fn test_data_dir() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("data dir")).path().to_path_buf()
}

/// Runs `sonde` with `args`, its data in this test binary's private data
/// dir (never the user's `~/.local/share/sonde`).
pub fn sonde<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(sonde_bin())
        .args(args)
        .env_remove("SONDE_LOG")
        .env("SONDE_DATA_DIR", test_data_dir())
        .output()
        .expect("run sonde")
}

/// Runs `sonde`, asserts success, returns stdout.
pub fn sonde_ok<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = sonde(args);
    assert!(
        out.status.success(),
        "sonde failed: {}\nstdout: {}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).expect("utf8 stdout")
}

/// Runs `sonde`, asserts failure with one `error: ` line, returns that line.
pub fn sonde_err<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = sonde(args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "expected failure, got success: {}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.starts_with("error: "), "stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    stderr.trim_end().to_owned()
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("bad JSON ({e}): {text}"))
}

/// Walks `sonde rows --json` pages with `--after` until `next` is null.
pub fn walk_rows(db: &Path, table: &str, limit: usize, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut rows = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..100_000 {
        let mut args: Vec<String> = vec![
            "rows".into(),
            db.display().to_string(),
            table.into(),
            "--limit".into(),
            limit.to_string(),
            "--json".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        if let Some(a) = &after {
            args.push("--after".into());
            args.push(a.clone());
        }
        let page = json(&sonde_ok(&args));
        rows.extend(page["rows"].as_array().expect("rows").iter().cloned());
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => return rows,
        }
    }
    panic!("paging did not terminate");
}

pub mod device;
#[cfg(unix)]
pub mod iphone;

/// Relative paths of every file under `dir`, sorted (empty if absent).
pub fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap_or(&p).display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// Runs a command with captured output; kills it and fails the test if it
/// is still running after `limit` (a hang is a bug, never a slow pass).
/// The first stdout line of a service the test just spawned (its ready
/// line), or a failure after `limit`: waits on the line, never sleeps.
pub fn ready_line(child: &mut std::process::Child, limit: Duration) -> String {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("stdout piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    rx.recv_timeout(limit).expect("ready line")
}

pub fn run_within(mut cmd: Command, limit: Duration) -> Output {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = pipe.read_to_end(&mut v);
            v
        })
    };
    let t_out = drain(Box::new(child.stdout.take().expect("stdout")));
    let t_err = drain(Box::new(child.stderr.take().expect("stderr")));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("command hung (killed after {limit:?}): {cmd:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output { status, stdout: t_out.join().unwrap_or_default(), stderr: t_err.join().unwrap_or_default() }
}

/// A rollback-journal database left by a crash mid-transaction (hot journal).
pub fn hot_journal_db(dir: &Path) -> PathBuf {
    let live = make_db(dir, "live.db", "CREATE TABLE t(id INTEGER PRIMARY KEY, v); PRAGMA cache_size = 1;");
    let conn = rusqlite::Connection::open(&live).expect("open");
    conn.execute_batch(
        "PRAGMA cache_size = 1;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
         INSERT INTO t SELECT i, hex(randomblob(200)) FROM n;",
    )
    .expect("fill");
    conn.execute_batch("BEGIN; UPDATE t SET v = 'uncommitted ' || id;").expect("open transaction");
    let crashed = dir.join("crashed.db");
    std::fs::copy(&live, &crashed).expect("copy db");
    let journal = PathBuf::from(format!("{}-journal", live.display()));
    assert!(journal.exists(), "the transaction spilled into the journal");
    std::fs::copy(&journal, format!("{}-journal", crashed.display())).expect("copy journal");
    conn.execute_batch("ROLLBACK").expect("rollback");
    crashed
}

/// `sqlcipher` (3.4) runs `sql` on `db`.
pub fn sqlcipher3(db: &Path, sql: &str) -> String {
    let mut cmd = std::process::Command::new("sqlcipher");
    cmd.arg(db).stdin(std::process::Stdio::piped());
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sqlcipher (Debian package sqlcipher) must be installed: run scripts/setup.sh");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), sql.as_bytes()).expect("sql");
    let out = child.wait_with_output().expect("sqlcipher");
    assert!(out.status.success(), "sqlcipher: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

include!("../../src-tauri/crates/sonde-device/tests/fakes/copy_script.rs");
