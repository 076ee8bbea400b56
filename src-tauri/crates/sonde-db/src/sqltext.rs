//! SQL text as the console sees it: where each statement starts and ends
//! (so "run the statement under the cursor" and "run all, each result
//! reachable" work on what the user typed), and the keyword a statement
//! starts with.
//!
//! Statement ends are the `;` outside strings, quoted names and comments at
//! which SQLite's own `sqlite3_complete` says the text so far is complete —
//! so the `;` inside a `CREATE TRIGGER ... BEGIN ...; END` body does not end
//! the statement.

use std::ffi::CString;
use std::ops::Range;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lex {
    Code,
    Quoted(u8),
    /// `[name]` (closed by `]`, no escapes).
    Bracket,
    LineComment,
    BlockComment,
}

/// Whether SQLite considers `text` one or more complete statements.
fn complete(text: &str) -> bool {
    // A NUL inside the text cannot be passed to C; such text is never a
    // complete statement to SQLite anyway (its tokenizer stops there).
    let Ok(c) = CString::new(text) else { return false };
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call;
    // sqlite3_complete only reads it.
    unsafe { rusqlite::ffi::sqlite3_complete(c.as_ptr()) != 0 }
}

/// Byte ranges of the statements in `sql`, in order, each with its `;`.
/// Pieces that hold only whitespace and comments are left out.
pub fn statements(sql: &str) -> Vec<Range<usize>> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut has_code = false;
    let mut lex = Lex::Code;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        match lex {
            Lex::Code => match b {
                b'\'' | b'"' | b'`' => {
                    lex = Lex::Quoted(b);
                    has_code = true;
                }
                b'[' => {
                    lex = Lex::Bracket;
                    has_code = true;
                }
                b'-' if next == Some(b'-') => {
                    lex = Lex::LineComment;
                    i += 1;
                }
                b'/' if next == Some(b'*') => {
                    lex = Lex::BlockComment;
                    i += 1;
                }
                b';' => {
                    if has_code && complete(&sql[start..=i]) {
                        out.push(start..i + 1);
                        start = i + 1;
                        has_code = false;
                    } else if !has_code {
                        // A stray `;` with nothing before it.
                        start = i + 1;
                    }
                }
                b if b.is_ascii_whitespace() => {}
                _ => has_code = true,
            },
            // A doubled quote is an escaped quote: leaving and re-entering
            // the quoted state handles it.
            Lex::Quoted(q) if b == q => lex = Lex::Code,
            Lex::Quoted(_) => {}
            Lex::Bracket if b == b']' => lex = Lex::Code,
            Lex::Bracket => {}
            Lex::LineComment if b == b'\n' => lex = Lex::Code,
            Lex::LineComment => {}
            Lex::BlockComment if b == b'*' && next == Some(b'/') => {
                lex = Lex::Code;
                i += 1;
            }
            Lex::BlockComment => {}
        }
        i += 1;
    }
    if has_code {
        out.push(start..bytes.len());
    }
    out.into_iter().map(|r| trim_start(sql, r)).collect()
}

/// Drops the whitespace and comments before a statement's first token.
fn trim_start(sql: &str, range: Range<usize>) -> Range<usize> {
    let bytes = sql.as_bytes();
    let mut i = range.start;
    while i < range.end {
        match (bytes[i], bytes.get(i + 1).copied()) {
            (b, _) if b.is_ascii_whitespace() => i += 1,
            (b'-', Some(b'-')) => {
                while i < range.end && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                i += 2;
                while i + 1 < range.end && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i = (i + 2).min(range.end);
            }
            _ => break,
        }
    }
    i..range.end
}

/// The statement the cursor at byte `offset` belongs to: the one it is
/// inside, else the last one that ends before it (the cursor just after a
/// `;`), else the first.
pub fn statement_at(sql: &str, offset: usize) -> Option<Range<usize>> {
    let all = statements(sql);
    all.iter()
        .find(|r| r.start <= offset && offset <= r.end)
        .or_else(|| all.iter().rev().find(|r| r.end <= offset))
        .or_else(|| all.first())
        .cloned()
}

