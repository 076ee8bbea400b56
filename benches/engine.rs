//! Engine benchmarks on a real file: pages of a 10,000,000-row table (first
//! page, a page after a jump to the middle, a keyset "next" page deep in the
//! table), a sorted page on an indexed column, a batch of 500 edits, and a
//! streaming CSV export. The big file is generated once into
//! `target/bench-data/` (about 10-20 s) and reused.

use criterion::{criterion_group, criterion_main, Criterion};
use sonde_db::export::{self, Format, Source};
use sonde_db::mutation::{self, Assignment, Edit};
use sonde_db::query::{self, OrderBy, PageRequest};
use sonde_db::Value;

mod common;

use common::{big_db, ROWS};

fn paging(c: &mut Criterion) {
    let db = big_db();
    let req =
        |order: Vec<OrderBy>| PageRequest { table: "events".into(), limit: 200, order, ..Default::default() };
    query::page(&db, &req(vec![])).expect("warm");
    let mut g = c.benchmark_group("page_10m");
    g.bench_function("first_page", |b| b.iter(|| query::page(&db, &req(vec![])).expect("page")));
    let deep = query::page_at(&db, &req(vec![]), (ROWS / 2) as u64).expect("middle").next;
    g.bench_function("next_page_in_the_middle", |b| {
        b.iter(|| {
            let mut r = req(vec![]);
            r.after = deep.clone();
            query::page(&db, &r).expect("page")
        })
    });
    g.sample_size(10);
    g.bench_function("jump_to_middle", |b| {
        b.iter(|| query::page_at(&db, &req(vec![]), (ROWS / 2) as u64).expect("jump"))
    });
    g.bench_function("first_page_sorted_by_indexed_column", |b| {
        b.iter(|| {
            query::page(&db, &req(vec![OrderBy { column: "user_id".into(), desc: true }])).expect("sorted")
        })
    });
    g.finish();
}

fn edits(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("edits.db");
    let conn = rusqlite::Connection::open(&path).expect("create");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) INSERT INTO t SELECT i, 'x' FROM n;",
    )
    .expect("fill");
    let batch: Vec<Edit> = (1..=500)
        .map(|i| Edit::Update {
            table: "t".into(),
            key: i.to_string(),
            set: vec![Assignment { column: "v".into(), value: Value::Text(format!("edited {i}")) }],
        })
        .collect();
    c.bench_function("apply_500_edits_one_transaction", |b| {
        b.iter(|| mutation::apply(&path, &batch).expect("apply"))
    });
}

fn exporting(c: &mut Criterion) {
    let db = big_db();
    let source = Source::Table {
        table: "events".into(),
        order: vec![],
        filters: vec![sonde_db::filter::Filter::parse("id <= 100000").expect("filter")],
    };
    let mut g = c.benchmark_group("export_100k_rows");
    g.sample_size(10);
    for (name, format) in [("csv", Format::Csv), ("jsonl", Format::Jsonl)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut sink = std::io::sink();
                export::export(&db, &source, format, &mut sink, &mut |_| true).expect("export")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, paging, edits, exporting);
criterion_main!(benches);
