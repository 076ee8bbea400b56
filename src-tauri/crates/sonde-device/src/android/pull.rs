//! Pull: a consistent, verified snapshot of a database and its side files.

use super::{Android, Target};
use crate::error::{DeviceError, Result};
use crate::hash::sha256_file_copying_async;
use crate::model::{PullOptions, Pulled};
use crate::runner::CancellationToken;
use crate::snapshot::{now_ms, FileState, Manifest, Workspace, DB_FILE, ORIGINAL_DIR};
use crate::uri::DeviceUri;

impl Android {
    /// Pulls a consistent snapshot: the database with its `-wal` and
    /// `-journal`, copied concurrently while the device hashes them, each
    /// copy verified by size and SHA-256 against that hash, then moved into
    /// place together. With `opts.reuse` (the previous version's database file),
    /// a database file the device still holds unchanged is not copied again:
    /// only its side files move (a new commit usually changes only the `-wal`).
    pub async fn pull(
        &self,
        ws: &Workspace,
        uri: &DeviceUri,
        opts: &PullOptions,
        cancel: &CancellationToken,
    ) -> Result<Pulled> {
        let target = Target::of(uri)?;
        let serial = uri.device.as_str();
        let mut last_problem = DeviceError::KeptChanging;
        let mut reuse = opts.reuse.as_ref();
        for attempt in 1..=3 {
            // Hash on the device while copying: each copy is then checked
            // against a hash taken during its own transfer.
            let present = self.present_files(serial, &target, cancel).await?;
            let staging = ws.staging_for(uri)?;
            let db_size = present.files.first().map_or(0, |(_, size)| *size);
            // Same size as the kept copy: likely the same bytes; the device's
            // hash (taken anyway) decides.
            let keep_db = reuse.filter(|r| r.db.size == db_size);
            let moving: Vec<&(&str, u64)> = present
                .files
                .iter()
                .filter(|(suffix, _)| !(suffix.is_empty() && keep_db.is_some()))
                .collect();
            let moved: u64 = moving.iter().map(|(_, size)| size).sum();
            let timeout = self.timeouts.transfer(moved);
            let copies = moving.iter().map(|(suffix, _)| {
                let dest = staging.path().join(format!("{DB_FILE}{suffix}"));
                let cmd = target.command(&["cat", &target.side(suffix)]);
                async move { self.exec_out_to(serial, &cmd, &dest, timeout, cancel).await }
            });
            let (hashed, copied) = futures::join!(
                self.hash_files(serial, &target, &present, cancel),
                futures::future::try_join_all(copies)
            );
            let before = hashed?;
            copied?;
            if let Some(kept) = keep_db {
                if kept.db != before.db {
                    // The database file changed too: copy everything.
                    tracing::info!("the database file changed as well; pulling it whole");
                    reuse = None;
                    continue;
                }
                let dest = staging.path().join(DB_FILE);
                let from = kept.path.clone();
                crate::blocking(move || {
                    std::fs::copy(&from, &dest).map(drop).map_err(|e| DeviceError::io(&from, e))
                })
                .await?;
            }
            let wanted: Vec<(&str, &FileState)> = [
                ("", Some(&before.db)),
                ("-wal", before.wal.as_ref()),
                ("-journal", before.journal.as_ref()),
            ]
            .into_iter()
            .filter_map(|(s, f)| f.map(|f| (s, f)))
            .collect();
            if wanted.len() != present.files.len() {
                // A side file vanished between `stat` and the hash: its copy
                // cannot be verified, so the whole set is taken again.
                last_problem = DeviceError::KeptChanging;
                continue;
            }
            // Each copy must be byte for byte what was hashed on the device
            // while it was copied: then no file changed during its copy, all
            // copies started together, so the set is one consistent version
            // (no second look at the device needed). The pristine backup is
            // written in the same pass.
            let original = staging.path().join(ORIGINAL_DIR);
            std::fs::create_dir(&original).map_err(|e| DeviceError::io(&original, e))?;
            let checks = wanted.iter().map(|(suffix, _)| {
                let name = format!("{DB_FILE}{suffix}");
                let (local, copy) = (staging.path().join(&name), original.join(&name));
                async move { sha256_file_copying_async(&local, &copy).await }
            });
            let got = futures::future::try_join_all(checks).await?;
            let mismatch = wanted
                .iter()
                .zip(&got)
                .find(|((_, expected), (hash, size))| *hash != expected.sha256 || *size != expected.size);
            if let Some(((suffix, expected), (_, size))) = mismatch {
                // A short copy of an unchanged file is a broken transfer;
                // anything else means the app wrote meanwhile.
                let unchanged =
                    matches!(self.device_files(serial, &target, cancel).await, Ok((now, _)) if now == before);
                last_problem = if *size < expected.size && unchanged {
                    DeviceError::TransferIncomplete {
                        path: target.side(suffix),
                        detail: format!("got {size} of {} bytes", expected.size),
                    }
                } else {
                    DeviceError::KeptChanging
                };
                tracing::info!(attempt, "pulled copy did not verify; retrying");
                continue;
            }
            let manifest = Manifest {
                uri: uri.to_string(),
                pulled_at: now_ms(),
                device: before,
                dirty: opts.rebase,
                pushes: 0,
                sql_writes: 0,
                rebase_needed: opts.rebase,
            };
            return Ok(Pulled { snapshot: ws.install(uri, staging, manifest)?, moved_bytes: moved });
        }
        Err(last_problem)
    }
}
