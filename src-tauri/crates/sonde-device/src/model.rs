//! What the device layer reports: devices, apps, database files.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Platform {
    Android,
    Ios,
    Sim,
}

impl Platform {
    pub fn scheme(self) -> &'static str {
        match self {
            Platform::Android => "android",
            Platform::Ios => "ios",
            Platform::Sim => "sim",
        }
    }
}

/// How the device is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum DeviceKind {
    Physical,
    Emulator,
    /// Reached over TCP (`adb connect`), e.g. Sonde's simulated device.
    Network,
    Simulator,
}

/// Serialized with adb's words: `device` (usable), `offline`, `unauthorized`,
/// plus `shutdown` for a simulator that is not booted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum DeviceState {
    /// Usable (`device` in adb, `Booted` for a simulator).
    #[serde(rename = "device")]
    Ready,
    Offline,
    Unauthorized,
    /// A simulator that is not booted (its files are still readable).
    Shutdown,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Device {
    pub platform: Platform,
    /// adb serial, iOS UDID or simulator UDID.
    pub id: String,
    /// What a person calls it (model, device name).
    pub name: String,
    pub model: Option<String>,
    pub os_version: Option<String>,
    pub kind: DeviceKind,
    pub state: DeviceState,
    /// The tool's own word for the state (`device`, `unauthorized`, `Booted`...).
    pub raw_state: String,
}

impl Device {
    /// `android://<serial>` etc.
    pub fn uri(&self) -> String {
        format!("{}://{}", self.platform.scheme(), self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct App {
    /// Package name or bundle identifier.
    pub id: String,
    pub name: Option<String>,
    pub version: Option<String>,
    pub system: bool,
    /// Android: whether `run-as` works. `None` when not checked.
    pub debuggable: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DbFile {
    /// Full location: `android://serial/package/databases/x.db`.
    pub uri: String,
    /// Path inside the app's directory (as in the URI).
    pub path: String,
    pub size: Option<u64>,
    /// A `-wal` sits next to it (recent commits may live only there).
    pub wal: bool,
    /// A `-journal` sits next to it (an interrupted transaction).
    pub journal: bool,
}

/// Options of a push.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PushOptions {
    /// Stop the app first (`am force-stop`), so it cannot write during the swap.
    pub stop_app: bool,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions { stop_app: true }
    }
}

/// What a successful push did.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PushReport {
    pub uri: String,
    pub bytes: u64,
    pub sha256: String,
    /// Local copy of the device's previous version.
    pub backup: std::path::PathBuf,
    pub stopped_app: bool,
}

/// The stages of a push, in order, as they happen (the core adds the local
/// ones: `checkpoint`, `local_check`, `done`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum PushProgress {
    /// Folding the snapshot's `-wal` into its file.
    Checkpoint,
    /// `quick_check` of the snapshot.
    LocalCheck,
    /// The device still holds the version that was pulled?
    ConflictCheck,
    /// `am force-stop` of the app (Android, when asked).
    StopApp,
    /// The new file goes beside the database: sent at the start (`sent` 0)
    /// and at the end (`sent` = `total`).
    Upload {
        sent: u64,
        total: u64,
    },
    /// The staged copy's hash is checked on the device.
    VerifyStaged,
    /// The staged file is renamed over the database.
    Swap,
    /// What the device holds now is checked.
    Verify,
    Done,
}

/// Where a push reports its stages.
pub type Progress<'a> = &'a (dyn Fn(PushProgress) + Send + Sync);

/// How to pull.
#[derive(Debug, Clone, Default)]
pub struct PullOptions {
    /// The previous version's database file, not copied again when unchanged.
    pub reuse: Option<Reuse>,
    /// The new version becomes the base of pending edits: the snapshot is
    /// installed dirty, marked for them to be re-applied.
    pub rebase: bool,
}

/// A database file already here, to reuse when the device still holds it.
#[derive(Debug, Clone)]
pub struct Reuse {
    pub db: crate::snapshot::FileState,
    /// The local copy of those bytes.
    pub path: std::path::PathBuf,
}

/// What a pull brought.
#[derive(Debug, Clone)]
pub struct Pulled {
    pub snapshot: crate::snapshot::Snapshot,
    /// Bytes copied from the device (a `-wal`-only re-pull moves only the `-wal`).
    pub moved_bytes: u64,
}

/// A cheap look at a device database's files, compared by a watch from
/// one interval to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Sizes and times of the files: any commit changes it.
    pub stamp: String,
    /// Which file the database is (its inode), when the device says: a
    /// new one means the app recreated its database.
    pub file_id: Option<u64>,
}

/// A SQLite database starts with these 16 bytes.
pub const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Side files that belong to a database and are never listed on their own.
pub const SIDE_SUFFIXES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// File extensions that mark a database without reading it.
pub const DB_EXTENSIONS: [&str; 4] = ["db", "sqlite", "sqlite3", "db3"];

/// Device-provided text for display: printable, at most 128 chars.
pub fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(128).collect()
}

/// Whether the file at `path` starts with the SQLite header.
pub fn has_sqlite_header(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut buf = [0u8; 16];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut buf)).is_ok() && &buf == SQLITE_HEADER
}

/// Classifies a file name: `Some(true)` a database by name, `Some(false)`
/// not one, `None` extension-less (read the header to know).
pub fn classify_name(name: &str) -> Option<bool> {
    let base = name.rsplit('/').next().unwrap_or(name);
    if SIDE_SUFFIXES.iter().any(|s| base.ends_with(s)) {
        return Some(false);
    }
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => {
            Some(DB_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)))
        }
        _ => None,
    }
}

/// Groups a directory listing into databases: names that are databases by
/// extension, plus the extension-less ones `has_header` confirms, each with
/// its side files noted.
pub fn group_databases(files: &[String], has_header: impl Fn(&str) -> bool) -> Vec<(String, bool, bool)> {
    let set: std::collections::HashSet<&str> = files.iter().map(String::as_str).collect();
    let mut out: Vec<(String, bool, bool)> = files
        .iter()
        .filter(|f| match classify_name(f) {
            Some(is_db) => is_db,
            None => has_header(f),
        })
        .map(|f| {
            let wal = set.contains(format!("{f}-wal").as_str());
            let journal = set.contains(format!("{f}-journal").as_str());
            (f.clone(), wal, journal)
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(classify_name("databases/notes.db"), Some(true));
        assert_eq!(classify_name("a/b.SQLITE3"), Some(true));
        assert_eq!(classify_name("notes.db-wal"), Some(false));
        assert_eq!(classify_name("x.db-journal"), Some(false));
        assert_eq!(classify_name("files/readme.txt"), Some(false));
        assert_eq!(classify_name("files/cache_store"), None);
        assert_eq!(classify_name(".hidden"), None);
    }

    #[test]
    fn grouping() {
        let files: Vec<String> = ["d/a.db", "d/a.db-wal", "d/a.db-shm", "f/store", "f/readme.txt", "f/other"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let dbs = group_databases(&files, |f| f == "f/store");
        assert_eq!(dbs, vec![("d/a.db".to_string(), true, false), ("f/store".to_string(), false, false)]);
    }
}
