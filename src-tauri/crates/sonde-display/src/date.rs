//! Dates: stored numbers (seconds since 2001, seconds/millis/micros since
//! 1970) to UTC instants and back, exactly.
//!
//! Everything goes through an integer count of nanoseconds since 1970 and
//! through decimal text, never through float arithmetic: a REAL is read from
//! its shortest round-trip decimal form (what `{}` prints) and written by
//! parsing a decimal string (correctly rounded). So a Core Data date typed as
//! `2025-11-28T09:46:40.250Z` is stored as the REAL nearest to
//! `786016000.25` and reads back as the same text, for any value with at most
//! 15 significant digits (every millisecond of years 1 to 9999, every
//! microsecond within ±30 years of the epoch). Years -9999 to 9999 are shown;
//! sub-nanosecond digits are dropped (rounded toward the past).
//!
//! Calendar arithmetic is Howard Hinnant's days-from-civil algorithm (the
//! proleptic Gregorian calendar, no leap seconds), not a date crate: this is
//! all a UTC timestamp needs. Local time is the UI's job; it gets `epoch_ms`.

use crate::{DecodeError, Decoded, EncodeError, Kind, Raw};
use serde::{Deserialize, Serialize};
use std::fmt;

const NANOS_PER_SEC: i128 = 1_000_000_000;
/// 2001-01-01T00:00:00Z in Unix seconds.
const COREDATA_EPOCH: i128 = 978_307_200;
/// The first and one-past-the-last Unix second shown: years -9999 to 9999.
const MIN_SECS: i128 = days_from_civil(-9999, 1, 1) as i128 * 86_400;
const END_SECS: i128 = days_from_civil(10_000, 1, 1) as i128 * 86_400;

/// A stored date number in its storage class, as [`encode_date`] makes it.
///
/// Serialized as `{"integer": 1764323200250}` or `{"real": 786016000.25}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoredNumber {
    /// Store as SQLite INTEGER.
    Integer(i64),
    /// Store as SQLite REAL.
    Real(f64),
}

impl StoredNumber {
    /// The number as a value [`crate::decode`] reads.
    pub fn as_raw(self) -> Raw<'static> {
        match self {
            StoredNumber::Integer(i) => Raw::Integer(i),
            StoredNumber::Real(f) => Raw::Real(f),
        }
    }
}

impl fmt::Display for StoredNumber {
    /// The number as SQL literal text (`786016000.25`, `1764323200250`);
    /// whole REALs keep a `.0` so that SQLite keeps them REAL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoredNumber::Integer(i) => write!(f, "{i}"),
            StoredNumber::Real(x) => write!(f, "{}", real_text(*x)),
        }
    }
}

/// The storage class a date is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NumberClass {
    /// Whole units (rounded to the nearest).
    Integer,
    /// Fractional units (the nearest REAL).
    Real,
}

/// A date as the date editor gives it: UTC milliseconds since 1970 (a JSON
/// number) or ISO-8601 text `YYYY-MM-DDTHH:MM:SS[.fffffffff][Z|±HH:MM]`
/// (a JSON string; no offset means UTC; the time may be left out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DateInput {
    /// UTC milliseconds since 1970-01-01, fraction allowed.
    EpochMs(f64),
    /// ISO-8601 text.
    Utc(String),
}

/// Where a date kind counts from and in what unit.
fn unit(kind: Kind) -> Option<(i128, i128)> {
    // (epoch in Unix seconds, nanoseconds per unit)
    match kind {
        Kind::CoredataDate => Some((COREDATA_EPOCH, NANOS_PER_SEC)),
        Kind::UnixSeconds => Some((0, NANOS_PER_SEC)),
        Kind::UnixMillis => Some((0, 1_000_000)),
        Kind::UnixMicros => Some((0, 1_000)),
        _ => None,
    }
}

/// The storage class a kind is written in by [`encode_date`].
pub fn default_class(kind: Kind) -> NumberClass {
    match kind {
        Kind::CoredataDate => NumberClass::Real,
        _ => NumberClass::Integer,
    }
}

