//! The device layer's front door: one object that knows the tools, the
//! workspace and the platform adapters, used by `sonde-core`.

use crate::android::{self, Android};
use crate::error::{DeviceError, Result};
use crate::ios::native::usbmux::MuxAddress;
use crate::ios::native::Native;
use crate::ios::{AfcPath, Ios};
use crate::model::{
    App, DbFile, Device, Fingerprint, Platform, Progress, PullOptions, Pulled, PushOptions, PushReport,
};
use crate::runner::{CancellationToken, Timeouts};
use crate::sim::Sim;
use crate::snapshot::{Snapshot, Workspace};
use crate::tools::{self, Tool, ToolEnv, ToolInfo, Tools};
use crate::uri::DeviceUri;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::OnceCell;
use tracing::instrument;

#[derive(Debug, Clone)]
pub struct DeviceConfig {
    /// Where snapshots live.
    pub workspace: PathBuf,
    pub env: ToolEnv,
    pub android_timeouts: Timeouts,
    pub ios_timeouts: Timeouts,
}

impl DeviceConfig {
    /// Defaults from the process environment: `SONDE_ADB_TIMEOUT_MS` /
    /// `SONDE_IOS_TIMEOUT_MS` (per command) and `SONDE_TRANSFER_TIMEOUT_MS`
    /// (transfer base) shorten or lengthen the timeouts.
    pub fn from_env(workspace: PathBuf) -> Self {
        let ms = |k: &str| {
            std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok()).map(std::time::Duration::from_millis)
        };
        let configure = |mut t: Timeouts, command_var: &str| {
            if let Some(d) = ms(command_var) {
                t.command = d;
            }
            if let Some(d) = ms("SONDE_TRANSFER_TIMEOUT_MS") {
                t.transfer_base = d;
            }
            t
        };
        DeviceConfig {
            workspace,
            env: ToolEnv::from_process(),
            android_timeouts: configure(android::TIMEOUTS, "SONDE_ADB_TIMEOUT_MS"),
            ios_timeouts: configure(crate::ios::TIMEOUTS, "SONDE_IOS_TIMEOUT_MS"),
        }
    }
}

/// Devices of every platform, with what kept a platform from answering.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeviceListing {
    pub devices: Vec<Device>,
    /// e.g. "adb not found: install Android platform-tools ...".
    pub problems: Vec<String>,
}

pub struct DeviceLayer {
    config: DeviceConfig,
    workspace: Workspace,
    tools: OnceCell<Tools>,
    /// The usbmuxd iOS devices are reached through, with its open sessions.
    native: std::sync::RwLock<Arc<Native>>,
}

impl DeviceLayer {
    pub fn new(config: DeviceConfig) -> Self {
        let workspace = Workspace::new(config.workspace.clone());
        let native = Arc::new(Native::new(MuxAddress::from_process()));
        DeviceLayer { config, workspace, tools: OnceCell::new(), native: std::sync::RwLock::new(native) }
    }

    /// Reaches iOS devices through the usbmuxd at `addr` from now on (the
    /// built-in simulated iPhone), tools included.
    pub fn use_usbmuxd(&self, addr: MuxAddress) {
        *self.native.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(Native::new(addr));
    }

