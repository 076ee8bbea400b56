//! Edits: transactional batches, row keys (rowid, composite primary key),
//! read-only views / virtual tables / generated columns, defaults, undo,
//! and refusal of edits that would touch the wrong rows.

mod common;

use common::*;
use sonde_db::mutation::{self, Assignment, ChangeOp, Edit};
use sonde_db::query::{self, PageRequest};
use sonde_db::{DbError, Value};

const SCHEMA: &str = "
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'unnamed', qty INTEGER DEFAULT 1 CHECK (qty >= 0),
                  total INTEGER GENERATED ALWAYS AS (qty * 10) VIRTUAL, created TEXT DEFAULT 'now');
CREATE TABLE pair(a TEXT, b INTEGER, v, PRIMARY KEY(a, b)) WITHOUT ROWID;
CREATE TABLE plain(x, y);
CREATE TABLE parent(id INTEGER PRIMARY KEY);
CREATE TABLE child(id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));
CREATE VIEW item_view AS SELECT id, name FROM item;
CREATE VIRTUAL TABLE docs USING fts5(body);
INSERT INTO item(id, name, qty) VALUES (1, 'apple', 3), (2, 'pear', 5);
INSERT INTO pair VALUES ('x', 1, 'one'), ('x', 2, 'two'), ('y', 1, 'three');
INSERT INTO plain VALUES (1, 'dup'), (1, 'dup'), (2, 'other');
INSERT INTO parent VALUES (1);
INSERT INTO child VALUES (1, 1);
INSERT INTO docs VALUES ('hello');
";

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let db = make_db(dir.path(), "m.db", SCHEMA);
    (dir, db)
}

fn set(column: &str, value: Value) -> Assignment {
    Assignment { column: column.into(), value }
}

fn all_rows(db: &std::path::Path, table: &str) -> Vec<(Option<String>, Vec<Value>)> {
    let page = query::page(db, &PageRequest { table: table.into(), limit: 1000, ..Default::default() })
        .expect("page");
    page.rows.into_iter().map(|r| (r.key, r.values)).collect()
}

#[test]
fn insert_honours_defaults_and_returns_the_key() {
    let (_dir, db) = setup();
    let changes = mutation::apply(&db, &[Edit::Insert { table: "item".into(), values: vec![], rowid: None }])
        .expect("insert");
    assert_eq!(changes[0].op, ChangeOp::Insert);
    assert_eq!(changes[0].key_after.as_deref(), Some("3"));
    let row = &all_rows(&db, "item")[2].1;
    assert_eq!(
        row,
        &vec![
            Value::Integer(3),
            Value::Text("unnamed".into()),
            Value::Integer(1),
            Value::Integer(10),
            Value::Text("now".into())
        ]
    );
    let changes = mutation::apply(
        &db,
        &[Edit::Insert {
            table: "pair".into(),
            values: vec![set("a", Value::Text("z".into())), set("b", Value::Integer(9))],
            rowid: None,
        }],
    )
    .expect("pk insert");
    let key = changes[0].key_after.clone().expect("pk key");
    assert!(key.starts_with("pk:"));
    mutation::apply(
        &db,
        &[Edit::Update { table: "pair".into(), key, set: vec![set("v", Value::Integer(42))] }],
    )
    .expect("update by pk");
}

#[test]
fn a_batch_is_all_or_nothing() {
    let (_dir, db) = setup();
    let before = fingerprint(&db);
    let batch = vec![
        Edit::Update {
            table: "item".into(),
            key: "1".into(),
            set: vec![set("name", Value::Text("changed".into()))],
        },
        Edit::Insert {
            table: "item".into(),
            values: vec![set("name", Value::Text("new".into()))],
            rowid: None,
        },
        // CHECK constraint fails on the third edit.
        Edit::Update { table: "item".into(), key: "2".into(), set: vec![set("qty", Value::Integer(-1))] },
    ];
    let err = mutation::apply(&db, &batch).expect_err("constraint");
    assert!(matches!(err.cause(), DbError::Constraint(_)), "{err}");
    assert!(matches!(err, DbError::InEdit { index: 2, .. }), "the third edit failed: {err:?}");
    assert_eq!(fingerprint(&db), before, "nothing changed");
    // Foreign keys are enforced on writes.
    let err =
        mutation::apply(&db, &[Edit::Delete { table: "parent".into(), key: "1".into() }]).expect_err("fk");
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    // A missing row fails the whole batch too.
    let err = mutation::apply(
        &db,
        &[
            Edit::Delete { table: "item".into(), key: "1".into() },
            Edit::Delete { table: "item".into(), key: "77".into() },
        ],
    )
    .expect_err("missing");
    assert!(matches!(err.cause(), DbError::RowNotFound(_)), "{err}");
    assert!(matches!(err, DbError::InEdit { index: 1, .. }), "{err:?}");
    assert_eq!(fingerprint(&db), before);
}

