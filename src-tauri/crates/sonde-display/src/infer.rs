//! Guessing a column's kind from its name, declared type, the app's
//! persistence framework and a sample of its values.
//!
//! A wrong guess is worse than none (the user would read a number as a date
//! that it is not), so every rule needs the samples to agree: all non-null
//! samples must fit, and with no non-null sample there is no guess. The
//! rules, first match wins:
//!
//! 1. **Core Data** ([`Framework::CoreData`]), attribute columns (`Z` then a
//!    letter, not `Z_PK`/`Z_ENT`/`Z_OPT`): declared `TIMESTAMP` with numeric
//!    samples that are dates of years -9999..9999 → `coredata-date` (Core Data declares dates so and stores REAL
//!    seconds since 2001); declared `BLOB` with 16-byte samples → `uuid`
//!    (UUID attributes).
//! 2. **BLOB samples**, by signature, all of them: image (PNG, JPEG, GIF,
//!    WebP, HEIC) → `image`; `bplist00` or XML plist → `plist`; `1f 8b 08` →
//!    `gzip`; `78 01|5e|9c|da` with a valid check → `zlib`; 16 bytes with a
//!    UUID-ish name (`uuid`, `guid`, `*_uuid`, `*Uuid`, or `id` declared
//!    BLOB) → `uuid`; UTF-8 JSON objects/arrays → `json`; and `protobuf`
//!    only when the name or declared type says so (`proto`, `pb`,
//!    `message`, `msg`) and every sample decodes fully as protobuf: raw
//!    protobuf is too ambiguous to guess otherwise.
//! 3. **TEXT samples**: all canonical UUIDs (8-4-4-4-12 hex) → `uuid`; all
//!    JSON objects or arrays → `json` (with a `json` declared type or a
//!    name ending in `json`, any JSON value, scalars included); all XML
//!    plists → `plist`.
//! 4. **Numbers** under a time-like name (a last word `at`, `time`, `date`,
//!    `timestamp`, `datetime`, `ts`, `created`, `updated`, `modified`,
//!    `deleted`, `expires`, `expiry`, `expiration`, `seen`, `since`, `until`,
//!    `when`, or a first word `expires`; camelCase and snake_case split into
//!    words; or a declared type containing `DATE` or `TIME`): when every
//!    sample lies in 2000-01-01..2100-01-01 as one unit, that unit —
//!    INTEGER millis → `unix-millis`, micros → `unix-micros`, seconds
//!    (INTEGER or REAL) → `unix-seconds`. The three ranges do not overlap.
//!    Without a time-like name, numbers are never guessed to be times.

use crate::compress::{is_gzip, is_zlib};
use crate::plist::looks_like_plist;
use crate::{decode, image, json, protobuf, uuid, Kind, Raw};
use serde::{Deserialize, Serialize};

/// The persistence framework that wrote the database, as far as known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    /// Unknown or plain SQLite.
    #[default]
    None,
    /// Apple Core Data (`Z_PRIMARYKEY`, `Z_METADATA`, `Z<ENTITY>` tables).
    CoreData,
    /// Android Room (`room_master_table`).
    Room,
    /// Something else recognised (Realm's SQLite export, GRDB, SQLDelight...).
    Other,
}

/// 2000-01-01 and 2100-01-01 in Unix seconds: the plausible range.
const FROM_SECS: i64 = 946_684_800;
const UNTIL_SECS: i64 = 4_102_444_800;

