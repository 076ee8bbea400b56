//! Fast jumps in big rowid tables: a sample of every 8,192nd rowid, built
//! once per file version in the background, turns "the row at offset N" from
//! a walk of N rows into a seek plus a walk of at most 8,191. A table whose
//! rowids have no gaps (count = max - min + 1, three cheap lookups) needs no
//! scan at all: the row at offset N has rowid min + N.
//!
//! Used only where it is exact: a rowid table in its default order with no
//! filters. The sample belongs to one version of the file (size and mtime
//! of the database and its `-wal`); any commit, ours or another process's,
//! makes it stale and jumps fall back to the plain walk until it is rebuilt.

use crate::error::{Result, SqliteResultExt};
use crate::pool::Db;
use crate::schema::{KeyStrategy, TableSchema};
use dashmap::DashMap;
use once_cell::sync::Lazy;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

const STEP: u64 = 8_192;
/// Below this many rows a plain walk is already fast.
pub(crate) const WORTH_IT: u64 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileVersion {
    db: (u64, Option<SystemTime>),
    wal: Option<(u64, Option<SystemTime>)>,
}

impl FileVersion {
    fn of(path: &Path) -> Option<FileVersion> {
        let stat = |p: &Path| std::fs::metadata(p).ok().map(|m| (m.len(), m.modified().ok()));
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        Some(FileVersion { db: stat(path)?, wal: stat(Path::new(&wal)) })
    }
}

struct Samples {
    version: FileVersion,
    rowids: Rowids,
}

enum Rowids {
    /// `rowids[i]` is the rowid of row `i * STEP` in rowid order.
    Every(Vec<i64>),
    /// Rowids `first..first + rows` without gaps.
    Dense { first: i64, rows: u64 },
}

enum Slot {
    Building,
    Ready(Arc<Samples>),
}

static CACHE: Lazy<DashMap<(PathBuf, String), Slot>> = Lazy::new(DashMap::new);

/// Bumped (and waiters woken) whenever a background build ends, however it
/// ends: tests wait on this event instead of polling.
static BUILDS_ENDED: Lazy<(std::sync::Mutex<u64>, std::sync::Condvar)> =
    Lazy::new(|| (std::sync::Mutex::new(0), std::sync::Condvar::new()));

fn build_ended() {
    let (count, ended) = &*BUILDS_ENDED;
    if let Ok(mut n) = count.lock() {
        *n += 1;
    }
    ended.notify_all();
}

/// Drops the samples of a database whose pools were closed (evicted or
/// least recently used), so the cache lives no longer than the pools.
pub(crate) fn forget(path: &Path) {
    CACHE.retain(|(p, _), _| p != path);
}

/// Whether jumps in this table can use a sample.
pub(crate) fn eligible(schema: &TableSchema, has_order: bool, has_filters: bool) -> bool {
    matches!(schema.key, KeyStrategy::Rowid { .. }) && !has_order && !has_filters
}

/// Starts building the sample in the background unless a fresh one exists
/// or is being built.
pub(crate) fn warm(db: &Db, schema: &TableSchema) {
    let KeyStrategy::Rowid { alias } = schema.key else { return };
    let key = (db.path().to_owned(), schema.name.clone());
    let Some(version) = FileVersion::of(db.path()) else { return };
    match CACHE.get(&key).as_deref() {
        Some(Slot::Building) => return,
        Some(Slot::Ready(s)) if s.version == version => return,
        _ => {}
    }
    CACHE.insert(key.clone(), Slot::Building);
    let db = db.clone();
    let table = schema.name.clone();
    let cleanup_key = key.clone();
    let spawned = std::thread::Builder::new().name("sonde-jump-sample".into()).spawn(move || {
        match build(&db, &table, alias) {
            // Kept only while the database is open (else `forget` already ran).
            Ok(Some(samples)) if samples.version == version && crate::pool::pools().is_open(db.path()) => {
                CACHE.insert(key, Slot::Ready(Arc::new(samples)));
            }
            Ok(_) => {
                CACHE.remove(&key);
            }
            Err(e) => {
                tracing::debug!(error = %e, "jump sample not built");
                CACHE.remove(&key);
            }
        }
        build_ended();
    });
    if spawned.is_err() {
        CACHE.remove(&cleanup_key);
    }
}

