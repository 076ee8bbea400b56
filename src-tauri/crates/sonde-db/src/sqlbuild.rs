//! Builds the SELECT behind a page or an export of a table: which columns,
//! which order (user terms then key tiebreakers), which filters, and where
//! the page starts (keyset predicate or offset). Values are always bound.

use crate::cursor::{self, Position};
use crate::error::{DbError, Result};
use crate::filter::Filter;
use crate::ident;
use crate::schema::{KeyStrategy, TableSchema};
use crate::value::Value;
use serde::{Deserialize, Serialize};

/// One ORDER BY term asked for by the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderBy {
    pub column: String,
    #[serde(default)]
    pub desc: bool,
}

impl OrderBy {
    /// Parses `COL` or `COL:desc` / `COL:asc` (the last `:` separates).
    pub fn parse(text: &str) -> OrderBy {
        match text.rsplit_once(':') {
            Some((col, dir)) if dir.eq_ignore_ascii_case("desc") => {
                OrderBy { column: col.to_owned(), desc: true }
            }
            Some((col, dir)) if dir.eq_ignore_ascii_case("asc") => {
                OrderBy { column: col.to_owned(), desc: false }
            }
            _ => OrderBy { column: text.to_owned(), desc: false },
        }
    }
}

/// A resolved ORDER BY term: SQL expression, direction, and where its value
/// is in the selected row.
#[derive(Debug)]
struct Term {
    expr: String,
    desc: bool,
    result_index: usize,
}

/// SQLite's default limit on the columns of a result (`SQLITE_MAX_COLUMN`).
const MAX_RESULT_COLUMNS: usize = 2000;

