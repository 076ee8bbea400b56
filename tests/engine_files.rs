//! Files that are not what they seem: not SQLite, encrypted-looking,
//! truncated, empty, directories, WAL databases whose latest rows live only
//! in the `-wal`; and readers running while a writer commits.

mod common;

use common::*;
use rusqlite::Connection;
use sonde_db::mutation::{self, Assignment, Edit};
use sonde_db::query::{self, PageRequest};
use sonde_db::Value;
use std::path::Path;

#[test]
fn bad_files_give_clear_errors_and_stay_unchanged() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "just some text, certainly not a database\n").expect("write");
    let random = dir.path().join("encrypted.db");
    let bytes: Vec<u8> = (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80).collect();
    std::fs::write(&random, &bytes).expect("write");
    let good = catalog_db(dir.path());
    let truncated = dir.path().join("truncated.db");
    let full = std::fs::read(&good).expect("read");
    std::fs::write(&truncated, &full[..full.len() / 3]).expect("write");
    let flipped = dir.path().join("flipped.db");
    let mut damaged = full.clone();
    for i in (4096..damaged.len()).step_by(97) {
        damaged[i] ^= 0x5a;
    }
    std::fs::write(&flipped, &damaged).expect("write");

    let cases: [(&Path, &str); 3] = [
        (&text, "not a SQLite database"),
        // Random bytes in whole pages are what a SQLCipher file looks like.
        (&random, "this database is encrypted: give its key with --cipher-key"),
        (dir.path(), "not a regular file"),
    ];
    for (path, expected) in cases {
        let p = path.display().to_string();
        for args in [vec!["tables", &p], vec!["rows", &p, "t"], vec!["query", &p, "select 1"]] {
            let err = sonde_err(&args);
            assert!(err.contains(expected), "{args:?}: {err}");
        }
    }
    let missing = dir.path().join("missing.db");
    assert!(sonde_err(["tables", &missing.display().to_string()]).contains("no such file"));
    assert!(!missing.exists(), "never creates a database by accident");

    // Damaged real databases: whatever can be read is, otherwise a clear
    // error; never a panic, never a change to the file.
    for path in [&truncated, &flipped] {
        let before = db_fingerprint(path);
        let p = path.display().to_string();
        for args in [
            vec!["tables", p.as_str(), "--json"],
            vec!["rows", p.as_str(), "Track", "--limit", "10000"],
            vec!["export", p.as_str(), "PlaylistTrack", "--format", "csv"],
            vec!["update", p.as_str(), "Artist", "--key", "1", "--set", "Name=x"],
        ] {
            let out = sonde(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            if !out.status.success() {
                assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
            }
        }
        if path == &truncated {
            assert_eq!(db_fingerprint(path), before, "truncated file unchanged");
        }
    }
}

#[test]
fn empty_file_is_an_empty_database() {
    let dir = tempfile::tempdir().expect("tmp");
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").expect("write");
    assert_eq!(sonde_ok(["tables", &empty.display().to_string(), "--json"]).trim(), "[]");
    assert!(sonde_err(["rows", &empty.display().to_string(), "t"]).contains("no such table"));
    assert_eq!(std::fs::metadata(&empty).expect("meta").len(), 0);
}