/// The kind a column's values most likely have, or `None` when unsure.
/// `samples` are a few of its values (nulls are ignored).
pub fn infer(column: &str, decltype: Option<&str>, framework: Framework, samples: &[Raw]) -> Option<Kind> {
    let values: Vec<&Raw> = samples.iter().filter(|v| !matches!(v, Raw::Null)).collect();
    if values.is_empty() {
        return None;
    }
    let decl = decltype.unwrap_or("").trim().to_ascii_uppercase();
    let words = words(column);

    if framework == Framework::CoreData && is_core_data_attribute(column) {
        let dates = || {
            values.iter().all(|v| {
                matches!(v, Raw::Integer(_) | Raw::Real(_)) && decode(Kind::CoredataDate, **v).is_ok()
            })
        };
        if decl == "TIMESTAMP" && dates() {
            return Some(Kind::CoredataDate);
        }
        if decl == "BLOB" && values.iter().all(|v| matches!(v, Raw::Blob(b) if b.len() == 16)) {
            return Some(Kind::Uuid);
        }
    }

    if let Some(blobs) = all(&values, |v| match v {
        Raw::Blob(b) => Some(*b),
        _ => None,
    }) {
        return infer_blobs(&blobs, &words, &decl);
    }
    if let Some(texts) = all(&values, |v| match v {
        Raw::Text(b) => Some(*b),
        _ => None,
    }) {
        return infer_texts(&texts, &words, &decl);
    }
    if is_time_like(&words) || decl.contains("DATE") || decl.contains("TIME") {
        return infer_time(&values);
    }
    None
}

/// `f` of every value, if it gives something for every value.
fn all<'a, T>(values: &[&Raw<'a>], f: impl Fn(&Raw<'a>) -> Option<T>) -> Option<Vec<T>> {
    values.iter().map(|v| f(v)).collect()
}

fn infer_blobs(blobs: &[&[u8]], words: &[String], decl: &str) -> Option<Kind> {
    let every = |f: fn(&[u8]) -> bool| blobs.iter().all(|b| f(b));
    if every(|b| image::sniff(b).is_some()) {
        return Some(Kind::Image);
    }
    if every(looks_like_plist) {
        return Some(Kind::Plist);
    }
    if every(is_gzip) {
        return Some(Kind::Gzip);
    }
    if every(is_zlib) {
        return Some(Kind::Zlib);
    }
    if every(|b| b.len() == 16) && is_uuid_name(words, decl) {
        return Some(Kind::Uuid);
    }
    if every(|b| json::parse(b).is_ok_and(|v| v.is_container())) {
        return Some(Kind::Json);
    }
    let proto_hint =
        words.iter().any(|w| matches!(w.as_str(), "proto" | "protobuf" | "pb" | "message" | "msg"))
            || decl.contains("PROTO");
    if proto_hint && every(|b| protobuf::decode_message(b).is_ok_and(|f| !f.is_empty())) {
        return Some(Kind::Protobuf);
    }
    None
}

fn infer_texts(texts: &[&[u8]], words: &[String], decl: &str) -> Option<Kind> {
    if texts.iter().all(|t| uuid::is_canonical_text(t)) {
        return Some(Kind::Uuid);
    }
    let json_hint = decl.contains("JSON") || words.last().is_some_and(|w| w.ends_with("json"));
    if texts.iter().all(|t| json::parse(t).is_ok_and(|v| json_hint || v.is_container())) {
        return Some(Kind::Json);
    }
    if texts.iter().all(|t| !t.starts_with(b"bplist") && looks_like_plist(t)) {
        return Some(Kind::Plist);
    }
    None
}

/// The single unit every sample is a plausible 2000..2100 time in.
fn infer_time(values: &[&Raw]) -> Option<Kind> {
    let unit_of = |v: &Raw| -> Option<Kind> {
        let in_range =
            |x: f64, scale: f64| (FROM_SECS as f64 * scale..UNTIL_SECS as f64 * scale).contains(&x);
        match *v {
            Raw::Integer(i) => {
                let x = i as f64;
                if in_range(x, 1.0) {
                    Some(Kind::UnixSeconds)
                } else if in_range(x, 1e3) {
                    Some(Kind::UnixMillis)
                } else if in_range(x, 1e6) {
                    Some(Kind::UnixMicros)
                } else {
                    None
                }
            }
            Raw::Real(f) if in_range(f, 1.0) => Some(Kind::UnixSeconds),
            _ => None,
        }
    };
    let first = unit_of(values.first()?)?;
    values.iter().all(|v| unit_of(v) == Some(first)).then_some(first)
}

/// A Core Data attribute column: `Z` and a letter (`ZCREATEDAT`), not the
/// bookkeeping columns (`Z_PK`, `Z_ENT`, `Z_OPT`, `Z1TAGS`...).
fn is_core_data_attribute(column: &str) -> bool {
    let b = column.as_bytes();
    b.first() == Some(&b'Z') && b.get(1).is_some_and(|c| c.is_ascii_alphabetic())
}

