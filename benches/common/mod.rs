//! The big file every benchmark shares: `target/bench-data/big.db`, a
//! 10,000,000-row `events` table, generated once (about 10-20 s) and reused.

use std::path::PathBuf;

pub const ROWS: i64 = 10_000_000;

/// `target/bench-data/big.db`: `events(id INTEGER PRIMARY KEY, user_id, kind, payload, created_at)`.
pub fn big_db() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let path = dir.join("big.db");
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(&dir).expect("mkdir");
    let tmp = dir.join("big.db.tmp");
    let _ = std::fs::remove_file(&tmp);
    let conn = rusqlite::Connection::open(&tmp).expect("create");
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE events(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, kind TEXT NOT NULL,
                             payload TEXT, created_at INTEGER NOT NULL);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})
         INSERT INTO events(id, user_id, kind, payload, created_at)
         SELECT i, (i * 7919) % 100000, 'kind' || (i % 13), 'payload of row ' || i, 1700000000 + i FROM n;
         CREATE INDEX events_user ON events(user_id);"
    ))
    .expect("fill");
    drop(conn);
    std::fs::rename(&tmp, &path).expect("rename");
    path
}
