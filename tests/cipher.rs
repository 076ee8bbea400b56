//! Encrypted (SQLCipher) databases through the real `sonde`, with fixtures
//! made by independent tools: Debian's `sqlcipher` shell (SQLCipher 3.4, the
//! defaults of older apps) and PyPI's `sqlcipher3-binary` (SQLCipher 4) in
//! the repository's `.tools/venv` (both installed by `scripts/setup.sh`).
//! Every test then scans the files Sonde wrote (its data dir, its temp dir)
//! for a marker that only the decrypted data holds.

mod common;

use common::device::Lab;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MARKER: &str = "PLAINTEXT_MARKER";

/// SQLCipher 4 (PyPI's sqlcipher3-binary) runs `script` with `db` as argv[1].
fn sqlcipher4(db: &Path, script: &str) -> String {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/venv/bin/python");
    assert!(
        python.exists(),
        "{} missing: run scripts/setup.sh (it installs sqlcipher3-binary)",
        python.display()
    );
    let out = Command::new(python)
        .arg("-c")
        .arg(format!(
            "import sys, sqlcipher3\nc = sqlcipher3.connect(sys.argv[1])\n{script}\nc.commit()\nc.close()"
        ))
        .arg(db)
        .output()
        .expect("python");
    assert!(out.status.success(), "sqlcipher4: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A place for Sonde's files (data dir and temp dir), to scan afterwards.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("tmp");
        for d in ["data", "tmp", "files"] {
            std::fs::create_dir_all(dir.path().join(d)).expect("mkdir");
        }
        Sandbox { dir }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join("files").join(name)
    }

    fn sonde(&self, args: &[&str], key: Option<&str>) -> Output {
        let mut cmd = Command::new(sonde_bin());
        cmd.args(args)
            .env("SONDE_DATA_DIR", self.dir.path().join("data"))
            .env("TMPDIR", self.dir.path().join("tmp"))
            .env_remove("SONDE_LOG")
            .env_remove("SONDE_CIPHER_KEY");
        if let Some(k) = key {
            cmd.env("SONDE_CIPHER_KEY", k);
        }
        run_within(cmd, std::time::Duration::from_secs(120))
    }

    fn ok(&self, args: &[&str], key: Option<&str>) -> String {
        let out = self.sonde(args, key);
        assert!(out.status.success(), "sonde {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf8")
    }

    fn err(&self, args: &[&str], key: Option<&str>) -> String {
        let out = self.sonde(args, key);
        let stderr = String::from_utf8_lossy(&out.stderr).trim_end().to_owned();
        assert_eq!(
            out.status.code(),
            Some(1),
            "sonde {args:?} should fail: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(stderr.starts_with("error: ") && stderr.lines().count() == 1, "{stderr}");
        stderr
    }

    /// No file Sonde wrote holds decrypted data.
    fn assert_no_plaintext(&self) {
        for root in ["data", "tmp"] {
            assert_no_marker(&self.dir.path().join(root));
        }
    }
}

fn assert_no_marker(root: &Path) {
    let mut stack = vec![root.to_path_buf()];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files += 1;
                let bytes = std::fs::read(&path).expect("read");
                assert!(
                    !bytes.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()),
                    "{} holds decrypted data",
                    path.display()
                );
            }
        }
    }
    let _ = files;
}

#[test]
fn sqlcipher3_passphrase_no_key_wrong_key_then_an_edit_sqlcipher3_reads() {
    let sb = Sandbox::new();
    let db = sb.file("v3.db");
    sqlcipher3(
        &db,
        &format!(
            "PRAGMA key = 'old app pass';
             CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT, n INTEGER);
             INSERT INTO notes VALUES (1, '{MARKER} one', 9007199254740993), (2, '{MARKER} two', -1);"
        ),
    );
    let before = sha256(&db);
    let none = sb.err(&["tables", db.to_str().expect("p")], None);
    assert!(none.contains("is encrypted") && none.contains("--cipher-key"), "{none}");
    assert!(!none.contains("not a database"), "{none}");
    let wrong = sb.err(&["rows", db.to_str().expect("p"), "notes"], Some("not it"));
    assert!(wrong.contains("wrong key"), "{wrong}");
    assert_eq!(sha256(&db), before, "a wrong key changes nothing");

    let rows = json(&sb.ok(&["rows", db.to_str().expect("p"), "notes", "--json"], Some("old app pass")));
    assert_eq!(rows["rows"][0]["values"][2], 9_007_199_254_740_993_i64, "{rows}");
    // The key from the command line works as well as from the environment.
    let listed = sb.ok(&["tables", db.to_str().expect("p"), "--cipher-key", "old app pass"], None);
    assert!(listed.contains("notes"), "{listed}");

    sb.ok(
        &["update", db.to_str().expect("p"), "notes", "--key", "2", "--set", "body=edited by sonde"],
        Some("old app pass"),
    );
    let header = std::fs::read(&db).expect("db");
    assert_ne!(&header[..16], b"SQLite format 3\0", "still encrypted");
    let read = sqlcipher3(&db, "PRAGMA key = 'old app pass';\nSELECT body FROM notes WHERE id = 2;");
    assert_eq!(read.trim(), "edited by sonde", "SQLCipher 3.4 opens what Sonde wrote");
    sb.assert_no_plaintext();
}

