//! The IPC surface. Each handler is an adapter: parse its arguments, call
//! one `sonde-core` function, map the error (`UiError`). Blocking work
//! happens inside the core, on its blocking threads.

mod app;
mod browse;
mod devices;
mod display;
mod edit;
mod export;
mod files;
mod sql;
mod watch;

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_info,
        app::diagnostics,
        app::recent_databases,
        app::cancel_operation,
        app::set_close_guard,
        app::close_window,
        devices::list_devices,
        devices::list_apps,
        devices::list_databases,
        devices::list_virtual_devices,
        devices::boot_virtual_device,
        browse::open_database,
        browse::open_file_dialog,
        browse::forget_cipher_key,
        display::decode_value,
        display::set_display_kind,
        display::encode_date,
        browse::close_database,
        browse::list_tables,
        browse::count_rows,
        browse::table_schema,
        browse::fetch_page,
        browse::fetch_page_at,
        edit::apply_edits,
        edit::undo_changes,
        edit::pending_changes,
        edit::db_status,
        edit::push_database,
        edit::discard_edits,
        edit::refresh_database,
        sql::run_sql,
        sql::fetch_sql_page,
        sql::close_sql,
        sql::query_history,
        export::export_data,
        export::reveal_export,
        files::save_value,
        files::load_file_value,
        watch::watch_start,
        watch::watch_stop,
        watch::list_versions,
        watch::diff_versions,
        watch::rebase_conflicts,
        watch::resolve_conflict,
    ]
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

/// Shows a native dialog off the async runtime (it blocks until answered).
pub(crate) async fn ask<T: Send + 'static>(dialog: impl FnOnce() -> Option<T> + Send + 'static) -> Option<T> {
    tauri::async_runtime::spawn_blocking(dialog).await.ok().flatten()
}
