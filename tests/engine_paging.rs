//! Keyset pagination: walking `next` yields every row exactly once, in the
//! same order as the equivalent ORDER BY, for rowid tables, WITHOUT ROWID
//! tables, views and tables with no usable key; with sorts on NULL-holding
//! and mixed-type columns, and with filters.

mod common;

use common::*;
use rusqlite::Connection;
use sonde_db::filter::Filter;
use sonde_db::query::{self, OrderBy, PageRequest};
use sonde_db::Value;
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE t(id INTEGER PRIMARY KEY, v, w TEXT, note TEXT);
CREATE TABLE w(a TEXT, b INTEGER, c, PRIMARY KEY(a, b)) WITHOUT ROWID;
CREATE TABLE shadowed(rowid TEXT, oid TEXT, _rowid_ TEXT, x);
CREATE VIEW tv AS SELECT id, v, w FROM t WHERE id % 2 = 0;
";

/// 600 rows with many duplicate and NULL sort values and mixed types.
fn fill(conn: &Connection) {
    conn.execute_batch("BEGIN").expect("begin");
    for i in 0..600i64 {
        let v: Value = match i % 7 {
            0 => Value::Null,
            1 => Value::Integer(i % 5),
            2 => Value::Real((i % 4) as f64 / 2.0),
            3 => Value::Text(format!("t{}", i % 6)),
            4 => Value::Blob(vec![(i % 3) as u8]),
            5 => Value::Integer(-(i % 2)),
            _ => Value::Text(String::new()),
        };
        let w: Value = if i % 4 == 0 { Value::Null } else { Value::Text(format!("w{}", i % 9)) };
        conn.execute(
            "INSERT INTO t(id, v, w, note) VALUES (?1, ?2, ?3, 'n')",
            rusqlite::params![i * 3 + 1, v, w],
        )
        .expect("insert t");
        conn.execute(
            "INSERT INTO w VALUES (?1, ?2, ?3)",
            rusqlite::params![
                format!("k{}", i % 17),
                i / 17,
                if i % 5 == 0 { Value::Null } else { Value::Integer(i % 4) }
            ],
        )
        .expect("insert w");
        conn.execute("INSERT INTO shadowed VALUES ('r', 'o', '_', ?1)", [i % 10]).expect("insert shadowed");
    }
    conn.execute_batch("COMMIT").expect("commit");
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tmp");
    let db = make_db(dir.path(), "paging.db", SCHEMA);
    fill(&Connection::open(&db).expect("open"));
    (dir, db)
}

/// Walks every page through the library; returns all rows' values.
fn walk(db: &Path, table: &str, limit: usize, order: &[OrderBy], filters: &[Filter]) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let req = PageRequest {
            table: table.into(),
            limit,
            after: after.take(),
            order: order.to_vec(),
            filters: filters.to_vec(),
        };
        let page = query::page(db, &req).expect("page");
        assert!(page.rows.len() <= limit);
        out.extend(page.rows.into_iter().map(|r| r.values));
        match page.next {
            Some(n) => after = Some(n),
            None => return out,
        }
    }
}