/// The stored form of a date for a date kind, in the kind's usual storage
/// class: REAL seconds since 2001 for `coredata-date`, INTEGER for the Unix
/// kinds (rounded to the unit). `decode(kind, encode_date(kind, x))` gives
/// back `x` for every value the storage can represent.
pub fn encode_date(kind: Kind, input: &DateInput) -> Result<StoredNumber, EncodeError> {
    encode_date_as(kind, input, default_class(kind))
}

/// [`encode_date`] in a chosen storage class (a column that stores Unix
/// seconds as REAL, say).
pub fn encode_date_as(
    kind: Kind,
    input: &DateInput,
    class: NumberClass,
) -> Result<StoredNumber, EncodeError> {
    let (epoch, per_unit) = unit(kind).ok_or(EncodeError::NotADateKind(kind))?;
    let nanos = match input {
        DateInput::EpochMs(ms) => {
            if !ms.is_finite() {
                return Err(EncodeError::OutOfRange(ms.to_string()));
            }
            decimal_to_scaled(&format!("{ms}"), 1_000_000)
                .ok_or_else(|| EncodeError::OutOfRange(ms.to_string()))?
        }
        DateInput::Utc(text) => parse_iso(text).ok_or_else(|| EncodeError::BadText(text.clone()))?,
    };
    if !in_range(nanos) {
        return Err(EncodeError::OutOfRange(format!("{input:?}")));
    }
    let since = nanos - epoch * NANOS_PER_SEC;
    Ok(match class {
        NumberClass::Integer => {
            let units = (since + per_unit / 2).div_euclid(per_unit);
            StoredNumber::Integer(
                i64::try_from(units).map_err(|_| EncodeError::OutOfRange(units.to_string()))?,
            )
        }
        NumberClass::Real => {
            let sign = if since < 0 { "-" } else { "" };
            let abs = since.unsigned_abs();
            let per = per_unit.unsigned_abs();
            let digits = per.ilog10() as usize;
            let text = format!("{sign}{}.{:0digits$}", abs / per, abs % per);
            // A decimal string always parses (correctly rounded); the range
            // check above keeps it finite.
            StoredNumber::Real(text.parse::<f64>().map_err(|_| EncodeError::OutOfRange(text.clone()))?)
        }
    })
}

/// Decodes a stored number (or numeric text) as a date kind.
pub(crate) fn decode(kind: Kind, value: Raw) -> Result<Decoded, DecodeError> {
    let (epoch, per_unit) = unit(kind).ok_or(DecodeError::WrongStorage {
        kind,
        found: value.storage_name(),
        wanted: "a number",
    })?;
    let out_of_range = |raw: String| DecodeError::DateOutOfRange { kind, raw };
    let (units_nanos, raw) = match value {
        Raw::Integer(i) => (i128::from(i) * per_unit, i.to_string()),
        Raw::Real(f) => {
            real_nanos(f, per_unit).map_err(|e| e.unwrap_or_else(|| out_of_range(real_text(f))))?
        }
        Raw::Text(bytes) => {
            let text = std::str::from_utf8(bytes).map_err(|e| DecodeError::NotUtf8(e.valid_up_to()))?.trim();
            if let Ok(i) = text.parse::<i64>() {
                (i128::from(i) * per_unit, text.to_string())
            } else {
                let f = parse_plain_number(text).ok_or_else(|| DecodeError::NotANumber(text.to_string()))?;
                let (n, _) =
                    real_nanos(f, per_unit).map_err(|e| e.unwrap_or_else(|| out_of_range(text.into())))?;
                (n, text.to_string())
            }
        }
        Raw::Null | Raw::Blob(_) => {
            return Err(DecodeError::WrongStorage { kind, found: value.storage_name(), wanted: "a number" })
        }
    };
    let nanos = units_nanos + epoch * NANOS_PER_SEC;
    if !in_range(nanos) {
        return Err(out_of_range(raw));
    }
    Ok(Decoded::Date { epoch_ms: epoch_ms(nanos), utc: format_iso(nanos), raw })
}

/// A REAL's nanoseconds (for `per_unit` nanoseconds per unit) and its text;
/// `Err(None)` when out of range.
fn real_nanos(f: f64, per_unit: i128) -> Result<(i128, String), Option<DecodeError>> {
    if !f.is_finite() {
        return Err(Some(DecodeError::NotFinite(f)));
    }
    let text = real_text(f);
    decimal_to_scaled(&format!("{f}"), per_unit).map(|n| (n, text)).ok_or(None)
}

