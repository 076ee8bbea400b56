//! Property lists (binary `bplist00` and XML), parsed with the `plist`
//! crate, and NSKeyedArchiver archives decoded into the object graph they
//! describe rather than shown as the flat `$objects` table.
//!
//! An archive is a plist dictionary with `$archiver` = `NSKeyedArchiver`,
//! `$top` (usually `{root: UID}`) and `$objects` (index 0 is `$null`); every
//! object refers to others and to its class by UID. Known Foundation classes
//! become plain nodes (dictionaries, arrays and sets, strings, dates, data,
//! UUIDs, URLs, `NSNull`); any other class becomes a dictionary of its
//! encoded fields with the class name attached. A UID that points back into
//! its own ancestry (a cycle), or past the depth or node budget (shared
//! objects can blow up exponentially), becomes a `{type: "ref", uid}` marker.
//! Plain (non-archive) plists nested deeper than [`MAX_DEPTH`] levels, or
//! past [`MAX_NODES`] nodes, show the string `…` there.

use crate::date::format_iso;
use crate::{DecodeError, Decoded, Kind, Raw};
use plist::{Dictionary, Value};
use serde::Serialize;
use std::io::Cursor;

/// Deeper objects than this are shown as references.
pub const MAX_DEPTH: usize = 64;
/// At most this many nodes are built for one value.
pub const MAX_NODES: usize = 20_000;
/// Data nodes show this many leading bytes in hex.
const DATA_PREVIEW: usize = 32;

/// One node of a decoded property list, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum PlistNode {
    /// `$null`, `NSNull`.
    Null,
    /// A dictionary, keys in stored order. `class` is set for archived
    /// objects of classes other than NSDictionary.
    Dict {
        /// The archived object's class name (`$classname`), when not a dictionary.
        #[serde(skip_serializing_if = "Option::is_none")]
        class: Option<String>,
        /// The entries.
        entries: Vec<PlistEntry>,
    },
    /// An array (also NSSet, NSOrderedSet).
    Array {
        /// The items.
        items: Vec<PlistNode>,
    },
    /// A string.
    String {
        /// The text.
        value: String,
    },
    /// An integer: a JSON number up to ±2^53, beyond that its decimal text.
    Integer {
        /// The value.
        #[serde(serialize_with = "crate::serde_util::int")]
        value: i128,
    },
    /// A real; NaN and infinities as the strings `NaN`, `Infinity`, `-Infinity`.
    Real {
        /// The value.
        #[serde(serialize_with = "crate::serde_util::real")]
        value: f64,
    },
    /// A boolean.
    Bool {
        /// The value.
        value: bool,
    },
    /// A date (plist date or NSDate).
    Date {
        /// ISO-8601 UTC text.
        utc: String,
        /// UTC milliseconds since 1970.
        epoch_ms: f64,
    },
    /// Bytes: their length and the first ones in hex.
    Data {
        /// The length.
        bytes: usize,
        /// Lowercase hex of at most the first 32 bytes.
        hex: String,
    },
    /// An NSUUID, in canonical uppercase.
    Uuid {
        /// The UUID text.
        text: String,
    },
    /// An NSURL.
    Url {
        /// The URL text (relative part, then ` (relative to <base>)` when it has a base).
        value: String,
    },
    /// A plist UID outside an archive (an index into something else).
    Uid {
        /// The value.
        value: u64,
    },
    /// An archived object already being shown above (a cycle) or past the
    /// depth or size budget: its index in `$objects`.
    Ref {
        /// The object's UID.
        uid: u64,
    },
}

/// One dictionary entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlistEntry {
    /// The key (for archived dictionaries with non-string keys, the key's one-line text).
    pub key: String,
    /// The value.
    pub value: PlistNode,
}

/// Whether bytes start like a plist: `bplist00`, or XML with a `<plist` element.
pub fn looks_like_plist(b: &[u8]) -> bool {
    if b.starts_with(b"bplist00") {
        return true;
    }
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let head = b.get(..b.len().min(512)).unwrap_or(b);
    let start = head.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(head.len());
    let head = head.get(start..).unwrap_or_default();
    (head.starts_with(b"<?xml") || head.starts_with(b"<!DOCTYPE plist") || head.starts_with(b"<plist"))
        && head.windows(6).any(|w| w == b"<plist")
}

