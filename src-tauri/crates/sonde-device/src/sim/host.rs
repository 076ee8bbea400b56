//! Simulator containers are plain directories on the Mac: this module walks
//! them (bounded, never following symlinks), recognises databases and
//! resolves a container-relative path to a host path that provably stays
//! inside the container.
//!
//! Only reads happen here, and only of the first 16 bytes of extension-less
//! files: a `-wal`/`-shm`/`-journal` is never opened (opening or deleting a
//! live `-wal` would lose the app's recent commits).

use crate::error::{DeviceError, Result};
use crate::model::has_sqlite_header;
use crate::model::{classify_name, group_databases};
use crate::quote::validate_relative_path;
use std::path::{Path, PathBuf};

/// How deep below a container root the walk goes (Core Data stores live at
/// `Library/Application Support/<name>.sqlite`, depth 3).
pub const MAX_DEPTH: usize = 8;
/// At most this many entries are looked at per container (a cache dir
/// with a million files must not stall the listing).
pub const MAX_ENTRIES: usize = 20_000;

/// A database found in a container: relative path, size, `-wal`, `-journal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: String,
    pub size: Option<u64>,
    pub wal: bool,
    pub journal: bool,
}

/// Regular files under `root` as (`/`-joined relative path, size).
/// Symlinks are skipped (a link could lead out of the container), as are
/// names that are not UTF-8 or that a URI could not carry.
pub fn files(root: &Path, max_depth: usize, max_entries: usize) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut seen = 0usize;
    let mut stack: Vec<(PathBuf, String, usize)> = vec![(root.to_path_buf(), String::new(), 0)];
    while let Some((dir, rel, depth)) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                tracing::debug!(dir = %dir.display(), error = %e, "skipping an unreadable directory");
                continue;
            }
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > max_entries {
                tracing::info!(root = %root.display(), max_entries, "container walk stopped at its bound");
                return out;
            }
            let Ok(name) = entry.file_name().into_string() else { continue };
            let child = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            if validate_relative_path(&child).is_err() {
                continue;
            }
            let Ok(meta) = std::fs::symlink_metadata(entry.path()) else { continue };
            if meta.is_dir() && depth + 1 < max_depth {
                stack.push((entry.path(), child, depth + 1));
            } else if meta.is_file() {
                out.push((child, meta.len()));
            }
        }
    }
    out.sort();
    out
}

/// The databases of one container: files that are databases by extension,
/// plus extension-less ones with the SQLite header, side files grouped.
pub fn databases(root: &Path) -> Vec<Found> {
    let files = files(root, MAX_DEPTH, MAX_ENTRIES);
    group(&files, |rel| classify_name(rel).is_none() && has_sqlite_header(&root.join(rel)))
}

/// [`group_databases`] over (path, size) pairs, sizes kept (shared with
/// the iOS-device walk, which finds its files over AFC).
pub(crate) fn group(files: &[(String, u64)], sniffed_db: impl Fn(&str) -> bool) -> Vec<Found> {
    let names: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
    let size_of = |p: &str| files.iter().find(|(f, _)| f == p).map(|(_, s)| *s);
    group_databases(&names, sniffed_db)
        .into_iter()
        .map(|(path, wal, journal)| Found { size: size_of(&path), path, wal, journal })
        .collect()
}

/// `root/rel`, canonicalized, refusing anything that resolves outside the
/// canonical `root` (`..` is refused by validation, a symlink pointing out
/// by the containment check) or that is not a regular file.
pub fn contained(root: &Path, rel: &str) -> Result<PathBuf> {
    validate_relative_path(rel)?;
    let root = std::fs::canonicalize(root).map_err(|e| DeviceError::io(root, e))?;
    let real = match std::fs::canonicalize(root.join(rel)) {
        Ok(p) => p,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(DeviceError::NoSuchFile { path: rel.to_owned() })
        }
        Err(e) => return Err(DeviceError::io(root.join(rel), e)),
    };
    if !real.starts_with(&root) {
        return Err(DeviceError::InvalidName {
            what: "path",
            name: rel.to_owned(),
            reason: "resolves outside the app's container (through a symlink); refusing to open it",
        });
    }
    if !real.is_file() {
        return Err(DeviceError::NoSuchFile { path: rel.to_owned() });
    }
    Ok(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, bytes: &[u8]) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
    }

    #[test]
    fn finds_databases_and_respects_bounds() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path();
        let mut db = crate::model::SQLITE_HEADER.to_vec();
        db.resize(4096, 7);
        write(root, "Documents/notes.db", &db);
        write(root, "Documents/notes.db-wal", b"wal");
        write(root, "Library/Application Support/Model.sqlite", &db);
        write(root, "Library/store", &db);
        write(root, "Library/blob", b"not a database at all");
        write(root, "Documents/readme.txt", b"hi");
        write(root, "a/b/c/d/e/f/g/h/i/deep.db", &db);
        let found = databases(root);
        let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            ["Documents/notes.db", "Library/Application Support/Model.sqlite", "Library/store"]
        );
        assert!(found[0].wal && !found[0].journal);
        assert_eq!(found[0].size, Some(4096));
        assert_eq!(files(root, MAX_DEPTH, 3).len(), 0, "the bound stops the walk early");
    }

    #[cfg(unix)]
    #[test]
    fn containment_refuses_symlink_escapes() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("container");
        write(&root, "Documents/ok.db", b"x");
        write(tmp.path(), "outside/secret.db", b"s");
        std::os::unix::fs::symlink(tmp.path().join("outside"), root.join("Documents/link")).expect("symlink");
        std::os::unix::fs::symlink(tmp.path().join("outside/secret.db"), root.join("Documents/l.db"))
            .expect("symlink");
        assert!(contained(&root, "Documents/ok.db").expect("ok").ends_with("Documents/ok.db"));
        for bad in ["Documents/link/secret.db", "Documents/l.db"] {
            let e = contained(&root, bad).expect_err(bad);
            assert!(matches!(e, DeviceError::InvalidName { .. }), "{bad}: {e}");
        }
        assert!(matches!(contained(&root, "../outside/secret.db"), Err(DeviceError::InvalidName { .. })));
        assert!(matches!(contained(&root, "Documents/none.db"), Err(DeviceError::NoSuchFile { .. })));
        assert!(matches!(contained(&root, "Documents"), Err(DeviceError::NoSuchFile { .. })));
        let listed: Vec<String> = files(&root, MAX_DEPTH, MAX_ENTRIES).into_iter().map(|(p, _)| p).collect();
        assert_eq!(listed, ["Documents/ok.db"], "symlinks are never followed");
    }
}