/// Where a page of a rowid table reads each row's rowid.
#[derive(Debug, Clone, Copy)]
enum RowidFrom {
    /// Selected first, before the visible columns.
    Prefix { alias: &'static str },
    /// The visible `INTEGER PRIMARY KEY` column at result index `at`.
    Column { alias: &'static str, at: usize },
    /// Not selected: no row keys.
    Nowhere,
}

/// The planned SELECT over one table.
#[derive(Debug)]
pub(crate) struct Plan {
    pub sql: String,
    pub params: Vec<Value>,
    /// Selected values before the visible columns (the rowid, when used as key).
    pub prefix: usize,
    /// Indexes (into the selected row) of the key values, if rows have keys.
    pub key_indexes: Option<Vec<usize>>,
    terms: Vec<Term>,
    keyset: bool,
    fingerprint: String,
    offset: u64,
    /// `FROM ... [WHERE ...] [ORDER BY ...]` without LIMIT (for the anchor query).
    tail: String,
}

impl Plan {
    /// Plans `SELECT ... FROM table WHERE filters [AND after cursor] ORDER BY ... [LIMIT]`.
    pub fn new(
        schema: &TableSchema,
        order: &[OrderBy],
        filters: &[Filter],
        after: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Plan> {
        let visible: Vec<usize> = schema.visible_columns().map(|(i, _)| i).collect();
        // Where the rowid comes from: its alias column when one is selected,
        // else an extra leading value, unless the row has no room for one
        // (then the table pages by offset, without row keys).
        let rowid_from = match schema.key {
            KeyStrategy::Rowid { alias } => {
                match schema.rowid_column.and_then(|c| visible.iter().position(|&v| v == c)) {
                    Some(at) => RowidFrom::Column { alias, at },
                    None if visible.len() >= MAX_RESULT_COLUMNS => RowidFrom::Nowhere,
                    None => RowidFrom::Prefix { alias },
                }
            }
            _ => RowidFrom::Nowhere,
        };
        let mut sql = String::with_capacity(128);
        sql.push_str("SELECT ");
        let mut prefix = 0;
        if let RowidFrom::Prefix { alias } = rowid_from {
            sql.push_str(alias);
            sql.push_str(", ");
            prefix = 1;
        }
        for (n, &i) in visible.iter().enumerate() {
            if n > 0 {
                sql.push_str(", ");
            }
            ident::push_quoted(&mut sql, &schema.columns[i].name);
        }
        if visible.is_empty() && prefix == 0 {
            sql.push_str("NULL");
        } else if prefix == 1 && visible.is_empty() {
            sql.truncate(sql.len() - 2);
        }
        let from_at = sql.len() + 1;
        sql.push_str(" FROM ");
        ident::push_quoted(&mut sql, &schema.name);

        // Where a schema column lands in the selected row.
        let result_of = |col: usize| visible.iter().position(|&v| v == col).map(|p| p + prefix);

        let mut terms: Vec<Term> = Vec::with_capacity(order.len() + 2);
        for o in order {
            let col = schema.column_index(&o.column)?;
            let result_index = result_of(col).ok_or_else(|| DbError::NoSuchColumn {
                table: schema.name.clone(),
                column: o.column.clone(),
            })?;
            if terms.iter().any(|t| t.result_index == result_index) {
                continue;
            }
            terms.push(Term { expr: ident::quote(&schema.columns[col].name), desc: o.desc, result_index });
        }
        let rowid_key = match rowid_from {
            RowidFrom::Prefix { alias } => Some((alias, 0)),
            RowidFrom::Column { alias, at } => Some((alias, at)),
            RowidFrom::Nowhere => None,
        };
        let (key_indexes, keyset) = match (&schema.key, rowid_key) {
            (KeyStrategy::Rowid { .. }, Some((alias, at))) => {
                // Sorting by the alias column already orders by the rowid.
                if !terms.iter().any(|t| t.result_index == at) {
                    terms.push(Term { expr: alias.to_owned(), desc: false, result_index: at });
                }
                (Some(vec![at]), true)
            }
            (KeyStrategy::PrimaryKey { columns }, _) => {
                let mut idx = Vec::with_capacity(columns.len());
                for &c in columns {
                    let r =
                        result_of(c).ok_or_else(|| DbError::Sql("primary key column is hidden".into()))?;
                    idx.push(r);
                    if !terms.iter().any(|t| t.result_index == r) {
                        terms.push(Term {
                            expr: ident::quote(&schema.columns[c].name),
                            desc: false,
                            result_index: r,
                        });
                    }
                }
                (Some(idx), true)
            }
            (KeyStrategy::Rowid { .. } | KeyStrategy::None, _) => {
                // No key: offset paging. When the user sorts, every column
                // breaks ties so pages are stable; otherwise scan order.
                if !terms.is_empty() {
                    for (n, &c) in visible.iter().enumerate() {
                        if !terms.iter().any(|t| t.result_index == n + prefix) {
                            terms.push(Term {
                                expr: ident::quote(&schema.columns[c].name),
                                desc: false,
                                result_index: n + prefix,
                            });
                        }
                    }
                }
                (None, false)
            }
        };

        let order_text: Vec<String> =
            order.iter().map(|o| format!("{}:{}", o.column, if o.desc { "d" } else { "a" })).collect();
        let filter_text = serde_json::to_string(filters).unwrap_or_default();
        let fingerprint = cursor::fingerprint(&[&schema.name, &order_text.join(","), &filter_text]);
        let position = after.map(|c| cursor::decode(c, &fingerprint)).transpose()?;

        let mut params = Vec::new();
        let mut conditions: Vec<String> = Vec::with_capacity(filters.len() + 1);
        for f in filters {
            let col = schema.column_index(&f.column)?;
            let mut cond = String::new();
            f.push_sql(&schema.columns[col].name, &mut cond, &mut params)?;
            conditions.push(cond);
        }
        let mut offset = 0;
        match position {
            Some(Position::After(values)) if keyset => {
                if values.len() != terms.len() {
                    return Err(DbError::BadCursor("it was made for another query".into()));
                }
                conditions.push(after_predicate(&terms, &values, &mut params));
            }
            Some(Position::Offset(n)) if !keyset => offset = n,
            Some(_) => return Err(DbError::BadCursor("it was made for another query".into())),
            None => {}
        }
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            for (i, c) in conditions.iter().enumerate() {
                if i > 0 {
                    sql.push_str(" AND ");
                }
                sql.push('(');
                sql.push_str(c);
                sql.push(')');
            }
        }
        if !terms.is_empty() {
            sql.push_str(" ORDER BY ");
            for (i, t) in terms.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&t.expr);
                sql.push_str(if t.desc { " DESC" } else { " ASC" });
            }
        }
        let tail = sql[from_at..].to_owned();
        if let Some(limit) = limit {
            // One extra row tells whether there is a next page.
            sql.push_str(&format!(" LIMIT {}", limit.saturating_add(1)));
            if offset > 0 {
                sql.push_str(&format!(" OFFSET {offset}"));
            }
        }
        Ok(Plan { sql, params, prefix, key_indexes, terms, keyset, fingerprint, offset, tail })
    }

