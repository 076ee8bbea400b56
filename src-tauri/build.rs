//! Generates one permission per app command, so the capability file can
//! grant exactly Sonde's commands and nothing else.

const COMMANDS: &[&str] = &[
    "app_info",
    "list_devices",
    "list_apps",
    "list_databases",
    "recent_databases",
    "open_database",
    "open_file_dialog",
    "close_database",
    "list_tables",
    "count_rows",
    "table_schema",
    "fetch_page",
    "fetch_page_at",
    "fetch_page_json",
    "apply_edits",
    "undo_changes",
    "pending_changes",
    "push_database",
    "run_sql",
    "fetch_sql_page",
    "close_sql",
    "query_history",
    "export_data",
    "cancel_operation",
    "diagnostics",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
