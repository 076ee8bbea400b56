//! The export service: streams a table (optionally filtered and sorted) or
//! a query result to CSV, JSON (array of objects), JSONL or SQL, one row at
//! a time, never holding the result in memory.

use crate::error::{DbError, Result, SqliteResultExt};
use crate::filter::Filter;
use crate::ident;
use crate::pool::Db;
use crate::query::{ColumnMeta, OrderBy, RowSink};
use crate::schema::{TableKind, TableSchema};
use crate::sqlbuild::Plan;
use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;
use std::str::FromStr;
use tracing::instrument;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Format {
    Csv,
    Json,
    Jsonl,
    Sql,
}

impl FromStr for Format {
    type Err = DbError;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "sql" => Ok(Format::Sql),
            other => Err(DbError::BadValue(format!(
                "unknown export format {other:?} (expected csv, json, jsonl or sql)"
            ))),
        }
    }
}

/// What to export.
#[derive(Debug, Clone)]
pub enum Source {
    /// A table or view, with the grid's order and filters.
    Table { table: String, order: Vec<OrderBy>, filters: Vec<Filter> },
    /// A read-only query; `name` is the table name used by the SQL format.
    Query { sql: String, name: String },
}

/// Progress is reported every this many rows.
pub const PROGRESS_EVERY: u64 = 1_000;

/// Streams `source` to `out` in `format`. `progress(rows_so_far)` is called
/// every [`PROGRESS_EVERY`] rows and at the end; returning `false` cancels
/// with [`DbError::Cancelled`]. Returns the number of rows written.
#[instrument(skip_all, fields(db = %path.display(), ?format))]
pub fn export(
    path: &Path,
    source: &Source,
    format: Format,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<u64> {
    sonde_metrics::timed("export.run", || {
        let db = Db::open(path)?;
        let conn = db.reader()?;
        match source {
            Source::Table { table, order, filters } => {
                let schema = db.table(&conn, table)?;
                let plan = Plan::new(&schema, order, filters, None, None)?;
                let mut stmt = conn.prepare(&plan.sql).at(db.path())?;
                let columns: Vec<ColumnMeta> = schema
                    .visible_columns()
                    .map(|(_, c)| ColumnMeta { name: c.name.clone(), decl_type: c.decl_type.clone() })
                    .collect();
                let mut writer = FormatWriter::new(format, out, TableSql::for_table(&conn, &schema)?);
                writer.begin(&columns)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(plan.params.iter())).at(db.path())?;
                let mut values = Vec::with_capacity(columns.len());
                let mut n = 0u64;
                while let Some(row) = rows.next().at(db.path())? {
                    values.clear();
                    for i in plan.prefix..plan.prefix + columns.len() {
                        values.push(Value::from_ref(row.get_ref(i).at(db.path())?));
                    }
                    writer.row(&values)?;
                    n += 1;
                    if n.is_multiple_of(PROGRESS_EVERY) && !progress(n) {
                        return Err(DbError::Cancelled);
                    }
                }
                writer.finish()?;
                progress(n);
                Ok(n)
            }
            Source::Query { sql, name } => {
                let mut stmt = crate::console::prepare_read(&db, &conn, sql)?;
                let mut sink = ExportSink {
                    writer: FormatWriter::new(format, out, TableSql::for_query(name)),
                    rows: 0,
                    progress,
                    started: false,
                };
                crate::query::stream_statement(&db, &mut stmt, &mut sink)?;
                if !sink.started {
                    sink.writer.begin(&[])?;
                }
                sink.writer.finish()?;
                (sink.progress)(sink.rows);
                Ok(sink.rows)
            }
        }
    })
}

struct ExportSink<'a, 'p> {
    writer: FormatWriter<'a>,
    rows: u64,
    progress: &'p mut dyn FnMut(u64) -> bool,
    started: bool,
}

impl RowSink for ExportSink<'_, '_> {
    fn columns(&mut self, columns: &[ColumnMeta]) -> Result<()> {
        self.started = true;
        self.writer.begin(columns)
    }
    fn row(&mut self, values: &[Value]) -> Result<bool> {
        self.writer.row(values)?;
        self.rows += 1;
        if self.rows.is_multiple_of(PROGRESS_EVERY) && !(self.progress)(self.rows) {
            return Err(DbError::Cancelled);
        }
        Ok(true)
    }
}

/// The DDL around the INSERTs of the SQL format.
struct TableSql {
    /// Target table name.
    name: String,
    /// `CREATE TABLE` as stored, or `None` to synthesize from the columns.
    create: Option<String>,
    /// Index and trigger statements to replay after the data.
    after: Vec<String>,
    /// Columns that cannot be inserted (generated): skipped in INSERTs.
    skip: Vec<bool>,
}

impl TableSql {
    fn for_table(conn: &rusqlite::Connection, schema: &TableSchema) -> Result<TableSql> {
        let is_table = schema.kind == TableKind::Table;
        let mut after = Vec::new();
        if is_table {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT sql FROM sqlite_schema WHERE tbl_name = ?1 AND type IN ('index', 'trigger') \
                     AND sql IS NOT NULL ORDER BY type, name",
                )
                .map_err(|e| DbError::Sql(e.to_string()))?;
            let rows = stmt
                .query_map([&schema.name], |r| r.get::<_, String>(0))
                .map_err(|e| DbError::Sql(e.to_string()))?;
            for sql in rows {
                after.push(sql.map_err(|e| DbError::Sql(e.to_string()))?);
            }
        }
        Ok(TableSql {
            name: schema.name.clone(),
            create: match internal_table_prologue(&schema.name) {
                Some(prologue) if is_table => Some(prologue.to_owned()),
                _ if is_table => schema.sql.clone(),
                _ => None,
            },
            after,
            skip: schema.visible_columns().map(|(_, c)| is_table && c.origin.is_generated()).collect(),
        })
    }

    fn for_query(name: &str) -> TableSql {
        TableSql { name: name.to_owned(), create: None, after: Vec::new(), skip: Vec::new() }
    }
}

