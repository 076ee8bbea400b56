//! Versions: the exact bytes of a database (db + `-wal` + `-journal`) at a
//! moment, with when they were taken, their hashes and what took them —
//! each verified pull of a device database, and private copies of local
//! files and simulator databases taken when a watch sees them change (the
//! user's file is never touched).
//!
//! On disk, per database (`<data>/versions/<hash of its location>/`):
//! `index.json` (the versions), `blobs/<sha256>` (each distinct file once,
//! read-only: a version that only changed the `-wal` shares its database
//! file with the previous one), and `open/<n>/` (hard links, or copies for
//! a version with a `-wal` or `-journal`, that make
//! version n a database SQLite can open read-only, made on demand).
//! Retention: the newest versions up to a count and a disk budget,
//! whichever is smaller; the oldest go first; the pulled baseline of
//! pending edits is never dropped.

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sonde_device::snapshot::{DeviceFiles, FileState};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Versions kept per database by default, and their disk budget.
pub const DEFAULT_KEEP: usize = 20;
pub const DEFAULT_BUDGET_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// What took a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Producer {
    /// A verified pull from the device.
    Pull,
    /// A pull by a watch that saw the device database change.
    Watch,
    /// A private copy of a local file or simulator database.
    Copy,
    /// A private copy after Sonde's own edit of a local file or simulator
    /// database (not the app's write: a watch does not report it).
    Edit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VersionInfo {
    /// 1, 2, 3… per database (never reused).
    pub number: u32,
    /// When it was taken, ms since the epoch.
    pub at: i64,
    pub producer: Producer,
    /// Bytes of db + -wal + -journal.
    pub bytes: u64,
    /// SHA-256 of the database file.
    pub sha256: String,
    pub wal: bool,
    pub journal: bool,
    /// Bytes transferred from the device to take it (a -wal-only re-pull
    /// moves only the -wal).
    pub moved_bytes: u64,
    /// The pulled baseline of pending edits: never dropped by retention.
    pub pinned: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    info: VersionInfo,
    /// (suffix, sha256, size) of each file: "" (the database), "-wal", "-journal".
    files: Vec<(String, String, u64)>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    location: String,
    next: u32,
    versions: Vec<Record>,
}

/// The version store of one data directory.
#[derive(Debug, Clone)]
pub struct Versions {
    root: PathBuf,
    pub keep: usize,
    pub budget: u64,
}

/// A file of a database to record: its suffix and where its bytes are.
pub struct Source<'a> {
    pub suffix: &'static str,
    pub path: &'a Path,
}

impl Versions {
    pub fn new(root: PathBuf, keep: usize, budget: u64) -> Versions {
        Versions { root, keep: keep.max(1), budget }
    }

    /// A scratch directory beside the store (same file system: its files
    /// can become blobs by hard link), removed when dropped.
    pub fn scratch(&self) -> Result<tempfile::TempDir> {
        std::fs::create_dir_all(&self.root).map_err(|e| CoreError::io(&self.root, e))?;
        tempfile::Builder::new()
            .prefix(".copy-")
            .tempdir_in(&self.root)
            .map_err(|e| CoreError::io(&self.root, e))
    }

    fn dir(&self, location: &str) -> PathBuf {
        let digest = hex::encode(Sha256::digest(location.as_bytes()));
        self.root.join(&digest[..16])
    }

