//! `diff`: what changed between two databases (or two versions of one), as
//! text (each changed table's counts, then its rows), JSON, or SQL.

use super::read::{stdout, Out};
use super::{CliError, CliResult, Ctx};
use crate::render;
use sonde_core::{DbError, DiffSink, GroupedSink, RowChange, RowOp, TableCounts, TableHeader, Value};
use std::io::Write;

pub enum Format {
    Text,
    Json,
    Sql,
}

pub fn run(
    ctx: &Ctx,
    a: &str,
    b: Option<&str>,
    from: Option<u32>,
    to: Option<u32>,
    tables: Vec<String>,
    format: Format,
) -> CliResult {
    let (db_a, db_b) = match (b, from) {
        (Some(b), None) => (ctx.open(a)?, ctx.open(b)?),
        (None, Some(from)) => ctx.run(ctx.core.version_pair(&sonde_core::Location::parse(a)?, from, to))?,
        (Some(_), Some(_)) => return Err(CliError::Usage("give either B or --from N, not both".into())),
        (None, None) => return Err(CliError::Usage("give the database to compare with, or --from N".into())),
    };
    match format {
        Format::Sql => ctx.run(ctx.core.diff_sql(&db_a, &db_b, tables, Box::new(std::io::stdout()))),
        Format::Json => {
            let mut sink = ctx.run(ctx.core.diff_stream(&db_a, &db_b, tables, Json::new(stdout())))?.1;
            sink.finish()?;
            Ok(())
        }
        Format::Text => {
            let (schema, mut sink) =
                ctx.run(ctx.core.diff_grouped(&db_a, &db_b, tables, Text { out: stdout() }))?;
            for change in schema {
                let line =
                    format!("schema: {:?} {} {:?}", change.kind, change.name, change.change).to_lowercase();
                writeln!(sink.out, "{}", render::escape_controls(&line, false))?;
            }
            sink.out.flush()?;
            Ok(())
        }
    }
}

fn out_err(e: std::io::Error) -> DbError {
    DbError::Output(e)
}

/// `{"tables":[{"name", "schema_changed", "status", "rows":[...], "inserted", "deleted", "updated"}]}`,
/// (an update's `old` and `new` hold its changed cells only),
/// streamed as the diff runs (a table's counts follow its rows; tables
/// without any difference are left out). Rows: `{"op", "key", "old": {col:
/// value}, "new": {...}}`, values in the JSON the other commands use.
struct Json {
    out: Out,
    tables: usize,
    rows: usize,
    /// The current table's object is open (its first row came).
    open: bool,
    /// `"column":` prefixes of the current table, escaped once.
    names: Vec<Vec<u8>>,
    header: Option<TableHeader>,
}

impl Json {
    fn new(out: Out) -> Json {
        Json { out, tables: 0, rows: 0, open: false, names: Vec::new(), header: None }
    }

    fn finish(&mut self) -> CliResult {
        if self.tables == 0 {
            self.out.write_all(b"{\"tables\":[")?;
        }
        self.out.write_all(b"]}\n")?;
        self.out.flush()?;
        Ok(())
    }

    fn open_table(&mut self, header: &TableHeader) -> Result<(), DbError> {
        let head: &[u8] = if self.tables == 0 { b"{\"tables\":[" } else { b"," };
        self.out.write_all(head).map_err(out_err)?;
        self.tables += 1;
        self.rows = 0;
        self.open = true;
        let meta = serde_json::json!({
            "name": header.name,
            "schema_changed": header.schema_changed,
            "status": header.status,
        })
        .to_string();
        // The object stays open for its rows and counts.
        self.out.write_all(&meta.as_bytes()[..meta.len() - 1]).map_err(out_err)?;
        self.out.write_all(b",\"rows\":[").map_err(out_err)
    }

    /// `{"col": value, ...}` for `(column index, value)` pairs.
    fn values<'v>(&mut self, cells: impl Iterator<Item = (u32, &'v Value)>) -> Result<(), DbError> {
        self.out.write_all(b"{").map_err(out_err)?;
        for (n, (column, value)) in cells.enumerate() {
            let Some(name) = self.names.get(column as usize) else { continue };
            if n > 0 {
                self.out.write_all(b",").map_err(out_err)?;
            }
            self.out.write_all(name).map_err(out_err)?;
            serde_json::to_writer(&mut self.out, value).map_err(out_json)?;
        }
        self.out.write_all(b"}").map_err(out_err)
    }
}

