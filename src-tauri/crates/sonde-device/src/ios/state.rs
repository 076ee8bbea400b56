//! What the device holds for one database: its file and the `-wal` and
//! `-journal` beside it. AFC can stat but not hash, so a state is known by
//! `info` (kind, size, mtime: cheap, used to notice changes) and by the
//! SHA-256 of downloaded bytes (what manifests record).

use super::afc::Afc;
use super::parse::{Kind, Stat};
use crate::error::{DeviceError, Result};
use crate::hash::sha256_file_async;
use crate::runner::CancellationToken;
use crate::snapshot::{DeviceFiles, FileState, DB_FILE};
use std::path::Path;

/// The database, then its side files, in this order everywhere.
pub const SIDES: [&str; 3] = ["", "-wal", "-journal"];

/// `info` of each of [`SIDES`] (`None`: absent).
pub type Stats = [Option<Stat>; 3];

pub fn side(rel: &str, suffix: &str) -> String {
    format!("{rel}{suffix}")
}

/// `.<base><suffix>` in the database's directory: where a file is staged
/// or set aside (hidden, and never taken for a database by the listing).
pub fn beside(rel: &str, suffix: &str) -> String {
    match rel.rsplit_once('/') {
        Some((dir, base)) => format!("{dir}/.{base}{suffix}"),
        None => format!(".{rel}{suffix}"),
    }
}

/// The local name of a side file in a snapshot or scratch directory.
pub fn local_name(suffix: &str) -> String {
    format!("{DB_FILE}{suffix}")
}

/// Stats the database and its side files; the database must be a file.
pub async fn stats(afc: &Afc<'_>, rel: &str, cancel: &CancellationToken) -> Result<Stats> {
    let (wal, journal) = (side(rel, "-wal"), side(rel, "-journal"));
    let (db, wal, journal) =
        tokio::try_join!(afc.info(rel, cancel), afc.info(&wal, cancel), afc.info(&journal, cancel))?;
    match db {
        Some(st) if st.kind == Kind::File => {}
        _ => return Err(DeviceError::NoSuchFile { path: rel.to_owned() }),
    }
    let file = |s: Option<Stat>| s.filter(|s| s.kind == Kind::File);
    Ok([db, file(wal), file(journal)])
}

/// Why downloaded bytes cannot be trusted as the device's state.
#[derive(Debug)]
pub enum Mismatch {
    /// A file went away or changed size while it was copied.
    Changed,
    /// Fewer bytes arrived than the device reported, nothing else changed.
    Short { path: String, detail: String },
}

/// Downloads the present files of `stats` into `dir` (as `db.sqlite`,
/// `db.sqlite-wal`...), concurrently, and hashes them; sizes must match
/// what `info` reported.
pub async fn fetch(
    afc: &Afc<'_>,
    rel: &str,
    stats: &Stats,
    dir: &Path,
    cancel: &CancellationToken,
) -> Result<std::result::Result<DeviceFiles, Mismatch>> {
    let copies = SIDES.iter().zip(stats).filter_map(|(suffix, st)| st.map(|st| (*suffix, st))).map(
        |(suffix, st)| async move {
            let local = dir.join(local_name(suffix));
            match afc.get(&side(rel, suffix), &local, st.size, cancel).await {
                Ok(()) => {}
                Err(DeviceError::NoSuchFile { .. }) => return Ok((suffix, None)),
                Err(e) => return Err(e),
            }
            let (sha256, size) = sha256_file_async(&local).await?;
            Ok((suffix, Some((FileState { sha256, size }, st.size))))
        },
    );
    let fetched = futures::future::try_join_all(copies).await?;
    let mut files: [Option<FileState>; 3] = [None, None, None];
    for (suffix, got) in fetched {
        let Some((state, expected)) = got else { return Ok(Err(Mismatch::Changed)) };
        if state.size != expected {
            return Ok(Err(if state.size < expected {
                Mismatch::Short {
                    path: side(rel, suffix),
                    detail: format!("got {} of {expected} bytes", state.size),
                }
            } else {
                Mismatch::Changed
            }));
        }
        let i = SIDES.iter().position(|s| *s == suffix).unwrap_or(0);
        files[i] = Some(state);
    }
    let [db, wal, journal] = files;
    match db {
        Some(db) => Ok(Ok(DeviceFiles { db, wal, journal })),
        None => Ok(Err(Mismatch::Changed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_beside_the_database() {
        assert_eq!(beside("Documents/a b.db", ".sonde-new"), "Documents/.a b.db.sonde-new");
        assert_eq!(beside("top.db", "-wal.sonde-old"), ".top.db-wal.sonde-old");
        assert_eq!(side("Library/x.sqlite", "-wal"), "Library/x.sqlite-wal");
        assert_eq!(local_name("-journal"), "db.sqlite-journal");
    }
}
