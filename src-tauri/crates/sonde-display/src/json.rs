//! JSON text (TEXT, or a BLOB holding UTF-8), parsed into a tree that keeps
//! what a viewer needs and `serde_json::Value` would lose here: keys in
//! stored order (the workspace's serde_json has no `preserve_order`),
//! duplicate keys, and numbers exactly as written.
//!
//! When serialized for the UI, a number stays a JSON number if JavaScript
//! reads it exactly (integers up to ±2^53, finite floats); any other number
//! (a 64-bit ID, `1e400`) becomes `{"$number": "<its text>"}`. A stored
//! object with a lone `$number` key would look the same; that is accepted.
//! One-line text output ([`JsonNode::compact`]) writes numbers as stored.
//!
//! The parser is small and strict (RFC 8259); it recurses, but at most
//! [`MAX_DEPTH`] levels, so hostile input cannot overflow the stack.

use crate::{DecodeError, Decoded, Kind, Raw};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// Deeper nesting than this is an error.
pub const MAX_DEPTH: usize = 128;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonNode {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<JsonNode>),
    /// An object, members in stored order (duplicates kept).
    Object(Vec<(String, JsonNode)>),
}

impl JsonNode {
    /// Whether this is an object or an array.
    pub fn is_container(&self) -> bool {
        matches!(self, JsonNode::Array(_) | JsonNode::Object(_))
    }

    /// Compact one-line JSON, numbers as stored.
    pub fn compact(&self) -> String {
        let mut out = String::new();
        self.write_compact(&mut out);
        out
    }

    fn write_compact(&self, out: &mut String) {
        match self {
            JsonNode::Null => out.push_str("null"),
            JsonNode::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            JsonNode::Number(n) => out.push_str(n),
            JsonNode::String(s) => out.push_str(&quote(s)),
            JsonNode::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_compact(out);
                }
                out.push(']');
            }
            JsonNode::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&quote(k));
                    out.push(':');
                    v.write_compact(out);
                }
                out.push('}');
            }
        }
    }
}

/// A string as a JSON literal.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

impl Serialize for JsonNode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            JsonNode::Null => s.serialize_unit(),
            JsonNode::Bool(b) => s.serialize_bool(*b),
            JsonNode::Number(text) => match exact_number(text) {
                Some(Exact::Int(i)) => s.serialize_i64(i),
                Some(Exact::Float(f)) => s.serialize_f64(f),
                None => {
                    let mut m = s.serialize_map(Some(1))?;
                    m.serialize_entry("$number", text)?;
                    m.end()
                }
            },
            JsonNode::String(v) => s.serialize_str(v),
            JsonNode::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            JsonNode::Object(members) => {
                let mut m = s.serialize_map(Some(members.len()))?;
                for (k, v) in members {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
    }
}

enum Exact {
    Int(i64),
    Float(f64),
}

/// The number as JavaScript would read it exactly, if it would.
fn exact_number(text: &str) -> Option<Exact> {
    const SAFE: i64 = 1 << 53;
    if !text.contains(['.', 'e', 'E']) {
        return text.parse::<i64>().ok().filter(|i| (-SAFE..=SAFE).contains(i)).map(Exact::Int);
    }
    text.parse::<f64>().ok().filter(|f| f.is_finite()).map(Exact::Float)
}

pub(crate) fn decode(value: Raw) -> Result<Decoded, DecodeError> {
    let bytes = match value {
        Raw::Text(b) | Raw::Blob(b) => b,
        other => {
            return Err(DecodeError::WrongStorage {
                kind: Kind::Json,
                found: other.storage_name(),
                wanted: "TEXT or a BLOB",
            })
        }
    };
    Ok(Decoded::Json { value: parse(bytes)? })
}

