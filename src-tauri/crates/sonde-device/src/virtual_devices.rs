//! Virtual devices that can be booted: Android AVDs (`emulator
//! -list-avds`) and iOS simulators (`simctl list`), whether running or
//! not, and booting one by name. Shared by `sonde emulators` / `sonde
//! boot` and the app's device tree.

use crate::android::emulator::{BootOptions, BootProgress, Emulator};
use crate::error::{DeviceError, Result};
use crate::layer::DeviceLayer;
use crate::model::{DeviceState, Platform};
use crate::runner::CancellationToken;
use crate::tools::Tool;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;
use tracing::instrument;

/// An AVD or a simulator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VirtualDevice {
    /// `android` for an AVD, `sim` for a simulator.
    pub platform: Platform,
    /// The AVD name, or the simulator's UDID: what `boot` takes.
    pub id: String,
    pub name: String,
    pub os_version: Option<String>,
    /// The device it runs as (`android://emulator-5554`, `sim://UDID`).
    pub running: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VirtualListing {
    pub devices: Vec<VirtualDevice>,
    /// A platform that could not be asked (its tool missing or failing).
    pub problems: Vec<String>,
}

/// Where a boot is, with the device as `scheme://id` once it is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum BootStep {
    Starting { name: String },
    Booting { device: String },
    Booted { device: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BootReport {
    /// `android://SERIAL` or `sim://UDID`.
    pub device: String,
    pub already_running: bool,
}

/// How long a boot may take, and where the emulator's output goes.
#[derive(Debug, Clone)]
pub struct BootSettings {
    pub timeout: Duration,
    pub poll: Duration,
    /// The directory of emulator logs (`emulator-<AVD>.log`).
    pub log_dir: PathBuf,
}

impl DeviceLayer {
    async fn emulator(&self) -> Result<Emulator> {
        let tools = self.tools().await;
        tools.path(Tool::Emulator).map(Emulator::new).ok_or_else(|| tools.missing(Tool::Emulator))
    }

    /// Every AVD and simulator, AVDs first, each with the device it runs
    /// as; a platform whose tool is missing is a problem, not an error.
    #[instrument(skip_all)]
    pub async fn virtual_devices(&self, cancel: &CancellationToken) -> VirtualListing {
        let (avds, sims) = tokio::join!(self.avds(cancel), self.simulators(cancel));
        let mut listing = VirtualListing::default();
        for (what, result) in [("emulator", avds), ("sim", sims)] {
            match result {
                Ok(devices) => listing.devices.extend(devices),
                Err(e) => listing.problems.push(format!("{what}: {e}")),
            }
        }
        listing
    }

    async fn avds(&self, cancel: &CancellationToken) -> Result<Vec<VirtualDevice>> {
        let names = self.emulator().await?.list_avds(cancel).await?;
        let running = match self.android().await {
            Ok(adb) => Emulator::running_avds(&adb, cancel).await,
            Err(_) => HashMap::new(),
        };
        Ok(names
            .into_iter()
            .map(|name| VirtualDevice {
                platform: Platform::Android,
                running: running.get(&name).map(|serial| format!("android://{serial}")),
                id: name.clone(),
                name,
                os_version: None,
            })
            .collect())
    }

    async fn simulators(&self, cancel: &CancellationToken) -> Result<Vec<VirtualDevice>> {
        let sims = self.sim().await?.devices(cancel).await?;
        Ok(sims
            .into_iter()
            .map(|d| VirtualDevice {
                platform: Platform::Sim,
                running: (d.state == DeviceState::Ready).then(|| d.uri()),
                id: d.id,
                name: d.name,
                os_version: d.os_version,
            })
            .collect())
    }

    /// Boots the AVD or simulator `name` (an AVD name, a simulator's UDID
    /// or name, or `sim://UDID`) and waits until it can be used.
    #[instrument(skip_all, fields(name))]
    pub async fn boot(
        &self,
        name: &str,
        settings: &BootSettings,
        progress: &(dyn Fn(BootStep) + Sync),
        cancel: &CancellationToken,
    ) -> Result<BootReport> {
        let listing = self.virtual_devices(cancel).await;
        let wanted = name.strip_prefix("sim://").unwrap_or(name);
        let matches: Vec<&VirtualDevice> =
            listing.devices.iter().filter(|d| d.id == wanted || d.name == wanted).collect();
        let target = match matches.as_slice() {
            [one] => *one,
            [] => return Err(no_such(name, &listing)),
            many => {
                let ids: Vec<String> =
                    many.iter().map(|d| format!("{}://{}", d.platform.scheme(), d.id)).collect();
                return Err(DeviceError::AmbiguousVirtualDevice {
                    name: name.to_owned(),
                    candidates: ids.join(", "),
                });
            }
        };
        progress(BootStep::Starting { name: target.name.clone() });
        match target.platform {
            Platform::Sim => {
                let device = format!("sim://{}", target.id);
                let already_running = self.sim().await?.boot(&target.id, cancel).await?;
                progress(BootStep::Booted { device: device.clone() });
                Ok(BootReport { device, already_running })
            }
            _ => {
                let adb = self.android().await?;
                let options = BootOptions {
                    timeout: settings.timeout,
                    poll: settings.poll,
                    log: settings.log_dir.join(format!("emulator-{}.log", target.id)),
                };
                let on_step = |p: BootProgress| match p {
                    BootProgress::Started => {}
                    BootProgress::Booting { serial } => {
                        progress(BootStep::Booting { device: format!("android://{serial}") })
                    }
                    BootProgress::Booted { serial } => {
                        progress(BootStep::Booted { device: format!("android://{serial}") })
                    }
                };
                let running = running_avds(&listing);
                let booted = self
                    .emulator()
                    .await?
                    .boot(&adb, &target.id, &running, &options, &on_step, cancel)
                    .await?;
                Ok(BootReport {
                    device: format!("android://{}", booted.serial),
                    already_running: booted.already_running,
                })
            }
        }
    }
}

/// The AVDs of `listing` that run, with their adb serials.
fn running_avds(listing: &VirtualListing) -> HashMap<String, String> {
    listing
        .devices
        .iter()
        .filter(|d| d.platform == Platform::Android)
        .filter_map(|d| Some((d.id.clone(), d.running.as_deref()?.strip_prefix("android://")?.to_owned())))
        .collect()
}

/// What to say when nothing is called `name`: what there is, or how to
/// get something (the problems say which tool is missing).
fn no_such(name: &str, listing: &VirtualListing) -> DeviceError {
    if listing.devices.is_empty() {
        let why = listing.problems.join("; ");
        return DeviceError::NoVirtualDevices {
            detail: if why.is_empty() { "none are set up".into() } else { why },
        };
    }
    let known: Vec<&str> = listing.devices.iter().map(|d| d.id.as_str()).collect();
    DeviceError::NoSuchVirtualDevice { name: name.to_owned(), known: known.join(", ") }
}
