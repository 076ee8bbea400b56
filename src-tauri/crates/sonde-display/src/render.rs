//! One-line text for a decoded value, for `sonde rows --display` and any
//! other plain-text output: short enough for a table cell, and exact where
//! it matters (dates keep their fraction, JSON numbers their digits).
//!
//! When a value does not decode as the kind, the value's usual text form is
//! shown instead (as the CLI prints undecoded cells), so a bad row never
//! hides the others.

use crate::compress::Preview;
use crate::plist::PlistNode;
use crate::protobuf::{ProtoField, ProtoValue};
use crate::{decode, Decoded, Kind, Raw};

/// Output is cut to this many characters (with `…`).
pub const MAX_CHARS: usize = 500;
/// Characters of decompressed text shown.
const PREVIEW_CHARS: usize = 60;

/// A one-line human form of a value read as a kind, e.g.
/// `2025-11-28 09:46:40.250 UTC`, `PNG 640×480, 12.3 KB`,
/// `{1: 150, 2: "abc", 3: {1: 1}}`, `gzip 12.0 KB → "preview…"`.
/// Falls back to the raw value's text when it does not decode; never panics.
pub fn render_text(kind: Kind, value: Raw) -> String {
    match decode(kind, value) {
        Ok(decoded) => cut(render_decoded(&decoded)),
        Err(_) => cut(raw_text(value)),
    }
}

/// The one-line form of an already decoded value (not cut).
pub fn render_decoded(d: &Decoded) -> String {
    match d {
        Decoded::Date { utc, .. } => {
            let body = utc.strip_suffix('Z').unwrap_or(utc).replacen('T', " ", 1);
            format!("{body} UTC")
        }
        Decoded::Uuid { text } => text.clone(),
        Decoded::Image { format, width, height, bytes } => match (width, height) {
            (Some(w), Some(h)) => format!("{} {w}×{h}, {}", format.label(), human_bytes(*bytes)),
            _ => format!("{}, {}", format.label(), human_bytes(*bytes)),
        },
        Decoded::Plist { root, .. } => plist_line(root),
        Decoded::Protobuf { fields } => proto_line(fields),
        Decoded::Json { value } => value.compact(),
        Decoded::Decompressed { format, bytes, truncated, preview } => {
            let size = if *truncated { format!("> {}", human_bytes(*bytes)) } else { human_bytes(*bytes) };
            let shown = match preview {
                Preview::Text { text, truncated } => {
                    let mut t: String = text.chars().take(PREVIEW_CHARS).map(one_line_char).collect();
                    if *truncated || text.chars().count() > PREVIEW_CHARS {
                        t.push('…');
                    }
                    format!("\"{t}\"")
                }
                Preview::Hex { hex, truncated } => {
                    let head = hex.get(..hex.len().min(16)).unwrap_or(hex);
                    let more = if *truncated || hex.len() > 16 { "…" } else { "" };
                    format!("x'{head}{more}'")
                }
            };
            format!("{} {size} → {shown}", format.as_str())
        }
    }
}

/// The value as shown undecoded (the CLI's usual cell text).
pub fn raw_text(value: Raw) -> String {
    match value {
        Raw::Null => "NULL".into(),
        Raw::Integer(i) => i.to_string(),
        Raw::Real(f) => {
            let s = format!("{f}");
            if f.is_finite() && !s.contains('.') {
                format!("{s}.0")
            } else {
                s
            }
        }
        Raw::Text(b) => match std::str::from_utf8(b) {
            Ok(t) => t.chars().map(one_line_char).collect(),
            Err(_) => format!("<text, {} bytes, not UTF-8>", b.len()),
        },
        Raw::Blob(b) => {
            let more = if b.len() > 8 { "…" } else { "" };
            format!("x'{}{more}' ({} bytes)", crate::hex(b.get(..b.len().min(8)).unwrap_or(b)), b.len())
        }
    }
}

