//! Edits: batches through the mutation service (one transaction each), the
//! pending change log of a device snapshot, undo, and what is waiting to be
//! pushed.

use crate::blocking::blocking;
use crate::error::Result;
use crate::open::OpenDb;
use crate::service::Sonde;
use serde::Serialize;
use sonde_db::mutation::{self, Change, Edit};
use tracing::instrument;

/// One entry of a snapshot's pending change log.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PendingChange {
    pub id: i64,
    pub change: Change,
}

/// What an open database holds that is not on its device yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DbStatus {
    /// Changes applied to the database through Sonde (Save) and not pushed
    /// yet; for local files always 0.
    pub pending_changes: u32,
    /// Writes made from the SQL console since the pull (not in the change
    /// list); for local files always 0.
    pub sql_writes: u32,
    /// A device snapshot with something to push (pending_changes + sql_writes > 0).
    pub unpushed: bool,
    /// The database has a -wal file beside it right now.
    pub wal: bool,
}

/// How an applied write is recorded.
pub(crate) enum Written {
    Changes(Vec<Change>),
    /// SQL that wrote (its changes are not known one by one).
    Sql,
    /// An undo that took the latest log entries back out.
    Undone,
}

impl Sonde {
    /// Applies a batch of edits in one transaction. For a device snapshot
    /// they join its pending change log (they must be pushed); local files
    /// and simulator databases are changed in place.
    #[instrument(skip_all, fields(edits = edits.len()))]
    pub async fn apply(&self, db: &OpenDb, edits: Vec<Edit>) -> Result<Vec<Change>> {
        let _turn = self.write_turn(db).await;
        let path = db.path.clone();
        let changes = blocking(move || Ok(mutation::apply(&path, &edits)?)).await?;
        self.record_write(db, Written::Changes(changes.clone())).await?;
        Ok(changes)
    }

    /// Undoes the given changes (newest first) in one transaction; returns
    /// the changes that did it (pass those back to redo). Undone changes
    /// leave the pending log when they are its latest entries; anything
    /// else undone is logged as a new change.
    pub async fn undo(&self, db: &OpenDb, changes: Vec<Change>) -> Result<Vec<Change>> {
        let _turn = self.write_turn(db).await;
        let path = db.path.clone();
        let undone = changes.clone();
        let reverted = blocking(move || Ok(mutation::undo(&path, &undone)?)).await?;
        if !db.snapshot {
            return Ok(reverted);
        }
        let key = db.location.key();
        let log_key = key.clone();
        let took_back = self
            .with_state_for(&key, &db.path, move |s| {
                let mut pending = s.pending(&log_key)?;
                let mut ids = Vec::new();
                for change in changes.iter().rev() {
                    match pending.last() {
                        Some((id, last)) if last == change => {
                            ids.push(*id);
                            pending.pop();
                        }
                        _ => break,
                    }
                }
                if ids.len() == changes.len() {
                    s.remove_pending(&ids)?;
                    Ok(true)
                } else {
                    Ok(false)
                }
            })
            .await?;
        let written = if took_back { Written::Undone } else { Written::Changes(reverted.clone()) };
        self.record_write(db, written).await?;
        Ok(reverted)
    }

    /// The pending change log of a device snapshot, oldest first.
    pub async fn pending(&self, db: &OpenDb) -> Result<Vec<PendingChange>> {
        if !db.snapshot {
            return Ok(Vec::new());
        }
        let key = db.location.key();
        let log = self.with_state_for(&key.clone(), &db.path, move |s| s.pending(&key)).await?;
        Ok(log.into_iter().map(|(id, change)| PendingChange { id, change }).collect())
    }

    /// What is waiting to be pushed, and whether a `-wal` is there.
    pub async fn status(&self, db: &OpenDb) -> Result<DbStatus> {
        let mut wal = db.path.as_os_str().to_owned();
        wal.push("-wal");
        let wal = std::path::PathBuf::from(wal);
        let has_wal = blocking(move || Ok(std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0))).await?;
        if !db.snapshot {
            return Ok(DbStatus { wal: has_wal, ..DbStatus::default() });
        }
        let pending_changes = u32::try_from(self.pending(db).await?.len()).unwrap_or(u32::MAX);
        let uri = db.device_uri("status")?;
        let sql_writes = self.load_snapshot(uri).await?.map_or(0, |s| s.manifest.sql_writes);
        Ok(DbStatus { pending_changes, sql_writes, unpushed: pending_changes + sql_writes > 0, wal: has_wal })
    }

    /// A snapshot's write turn (see `write_lock`): local files need none.
    pub(crate) async fn write_turn(&self, db: &OpenDb) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        if db.snapshot {
            Some(self.writes.lock(&db.location.key()).await)
        } else {
            None
        }
    }

    /// Records a write in a snapshot's log and manifest: it is dirty (kept
    /// over re-pulls) while anything is waiting to be pushed.
    pub(crate) async fn record_write(&self, db: &OpenDb, written: Written) -> Result<()> {
        if !db.snapshot {
            // A watch of this file must not report our own write as the app's.
            self.note_own_write(db).await;
            return Ok(());
        }
        let uri = db.device_uri("edits")?.clone();
        let key = db.location.key();
        let ws = self.devices.workspace().clone();
        let state = self.state_for(&key, &db.path).await?;
        blocking(move || {
            if let Written::Changes(changes) = &written {
                if !changes.is_empty() {
                    state.push_pending(&key, changes)?;
                }
            }
            if let Some(mut snapshot) = ws.load(&uri)? {
                let before = (snapshot.manifest.dirty, snapshot.manifest.sql_writes);
                if matches!(written, Written::Sql) {
                    snapshot.manifest.sql_writes += 1;
                }
                let logged = !state.pending(&key)?.is_empty() || !state.conflicts(&key)?.is_empty();
                snapshot.manifest.dirty = logged || snapshot.manifest.sql_writes > 0;
                if (snapshot.manifest.dirty, snapshot.manifest.sql_writes) != before {
                    snapshot.save_manifest()?;
                }
            }
            Ok(())
        })
        .await
    }
}
