//! Identifier quoting (`sonde_db::ident::quote`): a table and a column with
//! any name are created in SQLite through the quoted form and read back
//! exactly; nothing else is created (no injection). String literals
//! (`quote_literal`) evaluate to themselves.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonde_db::ident::{quote, quote_literal};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (table, column) = text.split_once('\u{1}').unwrap_or((text, "c"));
    if table.contains('\0') || column.contains('\0') {
        return; // SQL text cannot carry NUL; the engine never builds such names
    }
    let conn = rusqlite::Connection::open_in_memory().expect("memory db");
    let create = format!("CREATE TABLE {}({} INTEGER, other TEXT)", quote(table), quote(column));
    if conn.execute_batch(&create).is_ok() {
        let names: Vec<(String, String)> = conn
            .prepare("SELECT type, name FROM sqlite_schema")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        assert_eq!(names, vec![("table".to_owned(), table.to_owned())], "{create}");
        let cols: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
            .expect("prepare")
            .query_map([table], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("cols");
        assert_eq!(cols, vec![column.to_owned(), "other".to_owned()], "{create}");
        let insert = format!("INSERT INTO {}({}) VALUES (?1)", quote(table), quote(column));
        conn.execute(&insert, [42]).unwrap_or_else(|e| panic!("{insert}: {e}"));
        let select = format!("SELECT {} FROM {}", quote(column), quote(table));
        let v: i64 = conn.query_row(&select, [], |r| r.get(0)).unwrap_or_else(|e| panic!("{select}: {e}"));
        assert_eq!(v, 42);
    } else {
        // Refused names are the reserved ones (or column clashes with `other`).
        let reserved =
            table.to_ascii_lowercase().starts_with("sqlite_") || column.eq_ignore_ascii_case("other");
        assert!(reserved, "{create} refused: {:?}", conn.execute_batch(&create).err());
    }
    let lit = quote_literal(text);
    let back: String = conn.query_row(&format!("SELECT {lit}"), [], |r| r.get(0)).expect("literal");
    assert_eq!(back, text);
});
