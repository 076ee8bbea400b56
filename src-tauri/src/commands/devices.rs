use crate::error::UiResult;
use crate::state::Desktop;
use sonde_device::layer::DeviceListing;
use sonde_device::runner::CancellationToken;
use sonde_device::{App, DbFile};
use std::sync::Arc;
use tauri::State;

#[tauri::command]
pub async fn list_devices(desktop: State<'_, Arc<Desktop>>) -> UiResult<DeviceListing> {
    Ok(desktop.core.devices().devices(&CancellationToken::new()).await)
}

/// `device`: `android://SERIAL`, `ios://UDID`, `sim://UDID` or a bare id.
#[tauri::command]
pub async fn list_apps(
    desktop: State<'_, Arc<Desktop>>,
    device: String,
    include_system: bool,
) -> UiResult<Vec<App>> {
    let cancel = CancellationToken::new();
    let layer = desktop.core.devices();
    let device = layer.find_device(&device, &cancel).await?;
    Ok(layer.apps(&device, include_system, &cancel).await?)
}

#[tauri::command]
pub async fn list_databases(
    desktop: State<'_, Arc<Desktop>>,
    device: String,
    app: String,
) -> UiResult<Vec<DbFile>> {
    let cancel = CancellationToken::new();
    let layer = desktop.core.devices();
    let device = layer.find_device(&device, &cancel).await?;
    Ok(layer.databases(&device, &app, &cancel).await?)
}