/// Parses UTF-8 JSON (a leading byte-order mark is skipped).
pub fn parse(bytes: &[u8]) -> Result<JsonNode, DecodeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| DecodeError::NotUtf8(e.valid_up_to()))?;
    let mut p = Parser { s: text.as_bytes(), text, at: 0 };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.at != p.s.len() {
        return Err(p.fail("unexpected text after the value"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn fail(&self, what: &str) -> DecodeError {
        DecodeError::Json(format!("{what} at byte {}", self.at))
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn word(&mut self, w: &str, v: JsonNode) -> Result<JsonNode, DecodeError> {
        if self.s.get(self.at..self.at + w.len()) == Some(w.as_bytes()) {
            self.at += w.len();
            Ok(v)
        } else {
            Err(self.fail("expected a value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsonNode, DecodeError> {
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(JsonNode::String(self.string()?)),
            Some(b't') => self.word("true", JsonNode::Bool(true)),
            Some(b'f') => self.word("false", JsonNode::Bool(false)),
            Some(b'n') => self.word("null", JsonNode::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.fail("expected a value")),
            None => Err(self.fail("unexpected end")),
        }
    }

    fn enter(&self, depth: usize) -> Result<usize, DecodeError> {
        if depth >= MAX_DEPTH {
            return Err(self.fail("nested more than 128 deep"));
        }
        Ok(depth + 1)
    }

    fn array(&mut self, depth: usize) -> Result<JsonNode, DecodeError> {
        let depth = self.enter(depth)?;
        self.at += 1;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b']') {
            return Ok(JsonNode::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth)?);
            self.ws();
            if self.eat(b']') {
                return Ok(JsonNode::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.fail("expected `,` or `]`"));
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonNode, DecodeError> {
        let depth = self.enter(depth)?;
        self.at += 1;
        let mut members = Vec::new();
        self.ws();
        if self.eat(b'}') {
            return Ok(JsonNode::Object(members));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.fail("expected a string key"));
            }
            let key = self.string()?;
            self.ws();
            if !self.eat(b':') {
                return Err(self.fail("expected `:`"));
            }
            self.ws();
            let value = self.value(depth)?;
            members.push((key, value));
            self.ws();
            if self.eat(b'}') {
                return Ok(JsonNode::Object(members));
            }
            if !self.eat(b',') {
                return Err(self.fail("expected `,` or `}`"));
            }
        }
    }

    fn number(&mut self) -> Result<JsonNode, DecodeError> {
        let start = self.at;
        self.eat(b'-');
        let digits = |p: &mut Self| {
            let from = p.at;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.at += 1;
            }
            p.at - from
        };
        let int_start = self.at;
        let n = digits(self);
        if n == 0 || (n > 1 && self.s.get(int_start) == Some(&b'0')) {
            return Err(self.fail("invalid number"));
        }
        if self.eat(b'.') && digits(self) == 0 {
            return Err(self.fail("invalid number"));
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if digits(self) == 0 {
                return Err(self.fail("invalid number"));
            }
        }
        let text = self.text.get(start..self.at).ok_or_else(|| self.fail("invalid number"))?;
        Ok(JsonNode::Number(text.to_string()))
    }

    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let chunk = self.s.get(self.at..self.at + 4).ok_or_else(|| self.fail("truncated \\u escape"))?;
        let text = std::str::from_utf8(chunk).map_err(|_| self.fail("invalid \\u escape"))?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.fail("invalid \\u escape"));
        }
        let v = u32::from_str_radix(text, 16).map_err(|_| self.fail("invalid \\u escape"))?;
        self.at += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        self.at += 1; // the opening quote
        let mut out = String::new();
        loop {
            let run_start = self.at;
            while self.peek().is_some_and(|b| b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            // The input is a &str and runs stop at ASCII bytes: char boundaries.
            out.push_str(self.text.get(run_start..self.at).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    let esc = self.peek().ok_or_else(|| self.fail("unexpected end"))?;
                    self.at += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi)
                                && self.s.get(self.at..self.at + 2) == Some(b"\\u")
                            {
                                let save = self.at;
                                self.at += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    self.at = save;
                                    hi
                                }
                            } else {
                                hi
                            };
                            // Lone surrogates are shown as U+FFFD.
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                        _ => return Err(self.fail("invalid escape")),
                    }
                }
                Some(_) => return Err(self.fail("control character in a string")),
                None => return Err(self.fail("unterminated string")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(s: &str) -> JsonNode {
        parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn keeps_order_duplicates_and_numbers() {
        let text = r#"{"z":1,"a":[true,null,-0.5e3],"z":"dup","id":12345678901234567890,"big":1e400}"#;
        let v = node(text);
        assert_eq!(v.compact(), text);
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(
            json,
            r#"{"z":1,"a":[true,null,-500.0],"z":"dup","id":{"$number":"12345678901234567890"},"big":{"$number":"1e400"}}"#
        );
        assert_eq!(
            serde_json::to_string(&node("9007199254740993")).unwrap(),
            r#"{"$number":"9007199254740993"}"#
        );
        assert_eq!(serde_json::to_string(&node("-9007199254740992")).unwrap(), "-9007199254740992");
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(node(r#""a\n\u00e9\ud83d\ude00\"""#), JsonNode::String("a\né😀\"".into()));
        assert_eq!(node(r#""\ud800x""#), JsonNode::String("\u{FFFD}x".into()));
        assert_eq!(node("\u{FEFF} [ ] ").compact(), "[]");
        assert_eq!(parse(b"\xEF\xBB\xBF{}").unwrap(), JsonNode::Object(vec![]));
        assert_eq!(node(r#""é""#).compact(), r#""é""#);
    }

    #[test]
    fn rejects_what_json_rejects() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\"}",
            "01",
            "1.",
            "-",
            "1e",
            "tru",
            "\"\u{1}\"",
            "[1] x",
            "'a'",
            "NaN",
            "{a:1}",
        ] {
            assert!(parse(bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(matches!(parse(b"\xff"), Err(DecodeError::NotUtf8(0))));
        let deep = "[".repeat(10_000);
        assert!(parse(deep.as_bytes()).unwrap_err().to_string().contains("128 deep"));
        let ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
        assert!(parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn decodes_text_and_blobs() {
        assert!(matches!(decode(Raw::Text(b"{\"a\":1}")), Ok(Decoded::Json { .. })));
        assert!(matches!(decode(Raw::Blob(b"[1,2]")), Ok(Decoded::Json { .. })));
        assert!(matches!(decode(Raw::Integer(1)), Err(DecodeError::WrongStorage { .. })));
    }
}
