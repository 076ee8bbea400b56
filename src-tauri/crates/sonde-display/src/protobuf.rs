//! Protocol Buffers without a schema: the raw wire format, like
//! `protoc --decode_raw`.
//!
//! Hand-written because there is no well-kept crate for schema-less decoding
//! (prost and protobuf need the `.proto`), and the wire format is small:
//! each field is a varint key (`number << 3 | wire type`) and a value —
//! varint, 8 bytes (i64), a length-prefixed run (LEN), or 4 bytes (i32);
//! groups (deprecated SGROUP/EGROUP) are decoded as nested fields.
//!
//! Without a schema the types are guesses: a varint is shown as unsigned and
//! zigzag-signed, fixed values also as double/float, and a LEN run as
//! printable text if it is, else as a nested message if it decodes fully
//! into at least one field, else as UTF-8 text, else as bytes (with the
//! varints it holds, when it reads as a packed repeated varint field).
//!
//! Untrusted input: lengths are checked against the bytes left before any
//! slice, nesting stops at [`MAX_DEPTH`], at most [`MAX_FIELDS`] fields are
//! kept, and nothing is allocated from a length read from the input.

use crate::{DecodeError, Decoded, Kind, Raw};
use serde::Serialize;

/// Nested messages deeper than this are shown as bytes.
pub const MAX_DEPTH: usize = 16;
/// At most this many fields in one decoded value.
pub const MAX_FIELDS: usize = 10_000;
/// Bytes values show this many leading bytes in hex.
const BYTES_PREVIEW: usize = 32;
/// Packed varints are listed for at most this many values.
const MAX_PACKED: usize = 256;

/// One field as found on the wire.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProtoField {
    /// The field number.
    pub field: u32,
    /// The value and its wire type.
    #[serde(flatten)]
    pub value: ProtoValue,
}

/// A field's value, tagged by `type`. Integers are JSON numbers up to
/// ±2^53 and decimal strings beyond.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ProtoValue {
    /// Wire type 0.
    Varint {
        /// As unsigned (`uint64`, also `int64` / `bool` / enums).
        #[serde(serialize_with = "crate::serde_util::int")]
        value: u64,
        /// Zigzag-decoded (`sint64`).
        #[serde(serialize_with = "crate::serde_util::int")]
        zigzag: i64,
    },
    /// Wire type 1: eight little-endian bytes.
    I64 {
        /// As `fixed64`.
        #[serde(serialize_with = "crate::serde_util::int")]
        value: u64,
        /// As `sfixed64`.
        #[serde(serialize_with = "crate::serde_util::int")]
        signed: i64,
        /// As `double`.
        #[serde(serialize_with = "crate::serde_util::real")]
        double: f64,
    },
    /// Wire type 5: four little-endian bytes.
    I32 {
        /// As `fixed32`.
        value: u32,
        /// As `sfixed32`.
        signed: i32,
        /// As `float`.
        #[serde(serialize_with = "crate::serde_util::real")]
        float: f64,
    },
    /// A LEN run that decodes as a message.
    Message {
        /// Its fields.
        fields: Vec<ProtoField>,
    },
    /// A LEN run of UTF-8 text.
    String {
        /// The text.
        value: String,
    },
    /// A LEN run of other bytes.
    Bytes {
        /// The length.
        bytes: usize,
        /// Lowercase hex of at most the first 32 bytes.
        hex: String,
        /// The run read as packed varints, when it reads fully as such.
        #[serde(skip_serializing_if = "Option::is_none")]
        varints: Option<Vec<u64>>,
    },
    /// A group (wire types 3 and 4).
    Group {
        /// Its fields.
        fields: Vec<ProtoField>,
    },
}

pub(crate) fn decode(value: Raw) -> Result<Decoded, DecodeError> {
    let bytes = match value {
        Raw::Blob(b) => b,
        other => {
            return Err(DecodeError::WrongStorage {
                kind: Kind::Protobuf,
                found: other.storage_name(),
                wanted: "a BLOB",
            })
        }
    };
    Ok(Decoded::Protobuf { fields: decode_message(bytes)? })
}

/// Decodes bytes as one message; the whole input must be consumed.
pub fn decode_message(bytes: &[u8]) -> Result<Vec<ProtoField>, DecodeError> {
    let mut d = Decoder { kept: 0 };
    let mut r = Reader { b: bytes, at: 0, base: 0 };
    d.message(&mut r, 0, None)
        .map_err(|e| DecodeError::Protobuf { reason: e.reason.to_string(), offset: e.offset })
}

struct Fail {
    reason: &'static str,
    offset: usize,
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
    /// Offset of `b` in the whole value, for error messages.
    base: usize,
}

