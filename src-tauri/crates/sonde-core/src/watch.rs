//! Watching a database: Sonde notices the app's commits, takes each new
//! version, diffs it against the previous one and reports what changed.
//!
//! - A device database: one `stat` of its files per interval (the only
//!   device call while nothing changes); a change is pulled as a version
//!   (only the `-wal` moves when the database file is unchanged). Pending
//!   edits are rebased onto it, never discarded. The device going away
//!   pauses the watch until it is back.
//! - A local file or simulator database: file events (`notify`, debounced)
//!   plus the same cheap look per interval as a safety net (events can be
//!   missed on some file systems); a change is copied as a private version,
//!   the user's file untouched.

use crate::blocking::blocking;
use crate::error::{CoreError, ErrorKind, Result, UiError};
use crate::location::Location;
use crate::open::OpenDb;
use crate::rebase::Conflict;
use crate::service::Sonde;
use crate::versions::{copy_consistently, Producer, Source, VersionInfo};
use notify_debouncer_mini::{new_debouncer, notify::RecursiveMode, DebounceEventResult};
use serde::Serialize;
use sonde_db::diff::{DbDiff, DiffOptions};
use sonde_device::model::Fingerprint;
use sonde_device::runner::CancellationToken;
use sonde_device::{DeviceUri, Platform};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tracing::instrument;

/// Changed rows a watch event carries per table.
pub const WATCH_ROW_CAP: usize = 1000;
/// How often a device is looked at by default.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(1000);

/// What a watch reports, in order: `started`, then `version` per change,
/// `paused`/`resumed` around a device's absence, `error` for a change it
/// could not take (it keeps watching).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum WatchEvent {
    Started {
        version: VersionInfo,
    },
    Version {
        version: VersionInfo,
        /// What changed since the previous version (rows capped at 1,000 per table).
        diff: DbDiff,
        /// The app recreated its database (a new file, not new commits).
        replaced: bool,
        /// Pending changes re-applied onto this version, and those that conflict.
        rebased: u32,
        conflicts: Vec<Conflict>,
    },
    Paused {
        reason: String,
    },
    Resumed,
    Error {
        error: UiError,
    },
    /// Sent by the face when a watch ends.
    Stopped,
}

/// Errors that mean the device is away (unplugged, rebooting, adb gone)
/// rather than a problem with the database: the watch waits for it.
fn device_away(e: &CoreError) -> bool {
    matches!(
        e.kind(),
        ErrorKind::DeviceNotFound
            | ErrorKind::Offline
            | ErrorKind::Timeout
            | ErrorKind::Unauthorized
            | ErrorKind::AdbMissing
    )
}

/// What else a new version brought, besides its diff.
struct Change {
    replaced: bool,
    rebased: u32,
    conflicts: Vec<Conflict>,
}

/// Reports an error once, not at every interval while it lasts.
fn report_once(last: &mut Option<String>, e: &CoreError, on_event: &mut impl FnMut(WatchEvent)) {
    let message = e.to_string();
    if last.as_deref() != Some(message.as_str()) {
        on_event(WatchEvent::Error { error: UiError::from(e) });
        *last = Some(message);
    }
}

/// Where a watch looks.
enum Watched {
    Device(DeviceUri),
    /// A host file (a local database, or a simulator database in place).
    File(PathBuf),
}

impl Sonde {
    /// Watches `db` until `cancel`, calling `on_event` for each event
    /// (`started` first). Returns when cancelled; an error only when the
    /// watch cannot start.
    #[instrument(skip_all, fields(location = %db.location.key()))]
    pub async fn watch(
        &self,
        db: &OpenDb,
        interval: Duration,
        cancel: &CancellationToken,
        mut on_event: impl FnMut(WatchEvent) + Send,
    ) -> Result<()> {
        let source = match &db.location {
            Location::Device(uri) if uri.platform != Platform::Sim => Watched::Device(uri.clone()),
            _ => Watched::File(db.path.clone()),
        };
        let interval = interval.max(Duration::from_millis(50));
        match source {
            Watched::Device(uri) => self.watch_device(db, &uri, interval, cancel, &mut on_event).await,
            Watched::File(path) => self.watch_file(db, &path, interval, cancel, &mut on_event).await,
        }
    }

