//! Moving a snapshot between the device and the local workspace: pull
//! (optionally discarding unpushed edits), push with its real stages,
//! discard, refresh.

use crate::blocking::blocking;
use crate::error::{CoreError, Result};
use crate::location::Location;
use crate::open::OpenDb;
use crate::service::Sonde;
use serde::Serialize;
use sonde_db::pool::pools;
use sonde_db::query::TableListing;
use sonde_device::model::{PushOptions, PushProgress, PushReport};
use sonde_device::runner::CancellationToken;
use sonde_device::snapshot::sanitize;
use sonde_device::{DeviceError, DeviceUri};
use std::path::{Path, PathBuf};
use tracing::instrument;

/// What a push did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum PushOutcome {
    Pushed(Pushed),
    /// Nothing was edited since the pull: the device was not touched (no
    /// app stop, no rewrite, no backup).
    Unchanged,
}

/// A push that went out.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Pushed {
    #[serde(flatten)]
    pub report: PushReport,
    /// Pending changes re-applied onto what the app wrote since the pull,
    /// just before this push (0: the device had not changed).
    pub rebased: u32,
}

impl Sonde {
    /// Pulls a fresh snapshot of a device database; refused while the
    /// current one holds unpushed edits, unless `discard` (they are
    /// dropped). With `copy_to`, the snapshot's files are also copied into
    /// that directory. Returns the path of the database file.
    pub async fn pull(
        &self,
        uri: &DeviceUri,
        discard: bool,
        copy_to: Option<&Path>,
        cancel: &CancellationToken,
    ) -> Result<PathBuf> {
        if !discard && self.load_snapshot(uri).await?.is_some_and(|s| s.manifest.dirty) {
            return Err(CoreError::UnpushedEdits { uri: uri.to_string() });
        }
        let snapshot = self.pull_fresh(uri, cancel).await?;
        if discard {
            self.forget_edits(uri).await?;
        }
        let Some(dir) = copy_to else { return Ok(snapshot.db_path()) };
        let (dir, name) = (dir.to_owned(), sanitize(uri.file_name()));
        blocking(move || {
            std::fs::create_dir_all(&dir).map_err(|e| CoreError::io(&dir, e))?;
            for suffix in ["", "-wal", "-journal"] {
                let from = snapshot.side_path(suffix);
                if from.exists() {
                    let to = dir.join(format!("{name}{suffix}"));
                    std::fs::copy(&from, &to).map_err(|e| CoreError::io(&to, e))?;
                }
            }
            Ok(dir.join(&name))
        })
        .await
    }

    /// Sends an edited snapshot back to its device: checkpoint and check
    /// the local copy, then the device layer's verified, all-or-nothing
    /// swap, each stage reported as it happens. A snapshot with nothing
    /// edited is not pushed at all. When the app wrote since the pull, the
    /// pending changes are rebased onto the device's new version and the
    /// push goes out against it (refused while any change conflicts);
    /// with `rebase` false it is refused instead.
    #[instrument(skip_all, fields(uri = %uri, rebase))]
    pub async fn push(
        &self,
        uri: &DeviceUri,
        opts: PushOptions,
        rebase: bool,
        allow_schema_change: bool,
        progress: impl Fn(PushProgress) + Send + Sync,
        cancel: &CancellationToken,
    ) -> Result<PushOutcome> {
        let key = Location::Device(uri.clone()).key();
        let _turn = self.writes.lock(&key).await;
        self.refuse_conflicts(uri).await?;
        if !allow_schema_change {
            self.guard_push_schema(uri).await?;
        }
        match self.push_once(uri, opts, &progress, cancel).await {
            Err(CoreError::Device(DeviceError::ChangedOnDevice { .. })) if rebase => {
                tracing::info!("the device changed since the pull: rebasing before pushing");
                let (_, rebase) =
                    self.rebase_onto_device(uri, crate::versions::Producer::Pull, cancel).await?;
                self.refuse_conflicts(uri).await?;
                Ok(match self.push_once(uri, opts, &progress, cancel).await? {
                    PushOutcome::Pushed(pushed) => {
                        PushOutcome::Pushed(Pushed { rebased: rebase.rebased, ..pushed })
                    }
                    unchanged => unchanged,
                })
            }
            other => other,
        }
    }

    async fn refuse_conflicts(&self, uri: &DeviceUri) -> Result<()> {
        let key = Location::Device(uri.clone()).key();
        let Some(path) = self.load_snapshot(uri).await?.map(|s| s.db_path()) else { return Ok(()) };
        let count = self.with_state_for(&key.clone(), &path, move |s| s.conflicts(&key)).await?.len();
        if count > 0 {
            return Err(CoreError::Conflicts { uri: uri.to_string(), count });
        }
        Ok(())
    }

