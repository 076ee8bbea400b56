//! The diff against a plain full comparison (every row of both versions,
//! matched by key), on random edits that split pages, spill to overflow
//! pages, vacuum, and live only in a `-wal`; and its SQL applied to a copy
//! of A gives B exactly.

use super::*;
use proptest::prelude::*;
use rusqlite::Connection;
use std::collections::BTreeMap;

/// (table, key text) → (op, old, new), computed the slow way.
type Expected = BTreeMap<(String, String), (RowOp, Option<Vec<Value>>, Option<Vec<Value>>)>;

fn all_rows(conn: &Connection, table: &str, key: &str, cols: &str) -> BTreeMap<String, Vec<Value>> {
    let mut stmt = conn.prepare(&format!("SELECT {key}, {cols} FROM \"{table}\"")).expect("select");
    let n = stmt.column_count();
    let rows = stmt
        .query_map([], |r| {
            let values: Vec<Value> = (0..n).map(|i| r.get::<_, Value>(i)).collect::<rusqlite::Result<_>>()?;
            Ok(values)
        })
        .expect("rows");
    rows.map(|r| {
        let mut v = r.expect("row");
        let key = serde_json::to_string(&v.remove(0)).expect("key");
        (key, v)
    })
    .collect()
}

fn expected(a: &Path, b: &Path, tables: &[(&str, &str, &str)]) -> Expected {
    let (ca, cb) = (Connection::open(a).expect("a"), Connection::open(b).expect("b"));
    let mut out = Expected::new();
    for (table, key, cols) in tables {
        let (ra, rb) = (all_rows(&ca, table, key, cols), all_rows(&cb, table, key, cols));
        for (k, old) in &ra {
            match rb.get(k) {
                None => {
                    out.insert((table.to_string(), k.clone()), (RowOp::Delete, Some(old.clone()), None));
                }
                Some(new) if new != old => {
                    out.insert(
                        (table.to_string(), k.clone()),
                        (RowOp::Update, Some(old.clone()), Some(new.clone())),
                    );
                }
                Some(_) => {}
            }
        }
        for (k, new) in &rb {
            if !ra.contains_key(k) {
                out.insert((table.to_string(), k.clone()), (RowOp::Insert, None, Some(new.clone())));
            }
        }
    }
    out
}

/// A changed row as a sink sees it: `"table key"`, op, an update's changed
/// cells as `(column, old, new)`, another row's values.
type SeenRow = (String, RowOp, Vec<(u32, Value, Value)>, Option<Vec<Value>>);

/// Every changed row, from a sink that asked for whole rows or changed
/// cells only.
fn cells(a: &Path, b: &Path, whole: bool) -> Vec<SeenRow> {
    struct Cells {
        whole: bool,
        table: String,
        out: Vec<SeenRow>,
    }
    impl DiffSink for Cells {
        fn whole_updates(&self) -> bool {
            self.whole
        }
        fn table(&mut self, header: &TableHeader) -> Result<()> {
            self.table = header.name.clone();
            Ok(())
        }
        fn row(&mut self, change: RowChange) -> Result<()> {
            let cells = change.changed_cells().map(|(c, o, n)| (c, o.clone(), n.clone())).collect();
            let rest = if change.op == RowOp::Update { None } else { change.old.or(change.new) };
            self.out.push((format!("{} {:?}", self.table, change.key), change.op, cells, rest));
            Ok(())
        }
        fn table_done(&mut self, _: &TableHeader, _: &TableCounts) -> Result<()> {
            Ok(())
        }
    }
    let mut sink = Cells { whole, table: String::new(), out: Vec::new() };
    diff_into(a, b, &DiffOptions::default(), &mut sink).expect("diff");
    sink.out
}

fn actual(a: &Path, b: &Path) -> Expected {
    let diff = diff(a, b, &DiffOptions::default(), usize::MAX).expect("diff");
    let mut out = Expected::new();
    for t in diff.tables {
        for r in t.rows {
            let key = serde_json::to_string(&r.key_values[0]).expect("key");
            out.insert((t.header.name.clone(), key), (r.op, r.old, r.new));
        }
    }
    out
}

const SCHEMA: &str = "
    CREATE TABLE alias(id INTEGER PRIMARY KEY, name TEXT, data BLOB, n REAL);
    CREATE TABLE plain(a, b);
    CREATE TABLE wr(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
    CREATE INDEX plain_b ON plain(b);";

fn tables() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![("alias", "id", "id, name, data, n"), ("plain", "rowid", "a, b"), ("wr", "k", "k, v")]
}

