use super::{ask, Dialog};
use crate::error::{invalid, io, UiResult};
use crate::state::Desktop;
use sonde_core::{ExportProgress, ExportReport, ExportSource, ExportTarget, Format};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// Asks where to save (native dialog), then streams the export there
/// (written atomically) with progress; cancellable with
/// `cancel_operation(op_id)`. `None` when the dialog is dismissed.
#[tauri::command]
pub async fn export_data(
    app: tauri::AppHandle,
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    source: ExportSource,
    format: Format,
    op_id: String,
    on_progress: Channel<ExportProgress>,
) -> UiResult<Option<ExportReport>> {
    let db = desktop.db(handle)?;
    let ext = match format {
        Format::Csv => "csv",
        Format::Json => "json",
        Format::Jsonl => "jsonl",
        Format::Sql => "sql",
    };
    let target = match super::e2e_dialog_path(Dialog::Save) {
        Some(p) => Some(p),
        None => {
            let dialog = app
                .dialog()
                .file()
                .set_file_name(format!("{}.{ext}", source.name()))
                .add_filter(ext.to_uppercase(), &[ext]);
            ask(move || dialog.blocking_save_file().and_then(|f| f.into_path().ok())).await
        }
    };
    let Some(target) = target else { return Ok(None) };
    let cancel = desktop.start_op(&op_id);
    let progress = move |p| {
        let _ = on_progress.send(p);
    };
    let result =
        desktop.core.export(&db, source, format, ExportTarget::File(target.clone()), progress, &cancel).await;
    desktop.end_op(&op_id);
    let report = result?;
    desktop.exported(&target);
    Ok(Some(report))
}

/// Shows a file this app exported in the system's file manager.
#[tauri::command]
pub async fn reveal_export(
    app: tauri::AppHandle,
    desktop: State<'_, Arc<Desktop>>,
    path: String,
) -> UiResult<()> {
    let path = PathBuf::from(path);
    if !desktop.was_exported(&path) {
        return Err(invalid("only files exported in this session can be shown"));
    }
    app.opener().reveal_item_in_dir(&path).map_err(|e| io("showing the file", e))
}