pub(crate) fn decode(value: Raw) -> Result<Decoded, DecodeError> {
    let bytes = match value {
        Raw::Blob(b) | Raw::Text(b) => b,
        other => {
            return Err(DecodeError::WrongStorage {
                kind: Kind::Plist,
                found: other.storage_name(),
                wanted: "a BLOB or TEXT",
            })
        }
    };
    if !looks_like_plist(bytes) {
        return Err(DecodeError::Plist(format!(
            "no bplist00 or XML plist header (starts with {})",
            crate::hex_preview(bytes, 8)
        )));
    }
    let parsed = Value::from_reader(Cursor::new(bytes)).map_err(|e| DecodeError::Plist(e.to_string()))?;
    let mut budget = MAX_NODES;
    if let Some(archive) = Archive::of(&parsed) {
        let root = archive.top(&mut budget);
        return Ok(Decoded::Plist { root, archiver: true });
    }
    Ok(Decoded::Plist { root: convert(&parsed, 0, &mut budget), archiver: false })
}

fn data_node(b: &[u8]) -> PlistNode {
    PlistNode::Data { bytes: b.len(), hex: crate::hex(b.get(..b.len().min(DATA_PREVIEW)).unwrap_or(b)) }
}

fn date_node(d: plist::Date) -> PlistNode {
    let nanos = match std::time::SystemTime::from(d).duration_since(std::time::UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).unwrap_or(i128::MAX),
        Err(before) => -i128::try_from(before.duration().as_nanos()).unwrap_or(i128::MAX),
    };
    nanos_date(nanos)
}

fn nanos_date(nanos: i128) -> PlistNode {
    PlistNode::Date { utc: format_iso(nanos), epoch_ms: nanos as f64 / 1e6 }
}

/// A plain plist value to nodes (UIDs stay UIDs).
fn convert(v: &Value, depth: usize, budget: &mut usize) -> PlistNode {
    if *budget == 0 || depth > MAX_DEPTH {
        return PlistNode::String { value: "…".into() };
    }
    *budget -= 1;
    match v {
        Value::Array(items) => {
            PlistNode::Array { items: items.iter().map(|i| convert(i, depth + 1, budget)).collect() }
        }
        Value::Dictionary(d) => PlistNode::Dict {
            class: None,
            entries: d
                .iter()
                .map(|(k, v)| PlistEntry { key: k.clone(), value: convert(v, depth + 1, budget) })
                .collect(),
        },
        other => scalar(other).unwrap_or(PlistNode::Null),
    }
}

/// A leaf value's node; `None` for arrays and dictionaries.
fn scalar(v: &Value) -> Option<PlistNode> {
    Some(match v {
        Value::Boolean(b) => PlistNode::Bool { value: *b },
        Value::Data(b) => data_node(b),
        Value::Date(d) => date_node(*d),
        Value::Real(f) => PlistNode::Real { value: *f },
        Value::Integer(i) => PlistNode::Integer {
            value: i.as_signed().map(i128::from).or(i.as_unsigned().map(i128::from)).unwrap_or_default(),
        },
        Value::String(s) => PlistNode::String { value: s.clone() },
        Value::Uid(u) => PlistNode::Uid { value: u.get() },
        _ => return None,
    })
}

/// An NSKeyedArchiver archive: its objects table and top dictionary.
struct Archive<'a> {
    objects: &'a [Value],
    top: &'a Dictionary,
}

impl<'a> Archive<'a> {
    fn of(v: &'a Value) -> Option<Self> {
        let d = v.as_dictionary()?;
        if d.get("$archiver")?.as_string()? != "NSKeyedArchiver" {
            return None;
        }
        Some(Archive { objects: d.get("$objects")?.as_array()?, top: d.get("$top")?.as_dictionary()? })
    }

    /// `$top` resolved: the root object when it is the only entry (what
    /// `archivedData(withRootObject:)` writes), else a dictionary of them.
    fn top(&self, budget: &mut usize) -> PlistNode {
        let mut path = Vec::new();
        if self.top.len() == 1 {
            if let Some(root) = self.top.get("root") {
                return self.value(root, &mut path, budget);
            }
        }
        let entries = self
            .top
            .iter()
            .map(|(k, v)| PlistEntry { key: k.clone(), value: self.value(v, &mut path, budget) })
            .collect();
        PlistNode::Dict { class: None, entries }
    }