fn fill(conn: &Connection, rows: i64) {
    conn.execute_batch(SCHEMA).expect("schema");
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO alias SELECT i * 3, 'name ' || i, CASE WHEN i % 50 = 0 THEN randomblob(6000 + i) ELSE randomblob(20) END, i / 7.0 FROM n",
        [rows],
    )
    .expect("alias");
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO plain SELECT i, hex(randomblob(30)) FROM n",
        [rows],
    )
    .expect("plain");
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO wr SELECT printf('key%06d', i), i FROM n",
        [rows / 2],
    )
    .expect("wr");
}

#[derive(Debug, Clone)]
enum Step {
    Update(i64),
    GrowBlob(i64, usize),
    Delete(i64),
    Insert(i64),
    InsertMany(i64, usize),
    Vacuum,
    Value(i64, u8),
    /// A big blob keeps its first bytes and length, its tail changes: only
    /// its overflow pages differ.
    Tail(i64),
    /// Bytes deep inside a big blob rewritten through incremental blob
    /// I/O: the overflow page changes in place, its leaf does not.
    InPlace(i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1..4000i64).prop_map(Step::Update),
        ((1..4000i64), (0..9000usize)).prop_map(|(k, n)| Step::GrowBlob(k, n)),
        (1..4000i64).prop_map(Step::Delete),
        (1..15_000i64).prop_map(Step::Insert),
        ((1..4000i64), (1..300usize)).prop_map(|(k, n)| Step::InsertMany(k, n)),
        Just(Step::Vacuum),
        ((1..4000i64), (0..6u8)).prop_map(|(k, v)| Step::Value(k, v)),
        (1..80i64).prop_map(|k| Step::Tail(k * 50)),
        (1..80i64).prop_map(|k| Step::InPlace(k * 50)),
    ]
}

fn apply(conn: &Connection, s: &Step) {
    let r = match s {
        Step::Update(k) => conn.execute("UPDATE alias SET name = name || '!' WHERE id = ?1", [k * 3]).map(drop),
        Step::GrowBlob(k, n) => conn
            .execute("UPDATE alias SET data = zeroblob(?2) WHERE id = ?1", rusqlite::params![k * 3, *n as i64])
            .map(drop),
        Step::Delete(k) => conn
            .execute_batch(&format!("DELETE FROM alias WHERE id = {0}; DELETE FROM plain WHERE rowid = {k}; DELETE FROM wr WHERE k = printf('key%06d', {k});", k * 3)),
        Step::Insert(k) => conn
            .execute_batch(&format!(
                "INSERT OR REPLACE INTO alias VALUES ({k} * 3 + 1, 'new', x'00ff', 1.5);
                 INSERT INTO plain VALUES ({k}, 'new'); INSERT OR REPLACE INTO wr VALUES ('new{k}', {k});"
            )),
        Step::InsertMany(k, n) => conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)
             INSERT OR IGNORE INTO alias SELECT ?1 * 3 + 2 + i * 100000, 'split', randomblob(200), NULL FROM n",
            rusqlite::params![k, *n as i64],
        ).map(drop),
        Step::Vacuum => conn.execute_batch("VACUUM"),
        Step::InPlace(k) => {
            match conn.blob_open(rusqlite::MAIN_DB, "alias", "data", k * 3, false) {
                Ok(mut blob) => {
                    use std::io::{Seek, SeekFrom, Write};
                    if blob.len() > 5500 {
                        blob.seek(SeekFrom::Start(5400)).expect("seek");
                        blob.write_all(b"written in place").expect("write");
                    }
                    Ok(())
                }
                Err(_) => Ok(()), // the row is gone
            }
        }
        Step::Tail(k) => conn
            .execute(
                "UPDATE alias SET data = substr(data, 1, 100) || randomblob(length(data) - 100) WHERE id = ?1 AND length(data) > 1000",
                [k * 3],
            )
            .map(drop),
        Step::Value(k, v) => {
            let value = match v {
                0 => Value::Real(-0.0),
                1 => Value::Integer(i64::MIN),
                2 => Value::TextBytes(vec![0xff, 0xfe, 0x00]),
                3 => Value::Real(0.0),
                4 => Value::Null,
                _ => Value::Integer(i64::MAX),
            };
            conn.execute("UPDATE alias SET n = ?2 WHERE id = ?1", rusqlite::params![k * 3, value]).map(drop)
        }
    };
    r.expect("step");
}

/// Every row and definition, for "B exactly".
fn content(path: &Path) -> Vec<String> {
    let conn = Connection::open(path).expect("open");
    let mut out: Vec<String> = conn
        .prepare("SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema ORDER BY 1")
        .expect("schema")
        .query_map([], |r| r.get(0))
        .expect("q")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    for (t, key, cols) in tables() {
        for (k, v) in all_rows(&conn, t, key, cols) {
            out.push(format!("{t} {k} {}", serde_json::to_string(&v).expect("json")));
        }
    }
    out
}