    fn load(&self, location: &str) -> Result<Index> {
        let path = self.dir(location).join("index.json");
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| CoreError::io(&path, std::io::Error::new(std::io::ErrorKind::InvalidData, e))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Index { location: location.to_owned(), next: 1, versions: Vec::new() })
            }
            Err(e) => Err(CoreError::io(&path, e)),
        }
    }

    fn save(&self, location: &str, index: &Index) -> Result<()> {
        let dir = self.dir(location);
        let (path, tmp) = (dir.join("index.json"), dir.join(".index.json.tmp"));
        let bytes = serde_json::to_vec_pretty(index).map_err(|e| CoreError::Internal(e.to_string()))?;
        std::fs::write(&tmp, bytes).map_err(|e| CoreError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| CoreError::io(&path, e))
    }

    /// Versions of a database, oldest first.
    pub fn list(&self, location: &str) -> Result<Vec<VersionInfo>> {
        Ok(self.load(location)?.versions.into_iter().map(|r| r.info).collect())
    }

    pub fn latest(&self, location: &str) -> Result<Option<VersionInfo>> {
        Ok(self.list(location)?.pop())
    }

    /// The database file of the newest version, with its state, when its
    /// database file could be reused by a re-pull.
    pub fn latest_db(&self, location: &str) -> Result<Option<(FileState, PathBuf)>> {
        let index = self.load(location)?;
        let Some(last) = index.versions.last() else { return Ok(None) };
        let Some((_, sha, size)) = last.files.iter().find(|(s, _, _)| s.is_empty()) else { return Ok(None) };
        let blob = self.dir(location).join("blobs").join(sha);
        Ok(blob.exists().then(|| (FileState { sha256: sha.clone(), size: *size }, blob)))
    }

    /// Records the files as the newest version (unless the newest already
    /// holds exactly these bytes: then that one is returned). `link`: the
    /// files are Sonde's own and never change in place, so they are hard
    /// linked instead of copied (a user's file is always copied). `baseline`:
    /// the pulled state pending edits are based on (kept by retention).
    pub fn record(
        &self,
        location: &str,
        sources: &[Source<'_>],
        producer: Producer,
        moved_bytes: u64,
        link: bool,
        baseline: Option<&DeviceFiles>,
    ) -> Result<VersionInfo> {
        let dir = self.dir(location);
        let blobs = dir.join("blobs");
        std::fs::create_dir_all(&blobs).map_err(|e| CoreError::io(&blobs, e))?;
        let lock = lock(&dir)?;
        let mut index = self.load(location)?;
        index.location = location.to_owned();
        let mut files = Vec::with_capacity(sources.len());
        for source in sources {
            let (sha, size) = store(&blobs, source.path, link)?;
            files.push((source.suffix.to_owned(), sha, size));
        }
        if let Some(last) = index.versions.last() {
            if last.files == files {
                return Ok(last.info.clone());
            }
        }
        let sha_of = |suffix: &str| files.iter().find(|(s, _, _)| s == suffix).map(|(_, sha, _)| sha.clone());
        let info = VersionInfo {
            number: index.next,
            at: sonde_device::snapshot::now_ms(),
            producer,
            bytes: files.iter().map(|(_, _, size)| size).sum(),
            sha256: sha_of("").unwrap_or_default(),
            wal: sha_of("-wal").is_some(),
            journal: sha_of("-journal").is_some(),
            moved_bytes,
            pinned: false,
        };
        index.next += 1;
        index.versions.push(Record { info: info.clone(), files });
        self.retain(&dir, &mut index, baseline);
        self.save(location, &index)?;
        drop(lock);
        Ok(index.versions.iter().find(|r| r.info.number == info.number).map_or(info, |r| r.info.clone()))
    }

    /// Applies the retention rule and deletes what nothing refers to.
    fn retain(&self, dir: &Path, index: &mut Index, baseline: Option<&DeviceFiles>) {
        for r in &mut index.versions {
            r.info.pinned = baseline.is_some_and(|b| same_files(&r.files, b));
        }
        // Newest first: keep while within the count and the budget.
        let mut kept = 0usize;
        let mut bytes = 0u64;
        let mut keep = vec![false; index.versions.len()];
        for (i, r) in index.versions.iter().enumerate().rev() {
            let fits = kept < self.keep && (kept == 0 || bytes + r.info.bytes <= self.budget);
            if fits || r.info.pinned {
                keep[i] = true;
                kept += 1;
                bytes += r.info.bytes;
            }
        }
        let mut i = 0;
        let mut dropped = Vec::new();
        index.versions.retain(|r| {
            let k = keep[i];
            i += 1;
            if !k {
                dropped.push(r.info.number);
            }
            k
        });
        for n in dropped {
            let open = dir.join("open").join(n.to_string());
            if open.exists() {
                sonde_db::pool::pools().evict(&open.join(sonde_device::snapshot::DB_FILE));
                let _ = std::fs::remove_dir_all(&open);
            }
        }
        let used: std::collections::HashSet<&str> =
            index.versions.iter().flat_map(|r| r.files.iter().map(|(_, sha, _)| sha.as_str())).collect();
        if let Ok(entries) = std::fs::read_dir(dir.join("blobs")) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if !used.contains(name.as_str()) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }

    /// Version `number` as a database file SQLite can open (read-only: its
    /// files are shared and must never change).
    pub fn open(&self, location: &str, number: u32) -> Result<PathBuf> {
        let index = self.load(location)?;
        let record = index
            .versions
            .iter()
            .find(|r| r.info.number == number)
            .ok_or_else(|| CoreError::NoSuchVersion { number, location: location.to_owned() })?;
        let dir = self.dir(location);
        let open = dir.join("open").join(number.to_string());
        let db = open.join(sonde_device::snapshot::DB_FILE);
        if db.exists() {
            return Ok(db);
        }
        let tmp = dir.join("open").join(format!(".{number}.tmp"));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(|e| CoreError::io(&tmp, e))?;
        let has_journal = record.files.iter().any(|(s, _, _)| s == "-journal");
        let has_side = record.files.len() > 1;
        for (suffix, sha, _) in &record.files {
            let blob = dir.join("blobs").join(sha);
            let to = tmp.join(format!("{}{suffix}", sonde_device::snapshot::DB_FILE));
            // Copies, not links to the shared blobs, when the version has a
            // side file: a hot journal is rolled back when the version is
            // opened (a write), and SQLite keeps one WAL index per database
            // inode in a process, so two versions sharing their database
            // file's inode would read each other's `-wal`.
            let made =
                if has_side { std::fs::copy(&blob, &to).map(drop) } else { std::fs::hard_link(&blob, &to) };
            made.or_else(|_| std::fs::copy(&blob, &to).map(drop)).map_err(|e| CoreError::io(&to, e))?;
        }
        std::fs::rename(&tmp, &open).map_err(|e| CoreError::io(&open, e))?;
        if has_journal {
            sonde_db::pool::pools().open_for_write(&db)?;
        }
        Ok(db)
    }
}