fn one_line_char(c: char) -> char {
    if c.is_control() {
        ' '
    } else {
        c
    }
}

fn cut(s: String) -> String {
    if s.chars().nth(MAX_CHARS).is_none() {
        return s;
    }
    let at = s.char_indices().nth(MAX_CHARS - 1).map_or(s.len(), |(at, _)| at);
    format!("{}…", s.get(..at).unwrap_or_default())
}

/// `512 B`, `12.3 KB`, `4.0 MB` (powers of 1024).
pub fn human_bytes(n: usize) -> String {
    const K: f64 = 1024.0;
    let f = n as f64;
    if f < K {
        format!("{n} B")
    } else if f < K * K {
        format!("{:.1} KB", f / K)
    } else if f < K * K * K {
        format!("{:.1} MB", f / (K * K))
    } else {
        format!("{:.1} GB", f / (K * K * K))
    }
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

fn data_text(bytes: usize, hex: &str) -> String {
    let head = hex.get(..hex.len().min(16)).unwrap_or(hex);
    let more = if bytes * 2 > head.len() { "…" } else { "" };
    format!("<{bytes} bytes {head}{more}>")
}

/// A plist node in compact JSON-like text: `{"name": "Ada", "tags": ["x"]}`.
pub fn plist_line(n: &PlistNode) -> String {
    let mut out = String::new();
    write_plist(n, &mut out);
    out
}

fn write_plist(n: &PlistNode, out: &mut String) {
    // Stop growing long before the cut; the rest is not shown anyway.
    if out.len() > MAX_CHARS * 4 {
        return;
    }
    match n {
        PlistNode::Null => out.push_str("null"),
        PlistNode::Dict { class, entries } => {
            if let Some(c) = class {
                out.push_str(c);
                out.push(' ');
            }
            out.push('{');
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&quoted(&e.key));
                out.push_str(": ");
                write_plist(&e.value, out);
            }
            out.push('}');
        }
        PlistNode::Array { items } => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_plist(item, out);
            }
            out.push(']');
        }
        PlistNode::String { value } => out.push_str(&quoted(value)),
        PlistNode::Integer { value } => out.push_str(&value.to_string()),
        PlistNode::Real { value } => out.push_str(&raw_text(Raw::Real(*value))),
        PlistNode::Bool { value } => out.push_str(if *value { "true" } else { "false" }),
        PlistNode::Date { utc, .. } => out.push_str(utc),
        PlistNode::Data { bytes, hex } => out.push_str(&data_text(*bytes, hex)),
        PlistNode::Uuid { text } => out.push_str(text),
        PlistNode::Url { value } => {
            out.push('<');
            out.push_str(value);
            out.push('>');
        }
        PlistNode::Uid { value } => out.push_str(&format!("UID({value})")),
        PlistNode::Ref { uid } => out.push_str(&format!("$ref({uid})")),
    }
}

/// Protobuf fields as `{1: 150, 2: "abc", 3: {1: 1}}`.
pub fn proto_line(fields: &[ProtoField]) -> String {
    let mut out = String::new();
    write_fields(fields, &mut out);
    out
}

fn write_fields(fields: &[ProtoField], out: &mut String) {
    out.push('{');
    for (i, f) in fields.iter().enumerate() {
        if out.len() > MAX_CHARS * 4 {
            break;
        }
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&format!("{}: ", f.field));
        match &f.value {
            ProtoValue::Varint { value, .. } => out.push_str(&value.to_string()),
            ProtoValue::I64 { value, double, .. } => {
                out.push_str(&fixed_text(*double, &format!("0x{value:016x}")))
            }
            ProtoValue::I32 { value, float, .. } => {
                out.push_str(&fixed_text(*float, &format!("0x{value:08x}")))
            }
            ProtoValue::Message { fields } | ProtoValue::Group { fields } => write_fields(fields, out),
            ProtoValue::String { value } => out.push_str(&quoted(value)),
            ProtoValue::Bytes { bytes, hex, .. } => out.push_str(&data_text(*bytes, hex)),
        }
    }
    out.push('}');
}

