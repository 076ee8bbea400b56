//! Sonde's own SQLite file (in the user data dir): recent databases, query
//! history, and the pending change log, so unpushed edits survive a restart.
//! Created and upgraded by versioned migrations (`PRAGMA user_version`).

use crate::error::{DbError, Result};
use crate::mutation::{Change, RebaseConflict};
use rusqlite::{params, Connection};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Migration N brings the file from version N to N+1. Append only.
const MIGRATIONS: &[&str] = &[
    // 1: recent databases and query history.
    "CREATE TABLE recent_database (
         uri TEXT PRIMARY KEY,
         label TEXT NOT NULL,
         opened_at INTEGER NOT NULL
     ) WITHOUT ROWID;
     CREATE TABLE query_history (
         id INTEGER PRIMARY KEY,
         db_uri TEXT NOT NULL,
         sql TEXT NOT NULL,
         ran_at INTEGER NOT NULL,
         ok INTEGER NOT NULL,
         error TEXT
     );
     CREATE INDEX query_history_by_db ON query_history(db_uri, id);",
    // 2: the pending change log (edits applied to a snapshot, not yet pushed).
    "CREATE TABLE pending_change (
         id INTEGER PRIMARY KEY,
         db_uri TEXT NOT NULL,
         change_json TEXT NOT NULL,
         created_at INTEGER NOT NULL
     );
     CREATE INDEX pending_change_by_db ON pending_change(db_uri, id);",
    // 3: pending changes a rebase could not re-apply, until the user picks.
    "CREATE TABLE rebase_conflict (
         id INTEGER PRIMARY KEY,
         db_uri TEXT NOT NULL,
         change_json TEXT NOT NULL,
         conflict_json TEXT NOT NULL,
         created_at INTEGER NOT NULL
     );
     CREATE INDEX rebase_conflict_by_db ON rebase_conflict(db_uri, id);",
    // 4: how the user chose to show a column (a display kind, or `raw`).
    "CREATE TABLE display_override (
         db_uri TEXT NOT NULL,
         table_name TEXT NOT NULL,
         column_name TEXT NOT NULL,
         kind TEXT NOT NULL,
         PRIMARY KEY (db_uri, table_name, column_name)
     ) WITHOUT ROWID;",
];

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecentDatabase {
    pub uri: String,
    pub label: String,
    pub opened_at: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HistoryEntry {
    pub id: i64,
    pub sql: String,
    pub ran_at: i64,
    pub ok: bool,
    pub error: Option<String>,
}

pub struct AppState {
    path: PathBuf,
    conn: Mutex<Connection>,
}

/// Switches the state file to WAL. Changing the journal mode needs the
/// file to itself and SQLite does not wait for that (no busy handler), so a
/// second Sonde starting at the same moment retries briefly.
fn use_wal(conn: &Connection) -> rusqlite::Result<()> {
    let mut attempt = 0u64;
    loop {
        match conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && attempt < 50 =>
            {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(10 * attempt.min(10)));
            }
            other => return other,
        }
    }
}

impl AppState {
    /// Opens (creating and migrating as needed) the state file at `path`.
    pub fn open(path: &Path) -> Result<AppState> {
        Self::open_keyed(path, None)
    }