    /// A value inside an archive: UIDs are followed, containers walked.
    fn value(&self, v: &Value, path: &mut Vec<u64>, budget: &mut usize) -> PlistNode {
        if let Some(uid) = uid_of(v) {
            return self.object(uid, path, budget);
        }
        match v {
            Value::Array(items) => {
                PlistNode::Array { items: items.iter().map(|i| self.value(i, path, budget)).collect() }
            }
            Value::Dictionary(d) => PlistNode::Dict {
                class: None,
                entries: d
                    .iter()
                    .map(|(k, v)| PlistEntry { key: k.clone(), value: self.value(v, path, budget) })
                    .collect(),
            },
            other => scalar(other).unwrap_or(PlistNode::Null),
        }
    }

    /// The object at `uid` in `$objects`.
    fn object(&self, uid: u64, path: &mut Vec<u64>, budget: &mut usize) -> PlistNode {
        if path.contains(&uid) || path.len() >= MAX_DEPTH || *budget == 0 {
            return PlistNode::Ref { uid };
        }
        *budget -= 1;
        let Some(obj) = usize::try_from(uid).ok().and_then(|i| self.objects.get(i)) else {
            return PlistNode::Ref { uid };
        };
        match obj {
            Value::String(s) if s == "$null" => PlistNode::Null,
            Value::Dictionary(d) => {
                path.push(uid);
                let node = self.instance(d, path, budget);
                path.pop();
                node
            }
            other => {
                path.push(uid);
                let node = self.value(other, path, budget);
                path.pop();
                node
            }
        }
    }

    /// The names of an object's class chain (`$classname`, then `$classes`).
    fn class_names(&self, d: &Dictionary) -> Option<(String, Vec<String>)> {
        let uid = uid_of(d.get("$class")?)?;
        let class = self.objects.get(usize::try_from(uid).ok()?)?.as_dictionary()?;
        let name = class.get("$classname")?.as_string()?.to_string();
        let chain = class
            .get("$classes")
            .and_then(Value::as_array)
            .map(|c| c.iter().filter_map(Value::as_string).map(str::to_string).collect())
            .unwrap_or_default();
        Some((name, chain))
    }

    /// An encoded object dictionary, by its class.
    fn instance(&self, d: &Dictionary, path: &mut Vec<u64>, budget: &mut usize) -> PlistNode {
        let Some((name, chain)) = self.class_names(d) else {
            // A plain dictionary inside `$objects` (no class): walk it.
            return self.value(&Value::Dictionary(d.clone()), path, budget);
        };
        let known =
            std::iter::once(name.as_str()).chain(chain.iter().map(String::as_str)).find_map(base_class);
        let field = |key: &str| d.get(key);
        let list = |key: &str, path: &mut Vec<u64>, budget: &mut usize| -> Vec<PlistNode> {
            field(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|v| self.value(v, path, budget)).collect())
                .unwrap_or_default()
        };
        match known {
            Some(Base::Dictionary) => {
                let keys = list("NS.keys", path, budget);
                let values = list("NS.objects", path, budget);
                let entries = keys
                    .into_iter()
                    .zip(values)
                    .map(|(k, value)| PlistEntry { key: key_text(&k), value })
                    .collect();
                PlistNode::Dict { class: None, entries }
            }
            Some(Base::Array) => PlistNode::Array { items: list("NS.objects", path, budget) },
            Some(Base::String) => match field("NS.string").or(field("NS.bytes")) {
                Some(Value::String(s)) => PlistNode::String { value: s.clone() },
                Some(Value::Data(b)) => PlistNode::String { value: String::from_utf8_lossy(b).into_owned() },
                Some(other) => self.value(other, path, budget),
                None => PlistNode::String { value: String::new() },
            },
            Some(Base::Date) => {
                match field("NS.time").and_then(|t| t.as_real().or(t.as_signed_integer().map(|i| i as f64))) {
                    Some(secs) => match crate::date::decode(Kind::CoredataDate, Raw::Real(secs)) {
                        Ok(Decoded::Date { utc, epoch_ms, .. }) => PlistNode::Date { utc, epoch_ms },
                        _ => PlistNode::Real { value: secs },
                    },
                    None => self.generic(name, d, path, budget),
                }
            }
            Some(Base::Data) => match field("NS.data") {
                Some(Value::Data(b)) => data_node(b),
                Some(other) => self.value(other, path, budget),
                None => data_node(&[]),
            },
            Some(Base::Uuid) => {
                match field("NS.uuidbytes").and_then(Value::as_data).and_then(|b| b.try_into().ok()) {
                    Some(bytes) => PlistNode::Uuid { text: crate::uuid::format_bytes(bytes) },
                    None => self.generic(name, d, path, budget),
                }
            }
            Some(Base::Url) => {
                let relative = field("NS.relative").map(|v| self.value(v, path, budget));
                let base = field("NS.base").map(|v| self.value(v, path, budget));
                let text = |n: Option<PlistNode>| match n {
                    Some(PlistNode::String { value }) | Some(PlistNode::Url { value }) => Some(value),
                    _ => None,
                };
                match (text(relative), text(base)) {
                    (Some(rel), Some(base)) => {
                        PlistNode::Url { value: format!("{rel} (relative to {base})") }
                    }
                    (Some(rel), None) => PlistNode::Url { value: rel },
                    _ => self.generic(name, d, path, budget),
                }
            }
            Some(Base::Null) => PlistNode::Null,
            None => self.generic(name, d, path, budget),
        }
    }

    /// An object of a class this crate does not know: its fields, and its name.
    fn generic(&self, class: String, d: &Dictionary, path: &mut Vec<u64>, budget: &mut usize) -> PlistNode {
        let entries = d
            .iter()
            .filter(|(k, _)| k.as_str() != "$class")
            .map(|(k, v)| PlistEntry { key: k.clone(), value: self.value(v, path, budget) })
            .collect();
        PlistNode::Dict { class: Some(class), entries }
    }
}

