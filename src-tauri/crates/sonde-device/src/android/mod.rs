//! Android through the real `adb` client.
//!
//! Every device-side command is one pre-quoted string passed as a single
//! adb argument (adb joins `shell` arguments with spaces and passes the
//! first `exec-out` argument raw), so what the device shell parses is
//! exactly what [`crate::quote`] produced. Always `-s SERIAL`.

pub mod emulator;
pub mod parse;
mod pull;
mod push;
mod target;

use crate::error::{DeviceError, Result};
use crate::model::{group_databases, printable, App, DbFile, Device, Fingerprint, Platform, SQLITE_HEADER};
use crate::quote::{sh_join, sh_quote, validate_package};
use crate::runner::{self, CancellationToken, Retry, Timeouts, ToolCall, ToolOutput};
use crate::snapshot::{DeviceFiles, FileState};
use crate::uri::DeviceUri;
use futures::stream::{self, StreamExt, TryStreamExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use target::{Target, SIDES};

/// adb's default timeouts: 20 s per command, transfers 20 s + 0.5 s/MiB.
pub const TIMEOUTS: Timeouts = Timeouts::new(20, 20, 500);

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

    /// One system property (`getprop NAME`), trimmed; empty when unset.
    pub async fn getprop(&self, serial: &str, name: &str, cancel: &CancellationToken) -> Result<String> {
        let out = self.shell(serial, &sh_join(&["getprop", name]), cancel).await?;
        Ok(printable(out.stdout_text().trim()))
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

    /// `adb disconnect ADDRESS`: forget a network device (best effort: adb
    /// says "no such device" for one it does not know).
    pub async fn disconnect(&self, address: &str, cancel: &CancellationToken) -> Result<()> {
        let call =
            self.call(format!("disconnect {address}"), self.timeouts.command).args(["disconnect", address]);
        runner::run(&call, cancel).await.map(drop)
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
    /// side files are `None`; an absent database is an error), and their
    /// total size.
    async fn device_files(
        &self,
        serial: &str,
        target: &Target,
        cancel: &CancellationToken,
    ) -> Result<(DeviceFiles, u64)> {
        let present = self.present_files(serial, target, cancel).await?;
        let files = self.hash_files(serial, target, &present, cancel).await?;
        Ok((files, present.total()))
    }

    /// One cheap look at a database's files, in one adb call: size, inode
    /// and modification time (ns) of the database, its `-wal` and its
    /// `-journal`. It changes when the app commits (or recreates the file);
    /// a watch compares it from one interval to the next.
    pub async fn fingerprint(&self, uri: &DeviceUri, cancel: &CancellationToken) -> Result<Fingerprint> {
        let target = Target::of(uri)?;
        let paths: Vec<String> = SIDES.iter().map(|s| target.side(s)).collect();
        let mut words = vec!["stat", "-c", "%s %i %y %n"];
        words.extend(paths.iter().map(String::as_str));
        let out = self.shell_raw(&uri.device, &target.command(&words), cancel).await?;
        let text = out.stdout_text();
        // Only lines of the files themselves: a missing side file is not an error.
        let mut lines: Vec<&str> =
            text.lines().filter(|l| paths.iter().any(|p| l.ends_with(p.as_str()))).collect();
        let Some(db_line) = lines.iter().find(|l| l.ends_with(&format!(" {}", target.path))) else {
            return Err(shell_error(&out, &target.path));
        };
        // "%s %i %y %n": the inode is the second word.
        let file_id = db_line.split(' ').nth(1).and_then(|w| w.parse().ok());
        lines.sort_unstable();
        Ok(Fingerprint { stamp: lines.join("\n"), file_id })
    }

    /// Which of the database's files exist, with their sizes (`stat`).
    async fn present_files(
        &self,
        serial: &str,
        target: &Target,
        cancel: &CancellationToken,
    ) -> Result<Present> {
        let paths: Vec<String> = SIDES.iter().map(|s| target.side(s)).collect();
        let mut words = vec!["stat", "-c", "%s %n"];
        words.extend(paths.iter().map(String::as_str));
        let stat = self.shell_raw(serial, &target.command(&words), cancel).await?;
        let sizes = parse::sizes(&stat.stdout_text());
        let files: Vec<(&'static str, u64)> = SIDES
            .iter()
            .zip(&paths)
            .filter_map(|(suffix, path)| {
                sizes.iter().find(|(n, _)| n == path).map(|(_, size)| (*suffix, *size))
            })
            .collect();
        if files.first().is_none_or(|(suffix, _)| !suffix.is_empty()) {
            return Err(shell_error(&stat, &target.path));
        }
        Ok(Present { files })
    }

    /// SHA-256 of the present files, with the sizes `stat` gave.
    async fn hash_files(
        &self,
        serial: &str,
        target: &Target,
        present: &Present,
        cancel: &CancellationToken,
    ) -> Result<DeviceFiles> {
        let paths: Vec<String> = present.files.iter().map(|(suffix, _)| target.side(suffix)).collect();
        let mut words = vec!["sha256sum"];
        words.extend(paths.iter().map(String::as_str));
        let sums = self.shell_raw(serial, &target.command(&words), cancel).await?;
        let hashes = parse::sha256sums(&sums.stdout_text());
        let state = |suffix: &str| -> Option<FileState> {
            let size = present.files.iter().find(|(s, _)| *s == suffix)?.1;
            let path = target.side(suffix);
            let hash = hashes.iter().find(|(n, _)| *n == path)?.1.clone();
            Some(FileState { sha256: hash, size })
        };
        let db = state("").ok_or_else(|| shell_error(&sums, &target.path))?;
        Ok(DeviceFiles { db, wal: state("-wal"), journal: state("-journal") })
    }
}

/// The database's files that exist on the device: (suffix, size), the
/// database first.
struct Present {
    files: Vec<(&'static str, u64)>,
}

impl Present {
    fn total(&self) -> u64 {
        self.files.iter().map(|(_, size)| size).sum()
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
