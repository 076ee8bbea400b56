use super::{ask, Dialog};
use crate::dto::{OpenedDb, PageQuery};
use crate::error::{invalid, UiResult};
use crate::state::Desktop;
use sonde_core::device::runner::CancellationToken;
use sonde_core::{Filter, Location, OpenDb, TableListing, TableSchema, UiError};
use std::sync::Arc;
use tauri::ipc::Response;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

pub(crate) fn opened(handle: u32, db: &OpenDb, tables: Vec<TableListing>) -> OpenedDb {
    OpenedDb {
        handle,
        location: db.location.key(),
        label: db.label.clone(),
        is_snapshot: db.snapshot,
        encrypted: db.encrypted,
        tables,
    }
}

/// The key the user typed into the prompt of an encrypted database.
#[derive(serde::Deserialize)]
pub struct CipherInput {
    /// A passphrase, or `x'<64 hex>'` for a raw key.
    key: String,
    /// SQLCipher settings, `NAME=VALUE`.
    #[serde(default)]
    settings: Vec<String>,
}

/// Opens a device database (pulling a snapshot) or a local file the user
/// chose before (dialog, drop, recent list). `recover_hot_journal` rolls
/// back a crashed app's unfinished transaction first (the user confirmed it).
/// `cipher`: the key of an encrypted database, kept (in memory only) for
/// this location while the app runs; a key that does not open it is
/// forgotten again.
#[tauri::command]
pub async fn open_database(
    desktop: State<'_, Arc<Desktop>>,
    location: String,
    recover_hot_journal: Option<bool>,
    cipher: Option<CipherInput>,
) -> UiResult<OpenedDb> {
    if let Location::Local(path) = Location::parse(&location)? {
        if !desktop.is_allowed(&path) && !desktop.core.was_opened(&path).await? {
            return Err(invalid("choose the file with Open… or drop it on the window"));
        }
    }
    let Some(cipher) = cipher else {
        return open(&desktop, &location, recover_hot_journal.unwrap_or(false)).await;
    };
    let key = sonde_core::parse_cipher_key(&cipher.key, &cipher.settings)?;
    desktop.core.set_location_key(&location, Some(key))?;
    let opened = open(&desktop, &location, recover_hot_journal.unwrap_or(false)).await;
    if opened.is_err() {
        desktop.core.set_location_key(&location, None)?;
    }
    opened
}

async fn open(desktop: &Desktop, location: &str, recover: bool) -> UiResult<OpenedDb> {
    let (db, tables) = desktop
        .core
        .open_listed(location, &CancellationToken::new(), recover)
        .await
        .map_err(|e| UiError::from(e).about(location))?;
    let opened = opened(0, &db, tables);
    Ok(OpenedDb { handle: desktop.register(db), ..opened })
}

/// Shows the native open dialog; `None` when the user cancels.
#[tauri::command]
pub async fn open_file_dialog(
    app: tauri::AppHandle,
    desktop: State<'_, Arc<Desktop>>,
) -> UiResult<Option<OpenedDb>> {
    let picked = match super::e2e_dialog_path(Dialog::Open) {
        Some(p) => Some(p),
        None => {
            let dialog = app
                .dialog()
                .file()
                .add_filter("SQLite database", &["db", "sqlite", "sqlite3", "db3", "store"]);
            ask(move || dialog.blocking_pick_file().and_then(|f| f.into_path().ok())).await
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
    Ok(desktop.core.tables(&desktop.db(handle)?, counts).await?)
}

/// Row count: exact, or (`exact = false`) a fast one for display that is
/// `null` when even that would take too long (a slow view).
#[tauri::command]
pub async fn count_rows(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    table: String,
    filters: Vec<Filter>,
    exact: bool,
) -> UiResult<Option<u64>> {
    let db = desktop.db(handle)?;
    if exact || !filters.is_empty() {
        Ok(Some(desktop.core.count(&db, &table, filters).await?))
    } else {
        Ok(desktop.core.estimate(&db, &table).await?)
    }
}

#[tauri::command]
pub async fn table_schema(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    table: String,
) -> UiResult<TableSchema> {
    Ok((*desktop.core.schema(&desktop.db(handle)?, &table).await?).clone())
}

/// A page as raw JSON bytes (`Page`, integers beyond 2^53 as `{"$int"}`):
/// skips Tauri's value serialization (docs/BENCHMARKS.md).
#[tauri::command]
pub async fn fetch_page(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    query: PageQuery,
) -> UiResult<Response> {
    let bytes = desktop.core.page_json(&desktop.db(handle)?, query.into_request(), None).await?;
    Ok(Response::new(bytes))
}

/// The page starting at row `offset` (jump to row).
#[tauri::command]
pub async fn fetch_page_at(
    desktop: State<'_, Arc<Desktop>>,
    handle: u32,
    query: PageQuery,
    offset: u64,
) -> UiResult<Response> {
    let bytes = desktop.core.page_json(&desktop.db(handle)?, query.into_request(), Some(offset)).await?;
    Ok(Response::new(bytes))
}
