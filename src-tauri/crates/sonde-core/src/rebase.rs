//! Pending edits survive the app's own writes: when a new device version
//! arrives under them, each pending change is re-applied where its row
//! still holds what the change saw; the others become conflicts the user
//! settles one by one (keep mine / keep theirs). Pushing waits for them.

use crate::blocking::blocking;
use crate::error::{CoreError, Result};
use crate::location::Location;
use crate::open::OpenDb;
use crate::service::Sonde;
use serde::{Deserialize, Serialize};
use sonde_db::mutation::{self, Change, ChangeOp, RebaseConflict};
use sonde_db::Value;
use sonde_device::DeviceUri;
use tracing::instrument;

/// A pending change a rebase could not re-apply: the app changed its row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Conflict {
    /// Id for resolve_conflict.
    pub id: i64,
    pub table: String,
    pub key: Option<String>,
    /// "update" | "delete" | "insert": what your change was.
    pub op: String,
    /// The columns in question; for each: what you saw, what the app wrote, what you want (null entries: the row is absent).
    pub columns: Vec<String>,
    pub saw: Option<Vec<Value>>,
    pub theirs: Option<Vec<Value>>,
    pub mine: Option<Vec<Value>>,
}

impl Conflict {
    fn of(id: i64, change: &Change, c: RebaseConflict) -> Conflict {
        let op = match change.op {
            ChangeOp::Update => "update",
            ChangeOp::Delete => "delete",
            ChangeOp::Insert => "insert",
        };
        Conflict {
            id,
            table: change.table.clone(),
            key: change.key_before.clone().or_else(|| change.key_after.clone()),
            op: op.to_owned(),
            columns: c.columns,
            saw: c.saw,
            theirs: c.theirs,
            mine: c.mine,
        }
    }
}

/// Which side of a conflict wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Keep {
    /// Your change, applied over what the app wrote.
    Mine,
    /// What the app wrote: your change is dropped.
    Theirs,
}

/// What a rebase did.
#[derive(Debug, Clone, Default)]
pub struct RebaseReport {
    /// Pending changes re-applied (or already so).
    pub rebased: u32,
    /// The conflicts it found (those from earlier rebases are kept too).
    pub conflicts: Vec<Conflict>,
}

impl Sonde {
    /// Re-applies the pending change log onto a snapshot a pull marked
    /// `rebase_needed` (a watch saw the device change under pending
    /// edits, or a crash interrupted that). Idempotent: a change already
    /// in the file counts as re-applied. `None` when nothing was marked.
    #[instrument(skip_all, fields(uri = %uri))]
    pub(crate) async fn finish_rebase(&self, uri: &DeviceUri) -> Result<Option<RebaseReport>> {
        let ws = self.devices.workspace().clone();
        let (uri, key) = (uri.clone(), Location::Device(uri.clone()).key());
        let Some(snapshot_path) = self.load_snapshot(&uri).await?.map(|s| s.db_path()) else {
            return Ok(None);
        };
        let state = self.state_for(&key, &snapshot_path).await?;
        blocking(move || {
            let Some(mut snapshot) = ws.load(&uri)? else { return Ok(None) };
            if !snapshot.manifest.rebase_needed {
                return Ok(None);
            }
            let pending: Vec<Change> = state.pending(&key)?.into_iter().map(|(_, c)| c).collect();
            let rebased = mutation::rebase(&snapshot.db_path(), &pending)?;
            let applied: Vec<Change> = rebased.applied.iter().map(|(_, c)| c.clone()).collect();
            let found: Vec<(Change, RebaseConflict)> =
                rebased.conflicts.iter().map(|c| (pending[c.index].clone(), c.clone())).collect();
            state.rebased(&key, &applied, &found)?;
            let conflicts = state.conflicts(&key)?;
            snapshot.manifest.rebase_needed = false;
            snapshot.manifest.dirty =
                !applied.is_empty() || !conflicts.is_empty() || snapshot.manifest.sql_writes > 0;
            snapshot.save_manifest()?;
            tracing::info!(rebased = applied.len(), conflicts = found.len(), "rebased pending edits");
            let new_ids: Vec<i64> = conflicts.iter().rev().take(found.len()).map(|(id, _, _)| *id).collect();
            Ok(Some(RebaseReport {
                rebased: u32::try_from(applied.len()).unwrap_or(u32::MAX),
                conflicts: conflicts
                    .into_iter()
                    .filter(|(id, _, _)| new_ids.contains(id))
                    .map(|(id, change, c)| Conflict::of(id, &change, c))
                    .collect(),
            }))
        })
        .await
    }

    /// The unsettled conflicts of a database, oldest first.
    pub async fn conflicts(&self, db: &OpenDb) -> Result<Vec<Conflict>> {
        if !db.snapshot {
            return Ok(Vec::new());
        }
        let key = db.location.key();
        let list = self.with_state_for(&key.clone(), &db.path, move |s| s.conflicts(&key)).await?;
        Ok(list.into_iter().map(|(id, change, c)| Conflict::of(id, &change, c)).collect())
    }

    /// Settles conflict `id`: `Mine` applies your change over the app's
    /// write (it joins the pending log), `Theirs` drops it. Returns the
    /// conflicts left.
    #[instrument(skip_all, fields(id, keep = ?keep))]
    pub async fn resolve_conflict(&self, db: &OpenDb, id: i64, keep: Keep) -> Result<Vec<Conflict>> {
        let uri = db.device_uri("resolve conflicts")?.clone();
        let key = db.location.key();
        let _turn = self.writes.lock(&key).await;
        let (path, state, ws) =
            (db.path.clone(), self.state_for(&key, &db.path).await?, self.devices.workspace().clone());
        blocking(move || {
            let list = state.conflicts(&key)?;
            let (_, change, _) =
                list.iter().find(|(i, _, _)| *i == id).ok_or(CoreError::NoSuchConflict { id })?;
            let kept = match keep {
                Keep::Mine => mutation::force(&path, change)?,
                Keep::Theirs => Vec::new(),
            };
            state.settle_conflict(&key, id, &kept)?;
            if let Some(mut snapshot) = ws.load(&uri)? {
                let dirty = !state.pending(&key)?.is_empty()
                    || !state.conflicts(&key)?.is_empty()
                    || snapshot.manifest.sql_writes > 0;
                if snapshot.manifest.dirty != dirty {
                    snapshot.manifest.dirty = dirty;
                    snapshot.save_manifest()?;
                }
            }
            Ok(())
        })
        .await?;
        self.conflicts(db).await
    }
}