impl<'a> Reader<'a> {
    fn fail(&self, reason: &'static str) -> Fail {
        Fail { reason, offset: self.base + self.at }
    }

    fn done(&self) -> bool {
        self.at >= self.b.len()
    }

    fn varint(&mut self) -> Result<u64, Fail> {
        let mut v = 0u64;
        for i in 0..10 {
            let Some(&byte) = self.b.get(self.at) else { return Err(self.fail("truncated varint")) };
            self.at += 1;
            if i == 9 && byte > 1 {
                return Err(self.fail("varint longer than 64 bits"));
            }
            v |= u64::from(byte & 0x7F) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.fail("varint longer than 10 bytes"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Fail> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| self.fail("length past the end"))?;
        let s = self.b.get(self.at..end).ok_or_else(|| self.fail("length past the end"))?;
        self.at = end;
        Ok(s)
    }
}

struct Decoder {
    /// Fields kept so far (successful parses only).
    kept: usize,
}

impl Decoder {
    /// Fields until the input ends, or until the EGROUP of `group` when given.
    fn message(&mut self, r: &mut Reader, depth: usize, group: Option<u32>) -> Result<Vec<ProtoField>, Fail> {
        let mut fields = Vec::new();
        loop {
            if r.done() {
                return match group {
                    None => Ok(fields),
                    Some(_) => Err(r.fail("group without its end")),
                };
            }
            let key = r.varint()?;
            let wire = key & 7;
            let field = u32::try_from(key >> 3).ok().filter(|&f| (1..=0x1FFF_FFFF).contains(&f));
            let Some(field) = field else { return Err(r.fail("invalid field number")) };
            let value = match wire {
                0 => {
                    let v = r.varint()?;
                    ProtoValue::Varint { value: v, zigzag: zigzag(v) }
                }
                1 => {
                    let b: [u8; 8] = r.take(8)?.try_into().map_err(|_| r.fail("truncated i64"))?;
                    let v = u64::from_le_bytes(b);
                    ProtoValue::I64 { value: v, signed: v as i64, double: f64::from_bits(v) }
                }
                2 => {
                    let len = usize::try_from(r.varint()?).map_err(|_| r.fail("length past the end"))?;
                    let base = r.base + r.at;
                    let body = r.take(len)?;
                    self.len_value(body, base, depth)
                }
                3 => {
                    if depth >= MAX_DEPTH {
                        return Err(r.fail("groups nested too deep"));
                    }
                    ProtoValue::Group { fields: self.message(r, depth + 1, Some(field))? }
                }
                4 => {
                    return match group {
                        Some(open) if open == field => Ok(fields),
                        _ => Err(r.fail("group end without its start")),
                    };
                }
                5 => {
                    let b: [u8; 4] = r.take(4)?.try_into().map_err(|_| r.fail("truncated i32"))?;
                    let v = u32::from_le_bytes(b);
                    ProtoValue::I32 { value: v, signed: v as i32, float: f64::from(f32::from_bits(v)) }
                }
                _ => return Err(r.fail("invalid wire type (6 or 7)")),
            };
            self.kept += 1;
            if self.kept > MAX_FIELDS {
                return Err(r.fail("more than 10000 fields"));
            }
            fields.push(ProtoField { field, value });
        }
    }

