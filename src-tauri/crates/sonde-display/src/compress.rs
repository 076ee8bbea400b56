//! gzip and zlib BLOBs, shown as a preview of what they decompress to.
//!
//! Decompression stops after [`MAX_OUTPUT`] bytes (`truncated: true`), so a
//! few kilobytes that expand to gigabytes (a "zip bomb") cost at most that
//! much memory and time. Concatenated gzip members are read in turn, as
//! `gunzip` does.

use crate::{DecodeError, Decoded, Kind, Raw};
use flate2::read::{MultiGzDecoder, ZlibDecoder};
use serde::{Deserialize, Serialize};
use std::io::Read;

/// At most this many decompressed bytes are read.
pub const MAX_OUTPUT: usize = 1 << 20;
/// Text previews keep at most this many bytes (cut at a character boundary).
const TEXT_PREVIEW: usize = 4096;
/// Binary previews show this many leading bytes in hex.
const HEX_PREVIEW: usize = 64;

/// A compression format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// RFC 1952 (`1f 8b`).
    Gzip,
    /// RFC 1950 (`78 9c` and friends).
    Zlib,
}

impl Compression {
    /// `gzip` or `zlib`.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zlib => "zlib",
        }
    }
}

/// The start of decompressed bytes, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Preview {
    /// UTF-8 text without NUL bytes.
    Text {
        /// The text (at most 4 KiB of it).
        text: String,
        /// Whether there is more than the preview shows.
        truncated: bool,
    },
    /// Anything else.
    Hex {
        /// Lowercase hex of the first 64 bytes.
        hex: String,
        /// Whether there is more than the preview shows.
        truncated: bool,
    },
}

/// Whether bytes start with a gzip header (`1f 8b`, deflate method).
pub fn is_gzip(b: &[u8]) -> bool {
    b.starts_with(&[0x1F, 0x8B, 0x08])
}

/// Whether bytes start with a zlib header: deflate with a window of at most
/// 32 KiB (`78`), a standard level byte, and a valid FCHECK.
pub fn is_zlib(b: &[u8]) -> bool {
    match b {
        [0x78, flg, ..] => {
            matches!(flg, 0x01 | 0x5E | 0x9C | 0xDA) && (0x7800u16 | u16::from(*flg)).is_multiple_of(31)
        }
        _ => false,
    }
}

pub(crate) fn decode(format: Compression, value: Raw) -> Result<Decoded, DecodeError> {
    let kind = match format {
        Compression::Gzip => Kind::Gzip,
        Compression::Zlib => Kind::Zlib,
    };
    let bytes = match value {
        Raw::Blob(b) => b,
        other => {
            return Err(DecodeError::WrongStorage { kind, found: other.storage_name(), wanted: "a BLOB" })
        }
    };
    let fail = |reason: String| DecodeError::Decompress { format: format.as_str(), reason };
    let ok_header = match format {
        Compression::Gzip => is_gzip(bytes),
        Compression::Zlib => is_zlib(bytes),
    };
    if !ok_header {
        return Err(fail(format!(
            "no {} header (starts with {})",
            format.as_str(),
            crate::hex_preview(bytes, 4)
        )));
    }
    let limit = MAX_OUTPUT as u64 + 1;
    let mut out = Vec::new();
    let read = match format {
        Compression::Gzip => MultiGzDecoder::new(bytes).take(limit).read_to_end(&mut out),
        Compression::Zlib => ZlibDecoder::new(bytes).take(limit).read_to_end(&mut out),
    };
    read.map_err(|e| fail(e.to_string()))?;
    let truncated = out.len() > MAX_OUTPUT;
    out.truncate(MAX_OUTPUT);
    Ok(Decoded::Decompressed { format, bytes: out.len(), truncated, preview: preview(&out, truncated) })
}

fn preview(out: &[u8], truncated: bool) -> Preview {
    // Text that was cut mid-character by the limit is still text.
    let valid = match std::str::from_utf8(out) {
        Ok(s) => Some(s),
        Err(e) if e.error_len().is_none() => {
            out.get(..e.valid_up_to()).and_then(|b| std::str::from_utf8(b).ok())
        }
        Err(_) => None,
    };
    match valid.filter(|s| !s.contains('\0')) {
        Some(s) => {
            let mut end = s.len().min(TEXT_PREVIEW);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            let text = s.get(..end).unwrap_or_default().to_string();
            Preview::Text { truncated: truncated || end < out.len(), text }
        }
        None => Preview::Hex {
            hex: crate::hex(out.get(..out.len().min(HEX_PREVIEW)).unwrap_or(out)),
            truncated: truncated || out.len() > HEX_PREVIEW,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::{GzEncoder, ZlibEncoder};
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_text() {
        let d = decode(Compression::Gzip, Raw::Blob(&gzip(b"hello, world"))).unwrap();
        assert_eq!(
            d,
            Decoded::Decompressed {
                format: Compression::Gzip,
                bytes: 12,
                truncated: false,
                preview: Preview::Text { text: "hello, world".into(), truncated: false }
            }
        );
        // Two members read as one stream.
        let mut two = gzip(b"ab");
        two.extend(gzip(b"cd"));
        assert!(matches!(
            decode(Compression::Gzip, Raw::Blob(&two)),
            Ok(Decoded::Decompressed { bytes: 4, preview: Preview::Text { text, .. }, .. }) if text == "abcd"
        ));
    }

    #[test]
    fn zlib_binary() {
        let data: Vec<u8> = (0..=255u8).collect();
        let z = zlib(&data);
        assert!(is_zlib(&z), "{:02x?}", &z[..2]);
        match decode(Compression::Zlib, Raw::Blob(&z)).unwrap() {
            Decoded::Decompressed {
                bytes: 256,
                truncated: false,
                preview: Preview::Hex { hex, truncated },
                ..
            } => {
                assert_eq!(hex.len(), 128);
                assert!(hex.starts_with("00010203"));
                assert!(truncated);
            }
            other => panic!("{other:?}"),
        }
        for level in [0, 1, 6, 9] {
            let mut e = ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
            e.write_all(b"x").unwrap();
            assert!(is_zlib(&e.finish().unwrap()), "level {level}");
        }
    }

    #[test]
    fn bombs_are_capped() {
        let zeros = vec![b'a'; 8 << 20];
        let z = gzip(&zeros);
        assert!(z.len() < 100_000);
        match decode(Compression::Gzip, Raw::Blob(&z)).unwrap() {
            Decoded::Decompressed {
                bytes,
                truncated: true,
                preview: Preview::Text { text, truncated: true },
                ..
            } => {
                assert_eq!(bytes, MAX_OUTPUT);
                assert_eq!(text.len(), TEXT_PREVIEW);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_streams() {
        let e = decode(Compression::Gzip, Raw::Blob(b"plain")).unwrap_err().to_string();
        assert_eq!(e, "not gzip data: no gzip header (starts with 706c6169…)");
        let mut cut = gzip(b"hello hello hello hello");
        cut.truncate(12);
        assert!(decode(Compression::Gzip, Raw::Blob(&cut)).is_err());
        assert!(decode(Compression::Zlib, Raw::Blob(&[0x78, 0x9C, 0xFF, 0xFF])).is_err());
        assert!(decode(Compression::Zlib, Raw::Text(b"x")).is_err());
        assert!(!is_zlib(&[0x78, 0x9D]));
    }
}
