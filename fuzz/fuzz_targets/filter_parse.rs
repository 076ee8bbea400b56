//! Filters (`sonde_db::filter::Filter::parse`): total on any text; what it
//! accepts has the right number of operands, survives a JSON round trip, and
//! compiles to SQL that SQLite runs (count and page) on a real file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonde_db::filter::{Filter, FilterOp};
use sonde_db::query::{self, PageRequest};
use sonde_fuzz::same_all;
use std::path::PathBuf;
use std::sync::OnceLock;

const COLUMNS: [&str; 3] = ["a", "b c", "x\"y"];

fn db() -> &'static PathBuf {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("sonde-fuzz-filter-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let path = dir.join("f.db");
        let _ = std::fs::remove_file(&path);
        let conn = rusqlite::Connection::open(&path).expect("create");
        conn.execute_batch(
            "CREATE TABLE t(a, \"b c\" TEXT, \"x\"\"y\" REAL);
             INSERT INTO t VALUES (1, 'one', 1.5), (NULL, NULL, NULL), (x'00ff', 'a%b_c\\d', -0.0),
                                  ('text', '', 1e308), (-9223372036854775808, 'z', 0.1);",
        )
        .expect("fill");
        path
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(mut filter) = Filter::parse(&text) else { return };
    match filter.op {
        FilterOp::IsNull | FilterOp::IsNotNull => assert!(filter.values.is_empty()),
        FilterOp::In => {}
        _ => assert_eq!(filter.values.len(), 1, "{text:?}"),
    }
    let json = serde_json::to_string(&filter).expect("encode");
    let back: Filter = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert!(back.column == filter.column && back.op == filter.op && same_all(&back.values, &filter.values));

    filter.column = COLUMNS[data.len() % COLUMNS.len()].to_owned();
    let n = query::count(db(), "t", std::slice::from_ref(&filter))
        .unwrap_or_else(|e| panic!("{text:?} as {filter:?}: {e}"));
    assert!(n <= 5);
    let page = query::page(
        db(),
        &PageRequest { table: "t".into(), limit: 2, filters: vec![filter.clone()], ..Default::default() },
    )
    .unwrap_or_else(|e| panic!("{text:?} as {filter:?}: {e}"));
    assert!(page.rows.len() <= 2);
    if let Some(next) = page.next {
        let rest = query::page(
            db(),
            &PageRequest {
                table: "t".into(),
                limit: 10,
                after: Some(next),
                filters: vec![filter.clone()],
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{text:?} next page: {e}"));
        assert_eq!(
            page.rows.len() as u64 + rest.rows.len() as u64,
            n,
            "paging returns every matching row once"
        );
    }
});
