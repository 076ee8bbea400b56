//! Numbers in the JSON the UI reads: JavaScript holds integers exactly only
//! up to ±2^53 and has no NaN or infinity in JSON, so larger integers become
//! their decimal text and non-finite reals the strings `NaN`, `Infinity`,
//! `-Infinity` (which `JSON.parse` would otherwise never see: serde_json
//! writes them as `null`).

use serde::Serializer;

const SAFE: i128 = 1 << 53;

/// An integer: a JSON number within ±2^53, else a decimal string.
pub(crate) fn int<T, S>(v: &T, s: S) -> Result<S::Ok, S::Error>
where
    T: Copy + Into<i128>,
    S: Serializer,
{
    let v: i128 = (*v).into();
    match i64::try_from(v) {
        Ok(i) if (-SAFE..=SAFE).contains(&v) => s.serialize_i64(i),
        _ => s.collect_str(&v),
    }
}

/// A real: a JSON number when finite, else `NaN` / `Infinity` / `-Infinity`.
pub(crate) fn real<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(*v)
    } else if v.is_nan() {
        s.serialize_str("NaN")
    } else if *v > 0.0 {
        s.serialize_str("Infinity")
    } else {
        s.serialize_str("-Infinity")
    }
}