/// Builds a WAL database whose last rows are only in `-wal` (the writer
/// stays open and never checkpoints), copies db + wal elsewhere as a device
/// snapshot would, and checks Sonde reads the WAL rows and keeps the WAL.
#[test]
fn wal_only_rows_are_visible_and_the_wal_is_kept() {
    let dir = tempfile::tempdir().expect("tmp");
    let live = dir.path().join("live.db");
    let conn = Connection::open(&live).expect("open");
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;
         CREATE TABLE note(id INTEGER PRIMARY KEY, body TEXT);
         INSERT INTO note(body) VALUES ('checkpointed');
         PRAGMA wal_checkpoint(TRUNCATE);
         INSERT INTO note(body) VALUES ('only in wal 1'), ('only in wal 2');",
    )
    .expect("setup");
    let snap_dir = dir.path().join("snapshot");
    std::fs::create_dir(&snap_dir).expect("mkdir");
    let snap = snap_dir.join("live.db");
    std::fs::copy(&live, &snap).expect("copy db");
    std::fs::copy(dir.path().join("live.db-wal"), snap_dir.join("live.db-wal")).expect("copy wal");
    drop(conn);

    let main_only =
        Connection::open_with_flags(&snap, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map(|_| ()).ok();
    let _ = main_only;
    let wal = snap_dir.join("live.db-wal");
    let wal_hash = sha256(&wal);
    let out = json(&sonde_ok(["rows", &snap.display().to_string(), "note", "--json"]));
    let bodies: Vec<&str> = out["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["values"][1].as_str().expect("body"))
        .collect();
    assert_eq!(bodies, ["checkpointed", "only in wal 1", "only in wal 2"]);
    assert!(wal.exists(), "browsing never deletes the -wal");
    assert_eq!(sha256(&wal), wal_hash, "browsing never checkpoints the -wal");
    // Writing in WAL mode appends to the WAL; the rows are all still there.
    sonde_ok(["insert", &snap.display().to_string(), "note", "--set", "body=new"]);
    assert!(wal.exists());
    let out = json(&sonde_ok(["query", &snap.display().to_string(), "SELECT count(*) FROM note", "--json"]));
    assert_eq!(out["rows"][0][0], 4);
}

#[test]
fn readers_keep_reading_while_a_writer_commits() {
    for wal in [false, true] {
        let dir = tempfile::tempdir().expect("tmp");
        let db = make_db(
            dir.path(),
            "busy.db",
            &format!(
                "{} CREATE TABLE t(id INTEGER PRIMARY KEY, v INTEGER);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
                 INSERT INTO t(v) SELECT 0 FROM n;",
                if wal { "PRAGMA journal_mode=WAL;" } else { "" }
            ),
        );
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let readers: Vec<_> = (0..4)
            .map(|_| {
                let db = db.clone();
                let stop = stop.clone();
                std::thread::spawn(move || {
                    let mut pages = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) || pages < 5 {
                        let page = query::page(
                            &db,
                            &PageRequest { table: "t".into(), limit: 500, ..Default::default() },
                        )
                        .expect("reader never sees an error");
                        assert_eq!(page.rows.len(), 500);
                        // Every batch is one transaction: a reader sees all of it or none.
                        let first = &page.rows[0].values[1];
                        assert!(page.rows.iter().all(|r| &r.values[1] == first), "torn read");
                        pages += 1;
                    }
                    pages
                })
            })
            .collect();
        for round in 1..=20i64 {
            let edits: Vec<Edit> = (1..=500)
                .map(|id| Edit::Update {
                    table: "t".into(),
                    key: id.to_string(),
                    set: vec![Assignment { column: "v".into(), value: Value::Integer(round) }],
                })
                .collect();
            mutation::apply(&db, &edits).expect("writer");
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for r in readers {
            assert!(r.join().expect("reader thread") >= 5);
        }
    }
}

#[test]
fn a_replaced_file_is_never_served_from_a_stale_pool() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = make_db(dir.path(), "swap.db", "CREATE TABLE t(v); INSERT INTO t VALUES ('old');");
    let read = |db: &Path| {
        query::page(db, &PageRequest { table: "t".into(), limit: 10, ..Default::default() })
            .expect("page")
            .rows[0]
            .values[0]
            .clone()
    };
    assert_eq!(read(&db), Value::Text("old".into()));
    let next = make_db(dir.path(), "next.db", "CREATE TABLE t(v); INSERT INTO t VALUES ('new');");
    std::fs::rename(&next, &db).expect("replace atomically");
    assert_eq!(read(&db), Value::Text("new".into()));
}
