//! One app container over AFC, through libimobiledevice's `afcclient`
//! (`tools/afcclient.c`, the 2023 rewrite) in command-line mode:
//! `afcclient -u UDID --container BUNDLE -- <command> <args>`.
//!
//! - `--container` asks `house_arrest` for `VendContainer`, which iOS only
//!   grants for apps signed for development; otherwise the tool prints
//!   `ERROR: InstallationLookupFailed` on stderr (and exits 0).
//! - `--` ends option parsing: afcclient uses `getopt_long`, which would
//!   otherwise take `ls -l` for its own `-l` (and refuse it).
//! - Arguments are argv words, never a shell line: a device file named
//!   `x.db; rm -rf ~` is one argument. Device paths are absolute in the
//!   container (`/Documents/x.db`), built from validated relative paths.
//! - Failed commands print `Error: ... (<afc_error_t>)` (or `Unknown
//!   command ...`) on STDOUT and the tool still exits 0, so every answer is
//!   inspected, not just the status.

use super::native::NativeAfc;
use super::parse::{self, Entry, Stat};
use crate::error::{DeviceError, Result};
use crate::runner::{self, CancellationToken, Retry, Timeouts, ToolCall, ToolOutput};
use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

/// afc_error_t values that mean the connection broke (worth a retry):
/// service not connected, op timeout, I/O error, interrupted, MUX error,
/// not enough data (libimobiledevice `include/libimobiledevice/afc.h`).
const TRANSIENT_AFC: [i32; 6] = [11, 12, 20, 21, 30, 32];
const AFC_NOT_FOUND: i32 = 8;
const AFC_PERM_DENIED: i32 = 10;

/// `lockdownd_strerror` texts of a device that is locked or does not trust
/// this computer (libimobiledevice `src/lockdown.c`).
const UNTRUSTED: [&str; 6] = [
    "Pairing dialog response pending",
    "Password protected",
    "User denied pairing",
    "Invalid HostID",
    "Invalid pair record",
    "not paired",
];

/// Whether a tool's stderr says the device is locked or untrusted.
pub(crate) fn is_untrusted(stderr: &str) -> bool {
    UNTRUSTED.iter().any(|t| stderr.contains(t))
}

/// `/` + a validated container-relative path.
pub(crate) fn abs(rel: &str) -> String {
    format!("/{rel}")
}

/// One app container, through `afcclient` or the native client (see
/// `native/`): the same operations, answers and errors either way.
pub(crate) enum Afc<'a> {
    Tool(ToolAfc<'a>),
    Native(NativeAfc<'a>),
}

macro_rules! delegate {
    ($self:ident, $afc:ident => $call:expr) => {
        match $self {
            Afc::Tool($afc) => $call.await,
            // Boxed: the native client's futures nest deeply, and callers'
            // futures (a core operation) would otherwise exceed the
            // compiler's layout depth.
            Afc::Native($afc) => Box::pin($call).await,
        }
    };
}

impl Afc<'_> {
    /// Whether the container can be opened at all: `false` for apps iOS
    /// does not vend a container for.
    pub async fn probe(&self, cancel: &CancellationToken) -> Result<bool> {
        delegate!(self, a => a.probe(cancel))
    }

    /// Base names in a directory.
    pub async fn ls(&self, rel: &str, cancel: &CancellationToken) -> Result<Vec<String>> {
        delegate!(self, a => a.ls(rel, cancel))
    }

    /// Entries with kind and size; `None` when the answer's shape is unknown.
    pub async fn ls_long(&self, rel: &str, cancel: &CancellationToken) -> Result<Option<Vec<Entry>>> {
        delegate!(self, a => a.ls_long(rel, cancel))
    }

    /// File info; `None` when the path does not exist.
    pub async fn info(&self, rel: &str, cancel: &CancellationToken) -> Result<Option<Stat>> {
        delegate!(self, a => a.info(rel, cancel))
    }

    /// Downloads a file into `local` (replaced).
    pub async fn get(&self, rel: &str, local: &Path, size: u64, cancel: &CancellationToken) -> Result<()> {
        delegate!(self, a => a.get(rel, local, size, cancel))
    }

    /// Uploads a file to a path that does not exist yet; callers verify.
    pub async fn put(&self, local: &Path, rel: &str, size: u64, cancel: &CancellationToken) -> Result<()> {
        delegate!(self, a => a.put(local, rel, size, cancel))
    }

    /// Renames, replacing an existing target like rename(2).
    pub async fn mv(&self, from: &str, to: &str, cancel: &CancellationToken) -> Result<()> {
        delegate!(self, a => a.mv(from, to, cancel))
    }

    /// Removes a file; a file that is already gone is not an error.
    pub async fn rm(&self, rel: &str, cancel: &CancellationToken) -> Result<()> {
        delegate!(self, a => a.rm(rel, cancel))
    }
}

