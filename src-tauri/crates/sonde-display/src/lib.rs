//! `sonde-display`: values shown as what they mean. Display only: stored
//! values never change.
//!
//! A column of a mobile app's database often holds numbers that are dates,
//! BLOBs that are UUIDs, images, property lists or protobuf messages, and
//! text that is JSON. This crate names those meanings ([`Kind`]), guesses
//! them conservatively ([`infer`]), reads a stored value as one
//! ([`decode`] → [`Decoded`], which the desktop UI receives as JSON) and
//! writes it as one line of text ([`render_text`], for `sonde rows
//! --display`). For date kinds, [`encode_date`] turns an edited date back
//! into the stored number, exactly.
//!
//! | kind | stored as | shown as |
//! |---|---|---|
//! | `coredata-date` | REAL (or INTEGER) seconds since 2001-01-01 UTC | [`Decoded::Date`] |
//! | `unix-seconds` | INTEGER (or REAL) seconds since 1970 | [`Decoded::Date`] |
//! | `unix-millis` | INTEGER milliseconds since 1970 | [`Decoded::Date`] |
//! | `unix-micros` | INTEGER microseconds since 1970 | [`Decoded::Date`] |
//! | `json` | TEXT or UTF-8 BLOB | [`Decoded::Json`] |
//! | `uuid` | 16-byte BLOB or 36-character TEXT | [`Decoded::Uuid`] |
//! | `image` | BLOB: PNG, JPEG, GIF, WebP, HEIC | [`Decoded::Image`] |
//! | `plist` | BLOB or TEXT: binary or XML plist, NSKeyedArchiver | [`Decoded::Plist`] |
//! | `protobuf` | BLOB, protobuf wire format (no schema) | [`Decoded::Protobuf`] |
//! | `gzip`, `zlib` | compressed BLOB | [`Decoded::Decompressed`] |
//!
//! Numbers the date kinds also accept as numeric TEXT. The crate depends on
//! no other Sonde crate: callers convert their values to [`Raw`].
//!
//! Every function here is total on untrusted input: no panics, bounded
//! memory (see each module's limits), checked by property tests and the
//! `display_decode` fuzz target.
//!
//! ```
//! use sonde_display::{decode, encode_date, infer, render_text, DateInput, Framework, Kind, Raw, StoredNumber};
//!
//! let stored = Raw::Real(786_016_000.25);
//! let kind = infer("ZCREATEDAT", Some("TIMESTAMP"), Framework::CoreData, &[stored]);
//! assert_eq!(kind, Some(Kind::CoredataDate));
//! assert_eq!(render_text(Kind::CoredataDate, stored), "2025-11-28 09:46:40.250 UTC");
//! let json = serde_json::to_string(&decode(Kind::CoredataDate, stored).unwrap()).unwrap();
//! assert_eq!(json, r#"{"type":"date","epoch_ms":1764323200250.0,"utc":"2025-11-28T09:46:40.250Z","raw":"786016000.25"}"#);
//! // The date editor writes back the exact REAL Core Data stores.
//! let edited = encode_date(Kind::CoredataDate, &DateInput::Utc("2025-11-28T09:46:40.250Z".into()));
//! assert_eq!(edited, Ok(StoredNumber::Real(786_016_000.25)));
//! ```

mod compress;
mod date;
mod decode;
mod error;
mod image;
mod infer;
mod json;
mod kind;
mod plist;
mod protobuf;
mod render;
mod serde_util;
mod uuid;

pub use compress::{Compression, Preview, MAX_OUTPUT as MAX_DECOMPRESSED};
pub use date::{default_class, encode_date, encode_date_as, DateInput, NumberClass, StoredNumber};
pub use decode::{decode, Decoded};
pub use error::{DecodeError, EncodeError};
pub use image::ImageFormat;
pub use infer::{infer, Framework};
pub use json::JsonNode;
pub use kind::{Kind, UnknownKind};
pub use plist::{PlistEntry, PlistNode};
pub use protobuf::{ProtoField, ProtoValue};
pub use render::{raw_text, render_decoded, render_text};

/// A stored SQLite value, borrowed. TEXT is bytes because SQLite text may
/// not be UTF-8.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Raw<'a> {
    /// NULL.
    Null,
    /// INTEGER.
    Integer(i64),
    /// REAL.
    Real(f64),
    /// TEXT, as stored (usually UTF-8).
    Text(&'a [u8]),
    /// BLOB.
    Blob(&'a [u8]),
}

impl Raw<'_> {
    /// The storage class name, as SQLite's `typeof()` would say it (upper case).
    pub fn storage_name(&self) -> &'static str {
        match self {
            Raw::Null => "NULL",
            Raw::Integer(_) => "INTEGER",
            Raw::Real(_) => "REAL",
            Raw::Text(_) => "TEXT",
            Raw::Blob(_) => "BLOB",
        }
    }
}

/// Lowercase hex of bytes.
pub(crate) fn hex(b: &[u8]) -> String {
    use std::fmt::Write;
    // Callers pass previews of at most a few dozen bytes.
    let mut s = String::with_capacity(b.len().saturating_mul(2));
    for byte in b {
        let _ = write!(s, "{byte:02x}");
    }
    s
}

/// Hex of the first `n` bytes, with `…` when there are more.
pub(crate) fn hex_preview(b: &[u8], n: usize) -> String {
    let head = b.get(..b.len().min(n)).unwrap_or(b);
    let more = if b.len() > n { "…" } else { "" };
    if head.is_empty() {
        "nothing".into()
    } else {
        format!("{}{more}", hex(head))
    }
}
