//! The virtual device filesystem: device paths mapped inside `DIR/fs`, with
//! Android's permission model.
//!
//! Paths are resolved component by component, like a chroot: `..` stops at
//! the device root, and host symlinks are followed *virtually* (an absolute
//! target is taken relative to `DIR/fs`, a relative one to the link's
//! directory), so nothing outside `DIR/fs` is ever reachable. The resolved
//! host path contains only plain components below the root.
//!
//! Permissions are path based (we do not track file ownership):
//! * `/data/data/<pkg>/**` (and `/data/user{,_de}/<n>/<pkg>/**`) belongs to
//!   `<pkg>`: only `run-as <pkg>` may stat, read or write inside it. Nobody
//!   may list `/data/data` itself.
//! * with `restrict_android_data`, `/sdcard/Android/data/<pkg>/**` likewise
//!   belongs to `<pkg>`; an app may always write its own external dir.
//! * the shell user may write below `/data/local/tmp` and `/sdcard`; an app
//!   only below its own directories. Other writes fail with `Permission
//!   denied`, or `Read-only file system` for `/`, top-level entries and
//!   `/system`, `/vendor`, `/product`, `/apex`.

use std::fs::Metadata;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Who runs a command: the adb shell user, or an app via `run-as`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Shell,
    App(String),
}

/// errno-style failures; `Display` is bionic's `strerror` text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FsError {
    #[error("No such file or directory")]
    NotFound,
    #[error("Permission denied")]
    PermissionDenied,
    #[error("Read-only file system")]
    ReadOnly,
    #[error("Not a directory")]
    NotDir,
    #[error("Is a directory")]
    IsDir,
    #[error("File exists")]
    Exists,
    #[error("Directory not empty")]
    NotEmpty,
    #[error("Too many symbolic links encountered")]
    Loop,
    #[error("Invalid argument")]
    Invalid,
    #[error("I/O error")]
    Io,
}

impl FsError {
    /// Linux errno, for sync STA2/LST2 replies.
    pub fn errno(&self) -> u32 {
        match self {
            FsError::NotFound => 2,
            FsError::PermissionDenied => 13,
            FsError::ReadOnly => 30,
            FsError::NotDir => 20,
            FsError::IsDir => 21,
            FsError::Exists => 17,
            FsError::NotEmpty => 39,
            FsError::Loop => 40,
            FsError::Invalid => 22,
            FsError::Io => 5,
        }
    }

    pub fn from_io(e: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        match e.kind() {
            K::NotFound => FsError::NotFound,
            K::PermissionDenied => FsError::PermissionDenied,
            K::AlreadyExists => FsError::Exists,
            K::NotADirectory => FsError::NotDir,
            K::IsADirectory => FsError::IsDir,
            K::DirectoryNotEmpty => FsError::NotEmpty,
            K::ReadOnlyFilesystem => FsError::ReadOnly,
            K::InvalidInput => FsError::Invalid,
            _ => match e.raw_os_error() {
                Some(20) => FsError::NotDir,
                Some(21) => FsError::IsDir,
                Some(39) => FsError::NotEmpty,
                Some(40) => FsError::Loop,
                _ => FsError::Io,
            },
        }
    }
}

impl From<std::io::Error> for FsError {
    fn from(e: std::io::Error) -> Self {
        FsError::from_io(&e)
    }
}

/// What an operation wants to do with a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// lstat/stat the path (needs traversal of its parents).
    Stat,
    /// Read a file or list a directory.
    Read,
    /// Create, modify or remove the entry.
    Write,
}

/// A resolved device path and where it lives on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VPath {
    comps: Vec<String>,
    host: PathBuf,
}

impl VPath {
    /// Absolute device path, e.g. `/sdcard/a.db`.
    pub fn device(&self) -> String {
        format!("/{}", self.comps.join("/"))
    }

    pub fn host(&self) -> &Path {
        &self.host
    }

    pub fn comps(&self) -> &[String] {
        &self.comps
    }

    pub fn name(&self) -> Option<&str> {
        self.comps.last().map(String::as_str)
    }

    pub fn is_root(&self) -> bool {
        self.comps.is_empty()
    }

    /// Parent directory (the root is its own parent).
    pub fn parent(&self) -> VPath {
        let mut comps = self.comps.clone();
        comps.pop();
        let host = if self.comps.is_empty() {
            self.host.clone()
        } else {
            self.host.parent().map(Path::to_path_buf).unwrap_or_else(|| self.host.clone())
        };
        VPath { comps, host }
    }

