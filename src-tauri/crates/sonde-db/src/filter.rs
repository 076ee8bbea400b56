//! Row filters: `column op value`, always compiled to SQL with the value
//! bound as a parameter and the column quoted.
//!
//! Text form (CLI `--where`): `COL OP VALUE`, where COL may be double-quoted
//! (`"my col" = 3`), OP is one of `= == != <> < <= > >= like, not like, glob,
//! not glob, contains, in, is null, is not null` (case-insensitive), and VALUE
//! is a single-quoted SQL string, or JSON (`42`, `null`, `"x"`,
//! `{"$blob":"..."}`, `[1,2]` for `in`), or else plain text.

use crate::error::{DbError, Result};
use crate::ident;
use crate::value::Value;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum FilterOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    NotLike,
    Glob,
    NotGlob,
    /// Case-insensitive substring match (LIKE with the pattern escaped).
    Contains,
    In,
    IsNull,
    IsNotNull,
}

/// Spellings, longest first so `<=` wins over `<` and `is not null` over `is null`.
const SPELLINGS: &[(&str, FilterOp)] = &[
    ("is not null", FilterOp::IsNotNull),
    ("is null", FilterOp::IsNull),
    ("not like", FilterOp::NotLike),
    ("not glob", FilterOp::NotGlob),
    ("contains", FilterOp::Contains),
    ("like", FilterOp::Like),
    ("glob", FilterOp::Glob),
    ("in", FilterOp::In),
    ("!=", FilterOp::Ne),
    ("<>", FilterOp::Ne),
    ("<=", FilterOp::Le),
    (">=", FilterOp::Ge),
    ("==", FilterOp::Eq),
    ("=", FilterOp::Eq),
    ("<", FilterOp::Lt),
    (">", FilterOp::Gt),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Filter {
    pub column: String,
    pub op: FilterOp,
    /// Operand(s): none for `is null`, several for `in`, one otherwise.
    #[serde(default)]
    pub values: Vec<Value>,
}

impl Filter {
    pub fn parse(text: &str) -> Result<Filter> {
        let bad = |reason: &str| DbError::BadFilter { filter: text.to_owned(), reason: reason.to_owned() };
        let rest = text.trim_start();
        let (column, rest) = split_column(rest).ok_or_else(|| bad("expected a column name"))?;
        let rest = rest.trim_start();
        let lower = rest.to_ascii_lowercase();
        let (spelling, op) = SPELLINGS
            .iter()
            .find(|(s, _)| {
                lower.starts_with(s)
                    && (!s.as_bytes()[0].is_ascii_alphabetic()
                        || lower[s.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric()))
            })
            .copied()
            .ok_or_else(|| bad("expected an operator (=, !=, <, <=, >, >=, like, glob, contains, in, is null, is not null)"))?;
        let operand = rest[spelling.len()..].trim();
        let values = match op {
            FilterOp::IsNull | FilterOp::IsNotNull => {
                if !operand.is_empty() {
                    return Err(bad("is null / is not null take no value"));
                }
                Vec::new()
            }
            FilterOp::In => parse_list(operand).map_err(|e| bad(&e))?,
            _ => {
                if operand.is_empty() {
                    return Err(bad("missing value"));
                }
                vec![parse_operand(operand)?]
            }
        };
        Ok(Filter { column, op, values })
    }

    /// Appends the SQL condition for this filter (column already resolved to
    /// its stored name) and pushes the bound values.
    pub(crate) fn push_sql(&self, column: &str, sql: &mut String, params: &mut Vec<Value>) -> Result<()> {
        let col = ident::quote(column);
        let mut one = |op: &str, value: Value| {
            sql.push_str(&col);
            sql.push_str(op);
            params.push(value);
        };
        let first = || {
            self.values.first().cloned().ok_or_else(|| DbError::BadFilter {
                filter: format!("{} {:?}", self.column, self.op),
                reason: "missing value".into(),
            })
        };
        match self.op {
            FilterOp::Eq => one(" = ?", first()?),
            FilterOp::Ne => one(" <> ?", first()?),
            FilterOp::Lt => one(" < ?", first()?),
            FilterOp::Le => one(" <= ?", first()?),
            FilterOp::Gt => one(" > ?", first()?),
            FilterOp::Ge => one(" >= ?", first()?),
            FilterOp::Like => one(" LIKE ?", first()?),
            FilterOp::NotLike => one(" NOT LIKE ?", first()?),
            FilterOp::Glob => one(" GLOB ?", first()?),
            FilterOp::NotGlob => one(" NOT GLOB ?", first()?),
            FilterOp::Contains => {
                let needle = match first()? {
                    Value::Text(t) => t,
                    other => serde_json::to_string(&other).unwrap_or_default(),
                };
                one(" LIKE ? ESCAPE '\\'", Value::Text(format!("%{}%", escape_like(&needle))));
            }
            FilterOp::In => {
                if self.values.is_empty() {
                    sql.push('0');
                } else {
                    sql.push_str(&col);
                    sql.push_str(" IN (");
                    for (i, v) in self.values.iter().enumerate() {
                        sql.push_str(if i == 0 { "?" } else { ", ?" });
                        params.push(v.clone());
                    }
                    sql.push(')');
                }
            }
            FilterOp::IsNull => {
                sql.push_str(&col);
                sql.push_str(" IS NULL");
            }
            FilterOp::IsNotNull => {
                sql.push_str(&col);
                sql.push_str(" IS NOT NULL");
            }
        }
        Ok(())
    }
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Splits off a column name: `"quoted ""name"""`, `[bracketed]`, `` `ticked` ``,
/// or a bare word ending at whitespace or an operator character.
fn split_column(text: &str) -> Option<(String, &str)> {
    let mut chars = text.char_indices();
    let (_, first) = chars.next()?;
    let close = match first {
        '"' => Some('"'),
        '`' => Some('`'),
        '[' => Some(']'),
        _ => None,
    };
    if let Some(close) = close {
        let mut name = String::new();
        let mut iter = text[1..].char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            if c == close {
                if close != ']' && iter.peek().map(|(_, n)| *n) == Some(close) {
                    name.push(c);
                    iter.next();
                    continue;
                }
                return Some((name, &text[1 + i + c.len_utf8()..]));
            }
            name.push(c);
        }
        return None;
    }
    let end =
        text.find(|c: char| c.is_whitespace() || matches!(c, '=' | '!' | '<' | '>')).unwrap_or(text.len());
    if end == 0 {
        return None;
    }
    Some((text[..end].to_owned(), &text[end..]))
}

fn parse_operand(text: &str) -> Result<Value> {
    if let Some(inner) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        if text.len() >= 2 {
            return Ok(Value::Text(inner.replace("''", "'")));
        }
    }
    Value::parse_user(text)
}

