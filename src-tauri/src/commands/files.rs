//! Cell values to and from files the user picks (the inspector's "Save to
//! file" and "Load from file"). The page never names a path: the backend
//! asks with a native dialog.

use super::{ask, Dialog};
use crate::dto::LoadedFile;
use crate::error::{invalid, io, UiResult};
use sonde_core::Value;
use std::path::PathBuf;
use tauri_plugin_dialog::DialogExt;

/// Files bigger than this are not loaded into a cell.
const MAX_LOAD: u64 = 64 * 1024 * 1024;

/// Save dialog, then writes the value's bytes (a BLOB's, or a text's);
/// returns the path, `None` when dismissed.
#[tauri::command]
pub async fn save_value(app: tauri::AppHandle, value: Value, name: String) -> UiResult<Option<String>> {
    let bytes = match value {
        Value::Blob(b) | Value::TextBytes(b) => b,
        Value::Text(t) => t.into_bytes(),
        Value::Null | Value::Integer(_) | Value::Real(_) => {
            return Err(invalid("only BLOB and TEXT values are saved to files"))
        }
    };
    let target = match super::e2e_dialog_path(Dialog::Save) {
        Some(p) => Some(p),
        None => {
            let dialog = app.dialog().file().set_file_name(sanitize(&name));
            ask(move || dialog.blocking_save_file().and_then(|f| f.into_path().ok())).await
        }
    };
    let Some(target) = target else { return Ok(None) };
    let written = target.clone();
    tauri::async_runtime::spawn_blocking(move || std::fs::write(&written, bytes))
        .await
        .map_err(|e| io("saving the value", e))?
        .map_err(|e| io(&format!("cannot write {}", target.display()), e))?;
    Ok(Some(target.display().to_string()))
}

/// Open dialog, then the file's bytes as a BLOB value; `None` when dismissed.
#[tauri::command]
pub async fn load_file_value(app: tauri::AppHandle) -> UiResult<Option<LoadedFile>> {
    let picked: Option<PathBuf> = match super::e2e_dialog_path(Dialog::Open) {
        Some(p) => Some(p),
        None => {
            let dialog = app.dialog().file();
            ask(move || dialog.blocking_pick_file().and_then(|f| f.into_path().ok())).await
        }
    };
    let Some(path) = picked else { return Ok(None) };
    let read = path.clone();
    let bytes = tauri::async_runtime::spawn_blocking(move || -> Result<Vec<u8>, String> {
        let size = std::fs::metadata(&read).map_err(|e| e.to_string())?.len();
        if size > MAX_LOAD {
            return Err(format!("the file has {size} bytes; at most {MAX_LOAD} go into a cell"));
        }
        std::fs::read(&read).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| io("loading the file", e))?
    .map_err(invalid)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Some(LoadedFile { name, bytes: bytes.len() as u64, value: Value::Blob(bytes) }))
}

/// A file name suggestion without path separators.
fn sanitize(name: &str) -> String {
    let clean: String =
        name.chars().map(|c| if matches!(c, '/' | '\\') || c.is_control() { '_' } else { c }).collect();
    if clean.trim().is_empty() {
        "value.bin".to_owned()
    } else {
        clean
    }
}
