use crate::error::UiResult;
use crate::state::Desktop;
use sonde_core::{HistoryEntry, RunScope, SqlResult, SqlRun};
use std::sync::Arc;
use tauri::State;

/// Runs SQL from the console: every statement, or the one under the
/// cursor; each result with its first page (more with `fetch_sql_page`).
/// `cancel_operation(op_id)` stops it (a write is rolled back). DDL on a
/// Room database fails with kind `schema_change` until the user confirmed
/// (`allow_schema_change`).
#[tauri::command]
#[allow(clippy::too_many_arguments)]
pub async fn run_sql(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    sql: String,
    scope: RunScope,
    page_size: u32,
    op_id: String,
    allow_schema_change: Option<bool>,
) -> UiResult<SqlRun> {
    let db = desktop.db(handle)?;
    let cancel = desktop.start_op(&op_id);
    let allow = allow_schema_change.unwrap_or(false);
    let run = desktop.core.run_sql(&db, &sql, scope, page_size as usize, allow, &cancel).await;
    desktop.end_op(&op_id);
    Ok(run?)
}

#[tauri::command]
pub async fn fetch_sql_page(
    desktop: State<'_, Arc<Desktop>>,
    query_id: u32,
    page_size: u32,
) -> UiResult<SqlResult> {
    Ok(desktop.core.sql_next(query_id, page_size as usize).await?)
}

/// Closes a result; a page being read from it is interrupted.
#[tauri::command]
pub async fn close_sql(desktop: State<'_, Arc<Desktop>>, query_id: u32) -> UiResult<()> {
    desktop.core.sql_close(query_id);
    Ok(())
}

#[tauri::command]
pub async fn query_history(desktop: State<'_, Arc<Desktop>>, handle: u32) -> UiResult<Vec<HistoryEntry>> {
    Ok(desktop.core.history(&desktop.db(handle)?, 100).await?)
}
