//! The schema repository: reads the catalog (tables, views, columns, indexes,
//! foreign keys, triggers, row counts). Only SQL lives here, no policy.

use crate::error::{DbError, Result};
use crate::ident::quote;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TableKind {
    Table,
    View,
    /// `CREATE VIRTUAL TABLE` (FTS, R-tree...): read-only in Sonde.
    Virtual,
    /// Internal table of a virtual table (e.g. `docs_content` of FTS).
    Shadow,
}

impl TableKind {
    /// The coarse kind shown in listings: views apart, everything is a table.
    pub fn listing_kind(self) -> &'static str {
        match self {
            TableKind::View => "view",
            _ => "table",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableSummary {
    pub name: String,
    pub kind: TableKind,
}

/// How a column is hidden or generated (`PRAGMA table_xinfo`'s `hidden`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ColumnOrigin {
    Normal,
    /// A hidden column of a virtual table: not shown, not selected.
    Hidden,
    GeneratedVirtual,
    GeneratedStored,
}

impl ColumnOrigin {
    pub fn is_generated(self) -> bool {
        matches!(self, ColumnOrigin::GeneratedVirtual | ColumnOrigin::GeneratedStored)
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Column {
    pub name: Arc<str>,
    /// The declared type as written (`""` when none).
    pub decl_type: Arc<str>,
    pub not_null: bool,
    /// The default as SQL text, as declared.
    pub default_sql: Option<String>,
    /// Position in the primary key, 1-based; 0 when not part of it.
    pub pk: u32,
    pub origin: ColumnOrigin,
    /// How the value is shown when not as its storage class (a date, a
    /// UUID, an image...): `display.rs`, filled in by `query::table_schema`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub display: Option<sonde_display::Kind>,
    /// The user chose how to show it (`display`, or none for "as stored").
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub display_override: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Index {
    pub name: String,
    pub unique: bool,
    /// `c` (CREATE INDEX), `u` (UNIQUE constraint) or `pk`.
    pub origin: String,
    pub partial: bool,
    /// Indexed columns in order; `None` for an expression.
    pub columns: Vec<Option<String>>,
    pub sql: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ForeignKey {
    pub table: String,
    pub from: Vec<String>,
    /// Parent columns; `None` means the parent's primary key.
    pub to: Vec<Option<String>>,
    pub on_update: String,
    pub on_delete: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Trigger {
    pub name: String,
    pub sql: Option<String>,
}

/// How rows of a table are identified for paging and edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum KeyStrategy {
    /// The rowid, under the first of `rowid`, `_rowid_`, `oid` not taken by a column.
    Rowid { alias: &'static str },
    /// The primary key columns of a `WITHOUT ROWID` table (indexes into `columns`).
    PrimaryKey { columns: Vec<usize> },
    /// No stable key: views, virtual tables, tables whose rowid is shadowed.
    None,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableSchema {
    pub name: String,
    pub kind: TableKind,
    pub sql: Option<String>,
    pub without_rowid: bool,
    pub strict: bool,
    pub columns: Vec<Column>,
    pub indexes: Vec<Index>,
    pub foreign_keys: Vec<ForeignKey>,
    pub triggers: Vec<Trigger>,
    pub key: KeyStrategy,
    /// The `INTEGER PRIMARY KEY` column that is the rowid's alias, if any:
    /// pages read the key from it instead of selecting the rowid again
    /// (which a table of 2,000 columns has no room for).
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub rowid_column: Option<usize>,
}

impl TableSchema {
    /// Columns shown and selected (hidden virtual-table columns excluded).
    pub fn visible_columns(&self) -> impl Iterator<Item = (usize, &Column)> {
        self.columns.iter().enumerate().filter(|(_, c)| c.origin != ColumnOrigin::Hidden)
    }

    /// Finds a column by name: exact first, then ASCII case-insensitive (as SQL does).
    pub fn column_index(&self, name: &str) -> Result<usize> {
        self.columns
            .iter()
            .position(|c| &*c.name == name)
            .or_else(|| self.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name)))
            .ok_or_else(|| DbError::NoSuchColumn { table: self.name.clone(), column: name.to_owned() })
    }

    /// Why the table cannot be edited, if it cannot.
    pub fn read_only_reason(&self) -> Option<&'static str> {
        match self.kind {
            TableKind::View => Some("it is a view"),
            TableKind::Virtual => Some("it is a virtual table"),
            TableKind::Shadow => Some("it is the internal table of a virtual table"),
            TableKind::Table => None,
        }
    }
}

/// Lists tables and views of the main schema, sorted by name.
pub fn list_tables(conn: &Connection) -> rusqlite::Result<Vec<TableSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, type, sql FROM sqlite_schema \
         WHERE type IN ('table', 'view') ORDER BY name COLLATE NOCASE, name",
    )?;
    let rows = stmt.query_map([], |r| {
        let name: String = r.get(0)?;
        let kind: String = r.get(1)?;
        let sql: Option<String> = r.get(2)?;
        Ok((name, kind, sql))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, kind, sql) = row?;
        let kind = classify(conn, &name, &kind, sql.as_deref());
        out.push(TableSummary { name, kind });
    }
    Ok(out)
}

fn classify(conn: &Connection, name: &str, kind: &str, sql: Option<&str>) -> TableKind {
    if kind == "view" {
        return TableKind::View;
    }
    if sql.is_some_and(is_virtual_sql) {
        return TableKind::Virtual;
    }
    // Shadow tables are only known to pragma table_list (3.37+).
    let listed: Option<String> = conn
        .query_row("SELECT type FROM pragma_table_list(?1) WHERE schema = 'main'", [name], |r| r.get(0))
        .optional()
        .ok()
        .flatten();
    match listed.as_deref() {
        Some("shadow") => TableKind::Shadow,
        Some("virtual") => TableKind::Virtual,
        _ => TableKind::Table,
    }
}

fn is_virtual_sql(sql: &str) -> bool {
    let mut words = sql.split_ascii_whitespace();
    matches!(
        (words.next(), words.next()),
        (Some(a), Some(b)) if a.eq_ignore_ascii_case("create") && b.eq_ignore_ascii_case("virtual")
    )
}

/// Resolves a user-typed table name to the stored one (exact, then
/// ASCII case-insensitive, as SQL resolves names).
pub fn resolve_table(conn: &Connection, name: &str) -> rusqlite::Result<Option<TableSummary>> {
    let tables = list_tables(conn)?;
    let exact = tables.iter().position(|t| t.name == name);
    let found = exact.or_else(|| tables.iter().position(|t| t.name.eq_ignore_ascii_case(name)));
    Ok(found.map(|i| tables[i].clone()))
}

/// Reads the full description of one table or view (`summary` from [`resolve_table`]).
pub fn table_schema(conn: &Connection, summary: &TableSummary) -> rusqlite::Result<TableSchema> {
    let name = summary.name.as_str();
    let sql: Option<String> = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = ?1 AND type IN ('table', 'view')",
            [name],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let (without_rowid, strict) = conn
        .query_row("SELECT wr, strict FROM pragma_table_list(?1) WHERE schema = 'main'", [name], |r| {
            Ok((r.get::<_, i64>(0)? != 0, r.get::<_, i64>(1)? != 0))
        })
        .optional()?
        .unwrap_or((false, false));
    let columns = columns(conn, name)?;
    let is_table = summary.kind != TableKind::View;
    let (indexes, foreign_keys, triggers) = if is_table {
        (indexes(conn, name)?, foreign_keys(conn, name)?, triggers(conn, name)?)
    } else {
        (Vec::new(), Vec::new(), triggers(conn, name)?)
    };
    let key = key_strategy(summary.kind, without_rowid, &columns);
    let rowid_column = if without_rowid || summary.kind != TableKind::Table {
        None
    } else {
        rowid_alias_column(conn, name, &columns)?
    };
    Ok(TableSchema {
        name: name.to_owned(),
        kind: summary.kind,
        sql,
        without_rowid,
        strict,
        columns,
        indexes,
        foreign_keys,
        triggers,
        key,
        rowid_column,
    })
}

/// The column that aliases the rowid. SQLite's rule has quirks (the declared
/// type must be exactly `INTEGER`; `PRIMARY KEY DESC` on the column does not
/// alias), so SQLite is asked: a lookup by the column is planned as a rowid
/// search only when it is the alias.
fn rowid_alias_column(conn: &Connection, table: &str, columns: &[Column]) -> rusqlite::Result<Option<usize>> {
    let pk: Vec<usize> = columns.iter().enumerate().filter(|(_, c)| c.pk > 0).map(|(i, _)| i).collect();
    let [only] = pk.as_slice() else { return Ok(None) };
    if !columns[*only].decl_type.eq_ignore_ascii_case("integer") {
        return Ok(None);
    }
    let sql = format!(
        "EXPLAIN QUERY PLAN SELECT 1 FROM {} WHERE {} = 1",
        quote(table),
        quote(&columns[*only].name)
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let detail: String = row.get(3)?;
        if detail.contains("INTEGER PRIMARY KEY") {
            return Ok(Some(*only));
        }
    }
    Ok(None)
}

fn key_strategy(kind: TableKind, without_rowid: bool, columns: &[Column]) -> KeyStrategy {
    if kind != TableKind::Table && kind != TableKind::Shadow {
        return KeyStrategy::None;
    }
    if without_rowid {
        let mut pk: Vec<(u32, usize)> =
            columns.iter().enumerate().filter(|(_, c)| c.pk > 0).map(|(i, c)| (c.pk, i)).collect();
        pk.sort_unstable();
        return KeyStrategy::PrimaryKey { columns: pk.into_iter().map(|(_, i)| i).collect() };
    }
    ["rowid", "_rowid_", "oid"]
        .into_iter()
        .find(|alias| !columns.iter().any(|c| c.name.eq_ignore_ascii_case(alias)))
        .map_or(KeyStrategy::None, |alias| KeyStrategy::Rowid { alias })
}

fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<Column>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1) ORDER BY cid",
    )?;
    let rows = stmt.query_map([table], |r| {
        let name: String = r.get(0)?;
        let decl: String = r.get::<_, Option<String>>(1)?.unwrap_or_default();
        let origin = match r.get::<_, i64>(5)? {
            1 => ColumnOrigin::Hidden,
            2 => ColumnOrigin::GeneratedVirtual,
            3 => ColumnOrigin::GeneratedStored,
            _ => ColumnOrigin::Normal,
        };
        Ok(Column {
            name: Arc::from(name),
            decl_type: Arc::from(decl),
            not_null: r.get::<_, i64>(2)? != 0,
            default_sql: r.get(3)?,
            pk: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
            origin,
            display: None,
            display_override: false,
        })
    })?;
    rows.collect()
}

