//! The native AFC path: Sonde speaks usbmuxd, lockdownd, house_arrest and
//! AFC itself where `afcclient` is not installed (it is in neither Debian's
//! `libimobiledevice-utils` nor Homebrew's stable libimobiledevice).
//!
//! Written here rather than taken from the `idevice` crate: the protocols
//! Sonde needs are five small request/answer exchanges (about 600 lines
//! with tests), while `idevice` changes its API at every point release and
//! brings its own TLS stack and obfuscation layer; see docs/ARCHITECTURE.md.
//!
//! One container session (usbmuxd tunnel → lockdown session → house_arrest
//! `VendContainer` → AFC) is kept per app and reused by the following
//! operations; it is dropped when an operation fails at the connection
//! level or is cancelled midway (its state is then unknown), and the next
//! attempt opens a new one.

mod afc;
mod lockdown;
mod pair;
mod stream;
mod tls;
pub mod usbmux;

use crate::error::{DeviceError, Result};
use crate::ios::parse::{Entry, Stat};
use crate::runner::{self, CancellationToken, Retry, Timeouts};
use afc::{AfcConn, OpenMode, CHUNK};
use lockdown::{Lockdown, PlistConn};
use plist::{Dictionary, Value};
use std::collections::HashMap;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use usbmux::MuxAddress;

const HOUSE_ARREST: &str = "com.apple.mobile.house_arrest";

type Slot = Arc<tokio::sync::Mutex<Option<AfcConn>>>;

/// The native client's state: where usbmuxd is and the open sessions.
pub struct Native {
    pub mux: MuxAddress,
    sessions: Mutex<HashMap<(String, String), Slot>>,
}

impl Native {
    pub fn new(mux: MuxAddress) -> Native {
        Native { mux, sessions: Mutex::new(HashMap::new()) }
    }

    fn slot(&self, udid: &str, bundle: &str) -> Slot {
        let mut sessions = self.sessions.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        sessions.entry((udid.to_owned(), bundle.to_owned())).or_default().clone()
    }

    /// A new container session for `bundle`.
    async fn open(&self, udid: &str, bundle: &str) -> Result<AfcConn> {
        let device = usbmux::find(&self.mux, udid).await?;
        let pair = pair::load(&self.mux, udid).await?;
        let mut ld = Lockdown::start(&self.mux, device, &pair).await?;
        let stream = ld.service(HOUSE_ARREST).await?;
        ld.stop().await;
        let mut conn = PlistConn::new(stream, udid);
        let mut vend = Dictionary::new();
        vend.insert("Command".into(), "VendContainer".into());
        vend.insert("Identifier".into(), bundle.into());
        conn.send(vend).await?;
        let reply = conn.receive().await?;
        if let Some(error) = reply.get("Error").and_then(Value::as_string) {
            return Err(match error {
                "InstallationLookupFailed" | "ApplicationLookupFailed" => {
                    DeviceError::NotDevelopmentBuild { bundle: bundle.to_owned() }
                }
                other => lockdown::lockdown_error(udid, other),
            });
        }
        if reply.get("Status").and_then(Value::as_string) != Some("Complete") {
            return Err(DeviceError::ToolFailed {
                tool: "house_arrest",
                code: -1,
                message: format!("{udid} did not vend the container of {bundle}"),
            });
        }
        Ok(AfcConn::new(conn.stream, udid))
    }
}

/// Whether an error leaves the session usable (it concerned one file).
fn file_level(e: &DeviceError) -> bool {
    matches!(
        e,
        DeviceError::NoSuchFile { .. }
            | DeviceError::PermissionDenied { .. }
            | DeviceError::ToolFailed { tool: "afc", .. }
    )
}

/// One app container over the native client, with the tool path's contract
/// (see `ios/afc.rs`).
pub(crate) struct NativeAfc<'a> {
    pub native: &'a Native,
    pub udid: &'a str,
    pub bundle: &'a str,
    pub timeouts: Timeouts,
    pub retry: Retry,
}

/// What one AFC call on the session returns: a future borrowing the
/// connection and the call's arguments.
type AfcFuture<'c, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'c>>;

/// An AFC path as the protocol and as errors name it.
struct Target {
    abs: String,
    rel: String,
}

impl Target {
    fn new(rel: &str) -> Target {
        Target { abs: super::afc::abs(rel), rel: rel.to_owned() }
    }
}

