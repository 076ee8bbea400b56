//! Errors as the UI sees them: `sonde_core::UiError` (a stable `kind`, a
//! TypeScript union, and a message worded for the app), plus the shell's
//! own few.

pub use sonde_core::{ErrorKind, UiError};

pub type UiResult<T> = Result<T, UiError>;

/// The UI named a database handle that is no longer open.
pub fn closed_handle() -> UiError {
    UiError::new(ErrorKind::NotFound, "this database is no longer open; open it again")
}

pub fn invalid(message: impl Into<String>) -> UiError {
    UiError::new(ErrorKind::Invalid, message)
}

pub fn io(what: &str, e: impl std::fmt::Display) -> UiError {
    UiError::new(ErrorKind::Io, format!("{what}: {e}"))
}