/// A REAL as people read it: shortest round-trip digits, `.0` when whole.
fn real_text(f: f64) -> String {
    let s = format!("{f}");
    if f.is_finite() && !s.contains('.') {
        format!("{s}.0")
    } else {
        s
    }
}

/// Text that is a plain decimal or exponent number (`1.5`, `-2e3`), not
/// `inf`/`nan` which Rust's parser also takes.
fn parse_plain_number(text: &str) -> Option<f64> {
    let ok = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    text.parse::<f64>().ok().filter(|f| ok && f.is_finite())
}

fn in_range(nanos: i128) -> bool {
    (MIN_SECS * NANOS_PER_SEC..END_SECS * NANOS_PER_SEC).contains(&nanos)
}

/// `[-]digits[.digits]` times `scale` (a power of ten), floored to an
/// integer; `None` when not such text or far out of range.
fn decimal_to_scaled(text: &str, scale: i128) -> Option<i128> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() || int.len() > 24 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = scale.checked_ilog10()? as usize;
    let mut value: i128 = int.parse().ok()?;
    value = value.checked_mul(scale)?;
    let (kept, rest) = frac.split_at(frac.len().min(digits));
    let mut kept_value: i128 = if kept.is_empty() { 0 } else { kept.parse().ok()? };
    for _ in kept.len()..digits {
        kept_value *= 10;
    }
    value = value.checked_add(kept_value)?;
    let dropped = rest.bytes().any(|b| b != b'0');
    Some(if neg { -(value + i128::from(dropped)) } else { value })
}

/// UTC milliseconds since 1970, the nearest f64 to the exact value.
fn epoch_ms(nanos: i128) -> f64 {
    let sign = if nanos < 0 { "-" } else { "" };
    let abs = nanos.unsigned_abs();
    format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000).parse().unwrap_or(f64::NAN)
}

/// ISO-8601 UTC text with as many fraction digits as needed, in groups of
/// three: `2025-11-28T09:46:40Z`, `...40.250Z`, `...40.250001Z`.
pub(crate) fn format_iso(nanos: i128) -> String {
    let secs = nanos.div_euclid(NANOS_PER_SEC);
    let sub = nanos.rem_euclid(NANOS_PER_SEC);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // In range, days fit an i64 comfortably.
    let (y, m, d) = civil_from_days(i64::try_from(days).unwrap_or(0));
    let year = if y < 0 { format!("-{:04}", -y) } else { format!("{y:04}") };
    let frac = if sub == 0 {
        String::new()
    } else if sub % 1_000_000 == 0 {
        format!(".{:03}", sub / 1_000_000)
    } else if sub % 1_000 == 0 {
        format!(".{:06}", sub / 1_000)
    } else {
        format!(".{sub:09}")
    };
    format!("{year}-{m:02}-{d:02}T{:02}:{:02}:{:02}{frac}Z", sod / 3600, sod / 60 % 60, sod % 60)
}