/// The words of a column name, lowercase: `createdAt` → [created, at],
/// `last_seen_TS` → [last, seen, ts], `URLString` → [url, string].
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn is_time_like(words: &[String]) -> bool {
    const LAST: [&str; 18] = [
        "at",
        "time",
        "date",
        "timestamp",
        "datetime",
        "ts",
        "created",
        "updated",
        "modified",
        "deleted",
        "expires",
        "expiry",
        "expiration",
        "seen",
        "since",
        "until",
        "when",
        "timestamps",
    ];
    words.last().is_some_and(|w| LAST.contains(&w.as_str())) || words.first().is_some_and(|w| w == "expires")
}

fn is_uuid_name(words: &[String], decl: &str) -> bool {
    words.iter().any(|w| matches!(w.as_str(), "uuid" | "guid"))
        || (words.len() == 1
            && words.first().is_some_and(|w| w == "id" || w == "identifier")
            && decl == "BLOB")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Framework = Framework::None;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(words("createdAt"), ["created", "at"]);
        assert_eq!(words("last_seen_TS"), ["last", "seen", "ts"]);
        assert_eq!(words("URLString"), ["url", "string"]);
        assert_eq!(words("expires_in"), ["expires", "in"]);
        assert_eq!(words("ZCREATEDAT"), ["zcreatedat"]);
        assert_eq!(words("userUUID"), ["user", "uuid"]);
    }

    #[test]
    fn core_data() {
        let cd = Framework::CoreData;
        let real = [Raw::Real(786_016_000.25), Raw::Null];
        assert_eq!(infer("ZCREATEDAT", Some("TIMESTAMP"), cd, &real), Some(Kind::CoredataDate));
        assert_eq!(infer("ZDUEDATE", Some("timestamp"), cd, &[Raw::Integer(5)]), Some(Kind::CoredataDate));
        assert_eq!(infer("ZCREATEDAT", Some("TIMESTAMP"), NONE, &real), None);
        assert_eq!(infer("ZCREATEDAT", Some("TIMESTAMP"), cd, &[Raw::Real(1e300)]), None);
        assert_eq!(infer("Z_OPT", Some("TIMESTAMP"), cd, &real), None);
        assert_eq!(infer("ZIDENTIFIER", Some("BLOB"), cd, &[Raw::Blob(&[7; 16])]), Some(Kind::Uuid));
        assert_eq!(infer("ZIDENTIFIER", Some("BLOB"), NONE, &[Raw::Blob(&[7; 16])]), None);
        assert_eq!(infer("ZHASH", Some("BLOB"), cd, &[Raw::Blob(&[7; 20])]), None);
        let bplist =
            b"bplist00\xd0\x08\0\0\0\0\0\0\x01\x01\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x09";
        assert_eq!(infer("ZSETTINGS", Some("BLOB"), cd, &[Raw::Blob(bplist)]), Some(Kind::Plist));
    }

    #[test]
    fn room_times_need_a_name_and_a_range() {
        let room = Framework::Room;
        let millis = [Raw::Integer(1_764_323_200_250), Raw::Integer(1_700_000_000_000)];
        for name in [
            "created_at",
            "createdAt",
            "updated",
            "timestamp",
            "sent_time",
            "dueDate",
            "expires_at",
            "lastModified",
        ] {
            assert_eq!(infer(name, Some("INTEGER"), room, &millis), Some(Kind::UnixMillis), "{name}");
        }
        assert_eq!(infer("count", Some("INTEGER"), room, &millis), None);
        assert_eq!(
            infer("created", Some("INTEGER"), room, &[Raw::Integer(1_700_000_000)]),
            Some(Kind::UnixSeconds)
        );
        assert_eq!(infer("created", None, room, &[Raw::Real(1_700_000_000.5)]), Some(Kind::UnixSeconds));
        assert_eq!(
            infer("ts", Some("INTEGER"), room, &[Raw::Integer(1_700_000_000_000_000)]),
            Some(Kind::UnixMicros)
        );
        assert_eq!(
            infer("created_at", None, room, &[Raw::Integer(1_700_000_000), Raw::Integer(1_700_000_000_000)]),
            None
        );
        assert_eq!(infer("created_at", None, room, &[Raw::Integer(0)]), None);
        assert_eq!(infer("expires_in", None, room, &[Raw::Integer(3600)]), None);
        assert_eq!(infer("at", None, room, &[Raw::Integer(4_102_444_800_000)]), None);
        assert_eq!(infer("anything", Some("DATETIME"), room, &millis), Some(Kind::UnixMillis));
        assert_eq!(infer("created_at", None, room, &[Raw::Text(b"2024-03-01 10:00:00")]), None);
    }

    #[test]
    fn text() {
        let uuids = [
            Raw::Text(b"6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
            Raw::Text(b"6BA7B810-9DAD-11D1-80B4-00C04FD430C8"),
        ];
        assert_eq!(infer("anything", None, NONE, &uuids), Some(Kind::Uuid));
        assert_eq!(
            infer("tags", Some("TEXT"), NONE, &[Raw::Text(b"[\"a\"]"), Raw::Text(b"{}")]),
            Some(Kind::Json)
        );
        assert_eq!(infer("tags", Some("TEXT"), NONE, &[Raw::Text(b"[\"a\"]"), Raw::Text(b"a")]), None);
        assert_eq!(infer("title", None, NONE, &[Raw::Text(b"42")]), None);
        assert_eq!(infer("extra_json", None, NONE, &[Raw::Text(b"42")]), Some(Kind::Json));
        assert_eq!(infer("meta", Some("JSON"), NONE, &[Raw::Text(b"\"s\"")]), Some(Kind::Json));
        assert_eq!(infer("meta", Some("JSON"), NONE, &[Raw::Text(b"nope")]), None);
        let xml = b"<?xml version=\"1.0\"?><plist version=\"1.0\"><dict/></plist>";
        assert_eq!(infer("prefs", None, NONE, &[Raw::Text(xml)]), Some(Kind::Plist));
    }

    #[test]
    fn blobs() {
        let png = crate::image::tests::tiny_png();
        assert_eq!(infer("avatar", None, NONE, &[Raw::Blob(&png), Raw::Null]), Some(Kind::Image));
        assert_eq!(infer("avatar", None, NONE, &[Raw::Blob(&png), Raw::Blob(b"xx")]), None);
        assert_eq!(infer("body", None, NONE, &[Raw::Blob(&[0x1F, 0x8B, 0x08, 0])]), Some(Kind::Gzip));
        assert_eq!(infer("body", None, NONE, &[Raw::Blob(&[0x78, 0x9C, 3, 0])]), Some(Kind::Zlib));
        assert_eq!(infer("user_uuid", None, NONE, &[Raw::Blob(&[1; 16])]), Some(Kind::Uuid));
        assert_eq!(infer("id", Some("BLOB"), NONE, &[Raw::Blob(&[1; 16])]), Some(Kind::Uuid));
        assert_eq!(infer("id", None, NONE, &[Raw::Blob(&[1; 16])]), None);
        assert_eq!(infer("digest", None, NONE, &[Raw::Blob(&[1; 16])]), None);
        assert_eq!(infer("doc", None, NONE, &[Raw::Blob(b"{\"a\":1}")]), Some(Kind::Json));
        let proto = [Raw::Blob(&[0x08, 0x96, 0x01])];
        assert_eq!(infer("payload", None, NONE, &proto), None);
        assert_eq!(infer("payload_pb", None, NONE, &proto), Some(Kind::Protobuf));
        assert_eq!(infer("messageBytes", None, NONE, &proto), Some(Kind::Protobuf));
        assert_eq!(infer("message", None, NONE, &[Raw::Blob(&[0x08])]), None);
    }

    #[test]
    fn nothing_to_go_on() {
        assert_eq!(infer("created_at", None, NONE, &[]), None);
        assert_eq!(infer("created_at", None, NONE, &[Raw::Null, Raw::Null]), None);
        assert_eq!(infer("created_at", None, NONE, &[Raw::Integer(1_700_000_000), Raw::Text(b"x")]), None);
    }
}
