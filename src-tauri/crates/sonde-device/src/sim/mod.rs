//! iOS simulators through `xcrun simctl` (macOS with Xcode only; on Linux
//! the tests drive a fake `xcrun`, see `tests/fakes/xcrun`).
//!
//! A simulator's app containers are host directories, so nothing is pulled
//! or pushed: [`Sim::resolve`] returns the database's own host path, opened
//! in place with its `-wal` (which is never touched here). Containers come
//! from `simctl listapps` (`DataContainer`, `GroupContainers`); a database
//! in an app-group container is addressed as `groups/<group id>/<path>`.
//! For a shut-down simulator, whose files are still on disk, the data
//! containers are found from their metadata files instead.

pub(crate) mod host;
mod offline;
pub mod parse;

use crate::error::{DeviceError, Result};
use crate::model::{App, DbFile, Device, Platform};
use crate::quote::{validate_id, validate_relative_path};
use crate::runner::{self, CancellationToken, ToolCall, ToolOutput};
use crate::uri::DeviceUri;
use parse::SimApp;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A cold simulator boot (first boot after an Xcode update) takes minutes.
const BOOT_TIMEOUT: Duration = Duration::from_secs(300);

/// Prefix of paths in an app-group container.
const GROUPS: &str = "groups/";

pub struct Sim {
    xcrun: PathBuf,
    /// Budget of one simctl call (the first call after a reboot can take
    /// several seconds while CoreSimulator starts).
    pub timeout: Duration,
}

impl Sim {
    pub fn new(xcrun: PathBuf) -> Sim {
        Sim { xcrun, timeout: Duration::from_secs(30) }
    }

    /// `xcrun simctl <args>`, whatever its exit status.
    async fn simctl_raw(&self, args: &[&str], cancel: &CancellationToken) -> Result<ToolOutput> {
        let call = ToolCall::new("xcrun", "tool.xcrun", &self.xcrun, self.timeout)
            .arg("simctl")
            .args(args.iter().copied())
            .what(format!("simctl {}", args.first().copied().unwrap_or("")));
        runner::run(&call, cancel).await
    }