fn parse_list(text: &str) -> std::result::Result<Vec<Value>, String> {
    if text.starts_with('[') {
        let json: Vec<serde_json::Value> =
            serde_json::from_str(text).map_err(|e| format!("bad JSON list: {e}"))?;
        return json.iter().map(|j| Value::from_json(j).map_err(|e| e.to_string())).collect();
    }
    let inner = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')).unwrap_or(text);
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| parse_operand(s).map_err(|e| e.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(text: &str) -> Filter {
        Filter::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn parses_forms() {
        assert_eq!(f("age > 30").values, vec![Value::Integer(30)]);
        assert_eq!(f("age>=30").op, FilterOp::Ge);
        assert_eq!(f("name = Bob Smith").values, vec![Value::Text("Bob Smith".into())]);
        assert_eq!(f("name = 'it''s'").values, vec![Value::Text("it's".into())]);
        assert_eq!(f("\"my \"\"col\"\"\" != 1").column, "my \"col\"");
        assert_eq!(f("[a b] like 'x%'").column, "a b");
        assert_eq!(f("x IS NOT NULL").op, FilterOp::IsNotNull);
        assert_eq!(f("x is null").op, FilterOp::IsNull);
        assert_eq!(f("x in (1, 'a')").values, vec![Value::Integer(1), Value::Text("a".into())]);
        assert_eq!(f("x in [1, null]").values, vec![Value::Integer(1), Value::Null]);
        assert_eq!(f("inbox contains foo").column, "inbox");
        assert_eq!(f("likes like x").op, FilterOp::Like);
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "x", "x ~ 3", "x =", "x is null 3", "\"unterminated = 3"] {
            assert!(Filter::parse(bad).is_err(), "{bad}");
        }
    }
}