/// The first word of a statement, upper-cased (`BEGIN`, `SELECT`...).
pub fn leading_keyword(statement: &str) -> String {
    let range = trim_start(statement, 0..statement.len());
    statement[range].chars().take_while(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_uppercase()).collect()
}

/// Whether a statement controls transactions (`BEGIN`, `COMMIT`/`END`,
/// `ROLLBACK`, `SAVEPOINT`, `RELEASE`).
pub fn is_transaction_control(statement: &str) -> bool {
    matches!(
        leading_keyword(statement).as_str(),
        "BEGIN" | "COMMIT" | "END" | "ROLLBACK" | "SAVEPOINT" | "RELEASE"
    )
}

/// The byte offset of UTF-16 index `index` (JavaScript string positions),
/// or `None` past the end.
pub fn byte_of_utf16(text: &str, index: usize) -> Option<usize> {
    let mut units = 0;
    for (byte, c) in text.char_indices() {
        if units >= index {
            return Some(byte);
        }
        units += c.len_utf16();
    }
    (units >= index).then_some(text.len())
}

/// The UTF-16 index (JavaScript string position) of byte offset `byte`.
pub fn utf16_of_byte(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].chars().map(char::len_utf16).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        statements(sql).into_iter().map(|r| &sql[r]).collect()
    }

    #[test]
    fn splits_where_sqlite_says_a_statement_ends() {
        assert_eq!(texts("SELECT 1; SELECT 2;"), ["SELECT 1;", "SELECT 2;"]);
        assert_eq!(
            texts("select ';' , \"a;b\", [c;d], `e;f`; select 2"),
            ["select ';' , \"a;b\", [c;d], `e;f`;", "select 2"]
        );
        assert_eq!(texts("-- one; two\nSELECT 1 /* ; */ ;\n-- trailing"), ["SELECT 1 /* ; */ ;"]);
        assert_eq!(texts("SELECT 'it''s; fine'; ;; SELECT 3"), ["SELECT 'it''s; fine';", "SELECT 3"]);
        let trigger =
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = 1; DELETE FROM c; END; SELECT 1;";
        assert_eq!(
            texts(trigger),
            ["CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET x = 1; DELETE FROM c; END;", "SELECT 1;"]
        );
        assert!(texts("  -- nothing\n /* at all */ ").is_empty());
        assert_eq!(texts("SELECT 'unterminated; SELECT 2"), ["SELECT 'unterminated; SELECT 2"]);
        assert_eq!(texts("SELECT x'00'\0; SELECT 2"), ["SELECT x'00'\0; SELECT 2"], "NUL: never split");
    }

    #[test]
    fn finds_the_statement_under_the_cursor() {
        let sql = "SELECT 1;\nSELECT 2;\n\nSELECT 3";
        let at = |offset| statement_at(sql, offset).map(|r| &sql[r]);
        assert_eq!(at(0), Some("SELECT 1;"));
        assert_eq!(at(9), Some("SELECT 1;"), "just after the ;");
        assert_eq!(at(13), Some("SELECT 2;"));
        assert_eq!(at(20), Some("SELECT 2;"), "on the blank line after it");
        assert_eq!(at(sql.len()), Some("SELECT 3"));
        assert_eq!(statement_at("  ", 1), None);
    }

    #[test]
    fn keywords_and_utf16_positions() {
        assert_eq!(leading_keyword("  -- c\n begin immediate"), "BEGIN");
        assert!(is_transaction_control("/* x */ Savepoint a"));
        assert!(!is_transaction_control("SELECT 'BEGIN'"));
        let text = "é😀x";
        assert_eq!(byte_of_utf16(text, 0), Some(0));
        assert_eq!(byte_of_utf16(text, 1), Some(2));
        assert_eq!(byte_of_utf16(text, 3), Some(6), "the emoji is two UTF-16 units");
        assert_eq!(byte_of_utf16(text, 4), Some(7));
        assert_eq!(byte_of_utf16(text, 5), None);
        assert_eq!(utf16_of_byte(text, 6), 3);
    }
}
