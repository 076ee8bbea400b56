use super::blocking;
use crate::dto::{OpenedDb, PageQuery};
use crate::error::{UiError, UiResult};
use crate::state::Desktop;
use sonde_core::{Location, OpenDb};
use sonde_db::filter::Filter;
use sonde_db::query::{self, Page, PageRequest, TableListing};
use sonde_db::schema::TableSchema;
use sonde_device::runner::CancellationToken;
use std::sync::Arc;
use tauri::ipc::Response;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

/// Opens a device database (pulling a snapshot) or a local file the user
/// chose before (dialog, drop, recent list). `recover_hot_journal` rolls
/// back a crashed app's unfinished transaction first (the user confirmed it).
#[tauri::command]
pub async fn open_database(
    desktop: State<'_, Arc<Desktop>>,
    location: String,
    recover_hot_journal: Option<bool>,
) -> UiResult<OpenedDb> {
    if let Location::Local(path) = Location::parse(&location)? {
        let known = desktop.is_allowed(&path)
            || desktop.core.state().recent(200)?.iter().any(|r| r.uri == Location::Local(path.clone()).key());
        if !known {
            return Err(UiError::new("invalid", "choose the file with Open… or drop it on the window"));
        }
    }
    open(&desktop, &location, recover_hot_journal.unwrap_or(false)).await
}

async fn open(desktop: &Desktop, location: &str, recover_hot_journal: bool) -> UiResult<OpenedDb> {
    let db = desktop
        .core
        .open_recovering(location, &CancellationToken::new(), recover_hot_journal)
        .await
        .map_err(|e| UiError::from(e).about(location))?;
    let path = db.path.clone();
    let tables = blocking(move || Ok(query::list_tables(&path, false)?)).await?;
    let label = match &db.location {
        Location::Local(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        Location::Device(uri) => format!("{} — {}", uri.app, uri.file_name()),
    };
    let opened =
        OpenedDb { handle: 0, location: db.location.key(), label, is_snapshot: db.is_snapshot(), tables };
    let handle = desktop.register(db);
    Ok(OpenedDb { handle, ..opened })
}

/// Shows the native open dialog; `None` when the user cancels.
#[tauri::command]
pub async fn open_file_dialog(
    app: tauri::AppHandle,
    desktop: State<'_, Arc<Desktop>>,
) -> UiResult<Option<OpenedDb>> {
    let picked = match super::e2e_dialog_path(super::Dialog::Open) {
        Some(p) => Some(p),
        None => {
            let dialog =
                app.dialog().file().add_filter("SQLite database", &["db", "sqlite", "sqlite3", "db3"]);
            blocking(move || Ok(dialog.blocking_pick_file().and_then(|f| f.into_path().ok()))).await?
        }
    };
    let Some(path) = picked else { return Ok(None) };
    desktop.allow(&path);
    open(&desktop, &path.display().to_string(), false).await.map(Some)
}

#[tauri::command]
pub async fn close_database(desktop: State<'_, Arc<Desktop>>, handle: u32) -> UiResult<()> {
    desktop.close(handle);
    Ok(())
}

#[tauri::command]
pub async fn list_tables(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    counts: bool,
) -> UiResult<Vec<TableListing>> {
    let db = desktop.db(handle)?;
    blocking(move || Ok(query::list_tables(&db.path, counts)?)).await
}

/// Row count: `exact = false` answers fast (estimate) for huge tables.
#[tauri::command]
pub async fn count_rows(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    table: String,
    filters: Vec<Filter>,
    exact: bool,
) -> UiResult<u64> {
    let db = desktop.db(handle)?;
    blocking(move || Ok(query::count(&db.path, &table, &filters, exact)?)).await
}

#[tauri::command]
pub async fn table_schema(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    table: String,
) -> UiResult<TableSchema> {
    let db = desktop.db(handle)?;
    blocking(move || Ok((*query::table_schema(&db.path, &table)?).clone())).await
}

fn request(q: PageQuery) -> PageRequest {
    PageRequest {
        table: q.table,
        limit: q.limit as usize,
        after: q.after,
        order: q.order,
        filters: q.filters,
    }
}

/// A page as raw JSON bytes (`Page`, integers beyond 2^53 as `{"$int"}`):
/// skips Tauri's value serialization; see docs/ARCHITECTURE.md for numbers.
#[tauri::command]
pub async fn fetch_page(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    query: PageQuery,
) -> UiResult<Response> {
    let db = desktop.db(handle)?;
    page_bytes(db, move |path| query::page(path, &request(query))).await
}

/// The page starting at row `offset` (jump to row).
#[tauri::command]
pub async fn fetch_page_at(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    query: PageQuery,
    offset: u64,
) -> UiResult<Response> {
    let db = desktop.db(handle)?;
    page_bytes(db, move |path| query::page_at(path, &request(query), offset)).await
}

/// The same page through Tauri's JSON serialization: the baseline the
/// benchmark compares `fetch_page` with. Integers beyond 2^53 lose digits
/// here; the UI never uses it.
#[tauri::command]
pub async fn fetch_page_json(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    query: PageQuery,
) -> UiResult<Page> {
    let db = desktop.db(handle)?;
    blocking(move || Ok(query::page(&db.path, &request(query))?)).await
}

async fn page_bytes(
    db: OpenDb,
    read: impl FnOnce(&std::path::Path) -> sonde_db::Result<Page> + Send + 'static,
) -> UiResult<Response> {
    blocking(move || {
        let page = read(&db.path)?;
        let bytes = sonde_db::value::with_safe_ints(|| serde_json::to_vec(&page))
            .map_err(|e| UiError::new("error", e.to_string()))?;
        Ok(Response::new(bytes))
    })
    .await
}