    /// Pulls the device's current version as the new base of the pending
    /// edits and re-applies them (the caller holds the write turn). Writes
    /// from the SQL console join the log first, where they can.
    pub(crate) async fn rebase_onto_device(
        &self,
        uri: &DeviceUri,
        producer: crate::versions::Producer,
        cancel: &CancellationToken,
    ) -> Result<(crate::versions::VersionInfo, crate::rebase::RebaseReport)> {
        self.log_sql_writes(uri).await?;
        let (_, version) = self.pull_version(uri, producer, true, cancel).await?;
        let report = self.finish_rebase(uri).await?.unwrap_or_default();
        Ok((version, report))
    }

    async fn push_once(
        &self,
        uri: &DeviceUri,
        opts: PushOptions,
        progress: &(impl Fn(PushProgress) + Send + Sync),
        cancel: &CancellationToken,
    ) -> Result<PushOutcome> {
        let (ws, lock_uri) = (self.devices.workspace().clone(), uri.clone());
        let _lock = blocking(move || Ok(ws.lock(&lock_uri)?)).await?;
        let mut snapshot =
            self.load_snapshot(uri).await?.ok_or_else(|| DeviceError::NoSnapshot { uri: uri.to_string() })?;
        if !snapshot.manifest.dirty {
            return Ok(PushOutcome::Unchanged);
        }
        let (path, uri_text) = (snapshot.db_path(), uri.to_string());
        progress(PushProgress::Checkpoint);
        let checkpoint = path.clone();
        blocking(move || checkpoint_snapshot(&checkpoint)).await?;
        progress(PushProgress::LocalCheck);
        blocking(move || check_snapshot(&path, &uri_text)).await?;
        let report = self.devices.push(&mut snapshot, opts, progress, cancel).await?;
        self.forget_edits(uri).await?;
        progress(PushProgress::Done);
        Ok(PushOutcome::Pushed(Pushed { report, rebased: 0 }))
    }

    /// Drops every unpushed change of a device database and pulls the
    /// device's current version in its place; returns it with its tables.
    pub async fn discard(
        &self,
        uri: &DeviceUri,
        cancel: &CancellationToken,
    ) -> Result<(OpenDb, Vec<TableListing>)> {
        let uri = uri.clone();
        let _turn = self.writes.lock(&Location::Device(uri.clone()).key()).await;
        let snapshot = self.pull_fresh(&uri, cancel).await?;
        self.forget_edits(&uri).await?;
        let fresh = self.ready(Location::Device(uri), snapshot.db_path(), true, true).await?;
        let tables = self.tables(&fresh, false).await?;
        Ok((fresh, tables))
    }

    /// Re-reads a database: a device database is pulled again (refused
    /// while it holds unpushed edits: push or discard them first); returns
    /// it with its tables.
    pub async fn refresh(
        &self,
        db: &OpenDb,
        cancel: &CancellationToken,
    ) -> Result<(OpenDb, Vec<TableListing>)> {
        let fresh = if db.snapshot {
            let uri = db.device_uri("refresh")?.clone();
            let _turn = self.writes.lock(&db.location.key()).await;
            if self.status(db).await?.unpushed {
                return Err(CoreError::UnpushedEdits { uri: uri.to_string() });
            }
            let snapshot = self.pull_fresh(&uri, cancel).await?;
            self.ready(Location::Device(uri), snapshot.db_path(), true, true).await?
        } else {
            self.ready(db.location.clone(), db.path.clone(), false, false).await?
        };
        let tables = self.tables(&fresh, false).await?;
        Ok((fresh, tables))
    }

    /// Clears the pending log of a device database (pushed or discarded).
    async fn forget_edits(&self, uri: &DeviceUri) -> Result<()> {
        let key = Location::Device(uri.clone()).key();
        let Some(path) = self.load_snapshot(uri).await?.map(|s| s.db_path()) else {
            return self.with_state(move |s| s.clear_pending(&key)).await;
        };
        self.with_state_for(&key.clone(), &path, move |s| s.clear_pending(&key)).await
    }
}

/// Folds the snapshot's WAL into its file, so one file holds the new state.
fn checkpoint_snapshot(path: &Path) -> Result<()> {
    let db = pools().open_for_write(path)?;
    let conn = db.writer()?;
    let (busy, _, _): (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(|e| sonde_db::DbError::from_sqlite(e, path))?;
    if busy != 0 {
        return Err(sonde_db::DbError::Locked.into());
    }
    Ok(())
}

/// `quick_check`: a damaged snapshot is never pushed.
fn check_snapshot(path: &Path, uri: &str) -> Result<()> {
    let db = pools().open_for_write(path)?;
    let conn = db.writer()?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| sonde_db::DbError::from_sqlite(e, path))?;
    if check != "ok" {
        return Err(CoreError::CorruptSnapshot { uri: uri.to_owned(), detail: check });
    }
    Ok(())
}
