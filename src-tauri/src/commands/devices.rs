use crate::error::UiResult;
use crate::state::Desktop;
use sonde_core::device::layer::DeviceListing;
use sonde_core::device::runner::CancellationToken;
use sonde_core::device::virtual_devices::{BootReport, BootStep, VirtualListing};
use sonde_core::device::{App, DbFile};
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

#[tauri::command]
pub async fn list_devices(desktop: State<'_, Arc<Desktop>>) -> UiResult<DeviceListing> {
    Ok(desktop.core.devices(&CancellationToken::new()).await)
}

/// `device`: `android://SERIAL`, `ios://UDID`, `sim://UDID` or a bare id.
#[tauri::command]
pub async fn list_apps(
    desktop: State<'_, Arc<Desktop>>,
    device: String,
    include_system: bool,
) -> UiResult<Vec<App>> {
    Ok(desktop.core.apps(&device, include_system, &CancellationToken::new()).await?)
}

#[tauri::command]
pub async fn list_databases(
    desktop: State<'_, Arc<Desktop>>,
    device: String,
    app: String,
) -> UiResult<Vec<DbFile>> {
    Ok(desktop.core.databases(&device, &app, &CancellationToken::new()).await?)
}

/// Android virtual devices and iOS simulators, running or not.
#[tauri::command]
pub async fn list_virtual_devices(desktop: State<'_, Arc<Desktop>>) -> UiResult<VirtualListing> {
    Ok(desktop.core.virtual_devices(&CancellationToken::new()).await)
}

/// Boots an AVD or a simulator (`id` from `list_virtual_devices`) and
/// waits until it can be used; cancellable by `op_id`.
#[tauri::command]
pub async fn boot_virtual_device(
    desktop: State<'_, Arc<Desktop>>,
    id: String,
    op_id: String,
    on_progress: Channel<BootStep>,
) -> UiResult<BootReport> {
    let cancel = desktop.start_op(&op_id);
    let report = |step| {
        let _ = on_progress.send(step);
    };
    let result = desktop.core.boot(&id, None, &report, &cancel).await;
    desktop.end_op(&op_id);
    Ok(result?)
}