fn build(db: &Db, table: &str, alias: &str) -> Result<Option<Samples>> {
    let before = FileVersion::of(db.path());
    let conn = db.reader()?;
    let quoted = crate::ident::quote(table);
    let tx = conn.unchecked_transaction().at(db.path())?;
    // SQLite counts from the smallest b-tree and seeks min/max: milliseconds.
    let (count, min, max): (i64, Option<i64>, Option<i64>) = tx
        .query_row(
            &format!(
                "SELECT (SELECT count(*) FROM {quoted}), (SELECT min({alias}) FROM {quoted}), (SELECT max({alias}) FROM {quoted})"
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .at(db.path())?;
    let rowids = match (min, max) {
        (Some(min), Some(max)) if i128::from(max) - i128::from(min) + 1 == i128::from(count) => {
            Rowids::Dense { first: min, rows: u64::try_from(count).unwrap_or(0) }
        }
        _ => Rowids::Every(every_nth_rowid(db, &tx, &quoted, alias)?),
    };
    drop(tx);
    let after = FileVersion::of(db.path());
    Ok(match (before, after) {
        (Some(b), Some(a)) if a == b => Some(Samples { version: a, rowids }),
        _ => None,
    })
}

fn every_nth_rowid(db: &Db, conn: &rusqlite::Connection, quoted: &str, alias: &str) -> Result<Vec<i64>> {
    let sql = format!("SELECT {alias} FROM {quoted} ORDER BY {alias}");
    let mut stmt = conn.prepare(&sql).at(db.path())?;
    let mut rows = stmt.query([]).at(db.path())?;
    let mut rowids = Vec::new();
    let mut i: u64 = 0;
    while let Some(row) = rows.next().at(db.path())? {
        if i.is_multiple_of(STEP) {
            rowids.push(row.get::<_, i64>(0).at(db.path())?);
        }
        i += 1;
    }
    Ok(rowids)
}

/// The rowid of the row at `offset` (0-based, rowid order), from a fresh
/// sample; `None` when there is none (the caller walks instead).
pub(crate) fn rowid_at(
    db: &Db,
    conn: &rusqlite::Connection,
    schema: &TableSchema,
    offset: u64,
) -> Result<Option<i64>> {
    let KeyStrategy::Rowid { alias } = schema.key else { return Ok(None) };
    let key = (db.path().to_owned(), schema.name.clone());
    let samples = match CACHE.get(&key).as_deref() {
        Some(Slot::Ready(s)) => Arc::clone(s),
        _ => return Ok(None),
    };
    if FileVersion::of(db.path()) != Some(samples.version) {
        CACHE.remove(&key);
        return Ok(None);
    }
    let start = match &samples.rowids {
        Rowids::Dense { first, rows } => {
            // Exact without touching the table: no gaps between first and last.
            return Ok(
                (offset < *rows).then(|| first.saturating_add(i64::try_from(offset).unwrap_or(i64::MAX)))
            );
        }
        Rowids::Every(rowids) => match rowids.get((offset / STEP) as usize) {
            Some(&start) => start,
            None => return Ok(None),
        },
    };
    let sql = format!(
        "SELECT {alias} FROM {} WHERE {alias} >= ?1 ORDER BY {alias} LIMIT 1 OFFSET {}",
        crate::ident::quote(&schema.name),
        offset % STEP
    );
    let found: Option<i64> = conn
        .query_row(&sql, [start], |r| r.get(0))
        .map(Some)
        .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })
        .at(db.path())?;
    Ok(found)
}

/// Waits until the sample of `table` is built; fails at once when its build
/// ended without one. (The build inserts its result before it signals, and
/// the slot is checked under the signal's lock: no wake-up is missed.)
#[cfg(test)]
pub(crate) fn wait_ready(path: &Path, table: &str) {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let key = (canonical, table.to_owned());
    let (count, ended) = &*BUILDS_ENDED;
    let mut guard = count.lock().expect("signal lock");
    loop {
        // Read the slot into a plain value: the map's lock must not be held
        // while waiting (the build needs it to insert its result).
        let building = match CACHE.get(&key).as_deref() {
            Some(Slot::Ready(_)) => return,
            Some(Slot::Building) => true,
            None => false,
        };
        assert!(building, "the jump sample's build ended without a sample");
        guard = ended.wait(guard).expect("signal lock");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::pools;
    use crate::query::{self, PageRequest};

    #[test]
    fn samples_go_with_their_pools() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sparse.db");
        let conn = rusqlite::Connection::open(&path).expect("create");
        // Two rows whose rowids span 5 million: the estimate says "big".
        conn.execute_batch("CREATE TABLE t(v); INSERT INTO t(rowid, v) VALUES (1, 'a'), (5000000, 'b');")
            .expect("fill");
        drop(conn);
        let req = PageRequest { table: "t".into(), limit: 10, ..Default::default() };
        query::page(&path, &req).expect("page");
        wait_ready(&path, "t");
        let canonical = std::fs::canonicalize(&path).expect("canonical");
        assert!(CACHE.iter().any(|e| e.key().0 == canonical));
        pools().evict(&path);
        assert!(!CACHE.iter().any(|e| e.key().0 == canonical), "the sample outlived its pools");
    }
}
