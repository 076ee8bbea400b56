//! The local workspace of pulled databases.
//!
//! One directory per device database:
//! `<root>/<platform>/<device>/<app>/<hash of path>/` holding
//! - `db.sqlite` (+ `-wal`, `-journal`): the working copy Sonde opens and edits;
//! - `original/`: the bytes exactly as pulled (the backup of the device's
//!   version, kept until a push replaces it);
//! - `manifest.json`: what was pulled, with sizes and SHA-256s.
//!
//! and, after pushes, `<root>/backups/<same path>/<ms>/`: the device's
//! previous versions.
//!
//! Local names never come from the device (a device file named
//! `../../.bashrc` cannot escape): directories are sanitised ids and hashes.
//! A new pull is assembled in a staging directory and renamed into place,
//! so there is never a half snapshot.

use crate::error::{DeviceError, Result};
use crate::uri::DeviceUri;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const DB_FILE: &str = "db.sqlite";
pub const MANIFEST: &str = "manifest.json";
pub const ORIGINAL_DIR: &str = "original";
pub const BACKUPS_DIR: &str = "backups";
pub const LOCKS_DIR: &str = "locks";

/// Held while one process pulls or pushes a snapshot (an OS file lock, so
/// it also holds against other Sonde processes, and dies with the process).
#[derive(Debug)]
pub struct SnapshotLock {
    _file: std::fs::File,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    pub sha256: String,
    pub size: u64,
}

/// The device-side files of one database as last seen (pulled or pushed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceFiles {
    pub db: FileState,
    pub wal: Option<FileState>,
    pub journal: Option<FileState>,
}

impl DeviceFiles {
    /// Bytes of all three files.
    pub fn total(&self) -> u64 {
        self.db.size + self.wal.as_ref().map_or(0, |f| f.size) + self.journal.as_ref().map_or(0, |f| f.size)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub uri: String,
    /// Milliseconds since the epoch.
    pub pulled_at: i64,
    /// What the device held when pulled (or after our last push).
    pub device: DeviceFiles,
    /// The working copy was edited since (set by the editing side).
    pub dirty: bool,
    pub pushes: u32,
    /// Writes made with SQL since the pull or the last push (they are not
    /// in the change log, but they are something to push).
    #[serde(default)]
    pub sql_writes: u32,
    /// The working copy is a new device version onto which the pending
    /// change log must still be re-applied (set with the new files, in the
    /// same manifest write, so a crash in between loses no edit).
    #[serde(default)]
    pub rebase_needed: bool,
}

#[derive(Debug, Clone)]
pub struct Snapshot {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl Snapshot {
    pub fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }
    pub fn side_path(&self, suffix: &str) -> PathBuf {
        self.dir.join(format!("{DB_FILE}{suffix}"))
    }
    /// The database file to push: refused while a `-wal` still holds
    /// changes (a push sends one file, so they would be lost).
    pub fn checkpointed_db(&self) -> Result<PathBuf> {
        if std::fs::metadata(self.side_path("-wal")).map(|m| m.len() > 0).unwrap_or(false) {
            return Err(DeviceError::NotCheckpointed);
        }
        Ok(self.db_path())
    }
    pub fn original_dir(&self) -> PathBuf {
        self.dir.join(ORIGINAL_DIR)
    }

    /// Rewrites the manifest atomically.
    pub fn save_manifest(&self) -> Result<()> {
        write_manifest(&self.dir, &self.manifest)
    }

    /// After a verified push: the pulled bytes (the device's previous
    /// version) move to a timestamped backup, the pushed file becomes the
    /// new `original/` and `device` the new baseline. Returns the backup dir.
    /// (A whole-file copy: it runs on a blocking thread.)
    pub async fn record_push(
        &mut self,
        ws: &Workspace,
        uri: &DeviceUri,
        device: DeviceFiles,
    ) -> Result<PathBuf> {
        let (mut snapshot, ws, uri) = (self.clone(), ws.clone(), uri.clone());
        let (snapshot, backup) = crate::blocking(move || {
            let backup = snapshot.record_push_now(&ws, &uri, device)?;
            Ok((snapshot, backup))
        })
        .await?;
        *self = snapshot;
        Ok(backup)
    }