fn out_json(e: serde_json::Error) -> DbError {
    DbError::Output(e.into())
}

impl DiffSink for Json {
    fn whole_updates(&self) -> bool {
        false
    }

    fn table(&mut self, header: &TableHeader) -> Result<(), DbError> {
        self.open = false;
        self.header = Some(header.clone());
        self.names = header
            .columns
            .iter()
            .map(|c| {
                let mut name = serde_json::to_vec(&**c).unwrap_or_default();
                name.push(b':');
                name
            })
            .collect();
        Ok(())
    }

    fn row(&mut self, change: RowChange) -> Result<(), DbError> {
        if !self.open {
            let header =
                self.header.take().ok_or_else(|| DbError::Internal("a diff row before its table".into()))?;
            self.open_table(&header)?;
        }
        if self.rows > 0 {
            self.out.write_all(b",").map_err(out_err)?;
        }
        self.rows += 1;
        self.out.write_all(b"{\"op\":").map_err(out_err)?;
        serde_json::to_writer(&mut self.out, &change.op).map_err(out_json)?;
        self.out.write_all(b",\"key\":").map_err(out_err)?;
        serde_json::to_writer(&mut self.out, &change.key).map_err(out_json)?;
        // An update carries its changed cells only (the key names the row).
        if change.op == RowOp::Update {
            self.out.write_all(b",\"old\":").map_err(out_err)?;
            self.values(change.changed_cells().map(|(c, old, _)| (c, old)))?;
            self.out.write_all(b",\"new\":").map_err(out_err)?;
            self.values(change.changed_cells().map(|(c, _, new)| (c, new)))?;
        } else if let Some(values) = change.old.as_ref().or(change.new.as_ref()) {
            let side: &[u8] = if change.op == RowOp::Delete { b",\"old\":" } else { b",\"new\":" };
            self.out.write_all(side).map_err(out_err)?;
            self.values((0u32..).zip(values))?;
        }
        self.out.write_all(b"}").map_err(out_err)
    }

    fn table_done(&mut self, header: &TableHeader, counts: &TableCounts) -> Result<(), DbError> {
        if !self.open && (counts.changed() || header.schema_changed) {
            self.open_table(header)?;
        }
        if self.open {
            write!(
                self.out,
                "],\"inserted\":{},\"deleted\":{},\"updated\":{}}}",
                counts.inserted, counts.deleted, counts.updated
            )
            .map_err(out_err)?;
        }
        self.open = false;
        Ok(())
    }
}

/// `users: 2 inserted, 1 updated, 0 deleted` then `+`, `~`, `-` lines.
struct Text {
    out: Out,
}

impl GroupedSink for Text {
    fn whole_updates(&self) -> bool {
        false
    }

    fn table(&mut self, header: &TableHeader, counts: &TableCounts) -> Result<(), DbError> {
        let schema = if header.schema_changed {
            format!(" (definition {:?})", header.status).to_lowercase()
        } else {
            String::new()
        };
        let line = format!(
            "{}: {} inserted, {} updated, {} deleted{schema}",
            header.name, counts.inserted, counts.updated, counts.deleted
        );
        writeln!(self.out, "{}", render::escape_controls(&line, false)).map_err(out_err)
    }

    fn row(&mut self, header: &TableHeader, change: &RowChange) -> Result<(), DbError> {
        let key = change.key.as_deref().map(|k| format!("key {k}")).unwrap_or_else(|| "row".into());
        let cells = |values: &[Value]| -> String {
            header
                .columns
                .iter()
                .zip(values)
                .map(|(c, v)| format!("{c}={}", render::display(v)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let line = match (change.op, &change.old, &change.new) {
            (RowOp::Insert, _, Some(new)) => format!("  + {key}: {}", cells(new)),
            (RowOp::Delete, Some(old), _) => format!("  - {key}: {}", cells(old)),
            (RowOp::Update, _, _) => {
                let changed: Vec<String> = change
                    .changed_cells()
                    .filter_map(|(i, old, new)| {
                        let name = header.columns.get(i as usize)?;
                        Some(format!("{name}: {} → {}", render::display(old), render::display(new)))
                    })
                    .collect();
                format!("  ~ {key}: {}", changed.join("; "))
            }
            _ => return Ok(()),
        };
        writeln!(self.out, "{}", render::escape_controls(&line, false)).map_err(out_err)
    }
}
