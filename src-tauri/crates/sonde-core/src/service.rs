//! The facade's services.

use crate::error::{CoreError, Result};
use crate::location::Location;
use sonde_db::appstate::AppState;
use sonde_db::mutation::{self, Change, Edit};
use sonde_db::pool::pools;
use sonde_device::layer::{DeviceConfig, DeviceLayer};
use sonde_device::model::{PushOptions, PushReport};
use sonde_device::runner::CancellationToken;
use sonde_device::snapshot::Snapshot;
use sonde_device::{DeviceError, DeviceUri, Platform};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tracing::instrument;

#[derive(Debug, Clone)]
pub struct CoreConfig {
    /// Sonde's data directory: `state.sqlite` and `snapshots/`.
    pub data_dir: PathBuf,
}

impl CoreConfig {
    /// `$SONDE_DATA_DIR`, else the platform data dir (`~/.local/share/sonde`).
    pub fn from_env() -> CoreConfig {
        let data_dir = std::env::var_os("SONDE_DATA_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs::data_dir().map(|d| d.join("sonde")))
            .unwrap_or_else(|| std::env::temp_dir().join("sonde"));
        CoreConfig { data_dir }
    }
}

/// A database ready for the engine: its local file and where it came from.
#[derive(Debug, Clone)]
pub struct OpenDb {
    pub location: Location,
    /// The local SQLite file the engine opens.
    pub path: PathBuf,
    /// The snapshot directory, for device databases that are pulled.
    pub snapshot_dir: Option<PathBuf>,
}

impl OpenDb {
    /// Device snapshots are pushed; local files and simulators are edited in place.
    pub fn is_snapshot(&self) -> bool {
        self.snapshot_dir.is_some()
    }
}

pub struct Sonde {
    devices: DeviceLayer,
    state: Arc<AppState>,
}

impl Sonde {
    pub fn new(config: CoreConfig) -> Result<Sonde> {
        let state = AppState::open(&config.data_dir.join("state.sqlite"))?;
        let devices = DeviceLayer::new(DeviceConfig::from_env(config.data_dir.join("snapshots")));
        Ok(Sonde { devices, state: Arc::new(state) })
    }

    pub fn devices(&self) -> &DeviceLayer {
        &self.devices
    }

    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Resolves a location to a local database file (see the crate docs).
    pub async fn open(&self, text: &str, cancel: &CancellationToken) -> Result<OpenDb> {
        self.open_recovering(text, cancel, false).await
    }

