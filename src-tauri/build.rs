//! Generates one permission per app command, so the capability file can
//! grant exactly Sonde's commands and nothing else.

const COMMANDS: &[&str] = &[
    "app_info",
    "diagnostics",
    "recent_databases",
    "cancel_operation",
    "set_close_guard",
    "close_window",
    "list_devices",
    "list_apps",
    "list_databases",
    "list_virtual_devices",
    "boot_virtual_device",
    "open_database",
    "open_file_dialog",
    "forget_cipher_key",
    "decode_value",
    "set_display_kind",
    "encode_date",
    "close_database",
    "list_tables",
    "count_rows",
    "table_schema",
    "fetch_page",
    "fetch_page_at",
    "apply_edits",
    "undo_changes",
    "pending_changes",
    "db_status",
    "push_database",
    "discard_edits",
    "refresh_database",
    "run_sql",
    "fetch_sql_page",
    "close_sql",
    "query_history",
    "export_data",
    "reveal_export",
    "save_value",
    "load_file_value",
    "watch_start",
    "watch_stop",
    "list_versions",
    "diff_versions",
    "rebase_conflicts",
    "resolve_conflict",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build script");
}