/// A fixed-width value as a float when it looks like one, else in hex.
fn fixed_text(f: f64, hex: &str) -> String {
    let plausible = f == 0.0 || (f.is_finite() && (1e-9..1e15).contains(&f.abs()));
    if plausible {
        raw_text(Raw::Real(f))
    } else {
        hex.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(render_text(Kind::CoredataDate, Raw::Real(786_016_000.25)), "2025-11-28 09:46:40.250 UTC");
        assert_eq!(render_text(Kind::UnixMillis, Raw::Integer(0)), "1970-01-01 00:00:00 UTC");
    }

    #[test]
    fn fallbacks_are_the_raw_text() {
        assert_eq!(render_text(Kind::CoredataDate, Raw::Text(b"soon")), "soon");
        assert_eq!(render_text(Kind::Uuid, Raw::Blob(&[1, 2, 3])), "x'010203' (3 bytes)");
        assert_eq!(render_text(Kind::Image, Raw::Blob(&[0; 9])), "x'0000000000000000…' (9 bytes)");
        assert_eq!(render_text(Kind::Json, Raw::Null), "NULL");
        assert_eq!(render_text(Kind::Json, Raw::Real(2.0)), "2.0");
        assert_eq!(render_text(Kind::Json, Raw::Text(b"\xff")), "<text, 1 bytes, not UTF-8>");
        assert_eq!(render_text(Kind::Json, Raw::Text(b"a\nb")), "a b");
    }

    #[test]
    fn images_and_sizes() {
        let png = crate::image::tests::tiny_png();
        let text = render_text(Kind::Image, Raw::Blob(&png));
        assert_eq!(text, format!("PNG 2×3, {} B", png.len()));
        assert_eq!(human_bytes(12_595), "12.3 KB");
        assert_eq!(human_bytes(3 << 20), "3.0 MB");
    }

    #[test]
    fn protobuf_line() {
        let b = [0x08, 0x96, 0x01, 0x12, 0x03, b'a', b'b', b'c', 0x1A, 0x02, 0x08, 0x01];
        assert_eq!(render_text(Kind::Protobuf, Raw::Blob(&b)), r#"{1: 150, 2: "abc", 3: {1: 1}}"#);
        let mut d = vec![0x09];
        d.extend_from_slice(&1.5f64.to_le_bytes());
        d.extend_from_slice(&[0x15, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(render_text(Kind::Protobuf, Raw::Blob(&d)), "{1: 1.5, 2: 0xffffffff}");
    }

    #[test]
    fn json_and_long_output() {
        assert_eq!(
            render_text(Kind::Json, Raw::Text(b"{ \"b\" : [1, 2.50] , \"a\": null }")),
            r#"{"b":[1,2.50],"a":null}"#
        );
        let long = format!("[{}]", vec!["1"; 1000].join(","));
        let text = render_text(Kind::Json, Raw::Text(long.as_bytes()));
        assert_eq!(text.chars().count(), MAX_CHARS);
        assert!(text.ends_with('…'));
        let exact = format!("\"{}\"", "é".repeat(MAX_CHARS - 2));
        assert_eq!(render_text(Kind::Json, Raw::Text(exact.as_bytes())), exact);
    }

    #[test]
    fn compressed() {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"hello\nworld").unwrap();
        let gz = e.finish().unwrap();
        assert_eq!(render_text(Kind::Gzip, Raw::Blob(&gz)), "gzip 11 B → \"hello world\"");
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(&[0u8; 100]).unwrap();
        let z = e.finish().unwrap();
        assert_eq!(render_text(Kind::Zlib, Raw::Blob(&z)), "zlib 100 B → x'0000000000000000…'");
    }
}
