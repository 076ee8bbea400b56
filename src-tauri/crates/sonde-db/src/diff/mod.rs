//! Row-level diff of two databases (two versions of one, or any two): per
//! table the inserted, deleted and updated rows with their old and new
//! values, exact for every value kind, and the schema changes (tables,
//! columns, indexes, views, triggers, `user_version`).
//!
//! Rows are matched by rowid, by primary key for `WITHOUT ROWID` tables, and
//! as a multiset for tables with neither. Rowid tables take the fast path of
//! [`btree`]: only the rows in leaves that are not byte-identical in both
//! versions are read and compared. Both databases are read in one read
//! transaction each, through read-only connections: diffing never writes,
//! not even a checkpoint (`sqldiff` checkpoints and deletes a `-wal`).

mod btree;
pub mod changes;
mod rows;
mod schema;
pub mod script;

use crate::error::{Result, SqliteResultExt};
use crate::pool::Db;
use crate::rowkey::RowKey;
use crate::schema::{ColumnOrigin, KeyStrategy, TableKind, TableSchema};
use crate::value::Value;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use tracing::instrument;

pub use schema::{ObjectKind, SchemaChange, SchemaChangeKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RowOp {
    Insert,
    Delete,
    Update,
}

/// One row that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RowChange {
    pub op: RowOp,
    /// The row key as every other command writes it (`None` for a table
    /// without a key).
    pub key: Option<String>,
    /// The values before (deletes, updates), in the order of `columns`
    /// (for a sink that asked for [`DiffSink::whole_updates`] `false`, an
    /// update's changed cells only, in the order of `changed`).
    pub old: Option<Vec<Value>>,
    /// The values after (inserts, updates), laid out as `old`.
    pub new: Option<Vec<Value>>,
    /// Updates: which of `columns` changed.
    pub changed: Vec<u32>,
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub key_values: Vec<Value>,
}

impl RowChange {
    fn new(
        op: RowOp,
        key_values: Vec<Value>,
        old: Option<Vec<Value>>,
        new: Option<Vec<Value>>,
        changed: Vec<u32>,
    ) -> Self {
        RowChange { op, key: None, old, new, changed, key_values }
    }

    /// An update's changed cells: (column index, old, new), whichever way
    /// the rows are laid out (whole rows, or the changed cells only: when
    /// every cell changed the two layouts are the same).
    pub fn changed_cells(&self) -> impl Iterator<Item = (u32, &Value, &Value)> + '_ {
        let (old, new) = (self.old.as_deref().unwrap_or_default(), self.new.as_deref().unwrap_or_default());
        let compact = old.len() == self.changed.len();
        self.changed.iter().enumerate().filter_map(move |(k, &column)| {
            let at = if compact { k } else { column as usize };
            Some((column, old.get(at)?, new.get(at)?))
        })
    }
}

/// How a table differs as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum TableStatus {
    /// In both; rows compared.
    Compared,
    /// Only in B: every row inserted.
    Added,
    /// Only in A: every row deleted.
    Dropped,
}

/// A table's place in the diff, before its rows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableHeader {
    pub name: String,
    pub status: TableStatus,
    /// Its definition changed (columns, constraints), or it was added or dropped.
    pub schema_changed: bool,
    /// The columns compared (those in both versions), in B's order.
    pub columns: Vec<Arc<str>>,
    /// The key the rows are matched by (`rowid`, primary key columns, or none).
    pub key: KeyStrategy,
    /// The key's names: the rowid's (its INTEGER PRIMARY KEY column, or
    /// `rowid`, `_rowid_`, `oid`), or the primary key columns; empty for a
    /// table matched as a multiset.
    pub key_columns: Vec<Arc<str>>,
}

/// A table's counts, after its rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableCounts {
    pub inserted: u64,
    pub deleted: u64,
    pub updated: u64,
    /// Rows read and compared one by one (the rest were skipped: their
    /// pages are identical in both versions).
    pub compared: u64,
}

impl TableCounts {
    pub fn changed(&self) -> bool {
        self.inserted + self.deleted + self.updated > 0
    }
}