fn indexes(conn: &Connection, table: &str) -> rusqlite::Result<Vec<Index>> {
    let mut list = conn.prepare_cached(
        "SELECT il.name, il.\"unique\", il.origin, il.partial, s.sql \
         FROM pragma_index_list(?1) AS il LEFT JOIN sqlite_schema AS s \
           ON s.type = 'index' AND s.name = il.name ORDER BY il.seq DESC",
    )?;
    let heads = list
        .query_map([table], |r| {
            Ok(Index {
                name: r.get(0)?,
                unique: r.get::<_, i64>(1)? != 0,
                origin: r.get(2)?,
                partial: r.get::<_, i64>(3)? != 0,
                columns: Vec::new(),
                sql: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut cols =
        conn.prepare_cached("SELECT name FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno")?;
    heads
        .into_iter()
        .map(|mut index| {
            index.columns = cols
                .query_map([&index.name], |r| r.get::<_, Option<String>>(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(index)
        })
        .collect()
}

fn foreign_keys(conn: &Connection, table: &str) -> rusqlite::Result<Vec<ForeignKey>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete \
         FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )?;
    let mut out: Vec<(i64, ForeignKey)> = Vec::new();
    let rows = stmt.query_map([table], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    for row in rows {
        let (id, parent, from, to, on_update, on_delete) = row?;
        match out.last_mut() {
            Some((last, fk)) if *last == id => {
                fk.from.push(from);
                fk.to.push(to);
            }
            _ => out.push((
                id,
                ForeignKey { table: parent, from: vec![from], to: vec![to], on_update, on_delete },
            )),
        }
    }
    Ok(out.into_iter().map(|(_, fk)| fk).collect())
}

fn triggers(conn: &Connection, table: &str) -> rusqlite::Result<Vec<Trigger>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?1 ORDER BY name",
    )?;
    let rows = stmt.query_map([table], |r| Ok(Trigger { name: r.get(0)?, sql: r.get(1)? }))?;
    rows.collect()
}

/// Exact number of rows (a full scan on big tables).
pub fn count_rows(conn: &Connection, table: &str) -> rusqlite::Result<u64> {
    let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {}", quote(table)), [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// A cheap estimate: `sqlite_stat1` when analysed, else the rowid span
/// (O(log n)); `None` when neither applies (views, `WITHOUT ROWID` and
/// keyless tables: only counting would tell).
pub fn estimate_rows(conn: &Connection, schema: &TableSchema) -> rusqlite::Result<Option<u64>> {
    let has_stat1: bool = conn
        .query_row("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat1'", [], |_| {
            Ok(true)
        })
        .optional()?
        .unwrap_or(false);
    if has_stat1 {
        let stat: Option<String> = conn
            .query_row("SELECT stat FROM sqlite_stat1 WHERE tbl = ?1 AND idx IS NULL", [&schema.name], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
        if let Some(n) = stat.and_then(|s| s.split(' ').next().and_then(|n| n.parse::<u64>().ok())) {
            return Ok(Some(n));
        }
    }
    if let KeyStrategy::Rowid { alias } = schema.key {
        // Two subqueries: SQLite answers a lone min() or max() of the rowid
        // with one b-tree seek, but `max(x) - min(x)` with a full scan.
        let table = quote(&schema.name);
        let span: Option<i64> = conn.query_row(
            &format!("SELECT (SELECT max({alias}) FROM {table}) - (SELECT min({alias}) FROM {table}) + 1"),
            [],
            |r| r.get(0),
        )?;
        return Ok(Some(span.map_or(0, |n| u64::try_from(n).unwrap_or(u64::MAX))));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_strategies() {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE r(a); CREATE TABLE w(a, b, PRIMARY KEY(b, a)) WITHOUT ROWID;
             CREATE TABLE shadowed(rowid, oid, _rowid_); CREATE TABLE partly(rowid TEXT);
             CREATE VIEW v AS SELECT * FROM r;",
        )
        .expect("schema");
        let key = |name: &str| {
            let s = resolve_table(&conn, name).expect("list").expect("found");
            table_schema(&conn, &s).expect("schema").key
        };
        assert_eq!(key("r"), KeyStrategy::Rowid { alias: "rowid" });
        assert_eq!(key("w"), KeyStrategy::PrimaryKey { columns: vec![1, 0] });
        assert_eq!(key("shadowed"), KeyStrategy::None);
        assert_eq!(key("partly"), KeyStrategy::Rowid { alias: "_rowid_" });
        assert_eq!(key("v"), KeyStrategy::None);
        assert_eq!(key("R"), KeyStrategy::Rowid { alias: "rowid" });
    }

    #[test]
    fn rowid_alias_is_detected_by_sqlites_own_rule() {
        let conn = Connection::open_in_memory().expect("db");
        conn.execute_batch(
            "CREATE TABLE ipk(x, id INTEGER PRIMARY KEY); CREATE TABLE lower(id integer primary key);
             CREATE TABLE desc_pk(id INTEGER PRIMARY KEY DESC); CREATE TABLE int_pk(id INT PRIMARY KEY);
             CREATE TABLE both(a INTEGER, b INTEGER, PRIMARY KEY(a, b));
             CREATE TABLE tbl_pk(id INTEGER, PRIMARY KEY(id));",
        )
        .expect("schema");
        let alias = |name: &str| {
            let s = resolve_table(&conn, name).expect("list").expect("found");
            table_schema(&conn, &s).expect("schema").rowid_column
        };
        assert_eq!(alias("ipk"), Some(1));
        assert_eq!(alias("lower"), Some(0));
        assert_eq!(alias("desc_pk"), None, "PRIMARY KEY DESC on the column is not an alias");
        assert_eq!(alias("int_pk"), None, "INT is not INTEGER");
        assert_eq!(alias("both"), None);
        assert_eq!(alias("tbl_pk"), Some(0));
    }
}
