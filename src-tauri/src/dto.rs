//! Shapes that exist only at the IPC boundary. Everything else the UI sees
//! is an engine type exported with ts-rs (one definition, generated TS).

use serde::{Deserialize, Serialize};
use sonde_db::filter::Filter;
use sonde_db::query::{OrderBy, TableListing};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub log_file: String,
    /// Serial of Sonde's built-in simulated device, once it is running.
    pub simulated_device: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct OpenedDb {
    /// Id for later calls (`fetch_page`...).
    pub handle: u32,
    pub location: String,
    pub label: String,
    /// A device snapshot: edits must be pushed.
    pub is_snapshot: bool,
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

#[derive(Debug, Clone, Serialize, TS)]
pub struct PendingChange {
    pub id: i64,
    pub change: sonde_db::mutation::Change,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum PushProgress {
    /// Checkpointing and checking the local snapshot.
    Preparing,
    /// Comparing with the device, staging, verifying, swapping.
    Transferring,
    Done,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportProgress {
    pub rows: u64,
    /// Rows expected, when known.
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExportSource {
    Table {
        table: String,
        #[serde(default)]
        order: Vec<OrderBy>,
        #[serde(default)]
        filters: Vec<Filter>,
    },
    Query {
        sql: String,
        name: String,
    },
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportReport {
    pub rows: u64,
    pub bytes: u64,
    pub path: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct SqlResult {
    pub page: sonde_db::cursor_sql::SqlPage,
    /// Id for `fetch_sql_page` while more rows remain.
    pub query_id: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Diagnostics {
    pub metrics: Vec<sonde_metrics::OpStats>,
    pub tools: Vec<sonde_device::tools::ToolInfo>,
    pub open_databases: usize,
    pub log_file: String,
}