    /// A directory entry of this path; `name` must be a plain file name as
    /// returned by `read_dir` (never `.`/`..`/containing `/`).
    pub fn child(&self, name: &str) -> Result<VPath, FsError> {
        if name.is_empty() || name == "." || name == ".." || name.contains('/') {
            return Err(FsError::Invalid);
        }
        let mut comps = self.comps.clone();
        comps.push(name.to_string());
        Ok(VPath { comps, host: self.host.join(name) })
    }
}

/// Maximum symlinks followed while resolving one path (Linux uses 40).
const MAX_SYMLINKS: usize = 40;

/// The device filesystem rooted at `DIR/fs`.
#[derive(Debug, Clone)]
pub struct Vfs {
    root: PathBuf,
    restrict_android_data: bool,
}

impl Vfs {
    pub fn new(root: impl Into<PathBuf>, restrict_android_data: bool) -> Self {
        Self { root: root.into(), restrict_android_data }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn host_of(&self, comps: &[String]) -> PathBuf {
        let mut p = self.root.clone();
        for c in comps {
            p.push(c);
        }
        p
    }

    fn vpath(&self, comps: Vec<String>) -> VPath {
        let host = self.host_of(&comps);
        VPath { comps, host }
    }

    /// Resolves `path` (absolute, or relative to the absolute device `cwd`)
    /// for `who`. Intermediate symlinks are always followed; the last one
    /// only when `follow_last`. Traversal through another app's private
    /// directory fails with `PermissionDenied`.
    pub fn resolve(
        &self,
        who: &Identity,
        cwd: &str,
        path: &str,
        follow_last: bool,
    ) -> Result<VPath, FsError> {
        if path.is_empty() {
            return Err(FsError::NotFound);
        }
        let mut pending: Vec<String> = Vec::new();
        if !path.starts_with('/') {
            pending.extend(split(cwd));
        }
        pending.extend(split(path));
        // Process from the front; keep `pending` reversed for cheap pops.
        pending.reverse();
        let mut comps: Vec<String> = Vec::new();
        let mut hops = 0usize;
        while let Some(comp) = pending.pop() {
            match comp.as_str() {
                "" | "." => continue,
                ".." => {
                    comps.pop();
                    continue;
                }
                _ => {}
            }
            // Looking at this entry requires traversing its parent.
            self.check_traverse(who, &comps)?;
            comps.push(comp);
            let is_last = pending.iter().all(|c| c.is_empty() || c == ".");
            if is_last && !follow_last {
                break;
            }
            let host = self.host_of(&comps);
            let meta = match std::fs::symlink_metadata(&host) {
                Ok(m) => m,
                // Missing entries cannot be symlinks; later components will
                // fail naturally (ENOENT/ENOTDIR) when used.
                Err(_) => continue,
            };
            if !meta.file_type().is_symlink() {
                continue;
            }
            hops += 1;
            if hops > MAX_SYMLINKS {
                return Err(FsError::Loop);
            }
            let target = std::fs::read_link(&host).map_err(|e| FsError::from_io(&e))?;
            let target = target.to_string_lossy().into_owned();
            comps.pop();
            if target.starts_with('/') {
                comps.clear();
            }
            let mut more: Vec<String> = split(&target).collect();
            more.reverse();
            pending.extend(more);
        }
        Ok(self.vpath(comps))
    }

    /// Components of a private app area: `(length of its root, owner)`.
    fn private_owner<'a>(&self, comps: &'a [String]) -> Option<(usize, &'a str)> {
        let c: Vec<&str> = comps.iter().map(String::as_str).collect();
        match c.as_slice() {
            ["data", "data", owner, ..] => Some((3, owner)),
            ["data", "user" | "user_de", _, owner, ..] => Some((4, owner)),
            ["sdcard", "Android", "data", owner, ..] if self.restrict_android_data => Some((4, owner)),
            _ => None,
        }
    }

    fn check_traverse(&self, who: &Identity, dir: &[String]) -> Result<(), FsError> {
        if let Some((root_len, owner)) = self.private_owner(dir) {
            if dir.len() >= root_len && !is_app(who, owner) {
                return Err(FsError::PermissionDenied);
            }
        }
        Ok(())
    }