fn same_files(files: &[(String, String, u64)], device: &DeviceFiles) -> bool {
    let sha = |suffix: &str| files.iter().find(|(s, _, _)| s == suffix).map(|(_, h, _)| h.as_str());
    sha("") == Some(device.db.sha256.as_str())
        && sha("-wal") == device.wal.as_ref().map(|f| f.sha256.as_str())
        && sha("-journal") == device.journal.as_ref().map(|f| f.sha256.as_str())
}

/// Adds a file to the blob store; returns its SHA-256 and size.
fn store(blobs: &Path, path: &Path, link: bool) -> Result<(String, u64)> {
    let tmp = blobs.join(format!(".incoming-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    let (sha, size) = if link && std::fs::hard_link(path, &tmp).is_ok() {
        hash_file(&tmp)?
    } else {
        copy_hashing(path, &tmp)?
    };
    let blob = blobs.join(&sha);
    if blob.exists() {
        let _ = std::fs::remove_file(&tmp);
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if !link {
                let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o444));
            }
        }
        std::fs::rename(&tmp, &blob).map_err(|e| CoreError::io(&blob, e))?;
    }
    Ok((sha, size))
}

fn hash_file(path: &Path) -> Result<(String, u64)> {
    let mut file = std::fs::File::open(path).map_err(|e| CoreError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| CoreError::io(path, e))?;
        if n == 0 {
            return Ok((hex::encode(hasher.finalize()), size));
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
}

fn copy_hashing(from: &Path, to: &Path) -> Result<(String, u64)> {
    let mut src = std::fs::File::open(from).map_err(|e| CoreError::io(from, e))?;
    let mut dst = std::fs::File::create(to).map_err(|e| CoreError::io(to, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = src.read(&mut buf).map_err(|e| CoreError::io(from, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        dst.write_all(&buf[..n]).map_err(|e| CoreError::io(to, e))?;
        size += n as u64;
    }
    dst.sync_all().map_err(|e| CoreError::io(to, e))?;
    Ok((hex::encode(hasher.finalize()), size))
}

/// One writer per database's store at a time (across processes).
fn lock(dir: &Path) -> Result<std::fs::File> {
    let path = dir.join("lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| CoreError::io(&path, e))?;
    file.lock().map_err(|e| CoreError::io(&path, e))?;
    Ok(file)
}

/// Copies a local database's files as one consistent set: the sizes and
/// modification times of all three are the same before and after the
/// copy, else it is taken again (the app was writing).
pub fn copy_consistently(db: &Path, into: &Path) -> Result<Vec<(&'static str, PathBuf)>> {
    let side = |suffix: &str| PathBuf::from(format!("{}{suffix}", db.display()));
    let stamp = || -> Vec<Option<(u64, Option<std::time::SystemTime>)>> {
        ["", "-wal", "-journal"]
            .iter()
            .map(|s| std::fs::metadata(side(s)).ok().map(|m| (m.len(), m.modified().ok())))
            .collect()
    };
    for _ in 0..8 {
        let before = stamp();
        let mut copied = Vec::new();
        for (suffix, state) in ["", "-wal", "-journal"].into_iter().zip(&before) {
            if state.is_none() || (!suffix.is_empty() && state.is_some_and(|(len, _)| len == 0)) {
                continue;
            }
            let to = into.join(format!("{}{suffix}", sonde_device::snapshot::DB_FILE));
            std::fs::copy(side(suffix), &to).map_err(|e| CoreError::io(&to, e))?;
            copied.push((suffix, to));
        }
        if stamp() == before && !copied.is_empty() {
            return Ok(copied);
        }
    }
    Err(CoreError::Device(sonde_device::DeviceError::KeptChanging))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("write");
        p
    }

    /// Identical bytes are one version; a version that only changed the
    /// `-wal` shares the database blob; retention keeps the newest within
    /// the count, and the pinned baseline whatever its age.
    #[test]
    fn records_dedupes_and_retains() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = Versions::new(dir.path().join("versions"), 3, u64::MAX);
        let src = dir.path().join("src");
        std::fs::create_dir_all(&src).expect("mkdir");
        let db = write(&src, "db", b"database one");
        let wal1 = write(&src, "wal1", b"wal one");
        let first = store
            .record(
                "loc",
                &[Source { suffix: "", path: &db }, Source { suffix: "-wal", path: &wal1 }],
                Producer::Pull,
                19,
                false,
                None,
            )
            .expect("first");
        let again = store
            .record(
                "loc",
                &[Source { suffix: "", path: &db }, Source { suffix: "-wal", path: &wal1 }],
                Producer::Pull,
                0,
                false,
                None,
            )
            .expect("again");
        assert_eq!(first.number, again.number, "same bytes: no new version");
        let baseline = DeviceFiles {
            db: FileState { sha256: first.sha256.clone(), size: 12 },
            wal: Some(FileState { sha256: hex::encode(Sha256::digest(b"wal one")), size: 7 }),
            journal: None,
        };
        for i in 0..5 {
            let wal = write(&src, "walx", format!("wal {i}").as_bytes());
            store
                .record(
                    "loc",
                    &[Source { suffix: "", path: &db }, Source { suffix: "-wal", path: &wal }],
                    Producer::Watch,
                    5,
                    false,
                    Some(&baseline),
                )
                .expect("record");
        }
        let list = store.list("loc").expect("list");
        let numbers: Vec<u32> = list.iter().map(|v| v.number).collect();
        assert_eq!(numbers, [1, 4, 5, 6], "the three newest and the pinned baseline");
        assert!(list[0].pinned);
        let blobs = std::fs::read_dir(
            dir.path().join("versions").join(store.dir("loc").file_name().expect("n")).join("blobs"),
        )
        .expect("blobs")
        .count();
        assert_eq!(blobs, 5, "one database blob shared by all, four -wal blobs");
        let opened = store.open("loc", 6).expect("open");
        assert_eq!(std::fs::read(&opened).expect("db"), b"database one");
        assert!(store.open("loc", 2).is_err(), "dropped");
    }
}
