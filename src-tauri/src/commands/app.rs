use crate::dto::{AppInfo, Diagnostics};
use crate::error::UiResult;
use crate::state::Desktop;
use sonde_core::RecentDatabase;
use std::sync::Arc;
use tauri::{Manager, State};

#[tauri::command]
pub async fn app_info(desktop: State<'_, Arc<Desktop>>) -> UiResult<AppInfo> {
    let simulated = desktop.core.simulated_device();
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: desktop.core.data_dir().display().to_string(),
        log_file: desktop.log_file.display().to_string(),
        simulated_device: simulated.as_ref().map(|(serial, _)| serial.clone()),
        simulated_device_dir: simulated.map(|(_, dir)| dir.display().to_string()),
    })
}

#[tauri::command]
pub async fn diagnostics(desktop: State<'_, Arc<Desktop>>) -> UiResult<Diagnostics> {
    Ok(Diagnostics {
        metrics: sonde_metrics::snapshot(),
        tools: desktop.core.doctor().await,
        open_databases: desktop.open_count(),
        log_file: desktop.log_file.display().to_string(),
    })
}

#[tauri::command]
pub async fn recent_databases(desktop: State<'_, Arc<Desktop>>) -> UiResult<Vec<RecentDatabase>> {
    Ok(desktop.core.recent(20).await?)
}

/// Cancels a push, export or SQL run started with this `op_id`.
#[tauri::command]
pub async fn cancel_operation(desktop: State<'_, Arc<Desktop>>, op_id: String) -> UiResult<bool> {
    Ok(desktop.cancel_op(&op_id))
}

/// The page says whether closing the window would lose edits; while it
/// would, closing asks the page first (`close-requested`).
#[tauri::command]
pub async fn set_close_guard(desktop: State<'_, Arc<Desktop>>, active: bool) -> UiResult<()> {
    desktop.set_close_guard(active);
    Ok(())
}

/// Closes the window for real (the user confirmed, or nothing is at stake).
#[tauri::command]
pub async fn close_window(app: tauri::AppHandle, desktop: State<'_, Arc<Desktop>>) -> UiResult<()> {
    desktop.set_close_guard(false);
    if let Some(window) = app.get_webview_window("main") {
        window.close().map_err(|e| crate::error::io("closing the window", e))?;
    }
    Ok(())
}
