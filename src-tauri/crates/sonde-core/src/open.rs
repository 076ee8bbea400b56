//! Opening a database: a location becomes a local SQLite file.

use crate::blocking::blocking;
use crate::error::{CoreError, Result};
use crate::location::Location;
use crate::service::Sonde;
use crate::versions::{Producer, Source, VersionInfo};
use sonde_db::appstate::RecentDatabase;
use sonde_db::pool::pools;
use sonde_device::model::{PullOptions, Reuse};
use sonde_device::runner::CancellationToken;
use sonde_device::snapshot::Snapshot;
use sonde_device::{DeviceUri, Platform};
use std::path::{Path, PathBuf};
use tracing::instrument;

/// A database ready for the engine: its local file and where it came from.
#[derive(Debug, Clone)]
pub struct OpenDb {
    pub location: Location,
    /// The local SQLite file the engine opens.
    pub path: PathBuf,
    /// A device snapshot (edits are pushed); local files and simulator
    /// databases are edited in place.
    pub snapshot: bool,
    /// What to call it: `notes.db`, or `com.example.notes · notes.db`.
    pub label: String,
    /// An encrypted (SQLCipher) database: nothing decrypted of it may be
    /// kept on disk (the app does not persist its unsaved edits).
    pub encrypted: bool,
}

impl OpenDb {
    /// The device location of a snapshot (what `push`, `discard` act on).
    pub fn device_uri(&self, what: &'static str) -> Result<&DeviceUri> {
        match &self.location {
            Location::Device(uri) if self.snapshot => Ok(uri),
            _ => Err(CoreError::NotASnapshot { what, location: self.location.key() }),
        }
    }
}

/// The one label both faces show for a location.
pub fn label_of(location: &Location) -> String {
    match location {
        Location::Local(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        Location::Device(uri) => format!("{} · {}", uri.app, uri.file_name()),
    }
}

impl Sonde {
    /// Resolves a location to a local database file: a local path as is, a
    /// simulator database in place, a device database as its snapshot
    /// (reused while it holds unpushed edits, else pulled fresh).
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
        let (path, snapshot) = match &location {
            Location::Local(path) => (path.clone(), false),
            Location::Device(uri) if uri.platform == Platform::Sim => {
                (self.devices.sim_path(uri, cancel).await?, false)
            }
            Location::Device(uri) => {
                let existing = self.load_snapshot(uri).await?;
                let snapshot = match existing {
                    Some(s) if s.manifest.rebase_needed => {
                        // A rebase was interrupted: finish it before anything reads the file.
                        let _turn = self.writes.lock(&location.key()).await;
                        let (given, file) = (self.given_key(&location.key()), s.db_path());
                        blocking(move || Ok(crate::cipher::key_file(given.as_ref(), &file)?)).await?;
                        self.finish_rebase(uri).await?;
                        s
                    }
                    Some(s) if s.manifest.dirty => s,
                    _ => self.pull_fresh(uri, cancel).await?,
                };
                (snapshot.db_path(), true)
            }
        };
        self.ready(location, path, snapshot, recover_hot_journal || snapshot).await
    }

    /// [`Sonde::open_recovering`], then the table list (no row counts):
    /// what the app shows when a database opens.
    pub async fn open_listed(
        &self,
        text: &str,
        cancel: &CancellationToken,
        recover_hot_journal: bool,
    ) -> Result<(OpenDb, Vec<sonde_db::query::TableListing>)> {
        let db = self.open_recovering(text, cancel, recover_hot_journal).await?;
        let tables = self.tables(&db, false).await?;
        Ok((db, tables))
    }

    /// Warms the pools (the health check: a bad file fails here with its
    /// reason) and records the database as recent.
    pub(crate) async fn ready(
        &self,
        location: Location,
        path: PathBuf,
        snapshot: bool,
        recover: bool,
    ) -> Result<OpenDb> {
        let warm = path.clone();
        let given = self.given_key(&location.key());
        let encrypted = blocking(move || {
            crate::cipher::key_file(given.as_ref(), &warm)?;
            if recover {
                pools().open_for_write(&warm)?;
            }
            pools().warm_up(&warm).map_err(CoreError::from)?;
            Ok(pools().cipher_of(&warm).is_some())
        })
        .await?;
        let label = label_of(&location);
        let (key, recent_label) = (location.key(), label.clone());
        if let Err(e) = self.with_state(move |s| s.touch_recent(&key, &recent_label)).await {
            tracing::warn!(error = %e, "could not record a recent database");
        }
        Ok(OpenDb { location, path, snapshot, label, encrypted })
    }

    pub(crate) async fn load_snapshot(&self, uri: &DeviceUri) -> Result<Option<Snapshot>> {
        let (ws, uri) = (self.devices.workspace().clone(), uri.clone());
        blocking(move || Ok(ws.load(&uri)?)).await
    }

    /// Pulls a fresh snapshot (under the snapshot's lock) and drops the
    /// pools of the replaced file; the pulled bytes become a version.
    pub(crate) async fn pull_fresh(&self, uri: &DeviceUri, cancel: &CancellationToken) -> Result<Snapshot> {
        Ok(self.pull_version(uri, Producer::Pull, false, cancel).await?.0)
    }

    /// [`Sonde::pull_fresh`] for a watch (`producer`), optionally as the new
    /// base of pending edits (`rebase`: installed dirty, to be re-applied).
    /// A database file the device still holds unchanged is not copied again.
    pub(crate) async fn pull_version(
        &self,
        uri: &DeviceUri,
        producer: Producer,
        rebase: bool,
        cancel: &CancellationToken,
    ) -> Result<(Snapshot, VersionInfo)> {
        let (ws, lock_uri) = (self.devices.workspace().clone(), uri.clone());
        let _lock = blocking(move || Ok(ws.lock(&lock_uri)?)).await?;
        let key = Location::Device(uri.clone()).key();
        let (versions, reuse_key) = (self.versions.clone(), key.clone());
        let reuse =
            blocking(move || versions.latest_db(&reuse_key)).await?.map(|(db, path)| Reuse { db, path });
        let pulled = self.devices.pull(uri, &PullOptions { reuse, rebase }, cancel).await?;
        let (snapshot, moved) = (pulled.snapshot, pulled.moved_bytes);
        let versions = self.versions.clone();
        let (original, db, baseline) =
            (snapshot.original_dir(), snapshot.db_path(), rebase.then(|| snapshot.manifest.device.clone()));
        let version = blocking(move || {
            // The file was replaced: never serve it from an old pool.
            pools().evict(&db);
            let files: Vec<(&'static str, std::path::PathBuf)> = ["", "-wal", "-journal"]
                .into_iter()
                .map(|s| (s, original.join(format!("{}{s}", sonde_device::snapshot::DB_FILE))))
                .filter(|(_, p)| p.exists())
                .collect();
            let sources: Vec<Source<'_>> =
                files.iter().map(|(suffix, path)| Source { suffix, path }).collect();
            versions.record(&key, &sources, producer, moved, true, baseline.as_ref())
        })
        .await?;
        Ok((snapshot, version))
    }

    /// Recently opened databases, newest first.
    pub async fn recent(&self, limit: usize) -> Result<Vec<RecentDatabase>> {
        self.with_state(move |s| s.recent(limit)).await
    }

    /// Whether a local file was opened before (the app lets the page reopen
    /// only files the user chose once).
    pub async fn was_opened(&self, path: &Path) -> Result<bool> {
        let key = Location::Local(path.to_owned()).key();
        Ok(self.recent(500).await?.iter().any(|r| r.uri == key))
    }
}
