//! The one error type both faces map: every engine and device error, plus
//! the core's own, each with a stable [`ErrorKind`] a face can branch on and
//! a message worded for the face that shows it ([`CoreError::message_for`]).

use serde::Serialize;
use sonde_db::DbError;
use sonde_device::DeviceError;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error("invalid database location {location:?}: {reason}")]
    BadLocation { location: String, reason: &'static str },
    #[error("{0}")]
    Usage(String),
    #[error("{uri} has unpushed edits in its snapshot: push them or discard them before pulling again")]
    UnpushedEdits { uri: String },
    #[error("refusing to push {uri}: the snapshot failed its integrity check ({detail})")]
    CorruptSnapshot { uri: String, detail: String },
    #[error("{what} applies only to databases pulled from a device ({location} is edited in place)")]
    NotASnapshot { what: &'static str, location: String },
    #[error("this SQL result is no longer open: run the query again")]
    NoSuchCursor,
    #[error("{location} has no version {number} (see its versions)")]
    NoSuchVersion { number: u32, location: String },
    #[error("{count} of your changes to {uri} conflict with what the app wrote since you pulled: settle each (keep yours or theirs) before pushing")]
    Conflicts { uri: String, count: usize },
    #[error("there is no conflict {id} (it was settled already?)")]
    NoSuchConflict { id: i64 },
    #[error("{uri} changed on the device, and writes made from the SQL console cannot be re-applied onto the new version: {why}")]
    SqlWritesNotRebased { uri: String, why: String },
    #[error("the cursor is at offset {offset}, past the end of the SQL text")]
    BadOffset { offset: usize },
    #[error("there is no SQL statement at the cursor")]
    NoStatement,
    #[error("{path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// DDL a framework will refuse, not confirmed (run again allowing it).
    #[error("{warning}: confirm to run it anyway")]
    SchemaChange { warning: &'static str },
    /// A cell that does not decode as the display kind asked for.
    #[error("{0}")]
    Undecodable(String),
    #[error("the key remembered in the keychain no longer opens this encrypted database: give its key")]
    RememberedKeyFailed,
    #[error("the system keychain could not be used: {0}")]
    Keychain(String),
    #[error("the simulated device could not start: {0}")]
    SimulatedDevice(String),
    #[error("internal error ({0}); please report it")]
    Internal(String),
}

/// Which face shows an error: some advice names a CLI command, some a button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Cli,
    App,
}

/// What kind of failure an error is, for a face to branch on (the app's
/// `UiError.kind`, a TypeScript union generated from this enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ErrorKind {
    AdbMissing,
    ToolMissing,
    Unauthorized,
    /// An iOS device that must be unlocked with its passcode.
    DeviceLocked,
    Offline,
    DeviceNotFound,
    NotDebuggable,
    NotDevelopmentBuild,
    UnknownPackage,
    Conflict,
    Timeout,
    Cancelled,
    Encrypted,
    WrongKey,
    Corrupt,
    NotADatabase,
    ReadOnly,
    Locked,
    Busy,
    Constraint,
    Sql,
    NotFound,
    UnpushedEdits,
    Invalid,
    HotJournal,
    TooSlow,
    Transfer,
    /// The OS keychain (remembered keys) is unavailable or refused.
    Keychain,
    /// A schema change the database's framework will refuse, to confirm.
    SchemaChange,
    /// An Android emulator that could not start (no hardware acceleration,
    /// it exited while booting).
    Emulator,
    Io,
    Internal,
}

