//! Helpers shared by the fuzz targets: building values from fuzz bytes and
//! the invariants several targets check.

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use sonde_db::Value;

/// A value of any kind, with the edge cases over-represented: -0.0, NaN,
/// infinities, i64 extremes, empty and non-UTF-8 text, NUL bytes.
pub fn value(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0u8..=9)? {
        0 => Value::Null,
        1 => Value::Integer(u.arbitrary()?),
        2 => Value::Integer(*u.choose(&[
            i64::MIN,
            i64::MAX,
            0,
            -1,
            9_007_199_254_740_992,
            -9_007_199_254_740_993,
        ])?),
        3 => Value::Real(f64::from_bits(u.arbitrary()?)),
        4 => Value::Real(*u.choose(&[
            -0.0,
            0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            1e308,
            0.1,
        ])?),
        5 | 6 => Value::Text(u.arbitrary()?),
        7 => {
            let bytes: Vec<u8> = u.arbitrary()?;
            match String::from_utf8(bytes) {
                Ok(s) => Value::Text(s),
                Err(e) => Value::TextBytes(e.into_bytes()),
            }
        }
        _ => Value::Blob(u.arbitrary()?),
    })
}

/// Exact equality, except that every NaN equals every NaN (NaN payloads are
/// not guaranteed to survive text forms, and are documented as `nan`).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) if x.is_nan() && y.is_nan() => true,
        _ => a == b,
    }
}

pub fn same_all(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
}