fn check(steps: &[Step], wal: bool) {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let conn = Connection::open(&a).expect("a");
    fill(&conn, 4000);
    drop(conn);
    std::fs::copy(&a, &b).expect("copy");
    let conn = Connection::open(&b).expect("b");
    if wal {
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;").expect("wal");
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).expect("cfg");
    }
    for s in steps {
        apply(&conn, s);
    }
    drop(conn);
    let fingerprint = |p: &Path| {
        ["", "-wal", "-journal"]
            .iter()
            .map(|s| std::fs::read(format!("{}{s}", p.display())).ok())
            .collect::<Vec<_>>()
    };
    let (before_a, before_b) = (fingerprint(&a), fingerprint(&b));
    let want = expected(&a, &b, &tables());
    // The reference read B through a normal connection: restore its files.
    assert_eq!(actual(&a, &b), want, "steps {steps:?}");
    // A printed diff's updates carry the changed cells only: the same cells.
    assert_eq!(cells(&a, &b, false), cells(&a, &b, true), "steps {steps:?}");
    crate::pool::pools().evict(&a);
    crate::pool::pools().evict(&b);
    assert_eq!(fingerprint(&a), before_a, "diffing wrote to A");
    let _ = before_b;
    // The script turns a copy of A into B.
    let mut sql = Vec::new();
    script::write(&a, &b, &DiffOptions::default(), &mut sql).expect("script");
    let copy = dir.path().join("copy.db");
    std::fs::copy(&a, &copy).expect("copy a");
    Connection::open(&copy)
        .expect("copy")
        .execute_batch(std::str::from_utf8(&sql).expect("utf8"))
        .expect("apply script");
    assert_eq!(content(&copy), content(&b), "script of {steps:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]
    #[test]
    fn the_fast_diff_equals_a_full_comparison(steps in proptest::collection::vec(step(), 0..12), wal in any::<bool>()) {
        check(&steps, wal);
    }
}

#[test]
fn page_splits_overflow_and_vacuum() {
    check(
        &[Step::InsertMany(7, 250), Step::GrowBlob(50, 8000), Step::GrowBlob(100, 10), Step::Delete(3)],
        false,
    );
    check(&[Step::Vacuum, Step::Update(10)], true);
    check(&[Step::Tail(50), Step::Tail(100), Step::Tail(150)], false);
    check(&[Step::Tail(200)], true);
    check(&[Step::InPlace(50), Step::InPlace(300)], false);
    check(&[Step::InPlace(100)], true);
    check(&[Step::Value(1, 0), Step::Value(2, 1), Step::Value(3, 2), Step::Value(4, 5)], true);
}

/// Untouched pages are not compared row by row.
#[test]
fn a_few_changes_in_a_big_table_are_found_without_reading_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let conn = Connection::open(&a).expect("a");
    conn.execute_batch(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
         INSERT INTO t SELECT i, 'value ' || i FROM n;",
    )
    .expect("fill");
    drop(conn);
    std::fs::copy(&a, &b).expect("copy");
    Connection::open(&b)
        .expect("b")
        .execute_batch("UPDATE t SET v = 'x' WHERE id IN (5, 50000, 99999)")
        .expect("edit");
    let d = diff(&a, &b, &DiffOptions::default(), 100).expect("diff");
    let t = &d.tables[0];
    assert_eq!((t.counts.updated, t.counts.inserted, t.counts.deleted), (3, 0, 0));
    assert!(t.counts.compared < 2_000, "compared {} rows of 100,000", t.counts.compared);
    assert_eq!(t.rows[0].key.as_deref(), Some("5"));
    assert_eq!(t.rows[0].changed, vec![1]);
}

