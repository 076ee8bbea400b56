//! Android through the real `adb` client.
//!
//! Every device-side command is one pre-quoted string passed as a single
//! adb argument (adb joins `shell` arguments with spaces and passes the
//! first `exec-out` argument raw), so what the device shell parses is
//! exactly what [`crate::quote`] produced. Always `-s SERIAL`.

pub mod parse;

use crate::error::{DeviceError, Result};
use crate::hash::{sha256_file_async, sha256_file_copying_async};
use crate::model::{
    group_databases, printable, App, DbFile, Device, Platform, PushOptions, PushReport, SQLITE_HEADER,
};
use crate::quote::{sh_join, sh_quote, validate_package};
use crate::runner::{self, CancellationToken, Retry, Timeouts, ToolCall, ToolOutput};
use crate::snapshot::{now_ms, DeviceFiles, FileState, Manifest, Snapshot, Workspace, DB_FILE, ORIGINAL_DIR};
use crate::uri::DeviceUri;
use futures::stream::{self, StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// adb's default timeouts: 20 s per command, transfers 20 s + 0.5 s/MiB.
pub const TIMEOUTS: Timeouts = Timeouts::new(20, 20, 500);

/// Where a database lives on the device.
#[derive(Debug, Clone)]
struct Target {
    /// `Some(package)` for the app's private dir (commands via run-as).
    run_as: Option<String>,
    /// Path as the device shell sees it (relative to the data dir under run-as).
    path: String,
}

impl Target {
    fn of(uri: &DeviceUri) -> Result<Target> {
        validate_package(&uri.app)?;
        Ok(match uri.path.strip_prefix("external/") {
            Some(rest) => Target { run_as: None, path: format!("/sdcard/Android/data/{}/{rest}", uri.app) },
            None => Target { run_as: Some(uri.app.clone()), path: uri.path.clone() },
        })
    }

    fn side(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.path)
    }

    /// A hidden name next to the database: `dir/.base<suffix>`.
    fn beside(&self, suffix: &str) -> String {
        match self.path.rsplit_once('/') {
            Some((dir, base)) => format!("{dir}/.{base}{suffix}"),
            None => format!(".{}{suffix}", self.path),
        }
    }

    /// This push's staged copy next to the database (unique per push, so
    /// concurrent pushes never verify or swap each other's bytes).
    fn staged(&self, nonce: &str) -> String {
        self.beside(&format!("{STAGED_INFIX}{nonce}"))
    }

    fn wal_aside(&self) -> String {
        self.beside("-wal.sonde-old")
    }

    /// The claim of one pulled version: created (atomically, `mkdir`) by the
    /// swap script, so of all pushes made from the same version exactly one
    /// can replace it.
    fn claim(&self, version: &str) -> String {
        self.beside(&format!("{CLAIM_INFIX}{version}"))
    }

    /// 16 hex digits naming this database (package + path) in shared places
    /// like `/data/local/tmp`.
    fn tag(&self) -> String {
        let digest = Sha256::digest(format!("{}\0{}", self.run_as.as_deref().unwrap_or(""), self.path));
        hex::encode(&digest[..8])
    }

    /// A device command line, through run-as when needed.
    fn command(&self, words: &[&str]) -> String {
        match &self.run_as {
            Some(pkg) => format!("run-as {} {}", sh_quote(pkg), sh_join(words)),
            None => sh_join(words),
        }
    }
}

const SIDES: [&str; 3] = ["", "-wal", "-journal"];
/// `.<db>.sonde-new-<nonce>`: staged copies.
const STAGED_INFIX: &str = ".sonde-new-";
/// `.<db>.sonde-pushed-<version>`: claims of pulled versions (empty dirs).
const CLAIM_INFIX: &str = ".sonde-pushed-";
/// Exit code of the swap script when another push from the same version
/// already claimed it.
const CLAIMED_EXIT: i32 = 75;