    async fn watch_device(
        &self,
        db: &OpenDb,
        uri: &DeviceUri,
        interval: Duration,
        cancel: &CancellationToken,
        on_event: &mut (impl FnMut(WatchEvent) + Send),
    ) -> Result<()> {
        let key = db.location.key();
        let mut current = self.snapshot_version(uri).await?;
        // The baseline look comes before `started`: a commit after it is seen.
        // Without one (the device is away), the first look pulls: the pull
        // is deduplicated against the version it started from.
        let mut seen: Option<Fingerprint> = self.devices.fingerprint(uri, cancel).await.ok();
        // Our own push swaps in a new file: not the app recreating its database.
        let mut pushes_seen = self.pushes(uri).await;
        on_event(WatchEvent::Started { version: current.clone() });
        let mut paused = false;
        let mut failed: Option<String> = None;
        loop {
            if !self.sleep(interval, cancel).await {
                return Ok(());
            }
            let look = self.devices.fingerprint(uri, cancel).await.map_err(CoreError::from);
            if cancel.is_cancelled() {
                return Ok(());
            }
            let fingerprint = match look {
                Ok(f) => f,
                Err(e) if device_away(&e) => {
                    if !paused {
                        paused = true;
                        on_event(WatchEvent::Paused { reason: e.message_for(crate::Face::App) });
                    }
                    continue;
                }
                Err(e) => {
                    // The database is gone (the app deleting it before it
                    // recreates it, say): said once, and watched on.
                    report_once(&mut failed, &e, on_event);
                    continue;
                }
            };
            if paused {
                paused = false;
                on_event(WatchEvent::Resumed);
            }
            if seen.as_ref().is_some_and(|s| s.stamp == fingerprint.stamp) {
                continue;
            }
            let pushed = self.pushes(uri).await != pushes_seen;
            let replaced = !pushed
                && seen.as_ref().is_some_and(|s| {
                    s.file_id.is_some() && fingerprint.file_id.is_some() && s.file_id != fingerprint.file_id
                });
            match self.take_device_version(uri, &key, cancel).await {
                Ok((version, rebased, conflicts)) => {
                    failed = None;
                    seen = Some(fingerprint);
                    pushes_seen = self.pushes(uri).await;
                    if version.number == current.number {
                        continue;
                    }
                    let change = Change { replaced, rebased, conflicts };
                    self.report_version(&key, &current, &version, change, on_event).await;
                    current = version;
                }
                Err(_) if cancel.is_cancelled() => return Ok(()),
                Err(e) if device_away(&e) => {
                    if !paused {
                        paused = true;
                        on_event(WatchEvent::Paused { reason: e.message_for(crate::Face::App) });
                    }
                }
                Err(e) => {
                    report_once(&mut failed, &e, on_event);
                    // Not retried until the device changes again.
                    seen = Some(fingerprint);
                }
            }
        }
    }

    /// Reports a new version with its diff against the previous one. A
    /// version with the same rows and schema (a checkpoint, a write caught
    /// before its commit) is kept in the history but not reported, unless
    /// it replaced the file or settled pending edits.
    async fn report_version(
        &self,
        key: &str,
        from: &VersionInfo,
        to: &VersionInfo,
        change: Change,
        on_event: &mut impl FnMut(WatchEvent),
    ) {
        match self.diff_versions_at(key, from.number, to.number, WATCH_ROW_CAP).await {
            Ok(diff) => {
                let news = !diff.tables.is_empty() || !diff.schema.is_empty();
                if news || change.replaced || change.rebased > 0 || !change.conflicts.is_empty() {
                    on_event(WatchEvent::Version {
                        version: to.clone(),
                        diff,
                        replaced: change.replaced,
                        rebased: change.rebased,
                        conflicts: change.conflicts,
                    });
                }
            }
            Err(e) => on_event(WatchEvent::Error { error: UiError::from(&e) }),
        }
    }