    fn record_push_now(&mut self, ws: &Workspace, uri: &DeviceUri, device: DeviceFiles) -> Result<PathBuf> {
        let backup = ws.backups_for(uri).join(now_ms().to_string());
        std::fs::create_dir_all(backup.parent().unwrap_or(&self.dir))
            .map_err(|e| DeviceError::io(&backup, e))?;
        std::fs::rename(self.original_dir(), &backup).map_err(|e| DeviceError::io(&backup, e))?;
        let original = self.original_dir();
        std::fs::create_dir(&original).map_err(|e| DeviceError::io(&original, e))?;
        std::fs::copy(self.db_path(), original.join(DB_FILE)).map_err(|e| DeviceError::io(&original, e))?;
        self.manifest.device = device;
        self.manifest.dirty = false;
        self.manifest.sql_writes = 0;
        self.manifest.pushes += 1;
        self.save_manifest()?;
        Ok(backup)
    }
}

#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Workspace { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The snapshot directory of a device database.
    pub fn dir_for(&self, uri: &DeviceUri) -> PathBuf {
        let digest = hex::encode(Sha256::digest(uri.path.as_bytes()));
        self.root
            .join(uri.platform.scheme())
            .join(sanitize(&uri.device))
            .join(sanitize(&uri.app))
            .join(&digest[..16])
    }

    /// Where the device's previous versions are kept after pushes
    /// (outside the snapshot dir, so a re-pull never deletes them).
    pub fn backups_for(&self, uri: &DeviceUri) -> PathBuf {
        let snapshot = self.dir_for(uri);
        let rel = snapshot.strip_prefix(&self.root).unwrap_or(&snapshot).to_path_buf();
        self.root.join(BACKUPS_DIR).join(rel)
    }

    /// Takes the snapshot's lock, or fails at once with
    /// [`DeviceError::Busy`] while another process holds it: two pushes of
    /// one snapshot would race on its baseline and backups.
    pub fn lock(&self, uri: &DeviceUri) -> Result<SnapshotLock> {
        let snapshot = self.dir_for(uri);
        let rel = snapshot.strip_prefix(&self.root).unwrap_or(&snapshot);
        let name = hex::encode(Sha256::digest(rel.as_os_str().as_encoded_bytes()));
        let dir = self.root.join(LOCKS_DIR);
        std::fs::create_dir_all(&dir).map_err(|e| DeviceError::io(&dir, e))?;
        let path = dir.join(format!("{}.lock", &name[..16]));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| DeviceError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(SnapshotLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(DeviceError::Busy { uri: uri.to_string() }),
            Err(std::fs::TryLockError::Error(e)) => Err(DeviceError::io(&path, e)),
        }
    }

