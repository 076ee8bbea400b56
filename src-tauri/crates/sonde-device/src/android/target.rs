//! Where a database lives on the device, and the names Sonde gives the
//! files it puts next to it (staged copies, claims, temp uploads).

use crate::error::Result;
use crate::quote::{sh_join, sh_quote, validate_package};
use crate::snapshot::{DeviceFiles, FileState};
use crate::uri::DeviceUri;
use sha2::{Digest, Sha256};

/// Where a database lives on the device.
#[derive(Debug, Clone)]
pub(super) struct Target {
    /// `Some(package)` for the app's private dir (commands via run-as).
    pub(super) run_as: Option<String>,
    /// Path as the device shell sees it (relative to the data dir under run-as).
    pub(super) path: String,
}

impl Target {
    pub(super) fn of(uri: &DeviceUri) -> Result<Target> {
        validate_package(&uri.app)?;
        Ok(match uri.path.strip_prefix("external/") {
            Some(rest) => Target { run_as: None, path: format!("/sdcard/Android/data/{}/{rest}", uri.app) },
            None => Target { run_as: Some(uri.app.clone()), path: uri.path.clone() },
        })
    }

    pub(super) fn side(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.path)
    }

    /// A hidden name next to the database: `dir/.base<suffix>`.
    pub(super) fn beside(&self, suffix: &str) -> String {
        match self.path.rsplit_once('/') {
            Some((dir, base)) => format!("{dir}/.{base}{suffix}"),
            None => format!(".{}{suffix}", self.path),
        }
    }

    /// This push's staged copy next to the database (unique per push, so
    /// concurrent pushes never verify or swap each other's bytes).
    pub(super) fn staged(&self, nonce: &str) -> String {
        self.beside(&format!("{STAGED_INFIX}{nonce}"))
    }

    pub(super) fn wal_aside(&self) -> String {
        self.beside("-wal.sonde-old")
    }

    /// The claim of one pulled version: created (atomically, `mkdir`) by the
    /// swap script, so of all pushes made from the same version exactly one
    /// can replace it.
    pub(super) fn claim(&self, version: &str) -> String {
        self.beside(&format!("{CLAIM_INFIX}{version}"))
    }

    /// 16 hex digits naming this database (package + path) in shared places
    /// like `/data/local/tmp`.
    pub(super) fn tag(&self) -> String {
        let digest = Sha256::digest(format!("{}\0{}", self.run_as.as_deref().unwrap_or(""), self.path));
        hex::encode(&digest[..8])
    }

    /// A device command line, through run-as when needed.
    pub(super) fn command(&self, words: &[&str]) -> String {
        match &self.run_as {
            Some(pkg) => format!("run-as {} {}", sh_quote(pkg), sh_join(words)),
            None => sh_join(words),
        }
    }
}

pub(super) const SIDES: [&str; 3] = ["", "-wal", "-journal"];
/// `.<db>.sonde-new-<nonce>`: staged copies.
pub(super) const STAGED_INFIX: &str = ".sonde-new-";
/// `.<db>.sonde-pushed-<version>`: claims of pulled versions (empty dirs).
pub(super) const CLAIM_INFIX: &str = ".sonde-pushed-";

/// 16 hex digits identifying a device version (db, `-wal`, `-journal`).
pub(super) fn version_tag(files: &DeviceFiles) -> String {
    let part =
        |f: &Option<FileState>| f.as_ref().map_or_else(String::new, |f| format!("{}:{}", f.sha256, f.size));
    let text = format!("{}:{}|{}|{}", files.db.sha256, files.db.size, part(&files.wal), part(&files.journal));
    hex::encode(&Sha256::digest(text)[..8])
}

/// Unquoted globs matching every `prefix` + 16-hex-digit name except
/// `prefix` + `tag` (one glob per position where a name may differ), with
/// `prefix` quoted.
pub(super) fn other_than(prefix: &str, tag: &str) -> Vec<String> {
    tag.chars().enumerate().map(|(k, c)| format!("{}{}[!{c}]*", sh_quote(prefix), "?".repeat(k))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(db: &str, wal: Option<&str>) -> DeviceFiles {
        let state = |h: &str| FileState { sha256: h.to_owned(), size: 4096 };
        DeviceFiles { db: state(db), wal: wal.map(state), journal: None }
    }

    #[test]
    fn versions_are_named_by_every_file() {
        let a = version_tag(&files("aa", None));
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(a, version_tag(&files("aa", None)));
        assert_ne!(a, version_tag(&files("aa", Some("bb"))));
        assert_ne!(a, version_tag(&files("ab", None)));
    }

    #[test]
    fn other_claims_spare_our_own() {
        let globs = other_than("d/.x.db.sonde-pushed-", "0a");
        assert_eq!(globs, ["'d/.x.db.sonde-pushed-'[!0]*", "'d/.x.db.sonde-pushed-'?[!a]*"]);
    }

    #[test]
    fn staged_copies_and_claims_sit_next_to_the_database() {
        let t = Target { run_as: Some("com.x".into()), path: "databases/a b.db".into() };
        assert_eq!(t.staged("01"), "databases/.a b.db.sonde-new-01");
        assert_eq!(t.claim("ff"), "databases/.a b.db.sonde-pushed-ff");
        assert_eq!(t.wal_aside(), "databases/.a b.db-wal.sonde-old");
        let other = Target { run_as: Some("com.y".into()), path: "databases/a b.db".into() };
        assert_ne!(t.tag(), other.tag(), "temp names differ per app");
    }
}
