//! The query service: table listings, schemas, pages of rows (keyset
//! pagination), counts and estimates; the row sinks SQL results stream to
//! (the SQL itself runs in [`crate::console`]).

use crate::budget;
use crate::error::{DbError, Result, SqliteResultExt};
use crate::filter::Filter;
use crate::framework::{self, Framework, TableRole};
use crate::jump;
use crate::pool::Db;
use crate::rowkey::RowKey;
use crate::schema::{self, TableKind, TableSchema};
pub use crate::sqlbuild::OrderBy;
use crate::sqlbuild::Plan;
use crate::value::Value;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use tracing::instrument;

/// A table or view with its row count.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableListing {
    pub name: String,
    /// `"table"` or `"view"`.
    pub kind: &'static str,
    /// Exact row count; `None` when it could not be counted (a broken view).
    pub rows: Option<u64>,
    /// The framework that owns the table (Core Data, Room...), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub framework: Option<Framework>,
    /// The entity whose rows it holds, as the framework names it (Core
    /// Data: `Task` for `ZTASK`; the root of a hierarchy).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub entity: Option<String>,
    /// Every entity stored in it when several share it (a Core Data
    /// hierarchy: each row's `Z_ENT` says which).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub entities: Option<Vec<String>>,
    /// A to-many join table: the relationship it stores (`Task.tags`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub relationship: Option<String>,
    /// The framework's bookkeeping, not the app's data.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub internal: bool,
}

