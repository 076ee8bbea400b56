//! `sonde diff`: the exact CLI contract (text, `--json`, `--sql`, errors),
//! checked with independent tools: the `sqlite3` shell applies the SQL to a
//! copy of A, and `sqldiff` (which checkpoints and deletes a `-wal`) is
//! what Sonde must not do.

mod common;

use common::*;
use std::path::Path;

fn sqlite3(db: &Path, sql: &str) -> String {
    let out = std::process::Command::new("sqlite3").arg(db).arg(sql).output().expect("sqlite3");
    assert!(out.status.success(), "sqlite3: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pair(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let a = make_db(
        dir,
        "a.db",
        "CREATE TABLE \"we\"\"ird\n name\"(id INTEGER PRIMARY KEY, \"col ]\" TEXT, r REAL, b BLOB);
         INSERT INTO \"we\"\"ird\n name\" VALUES (1, 'one', 1.5, x'00'), (2, 'two', -0.0, NULL), (3, 'three', 3.0, x'ff');
         CREATE TABLE kv(k TEXT PRIMARY KEY, v) WITHOUT ROWID; INSERT INTO kv VALUES ('a', 1), ('b', 2);
         CREATE TABLE same(x); INSERT INTO same VALUES (1);",
    );
    let b = dir.join("b.db");
    std::fs::copy(&a, &b).expect("copy");
    let conn = rusqlite::Connection::open(&b).expect("b");
    conn.execute_batch(
        "UPDATE \"we\"\"ird\n name\" SET \"col ]\" = 'ONE', b = 9007199254740993 WHERE id = 1;
         DELETE FROM \"we\"\"ird\n name\" WHERE id = 3;
         INSERT INTO kv VALUES ('c', 3); UPDATE kv SET v = -9223372036854775808 WHERE k = 'a';",
    )
    .expect("edit");
    conn.execute(
        "INSERT INTO \"we\"\"ird\n name\" VALUES (4, CAST(?1 AS TEXT), NULL, NULL)",
        [vec![0x66u8, 0xff, 0x00]],
    )
    .expect("non-utf8");
    (a, b)
}

#[test]
fn json_counts_and_rows() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = pair(dir.path());
    let out = json(&sonde_ok(["diff", &a.display().to_string(), &b.display().to_string(), "--json"]));
    let tables = out["tables"].as_array().expect("tables");
    let names: Vec<&str> = tables.iter().map(|t| t["name"].as_str().unwrap_or("")).collect();
    assert_eq!(names, ["kv", "we\"ird\n name"], "unchanged tables are left out");
    let weird = &tables[1];
    assert_eq!(
        (weird["inserted"].as_u64(), weird["deleted"].as_u64(), weird["updated"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(weird["schema_changed"], false);
    let rows = weird["rows"].as_array().expect("rows");
    let update = rows.iter().find(|r| r["op"] == "update").expect("update");
    assert_eq!(update["key"], "1");
    assert_eq!(update["old"]["col ]"], "one");
    assert_eq!(update["new"]["b"], 9_007_199_254_740_993_i64, "64-bit integers exact");
    let cells = |side: &str| {
        let mut names: Vec<String> = update[side].as_object().expect(side).keys().cloned().collect();
        names.sort();
        names
    };
    assert_eq!(cells("old"), ["b", "col ]"], "an update carries its changed cells only: {update}");
    assert_eq!(cells("new"), ["b", "col ]"], "{update}");
    let inserted = rows.iter().find(|r| r["op"] == "insert").expect("insert");
    assert!(inserted["new"]["col ]"]["$text_bytes"].is_string(), "{inserted}");
    let kv = &tables[0];
    assert_eq!((kv["inserted"].as_u64(), kv["updated"].as_u64()), (Some(1), Some(1)));
    let text = sonde_ok(["diff", &a.display().to_string(), &b.display().to_string()]);
    assert!(text.lines().next().unwrap_or("").starts_with("kv: 1 inserted, 1 updated, 0 deleted"), "{text}");
    assert!(text.contains("~ key 1:"), "{text}");
}

/// The script turns a copy of A into B, as the `sqlite3` shell applies it,
/// and is valid UTF-8 although B holds text that is not.
#[test]
fn sql_turns_a_into_b_in_the_sqlite3_shell() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = pair(dir.path());
    let out = sonde(["diff", &a.display().to_string(), &b.display().to_string(), "--sql"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let script = String::from_utf8(out.stdout).expect("valid UTF-8");
    assert!(script.to_ascii_lowercase().contains("cast(x'66ff00' as text)"), "{script}");
    let copy = dir.path().join("copy.db");
    std::fs::copy(&a, &copy).expect("copy");
    sqlite3(&copy, &script);
    let dump = "SELECT quote(id), quote(\"col ]\"), quote(r), quote(b) FROM \"we\"\"ird\n name\" ORDER BY id; SELECT k, quote(v) FROM kv ORDER BY k;";
    assert_eq!(sqlite3(&copy, dump), sqlite3(&b, dump));
    // And sqldiff agrees there is nothing left to change.
    let left = std::process::Command::new("sqldiff").arg(&copy).arg(&b).output().expect("sqldiff");
    assert_eq!(String::from_utf8_lossy(&left.stdout).trim(), "", "sqldiff still sees differences");
}

/// Diffing a database whose rows live in its `-wal` leaves every file as
/// it was (`sqldiff` folds the `-wal` in and deletes it).
#[test]
fn reading_never_writes_not_even_a_checkpoint() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = pair(dir.path());
    let conn = rusqlite::Connection::open(&b).expect("b");
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;").expect("wal");
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).expect("cfg");
    conn.execute("INSERT INTO same VALUES (2)", []).expect("wal row");
    drop(conn);
    let before = (db_fingerprint(&a), db_fingerprint(&b));
    assert!(before.1[1].1.is_some(), "B has a -wal");
    let out = json(&sonde_ok(["diff", &a.display().to_string(), &b.display().to_string(), "--json"]));
    assert!(out["tables"].as_array().expect("t").iter().any(|t| t["name"] == "same" && t["inserted"] == 1));
    sonde_ok(["diff", &a.display().to_string(), &b.display().to_string(), "--sql"]);
    assert_eq!((db_fingerprint(&a), db_fingerprint(&b)), before, "diffing changed a file");
}

#[test]
fn a_side_that_is_not_a_database_is_one_error_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, _) = pair(dir.path());
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database\n").expect("write");
    for args in [
        vec!["diff".to_owned(), a.display().to_string(), text.display().to_string()],
        vec!["diff".to_owned(), text.display().to_string(), a.display().to_string(), "--json".to_owned()],
        vec![
            "diff".to_owned(),
            a.display().to_string(),
            dir.path().join("missing.db").display().to_string(),
            "--sql".to_owned(),
        ],
    ] {
        let line = sonde_err(&args);
        assert!(line.contains("not a SQLite database") || line.contains("no such file"), "{line}");
    }
    assert!(!dir.path().join("missing.db").exists());
    let line = sonde_err(["diff", &a.display().to_string(), &a.display().to_string(), "--table", "nope"]);
    assert!(line.contains("no such table"), "{line}");
}
