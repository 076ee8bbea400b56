//! Page cursors: opaque strings that say where the next page starts.
//!
//! A keyset cursor holds the sort values and key of the last row returned;
//! an offset cursor (views, tables with no usable key) holds a row count.
//! Each cursor carries a fingerprint of the table, order and filters it was
//! made for, so it cannot be replayed against a different query.

use crate::error::{DbError, Result};
use crate::value::Value;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub enum Position {
    /// Values of the order-by terms (user terms, then key) of the last row.
    After(Vec<Value>),
    /// Rows already returned.
    Offset(u64),
}

#[derive(Serialize, Deserialize)]
struct Wire {
    /// Fingerprint of the query shape.
    f: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    a: Option<Vec<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    o: Option<u64>,
}

pub fn encode(position: &Position, fingerprint: &str) -> String {
    let wire = match position {
        Position::After(values) => Wire { f: fingerprint.to_owned(), a: Some(values.clone()), o: None },
        Position::Offset(n) => Wire { f: fingerprint.to_owned(), a: None, o: Some(*n) },
    };
    B64URL.encode(serde_json::to_vec(&wire).unwrap_or_default())
}

pub fn decode(text: &str, fingerprint: &str) -> Result<Position> {
    let bytes = B64URL.decode(text.trim()).map_err(|_| DbError::BadCursor("not a cursor".into()))?;
    let wire: Wire = serde_json::from_slice(&bytes).map_err(|_| DbError::BadCursor("not a cursor".into()))?;
    if wire.f != fingerprint {
        return Err(DbError::BadCursor("it was made for another query".into()));
    }
    match (wire.a, wire.o) {
        (Some(values), None) => Ok(Position::After(values)),
        (None, Some(n)) => Ok(Position::Offset(n)),
        _ => Err(DbError::BadCursor("malformed".into())),
    }
}

/// A short stable fingerprint (FNV-1a, hex) of the parts of a query shape.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_mismatch() {
        let fp = fingerprint(&["t", "a:desc"]);
        let pos = Position::After(vec![Value::Null, Value::Integer(7)]);
        let text = encode(&pos, &fp);
        assert_eq!(decode(&text, &fp).expect("decode"), pos);
        assert!(decode(&text, &fingerprint(&["t"])).is_err());
        assert!(decode("garbage", &fp).is_err());
        assert_eq!(decode(&encode(&Position::Offset(5), &fp), &fp).expect("o"), Position::Offset(5));
    }
}
