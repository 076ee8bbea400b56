use crate::error::UiResult;
use crate::state::Desktop;
use sonde_core::device::layer::DeviceListing;
use sonde_core::device::runner::CancellationToken;
use sonde_core::device::{App, DbFile};
use std::sync::Arc;
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
