//! Values shown as what they mean: the inspector's decoded view of a cell,
//! the user's choice of display kind per column, and the date editor's
//! exact stored value.

use crate::error::UiResult;
use crate::state::Desktop;
use sonde_core::{Decoded, TableSchema, Value};
use std::sync::Arc;
use tauri::State;

/// The stored value of a cell (table, row key, column) decoded as `kind`.
#[tauri::command]
pub async fn decode_value(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    table: String,
    key: String,
    column: String,
    kind: String,
) -> UiResult<Decoded> {
    Ok(desktop.core.decode_cell(&desktop.db(handle)?, &table, &key, &column, &kind).await?)
}

/// Shows a column as `kind` (a display kind, or `raw`: as stored), or with
/// `null` as inferred; remembered for the database. The schema as shown now.
#[tauri::command]
pub async fn set_display_kind(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    table: String,
    column: String,
    kind: Option<String>,
) -> UiResult<TableSchema> {
    let db = desktop.db(handle)?;
    Ok((*desktop.core.set_display_kind(&db, &table, &column, kind.as_deref()).await?).clone())
}

/// The stored value of a date typed in the date editor (`text`: ISO-8601
/// UTC), in the storage class of the value it replaces (`stored`:
/// `integer` or `real`).
#[tauri::command]
pub async fn encode_date(kind: String, text: String, stored: String) -> UiResult<Value> {
    Ok(sonde_core::display::encode_date(&kind, &text, stored == "integer")?)
}
