//! Versions, the live watch, version diffs and rebase conflicts.

use crate::error::UiResult;
use crate::state::Desktop;
use sonde_core::{Conflict, DbDiff, Keep, VersionInfo, WatchEvent, DEFAULT_WATCH_INTERVAL};
use std::sync::Arc;
use std::time::Duration;
use tauri::ipc::Channel;
use tauri::State;

/// Starts watching an open database; events arrive on `on_event`
/// (`started` first, `stopped` last). A second start replaces the first.
#[tauri::command]
pub async fn watch_start(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    interval_ms: Option<u64>,
    on_event: Channel<WatchEvent>,
) -> UiResult<()> {
    let db = desktop.db(handle)?;
    let interval = interval_ms.map_or(DEFAULT_WATCH_INTERVAL, Duration::from_millis);
    let (watch_id, cancel) = desktop.start_watch(handle);
    let desktop = Arc::clone(&desktop);
    tauri::async_runtime::spawn(async move {
        let send = |event: WatchEvent| {
            let _ = on_event.send(event);
        };
        if let Err(e) = desktop.core.watch(&db, interval, &cancel, send).await {
            send(WatchEvent::Error { error: e.into() });
        }
        send(WatchEvent::Stopped);
        desktop.end_watch(handle, watch_id);
    });
    Ok(())
}

#[tauri::command]
pub async fn watch_stop(desktop: State<'_, Arc<Desktop>>, handle: u32) -> UiResult<()> {
    desktop.stop_watch(handle);
    Ok(())
}

/// The versions of an open database, oldest first.
#[tauri::command]
pub async fn list_versions(desktop: State<'_, Arc<Desktop>>, handle: u32) -> UiResult<Vec<VersionInfo>> {
    Ok(desktop.core.versions(&desktop.db(handle)?.location).await?)
}

/// The diff between two versions (`to` null: the newest); `tables` empty: all.
#[tauri::command]
pub async fn diff_versions(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    from: u32,
    to: Option<u32>,
    tables: Vec<String>,
    row_cap: usize,
) -> UiResult<DbDiff> {
    let db = desktop.db(handle)?;
    Ok(desktop.core.diff_versions(&db.location, from, to, tables, row_cap.min(100_000)).await?)
}

#[tauri::command]
pub async fn rebase_conflicts(desktop: State<'_, Arc<Desktop>>, handle: u32) -> UiResult<Vec<Conflict>> {
    Ok(desktop.core.conflicts(&desktop.db(handle)?).await?)
}

/// Settles one conflict; returns those left.
#[tauri::command]
pub async fn resolve_conflict(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    id: i64,
    keep: Keep,
) -> UiResult<Vec<Conflict>> {
    Ok(desktop.core.resolve_conflict(&desktop.db(handle)?, id, keep).await?)
}
