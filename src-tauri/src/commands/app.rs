use crate::dto::{AppInfo, Diagnostics};
use crate::error::UiResult;
use crate::state::Desktop;
use sonde_db::appstate::RecentDatabase;
use std::sync::Arc;
use tauri::State;

#[tauri::command]
pub async fn app_info(desktop: State<'_, Arc<Desktop>>) -> UiResult<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: desktop.data_dir.display().to_string(),
        log_file: desktop.log_file.display().to_string(),
        simulated_device: desktop.simulated_serial(),
    })
}

#[tauri::command]
pub async fn diagnostics(desktop: State<'_, Arc<Desktop>>) -> UiResult<Diagnostics> {
    Ok(Diagnostics {
        metrics: sonde_metrics::snapshot(),
        tools: desktop.core.devices().tool_report().await,
        open_databases: desktop.open_count(),
        log_file: desktop.log_file.display().to_string(),
    })
}

#[tauri::command]
pub async fn recent_databases(desktop: State<'_, Arc<Desktop>>) -> UiResult<Vec<RecentDatabase>> {
    Ok(desktop.core.state().recent(20)?)
}

/// Cancels a push or export started with this `op_id`.
#[tauri::command]
pub async fn cancel_operation(desktop: State<'_, Arc<Desktop>>, op_id: String) -> UiResult<bool> {
    Ok(desktop.cancel_op(&op_id))
}
