//! The IPC surface. Each handler parses its arguments, calls one service
//! (blocking SQLite work on `spawn_blocking`), and maps the error.

mod app;
mod browse;
mod devices;
mod edit;
mod export;
mod sql;

use crate::error::{UiError, UiResult};

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_info,
        app::diagnostics,
        app::recent_databases,
        app::cancel_operation,
        devices::list_devices,
        devices::list_apps,
        devices::list_databases,
        browse::open_database,
        browse::open_file_dialog,
        browse::close_database,
        browse::list_tables,
        browse::count_rows,
        browse::table_schema,
        browse::fetch_page,
        browse::fetch_page_at,
        browse::fetch_page_json,
        edit::apply_edits,
        edit::undo_changes,
        edit::pending_changes,
        edit::push_database,
        sql::run_sql,
        sql::fetch_sql_page,
        sql::close_sql,
        sql::query_history,
        export::export_data,
    ]
}

/// Runs blocking work (SQLite, file I/O) off the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> UiResult<T> + Send + 'static,
) -> UiResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| UiError::new("error", format!("task failed: {e}")))?
}

/// Which native dialog a test answers.
pub(crate) enum Dialog {
    Open,
    Save,
}

/// A test hook for the end-to-end tests, which cannot click native dialogs:
/// when `SONDE_E2E_OPEN_PATH` / `SONDE_E2E_SAVE_PATH` are set (by whoever
/// launches the app, never by the page), the dialogs answer with them.
pub(crate) fn e2e_dialog_path(dialog: Dialog) -> Option<std::path::PathBuf> {
    let var = match dialog {
        Dialog::Open => "SONDE_E2E_OPEN_PATH",
        Dialog::Save => "SONDE_E2E_SAVE_PATH",
    };
    std::env::var_os(var).map(std::path::PathBuf::from)
}
