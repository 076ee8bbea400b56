//! `sonde-core`: the one async API both faces call — the `sonde` CLI and the
//! desktop app. A face parses its input, calls one function here, and
//! renders the result or maps the error ([`CoreError::kind`],
//! [`CoreError::message_for`]).
//!
//! - [`Sonde::open`]: a location becomes a local SQLite file: the file
//!   itself, a simulator database in place, or a verified device snapshot
//!   (reused while it holds unpushed edits, pulled fresh otherwise).
//! - browse ([`Sonde::tables`], [`Sonde::page`]...), SQL ([`Sonde::query`],
//!   the console's [`Sonde::run_sql`] with its cursors), [`Sonde::export`],
//!   edits ([`Sonde::apply`], [`Sonde::undo`], [`Sonde::status`]), device
//!   transfers ([`Sonde::pull`], [`Sonde::push`] with real progress,
//!   [`Sonde::discard`], [`Sonde::refresh`]), devices, and the built-in
//!   simulated device.
//!
//! Only this crate faces the async world: every blocking step (SQLite, the
//! app-state database, file copies, hashing) runs on `spawn_blocking`
//! inside it, never on a runtime worker thread.

mod blocking;
mod browse;
pub(crate) mod cipher;
mod cursors;
mod devices;
mod diff;
pub mod display;
mod edit;
pub mod error;
mod export;
#[cfg(feature = "keychain")]
pub mod keychain;
pub mod location;
mod open;
pub mod paths;
mod rebase;
mod schema_guard;
mod service;
mod simulated;
mod simulated_iphone;
mod sql;
mod sql_writes;
mod transfer;
#[cfg(feature = "keychain")]
mod unlock;
pub mod versions;
pub mod virtual_devices;
mod watch;
mod write_lock;

pub use cipher::parse_cipher_key;
pub use edit::{DbStatus, PendingChange};
pub use error::{CoreError, ErrorKind, Face, Result, UiError};
pub use export::{ExportProgress, ExportReport, ExportSource, ExportTarget};
pub use location::Location;
pub use open::OpenDb;
pub use rebase::{Conflict, Keep, RebaseReport};
pub use service::{CoreConfig, Sonde};
pub use simulated::SimulatedDevice;
pub use simulated_iphone::SimulatedIphone;
pub use sql::{RunScope, SqlResult, SqlRun, StatementResult};
pub use transfer::{PushOutcome, Pushed};
#[cfg(feature = "keychain")]
pub use unlock::{KeyInput, Unlocked};
pub use versions::{Producer, VersionInfo};
pub use watch::{WatchEvent, DEFAULT_INTERVAL as DEFAULT_WATCH_INTERVAL, WATCH_ROW_CAP};

/// How a column's values are shown when not as their storage class.
pub use sonde_db::framework::Framework;
pub use sonde_display::{Decoded, Kind as DisplayKind};

/// The engine's value and request types, as faces see them.
pub use sonde_db::{
    appstate::{HistoryEntry, RecentDatabase},
    cipher::CipherKey,
    cursor_sql::SqlPage,
    diff::{
        DbDiff, DiffSink, GroupedSink, RowChange, RowOp, SchemaChange, TableCounts, TableHeader, TableStatus,
    },
    export::Format,
    filter::Filter,
    mutation::{Assignment, Change, Edit},
    query::{ColumnMeta, OrderBy, Page, PageRequest, Row, RowSink, SqlSummary, TableListing, MAX_PAGE},
    schema::TableSchema,
    DbError, Value,
};
/// The device layer's types, as faces see them.
pub use sonde_device as device;