    /// For a jump on a keyset plan: selects only the order terms of the row
    /// at `offset - 1` (0-based), so skipping rows decodes no other column.
    /// Returns `None` for offset plans.
    pub fn anchor_sql(&self, row: u64) -> Option<String> {
        if !self.keyset {
            return None;
        }
        let exprs: Vec<&str> = self.terms.iter().map(|t| t.expr.as_str()).collect();
        Some(format!("SELECT {} {} LIMIT 1 OFFSET {row}", exprs.join(", "), self.tail))
    }

    /// The cursor after a row whose order-term values are `terms` (as
    /// selected by [`Self::anchor_sql`]).
    pub fn cursor_after_terms(&self, terms: Vec<Value>) -> String {
        cursor::encode(&Position::After(terms), &self.fingerprint)
    }

    /// The cursor that starts right after `last_row` (a selected row),
    /// `returned` being the number of rows of this page.
    pub fn next_cursor(&self, last_row: &[Value], returned: usize) -> String {
        let position = if self.keyset {
            Position::After(self.terms.iter().map(|t| last_row[t.result_index].clone()).collect())
        } else {
            Position::Offset(self.offset + returned as u64)
        };
        cursor::encode(&position, &self.fingerprint)
    }

    /// A cursor positioned after `rows_before` rows (offset form); used to
    /// jump. Keyset plans convert it on the next call via [`Plan::new`].
    pub fn offset_cursor(&self, rows_before: u64) -> String {
        cursor::encode(&Position::Offset(rows_before), &self.fingerprint)
    }
}

/// `(t1, t2, ...) > (v1, v2, ...)` in ORDER BY terms, NULLs sorting first
/// ascending and last descending (SQLite's rule). Uses a row-value
/// comparison (index-friendly) when every term is ascending and no value is
/// NULL; otherwise the expanded OR form.
fn after_predicate(terms: &[Term], values: &[Value], params: &mut Vec<Value>) -> String {
    if terms.iter().all(|t| !t.desc) && values.iter().all(|v| !v.is_null()) {
        let exprs: Vec<&str> = terms.iter().map(|t| t.expr.as_str()).collect();
        params.extend(values.iter().cloned());
        return if terms.len() == 1 {
            format!("{} > ?", exprs[0])
        } else {
            format!("({}) > ({})", exprs.join(", "), vec!["?"; terms.len()].join(", "))
        };
    }
    let mut disjuncts = Vec::with_capacity(terms.len());
    for i in 0..terms.len() {
        let (t, v) = (&terms[i], &values[i]);
        let strictly_after = match (t.desc, v.is_null()) {
            (false, true) => format!("{} IS NOT NULL", t.expr),
            (false, false) => format!("{} > ?", t.expr),
            (true, true) => continue, // NULLs are last when descending
            (true, false) => format!("({e} < ? OR {e} IS NULL)", e = t.expr),
        };
        let mut parts = Vec::with_capacity(i + 1);
        let mut local = Vec::with_capacity(i + 1);
        for j in 0..i {
            parts.push(format!("{} IS ?", terms[j].expr));
            local.push(values[j].clone());
        }
        parts.push(strictly_after);
        if !v.is_null() {
            local.push(v.clone());
        }
        params.extend(local);
        disjuncts.push(format!("({})", parts.join(" AND ")));
    }
    if disjuncts.is_empty() {
        "0".to_owned()
    } else {
        disjuncts.join(" OR ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_parsing() {
        assert_eq!(OrderBy::parse("a:desc"), OrderBy { column: "a".into(), desc: true });
        assert_eq!(OrderBy::parse("a:b"), OrderBy { column: "a:b".into(), desc: false });
        assert_eq!(OrderBy::parse("x:ASC"), OrderBy { column: "x".into(), desc: false });
    }
}
