//! Comparing the rows of one table in two versions: a merge join in key
//! order (rowid, or the primary key of a `WITHOUT ROWID` table, ordered
//! with `COLLATE BINARY` so SQLite's order is the one compared here), or a
//! multiset count for a table with neither key.

use super::{RowChange, RowOp};
use crate::error::{Result, SqliteResultExt};
use crate::ident::{quote, quote_list};
use crate::value::Value;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// One side of a comparison: a connection and how to read the table.
pub(super) struct Side<'c> {
    pub conn: &'c Connection,
    pub path: &'c Path,
    pub table: &'c str,
    /// Key expressions (the rowid's name, or the primary key columns).
    pub key: Vec<String>,
    /// The key is the rowid (an integer).
    pub rowid: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Counts {
    pub inserted: u64,
    pub deleted: u64,
    pub updated: u64,
    /// Rows read and compared one by one.
    pub compared: u64,
}

impl Counts {
    fn count(&mut self, op: RowOp) {
        match op {
            RowOp::Insert => self.inserted += 1,
            RowOp::Delete => self.deleted += 1,
            RowOp::Update => self.updated += 1,
        }
    }
}

/// SQLite's order of two values under the BINARY collation: NULL, numbers
/// (integers and reals compared exactly), text (bytes), blobs (bytes).
pub(super) fn binary_order(a: &Value, b: &Value) -> Ordering {
    fn class(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) | Value::TextBytes(_) => 2,
            Value::Blob(_) => 3,
        }
    }
    fn text(v: &Value) -> &[u8] {
        match v {
            Value::Text(s) => s.as_bytes(),
            Value::TextBytes(b) | Value::Blob(b) => b,
            _ => &[],
        }
    }
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Real(x), Value::Real(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Value::Integer(x), Value::Real(y)) => int_real(*x, *y),
        (Value::Real(x), Value::Integer(y)) => int_real(*y, *x).reverse(),
        _ => class(a).cmp(&class(b)).then_with(|| text(a).cmp(text(b))),
    }
}

/// An integer against a real, exactly (no rounding of the integer).
fn int_real(i: i64, r: f64) -> Ordering {
    if r.is_nan() {
        return Ordering::Greater;
    }
    if r >= 9_223_372_036_854_775_808.0 {
        return Ordering::Less;
    }
    if r < -9_223_372_036_854_775_808.0 {
        return Ordering::Greater;
    }
    let floor = r.floor();
    // `floor` is within i64 here.
    match i.cmp(&(floor as i64)) {
        Ordering::Equal if r > floor => Ordering::Less,
        other => other,
    }
}

fn key_order(a: &[Value], b: &[Value]) -> Ordering {
    a.iter().zip(b).map(|(x, y)| binary_order(x, y)).find(|o| o.is_ne()).unwrap_or(Ordering::Equal)
}