    /// A LEN run: printable text, a nested message, text, or bytes.
    fn len_value(&mut self, body: &[u8], base: usize, depth: usize) -> ProtoValue {
        let text = std::str::from_utf8(body).ok();
        if let Some(t) = text.filter(|t| is_printable(t)) {
            return ProtoValue::String { value: t.to_string() };
        }
        if depth + 1 < MAX_DEPTH {
            let before = self.kept;
            let mut sub = Reader { b: body, at: 0, base };
            match self.message(&mut sub, depth + 1, None) {
                Ok(fields) if !fields.is_empty() => return ProtoValue::Message { fields },
                _ => self.kept = before,
            }
        }
        if let Some(t) = text {
            return ProtoValue::String { value: t.to_string() };
        }
        ProtoValue::Bytes {
            bytes: body.len(),
            hex: crate::hex(body.get(..body.len().min(BYTES_PREVIEW)).unwrap_or(body)),
            varints: packed_varints(body),
        }
    }
}

fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Text that is clearly text: no control characters but tab and newlines.
fn is_printable(t: &str) -> bool {
    !t.is_empty() && t.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
}

/// The run as packed varints, when it is nothing but complete varints.
fn packed_varints(body: &[u8]) -> Option<Vec<u64>> {
    let mut r = Reader { b: body, at: 0, base: 0 };
    let mut out = Vec::new();
    while !r.done() {
        if out.len() >= MAX_PACKED {
            return None;
        }
        out.push(r.varint().ok()?);
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(b: &[u8]) -> Vec<ProtoField> {
        decode_message(b).unwrap()
    }

    fn varint(field: u32, value: u64) -> ProtoField {
        ProtoField { field, value: ProtoValue::Varint { value, zigzag: zigzag(value) } }
    }

    #[test]
    fn the_spec_examples() {
        // field 1 = 150
        assert_eq!(fields(&[0x08, 0x96, 0x01]), vec![varint(1, 150)]);
        // field 2 = "testing"
        let f = fields(b"\x12\x07testing");
        assert_eq!(f, vec![ProtoField { field: 2, value: ProtoValue::String { value: "testing".into() } }]);
        // field 3 = message { field 1 = 150 }
        let f = fields(&[0x1A, 0x03, 0x08, 0x96, 0x01]);
        assert_eq!(
            f,
            vec![ProtoField { field: 3, value: ProtoValue::Message { fields: vec![varint(1, 150)] } }]
        );
    }

    #[test]
    fn packed_fixed_and_signed() {
        // field 4 = packed [3, 270, 86942]
        let f = fields(&[0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05]);
        match &f[..] {
            [ProtoField { field: 4, value: ProtoValue::Bytes { bytes: 6, varints: Some(v), .. } }] => {
                assert_eq!(v, &[3, 270, 86942]);
            }
            other => panic!("{other:?}"),
        }
        // field 5 double 1.5, field 6 float -2.0, field 7 sint -1 (zigzag 1)
        let mut b = vec![0x29];
        b.extend_from_slice(&1.5f64.to_le_bytes());
        b.push(0x35);
        b.extend_from_slice(&(-2.0f32).to_le_bytes());
        b.extend_from_slice(&[0x38, 0x01]);
        let f = fields(&b);
        assert!(matches!(f[0].value, ProtoValue::I64 { double, .. } if double == 1.5));
        assert!(matches!(f[1].value, ProtoValue::I32 { float, signed, .. } if float == -2.0 && signed < 0));
        assert!(matches!(f[2].value, ProtoValue::Varint { value: 1, zigzag: -1 }));
        assert_eq!(zigzag(u64::MAX), i64::MIN);
    }

    #[test]
    fn groups() {
        // field 1 group { field 2 = 1 } end
        let f = fields(&[0x0B, 0x10, 0x01, 0x0C]);
        assert_eq!(f, vec![ProtoField { field: 1, value: ProtoValue::Group { fields: vec![varint(2, 1)] } }]);
        assert!(decode_message(&[0x0B, 0x10, 0x01]).is_err());
        assert!(decode_message(&[0x0C]).is_err());
        assert!(decode_message(&[0x0B, 0x10, 0x01, 0x14]).is_err());
    }

    #[test]
    fn errors_say_where() {
        let e = decode(Raw::Blob(&[0x08, 0x96])).unwrap_err().to_string();
        assert_eq!(e, "not protobuf: truncated varint at byte 2");
        let e = decode_message(&[0x12, 0x05, 0x61]).unwrap_err().to_string();
        assert_eq!(e, "not protobuf: length past the end at byte 2");
        assert!(decode_message(&[0x00, 0x01]).is_err()); // field 0
        assert!(decode_message(&[0x0E]).is_err()); // wire type 6
        assert!(decode_message(&[0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]).is_err()); // huge length
        assert!(decode_message(&[0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]).is_err());
        assert_eq!(fields(&[]), vec![]);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut b = vec![0x08, 0x01];
        for _ in 0..100 {
            let mut outer = vec![0x0A];
            let mut len = b.len();
            while len >= 0x80 {
                outer.push((len as u8 & 0x7F) | 0x80);
                len >>= 7;
            }
            outer.push(len as u8);
            outer.extend_from_slice(&b);
            b = outer;
        }
        let f = fields(&b);
        let json = serde_json::to_string(&f).unwrap();
        assert!(json.matches("\"message\"").count() <= MAX_DEPTH, "{json}");
        let mut many = Vec::new();
        for _ in 0..(MAX_FIELDS + 1) {
            many.extend_from_slice(&[0x08, 0x01]);
        }
        assert!(decode_message(&many).is_err());
    }

    #[test]
    fn serde_shape() {
        let f = fields(&[0x08, 0x96, 0x01, 0x12, 0x01, 0x61]);
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            serde_json::json!([
                {"field": 1, "type": "varint", "value": 150, "zigzag": 75},
                {"field": 2, "type": "string", "value": "a"}
            ])
        );
    }
}