    /// Remembers the files' state right after Sonde wrote to a local or
    /// simulator database.
    pub(crate) async fn note_own_write(&self, db: &OpenDb) {
        let path = db.path.clone();
        let stamp = blocking(move || Ok(file_stamp(&path))).await.unwrap_or_default();
        if let Ok(mut own) = self.own_writes.lock() {
            own.insert(db.location.key(), stamp);
        }
    }

    /// Whether the files are exactly as Sonde's own last write left them.
    fn is_own_write(&self, key: &str, stamp: &[Stamp]) -> bool {
        !stamp.is_empty() && self.own_writes.lock().is_ok_and(|own| own.get(key).is_some_and(|s| s == stamp))
    }

    /// How many times the snapshot was pushed since its pull.
    async fn pushes(&self, uri: &DeviceUri) -> Option<u32> {
        self.load_snapshot(uri).await.ok().flatten().map(|s| s.manifest.pushes)
    }

    /// Pulls the device's new version; pending edits are rebased onto it.
    async fn take_device_version(
        &self,
        uri: &DeviceUri,
        key: &str,
        cancel: &CancellationToken,
    ) -> Result<(VersionInfo, u32, Vec<Conflict>)> {
        let _turn = self.writes.lock(key).await;
        let dirty = self.load_snapshot(uri).await?.is_some_and(|s| s.manifest.dirty);
        if dirty {
            let (version, report) = self.rebase_onto_device(uri, Producer::Watch, cancel).await?;
            Ok((version, report.rebased, report.conflicts))
        } else {
            let (_, version) = self.pull_version(uri, Producer::Watch, false, cancel).await?;
            Ok((version, 0, Vec::new()))
        }
    }

    /// The version the open snapshot was pulled as (recorded now if it
    /// predates versions).
    pub(crate) async fn snapshot_version(&self, uri: &DeviceUri) -> Result<VersionInfo> {
        let snapshot = self
            .load_snapshot(uri)
            .await?
            .ok_or_else(|| sonde_device::DeviceError::NoSnapshot { uri: uri.to_string() })?;
        let (versions, key) = (self.versions.clone(), Location::Device(uri.clone()).key());
        blocking(move || {
            let original = snapshot.original_dir();
            let files = side_files(&original.join(sonde_device::snapshot::DB_FILE));
            let sources: Vec<Source<'_>> =
                files.iter().map(|(suffix, path)| Source { suffix, path }).collect();
            let baseline = snapshot.manifest.dirty.then(|| snapshot.manifest.device.clone());
            versions.record(&key, &sources, Producer::Pull, 0, true, baseline.as_ref())
        })
        .await
    }

