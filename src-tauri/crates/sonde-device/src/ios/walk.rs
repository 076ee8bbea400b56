//! Finding databases in an app container over AFC. afcclient has no
//! recursive listing, so the walk lists one directory per call (`ls -l`,
//! or `ls` + `info` per entry when `ls -l` looks unfamiliar), a level at a
//! time with bounded parallelism, bounded in depth and entry count.
//!
//! Extension-less files are recognised by their first 16 bytes. AFC's
//! command line can only fetch whole files, so only plausible candidates
//! are fetched: SQLite files are a whole number of pages (a multiple of
//! 512 bytes, the smallest page size) and small enough to sniff cheaply.

use super::afc::Afc;
use super::parse::{Entry, Kind};
use crate::error::{DeviceError, Result};
use crate::model::classify_name;
use crate::model::has_sqlite_header;
use crate::quote::validate_relative_path;
use crate::runner::CancellationToken;
use crate::sim::host::{self, Found};
use crate::snapshot::tempfile_dir::StagingDir;
use futures::stream::{self, StreamExt, TryStreamExt};

/// Where apps keep data: `Documents/` and `Library/` (with `Application
/// Support/`, where Core Data stores live, and `Caches/`). `tmp/` is
/// purged by iOS and not walked.
pub const ROOTS: [&str; 2] = ["Documents", "Library"];
/// Directory levels below the container root.
pub const MAX_DEPTH: usize = 6;
/// Entries looked at per container.
pub const MAX_ENTRIES: usize = 4000;
/// Extension-less files larger than this are not fetched to sniff them.
pub const MAX_SNIFF: u64 = 16 * 1024 * 1024;
/// afcclient processes at once (each opens its own device connection).
const PARALLEL: usize = 4;

/// Failures that concern one entry, not the device: the walk goes on.
fn entry_level(e: &DeviceError) -> bool {
    matches!(
        e,
        DeviceError::NoSuchFile { .. }
            | DeviceError::PermissionDenied { .. }
            | DeviceError::ToolFailed { .. }
            | DeviceError::TransferIncomplete { .. }
    )
}

/// One directory's entries (kind and size included).
async fn list_dir(afc: &Afc<'_>, dir: &str, cancel: &CancellationToken) -> Result<Vec<Entry>> {
    if let Some(entries) = afc.ls_long(dir, cancel).await? {
        return Ok(entries);
    }
    tracing::debug!(dir, "unfamiliar `ls -l` output; asking `info` per entry");
    let names = afc.ls(dir, cancel).await?;
    stream::iter(names)
        .map(|name| async move {
            match afc.info(&format!("{dir}/{name}"), cancel).await {
                Ok(Some(st)) => Ok(Some(Entry { name, kind: st.kind, size: st.size })),
                Ok(None) => Ok(None),
                Err(e) if entry_level(&e) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .buffer_unordered(PARALLEL)
        .try_filter_map(|e| async move { Ok(e) })
        .try_collect()
        .await
}

/// Regular files under [`ROOTS`] as (relative path, size), sorted.
pub async fn files(afc: &Afc<'_>, cancel: &CancellationToken) -> Result<Vec<(String, u64)>> {
    let mut out = Vec::new();
    let mut seen = 0usize;
    let mut level: Vec<String> = ROOTS.iter().map(|r| (*r).to_owned()).collect();
    for depth in 1..=MAX_DEPTH {
        if level.is_empty() {
            break;
        }
        let listings: Vec<(String, Result<Vec<Entry>>)> = stream::iter(level)
            .map(|dir| async move {
                let listing = list_dir(afc, &dir, cancel).await;
                (dir, listing)
            })
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        let mut next = Vec::new();
        for (dir, listing) in listings {
            let entries = match listing {
                Ok(entries) => entries,
                Err(e) if entry_level(&e) => {
                    tracing::debug!(dir, error = %e, "skipping a directory");
                    continue;
                }
                Err(e) => return Err(e),
            };
            for entry in entries {
                seen += 1;
                if seen > MAX_ENTRIES {
                    tracing::info!(MAX_ENTRIES, "container walk stopped at its bound");
                    out.sort();
                    return Ok(out);
                }
                let child = format!("{dir}/{}", entry.name);
                if validate_relative_path(&child).is_err() {
                    continue;
                }
                match entry.kind {
                    Kind::Dir if depth < MAX_DEPTH => next.push(child),
                    Kind::File => out.push((child, entry.size)),
                    // Symlinks are not followed; devices, sockets... are no databases.
                    _ => {}
                }
            }
        }
        level = next;
    }
    out.sort();
    Ok(out)
}

/// Whether an extension-less file of this size is worth fetching to sniff.
pub fn sniffable(size: u64) -> bool {
    // `& 511`: a multiple of 512 (`is_multiple_of` is newer than the MSRV).
    size > 0 && size & 511 == 0 && size <= MAX_SNIFF
}

/// The databases of the container: by extension, or extension-less with
/// the SQLite header; side files grouped with their database.
pub async fn databases(afc: &Afc<'_>, cancel: &CancellationToken) -> Result<Vec<Found>> {
    let files = files(afc, cancel).await?;
    // Owned items: futures holding borrows with higher-ranked lifetimes
    // would not be `Send` for callers such as Tauri commands.
    let candidates: Vec<(usize, String, u64)> = files
        .iter()
        .filter(|(p, s)| classify_name(p).is_none() && sniffable(*s))
        .enumerate()
        .map(|(i, (p, s))| (i, p.clone(), *s))
        .collect();
    let scratch = StagingDir::new_in(&std::env::temp_dir())?;
    let scratch_dir = scratch.path();
    let confirmed: Vec<String> = stream::iter(candidates)
        .map(|(i, rel, size)| async move {
            let local = scratch_dir.join(format!("sniff-{i}"));
            match afc.get(&rel, &local, size, cancel).await {
                Ok(()) => Ok(has_sqlite_header(&local).then_some(rel)),
                Err(e) if entry_level(&e) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .buffer_unordered(PARALLEL)
        .try_filter_map(|rel| async move { Ok(rel) })
        .try_collect()
        .await?;
    drop(scratch);
    Ok(host::group(&files, |f| confirmed.iter().any(|c| c == f)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_only_page_multiples() {
        assert!(sniffable(512) && sniffable(4096) && sniffable(MAX_SNIFF));
        assert!(!sniffable(0) && !sniffable(100) && !sniffable(4097) && !sniffable(MAX_SNIFF + 512));
    }
}