    /// [`AppState::open`] encrypted with `keyed`: the state of an encrypted
    /// database (its pending edits and console history hold its values), so
    /// nothing decrypted reaches the disk.
    pub fn open_keyed(path: &Path, keyed: Option<&crate::cipher::Keyed>) -> Result<AppState> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| crate::pool::io_error(dir, e))?;
        }
        let conn = Connection::open(path).map_err(|e| state_error(path, e))?;
        if let Some(k) = keyed {
            k.apply(&conn).map_err(|e| state_error(path, e))?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| state_error(path, e))?;
        use_wal(&conn).map_err(|e| state_error(path, e))?;
        let state = AppState { path: path.to_owned(), conn: Mutex::new(conn) };
        state.migrate()?;
        Ok(state)
    }

    /// The schema version the file is at.
    pub fn version(&self) -> Result<usize> {
        self.with(|c| c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)))
            .map(|v| usize::try_from(v).unwrap_or(0))
    }

    /// Applies the missing migrations, one `BEGIN IMMEDIATE` transaction
    /// each that re-reads the version inside it: two Sondes starting at once
    /// on a fresh file take turns instead of both creating the tables.
    fn migrate(&self) -> Result<()> {
        let mut conn = self.conn.lock().map_err(|_| self.poisoned())?;
        loop {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(|e| state_error(&self.path, e))?;
            let current: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| state_error(&self.path, e))?;
            let current = usize::try_from(current).unwrap_or(0);
            if current > MIGRATIONS.len() {
                return Err(DbError::AppState {
                    path: self.path.clone(),
                    reason: format!(
                        "it was written by a newer Sonde (version {current}, this one knows {})",
                        MIGRATIONS.len()
                    ),
                });
            }
            let Some(sql) = MIGRATIONS.get(current) else { return Ok(()) };
            tx.execute_batch(sql).map_err(|e| state_error(&self.path, e))?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", current + 1))
                .map_err(|e| state_error(&self.path, e))?;
            tx.commit().map_err(|e| state_error(&self.path, e))?;
            tracing::info!(version = current + 1, "migrated app state");
        }
    }

    pub fn touch_recent(&self, uri: &str, label: &str) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO recent_database(uri, label, opened_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(uri) DO UPDATE SET label = excluded.label, opened_at = excluded.opened_at",
                params![uri, label, now()],
            )
            .map(drop)
        })
    }

    pub fn recent(&self, limit: usize) -> Result<Vec<RecentDatabase>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT uri, label, opened_at FROM recent_database ORDER BY opened_at DESC, uri LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit as i64], |r| {
                Ok(RecentDatabase { uri: r.get(0)?, label: r.get(1)?, opened_at: r.get(2)? })
            })?;
            rows.collect()
        })
    }

    pub fn add_history(&self, db_uri: &str, sql: &str, error: Option<&str>) -> Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO query_history(db_uri, sql, ran_at, ok, error) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![db_uri, sql, now(), error.is_none(), error],
            )
            .map(drop)
        })
    }

    /// The display kinds the user chose for columns of `table` (column, kind).
    pub fn display_overrides(&self, db_uri: &str, table: &str) -> Result<Vec<(String, String)>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT column_name, kind FROM display_override WHERE db_uri = ?1 AND table_name = ?2",
            )?;
            let rows = stmt.query_map(params![db_uri, table], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })
    }

    /// Remembers how to show a column (`None`: back to the inferred kind).
    pub fn set_display_override(
        &self,
        db_uri: &str,
        table: &str,
        column: &str,
        kind: Option<&str>,
    ) -> Result<()> {
        self.with(|c| match kind {
            Some(kind) => c
                .execute(
                    "INSERT OR REPLACE INTO display_override(db_uri, table_name, column_name, kind) VALUES (?1, ?2, ?3, ?4)",
                    params![db_uri, table, column, kind],
                )
                .map(drop),
            None => c
                .execute(
                    "DELETE FROM display_override WHERE db_uri = ?1 AND table_name = ?2 AND column_name = ?3",
                    params![db_uri, table, column],
                )
                .map(drop),
        })
    }

    /// Newest first.
    pub fn history(&self, db_uri: &str, limit: usize) -> Result<Vec<HistoryEntry>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, sql, ran_at, ok, error FROM query_history WHERE db_uri = ?1 ORDER BY id DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![db_uri, limit as i64], |r| {
                Ok(HistoryEntry { id: r.get(0)?, sql: r.get(1)?, ran_at: r.get(2)?, ok: r.get(3)?, error: r.get(4)? })
            })?;
            rows.collect()
        })
    }

    /// Appends applied changes to the pending log of `db_uri`; returns their ids.
    pub fn push_pending(&self, db_uri: &str, changes: &[Change]) -> Result<Vec<i64>> {
        let encoded = changes
            .iter()
            .map(|c| serde_json::to_string(c).map_err(|e| DbError::BadValue(e.to_string())))
            .collect::<Result<Vec<_>>>()?;
        let mut conn = self.conn.lock().map_err(|_| self.poisoned())?;
        let tx = conn.transaction().map_err(|e| state_error(&self.path, e))?;
        let mut ids = Vec::with_capacity(encoded.len());
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO pending_change(db_uri, change_json, created_at) VALUES (?1, ?2, ?3)",
                )
                .map_err(|e| state_error(&self.path, e))?;
            let at = now();
            for json in &encoded {
                stmt.execute(params![db_uri, json, at]).map_err(|e| state_error(&self.path, e))?;
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit().map_err(|e| state_error(&self.path, e))?;
        Ok(ids)
    }

    /// Pending changes of `db_uri`, oldest first, with their ids.
    pub fn pending(&self, db_uri: &str) -> Result<Vec<(i64, Change)>> {
        let raw: Vec<(i64, String)> = self.with(|c| {
            let mut stmt =
                c.prepare_cached("SELECT id, change_json FROM pending_change WHERE db_uri = ?1 ORDER BY id")?;
            let rows = stmt.query_map([db_uri], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        })?;
        raw.into_iter()
            .map(|(id, json)| {
                serde_json::from_str(&json).map(|c| (id, c)).map_err(|e| DbError::AppState {
                    path: self.path.clone(),
                    reason: format!("pending change {id}: {e}"),
                })
            })
            .collect()
    }

    /// Removes the given pending changes (undone, or pushed).
    pub fn remove_pending(&self, ids: &[i64]) -> Result<()> {
        let mut conn = self.conn.lock().map_err(|_| self.poisoned())?;
        let tx = conn.transaction().map_err(|e| state_error(&self.path, e))?;
        {
            let mut stmt = tx
                .prepare_cached("DELETE FROM pending_change WHERE id = ?1")
                .map_err(|e| state_error(&self.path, e))?;
            for id in ids {
                stmt.execute([id]).map_err(|e| state_error(&self.path, e))?;
            }
        }
        tx.commit().map_err(|e| state_error(&self.path, e))
    }

    /// Drops the pending log of `db_uri` and its conflicts (pushed or discarded).
    pub fn clear_pending(&self, db_uri: &str) -> Result<()> {
        self.with(|c| {
            c.execute("DELETE FROM pending_change WHERE db_uri = ?1", [db_uri])?;
            c.execute("DELETE FROM rebase_conflict WHERE db_uri = ?1", [db_uri]).map(drop)
        })
    }

    /// After a rebase, in one transaction: the pending log of `db_uri`
    /// becomes `changes` (as re-applied) and `conflicts` join its
    /// conflicts, so a crash leaves either the old log or the new one.
    pub fn rebased(
        &self,
        db_uri: &str,
        changes: &[Change],
        conflicts: &[(Change, RebaseConflict)],
    ) -> Result<()> {
        let changes = changes.iter().map(to_json).collect::<Result<Vec<_>>>()?;
        let conflicts =
            conflicts.iter().map(|(c, k)| Ok((to_json(c)?, to_json(k)?))).collect::<Result<Vec<_>>>()?;
        let mut conn = self.conn.lock().map_err(|_| self.poisoned())?;
        let tx = conn.transaction().map_err(|e| state_error(&self.path, e))?;
        let at = now();
        let run = || -> rusqlite::Result<()> {
            tx.execute("DELETE FROM pending_change WHERE db_uri = ?1", [db_uri])?;
            let mut add = tx.prepare_cached(
                "INSERT INTO pending_change(db_uri, change_json, created_at) VALUES (?1, ?2, ?3)",
            )?;
            for c in &changes {
                add.execute(params![db_uri, c, at])?;
            }
            let mut add = tx.prepare_cached(
                "INSERT INTO rebase_conflict(db_uri, change_json, conflict_json, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (c, k) in &conflicts {
                add.execute(params![db_uri, c, k, at])?;
            }
            Ok(())
        };
        run().map_err(|e| state_error(&self.path, e))?;
        tx.commit().map_err(|e| state_error(&self.path, e))
    }

    /// The conflicts of `db_uri`, oldest first: (id, the pending change, what conflicts).
    pub fn conflicts(&self, db_uri: &str) -> Result<Vec<(i64, Change, RebaseConflict)>> {
        let raw: Vec<(i64, String, String)> = self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, change_json, conflict_json FROM rebase_conflict WHERE db_uri = ?1 ORDER BY id",
            )?;
            let rows = stmt.query_map([db_uri], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect()
        })?;
        raw.into_iter()
            .map(|(id, change, conflict)| {
                let bad = |e: serde_json::Error| DbError::AppState {
                    path: self.path.clone(),
                    reason: format!("rebase conflict {id}: {e}"),
                };
                Ok((
                    id,
                    serde_json::from_str(&change).map_err(bad)?,
                    serde_json::from_str(&conflict).map_err(bad)?,
                ))
            })
            .collect()
    }

    /// Settles conflict `id` of `db_uri` in one transaction: it leaves the
    /// list and `kept` (the change as forced, when the user kept theirs)
    /// joins the pending log. False when there is no such conflict.
    pub fn settle_conflict(&self, db_uri: &str, id: i64, kept: &[Change]) -> Result<bool> {
        let kept = kept.iter().map(to_json).collect::<Result<Vec<_>>>()?;
        let mut conn = self.conn.lock().map_err(|_| self.poisoned())?;
        let tx = conn.transaction().map_err(|e| state_error(&self.path, e))?;
        let at = now();
        let run = || -> rusqlite::Result<bool> {
            if tx.execute("DELETE FROM rebase_conflict WHERE id = ?1 AND db_uri = ?2", params![id, db_uri])?
                == 0
            {
                return Ok(false);
            }
            let mut add = tx.prepare_cached(
                "INSERT INTO pending_change(db_uri, change_json, created_at) VALUES (?1, ?2, ?3)",
            )?;
            for c in &kept {
                add.execute(params![db_uri, c, at])?;
            }
            Ok(true)
        };
        let settled = run().map_err(|e| state_error(&self.path, e))?;
        tx.commit().map_err(|e| state_error(&self.path, e))?;
        Ok(settled)
    }

    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let conn = self.conn.lock().map_err(|_| self.poisoned())?;
        f(&conn).map_err(|e| state_error(&self.path, e))
    }

    fn poisoned(&self) -> DbError {
        DbError::AppState { path: self.path.clone(), reason: "a previous operation panicked".into() }
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| DbError::BadValue(e.to_string()))
}