    /// The existing snapshot of `uri`, if any.
    pub fn load(&self, uri: &DeviceUri) -> Result<Option<Snapshot>> {
        let dir = self.dir_for(uri);
        let manifest_path = dir.join(MANIFEST);
        let bytes = match std::fs::read(&manifest_path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(DeviceError::io(&manifest_path, e)),
        };
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
            DeviceError::io(&manifest_path, std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        })?;
        if !dir.join(DB_FILE).is_file() {
            return Ok(None);
        }
        Ok(Some(Snapshot { dir, manifest }))
    }

    /// A fresh staging directory next to where the snapshot will live.
    pub fn staging_for(&self, uri: &DeviceUri) -> Result<tempfile_dir::StagingDir> {
        let parent = self.dir_for(uri).parent().map(Path::to_path_buf).unwrap_or_else(|| self.root.clone());
        std::fs::create_dir_all(&parent).map_err(|e| DeviceError::io(&parent, e))?;
        tempfile_dir::StagingDir::new_in(&parent)
    }

    /// Moves a complete staging directory into place as the snapshot of
    /// `uri`, replacing any previous one.
    pub fn install(
        &self,
        uri: &DeviceUri,
        staging: tempfile_dir::StagingDir,
        manifest: Manifest,
    ) -> Result<Snapshot> {
        write_manifest(staging.path(), &manifest)?;
        let dir = self.dir_for(uri);
        let old = dir.with_extension(format!("old-{}", std::process::id()));
        if dir.exists() {
            std::fs::rename(&dir, &old).map_err(|e| DeviceError::io(&dir, e))?;
        }
        let staged = staging.keep();
        if let Err(e) = std::fs::rename(&staged, &dir) {
            // Put the previous snapshot back.
            let _ = std::fs::rename(&old, &dir);
            return Err(DeviceError::io(&dir, e));
        }
        if old.exists() {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(Snapshot { dir, manifest })
    }
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<()> {
    let path = dir.join(MANIFEST);
    let tmp = dir.join(format!(".{MANIFEST}.tmp"));
    let bytes = serde_json::to_vec_pretty(manifest)
        .map_err(|e| DeviceError::io(&path, std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
    std::fs::write(&tmp, bytes).map_err(|e| DeviceError::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| DeviceError::io(&path, e))
}

/// A directory-name-safe form of an id: `[A-Za-z0-9._-]`, others as `_`,
/// never `.` or `..`.
pub fn sanitize(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' })
        .collect();
    if s.is_empty() || s.chars().all(|c| c == '.') {
        format!("_{}", s.len())
    } else {
        s
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A staging directory removed on drop unless kept (no half snapshots).
pub mod tempfile_dir {
    use crate::error::{DeviceError, Result};
    use std::path::{Path, PathBuf};

    pub struct StagingDir {
        path: Option<PathBuf>,
    }

    impl StagingDir {
        pub fn new_in(parent: &Path) -> Result<StagingDir> {
            for _ in 0..16 {
                let name = format!(".staging-{:016x}", rand::random::<u64>());
                let path = parent.join(name);
                match std::fs::create_dir(&path) {
                    Ok(()) => return Ok(StagingDir { path: Some(path) }),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(DeviceError::io(&path, e)),
                }
            }
            Err(DeviceError::NoStagingDir(parent.to_owned()))
        }

        pub fn path(&self) -> &Path {
            self.path.as_deref().unwrap_or(Path::new(""))
        }

        /// Keeps the directory (it is about to be renamed into place).
        pub fn keep(mut self) -> PathBuf {
            self.path.take().unwrap_or_default()
        }
    }

    impl Drop for StagingDir {
        fn drop(&mut self) {
            if let Some(p) = self.path.take() {
                let _ = std::fs::remove_dir_all(p);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Platform;

    #[test]
    fn one_holder_per_snapshot_at_a_time() {
        let root = tempfile::tempdir().expect("tmp");
        let ws = Workspace::new(root.path());
        let uri = DeviceUri::for_file(Platform::Android, "emulator-5554", "com.x", "databases/a.db");
        let other = DeviceUri::for_file(Platform::Android, "emulator-5554", "com.x", "databases/b.db");
        let held = ws.lock(&uri).expect("first");
        assert!(matches!(ws.lock(&uri), Err(DeviceError::Busy { .. })));
        let _independent = ws.lock(&other).expect("another database is not blocked");
        drop(held);
        ws.lock(&uri).expect("free again once released");
    }

    #[test]
    fn only_a_checkpointed_snapshot_is_pushed() {
        let tmp = tempfile::tempdir().expect("tmp");
        let manifest = Manifest {
            uri: "android://s/com.x/databases/a.db".into(),
            pulled_at: 1,
            device: DeviceFiles { db: FileState { sha256: "h".into(), size: 1 }, wal: None, journal: None },
            dirty: true,
            pushes: 0,
            sql_writes: 0,
            rebase_needed: false,
        };
        let snap = Snapshot { dir: tmp.path().to_path_buf(), manifest };
        assert_eq!(snap.checkpointed_db().expect("no -wal"), snap.db_path());
        std::fs::write(snap.side_path("-wal"), b"").expect("write");
        assert_eq!(snap.checkpointed_db().expect("empty -wal"), snap.db_path());
        std::fs::write(snap.side_path("-wal"), b"frames").expect("write");
        assert!(matches!(snap.checkpointed_db(), Err(DeviceError::NotCheckpointed)));
    }

    #[test]
    fn hostile_names_stay_inside_the_workspace() {
        let ws = Workspace::new("/ws");
        let uri = DeviceUri::for_file(Platform::Android, "..", "..", "../../.bashrc");
        let dir = ws.dir_for(&uri);
        assert!(dir.starts_with("/ws/android/"));
        assert!(!dir.components().any(|c| matches!(c, std::path::Component::ParentDir)), "{dir:?}");
        assert_eq!(sanitize("127.0.0.1:5555"), "127.0.0.1_5555");
    }

    #[test]
    fn install_replaces_atomically_and_staging_cleans_up() {
        let tmp = tempfile::tempdir().expect("tmp");
        let ws = Workspace::new(tmp.path());
        let uri = DeviceUri::for_file(Platform::Android, "s", "com.x", "databases/a.db");
        let manifest = Manifest {
            uri: uri.to_string(),
            pulled_at: 1,
            device: DeviceFiles { db: FileState { sha256: "h".into(), size: 1 }, wal: None, journal: None },
            dirty: false,
            pushes: 0,
            sql_writes: 0,
            rebase_needed: false,
        };
        {
            let abandoned = ws.staging_for(&uri).expect("staging");
            std::fs::write(abandoned.path().join(DB_FILE), b"half").expect("write");
        }
        let parent = ws.dir_for(&uri).parent().expect("parent").to_path_buf();
        assert_eq!(std::fs::read_dir(&parent).expect("ls").count(), 0, "abandoned staging removed");
        for content in [&b"one"[..], b"two"] {
            let staging = ws.staging_for(&uri).expect("staging");
            std::fs::write(staging.path().join(DB_FILE), content).expect("write");
            ws.install(&uri, staging, manifest.clone()).expect("install");
        }
        let snap = ws.load(&uri).expect("load").expect("exists");
        assert_eq!(std::fs::read(snap.db_path()).expect("read"), b"two");
        assert_eq!(snap.manifest, manifest);
        assert_eq!(std::fs::read_dir(&parent).expect("ls").count(), 1);
    }
}
