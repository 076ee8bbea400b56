//! Push: the snapshot back onto the device, verified at every step, never
//! a mix of old and new.

use super::target::{other_than, version_tag, Target, CLAIM_INFIX, STAGED_INFIX};
use super::{parse, shell_error, Android};
use crate::error::{DeviceError, Result};
use crate::hash::sha256_file_async;
use crate::model::{Progress, PushOptions, PushProgress, PushReport};
use crate::quote::{sh_join, sh_quote};
use crate::runner::CancellationToken;
use crate::snapshot::{DeviceFiles, Snapshot, Workspace};
use crate::uri::DeviceUri;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Exit code of the swap script when another push from the same version
/// already claimed it.
const CLAIMED_EXIT: i32 = 75;

impl Android {
    /// Pushes the snapshot's database back; the numbered steps below are
    /// the protocol (also in docs/ARCHITECTURE.md, "Data flow"). The
    /// snapshot must be a single checkpointed file.
    pub async fn push(
        &self,
        ws: &Workspace,
        snapshot: &mut Snapshot,
        opts: PushOptions,
        progress: Progress<'_>,
        cancel: &CancellationToken,
    ) -> Result<PushReport> {
        let uri = DeviceUri::parse(&snapshot.manifest.uri)?;
        let target = Target::of(&uri)?;
        let serial = uri.device.as_str();
        let local = snapshot.checkpointed_db()?;
        let (new_hash, new_size) = sha256_file_async(&local).await?;
        let report = |backup: PathBuf| PushReport {
            uri: uri.to_string(),
            bytes: new_size,
            sha256: new_hash.clone(),
            backup,
            stopped_app: opts.stop_app && target.run_as.is_some(),
        };
        let landed = |files: &DeviceFiles| {
            files.db.sha256 == new_hash && files.wal.is_none() && files.journal.is_none()
        };
        // Leftovers of earlier interrupted pushes of this database.
        let tmp_prefix = format!("/data/local/tmp/sonde-{}-", target.tag());
        let clean_tmp = || async {
            if target.run_as.is_some() {
                let cmd = format!("rm -f {}*", sh_quote(&tmp_prefix));
                let _ = self.shell_raw(serial, &cmd, cancel).await;
            }
        };

        // 1. Refuse when the device copy changed since the pull, unless it
        //    already holds exactly these bytes: an earlier push of this
        //    snapshot swapped them in but its reply was lost.
        progress(PushProgress::ConflictCheck);
        let (current, _) = self.device_files(serial, &target, cancel).await?;
        if current != snapshot.manifest.device {
            if landed(&current) {
                tracing::info!("the device already holds the pushed bytes; recording the push");
                clean_tmp().await;
                let backup = snapshot.record_push(ws, &uri, current).await?;
                return Ok(report(backup));
            }
            return Err(DeviceError::ChangedOnDevice { path: uri.path.clone() });
        }
        // 2. Stop the app so it cannot write during the swap.
        if opts.stop_app {
            if let Some(pkg) = &target.run_as {
                progress(PushProgress::StopApp);
                self.shell(serial, &sh_join(&["am", "force-stop", pkg]), cancel).await?;
            }
        }
        // 3. Stage next to the database and verify the staged bytes.
        let nonce = format!("{:016x}", rand::random::<u64>());
        let staged = target.staged(&nonce);
        let timeout = self.timeouts.transfer(new_size);
        let staging_push = async {
            match &target.run_as {
                Some(_) => {
                    let tmp = format!("{tmp_prefix}{nonce}.db");
                    let pushed = self.adb_push(serial, &local, &tmp, timeout, cancel).await;
                    let copied = match pushed {
                        Ok(()) => self
                            .shell(serial, &target.command(&["cp", &tmp, &staged]), cancel)
                            .await
                            .map(drop),
                        Err(e) => Err(e),
                    };
                    let _ = self.shell_raw(serial, &sh_join(&["rm", "-f", &tmp]), cancel).await;
                    copied
                }
                None => self.adb_push(serial, &local, &staged, timeout, cancel).await,
            }
        };
        let cleanup_staged = || async {
            let _ = self.shell_raw(serial, &target.command(&["rm", "-f", &staged]), cancel).await;
        };
        // A failed staging step: when another push replaced the database
        // meanwhile (its swap also removes other pushes' staged copies),
        // that is the reason to report.
        let staging_failed = |e: DeviceError| async {
            cleanup_staged().await;
            match self.device_files(serial, &target, cancel).await {
                Ok((now, _)) if now != snapshot.manifest.device => {
                    DeviceError::ChangedOnDevice { path: uri.path.clone() }
                }
                _ => e,
            }
        };
        progress(PushProgress::Upload { sent: 0, total: new_size });
        if let Err(e) = staging_push.await {
            return Err(staging_failed(e).await);
        }
        progress(PushProgress::Upload { sent: new_size, total: new_size });
        progress(PushProgress::VerifyStaged);
        let staged_hash = self
            .shell(serial, &target.command(&["sha256sum", &staged]), cancel)
            .await
            .map(|o| parse::sha256sums(&o.stdout_text()).into_iter().next().map(|(_, h)| h));
        match staged_hash {
            Ok(Some(h)) if h == new_hash => {}
            Ok(other) => {
                return Err(staging_failed(DeviceError::TransferIncomplete {
                    path: staged.clone(),
                    detail: format!("staged copy hash {} != {new_hash}", other.unwrap_or_else(|| "?".into())),
                })
                .await);
            }
            Err(e) => return Err(staging_failed(e).await),
        }
        // 4. Last look: still the version we pulled?
        let (current, _) = match self.device_files(serial, &target, cancel).await {
            Ok(c) => c,
            Err(e) => {
                cleanup_staged().await;
                return Err(e);
            }
        };
        if current != snapshot.manifest.device {
            cleanup_staged().await;
            return Err(DeviceError::ChangedOnDevice { path: uri.path.clone() });
        }
        // 5. Swap in one device-side script: claim the pulled version (an
        //    atomic `mkdir`; a concurrent push from the same version that
        //    got there first makes us stop: its last look and ours both saw
        //    the old version), set the old -wal aside, rename the staged
        //    file over the database, put the -wal back and release the
        //    claim if the rename did not happen, else drop the stale side
        //    files, staged leftovers and older claims. The claim stays so a
        //    racing push from the same version cannot overwrite ours. Only
        //    `;`, `||`, `&&`, `[ -e ]` and globs are used (toybox sh has them).
        let version = version_tag(&snapshot.manifest.device);
        let (db, wal, aside) = (target.path.clone(), target.side("-wal"), target.wal_aside());
        let (shm, journal) = (target.side("-shm"), target.side("-journal"));
        let claim = target.claim(&version);
        let staged_leftovers = format!("{}*", sh_quote(&target.beside(STAGED_INFIX)));
        let older_claims = other_than(&target.beside(CLAIM_INFIX), &version).join(" ");
        let script = format!(
            "mkdir {claim} 2>/dev/null || exit {CLAIMED_EXIT}; mv -f {wal} {aside} 2>/dev/null; [ -e {wal} ] || mv -f {staged} {db}; [ -e {staged} ] && mv -f {aside} {wal} 2>/dev/null; [ -e {staged} ] && rmdir {claim}; [ -e {staged} ] || rm -f {aside} {shm} {journal} {staged_leftovers}; [ -e {staged} ] || rmdir {older_claims} 2>/dev/null; true",
            claim = sh_quote(&claim),
            wal = sh_quote(&wal),
            aside = sh_quote(&aside),
            staged = sh_quote(&staged),
            db = sh_quote(&db),
            shm = sh_quote(&shm),
            journal = sh_quote(&journal),
        );
        progress(PushProgress::Swap);
        let swap = self.shell_raw(serial, &target.command(&["sh", "-c", &script]), cancel).await;
        // 6. Verify what the device now holds, whatever the script said.
        progress(PushProgress::Verify);
        let (after, _) = self.device_files(serial, &target, cancel).await?;
        if !landed(&after) {
            cleanup_staged().await;
            let lost_race = matches!(&swap, Ok(o) if o.code == CLAIMED_EXIT);
            let detail = match swap {
                Ok(o) => o.message(),
                Err(e) => e.to_string(),
            };
            if lost_race {
                tracing::info!("another push from the same version replaced the database first");
                return Err(DeviceError::ChangedOnDevice { path: uri.path.clone() });
            }
            if after == snapshot.manifest.device {
                return Err(DeviceError::PushRolledBack { detail });
            }
            return Err(DeviceError::TransferIncomplete {
                path: uri.path.clone(),
                detail: format!("after the swap the device holds an unexpected state ({detail})"),
            });
        }
        // 7. Keep the device's previous version as a local backup; the pushed
        //    bytes become the new baseline. Temp uploads of interrupted
        //    pushes go too.
        clean_tmp().await;
        let backup = snapshot.record_push(ws, &uri, after).await?;
        Ok(report(backup))
    }

    async fn adb_push(
        &self,
        serial: &str,
        local: &Path,
        remote: &str,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let call = self
            .call(format!("copy to {serial}"), timeout)
            .args(["-s", serial, "push"])
            .arg(local.as_os_str())
            .arg(remote);
        let out = self.adb(call, Some(serial), cancel).await?;
        if out.success() {
            Ok(())
        } else {
            Err(shell_error(&out, remote))
        }
    }
}