#[test]
fn sqlcipher4_passphrase_raw_key_and_custom_settings() {
    let sb = Sandbox::new();
    let pass = sb.file("v4.db");
    sqlcipher4(
        &pass,
        &format!("c.execute(\"PRAGMA key = 'four'\")\nc.execute('CREATE TABLE t(x)')\nc.execute(\"INSERT INTO t VALUES ('{MARKER}')\")"),
    );
    let out =
        sb.ok(&["query", pass.to_str().expect("p"), "SELECT count(*) AS n FROM t", "--json"], Some("four"));
    assert!(out.contains("\"n\""), "{out}");

    let raw_hex = "2DD29CA851E7B56E4697B0E1F08507293D761A05CE4D1B628663F411A8086D99";
    let raw = sb.file("raw.db");
    sqlcipher4(
        &raw,
        &format!("c.execute(\"PRAGMA key = \\\"x'{raw_hex}'\\\"\")\nc.execute('CREATE TABLE r(y)')\nc.execute(\"INSERT INTO r VALUES ('{MARKER}')\")"),
    );
    let raw_key = format!("x'{raw_hex}'");
    let tables = sb.ok(&["tables", raw.to_str().expect("p")], Some(&raw_key));
    assert!(tables.contains('r'), "{tables}");
    let as_passphrase = sb.err(&["tables", raw.to_str().expect("p")], Some(raw_hex));
    assert!(as_passphrase.contains("wrong key"), "hex without x'...' is a passphrase: {as_passphrase}");

    let custom = sb.file("custom.db");
    sqlcipher4(
        &custom,
        &format!(
            "c.execute(\"PRAGMA key = 'tuned'\")\nc.execute('PRAGMA kdf_iter = 10000')\nc.execute('PRAGMA cipher_page_size = 8192')\nc.execute('CREATE TABLE c(z)')\nc.execute(\"INSERT INTO c VALUES ('{MARKER}')\")"
        ),
    );
    let path = custom.to_str().expect("p");
    let untuned = sb.err(&["tables", path], Some("tuned"));
    assert!(untuned.contains("wrong key") && untuned.contains("--cipher-pragma"), "{untuned}");
    let tuned = sb.ok(
        &["tables", path, "--cipher-pragma", "kdf_iter=10000", "--cipher-pragma", "cipher_page_size=8192"],
        Some("tuned"),
    );
    assert!(tuned.contains('c'), "{tuned}");
    let bad = sb.err(&["tables", path, "--cipher-pragma", "journal_mode=DELETE"], Some("tuned"));
    assert!(bad.contains("not a SQLCipher setting"), "{bad}");
    sb.assert_no_plaintext();
}

/// Rows only in the `-wal` of an encrypted database (the app still has it
/// open) are read, and reading leaves the files byte-identical.
#[test]
fn an_encrypted_wal_database_read_without_a_checkpoint() {
    let sb = Sandbox::new();
    let db = sb.file("wal.db");
    sqlcipher4(
        &db,
        &format!(
            "c.execute(\"PRAGMA key = 'wal'\")\nc.execute('PRAGMA journal_mode = WAL')\nc.execute('PRAGMA wal_autocheckpoint = 0')\nc.execute('CREATE TABLE w(v)')\nc.commit()\nc.execute(\"INSERT INTO w VALUES ('{MARKER} in the wal')\")\nc.commit()\nimport shutil, os\nfor s in ('', '-wal'):\n    shutil.copyfile(sys.argv[1] + s, sys.argv[1] + '.kept' + s)"
        ),
    );
    // The app's files as they were while it had them open (its close folds the -wal in).
    let kept = sb.file("wal.db.kept");
    let wal = sb.file("wal.db.kept-wal");
    assert!(std::fs::metadata(&wal).expect("wal").len() > 0, "the rows are in the -wal");
    let before = side_hashes(&kept);
    let rows = sb.ok(&["query", kept.to_str().expect("p"), "SELECT v FROM w", "--json"], Some("wal"));
    assert!(rows.contains("in the wal"), "{rows}");
    assert_eq!(side_hashes(&kept), before, "reading wrote nothing (no checkpoint)");
    sb.assert_no_plaintext();
}