/// Receives a diff as it is computed, table by table.
pub trait DiffSink {
    /// Whether an update carries whole rows (the default) or only its
    /// changed cells (what a printed diff shows: copying every cell was a
    /// quarter of an every-row-changed diff).
    fn whole_updates(&self) -> bool {
        true
    }
    fn table(&mut self, header: &TableHeader) -> Result<()>;
    fn row(&mut self, change: RowChange) -> Result<()>;
    fn table_done(&mut self, header: &TableHeader, counts: &TableCounts) -> Result<()>;
}

#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Only these tables (exact names, then any case); empty: all.
    pub tables: Vec<String>,
}

/// A whole diff in memory, rows capped per table.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DbDiff {
    /// Tables with any difference (rows or definition).
    pub tables: Vec<TableDiff>,
    pub schema: Vec<SchemaChange>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableDiff {
    #[serde(flatten)]
    pub header: TableHeader,
    #[serde(flatten)]
    pub counts: TableCounts,
    /// The first changed rows (at most the cap it was computed with).
    pub rows: Vec<RowChange>,
    /// More rows changed than `rows` holds.
    pub truncated: bool,
}

/// Computes the diff and keeps at most `row_cap` changed rows per table.
pub fn diff(a: &Path, b: &Path, opts: &DiffOptions, row_cap: usize) -> Result<DbDiff> {
    struct Collect {
        cap: usize,
        tables: Vec<TableDiff>,
        current: Vec<RowChange>,
        truncated: bool,
    }
    impl DiffSink for Collect {
        fn table(&mut self, _: &TableHeader) -> Result<()> {
            self.current.clear();
            self.truncated = false;
            Ok(())
        }
        fn row(&mut self, change: RowChange) -> Result<()> {
            if self.current.len() < self.cap {
                self.current.push(change);
            } else {
                self.truncated = true;
            }
            Ok(())
        }
        fn table_done(&mut self, header: &TableHeader, counts: &TableCounts) -> Result<()> {
            if counts.changed() || header.schema_changed {
                self.tables.push(TableDiff {
                    header: header.clone(),
                    counts: *counts,
                    rows: std::mem::take(&mut self.current),
                    truncated: self.truncated,
                });
            }
            Ok(())
        }
    }
    let mut collect = Collect { cap: row_cap, tables: Vec::new(), current: Vec::new(), truncated: false };
    let schema = diff_into(a, b, opts, &mut collect)?;
    Ok(DbDiff { tables: collect.tables, schema })
}

/// The tables compared, from the catalogs of both versions.
struct Plan {
    name: String,
    a: Option<Arc<TableSchema>>,
    b: Option<Arc<TableSchema>>,
}

/// Streams the diff of `a` → `b` into `sink` (tables in name order) and
/// returns the schema changes.
#[instrument(skip_all, fields(a = %a.display(), b = %b.display()))]
pub fn diff_into(
    a: &Path,
    b: &Path,
    opts: &DiffOptions,
    sink: &mut dyn DiffSink,
) -> Result<Vec<SchemaChange>> {
    sonde_metrics::timed("diff.run", || with_session(a, b, |session| session.run(opts, sink)))
}

/// Receives a row: its rowid (when the table has one apart from its
/// columns) and its stored values.
pub type RowVisitor<'f> = dyn FnMut(Option<i64>, &[Value]) -> Result<()> + 'f;

/// Both databases open, each in one read transaction, for one or more
/// passes over the same snapshots.
pub struct Session<'s> {
    db_a: &'s Db,
    db_b: &'s Db,
    conn_a: &'s rusqlite::Connection,
    conn_b: &'s rusqlite::Connection,
    changes: Vec<SchemaChange>,
}