/// [`binary_order`] on values still inside SQLite's row (no copy).
fn binary_order_ref(a: ValueRef<'_>, b: ValueRef<'_>) -> Ordering {
    fn class(v: ValueRef<'_>) -> u8 {
        match v {
            ValueRef::Null => 0,
            ValueRef::Integer(_) | ValueRef::Real(_) => 1,
            ValueRef::Text(_) => 2,
            ValueRef::Blob(_) => 3,
        }
    }
    match (a, b) {
        (ValueRef::Integer(x), ValueRef::Integer(y)) => x.cmp(&y),
        (ValueRef::Real(x), ValueRef::Real(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (ValueRef::Integer(x), ValueRef::Real(y)) => int_real(x, y),
        (ValueRef::Real(x), ValueRef::Integer(y)) => int_real(y, x).reverse(),
        (ValueRef::Text(x), ValueRef::Text(y)) | (ValueRef::Blob(x), ValueRef::Blob(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}

/// Exact equality of two stored values (reals by bits, like [`Value`]).
fn same_ref(a: ValueRef<'_>, b: ValueRef<'_>) -> bool {
    match (a, b) {
        (ValueRef::Real(x), ValueRef::Real(y)) => x.to_bits() == y.to_bits(),
        (x, y) => x == y,
    }
}

fn select(side: &Side<'_>, columns: &[Arc<str>], range: bool) -> String {
    let keys = side.key.join(", ");
    let cols = quote_list(columns.iter().map(|c| &**c));
    let list = if columns.is_empty() { keys.clone() } else { format!("{keys}, {cols}") };
    // A rowid is an integer: its own order is the one compared here. Key
    // columns are ordered by their bytes whatever their collation.
    let order: Vec<String> = if side.rowid {
        side.key.clone()
    } else {
        side.key.iter().map(|k| format!("{k} COLLATE BINARY")).collect()
    };
    let filter = if range { format!(" WHERE {} BETWEEN ?1 AND ?2", side.key[0]) } else { String::new() };
    format!("SELECT {list} FROM {}{filter} ORDER BY {}", quote(side.table), order.join(", "))
}

fn owned(row: &rusqlite::Row<'_>, from: usize, to: usize, path: &Path) -> Result<Vec<Value>> {
    // Sized up front: a collect through `Result` cannot know the length,
    // and its reallocations were a tenth of an every-row-changed diff.
    let mut values = Vec::with_capacity(to.saturating_sub(from));
    for i in from..to {
        values.push(Value::from_ref(row.get_ref(i).at(path)?));
    }
    Ok(values)
}

/// Cells `columns` (indexes into the compared columns) of a row whose
/// first `offset` values are its key.
fn picked(row: &rusqlite::Row<'_>, offset: usize, columns: &[u32], path: &Path) -> Result<Vec<Value>> {
    let mut values = Vec::with_capacity(columns.len());
    for &c in columns {
        values.push(Value::from_ref(row.get_ref(offset + c as usize).at(path)?));
    }
    Ok(values)
}

/// Merge join of `a` and `b` over `columns`, within `ranges` of the rowid
/// (`None`: every row); an update carries whole rows or, without
/// `whole_updates`, its changed cells. `emit` gets each difference. Rows are compared
/// where SQLite holds them; only differences are copied out.
pub(super) fn merge_join(
    a: &Side<'_>,
    b: &Side<'_>,
    columns: &[Arc<str>],
    ranges: Option<&[(i64, i64)]>,
    whole_updates: bool,
    emit: &mut dyn FnMut(RowChange) -> Result<()>,
) -> Result<Counts> {
    use rusqlite::fallible_streaming_iterator::FallibleStreamingIterator;
    let mut counts = Counts::default();
    let key_width = a.key.len();
    let width = key_width + columns.len();
    let mut stmt_a = a.conn.prepare(&select(a, columns, ranges.is_some())).at(a.path)?;
    let mut stmt_b = b.conn.prepare(&select(b, columns, ranges.is_some())).at(b.path)?;
    let whole = [(i64::MIN, i64::MAX)];
    for &(lo, hi) in ranges.unwrap_or(&whole) {
        let params: &[&dyn rusqlite::ToSql] = if ranges.is_some() { &[&lo, &hi] } else { &[] };
        let mut left = stmt_a.query(params).at(a.path)?;
        let mut right = stmt_b.query(params).at(b.path)?;
        left.advance().at(a.path)?;
        right.advance().at(b.path)?;
        loop {
            let (x, y) = (left.get(), right.get());
            let order = match (x, y) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(x), Some(y)) => {
                    let mut order = Ordering::Equal;
                    for i in 0..key_width {
                        order = binary_order_ref(x.get_ref(i).at(a.path)?, y.get_ref(i).at(b.path)?);
                        if order.is_ne() {
                            break;
                        }
                    }
                    order
                }
            };
            counts.compared += 1;
            match (order, x, y) {
                (Ordering::Less, Some(x), _) => {
                    counts.count(RowOp::Delete);
                    let old = owned(x, key_width, width, a.path)?;
                    emit(RowChange::new(
                        RowOp::Delete,
                        owned(x, 0, key_width, a.path)?,
                        Some(old),
                        None,
                        Vec::new(),
                    ))?;
                    left.advance().at(a.path)?;
                }
                (Ordering::Greater, _, Some(y)) => {
                    counts.count(RowOp::Insert);
                    let new = owned(y, key_width, width, b.path)?;
                    emit(RowChange::new(
                        RowOp::Insert,
                        owned(y, 0, key_width, b.path)?,
                        None,
                        Some(new),
                        Vec::new(),
                    ))?;
                    right.advance().at(b.path)?;
                }
                (_, Some(x), Some(y)) => {
                    let mut changed = Vec::new();
                    for i in key_width..width {
                        if !same_ref(x.get_ref(i).at(a.path)?, y.get_ref(i).at(b.path)?) {
                            changed.push((i - key_width) as u32);
                        }
                    }
                    if !changed.is_empty() {
                        counts.count(RowOp::Update);
                        let (old, new) = if whole_updates {
                            (owned(x, key_width, width, a.path)?, owned(y, key_width, width, b.path)?)
                        } else {
                            (picked(x, key_width, &changed, a.path)?, picked(y, key_width, &changed, b.path)?)
                        };
                        let key = owned(x, 0, key_width, a.path)?;
                        emit(RowChange::new(RowOp::Update, key, Some(old), Some(new), changed))?;
                    }
                    left.advance().at(a.path)?;
                    right.advance().at(b.path)?;
                }
                _ => break,
            }
        }
    }
    Ok(counts)
}

/// A table with neither rowid nor primary key: rows are compared as
/// multisets (a row that is in A twice and in B once was deleted once).
pub(super) fn multiset(
    a: &Side<'_>,
    b: &Side<'_>,
    columns: &[Arc<str>],
    emit: &mut dyn FnMut(RowChange) -> Result<()>,
) -> Result<Counts> {
    let mut tally: HashMap<Vec<u8>, (Vec<Value>, i64)> = HashMap::new();
    let mut counts = Counts::default();
    for (side, sign) in [(a, 1i64), (b, -1i64)] {
        let sql = format!("SELECT {} FROM {}", quote_list(columns.iter().map(|c| &**c)), quote(side.table));
        let mut stmt = side.conn.prepare(&sql).at(side.path)?;
        let mut rows = stmt.query([]).at(side.path)?;
        while let Some(row) = rows.next().at(side.path)? {
            let values: Vec<Value> = (0..columns.len())
                .map(|i| row.get_ref(i).map(Value::from_ref))
                .collect::<rusqlite::Result<_>>()
                .at(side.path)?;
            let identity = serde_json::to_vec(&values).unwrap_or_default();
            counts.compared += 1;
            tally.entry(identity).or_insert_with(|| (values, 0)).1 += sign;
        }
    }
    let mut left: Vec<(Vec<Value>, i64)> = tally.into_values().filter(|(_, n)| *n != 0).collect();
    left.sort_by(|x, y| key_order(&x.0, &y.0));
    for (values, n) in left {
        let op = if n > 0 { RowOp::Delete } else { RowOp::Insert };
        for _ in 0..n.unsigned_abs() {
            counts.count(op);
            let (old, new) = if n > 0 { (Some(values.clone()), None) } else { (None, Some(values.clone())) };
            emit(RowChange::new(op, Vec::new(), old, new, Vec::new()))?;
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rust's order matches SQLite's `ORDER BY x COLLATE BINARY`.
    #[test]
    fn binary_order_matches_sqlite() {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE t(x);
             INSERT INTO t VALUES (NULL), (1), (1.5), (-2), (9223372036854775807), (9.3e18), (-9.3e18),
                 (-9223372036854775808), ('a'), ('B'), (''), (x'00'), (x''), (2.0), (2), ('é'), (0.0), (-0.5);",
        )
        .expect("fill");
        let sqlite: Vec<Value> = conn
            .prepare("SELECT x FROM t ORDER BY x COLLATE BINARY")
            .expect("prep")
            .query_map([], |r| r.get::<_, Value>(0))
            .expect("q")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        for pair in sqlite.windows(2) {
            assert_ne!(binary_order(&pair[0], &pair[1]), Ordering::Greater, "{pair:?}");
        }
        assert_eq!(int_real(2, 2.0), Ordering::Equal);
        assert_eq!(
            int_real(9_007_199_254_740_993, 9_007_199_254_740_992.0),
            Ordering::Greater,
            "no rounding"
        );
    }
}
