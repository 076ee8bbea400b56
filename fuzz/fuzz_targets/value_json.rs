//! The CLI's value decoding (`Value::parse_user`, `Value::from_json`) and the
//! JSON and SQL-literal forms: total on any input, and every value survives
//! serialize → deserialize exactly (reals by bits; NaN stays NaN), in both
//! the plain and the JavaScript-safe (`$int`) forms.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use sonde_db::value::with_safe_ints;
use sonde_db::Value;
use sonde_fuzz::{same, value};

fn round_trip(v: &Value) {
    let text = serde_json::to_string(v).expect("serialize");
    let back: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{v:?} -> {text}: {e}"));
    assert!(same(&back, v), "{v:?} -> {text} -> {back:?}");
    let safe = with_safe_ints(|| serde_json::to_string(v).expect("serialize safe"));
    let back: Value = serde_json::from_str(&safe).unwrap_or_else(|e| panic!("{v:?} -> {safe}: {e}"));
    assert!(same(&back, v), "{v:?} -> {safe} -> {back:?}");
    // `--set col=<json>` typed back by a person gives the same value.
    let user = Value::parse_user(&text).unwrap_or_else(|e| panic!("{v:?} -> {text}: {e}"));
    assert!(same(&user, v), "parse_user({text}) = {user:?}, wanted {v:?}");
}

fn sql_literal(conn: &rusqlite::Connection, v: &Value) {
    let mut lit = String::new();
    v.push_sql_literal(&mut lit);
    let back: Value = conn
        .query_row(&format!("SELECT {lit}"), [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{v:?} as SQL {lit}: {e}"));
    let expected = match v {
        Value::Real(f) if f.is_nan() => Value::Null, // documented: SQL has no NaN
        other => other.clone(),
    };
    assert!(same(&back, &expected), "{v:?} as SQL {lit} reads back as {back:?}");
}

thread_local! {
    static CONN: rusqlite::Connection = rusqlite::Connection::open_in_memory().expect("memory db");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(v) = Value::parse_user(&text) {
        round_trip(&v);
    }
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Ok(v) = Value::from_json(&json) {
            round_trip(&v);
        }
    }
    let mut u = Unstructured::new(data);
    while let Ok(v) = value(&mut u) {
        round_trip(&v);
        CONN.with(|c| sql_literal(c, &v));
        if u.is_empty() {
            break;
        }
    }
});
