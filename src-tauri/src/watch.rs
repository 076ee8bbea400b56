//! Background work started with the window: tool discovery and device
//! listing run concurrently with the UI's first paint; the built-in
//! simulated device is attached when no phone is; then devices are polled
//! and `devices-changed` is emitted whenever the list changes (attach and
//! detach show up without a manual refresh).

use crate::simdevice;
use crate::state::Desktop;
use sonde_core::device::model::DeviceKind;
use sonde_core::device::runner::CancellationToken;
use sonde_core::device::Platform;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};

pub const DEVICES_CHANGED: &str = "devices-changed";
const POLL: Duration = Duration::from_secs(2);

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let Some(desktop) = app.try_state::<Arc<Desktop>>().map(|s| Arc::clone(&s)) else { return };
        let cancel = CancellationToken::new();
        let devices = desktop.core.devices();
        // Discovery (concurrent inside) warms the tool cache.
        devices.tools().await;
        let first = devices.devices(&cancel).await;
        let has_phone =
            first.devices.iter().any(|d| d.platform == Platform::Android && d.kind != DeviceKind::Network);
        let simulated_wanted = std::env::var_os("SONDE_NO_SIMULATED_DEVICE").is_none();
        if !has_phone && simulated_wanted {
            if let Ok(adb) = devices.android().await {
                match simdevice::start(&desktop.data_dir, &adb).await {
                    Ok(sim) => {
                        if let Ok(mut s) = desktop.simulated_device.lock() {
                            *s = Some(sim);
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "simulated device unavailable"),
                }
            }
        }
        let mut last = String::new();
        loop {
            let listing = devices.devices(&cancel).await;
            let fingerprint = serde_json::to_string(&listing).unwrap_or_default();
            if fingerprint != last {
                let _ = app.emit(DEVICES_CHANGED, &listing);
                last = fingerprint;
            }
            tokio::time::sleep(POLL).await;
        }
    });
}
