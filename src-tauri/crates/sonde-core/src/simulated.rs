//! Sonde's built-in simulated device: when no phone is attached, the app
//! starts `sonde-devsim` on a demo device in the data directory and attaches
//! it to adb, so a new user sees real databases at once.
//!
//! - Its files live in `<data dir>/simdevice/fs` (app data under
//!   `data/data/<package>/`), kept across restarts; the demo is written on
//!   first use (and again only when its version changes).
//! - It keeps one identity: the port (hence the adb serial
//!   `127.0.0.1:PORT`, which recent entries and snapshots are keyed by) is
//!   remembered in `simdevice/port` and reused; a previous serial that had
//!   to change is disconnected so it does not linger as "offline".
//! - It comes back by itself after `adb kill-server`:
//!   [`Sonde::keep_simulated_device_attached`] reconnects it when a device
//!   listing lacks it.
//! - Its demo chat app receives a message every few seconds
//!   (`SONDE_SIM_LIVE_MS`, 0 to turn it off), so a watch shows changes.
//! - Every step is a runner call with a timeout: a devsim that hangs is an
//!   error, never a stuck device poll.

use crate::error::{CoreError, Result};
use crate::service::Sonde;
use sonde_device::layer::DeviceListing;
use sonde_device::runner::{self, CancellationToken, Service, ToolCall};
use sonde_device::DeviceState;
use std::path::{Path, PathBuf};
use std::time::Duration;

const DEMO_TIMEOUT: Duration = Duration::from_secs(180);
const READY_TIMEOUT: Duration = Duration::from_secs(15);
const LIVE_DEFAULT_MS: u64 = 4_000;

pub struct SimulatedDevice {
    service: Service,
    /// The adb serial (`127.0.0.1:PORT`).
    pub serial: String,
    /// The device directory (`device.json`, `fs/`).
    pub root: PathBuf,
}

impl SimulatedDevice {
    /// Where its file system is on this computer.
    pub fn fs_dir(&self) -> PathBuf {
        self.root.join("fs")
    }
}

fn devsim_call(devsim: &Path, what: &str, timeout: Duration) -> ToolCall {
    ToolCall::new("sonde-devsim", "tool.devsim", devsim, timeout).what(what)
}

fn failed(e: impl std::fmt::Display) -> CoreError {
    CoreError::SimulatedDevice(e.to_string())
}

impl Sonde {
    /// Starts the simulated device (`devsim`: the `sonde-devsim` binary)
    /// and attaches it to adb; returns its serial.
    pub async fn start_simulated_device(&self, devsim: &Path) -> Result<String> {
        let root = self.config.data_dir.join("simdevice");
        let cancel = CancellationToken::new();
        let demo = devsim_call(devsim, "write the demo device", DEMO_TIMEOUT)
            .args(["demo", "--keep"])
            .arg(root.as_os_str());
        let out = runner::run(&demo, &cancel).await?;
        if !out.success() {
            return Err(failed(format!("sonde-devsim demo: {}", out.message())));
        }
        let port_file = root.join("port");
        let remembered =
            tokio::fs::read_to_string(&port_file).await.ok().and_then(|p| p.trim().parse::<u16>().ok());
        let live = std::env::var("SONDE_SIM_LIVE_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(LIVE_DEFAULT_MS);
        let serve = |port: u16| {
            let mut call = devsim_call(devsim, "start the simulated device", READY_TIMEOUT)
                .args(["serve", "--exit-with-stdin", "--root"])
                .arg(root.as_os_str())
                .args(["--port", &port.to_string()]);
            if live > 0 {
                call = call.args(["--live", &live.to_string()]);
            }
            call
        };
        // The remembered port keeps the serial stable; a port taken by
        // another program makes the device pick a new one.
        let service = match remembered {
            Some(port) => match runner::spawn_service(&serve(port)).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::info!(error = %e, port, "remembered port unavailable; choosing another");
                    runner::spawn_service(&serve(0)).await?
                }
            },
            None => runner::spawn_service(&serve(0)).await?,
        };
        let serial = service
            .ready_line
            .strip_prefix("adb-device ")
            .ok_or_else(|| failed(format!("unexpected ready line {:?}", service.ready_line)))?
            .to_owned();
        let port = serial.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
        let adb = self.devices.android().await?;
        // A serial from an earlier run lingers in adb as "offline" (a changed
        // port), or blocks a fresh connection ("already connected" to the
        // dead one): both are dropped before connecting.
        if let Some(old) = remembered {
            let _ = adb.disconnect(&format!("127.0.0.1:{old}"), &cancel).await;
        }
        if let Some(port) = port {
            if let Err(e) = tokio::fs::write(&port_file, port.to_string()).await {
                tracing::warn!(error = %e, "could not remember the simulated device's port");
            }
        }
        adb.connect(&serial, &cancel).await?;
        tracing::info!(serial = %serial, "simulated device attached");
        let device = SimulatedDevice { service, serial: serial.clone(), root };
        *self.simulated.lock().unwrap_or_else(|p| p.into_inner()) = Some(device);
        Ok(serial)
    }

    /// Reattaches the simulated device when `listing` lacks it (the adb
    /// server was restarted, or the connection dropped). Returns whether it
    /// reconnected. Costs nothing while it is listed.
    pub async fn keep_simulated_device_attached(
        &self,
        listing: &DeviceListing,
        cancel: &CancellationToken,
    ) -> bool {
        let serial = {
            let mut guard = self.simulated.lock().unwrap_or_else(|p| p.into_inner());
            match guard.as_mut() {
                Some(sim) => {
                    if !sim.service.is_running() {
                        return false;
                    }
                    sim.serial.clone()
                }
                None => return false,
            }
        };
        let attached = listing.devices.iter().any(|d| d.id == serial && d.state == DeviceState::Ready);
        if attached {
            return false;
        }
        let Ok(adb) = self.devices.android().await else { return false };
        match adb.connect(&serial, cancel).await {
            Ok(()) => {
                tracing::info!(serial = %serial, "simulated device reattached");
                true
            }
            Err(e) => {
                tracing::debug!(error = %e, "simulated device not reattached yet");
                false
            }
        }
    }

    /// The simulated device's serial and file system, while it runs.
    pub fn simulated_device(&self) -> Option<(String, PathBuf)> {
        let guard = self.simulated.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().map(|s| (s.serial.clone(), s.fs_dir()))
    }

    /// Stops the simulated device (the app exits) and tells adb it is gone,
    /// so it is not left listed as "offline".
    pub async fn stop_simulated_device(&self) {
        let stopped = self.simulated.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(sim) = stopped {
            drop(sim.service);
            if let Ok(adb) = self.devices.android().await {
                let _ = adb.disconnect(&sim.serial, &CancellationToken::new()).await;
            }
        }
    }
}
