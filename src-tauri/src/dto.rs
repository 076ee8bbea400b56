//! Shapes that exist only at the IPC boundary. Everything else the UI sees
//! is a core, engine or device type exported with ts-rs (one definition,
//! generated TypeScript).

use serde::{Deserialize, Serialize};
use sonde_core::{Filter, OrderBy, PageRequest, TableListing, Value};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub log_file: String,
    /// Serial of Sonde's built-in simulated device, once it is running.
    pub simulated_device: Option<String>,
    /// Where the simulated device's file system is on this computer (its
    /// apps' data under `data/data/<package>/`), to check a push by hand.
    pub simulated_device_dir: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct OpenedDb {
    /// Id for later calls (`fetch_page`...).
    pub handle: u32,
    pub location: String,
    pub label: String,
    /// A device snapshot: edits must be pushed.
    pub is_snapshot: bool,
    /// Encrypted (SQLCipher): the page must not persist its unsaved edits
    /// (they hold decrypted values).
    pub encrypted: bool,
    /// Its key is remembered in the OS keychain (the page offers "Forget").
    pub key_remembered: bool,
    /// The key was to be remembered and the keychain refused (it is open
    /// all the same): why, to show.
    pub keychain_error: Option<String>,
    /// The framework that wrote the database (`coredata`, `room`...), as its
    /// bookkeeping tables say.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub framework: Option<sonde_core::Framework>,
    /// A Room (or plain Android) database's version (`user_version`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub user_version: Option<i64>,
    /// Row counts are `null` here; ask `count_rows`.
    pub tables: Vec<TableListing>,
}

#[derive(Debug, Clone, Deserialize, TS)]
pub struct PageQuery {
    pub table: String,
    pub limit: u32,
    #[serde(default)]
    pub after: Option<String>,
    #[serde(default)]
    pub order: Vec<OrderBy>,
    #[serde(default)]
    pub filters: Vec<Filter>,
}

impl PageQuery {
    pub fn into_request(self) -> PageRequest {
        PageRequest {
            table: self.table,
            limit: self.limit as usize,
            after: self.after,
            order: self.order,
            filters: self.filters,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Diagnostics {
    pub metrics: Vec<sonde_metrics::OpStats>,
    pub tools: Vec<sonde_core::device::tools::ToolInfo>,
    pub open_databases: usize,
    pub log_file: String,
}

/// A file the user picked to load into a cell, as a BLOB.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LoadedFile {
    pub name: String,
    pub bytes: u64,
    pub value: Value,
}