    /// `xcrun simctl <args>`; a non-zero exit becomes a typed error.
    async fn simctl(
        &self,
        args: &[&str],
        udid: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<ToolOutput> {
        let out = self.simctl_raw(args, cancel).await?;
        if out.success() {
            Ok(out)
        } else {
            Err(simctl_error(&out, udid))
        }
    }

    pub async fn devices(&self, cancel: &CancellationToken) -> Result<Vec<Device>> {
        let out = self.simctl(&["list", "devices", "--json"], None, cancel).await?;
        parse::devices(&out.stdout_text()).map_err(|e| DeviceError::ToolFailed {
            tool: "xcrun",
            code: out.code,
            message: format!("could not read `simctl list devices --json`: {e}"),
        })
    }

    /// `simctl listapps` of a simulator, parsed; for a shut-down one, the
    /// apps whose containers are on disk (see `offline.rs`).
    async fn list_apps(&self, udid: &str, cancel: &CancellationToken) -> Result<Vec<SimApp>> {
        validate_id("simulator id", udid)?;
        let out = self.simctl_raw(&["listapps", udid], cancel).await?;
        if out.success() {
            return parse::apps(&out.stdout_text()).map_err(|e| DeviceError::ToolFailed {
                tool: "xcrun",
                code: out.code,
                message: format!("could not read `simctl listapps` ({e}); is this Xcode supported?"),
            });
        }
        if !is_shut_down(&out) {
            return Err(simctl_error(&out, Some(udid)));
        }
        tracing::info!(udid, "simulator is shut down; reading its containers from disk");
        let list = self.simctl(&["list", "devices", "--json"], None, cancel).await?;
        let data =
            parse::data_path(&list.stdout_text(), udid).ok_or_else(|| simctl_error(&out, Some(udid)))?;
        tokio::task::spawn_blocking(move || offline::apps(&data))
            .await
            .map_err(|e| DeviceError::Internal(format!("container scan: {e}")))
    }

    async fn app(&self, udid: &str, bundle: &str, cancel: &CancellationToken) -> Result<SimApp> {
        validate_id("bundle id", bundle)?;
        self.list_apps(udid, cancel)
            .await?
            .into_iter()
            .find(|a| a.id == bundle)
            .ok_or_else(|| DeviceError::UnknownPackage { package: bundle.to_owned() })
    }

    /// Installed apps (user apps unless `include_system`). Every simulator
    /// container is readable, so there is nothing like `debuggable` to check.
    pub async fn apps(
        &self,
        udid: &str,
        include_system: bool,
        cancel: &CancellationToken,
    ) -> Result<Vec<App>> {
        Ok(self
            .list_apps(udid, cancel)
            .await?
            .into_iter()
            .filter(|a| include_system || !a.system)
            .map(|a| App { id: a.id, name: a.name, version: a.version, system: a.system, debuggable: None })
            .collect())
    }

    /// Databases in the app's data container and its app-group containers
    /// (those as `groups/<group id>/...`), found on the host filesystem.
    pub async fn databases(
        &self,
        udid: &str,
        bundle: &str,
        cancel: &CancellationToken,
    ) -> Result<Vec<DbFile>> {
        let app = self.app(udid, bundle, cancel).await?;
        let mut roots: Vec<(String, PathBuf)> = app.data.map(|d| (String::new(), d)).into_iter().collect();
        roots.extend(app.groups.into_iter().map(|(id, path)| (format!("{GROUPS}{id}/"), path)));
        let found = tokio::task::spawn_blocking(move || {
            roots
                .into_iter()
                .flat_map(|(prefix, root)| {
                    host::databases(&root).into_iter().map(move |f| (prefix.clone(), f))
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| DeviceError::Internal(format!("container walk: {e}")))?;
        Ok(found
            .into_iter()
            .map(|(prefix, f)| {
                let path = format!("{prefix}{}", f.path);
                let uri = DeviceUri::for_file(Platform::Sim, udid, bundle, &path);
                DbFile { uri: uri.to_string(), path, size: f.size, wal: f.wal, journal: f.journal }
            })
            .collect())
    }

    /// Boots a shut-down simulator and waits until it has booted
    /// (`simctl boot`, then `simctl bootstatus`, which returns once
    /// SpringBoard is up); on macOS also shows it in Simulator.app.
    /// Returns whether it was running already.
    pub async fn boot(&self, udid: &str, cancel: &CancellationToken) -> Result<bool> {
        validate_id("simulator id", udid)?;
        let out = self.simctl_raw(&["boot", udid], cancel).await?;
        let already = !out.success() && out.stderr_text().contains("current state: Booted");
        if !out.success() && !already {
            return Err(simctl_error(&out, Some(udid)));
        }
        let wait = ToolCall::new("xcrun", "tool.xcrun", &self.xcrun, BOOT_TIMEOUT)
            .args(["simctl", "bootstatus", udid])
            .what("wait for the simulator to boot");
        let out = runner::run(&wait, cancel).await?;
        if !out.success() {
            return Err(simctl_error(&out, Some(udid)));
        }
        if crate::host::HostOs::current() == crate::host::HostOs::MacOs {
            // Best effort: the simulator runs without its window too.
            let open = ToolCall::new("open", "tool.open", "/usr/bin/open", Duration::from_secs(20))
                .args(["-a", "Simulator", "--args", "-CurrentDeviceUDID", udid])
                .what("open Simulator");
            if let Err(e) = runner::run(&open, cancel).await {
                tracing::warn!("could not open Simulator.app: {e}");
            }
        }
        Ok(already)
    }

    /// The host path of a simulator database, inside its container
    /// (symlinks resolved, anything leading outside refused).
    pub async fn resolve(&self, uri: &DeviceUri, cancel: &CancellationToken) -> Result<PathBuf> {
        if uri.platform != Platform::Sim {
            return Err(DeviceError::BadUri { uri: uri.to_string(), reason: "not a sim:// location".into() });
        }
        validate_id("simulator id", &uri.device)?;
        // Validated again: a `DeviceUri` can be built without parsing.
        validate_relative_path(&uri.path)?;
        let app = self.app(&uri.device, &uri.app, cancel).await?;
        let (root, rel) = container_of(&app, &uri.path)?;
        let (root, rel) = (root.to_path_buf(), rel.to_owned());
        tokio::task::spawn_blocking(move || host::contained(&root, &rel))
            .await
            .map_err(|e| DeviceError::Internal(format!("path check: {e}")))?
    }
}

/// The container a URI path lives in, and the path inside it.
fn container_of<'a>(app: &'a SimApp, path: &'a str) -> Result<(&'a Path, &'a str)> {
    match path.strip_prefix(GROUPS) {
        Some(rest) => {
            let (group, rel) =
                rest.split_once('/').ok_or_else(|| DeviceError::NoSuchFile { path: path.into() })?;
            parse::validate_group(group)?;
            let root =
                app.groups.iter().find(|(g, _)| g == group).map(|(_, p)| p.as_path()).ok_or_else(|| {
                    DeviceError::NoAppGroup { app: app.id.clone(), group: group.to_owned() }
                })?;
            Ok((root, rel))
        }
        None => {
            let root =
                app.data.as_deref().ok_or_else(|| DeviceError::NoDataContainer { app: app.id.clone() })?;
            Ok((root, path))
        }
    }
}

/// CoreSimulator's answer for a command that needs a booted simulator.
fn is_shut_down(out: &ToolOutput) -> bool {
    out.stderr_text().contains("current state: Shutdown")
}

/// simctl's failures, in words a user can act on (messages as printed by
/// CoreSimulator: `Invalid device: <id>`, `Unable to lookup in current
/// state: Shutdown`; `xcrun: error: unable to find utility "simctl"` when
/// only the Command Line Tools are selected).
fn simctl_error(out: &ToolOutput, udid: Option<&str>) -> DeviceError {
    let text = format!("{}\n{}", out.stderr_text(), out.stdout_text());
    let udid = udid.unwrap_or("");
    if text.contains("Invalid device") {
        DeviceError::DeviceNotFound { device: format!("sim://{udid}") }
    } else if is_shut_down(out) {
        DeviceError::SimulatorShutDown { udid: udid.to_owned() }
    } else if text.contains("unable to find utility") {
        DeviceError::ToolMissing {
            tool: "xcrun",
            hint: "simctl not found: install Xcode and select it (`sudo xcode-select -s /Applications/Xcode.app`)"
                .into(),
        }
    } else {
        DeviceError::ToolFailed { tool: "xcrun", code: out.code, message: out.message() }
    }
}
