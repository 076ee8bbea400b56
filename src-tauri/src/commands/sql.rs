use super::blocking;
use crate::dto::SqlResult;
use crate::error::{UiError, UiResult};
use crate::state::Desktop;
use sonde_db::appstate::HistoryEntry;
use sonde_db::budget::Stop;
use sonde_db::cursor_sql;
use std::sync::Arc;
use tauri::State;

/// Runs SQL from the console: the first page, and an id for more. Every run
/// goes into the database's history. `cancel_operation(op_id)` stops it
/// while the first page is computed (a write is rolled back); `close_sql`
/// stops a later page.
#[tauri::command]
pub async fn run_sql(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    sql: String,
    page_size: u32,
    op_id: String,
) -> UiResult<SqlResult> {
    let db = desktop.db(handle)?;
    let path = db.path.clone();
    let text = sql.clone();
    let token = desktop.start_op(&op_id);
    let stop: Stop = Arc::new(move || token.is_cancelled());
    let result = blocking(move || Ok(cursor_sql::open(&path, &text, page_size as usize, Some(stop))?)).await;
    desktop.end_op(&op_id);
    let key = db.location.key();
    let _ = desktop.core.state().add_history(&key, &sql, result.as_ref().err().map(|e| e.message.as_str()));
    let (page, cursor) = result?;
    if page.wrote {
        desktop.core.note_write(&db)?;
    }
    let query_id = cursor.map(|c| desktop.store_cursor(c));
    Ok(SqlResult { page, query_id })
}

#[tauri::command]
pub async fn fetch_sql_page(
    desktop: State<'_, Arc<Desktop>>,
    query_id: u32,
    page_size: u32,
) -> UiResult<SqlResult> {
    let Some(mut cursor) = desktop.take_cursor(query_id) else {
        return Err(UiError::new("not_found", "this result is no longer open; run the query again"));
    };
    let (page, cursor) = blocking(move || {
        let page = cursor.next_page(page_size as usize)?;
        Ok((page, cursor))
    })
    .await?;
    let query_id = if page.done {
        None
    } else {
        desktop.put_back_cursor(query_id, cursor);
        Some(query_id)
    };
    Ok(SqlResult { page, query_id })
}

#[tauri::command]
pub async fn close_sql(desktop: State<'_, Arc<Desktop>>, query_id: u32) -> UiResult<()> {
    desktop.take_cursor(query_id);
    Ok(())
}

#[tauri::command]
pub async fn query_history(desktop: State<'_, Arc<Desktop>>, handle: u32) -> UiResult<Vec<HistoryEntry>> {
    let db = desktop.db(handle)?;
    Ok(desktop.core.state().history(&db.location.key(), 100)?)
}
