//! Background work started with the window: tool discovery and device
//! listing run concurrently with the UI's first paint; the built-in
//! simulated device is attached when no phone is; then devices are polled
//! and `devices-changed` is emitted whenever the list changes (attach and
//! detach show up without a manual refresh). A simulated device that adb
//! lost (`adb kill-server`) is reattached by the poll.

use crate::state::Desktop;
use sonde_core::device::model::DeviceKind;
use sonde_core::device::runner::CancellationToken;
use sonde_core::device::Platform;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Emitter, Manager};

pub const DEVICES_CHANGED: &str = "devices-changed";
const POLL: Duration = Duration::from_secs(2);

/// `sonde-devsim` next to our executable, or `$SONDE_DEVSIM`.
fn devsim_binary() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SONDE_DEVSIM") {
        return Some(PathBuf::from(p));
    }
    let exe = std::env::current_exe().ok()?;
    let candidate = exe.with_file_name(if cfg!(windows) { "sonde-devsim.exe" } else { "sonde-devsim" });
    candidate.exists().then_some(candidate)
}

pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let Some(desktop) = app.try_state::<Arc<Desktop>>().map(|s| Arc::clone(&s)) else { return };
        let core = Arc::clone(&desktop.core);
        let cancel = CancellationToken::new();
        let first = core.devices(&cancel).await;
        let has_phone =
            first.devices.iter().any(|d| d.platform == Platform::Android && d.kind != DeviceKind::Network);
        let simulated_wanted = std::env::var_os("SONDE_NO_SIMULATED_DEVICE").is_none();
        if !has_phone && simulated_wanted {
            match devsim_binary() {
                Some(devsim) => {
                    if let Err(e) = core.start_simulated_device(&devsim).await {
                        tracing::warn!(error = %e, "simulated device unavailable");
                    }
                }
                None => tracing::warn!("sonde-devsim not found next to the app: no simulated device"),
            }
        }
        let has_iphone = first.devices.iter().any(|d| d.platform == Platform::Ios);
        if !has_iphone && simulated_wanted && cfg!(target_os = "linux") {
            if let Some(devsim) = devsim_binary() {
                if let Err(e) = core.start_simulated_iphone(&devsim).await {
                    tracing::warn!(error = %e, "simulated iPhone unavailable");
                }
            }
        }
        let mut last = String::new();
        loop {
            let mut listing = core.devices(&cancel).await;
            if core.keep_simulated_device_attached(&listing, &cancel).await {
                listing = core.devices(&cancel).await;
            }
            let fingerprint = serde_json::to_string(&listing).unwrap_or_default();
            if fingerprint != last {
                let _ = app.emit(DEVICES_CHANGED, &listing);
                last = fingerprint;
            }
            tokio::time::sleep(POLL).await;
        }
    });
}