fn reference(db: &Path, sql: &str) -> Vec<Vec<Value>> {
    let conn = Connection::open(db).expect("open");
    let mut stmt = conn.prepare(sql).expect("prepare");
    let n = stmt.column_count();
    stmt.query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn ob(col: &str, desc: bool) -> OrderBy {
    OrderBy { column: col.into(), desc }
}

#[test]
fn rowid_table_in_every_order_matches_order_by() {
    let (_dir, db) = setup();
    let cases: Vec<(Vec<OrderBy>, &str)> = vec![
        (vec![], "ORDER BY rowid"),
        (vec![ob("v", false)], "ORDER BY v, rowid"),
        (vec![ob("v", true)], "ORDER BY v DESC, rowid"),
        (vec![ob("w", true), ob("v", false)], "ORDER BY w DESC, v, rowid"),
        (vec![ob("w", false), ob("v", true)], "ORDER BY w, v DESC, rowid"),
        (vec![ob("id", true)], "ORDER BY id DESC"),
    ];
    for (order, sql_order) in cases {
        for limit in [1, 7, 600, 1000] {
            let got = walk(&db, "t", limit, &order, &[]);
            let want = reference(&db, &format!("SELECT id, v, w, note FROM t {sql_order}"));
            assert_eq!(got.len(), 600, "{sql_order} limit {limit}");
            assert_eq!(got, want, "{sql_order} limit {limit}");
        }
    }
}

#[test]
fn without_rowid_table_pages_by_primary_key() {
    let (_dir, db) = setup();
    for (order, sql_order) in [
        (vec![], "ORDER BY a, b"),
        (vec![ob("c", true)], "ORDER BY c DESC, a, b"),
        (vec![ob("b", true), ob("c", false)], "ORDER BY b DESC, c, a"),
    ] {
        let got = walk(&db, "w", 11, &order, &[]);
        assert_eq!(got, reference(&db, &format!("SELECT a, b, c FROM w {sql_order}")), "{sql_order}");
    }
    let page =
        query::page(&db, &PageRequest { table: "w".into(), limit: 2, ..Default::default() }).expect("page");
    let key = page.rows[0].key.as_deref().expect("pk key");
    assert!(key.starts_with("pk:"), "{key}");
}

#[test]
fn views_and_keyless_tables_page_by_offset_exactly_once() {
    let (_dir, db) = setup();
    let mut got = walk(&db, "tv", 13, &[], &[]);
    let mut want = reference(&db, "SELECT id, v, w FROM tv");
    assert_eq!(got.len(), 300);
    let sort = |rows: &mut Vec<Vec<Value>>| rows.sort_by_key(|r| format!("{r:?}"));
    sort(&mut got);
    sort(&mut want);
    assert_eq!(got, want);
    // With a user order, ties are broken by every column: pages are stable.
    let ordered = walk(&db, "tv", 9, &[ob("v", true)], &[]);
    assert_eq!(ordered, reference(&db, "SELECT id, v, w FROM tv ORDER BY v DESC, id, w"));
    let shadowed = walk(&db, "shadowed", 50, &[], &[]);
    assert_eq!(shadowed.len(), 600);
    let page =
        query::page(&db, &PageRequest { table: "tv".into(), limit: 1, ..Default::default() }).expect("page");
    assert_eq!(page.rows[0].key, None, "views have no row keys");
}

#[test]
fn filters_are_bound_and_combined() {
    let (_dir, db) = setup();
    let filters = vec![
        Filter::parse("w is not null").expect("f1"),
        Filter::parse("id > 100").expect("f2"),
        Filter::parse("w in ('w1', 'w2', 'w3')").expect("f3"),
    ];
    let got = walk(&db, "t", 5, &[ob("v", false)], &filters);
    let want = reference(
        &db,
        "SELECT id, v, w, note FROM t WHERE w IS NOT NULL AND id > 100 AND w IN ('w1','w2','w3') ORDER BY v, rowid",
    );
    assert!(!want.is_empty());
    assert_eq!(got, want);
    let n = query::count(&db, "t", &filters).expect("count");
    assert_eq!(n as usize, want.len());
    // A value that looks like SQL stays a value.
    let hostile = vec![Filter::parse("w = 'x'' OR 1=1 --'").expect("f")];
    assert!(walk(&db, "t", 5, &[], &hostile).is_empty());
    let like = vec![Filter::parse("w contains W1").expect("contains")];
    assert_eq!(
        walk(&db, "t", 50, &[], &like),
        reference(&db, "SELECT id, v, w, note FROM t WHERE w LIKE '%w1%' ORDER BY rowid")
    );
}

#[test]
fn jump_to_row_matches_offset() {
    let (_dir, db) = setup();
    for (order, sql_order) in [(vec![], "ORDER BY rowid"), (vec![ob("v", true)], "ORDER BY v DESC, rowid")] {
        for offset in [0u64, 1, 299, 599, 600, 700] {
            let req = PageRequest { table: "t".into(), limit: 5, order: order.clone(), ..Default::default() };
            let page = query::page_at(&db, &req, offset).expect("page_at");
            let got: Vec<Vec<Value>> = page.rows.into_iter().map(|r| r.values).collect();
            let want =
                reference(&db, &format!("SELECT id, v, w, note FROM t {sql_order} LIMIT 5 OFFSET {offset}"));
            assert_eq!(got, want, "{sql_order} offset {offset}");
        }
    }
    let req = PageRequest { table: "tv".into(), limit: 3, ..Default::default() };
    let page = query::page_at(&db, &req, 10).expect("view jump");
    assert_eq!(page.rows.len(), 3);
}

#[test]
fn cursors_cannot_be_replayed_on_another_query() {
    let (_dir, db) = setup();
    let first =
        query::page(&db, &PageRequest { table: "t".into(), limit: 3, ..Default::default() }).expect("page");
    let cursor = first.next.expect("next");
    let other = PageRequest {
        table: "t".into(),
        limit: 3,
        after: Some(cursor.clone()),
        order: vec![ob("v", false)],
        ..Default::default()
    };
    let err = query::page(&db, &other).expect_err("mismatch");
    assert!(err.to_string().contains("invalid cursor"), "{err}");
    let garbage =
        PageRequest { table: "t".into(), limit: 3, after: Some("zzz".into()), ..Default::default() };
    assert!(query::page(&db, &garbage).is_err());
}

#[test]
fn cli_walk_yields_every_row_once_for_each_kind_of_table() {
    let (_dir, db) = setup();
    for (table, expected, extra) in [
        ("t", 600, vec![]),
        ("t", 600, vec!["--order", "v:desc", "--order", "w"]),
        ("w", 600, vec!["--order", "c"]),
        ("tv", 300, vec![]),
    ] {
        let rows = walk_rows(&db, table, 97, &extra);
        assert_eq!(rows.len(), expected, "{table} {extra:?}");
        let mut seen: Vec<String> = rows.iter().map(|r| r["values"].to_string()).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), expected, "duplicates in {table} {extra:?}");
    }
}