impl CoreError {
    pub fn io(path: impl Into<std::path::PathBuf>, source: std::io::Error) -> Self {
        CoreError::Io { path: path.into(), source }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            CoreError::Db(e) => db_kind(e),
            CoreError::Device(e) => device_kind(e),
            CoreError::BadLocation { .. }
            | CoreError::NotASnapshot { .. }
            | CoreError::BadOffset { .. }
            | CoreError::NoStatement
            | CoreError::Usage(_) => ErrorKind::Invalid,
            CoreError::UnpushedEdits { .. } => ErrorKind::UnpushedEdits,
            CoreError::Conflicts { .. } | CoreError::SqlWritesNotRebased { .. } => ErrorKind::Conflict,
            CoreError::NoSuchConflict { .. } => ErrorKind::NotFound,
            CoreError::CorruptSnapshot { .. } => ErrorKind::Corrupt,
            CoreError::NoSuchCursor | CoreError::NoSuchVersion { .. } => ErrorKind::NotFound,
            CoreError::Io { .. } => ErrorKind::Io,
            CoreError::RememberedKeyFailed => ErrorKind::WrongKey,
            CoreError::Undecodable(_) => ErrorKind::Invalid,
            CoreError::SchemaChange { .. } => ErrorKind::SchemaChange,
            CoreError::Keychain(_) => ErrorKind::Keychain,
            CoreError::SimulatedDevice(_) | CoreError::Internal(_) => ErrorKind::Internal,
        }
    }

    /// The message, with the way out this face offers.
    pub fn message_for(&self, face: Face) -> String {
        let base = self.to_string();
        if let (Face::Cli, CoreError::Db(e)) = (face, self) {
            if matches!(e.cause(), DbError::Encrypted(_)) {
                return format!("{base} with --cipher-key KEY (or SONDE_CIPHER_KEY in the environment)");
            }
        }
        let advice = match (face, self) {
            (Face::Cli, CoreError::Device(DeviceError::DeviceNotFound { .. })) => {
                Some("`sonde devices` lists what is attached")
            }
            (Face::App, CoreError::Device(DeviceError::DeviceNotFound { .. })) => {
                Some("connect it (or start the emulator); attached devices appear in the sidebar")
            }
            (Face::Cli, CoreError::Device(DeviceError::ChangedOnDevice { .. })) => Some(
                "`sonde discard URI` drops your edits and pulls the new version (or `sonde pull --discard URI`)",
            ),
            (Face::App, CoreError::Device(DeviceError::ChangedOnDevice { .. })) => {
                Some("discard your changes and pull the new version")
            }
            (Face::Cli, CoreError::Conflicts { .. }) => {
                Some("`sonde conflicts URI` lists them, `sonde resolve URI ID --keep mine|theirs` settles one")
            }
            (Face::Cli, CoreError::SqlWritesNotRebased { .. }) => {
                Some("`sonde discard URI` drops your edits and pulls the new version")
            }
            (Face::App, CoreError::SqlWritesNotRebased { .. }) => {
                Some("discard your changes and pull the new version, then run your SQL again")
            }
            (Face::Cli, CoreError::UnpushedEdits { .. }) => Some("`sonde push URI` or `sonde discard URI`"),
            (Face::Cli, CoreError::Device(DeviceError::NoSnapshot { .. })) => Some("`sonde pull URI`"),
            (Face::App, CoreError::Device(DeviceError::NoSnapshot { .. })) => Some("open it again"),
            (Face::Cli, CoreError::Db(e)) if matches!(e.cause(), DbError::WrongKey(_)) => Some(
                "check --cipher-key (a passphrase, or x'<64 hex>' for a raw key) and any --cipher-pragma settings",
            ),
            _ => None,
        };
        match advice {
            Some(a) => format!("{base}: {a}"),
            None => base,
        }
    }
}

fn device_kind(e: &DeviceError) -> ErrorKind {
    match e {
        DeviceError::ToolMissing { tool: "adb", .. } => ErrorKind::AdbMissing,
        DeviceError::ToolMissing { .. } | DeviceError::MuxUnavailable { .. } => ErrorKind::ToolMissing,
        DeviceError::Locked { .. } => ErrorKind::DeviceLocked,
        DeviceError::Unauthorized { .. } | DeviceError::Untrusted { .. } => ErrorKind::Unauthorized,
        DeviceError::Offline { .. } | DeviceError::SimulatorShutDown { .. } => ErrorKind::Offline,
        DeviceError::DeviceNotFound { .. } => ErrorKind::DeviceNotFound,
        DeviceError::NotDebuggable { .. } => ErrorKind::NotDebuggable,
        DeviceError::NotDevelopmentBuild { .. } => ErrorKind::NotDevelopmentBuild,
        DeviceError::UnknownPackage { .. } => ErrorKind::UnknownPackage,
        DeviceError::ChangedOnDevice { .. } => ErrorKind::Conflict,
        DeviceError::Timeout { .. } | DeviceError::BootTimedOut { .. } => ErrorKind::Timeout,
        DeviceError::NoAcceleration { .. } | DeviceError::EmulatorExited { .. } => ErrorKind::Emulator,
        DeviceError::Busy { .. } => ErrorKind::Busy,
        DeviceError::Cancelled => ErrorKind::Cancelled,
        DeviceError::InvalidName { .. }
        | DeviceError::BadUri { .. }
        | DeviceError::InPlace { .. }
        | DeviceError::AmbiguousVirtualDevice { .. } => ErrorKind::Invalid,
        DeviceError::NoSuchFile { .. }
        | DeviceError::NoSnapshot { .. }
        | DeviceError::NoAppGroup { .. }
        | DeviceError::NoDataContainer { .. }
        | DeviceError::NoVirtualDevices { .. }
        | DeviceError::NoSuchVirtualDevice { .. } => ErrorKind::NotFound,
        DeviceError::PermissionDenied { .. } => ErrorKind::ReadOnly,
        DeviceError::TransferIncomplete { .. }
        | DeviceError::KeptChanging
        | DeviceError::PushRolledBack { .. }
        | DeviceError::ToolFailed { .. }
        | DeviceError::OutputTooLarge { .. } => ErrorKind::Transfer,
        DeviceError::Io { .. } | DeviceError::NoStagingDir(_) => ErrorKind::Io,
        DeviceError::NotCheckpointed | DeviceError::Internal(_) => ErrorKind::Internal,
    }
}

