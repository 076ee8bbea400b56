//! Pull: a consistent, verified snapshot of a database and its side files.

use super::{Android, Target};
use crate::error::{DeviceError, Result};
use crate::hash::sha256_file_copying_async;
use crate::runner::CancellationToken;
use crate::snapshot::{now_ms, FileState, Manifest, Snapshot, Workspace, DB_FILE, ORIGINAL_DIR};
use crate::uri::DeviceUri;

impl Android {
    /// Pulls a consistent snapshot: the database with its `-wal` and
    /// `-journal`, copied concurrently while the device hashes them, each
    /// copy verified by size and SHA-256 against that hash, then moved into
    /// place together.
    pub async fn pull(
        &self,
        ws: &Workspace,
        uri: &DeviceUri,
        cancel: &CancellationToken,
    ) -> Result<Snapshot> {
        let target = Target::of(uri)?;
        let serial = uri.device.as_str();
        let mut last_problem = DeviceError::KeptChanging;
        for attempt in 1..=3 {
            // Hash on the device while copying: each copy is then checked
            // against a hash taken during its own transfer.
            let present = self.present_files(serial, &target, cancel).await?;
            let staging = ws.staging_for(uri)?;
            let timeout = self.timeouts.transfer(present.total());
            let copies = present.files.iter().map(|(suffix, _)| {
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
                dirty: false,
                pushes: 0,
                sql_writes: 0,
            };
            return ws.install(uri, staging, manifest);
        }
        Err(last_problem)
    }
}
