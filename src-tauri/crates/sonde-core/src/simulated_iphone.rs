//! Sonde's built-in simulated iPhone: when no iPhone is attached, the app
//! starts `sonde-devsim ios` on a demo phone in the data directory and
//! reaches iOS devices through its usbmuxd, so the iOS path (the real
//! libimobiledevice tools and the native AFC client) can be tried at once.
//!
//! - Its files live in `<data dir>/simiphone/` (app containers under
//!   `containers/<bundle id>/`), kept across restarts: the demo is written
//!   only when the directory holds no phone yet.
//! - Its usbmuxd listens on `<data dir>/simiphone/usbmuxd.sock`; the device
//!   layer (and the tools it runs, through `USBMUXD_SOCKET_ADDRESS`) use it
//!   while it runs.

use crate::error::{CoreError, Result};
use crate::service::Sonde;
use sonde_device::ios::native::usbmux::MuxAddress;
use sonde_device::runner::{self, CancellationToken, Service, ToolCall};
use std::path::{Path, PathBuf};
use std::time::Duration;

const DEMO_TIMEOUT: Duration = Duration::from_secs(120);
const READY_TIMEOUT: Duration = Duration::from_secs(15);

pub struct SimulatedIphone {
    _service: Service,
    pub udid: String,
    /// The phone directory (`info.json`, `containers/`...).
    pub root: PathBuf,
}

fn failed(e: impl std::fmt::Display) -> CoreError {
    CoreError::SimulatedDevice(e.to_string())
}

impl Sonde {
    /// Starts the simulated iPhone (`devsim`: the `sonde-devsim` binary)
    /// and routes iOS device access to it; returns its UDID.
    pub async fn start_simulated_iphone(&self, devsim: &Path) -> Result<String> {
        let root = self.config.data_dir.join("simiphone");
        let cancel = CancellationToken::new();
        if !root.join("info.json").exists() {
            let demo = ToolCall::new("sonde-devsim", "tool.devsim", devsim, DEMO_TIMEOUT)
                .what("write the demo iPhone")
                .arg("ios-demo")
                .arg(root.as_os_str());
            let out = runner::run(&demo, &cancel).await?;
            if !out.success() {
                return Err(failed(format!("sonde-devsim ios-demo: {}", out.message())));
            }
        }
        let socket = root.join("usbmuxd.sock");
        let serve = ToolCall::new("sonde-devsim", "tool.devsim", devsim, READY_TIMEOUT)
            .what("start the simulated iPhone")
            .args(["ios", "--exit-with-stdin", "--root"])
            .arg(root.as_os_str())
            .arg("--socket")
            .arg(socket.as_os_str());
        let service = runner::spawn_service(&serve).await?;
        let mut words = service.ready_line.split_whitespace();
        let (Some("usbmuxd"), Some(_), Some(udid)) = (words.next(), words.next(), words.next()) else {
            return Err(failed(format!("unexpected ready line {:?}", service.ready_line)));
        };
        let udid = udid.to_owned();
        self.devices.use_usbmuxd(MuxAddress::Unix(socket.to_string_lossy().into_owned()));
        tracing::info!(udid = %udid, "simulated iPhone attached");
        let phone = SimulatedIphone { _service: service, udid: udid.clone(), root };
        *self.simulated_iphone.lock().unwrap_or_else(|p| p.into_inner()) = Some(phone);
        Ok(udid)
    }

    /// The simulated iPhone's UDID and phone directory, while it runs.
    pub fn simulated_iphone(&self) -> Option<(String, PathBuf)> {
        let guard = self.simulated_iphone.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().map(|p| (p.udid.clone(), p.root.clone()))
    }
}
