//! Android virtual devices and iOS simulators: listed whether running or
//! not, and booted by name (`sonde emulators`, `sonde boot`, the device
//! tree's Boot action).

use crate::error::Result;
use crate::service::Sonde;
use sonde_device::runner::CancellationToken;
use sonde_device::virtual_devices::{BootReport, BootSettings, BootStep, VirtualListing};
use std::time::Duration;

/// A cold emulator boot on a slow machine takes a few minutes.
pub const DEFAULT_BOOT_TIMEOUT: Duration = Duration::from_secs(300);

/// How often adb is asked whether a booting emulator is up.
const BOOT_POLL: Duration = Duration::from_millis(500);

impl Sonde {
    /// Every AVD and simulator, with the device each runs as.
    pub async fn virtual_devices(&self, cancel: &CancellationToken) -> VirtualListing {
        self.devices.virtual_devices(cancel).await
    }

    /// Boots an AVD (by name) or a simulator (by name, UDID or
    /// `sim://UDID`) and waits until it is usable; the emulator's output
    /// goes to `emulator-<AVD>.log` in the log directory.
    pub async fn boot(
        &self,
        name: &str,
        timeout: Option<Duration>,
        progress: &(dyn Fn(BootStep) + Sync),
        cancel: &CancellationToken,
    ) -> Result<BootReport> {
        let settings = BootSettings {
            timeout: timeout.unwrap_or(DEFAULT_BOOT_TIMEOUT),
            poll: BOOT_POLL,
            log_dir: crate::paths::current_log_dir(),
        };
        Ok(self.devices.boot(name, &settings, progress, cancel).await?)
    }
}