/// SQLite's own tables cannot be created by a script (`object name reserved
/// for internal use`): replay fills the ones SQLite made, as `sqlite3 .dump`
/// does (`sqlite_sequence` exists once an AUTOINCREMENT table does).
fn internal_table_prologue(table: &str) -> Option<&'static str> {
    let lower = table.to_ascii_lowercase();
    if lower == "sqlite_sequence" {
        Some("DELETE FROM sqlite_sequence")
    } else if lower.starts_with("sqlite_stat") {
        Some("ANALYZE sqlite_schema")
    } else {
        None
    }
}

/// Writes rows in one format. Output errors are reported as such (a closed
/// pipe is not a database error).
struct FormatWriter<'a> {
    format: Format,
    out: &'a mut dyn Write,
    table: TableSql,
    columns: Vec<ColumnMeta>,
    /// Pre-encoded JSON keys (`"name":`) or the SQL INSERT prefix.
    prefixes: Vec<String>,
    insert_head: String,
    rows: u64,
    buf: Vec<u8>,
}

impl<'a> FormatWriter<'a> {
    fn new(format: Format, out: &'a mut dyn Write, table: TableSql) -> Self {
        FormatWriter {
            format,
            out,
            table,
            columns: Vec::new(),
            prefixes: Vec::new(),
            insert_head: String::new(),
            rows: 0,
            buf: Vec::with_capacity(4096),
        }
    }

    fn begin(&mut self, columns: &[ColumnMeta]) -> Result<()> {
        self.columns = columns.to_vec();
        self.buf.clear();
        match self.format {
            Format::Csv => {
                for (i, c) in columns.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(b',');
                    }
                    Value::Text(c.name.to_string()).write_csv_field(&mut self.buf);
                }
                self.buf.extend_from_slice(b"\r\n");
            }
            Format::Json | Format::Jsonl => {
                self.prefixes = columns
                    .iter()
                    .map(|c| format!("{}:", serde_json::Value::String(c.name.to_string())))
                    .collect();
                if self.format == Format::Json {
                    self.buf.push(b'[');
                }
            }
            Format::Sql => {
                let create = match &self.table.create {
                    Some(sql) => sql.clone(),
                    None => {
                        let cols: Vec<String> = columns
                            .iter()
                            .map(|c| {
                                let mut s = ident::quote(&c.name);
                                if !c.decl_type.is_empty() {
                                    s.push(' ');
                                    s.push_str(&c.decl_type);
                                }
                                s
                            })
                            .collect();
                        format!("CREATE TABLE {}({})", ident::quote(&self.table.name), cols.join(", "))
                    }
                };
                let kept: Vec<&str> = columns
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !self.table.skip.get(*i).copied().unwrap_or(false))
                    .map(|(_, c)| &*c.name)
                    .collect();
                self.insert_head = format!(
                    "INSERT INTO {}({}) VALUES(",
                    ident::quote(&self.table.name),
                    ident::quote_list(kept)
                );
                self.buf.extend_from_slice(b"PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n");
                self.buf.extend_from_slice(create.as_bytes());
                self.buf.extend_from_slice(b";\n");
            }
        }
        self.flush_buf()
    }

    fn row(&mut self, values: &[Value]) -> Result<()> {
        match self.format {
            Format::Csv => {
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(b',');
                    }
                    v.write_csv_field(&mut self.buf);
                }
                self.buf.extend_from_slice(b"\r\n");
            }
            Format::Json | Format::Jsonl => {
                if self.format == Format::Json {
                    self.buf.extend_from_slice(if self.rows == 0 { b"\n" } else { b",\n" });
                }
                self.buf.push(b'{');
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(b',');
                    }
                    self.buf.extend_from_slice(self.prefixes[i].as_bytes());
                    serde_json::to_writer(&mut self.buf, v).map_err(|e| DbError::Sql(e.to_string()))?;
                }
                self.buf.push(b'}');
                if self.format == Format::Jsonl {
                    self.buf.push(b'\n');
                }
            }
            Format::Sql => {
                let mut line = String::with_capacity(self.insert_head.len() + 16 * values.len());
                line.push_str(&self.insert_head);
                let mut first = true;
                for (i, v) in values.iter().enumerate() {
                    if self.table.skip.get(i).copied().unwrap_or(false) {
                        continue;
                    }
                    if !first {
                        line.push(',');
                    }
                    first = false;
                    v.push_sql_literal(&mut line);
                }
                line.push_str(");\n");
                self.buf.extend_from_slice(line.as_bytes());
            }
        }
        self.rows += 1;
        if self.buf.len() >= 64 * 1024 {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        match self.format {
            Format::Csv | Format::Jsonl => {}
            Format::Json => self.buf.extend_from_slice(if self.rows == 0 { b"]\n" } else { b"\n]\n" }),
            Format::Sql => {
                for sql in &self.table.after {
                    self.buf.extend_from_slice(sql.as_bytes());
                    self.buf.extend_from_slice(b";\n");
                }
                self.buf.extend_from_slice(b"COMMIT;\n");
            }
        }
        self.flush_buf()?;
        self.out.flush().map_err(DbError::Output)
    }

    fn flush_buf(&mut self) -> Result<()> {
        self.out.write_all(&self.buf).map_err(DbError::Output)?;
        self.buf.clear();
        Ok(())
    }
}