/// 16 hex digits identifying a device version (db, `-wal`, `-journal`).
fn version_tag(files: &DeviceFiles) -> String {
    let part =
        |f: &Option<FileState>| f.as_ref().map_or_else(String::new, |f| format!("{}:{}", f.sha256, f.size));
    let text = format!("{}:{}|{}|{}", files.db.sha256, files.db.size, part(&files.wal), part(&files.journal));
    hex::encode(&Sha256::digest(text)[..8])
}

/// Unquoted globs matching every `prefix` + 16-hex-digit name except
/// `prefix` + `tag` (one glob per position where a name may differ), with
/// `prefix` quoted.
fn other_than(prefix: &str, tag: &str) -> Vec<String> {
    tag.chars().enumerate().map(|(k, c)| format!("{}{}[!{c}]*", sh_quote(prefix), "?".repeat(k))).collect()
}

#[derive(Debug, Clone)]
pub struct Android {
    adb: PathBuf,
    pub timeouts: Timeouts,
    pub retry: Retry,
}

impl Android {
    pub fn new(adb: impl Into<PathBuf>) -> Self {
        Android { adb: adb.into(), timeouts: TIMEOUTS, retry: Retry::default() }
    }

    fn call(&self, what: impl Into<String>, timeout: Duration) -> ToolCall {
        ToolCall::new("adb", "tool.adb", &self.adb, timeout).what(what)
    }

