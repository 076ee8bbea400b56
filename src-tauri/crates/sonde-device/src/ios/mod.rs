//! iOS devices through libimobiledevice: `idevice_id` (which devices),
//! `ideviceinfo` (what they are), `ideviceinstaller` (which apps) and
//! `afcclient` (the files of an app's container). These need a device on
//! USB (and usbmuxd); on Linux CI the tests drive fake tools instead (see
//! `tests/fakes/`), which print the same formats.
//!
//! Locations are `ios://<udid>/<bundle>/<path in the app container>`.
//! Only apps signed for development expose their container (iOS's
//! `house_arrest` refuses others); [`Ios::apps`] reports which do as
//! `debuggable`. Pull and push follow the Android adapter's contract
//! (verified snapshot; staged, verified swap that leaves the device as it
//! was on any failure), adapted to what AFC can do: no hashing on the
//! device, no way to stop an app.

mod afc;
pub mod native;
pub mod parse;
mod pull;
mod push;
mod state;
mod walk;

use crate::error::{DeviceError, Result};
use crate::model::{printable, Fingerprint};
use crate::model::{
    App, DbFile, Device, DeviceKind, DeviceState, Platform, Progress, PushOptions, PushReport,
};
use crate::quote::{validate_id, validate_relative_path};
use crate::runner::{self, CancellationToken, Retry, Timeouts, ToolCall, ToolOutput};
use crate::snapshot::{Snapshot, Workspace};
use crate::tools::{Tool, Tools};
use crate::uri::DeviceUri;
use afc::{Afc, ToolAfc};
use futures::stream::{self, StreamExt, TryStreamExt};
use native::usbmux::MuxAddress;
use native::{Native, NativeAfc};
use parse::validate_udid;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// libimobiledevice's default timeouts (every call starts a new process and
/// device connection): 20 s per command, transfers 30 s + 1 s/MiB.
pub const TIMEOUTS: Timeouts = Timeouts::new(20, 30, 1000);

/// How app containers are reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum AfcPath {
    /// libimobiledevice's `afcclient`, where it is installed.
    Tool,
    /// Sonde's own usbmuxd/lockdown/house_arrest/AFC client.
    Native,
}

impl AfcPath {
    /// `SONDE_IOS_AFC` (`tool` / `native`) when set, else the tool when
    /// `afcclient` was found, else the native client.
    pub fn choose(forced: Option<&str>, afcclient_found: bool) -> AfcPath {
        match forced.map(str::trim) {
            Some("native") => AfcPath::Native,
            Some("tool") if afcclient_found => AfcPath::Tool,
            _ if afcclient_found => AfcPath::Tool,
            _ => AfcPath::Native,
        }
    }

    /// What `sonde doctor` and the app's diagnostics say.
    pub fn describe(self) -> &'static str {
        match self {
            AfcPath::Tool => "afcclient (libimobiledevice)",
            AfcPath::Native => "built-in AFC client (usbmuxd, lockdown, house_arrest)",
        }
    }
}

pub struct Ios {
    idevice_id: PathBuf,
    ideviceinfo: Option<PathBuf>,
    ideviceinstaller: Option<PathBuf>,
    afcclient: Option<PathBuf>,
    afc_path: AfcPath,
    native: Arc<Native>,
    /// `USBMUXD_SOCKET_ADDRESS` for the tools, when set by [`Ios::with_usbmuxd`].
    mux_env: Option<String>,
    pub timeouts: Timeouts,
    pub retry: Retry,
}

impl Ios {
    /// Needs `idevice_id` (without it there is no iOS support at all); the
    /// other tools are looked up when a feature needs them.
    pub fn new(tools: &Tools) -> Result<Ios> {
        let idevice_id = tools
            .path(Tool::IdeviceId)
            .map(Path::to_path_buf)
            .ok_or_else(|| tools.missing(Tool::IdeviceId))?;
        let path = |t: Tool| tools.path(t).map(Path::to_path_buf);
        let forced = std::env::var("SONDE_IOS_AFC").ok();
        let afc_path = AfcPath::choose(forced.as_deref(), tools.path(Tool::Afcclient).is_some());
        Ok(Ios {
            afc_path,
            native: Arc::new(Native::new(MuxAddress::from_process())),
            mux_env: None,
            idevice_id,
            ideviceinfo: path(Tool::Ideviceinfo),
            ideviceinstaller: path(Tool::Ideviceinstaller),
            afcclient: path(Tool::Afcclient),
            timeouts: TIMEOUTS,
            retry: Retry::default(),
        })
    }