/// A UID: a binary plist UID, or the `{CF$UID: n}` dictionary that XML
/// archives write instead.
fn uid_of(v: &Value) -> Option<u64> {
    match v {
        Value::Uid(u) => Some(u.get()),
        Value::Dictionary(d) if d.len() == 1 => d.get("CF$UID")?.as_unsigned_integer(),
        _ => None,
    }
}

/// The Foundation classes shown as plain nodes.
enum Base {
    Dictionary,
    Array,
    String,
    Date,
    Data,
    Uuid,
    Url,
    Null,
}

fn base_class(name: &str) -> Option<Base> {
    Some(match name {
        "NSDictionary" | "NSMutableDictionary" => Base::Dictionary,
        "NSArray" | "NSMutableArray" | "NSSet" | "NSMutableSet" | "NSOrderedSet" | "NSMutableOrderedSet" => {
            Base::Array
        }
        "NSString" | "NSMutableString" => Base::String,
        "NSDate" => Base::Date,
        "NSData" | "NSMutableData" => Base::Data,
        "NSUUID" => Base::Uuid,
        "NSURL" => Base::Url,
        "NSNull" => Base::Null,
        _ => return None,
    })
}

/// A dictionary key as text: strings as they are, anything else in one line.
fn key_text(k: &PlistNode) -> String {
    match k {
        PlistNode::String { value } => value.clone(),
        other => crate::render::plist_line(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plist::Uid;

    fn decode_value(v: &Value, binary: bool) -> (PlistNode, bool) {
        let mut bytes = Vec::new();
        if binary {
            v.to_writer_binary(&mut bytes).unwrap();
        } else {
            xml_uids(v).to_writer_xml(&mut bytes).unwrap();
        }
        match decode(Raw::Blob(&bytes)).unwrap() {
            Decoded::Plist { root, archiver } => (root, archiver),
            other => panic!("{other:?}"),
        }
    }

    /// UIDs as XML archives write them: `{CF$UID: n}`.
    fn xml_uids(v: &Value) -> Value {
        match v {
            Value::Uid(u) => dict(&[("CF$UID", Value::Integer(u.get().into()))]),
            Value::Array(a) => Value::Array(a.iter().map(xml_uids).collect()),
            Value::Dictionary(d) => {
                Value::Dictionary(d.iter().map(|(k, v)| (k.clone(), xml_uids(v))).collect())
            }
            other => other.clone(),
        }
    }

    fn dict(entries: &[(&str, Value)]) -> Value {
        let mut d = Dictionary::new();
        for (k, v) in entries {
            d.insert((*k).to_string(), v.clone());
        }
        Value::Dictionary(d)
    }

    fn s(v: &str) -> Value {
        Value::String(v.into())
    }

    fn uid(n: u64) -> Value {
        Value::Uid(Uid::new(n))
    }

    fn string(v: &str) -> PlistNode {
        PlistNode::String { value: v.into() }
    }

    fn entry(k: &str, value: PlistNode) -> PlistEntry {
        PlistEntry { key: k.into(), value }
    }

    #[test]
    fn plain_plists_binary_and_xml() {
        let v = dict(&[
            ("zeta", s("last key first")),
            ("count", Value::Integer(42.into())),
            ("big", Value::Integer(u64::MAX.into())),
            ("ratio", Value::Real(0.5)),
            ("on", Value::Boolean(true)),
            ("blob", Value::Data(vec![0xDE, 0xAD, 0xBE, 0xEF])),
            (
                "when",
                Value::Date(plist::Date::from(
                    std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_764_323_200),
                )),
            ),
            ("list", Value::Array(vec![s("a"), Value::Integer((-1).into())])),
        ]);
        for binary in [true, false] {
            let (root, archiver) = decode_value(&v, binary);
            assert!(!archiver);
            let expected = PlistNode::Dict {
                class: None,
                entries: vec![
                    entry("zeta", string("last key first")),
                    entry("count", PlistNode::Integer { value: 42 }),
                    entry("big", PlistNode::Integer { value: i128::from(u64::MAX) }),
                    entry("ratio", PlistNode::Real { value: 0.5 }),
                    entry("on", PlistNode::Bool { value: true }),
                    entry("blob", PlistNode::Data { bytes: 4, hex: "deadbeef".into() }),
                    entry(
                        "when",
                        PlistNode::Date { utc: "2025-11-28T09:46:40Z".into(), epoch_ms: 1_764_323_200_000.0 },
                    ),
                    entry(
                        "list",
                        PlistNode::Array { items: vec![string("a"), PlistNode::Integer { value: -1 }] },
                    ),
                ],
            };
            assert_eq!(root, expected, "binary: {binary}");
        }
        let json = serde_json::to_value(decode_value(&v, true).0).unwrap();
        assert_eq!(
            json["entries"][2]["value"],
            serde_json::json!({"type": "integer", "value": "18446744073709551615"})
        );
        assert_eq!(json["entries"][1]["value"], serde_json::json!({"type": "integer", "value": 42}));
    }

    fn class(name: &str, supers: &[&str]) -> Value {
        let mut chain = vec![s(name)];
        chain.extend(supers.iter().map(|c| s(c)));
        chain.push(s("NSObject"));
        dict(&[("$classname", s(name)), ("$classes", Value::Array(chain))])
    }

    fn archive(objects: Vec<Value>) -> Value {
        dict(&[
            ("$version", Value::Integer(100_000.into())),
            ("$archiver", s("NSKeyedArchiver")),
            ("$top", dict(&[("root", uid(1))])),
            ("$objects", Value::Array(objects)),
        ])
    }

    #[test]
    fn keyed_archive_object_graph() {
        let uuid: Vec<u8> = (0u8..16).collect();
        // root: NSMutableDictionary {name: "Ada", tags: ["x", "y"], born: NSDate, id: NSUUID, inner: {k: $null}, more: Person}
        let objects = vec![
            s("$null"),
            dict(&[
                ("NS.keys", Value::Array(vec![uid(2), uid(3), uid(4), uid(5), uid(6), uid(16)])),
                ("NS.objects", Value::Array(vec![uid(7), uid(8), uid(11), uid(13), uid(15), uid(18)])),
                ("$class", uid(10)),
            ]),
            s("name"),
            s("tags"),
            s("born"),
            s("id"),
            s("inner"),
            s("Ada"),
            dict(&[("NS.objects", Value::Array(vec![uid(9), uid(19)])), ("$class", uid(20))]),
            s("x"),
            class("NSMutableDictionary", &["NSDictionary"]),
            dict(&[("NS.time", Value::Real(786_016_000.25)), ("$class", uid(12))]),
            class("NSDate", &[]),
            dict(&[("NS.uuidbytes", Value::Data(uuid)), ("$class", uid(14))]),
            class("NSUUID", &[]),
            dict(&[
                ("NS.keys", Value::Array(vec![uid(21)])),
                ("NS.objects", Value::Array(vec![uid(0)])),
                ("$class", uid(10)),
            ]),
            s("more"),
            class("Person", &[]),
            dict(&[("age", Value::Integer(36.into())), ("friend", uid(0)), ("$class", uid(17))]),
            dict(&[("NS.string", s("y")), ("$class", uid(22))]),
            class("NSArray", &[]),
            s("k"),
            class("NSMutableString", &["NSString"]),
        ];
        let (root, archiver) = decode_value(&archive(objects.clone()), true);
        assert!(archiver);
        assert_eq!(decode_value(&archive(objects), false), (root.clone(), true));
        let expected = PlistNode::Dict {
            class: None,
            entries: vec![
                entry("name", string("Ada")),
                entry("tags", PlistNode::Array { items: vec![string("x"), string("y")] }),
                entry(
                    "born",
                    PlistNode::Date { utc: "2025-11-28T09:46:40.250Z".into(), epoch_ms: 1_764_323_200_250.0 },
                ),
                entry("id", PlistNode::Uuid { text: "00010203-0405-0607-0809-0A0B0C0D0E0F".into() }),
                entry("inner", PlistNode::Dict { class: None, entries: vec![entry("k", PlistNode::Null)] }),
                entry(
                    "more",
                    PlistNode::Dict {
                        class: Some("Person".into()),
                        entries: vec![
                            entry("age", PlistNode::Integer { value: 36 }),
                            entry("friend", PlistNode::Null),
                        ],
                    },
                ),
            ],
        };
        assert_eq!(root, expected);
        let json = serde_json::to_value(&root).unwrap();
        assert_eq!(json["entries"][5]["value"]["class"], "Person");
    }

    #[test]
    fn keyed_archive_cycles_become_refs() {
        // root: NSMutableArray [root itself, "leaf"]
        let objects = vec![
            s("$null"),
            dict(&[("NS.objects", Value::Array(vec![uid(1), uid(3), uid(99)])), ("$class", uid(2))]),
            class("NSMutableArray", &["NSArray"]),
            s("leaf"),
        ];
        let (root, _) = decode_value(&archive(objects), false);
        assert_eq!(
            root,
            PlistNode::Array {
                items: vec![PlistNode::Ref { uid: 1 }, string("leaf"), PlistNode::Ref { uid: 99 }]
            }
        );
    }

    #[test]
    fn shared_objects_are_bounded() {
        // Each level is an array holding the next level twice: 2^40 paths.
        let mut objects = vec![s("$null"), class("NSArray", &[])];
        for level in 0..40u64 {
            let next = level + 3;
            objects
                .push(dict(&[("NS.objects", Value::Array(vec![uid(next), uid(next)])), ("$class", uid(1))]));
        }
        objects.push(s("bottom"));
        let mut v = archive(objects);
        if let Value::Dictionary(d) = &mut v {
            d.insert("$top".into(), dict(&[("root", uid(2))]));
        }
        let (root, _) = decode_value(&v, true);
        let text = serde_json::to_string(&root).unwrap();
        assert!(text.len() < 5_000_000, "{}", text.len());
        assert!(text.contains("\"ref\""));
    }

    #[test]
    fn errors_and_signatures() {
        assert!(looks_like_plist(b"bplist00\0"));
        assert!(looks_like_plist(b"  <?xml version=\"1.0\"?>\n<!DOCTYPE plist><plist version=\"1.0\">"));
        assert!(!looks_like_plist(b"<?xml version=\"1.0\"?><svg/>"));
        assert!(matches!(decode(Raw::Blob(b"bplist00garbage")), Err(DecodeError::Plist(_))));
        let e = decode(Raw::Blob(b"{\"a\":1}")).unwrap_err().to_string();
        assert!(e.starts_with("not a property list: no bplist00"), "{e}");
        assert!(decode(Raw::Text(
            b"<?xml version=\"1.0\"?><plist version=\"1.0\"><string>hi</string></plist>"
        ))
        .is_ok());
    }
}