impl NativeAfc<'_> {
    /// Runs `op` with `args` on the container session (opening one if
    /// needed), under a timeout and `cancel`, with retries on connection
    /// failures. `args` is borrowed by every attempt, so callers need not
    /// clone anything into the closure.
    async fn with_session<A, T, F>(
        &self,
        what: &str,
        timeout: Duration,
        cancel: &CancellationToken,
        args: &A,
        op: F,
    ) -> Result<T>
    where
        A: Sync + ?Sized,
        F: for<'c> Fn(&'c mut AfcConn, &'c A) -> AfcFuture<'c, T>,
    {
        let slot = self.native.slot(self.udid, self.bundle);
        runner::retry(self.retry, cancel, || async {
            let mut guard = slot.lock().await;
            let work = async {
                let mut conn = match guard.take() {
                    Some(conn) => conn,
                    None => self.native.open(self.udid, self.bundle).await?,
                };
                let result = op(&mut conn, args).await;
                match &result {
                    Ok(_) => *guard = Some(conn),
                    Err(e) if file_level(e) => *guard = Some(conn),
                    Err(_) => {}
                }
                result
            };
            let timed = async {
                tokio::time::timeout(timeout, work).await.unwrap_or_else(|_| {
                    Err(DeviceError::Timeout { tool: "afc", what: what.to_owned(), after: timeout })
                })
            };
            tokio::select! {
                r = timed => r,
                () = cancel.cancelled() => Err(DeviceError::Cancelled),
            }
        })
        .await
    }

    /// Whether the container can be opened: `false` for apps iOS does not
    /// vend a container for.
    pub async fn probe(&self, cancel: &CancellationToken) -> Result<bool> {
        let what = format!("open the container of {}", self.bundle);
        match self
            .with_session(&what, self.timeouts.command, cancel, &(), |_, _| Box::pin(async { Ok(()) }))
            .await
        {
            Ok(()) => Ok(true),
            Err(DeviceError::NotDevelopmentBuild { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn ls(&self, rel: &str, cancel: &CancellationToken) -> Result<Vec<String>> {
        let t = Target::new(rel);
        self.with_session(&format!("list {}", t.abs), self.timeouts.command, cancel, &t, |c, t| {
            Box::pin(c.read_dir(&t.abs, &t.rel))
        })
        .await
    }

    /// Entries with kind and size (AFC lists names only: one info each,
    /// over the same session).
    pub async fn ls_long(&self, rel: &str, cancel: &CancellationToken) -> Result<Option<Vec<Entry>>> {
        let t = Target::new(rel);
        let entries = self
            .with_session(&format!("list {}", t.abs), self.timeouts.command, cancel, &t, |c, t| {
                Box::pin(async move {
                    let names = c.read_dir(&t.abs, &t.rel).await?;
                    let mut out = Vec::with_capacity(names.len());
                    for name in names {
                        let path = format!("{}/{name}", t.abs);
                        if let Some(st) = c.file_info(&path, &t.rel).await? {
                            out.push(Entry { name, kind: st.kind, size: st.size });
                        }
                    }
                    Ok(out)
                })
            })
            .await?;
        Ok(Some(entries))
    }

    pub async fn info(&self, rel: &str, cancel: &CancellationToken) -> Result<Option<Stat>> {
        let t = Target::new(rel);
        self.with_session(&format!("stat {}", t.abs), self.timeouts.command, cancel, &t, |c, t| {
            Box::pin(c.file_info(&t.abs, &t.rel))
        })
        .await
    }

    /// Downloads a file into `local` (replaced).
    pub async fn get(&self, rel: &str, local: &Path, size: u64, cancel: &CancellationToken) -> Result<()> {
        let args = (Target::new(rel), local);
        let what = format!("copy {} from the device", args.0.abs);
        self.with_session(&what, self.timeouts.transfer(size), cancel, &args, |c, (t, local)| {
            Box::pin(async move {
                let mut file = tokio::fs::File::create(local).await.map_err(|e| DeviceError::io(local, e))?;
                let handle = c.open(&t.abs, OpenMode::ReadOnly, &t.rel).await?;
                loop {
                    let chunk = c.read(handle, CHUNK, &t.rel).await?;
                    if chunk.is_empty() {
                        break;
                    }
                    file.write_all(&chunk).await.map_err(|e| DeviceError::io(local, e))?;
                }
                c.close(handle, &t.rel).await?;
                file.flush().await.map_err(|e| DeviceError::io(local, e))
            })
        })
        .await
    }

    /// Uploads `local` to `rel` (created or truncated). Callers verify.
    pub async fn put(&self, local: &Path, rel: &str, size: u64, cancel: &CancellationToken) -> Result<()> {
        let args = (Target::new(rel), local);
        let what = format!("copy to {}", args.0.abs);
        self.with_session(&what, self.timeouts.transfer(size), cancel, &args, |c, (t, local)| {
            Box::pin(async move {
                let mut file = tokio::fs::File::open(local).await.map_err(|e| DeviceError::io(local, e))?;
                let handle = c.open(&t.abs, OpenMode::WriteTruncate, &t.rel).await?;
                let mut buf = vec![0u8; CHUNK];
                loop {
                    let n = file.read(&mut buf).await.map_err(|e| DeviceError::io(local, e))?;
                    if n == 0 {
                        break;
                    }
                    c.write(handle, &buf[..n], &t.rel).await?;
                }
                c.close(handle, &t.rel).await
            })
        })
        .await
    }

    /// Renames, replacing an existing target.
    pub async fn mv(&self, from: &str, to: &str, cancel: &CancellationToken) -> Result<()> {
        let args = (Target::new(from), super::afc::abs(to));
        self.with_session(
            &format!("rename {}", args.0.abs),
            self.timeouts.command,
            cancel,
            &args,
            |c, (t, to)| Box::pin(c.rename(&t.abs, to, &t.rel)),
        )
        .await
    }

    /// Removes a file; one that is already gone is not an error.
    pub async fn rm(&self, rel: &str, cancel: &CancellationToken) -> Result<()> {
        let t = Target::new(rel);
        let result = self
            .with_session(&format!("remove {}", t.abs), self.timeouts.command, cancel, &t, |c, t| {
                Box::pin(c.remove(&t.abs, &t.rel))
            })
            .await;
        match result {
            Ok(()) | Err(DeviceError::NoSuchFile { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