    fn require<'a>(&self, path: &'a Option<PathBuf>, tool: Tool, hint: &str) -> Result<&'a Path> {
        path.as_deref().ok_or_else(|| DeviceError::ToolMissing { tool: tool.binary(), hint: hint.to_owned() })
    }

    /// Talks to the usbmuxd at `addr` (the native client, and the tools
    /// through `USBMUXD_SOCKET_ADDRESS`) instead of the process's.
    pub fn with_usbmuxd(self, addr: MuxAddress) -> Ios {
        self.with_native(Arc::new(Native::new(addr)))
    }

    /// Shares `native`'s usbmuxd and open container sessions (the device
    /// layer keeps one across operations).
    pub fn with_native(mut self, native: Arc<Native>) -> Ios {
        self.mux_env = Some(native.mux.to_string());
        self.native = native;
        self
    }

    /// Reaches containers through `path` (the native client is always
    /// available; the tool path needs `afcclient`).
    pub fn with_afc_path(mut self, path: AfcPath) -> Ios {
        self.afc_path = path;
        self
    }

    fn tool_env(&self) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
        self.mux_env.iter().map(|v| ("USBMUXD_SOCKET_ADDRESS".into(), v.into())).collect()
    }

    /// Which path reaches app containers.
    pub fn afc_path(&self) -> AfcPath {
        self.afc_path
    }

    fn afc<'a>(&'a self, udid: &'a str, bundle: &'a str) -> Result<Afc<'a>> {
        validate_udid(udid)?;
        validate_id("bundle id", bundle)?;
        let (timeouts, retry) = (self.timeouts, self.retry);
        Ok(match self.afc_path {
            AfcPath::Native => Afc::Native(NativeAfc { native: &self.native, udid, bundle, timeouts, retry }),
            AfcPath::Tool => {
                let program = self.require(
                    &self.afcclient,
                    Tool::Afcclient,
                    "install a libimobiledevice release that includes afcclient, or unset SONDE_IOS_AFC",
                )?;
                Afc::Tool(ToolAfc { program, udid, bundle, timeouts, retry, env: self.tool_env() })
            }
        })
    }

    /// Runs `idevice_id`, `ideviceinfo` or `ideviceinstaller` with retries.
    async fn run(
        &self,
        tool: Tool,
        program: &Path,
        args: &[&str],
        cancel: &CancellationToken,
    ) -> Result<ToolOutput> {
        let metric = match tool {
            Tool::IdeviceId => "tool.idevice_id",
            Tool::Ideviceinfo => "tool.ideviceinfo",
            _ => "tool.ideviceinstaller",
        };
        let mut call =
            ToolCall::new(tool.binary(), metric, program, self.timeouts.command).args(args.iter().copied());
        call.env = self.tool_env();
        let call = call.what(format!("{} {}", tool.binary(), args.last().copied().unwrap_or("")));
        runner::retry(self.retry, cancel, || runner::run(&call, cancel)).await
    }

    /// Attached devices (usbmuxd's list), with name, model and iOS version.
    /// A device that is locked or does not trust this computer is listed
    /// as `unauthorized`.
    pub async fn devices(&self, cancel: &CancellationToken) -> Result<Vec<Device>> {
        let out = self.run(Tool::IdeviceId, &self.idevice_id, &["-l"], cancel).await?;
        if !out.success() {
            return Err(DeviceError::ToolFailed {
                tool: "idevice_id",
                code: out.code,
                message: format!(
                    "{} (is usbmuxd running? Linux: install usbmuxd and reconnect the device)",
                    out.message()
                ),
            });
        }
        let udids = parse::udids(&out.stdout_text());
        stream::iter(udids).map(|udid| self.describe(udid, cancel)).buffered(4).try_collect().await
    }

    /// One device as `ideviceinfo` describes it.
    async fn describe(&self, udid: String, cancel: &CancellationToken) -> Result<Device> {
        let mut device = Device {
            platform: Platform::Ios,
            id: udid.clone(),
            name: udid.clone(),
            model: None,
            os_version: None,
            kind: DeviceKind::Physical,
            state: DeviceState::Ready,
            raw_state: "attached".into(),
        };
        let Some(info) = &self.ideviceinfo else { return Ok(device) };
        let (state, raw) = match self.run(Tool::Ideviceinfo, info, &["-u", &udid], cancel).await {
            Ok(out) if out.success() => {
                let text = out.stdout_text();
                let value = |k: &str| parse::info_value(&text, k).map(printable);
                if let Some(name) = value("DeviceName") {
                    device.name = name;
                }
                device.model = value("ProductType");
                device.os_version = value("ProductVersion").map(|v| format!("iOS {v}"));
                (DeviceState::Ready, "paired".to_owned())
            }
            Ok(out) if afc::is_untrusted(&out.stderr_text()) => {
                (DeviceState::Unauthorized, "not trusted".to_owned())
            }
            Ok(out) => (DeviceState::Unknown, printable(&out.message())),
            Err(DeviceError::Cancelled) => return Err(DeviceError::Cancelled),
            Err(e) => (DeviceState::Unknown, printable(&e.to_string())),
        };
        device.state = state;
        device.raw_state = raw;
        Ok(device)
    }

    /// Installed apps (user apps unless `include_system`); for user apps,
    /// `debuggable` says whether their container can be opened (only
    /// development builds allow it).
    pub async fn apps(
        &self,
        udid: &str,
        include_system: bool,
        cancel: &CancellationToken,
    ) -> Result<Vec<App>> {
        validate_udid(udid)?;
        let installer = self.require(
            &self.ideviceinstaller,
            Tool::Ideviceinstaller,
            "install ideviceinstaller (Debian: apt install ideviceinstaller; macOS: brew install ideviceinstaller)",
        )?;
        let list = |system: bool| async move {
            let mut args = vec!["-u", udid, "-l"];
            if system {
                args.extend(["-o", "list_system"]);
            }
            let out = self.run(Tool::Ideviceinstaller, installer, &args, cancel).await?;
            installer_error(&out, udid).map_or(Ok(parse::installed_apps(&out.stdout_text())), Err)
        };
        let (user, system) = tokio::try_join!(list(false), async {
            if include_system {
                list(true).await
            } else {
                Ok(Vec::new())
            }
        })?;
        let checks = user.into_iter().map(|a| (a, false)).chain(system.into_iter().map(|a| (a, true)));
        let mut apps: Vec<App> = stream::iter(checks)
            .map(|(a, system)| async move {
                let debuggable = if system {
                    None
                } else {
                    match self.afc(udid, &a.id)?.probe(cancel).await {
                        Ok(open) => Some(open),
                        Err(DeviceError::Cancelled) => return Err(DeviceError::Cancelled),
                        Err(e) => {
                            tracing::debug!(app = %a.id, error = %e, "container check failed");
                            None
                        }
                    }
                };
                Ok(App { id: a.id, name: a.name, version: a.version, system, debuggable })
            })
            .buffer_unordered(4)
            .try_collect()
            .await?;
        apps.sort_by(|a, b| a.id.cmp(&b.id));
        apps.dedup_by(|a, b| a.id == b.id);
        Ok(apps)
    }

    /// SQLite databases in the app's container (`Documents/`, `Library/`),
    /// `-wal`/`-shm`/`-journal` grouped with their database.
    pub async fn databases(
        &self,
        udid: &str,
        bundle: &str,
        cancel: &CancellationToken,
    ) -> Result<Vec<DbFile>> {
        let afc = self.afc(udid, bundle)?;
        Ok(walk::databases(&afc, cancel)
            .await?
            .into_iter()
            .map(|f| {
                let uri = DeviceUri::for_file(Platform::Ios, udid, bundle, &f.path);
                DbFile { uri: uri.to_string(), path: f.path, size: f.size, wal: f.wal, journal: f.journal }
            })
            .collect())
    }

    /// Pulls a verified snapshot of the database with its `-wal` and
    /// `-journal` (see `pull.rs`).
    pub async fn pull(
        &self,
        ws: &Workspace,
        uri: &DeviceUri,
        cancel: &CancellationToken,
    ) -> Result<Snapshot> {
        let afc = self.afc_for(uri)?;
        pull::pull(&afc, ws, uri, cancel).await
    }

    /// Pushes the snapshot's database back (see `push.rs`). The snapshot
    /// must be a single checkpointed file.
    pub async fn push(
        &self,
        ws: &Workspace,
        snapshot: &mut Snapshot,
        opts: PushOptions,
        progress: Progress<'_>,
        cancel: &CancellationToken,
    ) -> Result<PushReport> {
        let uri = DeviceUri::parse(&snapshot.manifest.uri)?;
        let afc = self.afc_for(&uri)?;
        push::push(&afc, ws, snapshot, opts, progress, cancel).await
    }

    /// A cheap look at a database's files (size and mtime of the database
    /// and its `-wal`), compared from one watch interval to the next.
    pub async fn fingerprint(&self, uri: &DeviceUri, cancel: &CancellationToken) -> Result<Fingerprint> {
        let afc = self.afc_for(uri)?;
        let mut parts = Vec::with_capacity(2);
        for suffix in ["", "-wal"] {
            let rel = format!("{}{suffix}", uri.path);
            let stat = afc.info(&rel, cancel).await?;
            if suffix.is_empty() && stat.is_none() {
                return Err(DeviceError::NoSuchFile { path: uri.path.clone() });
            }
            parts.push(stat.map(|s| format!("{} {:?}", s.size, s.mtime)).unwrap_or_default());
        }
        Ok(Fingerprint { stamp: parts.join("|"), file_id: None })
    }

    /// The container of an `ios://` location, its path validated again
    /// (a `DeviceUri` can be built without parsing).
    fn afc_for<'a>(&'a self, uri: &'a DeviceUri) -> Result<Afc<'a>> {
        if uri.platform != Platform::Ios {
            return Err(DeviceError::BadUri {
                uri: uri.to_string(),
                reason: "not an ios:// location".into(),
            });
        }
        validate_relative_path(&uri.path)?;
        self.afc(&uri.device, &uri.app)
    }
}