impl TableListing {
    /// A listing entry with what the framework makes of the table.
    pub fn new(
        name: String,
        kind: &'static str,
        rows: Option<u64>,
        role: Option<&TableRole>,
    ) -> TableListing {
        let role = role.cloned().unwrap_or_default();
        TableListing {
            name,
            kind,
            rows,
            framework: role.framework,
            entity: role.entity,
            entities: (role.entities.len() > 1).then(|| role.entities.into_iter().map(|(_, n)| n).collect()),
            relationship: role.relationship,
            internal: role.internal,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnMeta {
    pub name: Arc<str>,
    /// Declared type (`""` when none, or for computed query columns).
    #[serde(rename = "type")]
    pub decl_type: Arc<str>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Row {
    /// Opaque row key for edits; `None` for rows of views.
    pub key: Option<String>,
    pub values: Vec<Value>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Page {
    pub columns: Vec<ColumnMeta>,
    pub rows: Vec<Row>,
    /// Cursor of the next page; `None` on the last page.
    pub next: Option<String>,
}

/// What to read: table, page size, where to start, order and filters.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub table: String,
    pub limit: usize,
    pub after: Option<String>,
    pub order: Vec<OrderBy>,
    pub filters: Vec<Filter>,
}

/// Maximum page size: pages are for screens and scripts, not whole tables.
pub const MAX_PAGE: usize = 10_000;

#[instrument(skip_all, fields(db = %path.display()))]
pub fn list_tables(path: &Path, with_counts: bool) -> Result<Vec<TableListing>> {
    sonde_metrics::timed("query.list_tables", || {
        let db = Db::open(path)?;
        let conn = db.reader()?;
        let tables = schema::list_tables(&conn).at(db.path())?;
        let profile = framework::detect(&conn);
        let mut out = Vec::with_capacity(tables.len());
        for t in tables {
            let rows = if with_counts {
                let counted = if t.kind == TableKind::View {
                    budget::within(&conn, VIEW_COUNT_BUDGET, || {
                        schema::count_rows(&conn, &t.name).at(db.path())
                    })
                } else {
                    schema::count_rows(&conn, &t.name).at(db.path())
                };
                match counted {
                    Ok(n) => Some(n),
                    Err(e) if t.kind == TableKind::View => {
                        tracing::debug!(view = %t.name, error = %e, "view cannot be counted");
                        None
                    }
                    Err(e) => return Err(e),
                }
            } else {
                None
            };
            let role = profile.role(&t.name);
            out.push(TableListing::new(t.name, t.kind.listing_kind(), rows, role));
        }
        Ok(out)
    })
}

/// How long counting the rows of one view may take in a listing. A view can
/// be arbitrarily expensive or never end (`WITH RECURSIVE` without a bound);
/// past this the count is abandoned and the listing shows it as unknown.
pub const VIEW_COUNT_BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

#[instrument(skip_all, fields(db = %path.display()))]
pub fn table_schema(path: &Path, table: &str) -> Result<Arc<TableSchema>> {
    sonde_metrics::timed("query.schema", || {
        let db = Db::open(path)?;
        let conn = db.reader()?;
        let schema = db.table(&conn, table)?;
        let kinds = crate::display::infer_columns(&conn, &schema);
        if kinds.iter().all(Option::is_none) {
            return Ok(schema);
        }
        let mut shown = (*schema).clone();
        let visible: Vec<usize> = shown.visible_columns().map(|(i, _)| i).collect();
        for (i, kind) in visible.into_iter().zip(kinds) {
            shown.columns[i].display = kind;
        }
        Ok(Arc::new(shown))
    })
}

/// The schema as SQLite records it (type, name, SQL), in a stable order:
/// what tells one schema from another.
pub fn catalog(path: &Path) -> Result<Vec<(String, String, Option<String>)>> {
    let db = Db::open(path)?;
    let conn = db.reader()?;
    let mut stmt =
        conn.prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name").at(db.path())?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).at(db.path())?;
    rows.collect::<rusqlite::Result<Vec<_>>>().at(db.path())
}

/// The exact number of rows of a table or view (with filters: of the rows
/// they keep), under [`budget::COUNT_BUDGET`].
#[instrument(skip_all, fields(db = %path.display()))]
pub fn count(path: &Path, table: &str, filters: &[Filter]) -> Result<u64> {
    sonde_metrics::timed("query.count", || {
        let db = Db::open(path)?;
        let conn = db.reader()?;
        let schema = db.table(&conn, table)?;
        budget::within(&conn, budget::COUNT_BUDGET, || {
            if filters.is_empty() {
                return schema::count_rows(&conn, &schema.name).at(db.path());
            }
            let plan = Plan::new(&schema, &[], filters, None, None)?;
            let sql = format!("SELECT count(*) FROM ({})", plan.sql);
            let n: i64 = conn
                .query_row(&sql, rusqlite::params_from_iter(plan.params.iter()), |r| r.get(0))
                .at(db.path())?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    })
}

/// A fast row count for display: the catalog's estimate for rowid tables;
/// otherwise a count given [`ESTIMATE_BUDGET`] (a view may be arbitrarily
/// slow or never end); `None` when that was not enough.
#[instrument(skip_all, fields(db = %path.display()))]
pub fn estimate(path: &Path, table: &str) -> Result<Option<u64>> {
    sonde_metrics::timed("query.estimate", || {
        let db = Db::open(path)?;
        let conn = db.reader()?;
        let schema = db.table(&conn, table)?;
        if let Some(n) = schema::estimate_rows(&conn, &schema).at(db.path())? {
            return Ok(Some(n));
        }
        match budget::within(&conn, ESTIMATE_BUDGET, || schema::count_rows(&conn, &schema.name).at(db.path()))
        {
            Ok(n) => Ok(Some(n)),
            Err(DbError::TooSlow { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    })
}

/// How long a display estimate may count (views, keyless tables).
pub const ESTIMATE_BUDGET: std::time::Duration = VIEW_COUNT_BUDGET;

/// One page of rows, in a stable order: the user's order terms, then the
/// row key (rowid or primary key) so that paging with `next` returns every
/// row exactly once.
#[instrument(skip_all, fields(db = %path.display(), limit = req.limit))]
pub fn page(path: &Path, req: &PageRequest) -> Result<Page> {
    sonde_metrics::timed("query.page", || {
        let db = Db::open(path)?;
        let conn = db.reader()?;
        let schema = db.table(&conn, &req.table)?;
        let limit = req.limit.clamp(1, MAX_PAGE);
        let plan = Plan::new(&schema, &req.order, &req.filters, req.after.as_deref(), Some(limit))?;
        let page =
            budget::within(&conn, budget::PAGE_BUDGET, || read_page(&db, &conn, &schema, &plan, limit))?;
        if req.after.is_none() && jump::eligible(&schema, !req.order.is_empty(), !req.filters.is_empty()) {
            // A big table opened: prepare fast jumps in the background.
            if schema::estimate_rows(&conn, &schema).ok().flatten().unwrap_or(0) >= jump::WORTH_IT {
                jump::warm(&db, &schema);
            }
        }
        Ok(page)
    })
}

/// The page that starts at row number `offset` (0-based) of the ordered,
/// filtered table: the jump-to-row of the grid. Keyset tables find the
/// anchor row by offset once, then continue with keyset cursors.
#[instrument(skip_all, fields(db = %path.display(), offset))]
pub fn page_at(path: &Path, req: &PageRequest, offset: u64) -> Result<Page> {
    sonde_metrics::timed("query.page_at", || {
        let db = Db::open(path)?;
        let conn = db.reader()?;
        let schema = db.table(&conn, &req.table)?;
        budget::within(&conn, budget::PAGE_BUDGET, || page_at_in(&db, &conn, &schema, req, offset))
    })
}

fn page_at_in(
    db: &Db,
    conn: &rusqlite::Connection,
    schema: &TableSchema,
    req: &PageRequest,
    offset: u64,
) -> Result<Page> {
    let limit = req.limit.clamp(1, MAX_PAGE);
    let probe = Plan::new(schema, &req.order, &req.filters, None, Some(limit))?;
    let sampled = if offset > 0 && jump::eligible(schema, !req.order.is_empty(), !req.filters.is_empty()) {
        jump::rowid_at(db, conn, schema, offset - 1)?
    } else {
        None
    };
    let after = if offset == 0 {
        None
    } else if let Some(rowid) = sampled {
        Some(probe.cursor_after_terms(vec![Value::Integer(rowid)]))
    } else if let Some(sql) = probe.anchor_sql(offset - 1) {
        // The row just before the target supplies the keyset cursor.
        let mut stmt = conn.prepare(&sql).at(db.path())?;
        let width = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(probe.params.iter())).at(db.path())?;
        match rows.next().at(db.path())? {
            Some(row) => {
                let terms: Vec<Value> = (0..width)
                    .map(|i| row.get_ref(i).map(Value::from_ref))
                    .collect::<rusqlite::Result<_>>()
                    .at(db.path())?;
                Some(probe.cursor_after_terms(terms))
            }
            None => return Ok(Page { columns: columns_of(schema), rows: Vec::new(), next: None }),
        }
    } else {
        Some(probe.offset_cursor(offset))
    };
    let plan = Plan::new(schema, &req.order, &req.filters, after.as_deref(), Some(limit))?;
    read_page(db, conn, schema, &plan, limit)
}

fn columns_of(schema: &TableSchema) -> Vec<ColumnMeta> {
    schema
        .visible_columns()
        .map(|(_, c)| ColumnMeta { name: Arc::clone(&c.name), decl_type: Arc::clone(&c.decl_type) })
        .collect()
}

fn read_page(
    db: &Db,
    conn: &rusqlite::Connection,
    schema: &TableSchema,
    plan: &Plan,
    limit: usize,
) -> Result<Page> {
    let columns = columns_of(schema);
    let width = plan.prefix + columns.len();
    let mut stmt = conn.prepare_cached(&plan.sql).at(db.path())?;
    let mut cursor = stmt.query(rusqlite::params_from_iter(plan.params.iter())).at(db.path())?;
    let mut selected: Vec<Vec<Value>> = Vec::with_capacity(limit.min(1024) + 1);
    while let Some(row) = cursor.next().at(db.path())? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(Value::from_ref(row.get_ref(i).at(db.path())?));
        }
        selected.push(values);
        if selected.len() > limit {
            break;
        }
    }
    let has_more = selected.len() > limit;
    selected.truncate(limit);
    let next =
        if has_more { selected.last().map(|last| plan.next_cursor(last, selected.len())) } else { None };
    let rows = selected
        .into_iter()
        .map(|mut values| {
            let key = plan.key_indexes.as_ref().and_then(|idx| {
                let key_values: Vec<Value> = idx.iter().map(|&i| values[i].clone()).collect();
                RowKey::from_values(&schema.key, &key_values).map(|k| k.encode())
            });
            values.drain(..plan.prefix);
            Row { key, values }
        })
        .collect();
    Ok(Page { columns, rows, next })
}

/// Receives the result of arbitrary SQL as it streams.
pub trait RowSink {
    /// A statement that returns rows starts (called once per such statement).
    fn columns(&mut self, columns: &[ColumnMeta]) -> Result<()>;
    /// One row; return `false` to stop reading this statement's rows.
    fn row(&mut self, values: &[Value]) -> Result<bool>;
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SqlSummary {
    pub statements: usize,
    pub rows_returned: u64,
    pub rows_affected: u64,
    /// Whether the SQL changed the database.
    pub wrote: bool,
}

/// Streams the rows of a prepared statement into `sink`, or executes it.
/// Returns rows streamed.
pub(crate) fn stream_statement(
    db: &Db,
    stmt: &mut rusqlite::Statement<'_>,
    sink: &mut dyn RowSink,
) -> Result<u64> {
    let width = stmt.column_count();
    let columns = crate::console::result_columns(stmt);
    if width > 0 {
        sink.columns(&columns)?;
    }
    let mut rows = stmt.raw_query();
    let mut values = Vec::with_capacity(width);
    let mut n = 0u64;
    while let Some(row) = rows.next().at(db.path())? {
        if width == 0 {
            continue;
        }
        values.clear();
        for i in 0..width {
            values.push(Value::from_ref(row.get_ref(i).at(db.path())?));
        }
        n += 1;
        if !sink.row(&values)? {
            break;
        }
    }
    Ok(n)
}

/// Collects the first result set into memory (tests and small results).
#[derive(Debug, Default)]
pub struct CollectSink {
    pub columns: Vec<ColumnMeta>,
    pub rows: Vec<Vec<Value>>,
    result_sets: usize,
}

impl RowSink for CollectSink {
    fn columns(&mut self, columns: &[ColumnMeta]) -> Result<()> {
        self.result_sets += 1;
        if self.result_sets == 1 {
            self.columns = columns.to_vec();
        }
        Ok(())
    }
    fn row(&mut self, values: &[Value]) -> Result<bool> {
        if self.result_sets == 1 {
            self.rows.push(values.to_vec());
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast count of a view that never ends gives up ("unknown")
    /// instead of pinning a reader for good (eight such opens exhausted the
    /// pool): it comes back, and every reader is free afterwards.
    #[test]
    fn estimating_an_endless_view_gives_up_and_frees_its_reader() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("v.db");
        rusqlite::Connection::open(&path)
            .expect("open")
            .execute_batch(
                "CREATE TABLE t(v); CREATE VIEW forever AS
                 WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c;",
            )
            .expect("setup");
        let (tx, rx) = std::sync::mpsc::channel();
        let worker_path = path.clone();
        std::thread::spawn(move || {
            let _ = tx.send(estimate(&worker_path, "forever"));
        });
        // A guard against hangs only (the budget is 2 s).
        let got = rx.recv_timeout(std::time::Duration::from_secs(120)).expect("the estimate came back");
        assert_eq!(got.expect("no error"), None);
        let db = Db::open(&path).expect("db");
        let readers: Vec<_> = (0..8).map(|_| db.reader().expect("a free reader")).collect();
        assert_eq!(readers.len(), 8);
        drop(readers);
        assert_eq!(estimate(&path, "t").expect("table"), Some(0));
    }

    /// A table without rowid gaps jumps by arithmetic; one gap brings the
    /// scanned sample back.
    #[test]
    fn dense_rowids_jump_exactly_without_a_scan() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("d.db");
        let conn = rusqlite::Connection::open(&path).expect("open");
        // Rowids -5..=39994: no gaps, not starting at 1.
        conn.execute_batch(
            "CREATE TABLE t(v);
             WITH RECURSIVE n(i) AS (SELECT -5 UNION ALL SELECT i+1 FROM n WHERE i < 39994)
             INSERT INTO t(rowid, v) SELECT i, i FROM n;",
        )
        .expect("fill");
        let db = Db::open(&path).expect("db");
        let schema = db.table(&db.reader().expect("reader"), "t").expect("schema");
        jump::warm(&db, &schema);
        jump::wait_ready(&path, "t");
        let reader = db.reader().expect("reader");
        for (offset, rowid) in [(0, -5), (5, 0), (39_999, 39_994)] {
            assert_eq!(jump::rowid_at(&db, &reader, &schema, offset).expect("lookup"), Some(rowid));
        }
        assert_eq!(jump::rowid_at(&db, &reader, &schema, 40_000).expect("lookup"), None, "past the end");
        let req = PageRequest { table: "t".into(), limit: 2, ..Default::default() };
        let page = page_at(&path, &req, 20_000).expect("jump");
        assert_eq!(page.rows[0].values[0], Value::Integer(19_995));
        assert_eq!(page.rows[1].values[0], Value::Integer(19_996));
        // A gap makes the next sample a scanned one, and jumps stay exact.
        conn.execute("DELETE FROM t WHERE rowid = 10", []).expect("write");
        assert_eq!(
            jump::rowid_at(&db, &reader, &schema, 20_000).expect("lookup"),
            None,
            "stale after a write"
        );
        jump::warm(&db, &schema);
        jump::wait_ready(&path, "t");
        assert_eq!(jump::rowid_at(&db, &reader, &schema, 20_000).expect("lookup"), Some(19_996));
    }

    /// Jumps through the rowid sample land exactly where OFFSET does, also
    /// with gaps in the rowids, and a write makes the sample stale (never
    /// wrong).
    #[test]
    fn sampled_jumps_match_offset_and_go_stale_on_writes() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("j.db");
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, v);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 40000)
             INSERT INTO t SELECT i * 3 + (i % 7), i FROM n;",
        )
        .expect("fill");
        let db = Db::open(&path).expect("db");
        let schema = db.table(&db.reader().expect("reader"), "t").expect("schema");
        jump::warm(&db, &schema);
        jump::wait_ready(&path, "t");
        let req = PageRequest { table: "t".into(), limit: 3, ..Default::default() };
        let check = |offset: u64| {
            let page = page_at(&path, &req, offset).expect("jump");
            let want: Vec<i64> = conn
                .prepare(&format!("SELECT id FROM t ORDER BY id LIMIT 3 OFFSET {offset}"))
                .expect("prepare")
                .query_map([], |r| r.get(0))
                .expect("query")
                .collect::<rusqlite::Result<_>>()
                .expect("rows");
            let got: Vec<i64> = page
                .rows
                .iter()
                .map(|r| match r.values[0] {
                    Value::Integer(i) => i,
                    _ => -1,
                })
                .collect();
            assert_eq!(got, want, "offset {offset}");
        };
        for offset in [1, 8191, 8192, 8193, 20_000, 39_998, 40_000, 45_000] {
            check(offset);
        }
        let reader = db.reader().expect("reader");
        assert!(jump::rowid_at(&db, &reader, &schema, 20_000).expect("lookup").is_some(), "sample used");
        conn.execute("DELETE FROM t WHERE id < 100", []).expect("write");
        assert!(
            jump::rowid_at(&db, &reader, &schema, 20_000).expect("lookup").is_none(),
            "stale after a write"
        );
        check(20_000);
    }
}