    /// Checks `who` may enter (search) directory `dir`, e.g. for `cd`.
    pub fn check_enter(&self, who: &Identity, dir: &VPath) -> Result<(), FsError> {
        self.check_traverse(who, dir.comps())
    }

    /// Checks `who` may perform `access` on `path`.
    pub fn check(&self, who: &Identity, path: &VPath, access: Access) -> Result<(), FsError> {
        let comps = path.comps();
        let c: Vec<&str> = comps.iter().map(String::as_str).collect();
        if let Some((root_len, owner)) = self.private_owner(comps) {
            if !is_app(who, owner) {
                let inside = comps.len() > root_len;
                if inside || access != Access::Stat {
                    return Err(FsError::PermissionDenied);
                }
                return Ok(());
            }
        }
        // Nobody lists the directory of all apps' data.
        if matches!(c.as_slice(), ["data", "data"] | ["data", "user" | "user_de", ..])
            && access == Access::Read
        {
            return Err(FsError::PermissionDenied);
        }
        if access != Access::Write {
            return Ok(());
        }
        let allowed = match who {
            Identity::Shell => {
                matches!(c.as_slice(), ["data", "local", "tmp", _, ..] | ["sdcard", _, ..])
            }
            Identity::App(pkg) => match c.as_slice() {
                ["data", "data", owner, _, ..] => owner == pkg,
                ["data", "user" | "user_de", _, owner, _, ..] => owner == pkg,
                ["sdcard", "Android", "data", owner, _, ..] => owner == pkg,
                _ => false,
            },
        };
        if allowed {
            return Ok(());
        }
        match c.as_slice() {
            [] | [_] | ["system" | "vendor" | "product" | "apex", ..] => Err(FsError::ReadOnly),
            _ => Err(FsError::PermissionDenied),
        }
    }

    /// lstat of a resolved path after a `Stat` check.
    pub fn metadata(&self, who: &Identity, path: &VPath) -> Result<Metadata, FsError> {
        self.check(who, path, Access::Stat)?;
        std::fs::symlink_metadata(path.host()).map_err(|e| FsError::from_io(&e))
    }

    /// Reads a whole regular file.
    pub fn read_file(&self, who: &Identity, path: &VPath) -> Result<Vec<u8>, FsError> {
        if path.device() == "/dev/null" {
            return Ok(Vec::new());
        }
        let meta = self.metadata(who, path)?;
        self.check(who, path, Access::Read)?;
        if meta.is_dir() {
            return Err(FsError::IsDir);
        }
        std::fs::read(path.host()).map_err(|e| FsError::from_io(&e))
    }

    /// Opens a regular file for streaming reads.
    pub fn open_read(&self, who: &Identity, path: &VPath) -> Result<std::fs::File, FsError> {
        let meta = self.metadata(who, path)?;
        self.check(who, path, Access::Read)?;
        if meta.is_dir() {
            return Err(FsError::IsDir);
        }
        std::fs::File::open(path.host()).map_err(|e| FsError::from_io(&e))
    }