    /// [`Sonde::open`]; with `recover_hot_journal`, a local or simulator
    /// database left mid-transaction by a crash is rolled back first (as its
    /// app would on its next open) instead of refused. Snapshots, Sonde's own
    /// copies, are always recovered.
    #[instrument(skip_all, fields(location = %text, recover_hot_journal))]
    pub async fn open_recovering(
        &self,
        text: &str,
        cancel: &CancellationToken,
        recover_hot_journal: bool,
    ) -> Result<OpenDb> {
        let location = Location::parse(text)?;
        let opened = match &location {
            Location::Local(path) => {
                OpenDb { location: location.clone(), path: path.clone(), snapshot_dir: None }
            }
            Location::Device(uri) if uri.platform == Platform::Sim => {
                let path = self.devices.sim_path(uri, cancel).await?;
                OpenDb { location: location.clone(), path, snapshot_dir: None }
            }
            Location::Device(uri) => {
                let snapshot = match self.devices.workspace().load(uri)? {
                    Some(s) if s.manifest.dirty => s,
                    _ => self.pull_fresh(uri, cancel).await?,
                };
                OpenDb {
                    location: location.clone(),
                    path: snapshot.db_path(),
                    snapshot_dir: Some(snapshot.dir),
                }
            }
        };
        let path = opened.path.clone();
        // A snapshot is Sonde's own copy: one pulled while the app was
        // mid-transaction is recovered now, as the app would on its next open.
        let recover = recover_hot_journal || opened.snapshot_dir.is_some();
        blocking(move || {
            if recover {
                pools().open_for_write(&path)?;
            }
            pools().warm_up(&path).map(drop).map_err(CoreError::from)
        })
        .await?;
        let label = match &location {
            Location::Local(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            Location::Device(uri) => format!("{} · {}", uri.app, uri.file_name()),
        };
        if let Err(e) = self.state.touch_recent(&location.key(), &label) {
            tracing::warn!(error = %e, "could not record recent database");
        }
        Ok(opened)
    }

    /// Pulls a fresh snapshot, refusing to overwrite unpushed edits.
    pub async fn pull(&self, uri: &DeviceUri, cancel: &CancellationToken) -> Result<Snapshot> {
        if let Some(existing) = self.devices.workspace().load(uri)? {
            if existing.manifest.dirty {
                return Err(CoreError::UnpushedEdits { uri: uri.to_string() });
            }
        }
        self.pull_fresh(uri, cancel).await
    }

    async fn pull_fresh(&self, uri: &DeviceUri, cancel: &CancellationToken) -> Result<Snapshot> {
        let _lock = self.devices.workspace().lock(uri)?;
        let snapshot = self.devices.pull(uri, cancel).await?;
        // The file was replaced: never serve it from an old pool.
        pools().evict(&snapshot.db_path());
        Ok(snapshot)
    }

    /// Applies a batch of edits in one transaction and records them in the
    /// pending change log (a snapshot becomes dirty: it must be pushed).
    #[instrument(skip_all, fields(edits = edits.len()))]
    pub async fn apply(&self, db: &OpenDb, edits: Vec<Edit>) -> Result<Vec<Change>> {
        let path = db.path.clone();
        let changes = blocking(move || mutation::apply(&path, &edits).map_err(CoreError::from)).await?;
        self.after_write(db, &changes)?;
        Ok(changes)
    }

    /// Undoes the given changes (newest first) in one transaction. Undone
    /// changes leave the pending log (when they are the latest entries
    /// equal to them); anything else undone is logged as a new change.
    pub async fn undo(&self, db: &OpenDb, changes: Vec<Change>) -> Result<Vec<Change>> {
        let path = db.path.clone();
        let undone = changes.clone();
        let reverted = blocking(move || mutation::undo(&path, &undone).map_err(CoreError::from)).await?;
        let key = db.location.key();
        let mut pending = self.state.pending(&key)?;
        let mut drop_ids = Vec::new();
        for change in changes.iter().rev() {
            match pending.last() {
                Some((id, last)) if last == change => {
                    drop_ids.push(*id);
                    pending.pop();
                }
                _ => break,
            }
        }
        if drop_ids.len() == changes.len() {
            self.state.remove_pending(&drop_ids)?;
            self.after_write(db, &[])?;
        } else {
            self.after_write(db, &reverted)?;
        }
        Ok(reverted)
    }

    /// Records a write that did not go through [`Self::apply`] (write SQL).
    pub fn note_write(&self, db: &OpenDb) -> Result<()> {
        self.after_write(db, &[])
    }

    fn after_write(&self, db: &OpenDb, changes: &[Change]) -> Result<()> {
        if !changes.is_empty() {
            self.state.push_pending(&db.location.key(), changes)?;
        }
        if let Location::Device(uri) = &db.location {
            if let Some(mut snapshot) = self.devices.workspace().load(uri)? {
                if !snapshot.manifest.dirty {
                    snapshot.manifest.dirty = true;
                    snapshot.save_manifest()?;
                }
            }
        }
        Ok(())
    }

    /// Sends an edited snapshot back to its device: checkpoint and check the
    /// local copy, then the device layer's verified, all-or-nothing swap.
    #[instrument(skip_all, fields(uri = %uri))]
    pub async fn push(
        &self,
        uri: &DeviceUri,
        opts: PushOptions,
        cancel: &CancellationToken,
    ) -> Result<PushReport> {
        let _lock = self.devices.workspace().lock(uri)?;
        let mut snapshot = self
            .devices
            .workspace()
            .load(uri)?
            .ok_or_else(|| DeviceError::NoSnapshot { uri: uri.to_string() })?;
        let path = snapshot.db_path();
        let uri_text = uri.to_string();
        blocking(move || prepare_for_push(&path, &uri_text)).await?;
        let report = self.devices.push(&mut snapshot, opts, cancel).await?;
        self.state.clear_pending(&Location::Device(uri.clone()).key())?;
        Ok(report)
    }
}

/// Folds the WAL into the file and checks integrity, so one verified file
/// represents the new state.
fn prepare_for_push(path: &Path, uri: &str) -> Result<()> {
    let db = pools().open_for_write(path)?;
    let conn = db.writer()?;
    let (busy, _, _): (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(|e| sonde_db::DbError::from_sqlite(e, path))?;
    if busy != 0 {
        return Err(sonde_db::DbError::Locked.into());
    }
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| sonde_db::DbError::from_sqlite(e, path))?;
    if check != "ok" {
        return Err(CoreError::CorruptSnapshot { uri: uri.to_owned(), detail: check });
    }
    Ok(())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| CoreError::Task(e.to_string()))?
}
