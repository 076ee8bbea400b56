//! Pushing an edited snapshot back over AFC, so that any failure leaves the
//! device's database as it was:
//!
//! 1. refuse unless the device still holds exactly what was pulled (sizes
//!    first, then the SHA-256 of freshly downloaded bytes: AFC cannot hash);
//! 2. upload to `.<name>.sonde-new` beside the database and verify it (size
//!    by `info`, bytes by downloading and hashing them again: afcclient's
//!    `put` can report success without having written);
//! 3. last look: nothing changed since step 1 (kind, size, mtime);
//! 4. set `-wal` and `-journal` aside (`.<name>-wal.sonde-old`: a stale log
//!    replayed into the new file would corrupt it), rename the staged file
//!    over the database (from here on, cancellation is not honoured: the
//!    swap and its repair always finish, each step within its timeout);
//! 5. whatever the renames said, look at what the device holds: the new
//!    bytes → drop the set-aside files and the `-shm`; otherwise put the
//!    side files back and check the old state is whole again.
//!
//! iOS offers no way to stop an app over USB: close it before pushing.

use super::afc::Afc;
use super::state::{self, beside, side, Mismatch, Stats};
use crate::error::{DeviceError, Result};
use crate::hash::sha256_file_async;
use crate::model::{Progress, PushOptions, PushProgress, PushReport};
use crate::runner::CancellationToken;
use crate::snapshot::tempfile_dir::StagingDir;
use crate::snapshot::{DeviceFiles, FileState, Snapshot, Workspace, DB_FILE};
use crate::uri::DeviceUri;
use std::path::Path;

pub async fn push(
    afc: &Afc<'_>,
    ws: &Workspace,
    snapshot: &mut Snapshot,
    opts: PushOptions,
    progress: Progress<'_>,
    cancel: &CancellationToken,
) -> Result<PushReport> {
    let uri = DeviceUri::parse(&snapshot.manifest.uri)?;
    let rel = uri.path.as_str();
    let local = snapshot.checkpointed_db()?;
    if opts.stop_app {
        tracing::warn!(app = %uri.app, "iOS apps cannot be stopped over USB; the app should be closed during the push");
    }
    let (new_hash, new_size) = sha256_file_async(&local).await?;
    let new_state = FileState { sha256: new_hash.clone(), size: new_size };
    let scratch = StagingDir::new_in(&snapshot.dir)?;

    // 1. The device copy must be the one that was pulled.
    progress(PushProgress::ConflictCheck);
    let baseline = unchanged_since_pull(afc, rel, &snapshot.manifest.device, scratch.path(), cancel).await?;

    // 2. Stage beside the database and verify the staged bytes.
    let staged = beside(rel, ".sonde-new");
    afc.rm(&staged, cancel).await?;
    progress(PushProgress::Upload { sent: 0, total: new_size });
    if let Err(e) = stage(afc, &local, &staged, &new_state, scratch.path(), progress, cancel).await {
        let _ = afc.rm(&staged, cancel).await;
        return Err(e);
    }

    // 3. Last look before touching anything.
    match state::stats(afc, rel, cancel).await {
        Ok(now) if now == baseline => {}
        other => {
            let _ = afc.rm(&staged, cancel).await;
            return Err(other.err().unwrap_or(DeviceError::ChangedOnDevice { path: rel.to_owned() }));
        }
    }

    // 4. Set the side files aside, then swap. Leftovers of an interrupted
    //    push are removed first, so that putting an aside file back can only
    //    ever restore this push's file. From here on the steps run to the
    //    end even if the caller cancels (each still has its timeout): a
    //    swap abandoned halfway would leave the -wal aside.
    let asides: Vec<(String, String)> = [(1, "-wal"), (2, "-journal")]
        .into_iter()
        .filter(|(i, _)| baseline[*i].is_some())
        .map(|(_, suffix)| (side(rel, suffix), beside(rel, &format!("{suffix}.sonde-old"))))
        .collect();
    for (_, aside) in &asides {
        if let Err(e) = afc.rm(aside, cancel).await {
            let _ = afc.rm(&staged, cancel).await;
            return Err(e);
        }
    }
    let cancel = &CancellationToken::new();
    // A rename that failed or timed out may still have happened: every
    // attempted one counts as moved (restoring one that was not is a
    // harmless "not found").
    let mut moved: Vec<&(String, String)> = Vec::new();
    let mut failure: Option<DeviceError> = None;
    for pair in &asides {
        moved.push(pair);
        if let Err(e) = afc.mv(&pair.0, &pair.1, cancel).await {
            failure = Some(e);
            break;
        }
    }
    progress(PushProgress::Swap);
    if failure.is_none() {
        failure = afc.mv(&staged, rel, cancel).await.err();
    }
    progress(PushProgress::Verify);

    // 5. Whatever the renames said, see what the device holds now. The side
    //    files go back only next to the old bytes they belong to.
    let detail =
        || failure.as_ref().map_or_else(|| "the database did not change".to_owned(), |e| e.to_string());
    let unexpected = |what: String| DeviceError::TransferIncomplete {
        path: rel.to_owned(),
        detail: format!(
            "{what} ({}); set-aside files, if any: {}; pull again before editing",
            detail(),
            moved.iter().map(|(_, aside)| aside.as_str()).collect::<Vec<_>>().join(", ")
        ),
    };
    match db_state(afc, rel, scratch.path(), cancel).await {
        Ok(Some(now)) if now == new_state => {}
        Ok(Some(now)) if now == snapshot.manifest.device.db => {
            for (from, to) in moved.iter().rev() {
                match afc.mv(to, from, cancel).await {
                    Ok(()) | Err(DeviceError::NoSuchFile { .. }) => {}
                    Err(e) => tracing::error!(error = %e, aside = %to, "could not put a side file back"),
                }
            }
            let _ = afc.rm(&staged, cancel).await;
            return Err(match current_state(afc, rel, scratch.path(), cancel).await {
                Ok(Some(files)) if files == snapshot.manifest.device => {
                    DeviceError::PushRolledBack { detail: detail() }
                }
                _ => unexpected("the swap failed and the side files could not be restored".into()),
            });
        }
        Ok(_) => return Err(unexpected("the database changed on the device during the swap".into())),
        Err(e) => return Err(unexpected(format!("the device stopped answering during the swap: {e}"))),
    }
    // The new database is in place: leftovers are worth a warning, not a
    // failure (the aside names are hidden and never listed as databases).
    for leftover in moved.iter().map(|(_, aside)| aside.clone()).chain([side(rel, "-shm")]) {
        if let Err(e) = afc.rm(&leftover, cancel).await {
            tracing::warn!(error = %e, file = %leftover, "could not remove a stale file after the swap");
        }
    }
    let after = state::stats(afc, rel, cancel).await?;
    if after[1].is_some() || after[2].is_some() || after[0].map(|s| s.size) != Some(new_size) {
        return Err(DeviceError::TransferIncomplete {
            path: rel.to_owned(),
            detail:
                "the database was replaced, but a -wal or -journal appeared next to it: is the app running?"
                    .into(),
        });
    }
    drop(scratch);

    // 6. Keep the device's previous version as a local backup; the pushed
    //    bytes become the new baseline.
    let backup =
        snapshot.record_push(ws, &uri, DeviceFiles { db: new_state, wal: None, journal: None }).await?;
    Ok(PushReport { uri: uri.to_string(), bytes: new_size, sha256: new_hash, backup, stopped_app: false })
}

