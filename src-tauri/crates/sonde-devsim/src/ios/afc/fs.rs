//! Where an AFC path lands on the host, and only ever inside the root.
//!
//! Paths are made of bytes (non-UTF-8 names allowed); `.` and empty parts
//! are skipped; `..` goes up, and going above the root is `PERM_DENIED`.
//! Symlinks inside the root are followed while walking the path (and at
//! the end when the operation follows them): a relative target is walked
//! from the link's directory and must stay inside the root, an absolute
//! target is `PERM_DENIED` (it would be the host's file system). For a
//! `VendDocuments` root, `/` shows only `Documents` and nothing may leave
//! `/Documents`.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use super::proto::status;

#[derive(Debug, Clone)]
pub struct AfcRoot {
    base: PathBuf,
    documents_only: bool,
}

/// A resolved path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A host path inside the root (it may not exist yet).
    Host(PathBuf),
    /// The virtual `/` of a VendDocuments root (a directory holding `Documents`).
    VirtualRoot,
}

const MAX_HOPS: usize = 32;

impl AfcRoot {
    pub fn whole(base: PathBuf) -> AfcRoot {
        AfcRoot { base, documents_only: false }
    }

    /// A container seen through `VendDocuments`.
    pub fn documents(container: PathBuf) -> AfcRoot {
        AfcRoot { base: container, documents_only: true }
    }

    pub fn base(&self) -> &Path {
        &self.base
    }

    pub fn documents_only(&self) -> bool {
        self.documents_only
    }

    /// Resolves `path`; `follow_last` follows a symlink in the last part.
    /// A missing directory on the way is `OBJECT_NOT_FOUND`.
    pub fn resolve(&self, path: &[u8], follow_last: bool) -> Result<Target, u64> {
        self.walk(path, follow_last, false)
    }

    /// As [`AfcRoot::resolve`], but missing directories on the way are
    /// fine (what `MAKE_DIR` creates).
    pub fn resolve_missing(&self, path: &[u8]) -> Result<Target, u64> {
        self.walk(path, true, true)
    }

    fn walk(&self, path: &[u8], follow_last: bool, missing_ok: bool) -> Result<Target, u64> {
        // The parts still to walk, last part at the end (popped first from the front).
        let mut todo: std::collections::VecDeque<OsString> =
            path.split(|b| *b == b'/').map(|p| OsStr::from_bytes(p).to_os_string()).collect();
        let mut done: Vec<OsString> = Vec::new();
        let mut hops = 0;
        while let Some(part) = todo.pop_front() {
            if part.is_empty() || part == "." {
                continue;
            }
            if part == ".." {
                if done.pop().is_none() {
                    return Err(status::PERM_DENIED);
                }
                // A link may not lead out of /Documents.
                if self.documents_only && done.is_empty() && hops > 0 {
                    return Err(status::PERM_DENIED);
                }
                continue;
            }
            if self.documents_only && done.is_empty() && part != "Documents" {
                return Err(status::OBJECT_NOT_FOUND);
            }
            let here = self.join(&done).join(&part);
            let is_last = todo.iter().all(|p| p.is_empty() || p == ".");
            match std::fs::symlink_metadata(&here) {
                Ok(meta) if meta.file_type().is_symlink() && (!is_last || follow_last) => {
                    hops += 1;
                    if hops > MAX_HOPS {
                        return Err(status::PERM_DENIED);
                    }
                    let target = std::fs::read_link(&here).map_err(|_| status::PERM_DENIED)?;
                    let bytes = target.as_os_str().as_bytes();
                    if bytes.first() == Some(&b'/') {
                        return Err(status::PERM_DENIED);
                    }
                    for p in bytes.split(|b| *b == b'/').rev() {
                        todo.push_front(OsStr::from_bytes(p).to_os_string());
                    }
                }
                Ok(_) => done.push(part),
                Err(_) if is_last || missing_ok => done.push(part),
                Err(_) => return Err(status::OBJECT_NOT_FOUND),
            }
        }
        if self.documents_only && done.is_empty() {
            return Ok(Target::VirtualRoot);
        }
        Ok(Target::Host(self.join(&done)))
    }

    fn join(&self, parts: &[OsString]) -> PathBuf {
        let mut p = self.base.clone();
        for part in parts {
            p.push(part);
        }
        p
    }

    /// Whether `target` is the root itself (never removed or renamed).
    pub fn is_root(&self, target: &Target) -> bool {
        match target {
            Target::VirtualRoot => true,
            Target::Host(p) => p == &self.base || (self.documents_only && p == &self.base.join("Documents")),
        }
    }
}