pub(crate) struct ToolAfc<'a> {
    pub program: &'a Path,
    pub udid: &'a str,
    pub bundle: &'a str,
    pub timeouts: Timeouts,
    pub retry: Retry,
    /// Extra environment (`USBMUXD_SOCKET_ADDRESS`).
    pub env: Vec<(OsString, OsString)>,
}

impl ToolAfc<'_> {
    fn call(&self, what: String, timeout: Duration, args: Vec<OsString>) -> ToolCall {
        let mut call = ToolCall::new("afcclient", "tool.afcclient", self.program, timeout)
            .args(["-u", self.udid, "--container", self.bundle, "--"])
            .args(args)
            .what(what);
        call.env.clone_from(&self.env);
        call
    }

    /// Runs one command with retries; `subject` names the path in errors.
    async fn run(
        &self,
        what: String,
        timeout: Duration,
        args: Vec<OsString>,
        subject: &str,
        cancel: &CancellationToken,
    ) -> Result<ToolOutput> {
        let call = self.call(what, timeout, args);
        runner::retry(self.retry, cancel, || async {
            let out = runner::run(&call, cancel).await?;
            check(&out, self.udid, self.bundle, subject).map(|()| out)
        })
        .await
    }

    fn words(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    /// Whether the container can be opened at all (`ls /`): `false` for
    /// apps iOS does not vend a container for.
    pub async fn probe(&self, cancel: &CancellationToken) -> Result<bool> {
        let call = self.call(
            format!("open the container of {}", self.bundle),
            self.timeouts.command,
            Self::words(&["ls", "/"]),
        );
        let out = runner::run(&call, cancel).await?;
        if out.stderr_text().contains("InstallationLookupFailed") {
            return Ok(false);
        }
        check(&out, self.udid, self.bundle, "/")?;
        Ok(true)
    }

    /// Base names in a directory.
    pub async fn ls(&self, rel: &str, cancel: &CancellationToken) -> Result<Vec<String>> {
        let path = abs(rel);
        let out = self
            .run(format!("list {path}"), self.timeouts.command, Self::words(&["ls", &path]), rel, cancel)
            .await?;
        Ok(parse::ls_names(&out.stdout_text()))
    }

    /// Entries with kind and size in one call; `None` when this afcclient
    /// prints `ls -l` in a shape [`parse::ls_long`] does not know.
    pub async fn ls_long(&self, rel: &str, cancel: &CancellationToken) -> Result<Option<Vec<Entry>>> {
        let path = abs(rel);
        let args = Self::words(&["ls", "-l", &path]);
        let out = self.run(format!("list {path}"), self.timeouts.command, args, rel, cancel).await?;
        Ok(parse::ls_long(&out.stdout_text()))
    }

    /// File info; `None` when the path does not exist.
    pub async fn info(&self, rel: &str, cancel: &CancellationToken) -> Result<Option<Stat>> {
        let path = abs(rel);
        let args = Self::words(&["info", &path]);
        match self.run(format!("stat {path}"), self.timeouts.command, args, rel, cancel).await {
            Ok(out) => {
                parse::stat_json(&out.stdout_text()).map(Some).ok_or_else(|| DeviceError::ToolFailed {
                    tool: "afcclient",
                    code: out.code,
                    message: format!("unexpected `info` answer for {path}: {}", out.message()),
                })
            }
            Err(DeviceError::NoSuchFile { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Downloads a file (`size` sizes the timeout). The local file is
    /// removed before each attempt: afcclient refuses to overwrite.
    pub async fn get(&self, rel: &str, local: &Path, size: u64, cancel: &CancellationToken) -> Result<()> {
        let path = abs(rel);
        let call = self.call(
            format!("copy {path} from the device"),
            self.timeouts.transfer(size),
            vec!["get".into(), path.into(), local.as_os_str().to_owned()],
        );
        runner::retry(self.retry, cancel, || async {
            match std::fs::remove_file(local) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(DeviceError::io(local, e)),
            }
            let out = runner::run(&call, cancel).await?;
            check(&out, self.udid, self.bundle, rel)
        })
        .await
    }

    /// Uploads a file to a path that does not exist yet (afcclient refuses
    /// to overwrite without `-f`, which older builds lack). afcclient may
    /// report success without writing anything: callers verify.
    pub async fn put(&self, local: &Path, rel: &str, size: u64, cancel: &CancellationToken) -> Result<()> {
        let path = abs(rel);
        let args = vec!["put".into(), local.as_os_str().to_owned(), path.clone().into()];
        self.run(format!("copy to {path}"), self.timeouts.transfer(size), args, rel, cancel).await.map(drop)
    }

    /// Renames (AFC `RenamePath`, which replaces an existing target like
    /// rename(2) on the device).
    pub async fn mv(&self, from: &str, to: &str, cancel: &CancellationToken) -> Result<()> {
        let (a, b) = (abs(from), abs(to));
        let args = Self::words(&["mv", &a, &b]);
        self.run(format!("rename {a}"), self.timeouts.command, args, from, cancel).await.map(drop)
    }

    /// Removes a file; a file that is already gone is not an error.
    pub async fn rm(&self, rel: &str, cancel: &CancellationToken) -> Result<()> {
        let path = abs(rel);
        let args = Self::words(&["rm", &path]);
        match self.run(format!("remove {path}"), self.timeouts.command, args, rel, cancel).await {
            Ok(_) | Err(DeviceError::NoSuchFile { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// afcclient's answer as a typed error (see the module docs for where each
/// text comes from).
fn check(out: &ToolOutput, udid: &str, bundle: &str, subject: &str) -> Result<()> {
    let stderr = parse::strip_ansi(&out.stderr_text());
    if stderr.contains("InstallationLookupFailed") {
        return Err(DeviceError::NotDevelopmentBuild { bundle: bundle.to_owned() });
    }
    if stderr.contains("No device found")
        || (stderr.contains("ERROR: Device") && stderr.contains("not found"))
    {
        return Err(DeviceError::DeviceNotFound { device: format!("ios://{udid}") });
    }
    // lockdownd lets a locked phone open a session but refuses services.
    if stderr.contains("Failed to start service") && stderr.contains("Password protected") {
        return Err(DeviceError::Locked { udid: udid.to_owned() });
    }
    if is_untrusted(&stderr) {
        return Err(DeviceError::Untrusted { udid: udid.to_owned() });
    }
    // afcclient exits 0 when house_arrest's connection breaks before it
    // answers (`afcclient.c`): without this the empty output would pass as
    // an empty listing or an empty file.
    if stderr.contains("document sharing service") {
        return Err(DeviceError::Offline { device: format!("{udid}: {}", stderr.trim()) });
    }
    let stdout = parse::strip_ansi(&out.stdout_text());
    let error_line = stdout
        .lines()
        .chain(stderr.lines())
        .find(|l| l.starts_with("Error:") || l.starts_with("ERROR:") || l.starts_with("Unknown command"));
    if !out.success() || error_line.is_some() {
        let line = error_line.map(str::to_owned).unwrap_or_else(|| out.message());
        return Err(match parse::afc_error_code(&line) {
            Some(AFC_NOT_FOUND) => DeviceError::NoSuchFile { path: subject.to_owned() },
            Some(AFC_PERM_DENIED) => DeviceError::PermissionDenied { path: subject.to_owned() },
            Some(code) if TRANSIENT_AFC.contains(&code) => {
                DeviceError::Offline { device: format!("{udid}: {line}") }
            }
            _ => DeviceError::ToolFailed { tool: "afcclient", code: out.code, message: line },
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(code: i32, stdout: &str, stderr: &str) -> ToolOutput {
        ToolOutput { code, stdout: stdout.as_bytes().to_vec(), stderr: stderr.as_bytes().to_vec() }
    }

    #[test]
    fn maps_afcclient_answers() {
        let c = |o: &ToolOutput| check(o, "U1", "com.x", "Documents/a.db");
        assert!(c(&out(0, "a.db\nb\n", "")).is_ok());
        assert!(matches!(
            c(&out(0, "", "ERROR: InstallationLookupFailed\nThe App 'com.x' is either not present\n")),
            Err(DeviceError::NotDevelopmentBuild { .. })
        ));
        assert!(matches!(c(&out(1, "", "No device found. Plug in a device or pass UDID with -u to wait for device to be available.\n")), Err(DeviceError::DeviceNotFound { .. })));
        assert!(matches!(
            c(&out(1, "", "ERROR: Could not connect to lockdownd: Pairing dialog response pending (-19)\n")),
            Err(DeviceError::Untrusted { .. })
        ));
        assert!(matches!(
            c(&out(
                1,
                "",
                "ERROR: Failed to start service com.apple.mobile.house_arrest: Password protected (-17)\n"
            )),
            Err(DeviceError::Locked { .. })
        ));
        let broken = c(&out(0, "", "Could not get result from document sharing service!\n"));
        assert!(matches!(&broken, Err(e) if e.is_retryable()), "{broken:?}");
        let e = c(&out(0, "Error: Failed to get file info for /Documents/a.db: Not found (8)\n", ""))
            .expect_err("8");
        assert!(matches!(e, DeviceError::NoSuchFile { ref path } if path == "Documents/a.db"), "{e}");
        assert!(matches!(
            c(&out(0, "Error: Failed to rename 'a' -> 'b': Permission denied (10)\n", "")),
            Err(DeviceError::PermissionDenied { .. })
        ));
        let e = c(&out(0, "Error: Failed to read from file '/a': MUX error (30)\n", "")).expect_err("30");
        assert!(e.is_retryable(), "{e}");
        assert!(matches!(
            c(&out(0, "Error: Invalid number of arguments\n", "")),
            Err(DeviceError::ToolFailed { .. })
        ));
        assert!(matches!(
            c(&out(2, "", "Usage: afcclient [OPTIONS]\n")),
            Err(DeviceError::ToolFailed { code: 2, .. })
        ));
    }
}