fn fingerprint(db: &std::path::Path) -> Vec<String> {
    ["item", "pair", "plain", "parent", "child"].iter().map(|t| format!("{:?}", all_rows(db, t))).collect()
}

#[test]
fn read_only_things_are_refused_clearly() {
    let (_dir, db) = setup();
    let err = mutation::apply(
        &db,
        &[Edit::Update { table: "item_view".into(), key: "1".into(), set: vec![set("name", Value::Null)] }],
    )
    .expect_err("view");
    assert_eq!(err.to_string(), "table is read-only: item_view it is a view");
    let err = mutation::apply(
        &db,
        &[Edit::Insert { table: "docs".into(), values: vec![set("body", Value::Null)], rowid: None }],
    )
    .expect_err("vtab");
    assert!(err.to_string().contains("virtual table"), "{err}");
    let err = mutation::apply(
        &db,
        &[Edit::Update { table: "item".into(), key: "1".into(), set: vec![set("total", Value::Integer(1))] }],
    )
    .expect_err("generated");
    assert!(err.to_string().contains("generated"), "{err}");
    let err = mutation::apply(
        &db,
        &[Edit::Update { table: "item".into(), key: "1".into(), set: vec![set("nope", Value::Integer(1))] }],
    )
    .expect_err("column");
    assert!(err.to_string().contains("no such column"), "{err}");
    let err = mutation::apply(
        &db,
        &[Edit::Update { table: "pair".into(), key: "1".into(), set: vec![set("v", Value::Integer(1))] }],
    )
    .expect_err("composite key as int");
    assert!(err.to_string().contains("composite"), "{err}");
}

#[test]
fn duplicate_rows_without_a_primary_key_are_edited_one_at_a_time() {
    let (_dir, db) = setup();
    let rows = all_rows(&db, "plain");
    assert_eq!(rows[0].1, rows[1].1, "two identical rows");
    let key = rows[0].0.clone().expect("rowid key");
    mutation::apply(
        &db,
        &[Edit::Update { table: "plain".into(), key, set: vec![set("y", Value::Text("edited".into()))] }],
    )
    .expect("update");
    let rows = all_rows(&db, "plain");
    assert_eq!(rows[0].1[1], Value::Text("edited".into()));
    assert_eq!(rows[1].1[1], Value::Text("dup".into()), "the twin is untouched");
}