fn state_error(path: &Path, e: rusqlite::Error) -> DbError {
    DbError::AppState { path: path.to_owned(), reason: e.to_string() }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_first_opens_of_a_fresh_file_all_succeed() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("state.sqlite");
        let barrier = std::sync::Barrier::new(8);
        std::thread::scope(|s| {
            let opens: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        AppState::open(&path).map(|st| st.version().expect("version"))
                    })
                })
                .collect();
            for open in opens {
                assert_eq!(open.join().expect("thread").expect("open"), MIGRATIONS.len());
            }
        });
    }

    #[test]
    fn migrates_and_keeps_pending_changes_across_reopen() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("state.sqlite");
        let change = Change {
            table: "t".into(),
            op: crate::mutation::ChangeOp::Delete,
            key_before: Some("1".into()),
            key_after: None,
            before: vec![],
            after: vec![],
        };
        {
            let state = AppState::open(&path).expect("open");
            assert_eq!(state.version().expect("v"), MIGRATIONS.len());
            state.push_pending("file:///a.db", std::slice::from_ref(&change)).expect("push");
            state.touch_recent("file:///a.db", "a.db").expect("recent");
            state.add_history("file:///a.db", "select 1", None).expect("history");
        }
        let state = AppState::open(&path).expect("reopen");
        let pending = state.pending("file:///a.db").expect("pending");
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].1, change);
        assert_eq!(state.recent(10).expect("recent")[0].label, "a.db");
        assert_eq!(state.history("file:///a.db", 5).expect("h")[0].sql, "select 1");
        state.remove_pending(&[pending[0].0]).expect("remove");
        assert!(state.pending("file:///a.db").expect("pending").is_empty());
    }

    #[test]
    fn refuses_a_newer_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("state.sqlite");
        Connection::open(&path).expect("c").execute_batch("PRAGMA user_version = 99").expect("v");
        assert!(AppState::open(&path).is_err());
    }
}