fn db_kind(e: &DbError) -> ErrorKind {
    match e.cause() {
        DbError::InEdit { .. } => ErrorKind::Internal, // cause() never returns one
        DbError::EncryptedOrCorrupt { .. } | DbError::Encrypted(_) => ErrorKind::Encrypted,
        DbError::WrongKey(_) => ErrorKind::WrongKey,
        DbError::HotJournal(_) => ErrorKind::HotJournal,
        DbError::NotADatabase(_) | DbError::NotAFile(_) | DbError::ForeignFormat { .. } => {
            ErrorKind::NotADatabase
        }
        DbError::ReadOnly { .. }
        | DbError::GeneratedColumn { .. }
        | DbError::NoRowKey(_)
        | DbError::PermissionDenied(_)
        | DbError::NotWritable(_) => ErrorKind::ReadOnly,
        DbError::Locked => ErrorKind::Locked,
        DbError::Constraint(_) => ErrorKind::Constraint,
        DbError::Sql(_) => ErrorKind::Sql,
        DbError::NotFound(_)
        | DbError::NoSuchTable(_)
        | DbError::NoSuchColumn { .. }
        | DbError::RowNotFound(_) => ErrorKind::NotFound,
        DbError::Cancelled => ErrorKind::Cancelled,
        DbError::TooSlow { .. } => ErrorKind::TooSlow,
        DbError::BadCursor(_)
        | DbError::BadFilter { .. }
        | DbError::BadValue(_)
        | DbError::BadRowKey { .. }
        | DbError::WrongRowCount { .. }
        | DbError::Refused(_)
        | DbError::BadKey(_) => ErrorKind::Invalid,
        DbError::CannotOpen { .. } | DbError::Io { .. } | DbError::Output(_) => ErrorKind::Io,
        DbError::Pool(_) | DbError::AppState { .. } | DbError::Internal(_) => ErrorKind::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An iPhone that does not trust the computer is `unauthorized` for the
    /// app (it was a catch-all `error` once), and the CLI's advice names a
    /// command while the app's names what to do in the window.
    #[test]
    fn kinds_and_face_specific_advice() {
        let untrusted = CoreError::from(DeviceError::Untrusted { udid: "u".into() });
        assert_eq!(untrusted.kind(), ErrorKind::Unauthorized);
        let missing = CoreError::from(DeviceError::DeviceNotFound { device: "android://x".into() });
        assert!(missing.message_for(Face::Cli).contains("`sonde devices`"));
        assert!(!missing.message_for(Face::App).contains("sonde devices"));
        assert!(missing.message_for(Face::App).contains("sidebar"));
        let corrupt = CoreError::CorruptSnapshot { uri: "u".into(), detail: "d".into() };
        assert_eq!(corrupt.kind(), ErrorKind::Corrupt, "a corrupt snapshot is not 'encrypted'");
        assert_eq!(
            serde_json::to_value(ErrorKind::NotDevelopmentBuild).expect("json"),
            serde_json::json!("not_development_build")
        );
    }
}

/// An error as the app shows it: its kind, the message worded for the app,
/// and the database location it is about when the page may not know it
/// (a file picked in the open dialog), so it can offer to retry.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UiError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub location: Option<String>,
    /// Which edit of a batch failed (the batch was rolled back), so the
    /// page can point at its cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub edit: Option<u32>,
}

impl UiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        UiError { kind, message: message.into(), location: None, edit: None }
    }

    pub fn about(mut self, location: &str) -> Self {
        self.location = Some(location.to_owned());
        self
    }
}

impl From<CoreError> for UiError {
    fn from(e: CoreError) -> Self {
        UiError::from(&e)
    }
}

impl From<&CoreError> for UiError {
    fn from(e: &CoreError) -> Self {
        let mut ui = UiError::new(e.kind(), e.message_for(Face::App));
        if let CoreError::Db(DbError::InEdit { index, .. }) = e {
            ui.edit = u32::try_from(*index).ok();
        }
        ui
    }
}