#[test]
fn undo_restores_exactly_including_deleted_rowids_and_key_changes() {
    let (_dir, db) = setup();
    let before = fingerprint(&db);
    let changes = mutation::apply(
        &db,
        &[
            Edit::Update {
                table: "item".into(),
                key: "1".into(),
                set: vec![set("id", Value::Integer(100)), set("name", Value::Text("moved".into()))],
            },
            Edit::Delete { table: "item".into(), key: "2".into() },
            Edit::Delete { table: "plain".into(), key: "2".into() },
            Edit::Delete { table: "pair".into(), key: r#"["x", 2]"#.into() },
            Edit::Insert {
                table: "pair".into(),
                values: vec![set("a", Value::Text("q".into())), set("b", Value::Integer(0))],
                rowid: None,
            },
            Edit::Update {
                table: "pair".into(),
                key: r#"["y", 1]"#.into(),
                set: vec![set("a", Value::Text("w".into()))],
            },
        ],
    )
    .expect("apply");
    assert_eq!(changes[0].key_after.as_deref(), Some("100"));
    assert_ne!(fingerprint(&db), before);
    mutation::undo(&db, &changes).expect("undo");
    assert_eq!(fingerprint(&db), before);
}

#[test]
fn five_hundred_edits_are_one_transaction() {
    let (_dir, db) = setup();
    let edits: Vec<Edit> = (0..500)
        .map(|i| Edit::Insert {
            table: "plain".into(),
            values: vec![set("x", Value::Integer(i)), set("y", Value::Text(format!("r{i}")))],
            rowid: None,
        })
        .collect();
    let changes = mutation::apply(&db, &edits).expect("batch");
    assert_eq!(changes.len(), 500);
    let updates: Vec<Edit> = changes
        .iter()
        .map(|c| Edit::Update {
            table: "plain".into(),
            key: c.key_after.clone().expect("key"),
            set: vec![set("y", Value::Null)],
        })
        .collect();
    mutation::apply(&db, &updates).expect("updates");
    assert_eq!(
        query::count(&db, "plain", &[sonde_db::filter::Filter::parse("y is null").expect("f")])
            .expect("count"),
        500
    );
}

#[test]
fn cli_edits_change_exactly_what_was_asked() {
    let (_dir, db) = setup();
    let dbs = db.display().to_string();
    sonde_ok(["update", &dbs, "item", "--key", "2", "--set", "name=Big \"pear\"", "--set", "qty=7"]);
    let out = json(&sonde_ok(["query", &dbs, "SELECT id, name, qty, total FROM item ORDER BY id", "--json"]));
    assert_eq!(out["rows"], serde_json::json!([[1, "apple", 3, 30], [2, "Big \"pear\"", 7, 70]]));
    let key =
        sonde_ok(["insert", &dbs, "pair", "--set", "a=k", "--set", "b=5", "--set", "v={\"$blob\":\"AAE=\"}"]);
    let out = json(&sonde_ok(["query", &dbs, "SELECT hex(v) FROM pair WHERE a = 'k'", "--json"]));
    assert_eq!(out["rows"], serde_json::json!([["0001"]]));
    sonde_ok(["delete", &dbs, "pair", "--key", key.trim()]);
    sonde_ok(["delete", &dbs, "item", "--key", "1", "2"]);
    let out = json(&sonde_ok(["tables", &dbs, "--json"]));
    let item = out.as_array().expect("list").iter().find(|t| t["name"] == "item").expect("item");
    assert_eq!(item["rows"], 0);
    // Failed commands write nothing.
    let before = sha256(&db);
    sonde_err(["update", &dbs, "pair", "--key", "pk:AAAA", "--set", "v=1"]);
    sonde_err(["update", &dbs, "item_view", "--key", "1", "--set", "name=x"]);
    sonde_err(["insert", &dbs, "item", "--set", "qty=-5"]);
    sonde_err(["insert", &dbs, "item", "--set", "noequals"]);
    sonde_err(["delete", &dbs, "parent", "--key", "1"]);
    assert_eq!(sha256(&db), before);
}

/// `INTEGER PRIMARY KEY DESC` is not the rowid's alias (SQLite's rule): undo
/// of a delete must bring the row back under its old rowid, its key. The
/// mutation service once judged the alias by the declared type alone and
/// let SQLite pick a new rowid.
#[test]
fn undo_in_a_table_whose_integer_key_is_not_the_rowid_alias() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = make_db(
        dir.path(),
        "desc.db",
        "CREATE TABLE t(id INTEGER PRIMARY KEY DESC, v TEXT);
         INSERT INTO t(rowid, id, v) VALUES (10, 1, 'a'), (20, 2, 'b'), (30, 3, 'c');",
    );
    let deleted =
        mutation::apply(&db, &[Edit::Delete { table: "t".into(), key: "20".into() }]).expect("delete");
    assert_eq!(deleted[0].key_before.as_deref(), Some("20"));
    let restored = mutation::undo(&db, &deleted).expect("undo");
    assert_eq!(restored[0].key_after.as_deref(), Some("20"), "the row is back under its own key");
    let conn = rusqlite::Connection::open(&db).expect("open");
    let back: (i64, i64, String) = conn
        .query_row("SELECT rowid, id, v FROM t WHERE id = 2", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("row");
    assert_eq!(back, (20, 2, "b".into()));
}