/// Opens `a` and `b` read-only, one snapshot each, for `f`.
pub fn with_session<T>(a: &Path, b: &Path, f: impl FnOnce(&mut Session<'_>) -> Result<T>) -> Result<T> {
    let (db_a, db_b) = (Db::open(a)?, Db::open(b)?);
    let (conn_a, conn_b) = (db_a.reader()?, db_b.reader()?);
    let tx_a = conn_a.unchecked_transaction().at(db_a.path())?;
    let tx_b = conn_b.unchecked_transaction().at(db_b.path())?;
    let changes = schema::diff(&conn_a, db_a.path(), &conn_b, db_b.path())?;
    let mut session = Session { db_a: &db_a, db_b: &db_b, conn_a: &conn_a, conn_b: &conn_b, changes };
    let out = f(&mut session);
    drop((tx_a, tx_b));
    out
}

impl Session<'_> {
    pub fn schema_changes(&self) -> &[SchemaChange] {
        &self.changes
    }

    /// One pass of the row diff into `sink`; returns the schema changes.
    pub fn run(&mut self, opts: &DiffOptions, sink: &mut dyn DiffSink) -> Result<Vec<SchemaChange>> {
        let plans = plan(self.db_a, self.conn_a, self.db_b, self.conn_b, opts)?;
        let mut pages_a = btree::Pages::open(self.conn_a, self.db_a.path())?;
        let mut pages_b = btree::Pages::open(self.conn_b, self.db_b.path())?;
        for p in plans {
            let definition_changed =
                self.changes.iter().any(|c| c.kind == ObjectKind::Table && c.name == p.name);
            compare_table(
                &p,
                definition_changed,
                (self.conn_a, self.db_a.path(), &mut pages_a),
                (self.conn_b, self.db_b.path(), &mut pages_b),
                sink,
            )?;
        }
        Ok(self.changes.clone())
    }

    /// The schema of a table in B (`None` when B has no such table).
    pub fn table_b(&self, name: &str) -> Result<Option<Arc<TableSchema>>> {
        match self.db_b.table(self.conn_b, name) {
            Ok(t) => Ok(Some(t)),
            Err(crate::DbError::NoSuchTable(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every row of a table in B, with its rowid when it has one: (rowid, stored values).
    pub fn each_row_b(&self, table: &TableSchema, f: &mut RowVisitor<'_>) -> Result<()> {
        let columns = stored(table);
        let rowid = match (&table.key, table.rowid_column) {
            (KeyStrategy::Rowid { alias }, None) => Some(*alias),
            _ => None,
        };
        let list = crate::ident::quote_list(columns.iter().map(|c| &**c));
        let sql = match rowid {
            Some(alias) if columns.is_empty() => {
                format!("SELECT {alias} FROM {}", crate::ident::quote(&table.name))
            }
            Some(alias) => format!("SELECT {alias}, {list} FROM {}", crate::ident::quote(&table.name)),
            None => format!("SELECT {list} FROM {}", crate::ident::quote(&table.name)),
        };
        let path = self.db_b.path();
        let mut stmt = self.conn_b.prepare(&sql).at(path)?;
        let mut rows = stmt.query([]).at(path)?;
        let offset = usize::from(rowid.is_some());
        let mut values = Vec::with_capacity(columns.len());
        while let Some(row) = rows.next().at(path)? {
            let id = if offset == 1 { Some(row.get::<_, i64>(0).at(path)?) } else { None };
            values.clear();
            for i in 0..columns.len() {
                values.push(Value::from_ref(row.get_ref(i + offset).at(path)?));
            }
            f(id, &values)?;
        }
        Ok(())
    }
}

fn plan(
    db_a: &Db,
    conn_a: &rusqlite::Connection,
    db_b: &Db,
    conn_b: &rusqlite::Connection,
    opts: &DiffOptions,
) -> Result<Vec<Plan>> {
    let tables = |db: &Db, conn: &rusqlite::Connection| -> Result<Vec<Arc<TableSchema>>> {
        crate::schema::list_tables(conn)
            .at(db.path())?
            .into_iter()
            .filter(|t| matches!(t.kind, TableKind::Table | TableKind::Shadow))
            .map(|t| db.table(conn, &t.name))
            .collect()
    };
    let (in_a, in_b) = (tables(db_a, conn_a)?, tables(db_b, conn_b)?);
    let mut names: Vec<String> = in_a.iter().chain(&in_b).map(|t| t.name.clone()).collect();
    names.sort();
    names.dedup();
    if !opts.tables.is_empty() {
        let wanted = |n: &str| opts.tables.iter().any(|w| w == n || w.eq_ignore_ascii_case(n));
        let unknown: Vec<&String> = opts
            .tables
            .iter()
            .filter(|w| !names.iter().any(|n| n == *w || n.eq_ignore_ascii_case(w)))
            .collect();
        if let Some(first) = unknown.first() {
            return Err(crate::DbError::NoSuchTable((*first).clone()));
        }
        names.retain(|n| wanted(n));
    }
    // `sqlite_sequence` last: its counters are set after the rows.
    names.sort_by_key(|n| n == "sqlite_sequence");
    Ok(names
        .into_iter()
        .map(|name| Plan {
            a: in_a.iter().find(|t| t.name == name).cloned(),
            b: in_b.iter().find(|t| t.name == name).cloned(),
            name,
        })
        .collect())
}

fn stored(schema: &TableSchema) -> Vec<Arc<str>> {
    schema.columns.iter().filter(|c| c.origin == ColumnOrigin::Normal).map(|c| Arc::clone(&c.name)).collect()
}

fn key_names(schema: Option<&TableSchema>) -> Vec<Arc<str>> {
    match schema.map(|s| (&s.key, s)) {
        // The INTEGER PRIMARY KEY column is the rowid under its own name.
        Some((KeyStrategy::Rowid { .. }, s)) if s.rowid_column.is_some() => {
            s.rowid_column.map(|i| Arc::clone(&s.columns[i].name)).into_iter().collect()
        }
        Some((KeyStrategy::Rowid { alias }, _)) => vec![Arc::from(*alias)],
        Some((KeyStrategy::PrimaryKey { columns }, s)) => {
            columns.iter().map(|&i| Arc::clone(&s.columns[i].name)).collect()
        }
        _ => Vec::new(),
    }
}

fn key_exprs(schema: &TableSchema) -> Option<Vec<String>> {
    match &schema.key {
        KeyStrategy::Rowid { alias } => Some(vec![(*alias).to_owned()]),
        KeyStrategy::PrimaryKey { columns } => {
            Some(columns.iter().map(|&i| crate::ident::quote(&schema.columns[i].name)).collect())
        }
        KeyStrategy::None => None,
    }
}

type SideRef<'a, 'c> = (&'a rusqlite::Connection, &'a Path, &'a mut Option<btree::Pages<'c>>);

fn compare_table(
    plan: &Plan,
    definition_changed: bool,
    (conn_a, path_a, pages_a): SideRef<'_, '_>,
    (conn_b, path_b, pages_b): SideRef<'_, '_>,
    sink: &mut dyn DiffSink,
) -> Result<()> {
    // Only in one version: every row inserted (or deleted), matched against an empty table.
    let (status, columns, key) = match (&plan.a, &plan.b) {
        (Some(a), Some(b)) => {
            let cols_a = stored(a);
            let common: Vec<Arc<str>> = stored(b).into_iter().filter(|c| cols_a.contains(c)).collect();
            (TableStatus::Compared, common, b.key.clone())
        }
        (None, Some(b)) => (TableStatus::Added, stored(b), b.key.clone()),
        (Some(a), None) => (TableStatus::Dropped, stored(a), a.key.clone()),
        (None, None) => return Ok(()),
    };
    let header = TableHeader {
        name: plan.name.clone(),
        status,
        schema_changed: definition_changed || status != TableStatus::Compared,
        columns: columns.clone(),
        key: key.clone(),
        key_columns: key_names(plan.b.as_deref().or(plan.a.as_deref())),
    };
    sink.table(&header)?;
    let whole = sink.whole_updates();
    let mut emit_key = |mut change: RowChange| -> Result<()> {
        change.key = RowKey::from_values(&key, &change.key_values).map(|k| k.encode());
        sink.row(change)
    };
    let counts = match (&plan.a, &plan.b) {
        (Some(a), Some(b)) => {
            let (side_a, side_b) = ((conn_a, path_a, pages_a), (conn_b, path_b, pages_b));
            compare_both(a, b, &columns, side_a, side_b, whole, &mut emit_key)?
        }
        (None, Some(b)) => one_side(b, &columns, conn_b, path_b, RowOp::Insert, &mut emit_key)?,
        (Some(a), None) => one_side(a, &columns, conn_a, path_a, RowOp::Delete, &mut emit_key)?,
        (None, None) => rows::Counts::default(),
    };
    let counts = TableCounts {
        inserted: counts.inserted,
        deleted: counts.deleted,
        updated: counts.updated,
        compared: counts.compared,
    };
    sink.table_done(&header, &counts)
}

fn compare_both(
    a: &TableSchema,
    b: &TableSchema,
    columns: &[Arc<str>],
    (conn_a, path_a, pages_a): SideRef<'_, '_>,
    (conn_b, path_b, pages_b): SideRef<'_, '_>,
    whole_updates: bool,
    emit: &mut dyn FnMut(RowChange) -> Result<()>,
) -> Result<rows::Counts> {
    let same_key_kind = std::mem::discriminant(&a.key) == std::mem::discriminant(&b.key);
    let (Some(key_a), Some(key_b)) = (key_exprs(a), key_exprs(b)) else {
        let side_a = rows::Side { conn: conn_a, path: path_a, table: &a.name, key: Vec::new(), rowid: false };
        let side_b = rows::Side { conn: conn_b, path: path_b, table: &b.name, key: Vec::new(), rowid: false };
        return rows::multiset(&side_a, &side_b, columns, emit);
    };
    if !same_key_kind || key_a.len() != key_b.len() {
        // Keyed differently: as if dropped and added.
        let mut counts = one_side(a, columns, conn_a, path_a, RowOp::Delete, emit)?;
        let added = one_side(b, columns, conn_b, path_b, RowOp::Insert, emit)?;
        counts.inserted = added.inserted;
        counts.compared += added.compared;
        return Ok(counts);
    }
    let rowid = matches!(a.key, KeyStrategy::Rowid { .. });
    let side_a = rows::Side { conn: conn_a, path: path_a, table: &a.name, key: key_a, rowid };
    let side_b = rows::Side { conn: conn_b, path: path_b, table: &b.name, key: key_b, rowid };
    let ranges = match (&a.key, &b.key) {
        (KeyStrategy::Rowid { .. }, KeyStrategy::Rowid { .. }) if same_positions(a, b, columns) => {
            match (root_page(conn_a, path_a, &a.name)?, root_page(conn_b, path_b, &b.name)?, pages_a, pages_b)
            {
                (Some(ra), Some(rb), Some(pa), Some(pb)) => {
                    btree::changed_ranges(pa, ra, pb, rb)?.map(btree::merge)
                }
                _ => None,
            }
        }
        _ => None,
    };
    if let Some(ranges) = &ranges {
        if ranges.is_empty() {
            return Ok(rows::Counts::default());
        }
    }
    let ranged = matches!(a.key, KeyStrategy::Rowid { .. });
    let ranges = if ranged { ranges.as_deref() } else { None };
    rows::merge_join(&side_a, &side_b, columns, ranges, whole_updates, emit)
}

/// Whether the compared columns sit at the same positions of the stored
/// record in both versions (identical pages then mean identical values).
fn same_positions(a: &TableSchema, b: &TableSchema, columns: &[Arc<str>]) -> bool {
    let position = |s: &TableSchema, name: &Arc<str>| s.columns.iter().position(|c| &c.name == name);
    columns.iter().all(|c| position(a, c) == position(b, c))
}

fn root_page(conn: &rusqlite::Connection, path: &Path, table: &str) -> Result<Option<u32>> {
    use rusqlite::OptionalExtension;
    let root: Option<i64> = conn
        .query_row("SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = ?1", [table], |r| {
            r.get(0)
        })
        .optional()
        .at(path)?;
    Ok(root.and_then(|r| u32::try_from(r).ok()).filter(|r| *r > 0))
}

/// Every row of a table present in one version only.
fn one_side(
    schema: &TableSchema,
    columns: &[Arc<str>],
    conn: &rusqlite::Connection,
    path: &Path,
    op: RowOp,
    emit: &mut dyn FnMut(RowChange) -> Result<()>,
) -> Result<rows::Counts> {
    let empty_db = rusqlite::Connection::open_in_memory().at(path)?;
    let key = key_exprs(schema).unwrap_or_default();
    // The same columns and key names, no rows: the other side of the join
    // (under a neutral name: `sqlite_sequence`, say, cannot be created).
    const EMPTY: &str = "empty_side";
    let create = format!("CREATE TABLE {EMPTY}({})", crate::ident::quote_list(columns.iter().map(|c| &**c)));
    empty_db.execute_batch(&create).at(path)?;
    let rowid = matches!(schema.key, KeyStrategy::Rowid { .. });
    let real = rows::Side { conn, path, table: &schema.name, key: key.clone(), rowid };
    let empty = rows::Side { conn: &empty_db, path, table: EMPTY, key: key.clone(), rowid };
    if key.is_empty() {
        return match op {
            RowOp::Insert => rows::multiset(&empty, &real, columns, emit),
            _ => rows::multiset(&real, &empty, columns, emit),
        };
    }
    match op {
        RowOp::Insert => rows::merge_join(&empty, &real, columns, None, true, emit),
        _ => rows::merge_join(&real, &empty, columns, None, true, emit),
    }
}

#[cfg(test)]
mod tests;

/// Receives a diff grouped by table: each table's counts come before its rows.
pub trait GroupedSink {
    /// As [`DiffSink::whole_updates`].
    fn whole_updates(&self) -> bool {
        true
    }
    fn table(&mut self, header: &TableHeader, counts: &TableCounts) -> Result<()>;
    fn row(&mut self, header: &TableHeader, change: &RowChange) -> Result<()>;
}

/// The diff, table by table, each table's counts before its rows (what a
/// reader expects first), in bounded memory: a table's rows are held up to
/// `buffer`; a table with more is compared a second time (same snapshots)
/// to stream them. Tables without any difference are left out.
pub fn grouped(
    a: &Path,
    b: &Path,
    opts: &DiffOptions,
    buffer: usize,
    sink: &mut dyn GroupedSink,
) -> Result<Vec<SchemaChange>> {
    struct Buffer<'s> {
        cap: usize,
        rows: Vec<RowChange>,
        overflow: bool,
        out: &'s mut dyn GroupedSink,
        /// Tables to compare again, rows streamed.
        again: Vec<(TableHeader, TableCounts)>,
    }
    impl DiffSink for Buffer<'_> {
        fn whole_updates(&self) -> bool {
            self.out.whole_updates()
        }
        fn table(&mut self, _: &TableHeader) -> Result<()> {
            self.rows.clear();
            self.overflow = false;
            Ok(())
        }
        fn row(&mut self, change: RowChange) -> Result<()> {
            if self.rows.len() < self.cap {
                self.rows.push(change);
            } else {
                self.overflow = true;
                self.rows.clear();
            }
            Ok(())
        }
        fn table_done(&mut self, header: &TableHeader, counts: &TableCounts) -> Result<()> {
            if !counts.changed() && !header.schema_changed {
                return Ok(());
            }
            if self.overflow {
                self.again.push((header.clone(), *counts));
                return Ok(());
            }
            self.out.table(header, counts)?;
            for change in self.rows.drain(..) {
                self.out.row(header, &change)?;
            }
            Ok(())
        }
    }
    struct Stream<'s> {
        out: &'s mut dyn GroupedSink,
        header: Option<TableHeader>,
    }
    impl DiffSink for Stream<'_> {
        fn whole_updates(&self) -> bool {
            self.out.whole_updates()
        }
        fn table(&mut self, header: &TableHeader) -> Result<()> {
            self.header = Some(header.clone());
            Ok(())
        }
        fn row(&mut self, change: RowChange) -> Result<()> {
            match &self.header {
                Some(h) => self.out.row(h, &change),
                None => Ok(()),
            }
        }
        fn table_done(&mut self, _: &TableHeader, _: &TableCounts) -> Result<()> {
            Ok(())
        }
    }
    sonde_metrics::timed("diff.grouped", || {
        with_session(a, b, |session| {
            let names: Vec<String> = plan(session.db_a, session.conn_a, session.db_b, session.conn_b, opts)?
                .into_iter()
                .map(|p| p.name)
                .collect();
            for name in names {
                let one = DiffOptions { tables: vec![name] };
                let mut buffer = Buffer {
                    cap: buffer,
                    rows: Vec::new(),
                    overflow: false,
                    out: &mut *sink,
                    again: Vec::new(),
                };
                session.run(&one, &mut buffer)?;
                for (header, counts) in std::mem::take(&mut buffer.again) {
                    sink.table(&header, &counts)?;
                    session.run(&one, &mut Stream { out: &mut *sink, header: None })?;
                }
            }
            Ok(session.changes.clone())
        })
    })
}
