use crate::dto::{PendingChange, PushProgress};
use crate::error::{UiError, UiResult};
use crate::state::Desktop;
use sonde_core::Location;
use sonde_db::mutation::{Change, Edit};
use sonde_device::model::{PushOptions, PushReport};
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

/// Applies a batch of edits in one transaction (to the snapshot, or in
/// place for local files and simulators).
#[tauri::command]
pub async fn apply_edits(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    edits: Vec<Edit>,
) -> UiResult<Vec<Change>> {
    let db = desktop.db(handle)?;
    Ok(desktop.core.apply(&db, edits).await?)
}

/// Reverses changes (newest first) in one transaction; returns the changes
/// that did it (pass those back here to redo).
#[tauri::command]
pub async fn undo_changes(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    changes: Vec<Change>,
) -> UiResult<Vec<Change>> {
    let db = desktop.db(handle)?;
    Ok(desktop.core.undo(&db, changes).await?)
}

#[tauri::command]
pub async fn pending_changes(desktop: State<'_, Arc<Desktop>>, handle: u32) -> UiResult<Vec<PendingChange>> {
    let db = desktop.db(handle)?;
    let pending = desktop.core.state().pending(&db.location.key())?;
    Ok(pending.into_iter().map(|(id, change)| PendingChange { id, change }).collect())
}

/// Pushes the snapshot back to its device, with progress; cancellable with
/// `cancel_operation(op_id)` until the device-side swap starts.
#[tauri::command]
pub async fn push_database(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    stop_app: bool,
    op_id: String,
    on_progress: Channel<PushProgress>,
) -> UiResult<PushReport> {
    let db = desktop.db(handle)?;
    let Location::Device(uri) = &db.location else {
        return Err(UiError::new("invalid", "local files are saved in place; there is nothing to push"));
    };
    if !db.is_snapshot() {
        return Err(UiError::new(
            "invalid",
            "simulator databases are saved in place; there is nothing to push",
        ));
    }
    let cancel = desktop.start_op(&op_id);
    let _ = on_progress.send(PushProgress::Preparing);
    let _ = on_progress.send(PushProgress::Transferring);
    let result = desktop.core.push(uri, PushOptions { stop_app }, &cancel).await;
    desktop.end_op(&op_id);
    let report = result?;
    let _ = on_progress.send(PushProgress::Done);
    Ok(report)
}