/// Parses `[±]YYYY-MM-DD[(T| )HH:MM[:SS[.f{1,9}]]][Z|±HH:MM|±HHMM]` to
/// nanoseconds since 1970 UTC.
fn parse_iso(text: &str) -> Option<i128> {
    let mut p = Cursor { s: text.trim().as_bytes(), i: 0 };
    let neg = match p.peek() {
        Some(b'-') => {
            p.i += 1;
            true
        }
        Some(b'+') => {
            p.i += 1;
            false
        }
        _ => false,
    };
    let year = p.digits(4)? as i64;
    let year = if neg { -year } else { year };
    p.expect(b'-')?;
    let month = p.digits(2)?;
    p.expect(b'-')?;
    let day = p.digits(2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0u32);
    if matches!(p.peek(), Some(b'T' | b't' | b' ')) {
        p.i += 1;
        hour = p.digits(2)?;
        p.expect(b':')?;
        minute = p.digits(2)?;
        if p.peek() == Some(b':') {
            p.i += 1;
            second = p.digits(2)?;
            if p.peek() == Some(b'.') {
                p.i += 1;
                let start = p.i;
                while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                    p.i += 1;
                }
                let n = p.i - start;
                if n == 0 || n > 9 {
                    return None;
                }
                let f: u32 = std::str::from_utf8(p.s.get(start..p.i)?).ok()?.parse().ok()?;
                nanos = f * 10u32.pow(9 - n as u32);
            }
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let offset_secs: i64 = match p.peek() {
        None => 0,
        Some(b'Z' | b'z') => {
            p.i += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            p.i += 1;
            let h = p.digits(2)?;
            if p.peek() == Some(b':') {
                p.i += 1;
            }
            let m = p.digits(2)?;
            if h > 23 || m > 59 {
                return None;
            }
            let off = i64::from(h * 3600 + m * 60);
            if sign == b'-' {
                -off
            } else {
                off
            }
        }
        Some(_) => return None,
    };
    if p.i != p.s.len() {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second)
        - offset_secs;
    Some(i128::from(secs) * NANOS_PER_SEC + i128::from(nanos))
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.i += 1)
    }

    /// Exactly `n` ASCII digits.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let chunk = self.s.get(self.i..self.i + n)?;
        let mut v = 0u32;
        for &b in chunk {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(b - b'0');
        }
        self.i += n;
        Some(v)
    }
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant).
const fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Hinnant).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode as decode_any;
    use proptest::prelude::*;

    fn utc(kind: Kind, raw: Raw) -> String {
        match decode_any(kind, raw).unwrap() {
            Decoded::Date { utc, .. } => utc,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn core_data_reference_dates() {
        assert_eq!(utc(Kind::CoredataDate, Raw::Real(0.0)), "2001-01-01T00:00:00Z");
        assert_eq!(utc(Kind::CoredataDate, Raw::Integer(0)), "2001-01-01T00:00:00Z");
        assert_eq!(utc(Kind::CoredataDate, Raw::Real(786_016_000.25)), "2025-11-28T09:46:40.250Z");
        assert_eq!(utc(Kind::CoredataDate, Raw::Real(786_000_000.25)), "2025-11-28T05:20:00.250Z");
        assert_eq!(utc(Kind::CoredataDate, Raw::Real(-1.25)), "2000-12-31T23:59:58.750Z");
        assert_eq!(utc(Kind::CoredataDate, Raw::Real(-978_307_200.0)), "1970-01-01T00:00:00Z");
        assert_eq!(utc(Kind::CoredataDate, Raw::Real(0.000001)), "2001-01-01T00:00:00.000001Z");
        assert_eq!(utc(Kind::CoredataDate, Raw::Text(b" 12.5 ")), "2001-01-01T00:00:12.500Z");
    }

    #[test]
    fn decoded_fields() {
        let d = decode_any(Kind::CoredataDate, Raw::Real(786_016_000.25)).unwrap();
        assert_eq!(
            d,
            Decoded::Date {
                epoch_ms: 1_764_323_200_250.0,
                utc: "2025-11-28T09:46:40.250Z".into(),
                raw: "786016000.25".into()
            }
        );
        let d = decode_any(Kind::CoredataDate, Raw::Real(1.0)).unwrap();
        assert!(matches!(d, Decoded::Date { raw, .. } if raw == "1.0"));
    }

    #[test]
    fn unix_kinds() {
        assert_eq!(utc(Kind::UnixSeconds, Raw::Integer(0)), "1970-01-01T00:00:00Z");
        assert_eq!(utc(Kind::UnixSeconds, Raw::Integer(-1)), "1969-12-31T23:59:59Z");
        assert_eq!(utc(Kind::UnixSeconds, Raw::Real(1_700_000_000.5)), "2023-11-14T22:13:20.500Z");
        assert_eq!(utc(Kind::UnixMillis, Raw::Integer(1_764_323_200_250)), "2025-11-28T09:46:40.250Z");
        assert_eq!(utc(Kind::UnixMillis, Raw::Integer(-1)), "1969-12-31T23:59:59.999Z");
        assert_eq!(utc(Kind::UnixMicros, Raw::Integer(1_764_323_200_250_001)), "2025-11-28T09:46:40.250001Z");
        assert_eq!(utc(Kind::UnixSeconds, Raw::Integer(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(utc(Kind::UnixSeconds, Raw::Integer(253_402_300_799)), "9999-12-31T23:59:59Z");
        assert_eq!(utc(Kind::UnixSeconds, Raw::Integer(-62_135_596_800)), "0001-01-01T00:00:00Z");
        assert_eq!(utc(Kind::UnixSeconds, Raw::Integer(-62_135_596_801)), "0000-12-31T23:59:59Z");
        assert_eq!(utc(Kind::UnixSeconds, Raw::Integer(-62_198_755_200)), "-0001-01-01T00:00:00Z");
    }

    #[test]
    fn errors() {
        let e = decode_any(Kind::UnixSeconds, Raw::Integer(253_402_300_800)).unwrap_err();
        assert!(matches!(e, DecodeError::DateOutOfRange { .. }), "{e}");
        assert!(decode_any(Kind::UnixMillis, Raw::Integer(i64::MAX)).is_err());
        assert!(decode_any(Kind::UnixMicros, Raw::Integer(i64::MIN)).is_err());
        assert!(decode_any(Kind::UnixMicros, Raw::Integer(i64::MAX)).is_err());
        let e = decode_any(Kind::CoredataDate, Raw::Real(f64::NAN)).unwrap_err();
        assert_eq!(e.to_string(), "not a date: NaN is not a finite number");
        assert!(decode_any(Kind::CoredataDate, Raw::Real(1e300)).is_err());
        assert!(decode_any(Kind::CoredataDate, Raw::Text(b"inf")).is_err());
        assert!(decode_any(Kind::CoredataDate, Raw::Text(b"tomorrow")).is_err());
        let e = decode_any(Kind::CoredataDate, Raw::Blob(b"x")).unwrap_err().to_string();
        assert_eq!(e, "coredata-date cannot be read from BLOB (it needs a number)");
    }

    #[test]
    fn iso_parsing() {
        let p = |s: &str| parse_iso(s).map(format_iso);
        assert_eq!(p("2025-11-28T09:46:40.250Z").as_deref(), Some("2025-11-28T09:46:40.250Z"));
        assert_eq!(p("2025-11-28T10:46:40.25+01:00").as_deref(), Some("2025-11-28T09:46:40.250Z"));
        assert_eq!(p("2025-11-28 04:46-0500").as_deref(), Some("2025-11-28T09:46:00Z"));
        assert_eq!(p("2025-11-28").as_deref(), Some("2025-11-28T00:00:00Z"));
        assert_eq!(p("-0001-01-01T00:00:00Z").as_deref(), Some("-0001-01-01T00:00:00Z"));
        for bad in [
            "",
            "2025-13-01",
            "2025-02-29",
            "2025-11-28T24:00:00",
            "2025-11-28T09:46:40.",
            "2025-11-28T09:46:40.1234567890",
            "2025-11-28T09:46:40Zjunk",
            "25-11-28",
            "2025-11-28T09",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
        assert_eq!(p("2024-02-29T00:00:00Z").as_deref(), Some("2024-02-29T00:00:00Z"));
    }

    #[test]
    fn encoding() {
        let iso = |s: &str| DateInput::Utc(s.into());
        assert_eq!(
            encode_date(Kind::CoredataDate, &iso("2025-11-28T09:46:40.250Z")),
            Ok(StoredNumber::Real(786_016_000.25))
        );
        assert_eq!(
            encode_date(Kind::CoredataDate, &iso("2001-01-01T00:00:00Z")),
            Ok(StoredNumber::Real(0.0))
        );
        assert_eq!(
            encode_date(Kind::UnixMillis, &DateInput::EpochMs(1_764_323_200_250.0)),
            Ok(StoredNumber::Integer(1_764_323_200_250))
        );
        assert_eq!(
            encode_date(Kind::UnixSeconds, &iso("1970-01-01T00:00:01.5Z")),
            Ok(StoredNumber::Integer(2))
        );
        assert_eq!(
            encode_date_as(Kind::UnixSeconds, &iso("1970-01-01T00:00:01.5Z"), NumberClass::Real),
            Ok(StoredNumber::Real(1.5))
        );
        assert_eq!(
            encode_date(Kind::UnixMicros, &iso("1969-12-31T23:59:59.999999Z")),
            Ok(StoredNumber::Integer(-1))
        );
        assert!(matches!(
            encode_date(Kind::Json, &iso("2025-01-01")),
            Err(EncodeError::NotADateKind(Kind::Json))
        ));
        assert!(matches!(encode_date(Kind::UnixMillis, &iso("yesterday")), Err(EncodeError::BadText(_))));
        assert!(encode_date(Kind::UnixMillis, &DateInput::EpochMs(f64::INFINITY)).is_err());
        assert!(encode_date(Kind::UnixMillis, &DateInput::EpochMs(1e300)).is_err());
        assert_eq!(StoredNumber::Real(0.0).to_string(), "0.0");
        assert_eq!(
            serde_json::to_string(&StoredNumber::Real(786_016_000.25)).unwrap(),
            r#"{"real":786016000.25}"#
        );
        let input: DateInput = serde_json::from_str("1764323200250").unwrap();
        assert_eq!(input, DateInput::EpochMs(1_764_323_200_250.0));
        let input: DateInput = serde_json::from_str(r#""2025-11-28""#).unwrap();
        assert_eq!(input, iso("2025-11-28"));
    }

    fn round_trip(kind: Kind, stored: StoredNumber) -> (f64, String) {
        match decode_any(kind, stored.as_raw()).unwrap() {
            Decoded::Date { epoch_ms, utc, .. } => (epoch_ms, utc),
            other => panic!("{other:?}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        // Every millisecond of years 1 to 9999, as ISO text and epoch millis.
        #[test]
        fn millis_round_trip(ms in -62_135_596_800_000i64..253_402_300_800_000i64) {
            let text = format_iso(i128::from(ms) * 1_000_000);
            for kind in Kind::ALL.into_iter().filter(|k| k.is_date() && *k != Kind::UnixMicros) {
                for class in [NumberClass::Real, NumberClass::Integer] {
                    if class == NumberClass::Integer && kind != Kind::UnixMillis {
                        continue;
                    }
                    let stored = encode_date_as(kind, &DateInput::Utc(text.clone()), class).unwrap();
                    prop_assert_eq!(round_trip(kind, stored), (ms as f64, text.clone()));
                    let again = encode_date_as(kind, &DateInput::EpochMs(ms as f64), class).unwrap();
                    prop_assert_eq!(again, stored);
                }
            }
        }

        // Microseconds within ±30 years of 2001 in REAL seconds; anywhere in INTEGER micros.
        #[test]
        fn micros_round_trip(us in -946_080_000_000_000i64..946_080_000_000_000i64) {
            let nanos = i128::from(us) * 1000 + COREDATA_EPOCH * NANOS_PER_SEC;
            let text = format_iso(nanos);
            let stored = encode_date(Kind::CoredataDate, &DateInput::Utc(text.clone())).unwrap();
            prop_assert_eq!(round_trip(Kind::CoredataDate, stored).1, text.clone());
            let stored = encode_date(Kind::UnixMicros, &DateInput::Utc(text.clone())).unwrap();
            prop_assert_eq!(round_trip(Kind::UnixMicros, stored).1, text);
        }

        // Stored REALs with up to 15 significant digits survive decode → encode.
        #[test]
        fn stored_reals_round_trip(whole in -99_999_999_999i64..99_999_999_999, frac in 0u32..10_000) {
            let stored: f64 = format!("{whole}.{frac:04}").parse().unwrap();
            let (epoch_ms, utc) = round_trip(Kind::CoredataDate, StoredNumber::Real(stored));
            prop_assert_eq!(encode_date(Kind::CoredataDate, &DateInput::Utc(utc)), Ok(StoredNumber::Real(stored)));
            if frac % 10 == 0 {
                prop_assert_eq!(encode_date(Kind::CoredataDate, &DateInput::EpochMs(epoch_ms)), Ok(StoredNumber::Real(stored)));
            }
        }

        #[test]
        fn civil_round_trip(days in -4_000_000i64..4_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
            prop_assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
