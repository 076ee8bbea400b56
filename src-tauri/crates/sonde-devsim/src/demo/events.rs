//! The analytics app: one big table (what a developer pages through, jumps
//! in and filters), made with one SQL statement when the demo is written.

use std::path::Path;

use rusqlite::Connection;

use super::DemoError;

/// Rows of `events` in the full demo.
pub const EVENTS_FULL: u64 = 1_000_000;
/// Rows of `events` in a small demo (tests).
pub const EVENTS_SMALL: u64 = 1_000;

pub fn create(path: &Path, rows: u64) -> Result<(), DemoError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let conn = Connection::open(path)?;
    // Written once by us, not by an app: no journal needed while filling.
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE TABLE events (
             id INTEGER PRIMARY KEY,
             at INTEGER NOT NULL,
             session INTEGER NOT NULL,
             kind TEXT NOT NULL,
             screen TEXT,
             duration_ms INTEGER,
             payload TEXT
         );",
    )?;
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
         INSERT INTO events
         SELECT i,
                1709251200000 + i * 1500 + (i * 7919) % 1000,
                i / 40,
                CASE i % 5 WHEN 0 THEN 'screen_view' WHEN 1 THEN 'tap' WHEN 2 THEN 'scroll'
                           WHEN 3 THEN 'network' ELSE 'error' END,
                'screen_' || (i % 17),
                CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 2654435761) % 5000 END,
                json_object('seq', i % 40, 'ok', i % 13 != 0)
         FROM n",
        [i64::try_from(rows).unwrap_or(i64::MAX)],
    )?;
    conn.execute_batch("CREATE INDEX events_by_kind ON events(kind); PRAGMA journal_mode = DELETE;")?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}