/// The AFC status for a host error.
pub fn status_of(e: &io::Error) -> u64 {
    match e.kind() {
        io::ErrorKind::NotFound => return status::OBJECT_NOT_FOUND,
        io::ErrorKind::PermissionDenied => return status::PERM_DENIED,
        io::ErrorKind::AlreadyExists => return status::OBJECT_EXISTS,
        _ => {}
    }
    match e.raw_os_error() {
        Some(20) => status::OBJECT_NOT_FOUND,       // ENOTDIR
        Some(21) => status::OBJECT_IS_DIR,          // EISDIR
        Some(39) => status::DIR_NOT_EMPTY,          // ENOTEMPTY
        Some(36) | Some(22) => status::INVALID_ARG, // ENAMETOOLONG, EINVAL
        Some(28) => status::NO_SPACE_LEFT,
        Some(16) => status::OBJECT_BUSY,
        Some(40) => status::PERM_DENIED, // ELOOP
        Some(18) => status::PERM_DENIED, // EXDEV
        _ => status::IO_ERROR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_leaves_the_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path().join("c");
        std::fs::create_dir_all(base.join("Documents/sub")).expect("mkdir");
        std::fs::create_dir_all(base.join("Library")).expect("mkdir");
        std::os::unix::fs::symlink("/etc", base.join("Documents/abs")).expect("symlink");
        std::os::unix::fs::symlink("../../..", base.join("Documents/up")).expect("symlink");
        std::os::unix::fs::symlink("sub", base.join("Documents/rel")).expect("symlink");
        std::os::unix::fs::symlink("../Library", base.join("Documents/lib")).expect("symlink");
        let root = AfcRoot::whole(base.clone());
        assert_eq!(
            root.resolve(b"/Documents/sub/../sub", true),
            Ok(Target::Host(base.join("Documents/sub")))
        );
        assert_eq!(root.resolve(b"/..", true), Err(status::PERM_DENIED));
        assert_eq!(root.resolve(b"/Documents/../../x", true), Err(status::PERM_DENIED));
        assert_eq!(root.resolve(b"/Documents/abs/passwd", true), Err(status::PERM_DENIED));
        assert_eq!(root.resolve(b"/Documents/abs", true), Err(status::PERM_DENIED));
        assert_eq!(root.resolve(b"/Documents/abs", false), Ok(Target::Host(base.join("Documents/abs"))));
        assert_eq!(root.resolve(b"/Documents/up/x", true), Err(status::PERM_DENIED));
        assert_eq!(
            root.resolve(b"Documents/rel/new.db", true),
            Ok(Target::Host(base.join("Documents/sub/new.db")))
        );
        assert_eq!(root.resolve(b"/Documents/lib", true), Ok(Target::Host(base.join("Library"))));
        assert_eq!(root.resolve(b"/nope/deeper", true), Err(status::OBJECT_NOT_FOUND));
        assert_eq!(root.resolve_missing(b"/nope/deeper"), Ok(Target::Host(base.join("nope/deeper"))));
        assert_eq!(root.resolve_missing(b"/nope/../../x"), Err(status::PERM_DENIED));
        assert_eq!(root.resolve_missing(b"/Documents/abs/new"), Err(status::PERM_DENIED));
        assert_eq!(root.resolve(b"", true), Ok(Target::Host(base.clone())));

        let docs = AfcRoot::documents(base.clone());
        assert_eq!(docs.resolve(b"/", true), Ok(Target::VirtualRoot));
        assert_eq!(docs.resolve(b"/Library", true), Err(status::OBJECT_NOT_FOUND));
        assert_eq!(docs.resolve(b"/Documents/lib", true), Err(status::PERM_DENIED));
        assert_eq!(docs.resolve(b"/Documents/..", true), Ok(Target::VirtualRoot));
        assert_eq!(docs.resolve(b"/Documents/../..", true), Err(status::PERM_DENIED));
        assert_eq!(docs.resolve(b"/Documents/sub", true), Ok(Target::Host(base.join("Documents/sub"))));
    }

    proptest::proptest! {
        #[test]
        fn random_paths_stay_inside(parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(b"..".to_vec()),
                proptest::strategy::Just(b".".to_vec()),
                proptest::strategy::Just(b"Documents".to_vec()),
                proptest::strategy::Just(b"up".to_vec()),
                proptest::strategy::Just(b"abs".to_vec()),
                proptest::collection::vec(proptest::num::u8::ANY, 0..6),
            ],
            0..8,
        ), docs in proptest::bool::ANY) {
            let dir = tempfile::tempdir().expect("tempdir");
            let base = dir.path().join("c");
            std::fs::create_dir_all(base.join("Documents")).expect("mkdir");
            std::os::unix::fs::symlink("../..", base.join("Documents/up")).expect("symlink");
            std::os::unix::fs::symlink("/", base.join("abs")).expect("symlink");
            let path = parts.join(&b'/');
            let root = if docs { AfcRoot::documents(base.clone()) } else { AfcRoot::whole(base.clone()) };
            for follow in [true, false] {
                if let Ok(Target::Host(p)) = root.resolve(&path, follow) {
                    proptest::prop_assert!(p.starts_with(&base), "{:?} -> {:?}", path, p);
                    // Nothing on the way is a symlink (only maybe the last part, unfollowed).
                    let mut walk = p.clone();
                    if !follow && p != base {
                        walk.pop();
                    }
                    let real = std::fs::canonicalize(&walk).unwrap_or(walk.clone());
                    let real_base = std::fs::canonicalize(&base).expect("base");
                    if walk.exists() {
                        proptest::prop_assert!(real.starts_with(&real_base), "{:?} -> {:?}", path, real);
                    }
                }
            }
        }
    }
}