/// ideviceinstaller's failures (it prints some on stdout, and an old build
/// refuses UDIDs that are not 40 hex digits).
fn installer_error(out: &ToolOutput, udid: &str) -> Option<DeviceError> {
    let text = format!("{}\n{}", out.stderr_text(), out.stdout_text());
    if text.contains("No iOS device found") || text.contains("No device found") {
        Some(DeviceError::DeviceNotFound { device: format!("ios://{udid}") })
    } else if text.contains("Could not start com.apple.mobile.installation_proxy") {
        // lockdownd refuses to start services on a locked phone
        // (PasswordProtected) while sessions still work (docs/ios-facts.md).
        Some(DeviceError::Locked { udid: udid.to_owned() })
    } else if afc::is_untrusted(&text) || text.contains("Could not connect to lockdownd") {
        Some(DeviceError::Untrusted { udid: udid.to_owned() })
    } else if text.contains("Invalid UDID") {
        Some(DeviceError::ToolFailed {
            tool: "ideviceinstaller",
            code: out.code,
            message: "this ideviceinstaller refuses this UDID (old builds accept only 40-digit UDIDs): install a newer ideviceinstaller".into(),
        })
    } else if !out.success() || out.stderr_text().contains("ERROR:") {
        Some(DeviceError::ToolFailed { tool: "ideviceinstaller", code: out.code, message: out.message() })
    } else {
        None
    }
}