    async fn watch_file(
        &self,
        db: &OpenDb,
        path: &Path,
        interval: Duration,
        cancel: &CancellationToken,
        on_event: &mut (impl FnMut(WatchEvent) + Send),
    ) -> Result<()> {
        let key = db.location.key();
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel::<()>();
        let names = side_files_names(path);
        let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_owned);
        // Debounced: a commit touches the -wal (or -journal and the
        // database) several times within milliseconds.
        let watcher = new_debouncer(Duration::from_millis(100), move |result: DebounceEventResult| {
            if let Ok(events) = result {
                if events.iter().any(|e| e.path.file_name().is_some_and(|n| names.iter().any(|m| m == n))) {
                    let _ = tx.send(());
                }
            }
        })
        .and_then(|mut d| d.watcher().watch(&dir, RecursiveMode::NonRecursive).map(|()| d));
        if let Err(e) = &watcher {
            tracing::warn!(error = %e, "no file events here; looking once per interval");
        }
        let (mut current, mut stamp) = self.copy_version(&key, path, Producer::Copy).await?;
        on_event(WatchEvent::Started { version: current.clone() });
        let mut failed: Option<String> = None;
        loop {
            tokio::select! {
                () = cancel.cancelled() => return Ok(()),
                _ = events.recv() => {}
                () = tokio::time::sleep(interval) => {}
            }
            let now = file_stamp(path);
            if now == stamp {
                continue;
            }
            let replaced = stamp.first().and_then(|s| s.map(|(_, _, ino)| ino))
                != now.first().and_then(|s| s.map(|(_, _, ino)| ino));
            let ours = self.is_own_write(&key, &now);
            let producer = if ours { Producer::Edit } else { Producer::Copy };
            match self.copy_version(&key, path, producer).await {
                Ok((version, taken)) => {
                    failed = None;
                    stamp = taken;
                    if version.number == current.number {
                        continue;
                    }
                    if ours {
                        // Sonde's own edit, nothing by the app since: the
                        // next diff starts from it.
                        current = version;
                        continue;
                    }
                    let change = Change { replaced, rebased: 0, conflicts: Vec::new() };
                    self.report_version(&key, &current, &version, change, on_event).await;
                    current = version;
                }
                Err(e) => {
                    stamp = now;
                    report_once(&mut failed, &e, on_event);
                }
            }
        }
    }

    /// A private copy of a host database as a version, with the stamp of
    /// the files it was taken from.
    async fn copy_version(
        &self,
        key: &str,
        path: &Path,
        producer: Producer,
    ) -> Result<(VersionInfo, Vec<Stamp>)> {
        let (versions, key, path) = (self.versions.clone(), key.to_owned(), path.to_owned());
        blocking(move || {
            let scratch = versions.scratch()?;
            let stamp = file_stamp(&path);
            let copied = copy_consistently(&path, scratch.path())?;
            let after = file_stamp(&path);
            let sources: Vec<Source<'_>> =
                copied.iter().map(|(suffix, p)| Source { suffix, path: p }).collect();
            let version = versions.record(&key, &sources, producer, 0, true, None)?;
            // The copy is consistent with `stamp`; a write since is seen next time.
            Ok((version, if after == stamp { stamp } else { Vec::new() }))
        })
        .await
    }

    /// The diff between two versions of a database (`location` its key).
    pub(crate) async fn diff_versions_at(
        &self,
        key: &str,
        from: u32,
        to: u32,
        row_cap: usize,
    ) -> Result<DbDiff> {
        let (versions, key) = (self.versions.clone(), key.to_owned());
        let given = self.given_key(&key);
        blocking(move || {
            let a = versions.open(&key, from)?;
            let b = versions.open(&key, to)?;
            crate::cipher::key_file(given.as_ref(), &a)?;
            crate::cipher::key_file(given.as_ref(), &b)?;
            Ok(sonde_db::diff::diff(&a, &b, &DiffOptions::default(), row_cap)?)
        })
        .await
    }

    /// Sleeps one interval; false when cancelled meanwhile.
    async fn sleep(&self, interval: Duration, cancel: &CancellationToken) -> bool {
        tokio::select! {
            () = cancel.cancelled() => false,
            () = tokio::time::sleep(interval) => true,
        }
    }
}

/// Size, modification time and inode of a file (None: absent).
pub(crate) type Stamp = Option<(u64, Option<std::time::SystemTime>, u64)>;

fn file_stamp(db: &Path) -> Vec<Stamp> {
    ["", "-wal", "-journal"]
        .iter()
        .map(|s| {
            let m = std::fs::metadata(side(db, s)).ok()?;
            #[cfg(unix)]
            let ino = std::os::unix::fs::MetadataExt::ino(&m);
            #[cfg(not(unix))]
            let ino = 0;
            Some((m.len(), m.modified().ok(), ino))
        })
        .collect()
}

fn side(db: &Path, suffix: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

fn side_files_names(db: &Path) -> Vec<std::ffi::OsString> {
    ["", "-wal", "-journal"].iter().filter_map(|s| side(db, s).file_name().map(ToOwned::to_owned)).collect()
}

/// The database's files that exist: (suffix, path).
pub(crate) fn side_files(db: &Path) -> Vec<(&'static str, PathBuf)> {
    ["", "-wal", "-journal"].into_iter().map(|s| (s, side(db, s))).filter(|(_, p)| p.exists()).collect()
}
