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
    BadLocation { location: String, reason: String },
    #[error("{uri} has unpushed edits in its snapshot: push them (`sonde push`) or discard them before pulling again")]
    UnpushedEdits { uri: String },
    #[error("refusing to push {uri}: the snapshot failed its integrity check ({detail})")]
    CorruptSnapshot { uri: String, detail: String },
    #[error("background task failed: {0}")]
    Task(String),
}
