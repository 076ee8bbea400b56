//! Errors as the UI sees them: a stable `kind` it can branch on (to show
//! "accept the prompt on the phone", "install adb"...) and the message.

use serde::Serialize;
use sonde_core::CoreError;
use sonde_db::DbError;
use sonde_device::DeviceError;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
pub struct UiError {
    /// `adb_missing`, `tool_missing`, `unauthorized`, `offline`, `device_not_found`,
    /// `not_debuggable`, `unknown_package`, `conflict`, `timeout`, `cancelled`,
    /// `encrypted`, `not_a_database`, `read_only`, `locked`, `constraint`, `sql`,
    /// `not_found`, `unpushed_edits`, `invalid`, `hot_journal`, `error`.
    pub kind: String,
    pub message: String,
    /// The database location the error is about, when the page may not know
    /// it (a file picked in the open dialog), so it can offer to retry.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub location: Option<String>,
}

impl UiError {
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        UiError { kind: kind.to_owned(), message: message.into(), location: None }
    }

    pub fn about(mut self, location: &str) -> Self {
        self.location = Some(location.to_owned());
        self
    }
}

fn device_kind(e: &DeviceError) -> &'static str {
    match e {
        DeviceError::ToolMissing { tool: "adb", .. } => "adb_missing",
        DeviceError::ToolMissing { .. } => "tool_missing",
        DeviceError::Unauthorized { .. } => "unauthorized",
        DeviceError::Offline { .. } => "offline",
        DeviceError::DeviceNotFound { .. } => "device_not_found",
        DeviceError::NotDebuggable { .. } => "not_debuggable",
        DeviceError::UnknownPackage { .. } => "unknown_package",
        DeviceError::ChangedOnDevice { .. } => "conflict",
        DeviceError::Timeout { .. } => "timeout",
        DeviceError::Busy { .. } => "locked",
        DeviceError::Cancelled => "cancelled",
        DeviceError::InvalidName { .. } | DeviceError::BadUri { .. } => "invalid",
        DeviceError::NoSuchFile { .. } | DeviceError::NoSnapshot { .. } => "not_found",
        _ => "error",
    }
}

fn db_kind(e: &DbError) -> &'static str {
    match e {
        DbError::EncryptedOrCorrupt { .. } => "encrypted",
        DbError::HotJournal(_) => "hot_journal",
        DbError::NotADatabase(_) | DbError::NotAFile(_) => "not_a_database",
        DbError::ReadOnly { .. } | DbError::GeneratedColumn { .. } | DbError::NoRowKey(_) => "read_only",
        DbError::Locked => "locked",
        DbError::Constraint(_) => "constraint",
        DbError::Sql(_) => "sql",
        DbError::NotFound(_)
        | DbError::NoSuchTable(_)
        | DbError::NoSuchColumn { .. }
        | DbError::RowNotFound(_) => "not_found",
        DbError::Cancelled => "cancelled",
        DbError::BadCursor(_)
        | DbError::BadFilter { .. }
        | DbError::BadValue(_)
        | DbError::BadRowKey { .. } => "invalid",
        _ => "error",
    }
}

impl From<CoreError> for UiError {
    fn from(e: CoreError) -> Self {
        let kind = match &e {
            CoreError::Db(db) => db_kind(db),
            CoreError::Device(d) => device_kind(d),
            CoreError::UnpushedEdits { .. } => "unpushed_edits",
            CoreError::CorruptSnapshot { .. } => "encrypted",
            CoreError::BadLocation { .. } => "invalid",
            CoreError::Task(_) => "error",
        };
        UiError::new(kind, e.to_string())
    }
}

impl From<DbError> for UiError {
    fn from(e: DbError) -> Self {
        UiError::new(db_kind(&e), e.to_string())
    }
}

impl From<DeviceError> for UiError {
    fn from(e: DeviceError) -> Self {
        UiError::new(device_kind(&e), e.to_string())
    }
}

pub type UiResult<T> = Result<T, UiError>;