    /// Runs adb, retrying retryable failures, mapping adb's own errors.
    async fn adb(
        &self,
        call: ToolCall,
        serial: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<ToolOutput> {
        runner::retry(self.retry, cancel, || async {
            let out = runner::run(&call, cancel).await?;
            match adb_error(&out, serial) {
                Some(e) => Err(e),
                None => Ok(out),
            }
        })
        .await
    }

    /// `adb -s SERIAL shell <command>`; a non-zero exit becomes a typed error.
    async fn shell(&self, serial: &str, command: &str, cancel: &CancellationToken) -> Result<ToolOutput> {
        let out = self.shell_raw(serial, command, cancel).await?;
        if out.success() {
            Ok(out)
        } else {
            Err(shell_error(&out, command))
        }
    }

    /// Like [`Self::shell`] but a non-zero exit is returned, not an error.
    async fn shell_raw(&self, serial: &str, command: &str, cancel: &CancellationToken) -> Result<ToolOutput> {
        let call = self
            .call(format!("shell on {serial}"), self.timeouts.command)
            .args(["-s", serial, "shell", command]);
        self.adb(call, Some(serial), cancel).await
    }

    /// `adb -s SERIAL exec-out <command> > dest` (binary safe, but adb may
    /// exit 0 with truncated output: callers verify).
    async fn exec_out_to(
        &self,
        serial: &str,
        command: &str,
        dest: &Path,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<()> {
        let call = self
            .call(format!("copy from {serial}"), timeout)
            .args(["-s", serial, "exec-out", command])
            .stdout_to(dest);
        self.adb(call, Some(serial), cancel).await.map(drop)
    }

    pub async fn connect(&self, address: &str, cancel: &CancellationToken) -> Result<()> {
        let call =
            self.call(format!("connect {address}"), Duration::from_secs(15)).args(["connect", address]);
        let out = runner::run(&call, cancel).await?;
        let text = out.stdout_text();
        if text.contains("connected to") && !text.contains("failed") {
            Ok(())
        } else {
            Err(DeviceError::ToolFailed { tool: "adb", code: out.code, message: out.message() })
        }
    }

    pub async fn devices(&self, cancel: &CancellationToken) -> Result<Vec<Device>> {
        let call = self.call("list devices", self.timeouts.command).args(["devices", "-l"]);
        let out = self.adb(call, None, cancel).await?;
        let mut devices = parse::devices(&out.stdout_text());
        // Model strings come from the device: keep them printable and short.
        for d in &mut devices {
            d.name = printable(&d.name);
            d.model = d.model.as_deref().map(printable);
        }
        let ready: Vec<usize> =
            (0..devices.len()).filter(|&i| devices[i].state == crate::DeviceState::Ready).collect();
        let versions: Vec<(usize, Option<String>)> = stream::iter(ready)
            .map(|i| {
                let serial = devices[i].id.clone();
                async move {
                    let v = self.shell(&serial, "getprop ro.build.version.release", cancel).await.ok();
                    (i, v.map(|o| printable(o.stdout_text().trim())).filter(|s| !s.is_empty()))
                }
            })
            .buffer_unordered(4)
            .collect()
            .await;
        for (i, v) in versions {
            devices[i].os_version = v.map(|v| format!("Android {v}"));
        }
        Ok(devices)
    }

    /// Installed apps (third-party unless `include_system`), with whether
    /// `run-as` works for each third-party app.
    pub async fn apps(
        &self,
        serial: &str,
        include_system: bool,
        cancel: &CancellationToken,
    ) -> Result<Vec<App>> {
        let third_party =
            parse::packages(&self.shell(serial, "pm list packages -3", cancel).await?.stdout_text());
        let all = if include_system {
            parse::packages(&self.shell(serial, "pm list packages", cancel).await?.stdout_text())
        } else {
            third_party.clone()
        };
        let checks = stream::iter(all.into_iter().filter(|p| validate_package(p).is_ok()))
            .map(|package| {
                let system = !third_party.contains(&package);
                async move {
                    let debuggable = if system {
                        None
                    } else {
                        let cmd = format!("run-as {} true", sh_quote(&package));
                        Some(self.shell_raw(serial, &cmd, cancel).await?.success())
                    };
                    Ok::<App, DeviceError>(App { id: package, name: None, version: None, system, debuggable })
                }
            })
            .buffer_unordered(4);
        let mut apps: Vec<App> = checks.try_collect().await?;
        apps.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(apps)
    }

    /// SQLite databases of an app: in its private data dir (needs run-as)
    /// and its external files dir (when reachable). `-wal`/`-shm`/`-journal`
    /// are grouped with their database.
    pub async fn databases(
        &self,
        serial: &str,
        package: &str,
        cancel: &CancellationToken,
    ) -> Result<Vec<DbFile>> {
        validate_package(package)?;
        let internal = Target { run_as: Some(package.to_owned()), path: ".".into() };
        let internal_files = self
            .shell(serial, &internal.command(&["find", ".", "-type", "f"]), cancel)
            .await
            .map(|o| parse::find_relative(&o.stdout_text(), "."));
        let external_dir = format!("/sdcard/Android/data/{package}");
        let external_files =
            self.shell_raw(serial, &sh_join(&["find", &external_dir, "-type", "f"]), cancel)
                .await
                .map(|o| {
                    if o.success() {
                        parse::find_relative(&o.stdout_text(), &external_dir)
                    } else {
                        Vec::new()
                    }
                })
                .unwrap_or_default();
        let internal_files = match internal_files {
            Ok(f) => f,
            Err(e) if external_files.is_empty() => return Err(e),
            Err(e) => {
                tracing::info!(error = %e, "private data not readable; listing external files only");
                Vec::new()
            }
        };
        let mut out = Vec::new();
        for (files, external) in [(internal_files, false), (external_files, true)] {
            let target_of = |rel: &str| {
                if external {
                    Target { run_as: None, path: format!("{external_dir}/{rel}") }
                } else {
                    Target { run_as: Some(package.to_owned()), path: rel.to_owned() }
                }
            };
            let unknown: Vec<String> = files
                .iter()
                .filter(|f| crate::model::classify_name(f).is_none() && !f.contains('\n'))
                .cloned()
                .collect();
            let headers: Vec<(String, bool)> = stream::iter(unknown)
                .map(|rel| {
                    let target = target_of(&rel);
                    async move {
                        let cmd = target.command(&["head", "-c", "16", &target.path]);
                        let call = self.call("read file header", self.timeouts.command).args([
                            "-s",
                            serial,
                            "exec-out",
                            cmd.as_str(),
                        ]);
                        let is_db = match self.adb(call, Some(serial), cancel).await {
                            Ok(o) => o.stdout.as_slice() == SQLITE_HEADER,
                            Err(_) => false,
                        };
                        (rel, is_db)
                    }
                })
                .buffer_unordered(4)
                .collect()
                .await;
            let dbs = group_databases(&files, |f| headers.iter().any(|(p, ok)| p == f && *ok));
            let sizes = if dbs.is_empty() {
                Vec::new()
            } else {
                let paths: Vec<String> = dbs.iter().map(|(p, _, _)| target_of(p).path).collect();
                let mut words = vec!["stat", "-c", "%s %n"];
                words.extend(paths.iter().map(String::as_str));
                let base = target_of("x");
                let cmd = Target { run_as: base.run_as, path: String::new() }.command(&words);
                self.shell_raw(serial, &cmd, cancel)
                    .await
                    .map(|o| parse::sizes(&o.stdout_text()))
                    .unwrap_or_default()
            };
            for (rel, wal, journal) in dbs {
                let device_path = target_of(&rel).path;
                let size = sizes.iter().find(|(p, _)| *p == device_path).map(|(_, s)| *s);
                let path = if external { format!("external/{rel}") } else { rel };
                let uri = DeviceUri::for_file(Platform::Android, serial, package, &path);
                out.push(DbFile { uri: uri.to_string(), path, size, wal, journal });
            }
        }
        Ok(out)
    }

    /// Hashes of the database and its side files on the device (absent
    /// side files are `None`; an absent database is an error).
    async fn device_files(
        &self,
        serial: &str,
        target: &Target,
        cancel: &CancellationToken,
    ) -> Result<(DeviceFiles, u64)> {
        let paths: Vec<String> = SIDES.iter().map(|s| target.side(s)).collect();
        let mut words = vec!["stat", "-c", "%s %n"];
        words.extend(paths.iter().map(String::as_str));
        let stat = self.shell_raw(serial, &target.command(&words), cancel).await?;
        let sizes = parse::sizes(&stat.stdout_text());
        let size_of = |p: &str| sizes.iter().find(|(n, _)| n == p).map(|(_, s)| *s);
        if size_of(&paths[0]).is_none() {
            return Err(shell_error(&stat, &target.path));
        }
        let present: Vec<&str> = paths.iter().map(String::as_str).filter(|p| size_of(p).is_some()).collect();
        let mut words = vec!["sha256sum"];
        words.extend(present.iter().copied());
        let sums = self.shell_raw(serial, &target.command(&words), cancel).await?;
        let hashes = parse::sha256sums(&sums.stdout_text());
        let state = |p: &str| -> Option<FileState> {
            let size = size_of(p)?;
            let hash = hashes.iter().find(|(n, _)| n == p)?.1.clone();
            Some(FileState { sha256: hash, size })
        };
        let db = state(&paths[0]).ok_or_else(|| shell_error(&sums, &target.path))?;
        let total = present.iter().filter_map(|p| size_of(p)).sum();
        Ok((DeviceFiles { db, wal: state(&paths[1]), journal: state(&paths[2]) }, total))
    }

    /// Pulls a consistent snapshot: the database with its `-wal` and
    /// `-journal`, hashed on the device, copied concurrently, each copy
    /// verified by size and SHA-256 against that hash, then moved into
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
            let (before, total) = self.device_files(serial, &target, cancel).await?;
            let staging = ws.staging_for(uri)?;
            let timeout = self.timeouts.transfer(total);
            let wanted: Vec<(&str, &FileState)> = [
                ("", Some(&before.db)),
                ("-wal", before.wal.as_ref()),
                ("-journal", before.journal.as_ref()),
            ]
            .into_iter()
            .filter_map(|(s, f)| f.map(|f| (s, f)))
            .collect();
            let copies = wanted.iter().map(|(suffix, _)| {
                let dest = staging.path().join(format!("{DB_FILE}{suffix}"));
                let cmd = target.command(&["cat", &target.side(suffix)]);
                async move { self.exec_out_to(serial, &cmd, &dest, timeout, cancel).await }
            });
            futures::future::try_join_all(copies).await?;
            // Each copy must be byte for byte what was hashed on the device
            // before it: then every file was the same before and after its
            // copy, and the set is one consistent version (no second look
            // at the device needed). The pristine backup is written in the
            // same pass.
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
            };
            return ws.install(uri, staging, manifest);
        }
        Err(last_problem)
    }

    /// Pushes the snapshot's database back (see the module docs of
    /// `sonde-core::push` for the whole protocol). The snapshot must be a
    /// single checkpointed file.
    pub async fn push(
        &self,
        ws: &Workspace,
        snapshot: &mut Snapshot,
        opts: PushOptions,
        cancel: &CancellationToken,
    ) -> Result<PushReport> {
        let uri = DeviceUri::parse(&snapshot.manifest.uri)?;
        let target = Target::of(&uri)?;
        let serial = uri.device.as_str();
        let local = snapshot.db_path();
        if std::fs::metadata(snapshot.side_path("-wal")).map(|m| m.len() > 0).unwrap_or(false) {
            return Err(DeviceError::Unsupported(
                "the snapshot still has a -wal: checkpoint it before pushing".into(),
            ));
        }
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
        let (current, _) = self.device_files(serial, &target, cancel).await?;
        if current != snapshot.manifest.device {
            if landed(&current) {
                tracing::info!("the device already holds the pushed bytes; recording the push");
                clean_tmp().await;
                let backup = snapshot.record_push(ws, &uri, current)?;
                return Ok(report(backup));
            }
            return Err(DeviceError::ChangedOnDevice { path: uri.path.clone() });
        }
        // 2. Stop the app so it cannot write during the swap.
        if opts.stop_app {
            if let Some(pkg) = &target.run_as {
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
        if let Err(e) = staging_push.await {
            return Err(staging_failed(e).await);
        }
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
        let swap = self.shell_raw(serial, &target.command(&["sh", "-c", &script]), cancel).await;
        // 6. Verify what the device now holds, whatever the script said.
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
        let backup = snapshot.record_push(ws, &uri, after)?;
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

/// adb's own failures (as opposed to the device command's).
fn adb_error(out: &ToolOutput, serial: Option<&str>) -> Option<DeviceError> {
    if out.success() {
        return None;
    }
    let text = format!("{}\n{}", out.stderr_text(), out.stdout_text());
    let device = serial.unwrap_or("").to_owned();
    if text.contains("device unauthorized") {
        Some(DeviceError::Unauthorized { device })
    } else if text.contains("device offline") {
        Some(DeviceError::Offline { device })
    } else if (text.contains("not found") && text.contains("error: device"))
        || text.contains("no devices/emulators found")
    {
        Some(DeviceError::DeviceNotFound { device })
    } else if crate::error::is_transient_message(&text) {
        Some(DeviceError::ToolFailed { tool: "adb", code: out.code, message: out.message() })
    } else {
        None
    }
}

/// A device command that exited non-zero, as a typed error.
fn shell_error(out: &ToolOutput, subject: &str) -> DeviceError {
    let text = out.message();
    if let Some(pkg) = text.split("run-as: unknown package: ").nth(1) {
        return DeviceError::UnknownPackage {
            package: pkg.split_whitespace().next().unwrap_or("").to_owned(),
        };
    }
    if let Some(pkg) = text.split("run-as: package not debuggable: ").nth(1) {
        return DeviceError::NotDebuggable {
            package: pkg.split_whitespace().next().unwrap_or("").to_owned(),
        };
    }
    if text.contains("No such file or directory") || text.contains("does not exist") {
        return DeviceError::NoSuchFile { path: subject.to_owned() };
    }
    if text.contains("Permission denied") {
        return DeviceError::PermissionDenied { path: subject.to_owned() };
    }
    DeviceError::ToolFailed { tool: "adb", code: out.code, message: text }
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