    /// Sorted directory entries (names and lstat metadata).
    pub fn read_dir(&self, who: &Identity, dir: &VPath) -> Result<Vec<(String, Metadata)>, FsError> {
        let meta = self.metadata(who, dir)?;
        if !meta.is_dir() {
            return Err(FsError::NotDir);
        }
        self.check(who, dir, Access::Read)?;
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir.host()).map_err(|e| FsError::from_io(&e))? {
            let entry = entry.map_err(|e| FsError::from_io(&e))?;
            let Ok(meta) = entry.metadata() else { continue };
            out.push((entry.file_name().to_string_lossy().into_owned(), meta));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Creates/truncates (or appends to) a regular file for writing.
    pub fn open_write(&self, who: &Identity, path: &VPath, append: bool) -> Result<std::fs::File, FsError> {
        self.check(who, &path.parent(), Access::Stat)?;
        match std::fs::symlink_metadata(path.host()) {
            Ok(m) if m.is_dir() => return Err(FsError::IsDir),
            _ => {}
        }
        self.check(who, path, Access::Write)?;
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .append(append)
            .truncate(!append)
            .open(path.host())
            .map_err(|e| FsError::from_io(&e))
    }

    /// Creates one directory.
    pub fn mkdir(&self, who: &Identity, path: &VPath) -> Result<(), FsError> {
        if path.is_root() || std::fs::symlink_metadata(path.host()).is_ok() {
            return Err(FsError::Exists);
        }
        self.check(who, path, Access::Write)?;
        std::fs::create_dir(path.host()).map_err(|e| FsError::from_io(&e))
    }

    /// Creates a directory and its missing parents (`mkdir -p`).
    pub fn mkdir_all(&self, who: &Identity, path: &VPath) -> Result<(), FsError> {
        let mut cur = self.vpath(Vec::new());
        for comp in path.comps() {
            cur = cur.child(comp)?;
            match std::fs::symlink_metadata(cur.host()) {
                Ok(m) if m.is_dir() => {
                    self.check(who, &cur, Access::Stat)?;
                }
                Ok(_) => return Err(FsError::NotDir),
                Err(_) => self.mkdir(who, &cur)?,
            }
        }
        Ok(())
    }

    /// Removes a file, symlink or empty directory.
    pub fn remove(&self, who: &Identity, path: &VPath) -> Result<(), FsError> {
        let meta = self.metadata(who, path)?;
        self.check(who, path, Access::Write)?;
        if meta.is_dir() { std::fs::remove_dir(path.host()) } else { std::fs::remove_file(path.host()) }
            .map_err(|e| FsError::from_io(&e))
    }

    /// Renames an entry (same semantics as rename(2)).
    pub fn rename(&self, who: &Identity, from: &VPath, to: &VPath) -> Result<(), FsError> {
        self.metadata(who, from)?;
        self.check(who, from, Access::Write)?;
        self.check(who, to, Access::Write)?;
        std::fs::rename(from.host(), to.host()).map_err(|e| FsError::from_io(&e))
    }
}

fn is_app(who: &Identity, owner: &str) -> bool {
    matches!(who, Identity::App(p) if p == owner)
}

fn split(path: &str) -> impl Iterator<Item = String> + '_ {
    path.split('/').map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, Vfs) {
        let dir = tempfile::tempdir().expect("tempdir");
        let fs = dir.path().join("fs");
        for d in [
            "sdcard/Download",
            "data/local/tmp",
            "data/data/com.a/databases",
            "data/data/com.b",
            "system/bin",
        ] {
            std::fs::create_dir_all(fs.join(d)).expect("mkdir");
        }
        std::fs::write(fs.join("sdcard/a.txt"), b"a").expect("write");
        std::fs::write(fs.join("data/data/com.a/databases/x.db"), b"db").expect("write");
        std::fs::write(dir.path().join("secret"), b"host secret").expect("write");
        let vfs = Vfs::new(fs, false);
        (dir, vfs)
    }

    fn dev(vfs: &Vfs, cwd: &str, p: &str) -> String {
        vfs.resolve(&Identity::Shell, cwd, p, true).expect("resolve").device()
    }

    #[test]
    fn dotdot_is_clamped_at_root() {
        let (_d, vfs) = setup();
        assert_eq!(dev(&vfs, "/", "../../secret"), "/secret");
        assert_eq!(dev(&vfs, "/sdcard", "../../../.bashrc"), "/.bashrc");
        assert_eq!(dev(&vfs, "/sdcard", "./Download/../a.txt"), "/sdcard/a.txt");
        assert_eq!(dev(&vfs, "/", "//sdcard///a.txt"), "/sdcard/a.txt");
        let p = vfs.resolve(&Identity::Shell, "/", "/../secret", true).expect("resolve");
        assert!(p.host().starts_with(vfs.root()));
        assert!(vfs.read_file(&Identity::Shell, &p).is_err());
    }

    #[test]
    fn symlinks_stay_inside() {
        let (d, vfs) = setup();
        let fs = d.path().join("fs");
        std::os::unix::fs::symlink("/", fs.join("sdcard/abs")).expect("symlink");
        std::os::unix::fs::symlink("../../../..", fs.join("sdcard/rel")).expect("symlink");
        std::os::unix::fs::symlink("loop", fs.join("sdcard/loop")).expect("symlink");
        assert_eq!(dev(&vfs, "/", "/sdcard/abs/secret"), "/secret");
        assert_eq!(dev(&vfs, "/", "/sdcard/rel/secret"), "/secret");
        assert_eq!(dev(&vfs, "/", "/sdcard/abs/sdcard/a.txt"), "/sdcard/a.txt");
        assert_eq!(vfs.resolve(&Identity::Shell, "/", "/sdcard/loop", true), Err(FsError::Loop));
        // Not following the last component keeps the link itself.
        assert_eq!(
            vfs.resolve(&Identity::Shell, "/", "/sdcard/abs", false).expect("resolve").device(),
            "/sdcard/abs"
        );
    }

    #[test]
    fn symlink_into_private_dir_is_checked() {
        let (d, vfs) = setup();
        let fs = d.path().join("fs");
        std::os::unix::fs::symlink("/data/data/com.a/databases", fs.join("sdcard/sneaky")).expect("symlink");
        assert_eq!(
            vfs.resolve(&Identity::Shell, "/", "/sdcard/sneaky/x.db", true),
            Err(FsError::PermissionDenied)
        );
        // The owner may use the same link.
        let own = Identity::App("com.a".into());
        let p = vfs.resolve(&own, "/", "/sdcard/sneaky/x.db", true).expect("resolve");
        assert_eq!(vfs.read_file(&own, &p).expect("read"), b"db");
    }

    #[test]
    fn permissions() {
        let (_d, vfs) = setup();
        let shell = Identity::Shell;
        let a = Identity::App("com.a".into());
        let b = Identity::App("com.b".into());
        let db = |who: &Identity| vfs.resolve(who, "/", "/data/data/com.a/databases/x.db", true);
        assert_eq!(db(&shell), Err(FsError::PermissionDenied));
        assert_eq!(db(&b), Err(FsError::PermissionDenied));
        let p = db(&a).expect("own data");
        assert_eq!(vfs.read_file(&a, &p).expect("read"), b"db");
        let list = vfs.resolve(&shell, "/", "/data/data", true).expect("resolve");
        assert_eq!(vfs.read_dir(&shell, &list).err(), Some(FsError::PermissionDenied));
        assert_eq!(vfs.read_dir(&a, &list).err(), Some(FsError::PermissionDenied));
        let tmp = vfs.resolve(&shell, "/", "/data/local/tmp/f", true).expect("resolve");
        assert!(vfs.check(&shell, &tmp, Access::Write).is_ok());
        assert_eq!(vfs.check(&a, &tmp, Access::Write), Err(FsError::PermissionDenied));
        assert!(vfs.check(&a, &tmp, Access::Read).is_ok());
        let sys = vfs.resolve(&shell, "/", "/system/x", true).expect("resolve");
        assert_eq!(vfs.check(&shell, &sys, Access::Write), Err(FsError::ReadOnly));
        let sd = vfs.resolve(&shell, "/", "/sdcard", true).expect("resolve");
        assert_eq!(vfs.check(&shell, &sd, Access::Write), Err(FsError::ReadOnly));
    }

    #[test]
    fn restricted_android_data() {
        let (d, _) = setup();
        let vfs = Vfs::new(d.path().join("fs"), true);
        let shell = Identity::Shell;
        let app = Identity::App("com.a".into());
        assert_eq!(
            vfs.resolve(&shell, "/", "/sdcard/Android/data/com.a/files/e.db", true),
            Err(FsError::PermissionDenied)
        );
        let own = vfs.resolve(&app, "/", "/sdcard/Android/data/com.a/files/e.db", true).expect("own");
        assert!(vfs.check(&app, &own, Access::Write).is_ok());
    }

    #[test]
    fn child_rejects_traversal() {
        let (_d, vfs) = setup();
        let p = vfs.resolve(&Identity::Shell, "/", "/sdcard", true).expect("resolve");
        assert!(p.child("..").is_err());
        assert!(p.child("a/b").is_err());
        assert_eq!(p.child("x").expect("child").device(), "/sdcard/x");
    }

    proptest::proptest! {
        #[test]
        fn resolution_stays_inside(path in "[a-z./]{0,40}", cwd in "/[a-z/.]{0,12}") {
            let dir = tempfile::tempdir().expect("tempdir");
            let vfs = Vfs::new(dir.path().join("fs"), false);
            if let Ok(p) = vfs.resolve(&Identity::Shell, &cwd, &path, true) {
                proptest::prop_assert!(p.host().starts_with(vfs.root()));
                proptest::prop_assert!(!p.comps().iter().any(|c| c == ".." || c == "." || c.is_empty()));
            }
        }
    }
}