/// Pull, edit, push an encrypted database of an app on the simulated
/// device through the real adb; the device gets back an encrypted file its
/// SQLCipher (3.4 here) opens, with the edit.
#[test]
fn an_encrypted_device_database_edited_and_pushed() {
    let lab = Lab::demo(1);
    let device_db = lab.sim().fs("data/data/com.example.shop/databases/vault.db");
    sqlcipher3(
        &device_db,
        &format!(
            "PRAGMA key = 'device pass';
             CREATE TABLE secrets(id INTEGER PRIMARY KEY, v TEXT);
             INSERT INTO secrets VALUES (1, '{MARKER} a'), (2, '{MARKER} b');"
        ),
    );
    let uri = format!("android://{}/com.example.shop/databases/vault.db", lab.sim().serial);
    let data = lab.root.path().join("data");
    let run = |args: &[&str], key: Option<&str>| {
        let mut cmd = lab.sonde_command(&data, args);
        cmd.env_remove("SONDE_CIPHER_KEY");
        if let Some(k) = key {
            cmd.env("SONDE_CIPHER_KEY", k);
        }
        run_within(cmd, std::time::Duration::from_secs(120))
    };
    let no_key = run(&["tables", &uri], None);
    let stderr = String::from_utf8_lossy(&no_key.stderr);
    assert!(!no_key.status.success() && stderr.contains("is encrypted"), "{stderr}");
    let edited =
        run(&["update", &uri, "secrets", "--key", "1", "--set", "v=changed on the go"], Some("device pass"));
    assert!(edited.status.success(), "{}", String::from_utf8_lossy(&edited.stderr));
    let pushed = run(&["push", &uri], Some("device pass"));
    assert!(pushed.status.success(), "{}", String::from_utf8_lossy(&pushed.stderr));
    let header = std::fs::read(&device_db).expect("device db");
    assert_ne!(&header[..16], b"SQLite format 3\0", "the device holds an encrypted file");
    let read = sqlcipher3(&device_db, "PRAGMA key = 'device pass';\nSELECT v FROM secrets ORDER BY id;");
    assert_eq!(read.lines().collect::<Vec<_>>(), ["changed on the go", &format!("{MARKER} b")]);
    assert_no_marker(&data);
    assert_no_marker(&lab.root.path().join("tmp"));
}

/// Watching an encrypted local file: the app's commit is seen and diffed
/// through the key; the private versions stay encrypted.
#[test]
fn watching_an_encrypted_file() {
    let sb = Sandbox::new();
    let db = sb.file("watched.db");
    sqlcipher4(&db, "c.execute(\"PRAGMA key = 'w'\")\nc.execute('CREATE TABLE t(x)')");
    let mut cmd = Command::new(sonde_bin());
    cmd.args(["watch", db.to_str().expect("p"), "--count", "2", "--interval", "100", "--json"])
        .env("SONDE_DATA_DIR", sb.dir.path().join("data"))
        .env("TMPDIR", sb.dir.path().join("tmp"))
        .env("SONDE_CIPHER_KEY", "w")
        .env_remove("SONDE_LOG");
    let watch = common::watch::Watch::spawn(cmd);
    let first = json(&watch.line());
    assert!(first["version"].is_u64(), "{first}");
    sqlcipher4(
        &db,
        &format!("c.execute(\"PRAGMA key = 'w'\")\nc.execute(\"INSERT INTO t VALUES ('{MARKER} new')\")"),
    );
    let second = json(&watch.line());
    let t = second["tables"].as_array().expect("tables").iter().find(|t| t["name"] == "t").cloned();
    assert_eq!(t.map(|t| t["inserted"].clone()), Some(serde_json::json!(1)), "{second}");
    watch.exits();
    sb.assert_no_plaintext();
}
