//! The JSON the desktop UI receives, one example per `Decoded` variant: the
//! shapes are an interface, so they are pinned here.

use serde_json::{json, Value};
use sonde_display::{decode, encode_date, DateInput, Kind, Raw, StoredNumber};
use std::io::Write;

fn shape(kind: Kind, raw: Raw) -> Value {
    serde_json::to_value(decode(kind, raw).unwrap()).unwrap()
}

#[test]
fn date() {
    assert_eq!(
        shape(Kind::CoredataDate, Raw::Real(786_016_000.25)),
        json!({"type": "date", "epoch_ms": 1_764_323_200_250.0, "utc": "2025-11-28T09:46:40.250Z", "raw": "786016000.25"})
    );
    let stored = encode_date(Kind::CoredataDate, &DateInput::Utc("2025-11-28T09:46:40.250Z".into())).unwrap();
    assert_eq!(stored, StoredNumber::Real(786_016_000.25));
}

#[test]
fn uuid() {
    assert_eq!(
        shape(Kind::Uuid, Raw::Blob(&[0xAB; 16])),
        json!({"type": "uuid", "text": "ABABABAB-ABAB-ABAB-ABAB-ABABABABABAB"})
    );
}

#[test]
fn image() {
    let gif = b"GIF89a\x40\x01\xF0\x00\x80\x00\x00";
    assert_eq!(
        shape(Kind::Image, Raw::Blob(gif)),
        json!({"type": "image", "format": "gif", "width": 320, "height": 240, "bytes": 13})
    );
}

#[test]
fn plist() {
    let mut d = plist::Dictionary::new();
    d.insert("name".into(), plist::Value::String("Ada".into()));
    d.insert("n".into(), plist::Value::Integer(3.into()));
    let mut bytes = Vec::new();
    plist::Value::Dictionary(d).to_writer_binary(&mut bytes).unwrap();
    assert_eq!(
        shape(Kind::Plist, Raw::Blob(&bytes)),
        json!({"type": "plist", "archiver": false, "root": {"type": "dict", "entries": [
            {"key": "name", "value": {"type": "string", "value": "Ada"}},
            {"key": "n", "value": {"type": "integer", "value": 3}}
        ]}})
    );
}

#[test]
fn protobuf() {
    assert_eq!(
        shape(Kind::Protobuf, Raw::Blob(&[0x08, 0x96, 0x01, 0x1A, 0x02, 0x08, 0x01])),
        json!({"type": "protobuf", "fields": [
            {"field": 1, "type": "varint", "value": 150, "zigzag": 75},
            {"field": 3, "type": "message", "fields": [{"field": 1, "type": "varint", "value": 1, "zigzag": -1}]}
        ]})
    );
}

#[test]
fn json_value() {
    assert_eq!(
        shape(Kind::Json, Raw::Text(br#"{"b":1,"a":[true,12345678901234567890]}"#)),
        json!({"type": "json", "value": {"b": 1, "a": [true, {"$number": "12345678901234567890"}]}})
    );
    // Keys keep their stored order in the serialized text.
    let text = serde_json::to_string(&decode(Kind::Json, Raw::Text(br#"{"b":1,"a":2}"#)).unwrap()).unwrap();
    assert_eq!(text, r#"{"type":"json","value":{"b":1,"a":2}}"#);
}

#[test]
fn decompressed() {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(b"hello").unwrap();
    let gz = e.finish().unwrap();
    assert_eq!(
        shape(Kind::Gzip, Raw::Blob(&gz)),
        json!({"type": "decompressed", "format": "gzip", "bytes": 5, "truncated": false,
               "preview": {"type": "text", "text": "hello", "truncated": false}})
    );
}
