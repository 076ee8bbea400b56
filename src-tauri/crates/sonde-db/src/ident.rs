//! SQL identifier quoting. Every table and column name that reaches SQL text
//! goes through [`quote`]; values never do (they are bound as parameters).

use std::fmt::Write;

/// Quotes an identifier as a SQL double-quoted name: `a"b` → `"a""b"`.
///
/// Works for every name SQLite can store (spaces, quotes, `]`, keywords,
/// unicode, `x"; DROP TABLE t; --`).
pub fn quote(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    push_quoted(&mut out, name);
    out
}

/// Appends the quoted identifier to `out` (no intermediate allocation).
pub fn push_quoted(out: &mut String, name: &str) {
    out.push('"');
    for ch in name.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
}

/// Quotes a list of names separated by commas.
pub fn quote_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, name) in names.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_quoted(&mut out, name);
    }
    out
}

/// Quotes a SQL string literal: `it's` → `'it''s'`.
pub fn quote_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for ch in text.chars() {
        if ch == '\'' {
            out.push('\'');
        }
        out.push(ch);
    }
    out.push('\'');
    out
}

/// Writes bytes as an SQL hex literal body (`X'..'` without the wrapper).
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(out, "{b:02X}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_hostile_names() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote("x\"; DROP TABLE t; --"), "\"x\"\"; DROP TABLE t; --\"");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote_list(["a", "b c"]), "\"a\", \"b c\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
    }

    #[test]
    fn quoted_names_round_trip_through_sqlite() {
        let conn = rusqlite::Connection::open_in_memory().expect("memory db");
        for name in ["x\"; DROP TABLE t; --", "select", "a]b", "naïve 表", " spaced ", "\"", "''"] {
            conn.execute_batch(&format!("CREATE TABLE {} ({} INTEGER)", quote(name), quote(name)))
                .expect("create");
            let found: String = conn
                .query_row("SELECT name FROM sqlite_schema WHERE name = ?1", [name], |r| r.get(0))
                .expect("lookup");
            assert_eq!(found, name);
            conn.execute_batch(&format!("DROP TABLE {}", quote(name))).expect("drop");
        }
    }
}