/// Checks the device still holds `pulled`; returns its stats (the
/// baseline later steps compare against).
async fn unchanged_since_pull(
    afc: &Afc<'_>,
    rel: &str,
    pulled: &DeviceFiles,
    scratch: &Path,
    cancel: &CancellationToken,
) -> Result<Stats> {
    let changed = || DeviceError::ChangedOnDevice { path: rel.to_owned() };
    let before = state::stats(afc, rel, cancel).await?;
    let sizes =
        [Some(pulled.db.size), pulled.wal.as_ref().map(|f| f.size), pulled.journal.as_ref().map(|f| f.size)];
    if before.iter().map(|s| s.map(|s| s.size)).ne(sizes) {
        return Err(changed());
    }
    let dir = fresh_dir(scratch, "current")?;
    let fetched = state::fetch(afc, rel, &before, &dir, cancel).await?;
    let after = state::stats(afc, rel, cancel).await?;
    match fetched {
        Ok(files) if after == before && files == *pulled => Ok(before),
        Err(Mismatch::Short { path, detail }) if after == before => {
            Err(DeviceError::TransferIncomplete { path, detail })
        }
        _ => Err(changed()),
    }
}

/// Uploads the new database to `staged` and checks the device has exactly
/// those bytes there.
async fn stage(
    afc: &Afc<'_>,
    local: &Path,
    staged: &str,
    new: &FileState,
    scratch: &Path,
    progress: Progress<'_>,
    cancel: &CancellationToken,
) -> Result<()> {
    afc.put(local, staged, new.size, cancel).await?;
    progress(PushProgress::Upload { sent: new.size, total: new.size });
    progress(PushProgress::VerifyStaged);
    let incomplete = |detail: String| DeviceError::TransferIncomplete { path: staged.to_owned(), detail };
    match afc.info(staged, cancel).await? {
        Some(st) if st.size == new.size => {}
        Some(st) => return Err(incomplete(format!("staged copy has {} of {} bytes", st.size, new.size))),
        None => return Err(incomplete("the staged copy is missing after the upload".into())),
    }
    match db_state_of(afc, staged, new.size, scratch, cancel).await? {
        s if s == *new => Ok(()),
        s => Err(incomplete(format!("staged copy hash {} != {}", s.sha256, new.sha256))),
    }
}

/// The hash and size of the device's database now (`None`: absent).
async fn db_state(
    afc: &Afc<'_>,
    rel: &str,
    scratch: &Path,
    cancel: &CancellationToken,
) -> Result<Option<FileState>> {
    match afc.info(rel, cancel).await? {
        Some(st) => db_state_of(afc, rel, st.size, scratch, cancel).await.map(Some),
        None => Ok(None),
    }
}

async fn db_state_of(
    afc: &Afc<'_>,
    rel: &str,
    size: u64,
    scratch: &Path,
    cancel: &CancellationToken,
) -> Result<FileState> {
    let local = fresh_dir(scratch, "check")?.join(DB_FILE);
    afc.get(rel, &local, size, cancel).await?;
    let (sha256, size) = sha256_file_async(&local).await?;
    Ok(FileState { sha256, size })
}

/// Everything the device holds for the database, hashed (`None` when the
/// files kept moving while they were read).
async fn current_state(
    afc: &Afc<'_>,
    rel: &str,
    scratch: &Path,
    cancel: &CancellationToken,
) -> Result<Option<DeviceFiles>> {
    let stats = state::stats(afc, rel, cancel).await?;
    let dir = fresh_dir(scratch, "restored")?;
    Ok(state::fetch(afc, rel, &stats, &dir, cancel).await?.ok())
}

/// An empty directory `scratch/name` (emptied if a previous step used it).
fn fresh_dir(scratch: &Path, name: &str) -> Result<std::path::PathBuf> {
    let dir = scratch.join(name);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(DeviceError::io(&dir, e)),
    }
    std::fs::create_dir_all(&dir).map_err(|e| DeviceError::io(&dir, e))?;
    Ok(dir)
}
