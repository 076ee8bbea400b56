use super::blocking;
use crate::dto::{ExportProgress, ExportReport, ExportSource};
use crate::error::{UiError, UiResult};
use crate::state::Desktop;
use sonde_db::export::{self, Format, Source};
use sonde_db::query;
use std::io::{BufWriter, Write};
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

/// Asks where to save (native dialog), then streams the export there
/// (temp file renamed into place when complete) with progress; cancellable
/// with `cancel_operation(op_id)`. `None` when the dialog is dismissed.
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
    let (source, default_name) = match source {
        ExportSource::Table { table, order, filters } => {
            let name = table.clone();
            (Source::Table { table, order, filters }, name)
        }
        ExportSource::Query { sql, name } => {
            let label = name.clone();
            (Source::Query { sql, name }, label)
        }
    };
    let ext = match format {
        Format::Csv => "csv",
        Format::Json => "json",
        Format::Jsonl => "jsonl",
        Format::Sql => "sql",
    };
    let target = match super::e2e_dialog_path(super::Dialog::Save) {
        Some(p) => Some(p),
        None => {
            let dialog = app
                .dialog()
                .file()
                .set_file_name(format!("{default_name}.{ext}"))
                .add_filter(ext.to_uppercase(), &[ext]);
            blocking(move || Ok(dialog.blocking_save_file().and_then(|f| f.into_path().ok()))).await?
        }
    };
    let Some(target) = target else { return Ok(None) };
    let total = match &source {
        Source::Table { table, filters, .. } if filters.is_empty() => {
            let (path, table) = (db.path.clone(), table.clone());
            blocking(move || Ok(query::count(&path, &table, &[], false).ok())).await?
        }
        _ => None,
    };
    let cancel = desktop.start_op(&op_id);
    let path = db.path.clone();
    let result = blocking(move || {
        let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
        let tmp = tempfile_in(dir)?;
        let mut out = BufWriter::new(tmp.as_file());
        let mut progress = |rows: u64| {
            let _ = on_progress.send(ExportProgress { rows, total });
            !cancel.is_cancelled()
        };
        let rows = export::export(&path, &source, format, &mut out, &mut progress)?;
        out.flush().map_err(|e| UiError::new("error", e.to_string()))?;
        drop(out);
        let bytes = tmp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
        tmp.persist(&target)
            .map_err(|e| UiError::new("error", format!("cannot save {}: {}", target.display(), e.error)))?;
        Ok(ExportReport { rows, bytes, path: target.display().to_string() })
    })
    .await;
    desktop.end_op(&op_id);
    result.map(Some)
}

fn tempfile_in(dir: &std::path::Path) -> UiResult<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(".sonde-export-")
        .tempfile_in(dir)
        .map_err(|e| UiError::new("error", format!("cannot write in {}: {e}", dir.display())))
}
