//! Why a value could not be shown as a kind, or a date could not be stored.
//!
//! Messages are read by people looking at a cell, so they say what was found
//! and what the kind needs ("not a UUID: 15 bytes (a UUID is 16)").

use crate::Kind;

/// A stored value that does not decode as the chosen kind.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    /// The value's storage class cannot hold the kind at all.
    #[error("{kind} cannot be read from {found} (it needs {wanted})")]
    WrongStorage {
        /// The kind asked for.
        kind: Kind,
        /// The storage class found: `NULL`, `INTEGER`, `REAL`, `TEXT`, `BLOB`.
        found: &'static str,
        /// What the kind reads, e.g. `a number`.
        wanted: &'static str,
    },
    /// A number that is not finite (NaN or an infinity).
    #[error("not a date: {0} is not a finite number")]
    NotFinite(f64),
    /// A number outside the years this crate shows (-9999 to 9999).
    #[error("not a date: {raw} is outside the years -9999 to 9999 as {kind}")]
    DateOutOfRange {
        /// The kind asked for.
        kind: Kind,
        /// The stored number, as text.
        raw: String,
    },
    /// Text where a number was wanted, which is not a number.
    #[error("not a date: the text {0:?} is not a number")]
    NotANumber(String),
    /// A BLOB UUID of the wrong length.
    #[error("not a UUID: {0} bytes (a UUID is 16)")]
    UuidLength(usize),
    /// Text that is not a canonical `8-4-4-4-12` hex UUID.
    #[error("not a UUID: {0:?} is not of the form XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX")]
    UuidText(String),
    /// Bytes that start with no known image signature.
    #[error("not an image: no PNG, JPEG, GIF, WebP or HEIC signature (starts with {0})")]
    NoImageSignature(String),
    /// Bytes that do not parse as a property list.
    #[error("not a property list: {0}")]
    Plist(String),
    /// Bytes that are not protobuf wire format.
    #[error("not protobuf: {reason} at byte {offset}")]
    Protobuf {
        /// What went wrong.
        reason: String,
        /// Where in the bytes.
        offset: usize,
    },
    /// Text or bytes that are not JSON.
    #[error("not JSON: {0}")]
    Json(String),
    /// Bytes that are not UTF-8 where text was needed.
    #[error("not UTF-8 text: invalid byte at {0}")]
    NotUtf8(usize),
    /// A compressed stream that does not decompress.
    #[error("not {format} data: {reason}")]
    Decompress {
        /// `gzip` or `zlib`.
        format: &'static str,
        /// What the decompressor said.
        reason: String,
    },
}

/// A date that cannot be stored as the chosen kind.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EncodeError {
    /// The kind is not a date kind.
    #[error("{0} is not a date kind (dates are coredata-date, unix-seconds, unix-millis, unix-micros)")]
    NotADateKind(Kind),
    /// Text that is not an ISO-8601 date-time.
    #[error(
        "not a date: {0:?} (write it as YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM], e.g. 2025-11-28T09:46:40.250Z)"
    )]
    BadText(String),
    /// A date past the years -9999 to 9999, or a number that is not finite.
    #[error("date out of range: {0} (years -9999 to 9999 only)")]
    OutOfRange(String),
}
