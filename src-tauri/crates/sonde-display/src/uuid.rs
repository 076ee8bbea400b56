//! UUIDs: 16-byte BLOBs (Core Data's UUID attributes, `NSUUID`) and
//! canonical 36-character text.
//!
//! A BLOB is shown in uppercase, the way `NSUUID.uuidString` prints it (so
//! it matches what the app logs); text is kept exactly as stored, since it is
//! already readable and its case may matter to the app.

use crate::{DecodeError, Decoded, Kind, Raw};

/// The 16 bytes in canonical uppercase form, `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX`.
pub(crate) fn format_bytes(bytes: &[u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// Whether the text is a canonical `8-4-4-4-12` hex UUID (either case).
pub(crate) fn is_canonical_text(text: &[u8]) -> bool {
    text.len() == 36
        && text.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

pub(crate) fn decode(value: Raw) -> Result<Decoded, DecodeError> {
    match value {
        Raw::Blob(bytes) => {
            let arr: &[u8; 16] = bytes.try_into().map_err(|_| DecodeError::UuidLength(bytes.len()))?;
            Ok(Decoded::Uuid { text: format_bytes(arr) })
        }
        Raw::Text(text) if is_canonical_text(text) => {
            // All ASCII, checked above.
            Ok(Decoded::Uuid { text: String::from_utf8_lossy(text).into_owned() })
        }
        Raw::Text(text) => {
            Err(DecodeError::UuidText(String::from_utf8_lossy(text).chars().take(64).collect()))
        }
        other => Err(DecodeError::WrongStorage {
            kind: Kind::Uuid,
            found: other.storage_name(),
            wanted: "a 16-byte BLOB or 36-character text",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_is_uppercase_canonical() {
        let bytes: Vec<u8> = (0u8..16).map(|i| i * 17).collect();
        assert_eq!(
            decode(Raw::Blob(&bytes)),
            Ok(Decoded::Uuid { text: "00112233-4455-6677-8899-AABBCCDDEEFF".into() })
        );
    }

    #[test]
    fn text_is_kept_as_stored() {
        let t = b"6ba7b810-9dad-11d1-80b4-00c04fd430c8";
        assert_eq!(
            decode(Raw::Text(t)),
            Ok(Decoded::Uuid { text: "6ba7b810-9dad-11d1-80b4-00c04fd430c8".into() })
        );
    }

    #[test]
    fn wrong_shapes_say_why() {
        assert_eq!(
            decode(Raw::Blob(&[0; 15])).unwrap_err().to_string(),
            "not a UUID: 15 bytes (a UUID is 16)"
        );
        assert!(matches!(
            decode(Raw::Text(b"6ba7b810-9dad-11d1-80b4-00c04fd430cg")),
            Err(DecodeError::UuidText(_))
        ));
        assert!(matches!(
            decode(Raw::Text(b"6ba7b8109dad11d180b400c04fd430c8")),
            Err(DecodeError::UuidText(_))
        ));
        assert!(matches!(decode(Raw::Integer(1)), Err(DecodeError::WrongStorage { found: "INTEGER", .. })));
    }
}
