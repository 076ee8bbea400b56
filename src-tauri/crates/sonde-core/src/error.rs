use sonde_db::DbError;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("invalid database location {location:?}: {reason}")]
    BadLocation { location: String, reason: String },
    #[error("background task failed: {0}")]
    Task(String),
}
