//! Encrypted databases (issue 12): what a key costs, in one process.
//!
//! - open + first page (200 rows) of a SQLCipher 4 database (256,000 KDF
//!   rounds) vs the same database in plain SQLite;
//! - a second reader of it (the pool keys it with the raw key derived once)
//!   vs a connection given the passphrase, as a pool would without
//!   derive-once (every connection pays the KDF);
//! - paging once open (a page in the middle) encrypted vs plain.
//!
//! `cargo bench --bench cipher`. Prints medians and ratios; no assertions.

use sonde_db::cipher::CipherKey;
use sonde_db::pool::pools;
use std::path::Path;
use std::time::{Duration, Instant};

const ROWS: i64 = 100_000;
const PASS: &str = "correct horse battery staple";

fn make(path: &Path, key: Option<&str>) {
    let conn = rusqlite::Connection::open(path).expect("create");
    if let Some(k) = key {
        conn.pragma_update(None, "key", k).expect("key");
    }
    conn.execute_batch(&format!(
        "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, note TEXT);
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < {ROWS})
         INSERT INTO t SELECT x, 'name ' || x, x % 97, hex(randomblob(16)) FROM c;"
    ))
    .expect("fill");
}

fn first_page(path: &Path) {
    let db = pools().open(path).expect("open");
    let conn = db.reader().expect("reader");
    let mut stmt = conn.prepare_cached("SELECT * FROM t ORDER BY id LIMIT 200").expect("prepare");
    let n = stmt.query_map([], |_| Ok(())).expect("rows").count();
    assert_eq!(n, 200);
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let dir = tempfile::tempdir().expect("tmp");
    let (plain, enc) = (dir.path().join("plain.db"), dir.path().join("enc.db"));
    make(&plain, None);
    make(&enc, Some(PASS));
    let key = CipherKey::parse(PASS).expect("key");
    let runs = 5;

    // Open + first page, from a cold pool each time.
    let mut open_plain = Vec::new();
    let mut open_enc = Vec::new();
    for _ in 0..runs {
        pools().evict(&plain);
        let t = Instant::now();
        first_page(&plain);
        open_plain.push(t.elapsed());
        pools().set_key(&enc, Some(std::sync::Arc::new(key.clone()))).expect("set key");
        let t = Instant::now();
        first_page(&enc);
        open_enc.push(t.elapsed());
    }

    // A second reader while the first is held (a new connection from the pool).
    let second = |path: &Path| {
        let db = pools().open(path).expect("open");
        let _first = db.reader().expect("first");
        let t = Instant::now();
        let conn = db.reader().expect("second");
        let _: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).expect("read");
        t.elapsed()
    };
    let mut second_plain = Vec::new();
    let mut second_enc = Vec::new();
    for _ in 0..runs {
        pools().evict(&plain);
        first_page(&plain);
        second_plain.push(second(&plain));
        pools().set_key(&enc, Some(std::sync::Arc::new(key.clone()))).expect("set key");
        first_page(&enc);
        second_enc.push(second(&enc));
    }
    // What each connection would pay without derive-once.
    let mut passphrase_conn = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let conn = rusqlite::Connection::open_with_flags(&enc, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open");
        conn.pragma_update(None, "key", PASS).expect("key");
        let _: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).expect("read");
        passphrase_conn.push(t.elapsed());
    }

    // A page in the middle, pools warm.
    let page = |path: &Path| {
        let db = pools().open(path).expect("open");
        let conn = db.reader().expect("reader");
        let t = Instant::now();
        let mut stmt =
            conn.prepare_cached("SELECT * FROM t WHERE id > ?1 ORDER BY id LIMIT 200").expect("prepare");
        let n = stmt.query_map([ROWS / 2], |_| Ok(())).expect("rows").count();
        assert_eq!(n, 200);
        t.elapsed()
    };
    let page_plain = median((0..50).map(|_| page(&plain)).collect());
    let page_enc = median((0..50).map(|_| page(&enc)).collect());

    let (op, oe) = (median(open_plain), median(open_enc));
    let (sp, se, pc) = (median(second_plain), median(second_enc), median(passphrase_conn));
    println!("open + first page      plain {:8.2} ms  SQLCipher 4 {:8.2} ms  (KDF once)", ms(op), ms(oe));
    println!(
        "second reader          plain {:8.2} ms  SQLCipher 4 {:8.2} ms  vs a passphrase connection {:8.2} ms (ratio {:.3})",
        ms(sp),
        ms(se),
        ms(pc),
        se.as_secs_f64() / pc.as_secs_f64()
    );
    println!(
        "page in the middle     plain {:8.3} ms  SQLCipher 4 {:8.3} ms  (ratio {:.2})",
        ms(page_plain),
        ms(page_enc),
        page_enc.as_secs_f64() / page_plain.as_secs_f64()
    );
}