#[test]
fn schema_changes_are_reported_and_scripted() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    Connection::open(&a)
        .expect("a")
        .execute_batch(
            "CREATE TABLE \"odd \"\"name\"(id INTEGER PRIMARY KEY, v); INSERT INTO \"odd \"\"name\" VALUES (1, 'a');
             CREATE TABLE gone(x); INSERT INTO gone VALUES (1), (1);
             CREATE TABLE seq(id INTEGER PRIMARY KEY AUTOINCREMENT, v); INSERT INTO seq(v) VALUES ('s');
             CREATE VIEW vv AS SELECT 1; PRAGMA user_version = 3;",
        )
        .expect("a");
    std::fs::copy(&a, &b).expect("copy");
    Connection::open(&b)
        .expect("b")
        .execute_batch(
            "ALTER TABLE \"odd \"\"name\" ADD COLUMN extra DEFAULT 7; UPDATE \"odd \"\"name\" SET v = 'b';
             DROP TABLE gone; CREATE TABLE added(k PRIMARY KEY, v) WITHOUT ROWID; INSERT INTO added VALUES ('k', x'00');
             INSERT INTO seq(v) VALUES ('t'); DELETE FROM seq WHERE v = 's';
             CREATE INDEX idx ON seq(v); DROP VIEW vv; CREATE VIEW vv AS SELECT 2; PRAGMA user_version = 4;",
        )
        .expect("b");
    let d = diff(&a, &b, &DiffOptions::default(), 100).expect("diff");
    let kinds: Vec<(ObjectKind, String, SchemaChangeKind)> =
        d.schema.iter().map(|c| (c.kind, c.name.clone(), c.change)).collect();
    assert!(kinds.contains(&(ObjectKind::Table, "gone".into(), SchemaChangeKind::Dropped)), "{kinds:?}");
    assert!(kinds.contains(&(ObjectKind::Table, "added".into(), SchemaChangeKind::Added)));
    assert!(kinds.contains(&(ObjectKind::Table, "odd \"name".into(), SchemaChangeKind::Changed)));
    assert!(kinds.contains(&(ObjectKind::Index, "idx".into(), SchemaChangeKind::Added)));
    assert!(kinds.contains(&(ObjectKind::UserVersion, "user_version".into(), SchemaChangeKind::Changed)));
    let odd = d.tables.iter().find(|t| t.header.name == "odd \"name").expect("odd");
    assert!(odd.header.schema_changed);
    assert_eq!(odd.counts.updated, 1);
    let gone = d.tables.iter().find(|t| t.header.name == "gone").expect("gone");
    assert_eq!((gone.header.status, gone.counts.deleted), (TableStatus::Dropped, 2));
    let mut sql = Vec::new();
    script::write(&a, &b, &DiffOptions::default(), &mut sql).expect("script");
    let copy = dir.path().join("copy.db");
    std::fs::copy(&a, &copy).expect("copy a");
    let conn = Connection::open(&copy).expect("copy");
    conn.execute_batch(std::str::from_utf8(&sql).expect("utf8")).expect("apply");
    let dump = |c: &Connection| -> Vec<String> {
        let mut out: Vec<String> = c
            .prepare("SELECT type || name || coalesce(sql, '') FROM sqlite_schema ORDER BY 1")
            .expect("p")
            .query_map([], |r| r.get(0))
            .expect("q")
            .collect::<rusqlite::Result<_>>()
            .expect("r");
        for t in ["odd \"\"name", "added", "seq", "sqlite_sequence"] {
            let rows: Vec<String> = c
                .prepare(&format!("SELECT * FROM \"{t}\""))
                .expect("p")
                .query_map([], |r| r.get::<_, Value>(1).map(|v| format!("{v:?}")))
                .expect("q")
                .collect::<rusqlite::Result<_>>()
                .expect("r");
            out.extend(rows);
        }
        out.push(c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).expect("v").to_string());
        out
    };
    assert_eq!(dump(&conn), dump(&Connection::open(&b).expect("b")));
}

/// A database recreated without AUTOINCREMENT has no `sqlite_sequence`
/// (and the other way round): an internal table on one side only is
/// diffed like any other, and the script still turns A into B.
#[test]
fn sqlite_sequence_on_one_side_only() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    Connection::open(&a)
        .expect("a")
        .execute_batch(
            "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, v); INSERT INTO t(v) VALUES ('x'), ('y');",
        )
        .expect("a");
    Connection::open(&b)
        .expect("b")
        .execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, v); INSERT INTO t VALUES (1, 'x');")
        .expect("b");
    for (from, to, op) in [(&a, &b, RowOp::Delete), (&b, &a, RowOp::Insert)] {
        let d = diff(from, to, &DiffOptions::default(), 100).expect("diff");
        let seq = d.tables.iter().find(|t| t.header.name == "sqlite_sequence").expect("sqlite_sequence");
        assert_eq!(seq.rows.len(), 1, "{d:?}");
        assert_eq!(seq.rows[0].op, op);
        let mut sql = Vec::new();
        script::write(from, to, &DiffOptions::default(), &mut sql).expect("script");
        let copy = dir.path().join("copy.db");
        std::fs::copy(from, &copy).expect("copy");
        let conn = Connection::open(&copy).expect("copy");
        conn.execute_batch(std::str::from_utf8(&sql).expect("utf8")).expect("the script applies");
        drop(conn);
        let left = diff(&copy, to, &DiffOptions::default(), 100).expect("diff");
        // SQLite never drops `sqlite_sequence` once made: the script empties
        // it, which is all any SQL can do.
        let rest: Vec<_> =
            left.tables.iter().filter(|t| t.header.name != "sqlite_sequence" || t.counts.changed()).collect();
        assert!(rest.is_empty(), "copy == B: {left:?}\n{}", String::from_utf8_lossy(&sql));
        std::fs::remove_file(&copy).expect("rm");
    }
}
