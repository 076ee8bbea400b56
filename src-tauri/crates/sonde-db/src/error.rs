//! The one error type of the engine. Every message says what happened in the
//! user's terms and, where there is one, what to do about it.

use std::path::PathBuf;

pub type Result<T, E = DbError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}: no such file")]
    NotFound(PathBuf),
    #[error("{0}: not a regular file")]
    NotAFile(PathBuf),
    #[error("{0}: not a SQLite database")]
    NotADatabase(PathBuf),
    /// A file of a known other kind (Realm, LevelDB, MMKV, a plist...).
    #[error("{path}: not a SQLite database but {format}: {advice}")]
    ForeignFormat { path: PathBuf, format: &'static str, advice: &'static str },
    #[error("{path}: database is encrypted or corrupt{}", detail_suffix(.detail))]
    EncryptedOrCorrupt { path: PathBuf, detail: Option<String> },
    /// No key was given for a file that is not plain SQLite.
    #[error("{0}: this database is encrypted: give its key")]
    Encrypted(PathBuf),
    /// None of the SQLCipher settings tried opened the file with this key.
    #[error("{0}: wrong key for this encrypted database (or settings it does not use)")]
    WrongKey(PathBuf),
    /// A key or SQLCipher setting that cannot be used as given.
    #[error("cipher key: {0}")]
    BadKey(String),
    #[error("database is locked by another process: close the app that holds it (or stop it on the device) and retry")]
    Locked,
    #[error("{0}: the database has an unfinished transaction left by a crash (a hot -journal file); reading does not roll it back: edit the database once (or open it in the app that owns it) to recover it")]
    HotJournal(PathBuf),
    #[error("{0}: permission denied")]
    PermissionDenied(PathBuf),
    #[error("{path}: cannot open: {reason}")]
    CannotOpen { path: PathBuf, reason: String },
    #[error("no such table: {0}")]
    NoSuchTable(String),
    #[error("no such column: {column} (table {table})")]
    NoSuchColumn { table: String, column: String },
    #[error("table is read-only: {table} {reason}")]
    ReadOnly { table: String, reason: &'static str },
    #[error("column is read-only: {column} is a generated column")]
    GeneratedColumn { column: String },
    #[error("table {0} has no usable row key (its rowid is hidden by columns named rowid, oid and _rowid_): rows cannot be edited individually")]
    NoRowKey(String),
    #[error("invalid row key {key:?}: {reason}")]
    BadRowKey { key: String, reason: String },
    #[error("invalid cursor: {0} (cursors are only valid for the same table, order and filters)")]
    BadCursor(String),
    #[error("invalid filter {filter:?}: {reason}")]
    BadFilter { filter: String, reason: String },
    #[error("invalid value: {0}")]
    BadValue(String),
    #[error("row not found: key {0} (it was deleted or changed since it was read)")]
    RowNotFound(String),
    #[error("edit refused: it would change {actual} rows instead of {expected}")]
    WrongRowCount { expected: usize, actual: usize },
    #[error("constraint failed: {0}")]
    Constraint(String),
    #[error("SQL error: {0}")]
    Sql(String),
    #[error("{0} (the file or its directory is not writable)")]
    NotWritable(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("gave up after {seconds} s: reading this is too slow (a view that never ends, or a sort or filter over a huge table without an index); narrow the filter or query it with SQL")]
    TooSlow { seconds: u64 },
    #[error("cancelled")]
    Cancelled,
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("output error: {0}")]
    Output(#[source] std::io::Error),
    #[error("connection pool: {0}")]
    Pool(String),
    #[error("app state database {path}: {reason}")]
    AppState { path: PathBuf, reason: String },
    #[error("internal error ({0}); please report it")]
    Internal(String),
    /// An edit of a batch failed (the batch was rolled back): which one.
    #[error("{source}")]
    InEdit {
        index: usize,
        #[source]
        source: Box<DbError>,
    },
}

impl DbError {
    /// Marks the error as that of edit `index` of a batch.
    pub fn in_edit(self, index: usize) -> DbError {
        match self {
            already @ DbError::InEdit { .. } => already,
            other => DbError::InEdit { index, source: Box::new(other) },
        }
    }

    /// The error itself, without the batch position.
    pub fn cause(&self) -> &DbError {
        match self {
            DbError::InEdit { source, .. } => source.cause(),
            other => other,
        }
    }

    /// Maps a rusqlite error for the database at `path` to the error a user can act on.
    pub fn from_sqlite(err: rusqlite::Error, path: &std::path::Path) -> Self {
        use rusqlite::ffi::ErrorCode as C;
        match &err {
            rusqlite::Error::SqliteFailure(e, msg) => {
                let message = msg.clone().unwrap_or_else(|| e.to_string());
                match e.code {
                    C::NotADatabase | C::DatabaseCorrupt => {
                        Self::EncryptedOrCorrupt { path: path.to_owned(), detail: Some(message) }
                    }
                    C::DatabaseBusy | C::DatabaseLocked => Self::Locked,
                    C::ConstraintViolation => Self::Constraint(message),
                    C::PermissionDenied => Self::PermissionDenied(path.to_owned()),
                    C::CannotOpen => Self::CannotOpen { path: path.to_owned(), reason: message },
                    C::ReadOnly => Self::NotWritable(message),
                    _ => Self::Sql(message),
                }
            }
            rusqlite::Error::SqlInputError { msg, .. } => Self::Sql(msg.clone()),
            _ => Self::Sql(err.to_string()),
        }
    }
}

fn detail_suffix(detail: &Option<String>) -> String {
    detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default()
}

/// Attaches a database path to rusqlite errors.
pub(crate) trait SqliteResultExt<T> {
    fn at(self, path: &std::path::Path) -> Result<T>;
}

impl<T> SqliteResultExt<T> for std::result::Result<T, rusqlite::Error> {
    fn at(self, path: &std::path::Path) -> Result<T> {
        self.map_err(|e| DbError::from_sqlite(e, path))
    }
}
