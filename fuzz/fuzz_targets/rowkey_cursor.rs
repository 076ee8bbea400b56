//! Row keys (`RowKey::decode`) and page cursors (`cursor::decode`): total on
//! any text, and every key or cursor decodes back to exactly what was
//! encoded.
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use sonde_db::cursor::{self, Position};
use sonde_db::rowkey::RowKey;
use sonde_fuzz::{same_all, value};

fn same_key(a: &RowKey, b: &RowKey) -> bool {
    match (a, b) {
        (RowKey::Rowid(x), RowKey::Rowid(y)) => x == y,
        (RowKey::PrimaryKey(x), RowKey::PrimaryKey(y)) => same_all(x, y),
        _ => false,
    }
}

fn same_pos(a: &Position, b: &Position) -> bool {
    match (a, b) {
        (Position::After(x), Position::After(y)) => same_all(x, y),
        (Position::Offset(x), Position::Offset(y)) => x == y,
        _ => false,
    }
}

const FP: &str = "00000000deadbeef";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(key) = RowKey::decode(&text) {
        let again = RowKey::decode(&key.encode()).unwrap_or_else(|e| panic!("{key:?}: {e}"));
        assert!(same_key(&again, &key), "{key:?} -> {again:?}");
    }
    if let Ok(pos) = cursor::decode(&text, FP) {
        let again = cursor::decode(&cursor::encode(&pos, FP), FP).expect("re-decode");
        assert!(same_pos(&again, &pos));
        assert!(
            cursor::decode(&cursor::encode(&pos, FP), "0000000000000000").is_err(),
            "fingerprint checked"
        );
    }
    // Structured: keys and cursors built from any values.
    let mut u = Unstructured::new(data);
    let mut values = Vec::new();
    while values.len() < 8 {
        match value(&mut u) {
            Ok(v) => values.push(v),
            Err(_) => break,
        }
        if u.is_empty() {
            break;
        }
    }
    let key = RowKey::PrimaryKey(values.clone());
    let again = RowKey::decode(&key.encode()).unwrap_or_else(|e| panic!("{key:?}: {e}"));
    assert!(same_key(&again, &key), "{key:?} -> {again:?}");
    let id: i64 = u.arbitrary().unwrap_or(i64::MIN);
    assert_eq!(RowKey::decode(&RowKey::Rowid(id).encode()).expect("rowid"), RowKey::Rowid(id));
    for pos in [Position::After(values), Position::Offset(u.arbitrary().unwrap_or(u64::MAX))] {
        let again = cursor::decode(&cursor::encode(&pos, FP), FP).unwrap_or_else(|e| panic!("{pos:?}: {e}"));
        assert!(same_pos(&again, &pos), "{pos:?} -> {again:?}");
    }
});
