use super::browse::opened;
use crate::dto::OpenedDb;
use crate::error::UiResult;
use crate::state::Desktop;
use sonde_core::device::model::{PushOptions, PushProgress};
use sonde_core::device::runner::CancellationToken;
use sonde_core::{Change, DbStatus, Edit, PendingChange, PushOutcome};
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
    Ok(desktop.core.apply(&desktop.db(handle)?, edits).await?)
}

/// Reverses changes (newest first) in one transaction; returns the changes
/// that did it (pass those back here to redo).
#[tauri::command]
pub async fn undo_changes(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    changes: Vec<Change>,
) -> UiResult<Vec<Change>> {
    Ok(desktop.core.undo(&desktop.db(handle)?, changes).await?)
}

#[tauri::command]
pub async fn pending_changes(desktop: State<'_, Arc<Desktop>>, handle: u32) -> UiResult<Vec<PendingChange>> {
    Ok(desktop.core.pending(&desktop.db(handle)?).await?)
}

/// What is waiting to be pushed (changes and SQL writes), and the `-wal`.
#[tauri::command]
pub async fn db_status(desktop: State<'_, Arc<Desktop>>, handle: u32) -> UiResult<DbStatus> {
    Ok(desktop.core.status(&desktop.db(handle)?).await?)
}

/// Pushes the snapshot back to its device, reporting each stage as it
/// happens; cancellable with `cancel_operation(op_id)` until the swap. A
/// Room database whose schema changed fails with kind `schema_change`
/// until the user confirmed (`allow_schema_change`).
#[tauri::command]
pub async fn push_database(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    stop_app: bool,
    op_id: String,
    on_progress: Channel<PushProgress>,
    allow_schema_change: Option<bool>,
) -> UiResult<PushOutcome> {
    let db = desktop.db(handle)?;
    let uri = db.device_uri("push")?.clone();
    let cancel = desktop.start_op(&op_id);
    let report = |stage| {
        let _ = on_progress.send(stage);
    };
    let result = desktop
        .core
        .push(&uri, PushOptions { stop_app }, true, allow_schema_change.unwrap_or(false), report, &cancel)
        .await;
    desktop.end_op(&op_id);
    Ok(result?)
}

/// Drops the unpushed changes of a device database and pulls its current
/// version (same handle).
#[tauri::command]
pub async fn discard_edits(desktop: State<'_, Arc<Desktop>>, handle: u32) -> UiResult<OpenedDb> {
    let db = desktop.db(handle)?;
    let (fresh, tables) =
        desktop.core.discard(db.device_uri("discarding edits")?, &CancellationToken::new()).await?;
    Ok(replaced(&desktop, handle, fresh, tables).await)
}

/// Pulls a device database again (refused while it has unpushed changes);
/// re-reads a local one.
#[tauri::command]
pub async fn refresh_database(desktop: State<'_, Arc<Desktop>>, handle: u32) -> UiResult<OpenedDb> {
    let (fresh, tables) = desktop.core.refresh(&desktop.db(handle)?, &CancellationToken::new()).await?;
    Ok(replaced(&desktop, handle, fresh, tables).await)
}

async fn replaced(
    desktop: &Desktop,
    handle: u32,
    db: sonde_core::OpenDb,
    tables: Vec<sonde_core::TableListing>,
) -> OpenedDb {
    let out = super::browse::with_version(desktop, &db, opened(desktop, handle, &db, tables)).await;
    desktop.replace(handle, db);
    out
}
