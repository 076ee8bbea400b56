//! [`decode`]: a stored value read as a kind, into a [`Decoded`] that the
//! desktop UI receives as JSON and the CLI prints through
//! [`crate::render_text`]. Each format lives in its own module; this one
//! only dispatches and defines the shared result type.

use crate::compress::{Compression, Preview};
use crate::image::ImageFormat;
use crate::json::JsonNode;
use crate::plist::PlistNode;
use crate::protobuf::ProtoField;
use crate::{DecodeError, Kind, Raw};
use serde::Serialize;

/// A value read as a kind, tagged by `type` (field names in snake_case).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Decoded {
    /// A point in time (the four date kinds).
    Date {
        /// UTC milliseconds since 1970, for the UI to show in local time.
        epoch_ms: f64,
        /// ISO-8601 UTC, fraction digits in groups of three as needed:
        /// `2025-11-28T09:46:40.250Z`.
        utc: String,
        /// The stored number as text (`786016000.25`, `1764323200250`).
        raw: String,
    },
    /// A UUID: uppercase for BLOBs (as `NSUUID` prints), text as stored.
    Uuid {
        /// `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`.
        text: String,
    },
    /// An image, its pixel size when the header gives it.
    Image {
        /// `png`, `jpeg`, `gif`, `webp` or `heic`.
        format: ImageFormat,
        /// Width in pixels.
        width: Option<u32>,
        /// Height in pixels.
        height: Option<u32>,
        /// The BLOB's length.
        bytes: usize,
    },
    /// A property list.
    Plist {
        /// The root node (for an archive, the root object).
        root: PlistNode,
        /// Whether it was an NSKeyedArchiver archive (then `root` is the
        /// decoded object graph, not the raw `$objects` table).
        archiver: bool,
    },
    /// Protobuf fields, decoded without a schema.
    Protobuf {
        /// The top-level fields in wire order.
        fields: Vec<ProtoField>,
    },
    /// A JSON value (object keys in stored order).
    Json {
        /// The value; numbers JavaScript cannot hold exactly are `{"$number": "<text>"}`.
        value: JsonNode,
    },
    /// Compressed bytes, previewed.
    Decompressed {
        /// `gzip` or `zlib`.
        format: Compression,
        /// Decompressed bytes read (at most [`crate::compress::MAX_OUTPUT`]).
        bytes: usize,
        /// Whether decompression stopped at the limit (there is more).
        truncated: bool,
        /// The start of the content.
        preview: Preview,
    },
}

/// Reads a stored value as a kind. Display only: the value is not changed.
///
/// Never panics, whatever the bytes; memory use is bounded (decompression
/// stops at 1 MiB, plist and protobuf trees at a node budget).
pub fn decode(kind: Kind, value: Raw) -> Result<Decoded, DecodeError> {
    match kind {
        Kind::CoredataDate | Kind::UnixSeconds | Kind::UnixMillis | Kind::UnixMicros => {
            crate::date::decode(kind, value)
        }
        Kind::Json => crate::json::decode(value),
        Kind::Uuid => crate::uuid::decode(value),
        Kind::Image => crate::image::decode(value),
        Kind::Plist => crate::plist::decode(value),
        Kind::Protobuf => crate::protobuf::decode(value),
        Kind::Gzip => crate::compress::decode(Compression::Gzip, value),
        Kind::Zlib => crate::compress::decode(Compression::Zlib, value),
    }
}
