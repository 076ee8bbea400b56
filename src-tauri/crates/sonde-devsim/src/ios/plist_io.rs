//! Property lists on the wire: parse XML or binary, answer XML (what
//! lockdownd and usbmuxd do), and small typed accessors over dictionaries.

use plist::{Dictionary, Value};

use super::IosError;

/// Parses a binary (`bplist00` magic) or XML property list. Anything else
/// (OpenStep text included) is a protocol error.
pub fn parse(bytes: &[u8]) -> Result<Value, IosError> {
    let cursor = std::io::Cursor::new(bytes);
    let parsed = if bytes.starts_with(b"bplist00") {
        Value::from_reader(cursor)
    } else {
        Value::from_reader_xml(cursor)
    };
    parsed.map_err(|e| IosError::Protocol(format!("bad plist: {e}")))
}

/// Parses a property list whose top level must be a dictionary.
pub fn parse_dict(bytes: &[u8]) -> Result<Dictionary, IosError> {
    match parse(bytes)? {
        Value::Dictionary(d) => Ok(d),
        _ => Err(IosError::Protocol("plist is not a dictionary".into())),
    }
}

/// XML serialization (libplist's parser reads what the `plist` crate writes).
pub fn to_xml(value: &Value) -> Result<Vec<u8>, IosError> {
    let mut out = Vec::new();
    value.to_writer_xml(&mut out).map_err(|e| IosError::Protocol(format!("cannot write plist: {e}")))?;
    Ok(out)
}

pub fn dict_to_xml(dict: &Dictionary) -> Result<Vec<u8>, IosError> {
    to_xml(&Value::Dictionary(dict.clone()))
}

/// A string value of `dict`, if present and a string.
pub fn get_str<'a>(dict: &'a Dictionary, key: &str) -> Option<&'a str> {
    dict.get(key).and_then(Value::as_string)
}

/// An unsigned integer value (also accepts non-negative signed ones).
pub fn get_uint(dict: &Dictionary, key: &str) -> Option<u64> {
    dict.get(key).and_then(|v| match v {
        Value::Integer(i) => i.as_unsigned().or_else(|| i.as_signed().and_then(|s| u64::try_from(s).ok())),
        _ => None,
    })
}

pub fn get_dict<'a>(dict: &'a Dictionary, key: &str) -> Option<&'a Dictionary> {
    dict.get(key).and_then(Value::as_dictionary)
}

pub fn get_data<'a>(dict: &'a Dictionary, key: &str) -> Option<&'a [u8]> {
    dict.get(key).and_then(Value::as_data)
}

/// Builds a dictionary from `(key, value)` pairs.
pub fn dict<const N: usize>(pairs: [(&str, Value); N]) -> Dictionary {
    let mut d = Dictionary::new();
    for (k, v) in pairs {
        d.insert(k.to_string(), v);
    }
    d
}

/// A JSON value (from info.json) as a property-list value. Numbers that are
/// whole become integers; `null` becomes an empty string.
pub fn from_json(value: &serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::String(String::new()),
        serde_json::Value::Bool(b) => Value::Boolean(*b),
        serde_json::Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Value::Integer(u.into())
            } else if let Some(i) = n.as_i64() {
                Value::Integer(i.into())
            } else {
                Value::Real(n.as_f64().unwrap_or(0.0))
            }
        }
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            let mut d = Dictionary::new();
            for (k, v) in o {
                d.insert(k.clone(), from_json(v));
            }
            Value::Dictionary(d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_xml_and_binary_and_rejects_garbage() {
        let d = dict([("Request", Value::String("QueryType".into()))]);
        let xml = dict_to_xml(&d).expect("xml");
        assert_eq!(get_str(&parse_dict(&xml).expect("parse"), "Request"), Some("QueryType"));
        let mut bin = Vec::new();
        Value::Dictionary(d).to_writer_binary(&mut bin).expect("bin");
        assert_eq!(get_str(&parse_dict(&bin).expect("parse"), "Request"), Some("QueryType"));
        assert!(parse(b"\x00\x01garbage").is_err());
        assert!(parse(b"bplist00\xff\xff").is_err());
        assert!(parse_dict(&to_xml(&Value::Array(vec![])).expect("xml")).is_err());
    }
}