    fn native(&self) -> Arc<Native> {
        Arc::clone(&self.native.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// Discovers tools once (concurrently) and remembers them.
    pub async fn tools(&self) -> &Tools {
        self.tools.get_or_init(|| tools::discover(&self.config.env)).await
    }

    /// The tools found, and which path reaches iOS app containers (a
    /// missing `afcclient` is no problem: the built-in client takes over).
    pub async fn tool_report(&self) -> Vec<ToolInfo> {
        let tools = self.tools().await;
        let forced = std::env::var("SONDE_IOS_AFC").ok();
        let afc = AfcPath::choose(forced.as_deref(), tools.path(Tool::Afcclient).is_some());
        let mut report = tools.report.clone();
        for t in report.iter_mut().filter(|t| t.tool == Tool::Afcclient) {
            t.note = Some(format!("iOS app containers: {}", afc.describe()));
            if afc == AfcPath::Native {
                t.problem = None;
            }
        }
        report
    }

    async fn tool(&self, tool: Tool) -> Result<PathBuf> {
        let tools = self.tools().await;
        tools.path(tool).map(PathBuf::from).ok_or_else(|| tools.missing(tool))
    }

    pub async fn android(&self) -> Result<Android> {
        let mut a = Android::new(self.tool(Tool::Adb).await?);
        a.timeouts = self.config.android_timeouts;
        Ok(a)
    }

    pub async fn ios(&self) -> Result<Ios> {
        let mut ios = Ios::new(self.tools().await)?.with_native(self.native());
        ios.timeouts = self.config.ios_timeouts;
        Ok(ios)
    }

    pub async fn sim(&self) -> Result<Sim> {
        Ok(Sim::new(self.tool(Tool::Xcrun).await?))
    }

    /// Devices of all platforms, listed concurrently; a platform whose tools
    /// are missing or failing is reported in `problems`, not as an error.
    #[instrument(skip_all)]
    pub async fn devices(&self, cancel: &CancellationToken) -> DeviceListing {
        let android = async { self.android().await?.devices(cancel).await };
        let ios = async { self.ios().await?.devices(cancel).await };
        let sim = async { self.sim().await?.devices(cancel).await };
        let (a, i, s) = tokio::join!(android, ios, sim);
        let mut listing = DeviceListing::default();
        for (platform, result) in [(Platform::Android, a), (Platform::Ios, i), (Platform::Sim, s)] {
            match result {
                Ok(devices) => listing.devices.extend(devices),
                Err(e) => listing.problems.push(format!("{}: {e}", platform.scheme())),
            }
        }
        listing
    }

    /// Finds a device by `scheme://id` or bare id.
    pub async fn find_device(&self, text: &str, cancel: &CancellationToken) -> Result<Device> {
        let (platform, id) = match text.split_once("://") {
            Some((scheme, rest)) => {
                let platform = match scheme {
                    "android" => Platform::Android,
                    "ios" => Platform::Ios,
                    "sim" => Platform::Sim,
                    _ => {
                        return Err(DeviceError::BadUri { uri: text.into(), reason: "unknown scheme".into() })
                    }
                };
                (Some(platform), rest.trim_end_matches('/'))
            }
            None => (None, text),
        };
        let listing = match platform {
            Some(Platform::Android) => self.android().await?.devices(cancel).await?,
            Some(Platform::Ios) => self.ios().await?.devices(cancel).await?,
            Some(Platform::Sim) => self.sim().await?.devices(cancel).await?,
            None => self.devices(cancel).await.devices,
        };
        listing
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| DeviceError::DeviceNotFound { device: text.into() })
    }

    #[instrument(skip_all, fields(device = %device.id))]
    pub async fn apps(
        &self,
        device: &Device,
        include_system: bool,
        cancel: &CancellationToken,
    ) -> Result<Vec<App>> {
        match device.platform {
            Platform::Android => self.android().await?.apps(&device.id, include_system, cancel).await,
            Platform::Ios => self.ios().await?.apps(&device.id, include_system, cancel).await,
            Platform::Sim => self.sim().await?.apps(&device.id, include_system, cancel).await,
        }
    }

    #[instrument(skip_all, fields(device = %device.id, app))]
    pub async fn databases(
        &self,
        device: &Device,
        app: &str,
        cancel: &CancellationToken,
    ) -> Result<Vec<DbFile>> {
        match device.platform {
            Platform::Android => self.android().await?.databases(&device.id, app, cancel).await,
            Platform::Ios => self.ios().await?.databases(&device.id, app, cancel).await,
            Platform::Sim => self.sim().await?.databases(&device.id, app, cancel).await,
        }
    }

    /// Pulls a verified snapshot (Android, iOS devices). Simulator databases
    /// are host files: use [`Self::sim_path`] instead.
    #[instrument(skip_all, fields(uri = %uri))]
    pub async fn pull(
        &self,
        uri: &DeviceUri,
        opts: &PullOptions,
        cancel: &CancellationToken,
    ) -> Result<Pulled> {
        match uri.platform {
            Platform::Android => self.android().await?.pull(&self.workspace, uri, opts, cancel).await,
            Platform::Ios => {
                let mut snapshot = self.ios().await?.pull(&self.workspace, uri, cancel).await?;
                if opts.rebase {
                    snapshot.manifest.dirty = true;
                    snapshot.manifest.rebase_needed = true;
                    snapshot.save_manifest()?;
                }
                let moved_bytes = snapshot.manifest.device.total();
                Ok(Pulled { snapshot, moved_bytes })
            }
            Platform::Sim => Err(DeviceError::InPlace { action: "pull" }),
        }
    }

    /// A cheap look at a device database's files (one tool call on
    /// Android), for a watch to compare from one interval to the next.
    pub async fn fingerprint(&self, uri: &DeviceUri, cancel: &CancellationToken) -> Result<Fingerprint> {
        match uri.platform {
            Platform::Android => self.android().await?.fingerprint(uri, cancel).await,
            Platform::Ios => self.ios().await?.fingerprint(uri, cancel).await,
            Platform::Sim => Err(DeviceError::InPlace { action: "watch through the device" }),
        }
    }

    /// Pushes an edited snapshot back (checks, staging, verified swap).
    #[instrument(skip_all, fields(uri = %snapshot.manifest.uri))]
    pub async fn push(
        &self,
        snapshot: &mut Snapshot,
        opts: PushOptions,
        progress: Progress<'_>,
        cancel: &CancellationToken,
    ) -> Result<PushReport> {
        let uri = DeviceUri::parse(&snapshot.manifest.uri)?;
        match uri.platform {
            Platform::Android => {
                self.android().await?.push(&self.workspace, snapshot, opts, progress, cancel).await
            }
            Platform::Ios => self.ios().await?.push(&self.workspace, snapshot, opts, progress, cancel).await,
            Platform::Sim => Err(DeviceError::InPlace { action: "push" }),
        }
    }

    /// The host path of a simulator database (opened in place, WAL and all).
    pub async fn sim_path(&self, uri: &DeviceUri, cancel: &CancellationToken) -> Result<PathBuf> {
        self.sim().await?.resolve(uri, cancel).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    /// The app runs these futures on Tauri's multi-threaded runtime: they
    /// must be `Send` (a borrow with a higher-ranked lifetime inside a
    /// stream combinator silently breaks that).
    #[test]
    fn layer_futures_are_send() {
        let layer = DeviceLayer::new(DeviceConfig::from_env(std::env::temp_dir().join("sonde-send-check")));
        let cancel = CancellationToken::new();
        let device = Device {
            platform: Platform::Ios,
            id: "x".into(),
            name: "x".into(),
            model: None,
            os_version: None,
            kind: crate::model::DeviceKind::Physical,
            state: crate::model::DeviceState::Ready,
            raw_state: "device".into(),
        };
        let uri = DeviceUri::parse("ios://x/com.x/Documents/a.db").expect("uri");
        assert_send(&layer.devices(&cancel));
        assert_send(&layer.find_device("x", &cancel));
        assert_send(&layer.apps(&device, true, &cancel));
        assert_send(&layer.databases(&device, "com.x", &cancel));
        assert_send(&layer.pull(&uri, &PullOptions::default(), &cancel));
        assert_send(&layer.sim_path(&uri, &cancel));
    }
}
