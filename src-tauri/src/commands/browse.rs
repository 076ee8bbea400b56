use super::{ask, Dialog};
use crate::dto::{OpenedDb, PageQuery};
use crate::error::{invalid, UiResult};
use crate::state::Desktop;
use sonde_core::device::runner::CancellationToken;
use sonde_core::{Filter, KeyInput, Location, OpenDb, TableListing, TableSchema, UiError};
use std::sync::Arc;
use tauri::ipc::Response;
use tauri::State;
use tauri_plugin_dialog::DialogExt;

pub(crate) fn opened(desktop: &Desktop, handle: u32, db: &OpenDb, tables: Vec<TableListing>) -> OpenedDb {
    OpenedDb {
        framework: framework_of(&tables),
        user_version: None,
        handle,
        location: db.location.key(),
        label: db.label.clone(),
        is_snapshot: db.snapshot,
        encrypted: db.encrypted,
        key_remembered: db.encrypted && desktop.core.is_key_remembered(&db.location.key()),
        keychain_error: None,
        tables,
    }
}

/// The framework that wrote a database, from what its tables are to it.
fn framework_of(tables: &[TableListing]) -> Option<sonde_core::Framework> {
    use sonde_core::Framework as F;
    let owners: Vec<F> = tables.iter().filter_map(|t| t.framework).collect();
    [F::Coredata, F::Workmanager, F::Firestore, F::Room, F::Grdb, F::Android]
        .into_iter()
        .find(|f| owners.contains(f))
}

/// `opened` with the version a Room or Android database's migrations count.
pub(crate) async fn with_version(desktop: &Desktop, db: &OpenDb, mut out: OpenedDb) -> OpenedDb {
    use sonde_core::Framework as F;
    if matches!(out.framework, Some(F::Room | F::Android | F::Workmanager)) {
        out.user_version = desktop.core.user_version(db).await.ok();
    }
    out
}

/// The key the user typed into the prompt of an encrypted database.
#[derive(serde::Deserialize)]
pub struct CipherInput {
    /// A passphrase, or `x'<64 hex>'` for a raw key.
    key: String,
    /// SQLCipher settings, `NAME=VALUE`.
    #[serde(default)]
    settings: Vec<String>,
    /// Keep it in the OS keychain (opt-in).
    #[serde(default)]
    remember: bool,
}

/// Opens a device database (pulling a snapshot) or a local file the user
/// chose before (dialog, drop, recent list). `recover_hot_journal` rolls
/// back a crashed app's unfinished transaction first (the user confirmed it).
/// `cipher`: the key of an encrypted database, kept in memory for this
/// location while the app runs (and in the keychain when asked); without
/// one, an encrypted database opens with the key the keychain remembers.
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
    let given = cipher.map(|c| KeyInput { key: c.key, settings: c.settings, remember: c.remember });
    open(&desktop, &location, given, recover_hot_journal.unwrap_or(false)).await
}

/// Removes the key the keychain remembers for `location`.
#[tauri::command]
pub async fn forget_cipher_key(desktop: State<'_, Arc<Desktop>>, location: String) -> UiResult<bool> {
    Ok(desktop.core.forget_remembered_key(&location).await?)
}

async fn open(
    desktop: &Desktop,
    location: &str,
    given: Option<KeyInput>,
    recover: bool,
) -> UiResult<OpenedDb> {
    let unlocked = desktop
        .core
        .unlock(location, given, &CancellationToken::new(), recover)
        .await
        .map_err(|e| UiError::from(e).about(location))?;
    let opened = with_version(desktop, &unlocked.db, opened(desktop, 0, &unlocked.db, unlocked.tables)).await;
    Ok(OpenedDb {
        handle: desktop.register(unlocked.db),
        key_remembered: unlocked.key_remembered,
        keychain_error: unlocked.keychain_error,
        ..opened
    })
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
    open(&desktop, &path.display().to_string(), None, false).await.map(Some)
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
