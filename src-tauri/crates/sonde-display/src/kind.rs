//! The display kinds: what a stored value means, named as the UI, the CLI
//! (`--display col=kind`) and saved settings spell them.
//!
//! The names are part of the interface (they are saved per column), so they
//! only ever grow; [`Kind::as_str`], [`FromStr`] and serde agree on them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a column's values mean, for display only: stored values never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Seconds since 2001-01-01 00:00:00 UTC (Core Data, `NSDate`), REAL or INTEGER.
    CoredataDate,
    /// Seconds since 1970-01-01 00:00:00 UTC, INTEGER (or REAL with a fraction).
    UnixSeconds,
    /// Milliseconds since 1970 (Java/Kotlin `Date`, JavaScript), INTEGER.
    UnixMillis,
    /// Microseconds since 1970, INTEGER.
    UnixMicros,
    /// JSON text (TEXT, or a BLOB holding UTF-8).
    Json,
    /// A UUID: a 16-byte BLOB (Core Data, `NSUUID`) or 36-character text.
    Uuid,
    /// An image recognised by its signature: PNG, JPEG, GIF, WebP or HEIC.
    Image,
    /// A property list, binary or XML; NSKeyedArchiver archives are decoded
    /// into their object graph.
    Plist,
    /// Protocol Buffers wire format, decoded without a schema (best effort).
    Protobuf,
    /// gzip-compressed bytes, shown as a preview of what they decompress to.
    Gzip,
    /// zlib-compressed bytes, shown as a preview of what they decompress to.
    Zlib,
}

impl Kind {
    /// Every kind, in the order menus list them.
    pub const ALL: [Kind; 11] = [
        Kind::CoredataDate,
        Kind::UnixSeconds,
        Kind::UnixMillis,
        Kind::UnixMicros,
        Kind::Json,
        Kind::Uuid,
        Kind::Image,
        Kind::Plist,
        Kind::Protobuf,
        Kind::Gzip,
        Kind::Zlib,
    ];

    /// The kind's name, as serde writes it (`coredata-date`, `unix-millis`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CoredataDate => "coredata-date",
            Kind::UnixSeconds => "unix-seconds",
            Kind::UnixMillis => "unix-millis",
            Kind::UnixMicros => "unix-micros",
            Kind::Json => "json",
            Kind::Uuid => "uuid",
            Kind::Image => "image",
            Kind::Plist => "plist",
            Kind::Protobuf => "protobuf",
            Kind::Gzip => "gzip",
            Kind::Zlib => "zlib",
        }
    }

    /// Whether the kind is a point in time (decodes to [`crate::Decoded::Date`]).
    pub fn is_date(self) -> bool {
        matches!(self, Kind::CoredataDate | Kind::UnixSeconds | Kind::UnixMillis | Kind::UnixMicros)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a display kind; the message lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown display kind `{name}` (valid kinds: {})", valid_names())]
pub struct UnknownKind {
    /// The name as given.
    pub name: String,
}

fn valid_names() -> String {
    Kind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
}

impl FromStr for Kind {
    type Err = UnknownKind;

    /// Parses a kind name; case and surrounding spaces are ignored, and `_`
    /// is accepted for `-` (`unix_millis`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| UnknownKind { name: s.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_agree_with_serde_and_from_str() {
        for kind in Kind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            let back: Kind = serde_json::from_str(&json).unwrap();
            assert_eq!(back, kind);
            assert_eq!(kind.as_str().parse::<Kind>().unwrap(), kind);
        }
        assert_eq!(" Unix_Millis ".parse::<Kind>().unwrap(), Kind::UnixMillis);
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let err = "epoch".parse::<Kind>().unwrap_err().to_string();
        assert!(err.contains("`epoch`"), "{err}");
        assert!(err.contains("coredata-date, unix-seconds"), "{err}");
        assert!(err.ends_with("gzip, zlib)"), "{err}");
    }
}
