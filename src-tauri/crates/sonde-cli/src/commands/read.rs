//! `tables`, `schema`, `rows`, `query`.

use super::{CliError, CliResult, Ctx};
use crate::render;
use sonde_core::{ColumnMeta, DbError, Filter, OpenDb, OrderBy, PageRequest, RowSink, Value, MAX_PAGE};
use std::io::{BufWriter, Write};

pub fn tables(ctx: &Ctx, db: &OpenDb, json: bool) -> CliResult {
    let tables = ctx.run(ctx.core.tables(db, true))?;
    let mut out = stdout();
    if json {
        serde_json::to_writer(&mut out, &tables).map_err(io)?;
        writeln!(out)?;
    } else {
        // A framework's store: a fourth column says what each table is to it.
        let framework = tables.iter().any(|t| t.framework.is_some());
        let rows: Vec<Vec<String>> = tables
            .iter()
            .map(|t| {
                let n = t.rows.map_or_else(|| "?".to_owned(), |n| n.to_string());
                let mut row = vec![t.name.clone(), t.kind.to_owned(), n];
                if framework {
                    row.push(render::table_role(t));
                }
                row
            })
            .collect();
        let mut header = vec!["name".to_owned(), "kind".into(), "rows".into()];
        if framework {
            header.push("framework".into());
        }
        out.write_all(render::table(&header, &rows).as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

pub fn schema(ctx: &Ctx, db: &OpenDb, table: &str, json: bool) -> CliResult {
    let schema = ctx.run(ctx.core.schema(db, table))?;
    let mut out = stdout();
    if json {
        serde_json::to_writer(&mut out, &*schema).map_err(io)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
    let mut flags = vec![format!("{:?}", schema.kind).to_lowercase()];
    if schema.without_rowid {
        flags.push("without rowid".into());
    }
    if schema.strict {
        flags.push("strict".into());
    }
    writeln!(out, "{} ({})", render::escape_controls(&schema.name, false), flags.join(", "))?;
    let rows: Vec<Vec<String>> = schema
        .columns
        .iter()
        .map(|c| {
            let mut notes = Vec::new();
            if c.pk > 0 {
                notes.push(format!("pk {}", c.pk));
            }
            if c.not_null {
                notes.push("not null".into());
            }
            if c.origin.is_generated() {
                notes.push("generated".into());
            }
            vec![
                c.name.to_string(),
                c.decl_type.to_string(),
                c.default_sql.clone().unwrap_or_default(),
                notes.join(", "),
            ]
        })
        .collect();
    let header = ["column", "type", "default", "constraints"].map(String::from);
    out.write_all(render::table(&header, &rows).as_bytes())?;
    for index in &schema.indexes {
        let cols: Vec<String> =
            index.columns.iter().map(|c| c.clone().unwrap_or_else(|| "<expr>".into())).collect();
        let unique = if index.unique { "unique " } else { "" };
        let line = format!("{unique}index {} ({})", index.name, cols.join(", "));
        writeln!(out, "{}", render::escape_controls(&line, false))?;
    }
    for fk in &schema.foreign_keys {
        let to: Vec<String> = fk.to.iter().map(|c| c.clone().unwrap_or_else(|| "<pk>".into())).collect();
        let line =
            format!("foreign key ({}) references {} ({})", fk.from.join(", "), fk.table, to.join(", "));
        writeln!(out, "{}", render::escape_controls(&line, false))?;
    }
    for trigger in &schema.triggers {
        writeln!(out, "trigger {}", render::escape_controls(&trigger.name, false))?;
    }
    if let Some(sql) = &schema.sql {
        writeln!(out, "{}", render::escape_controls(sql, true))?;
    }
    out.flush()?;
    Ok(())
}

/// How `rows` prints a page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RowsOutput {
    Text,
    /// Text, values shown as their display kinds.
    Display,
    Json,
}

#[allow(clippy::too_many_arguments)]
pub fn rows(
    ctx: &Ctx,
    db: &OpenDb,
    table: String,
    limit: usize,
    after: Option<String>,
    order: &[String],
    filters: &[String],
    output: RowsOutput,
) -> CliResult {
    if limit == 0 || limit > MAX_PAGE {
        return Err(CliError::Usage(format!("--limit must be between 1 and {MAX_PAGE}")));
    }
    let req = PageRequest {
        table,
        limit,
        after,
        order: order.iter().map(|o| OrderBy::parse(o)).collect(),
        filters: parse_filters(filters)?,
    };
    let kinds = match output {
        RowsOutput::Display => {
            let schema = ctx.run(ctx.core.schema(db, &req.table))?;
            schema.columns.iter().filter_map(|c| c.display.map(|k| (c.name.clone(), k))).collect()
        }
        _ => Vec::new(),
    };
    let page = ctx.run(ctx.core.page(db, req))?;
    let mut out = stdout();
    if output == RowsOutput::Json {
        serde_json::to_writer(&mut out, &page).map_err(io)?;
        writeln!(out)?;
    } else {
        let header: Vec<String> = page.columns.iter().map(|c| c.name.to_string()).collect();
        let shown: Vec<Option<sonde_core::DisplayKind>> =
            page.columns.iter().map(|c| kinds.iter().find(|(n, _)| *n == c.name).map(|(_, k)| *k)).collect();
        let rows: Vec<Vec<String>> = page
            .rows
            .iter()
            .map(|r| r.values.iter().zip(&shown).map(|(v, kind)| render::shown(v, *kind)).collect())
            .collect();
        out.write_all(render::table(&header, &rows).as_bytes())?;
        if let Some(next) = &page.next {
            eprintln!("more rows: --after {next}");
        }
    }
    out.flush()?;
    Ok(())
}

pub fn parse_filters(filters: &[String]) -> CliResult<Vec<Filter>> {
    Ok(filters.iter().map(|f| Filter::parse(f)).collect::<Result<Vec<_>, _>>()?)
}

pub fn query(ctx: &Ctx, db: &OpenDb, sql: &str, json: bool) -> CliResult {
    // Scripts rely on `query` running what it is given: it warns, and runs.
    if let Some(warning) = ctx.run(ctx.core.schema_change_warning(db, sql))? {
        eprintln!("warning: {warning}");
    }
    if json {
        let sink = JsonSink { out: stdout(), sets: 0, rows: 0 };
        let (summary, mut sink) = ctx.run(ctx.core.query(db, sql, sink, &ctx.cancel))?;
        if sink.sets == 0 {
            sink.out.write_all(b"{\"columns\":[],\"rows\":[")?;
        }
        writeln!(sink.out, "],\"rows_affected\":{}}}", summary.rows_affected)?;
        sink.out.flush()?;
    } else {
        let sink = TextSink { out: stdout(), sets: 0 };
        let (summary, mut sink) = ctx.run(ctx.core.query(db, sql, sink, &ctx.cancel))?;
        if summary.wrote {
            writeln!(sink.out, "{} row(s) affected", summary.rows_affected)?;
        }
        sink.out.flush()?;
    }
    Ok(())
}

/// Streams the first result set as `{"columns":[..],"rows":[[..],..]`
/// (the caller closes the object); later result sets are executed only.
struct JsonSink {
    out: Out,
    sets: usize,
    rows: u64,
}

impl RowSink for JsonSink {
    fn columns(&mut self, columns: &[ColumnMeta]) -> Result<(), DbError> {
        self.sets += 1;
        if self.sets == 1 {
            self.out.write_all(b"{\"columns\":").map_err(DbError::Output)?;
            serde_json::to_writer(&mut self.out, columns).map_err(|e| DbError::Output(e.into()))?;
            self.out.write_all(b",\"rows\":[").map_err(DbError::Output)?;
        }
        Ok(())
    }
    fn row(&mut self, values: &[Value]) -> Result<bool, DbError> {
        if self.sets != 1 {
            return Ok(true);
        }
        if self.rows > 0 {
            self.out.write_all(b",").map_err(DbError::Output)?;
        }
        serde_json::to_writer(&mut self.out, values).map_err(|e| DbError::Output(e.into()))?;
        self.rows += 1;
        Ok(true)
    }
}

/// `a | b | c` lines, sqlite3-style, streamed.
struct TextSink {
    out: Out,
    sets: usize,
}

impl RowSink for TextSink {
    fn columns(&mut self, columns: &[ColumnMeta]) -> Result<(), DbError> {
        self.sets += 1;
        if self.sets > 1 {
            self.out.write_all(b"\n").map_err(DbError::Output)?;
        }
        let names: Vec<&str> = columns.iter().map(|c| &*c.name).collect();
        writeln!(self.out, "{}", render::escape_controls(&names.join(" | "), false)).map_err(DbError::Output)
    }
    fn row(&mut self, values: &[Value]) -> Result<bool, DbError> {
        let cells: Vec<String> = values.iter().map(render::display).collect();
        writeln!(self.out, "{}", cells.join(" | ")).map_err(DbError::Output)?;
        Ok(true)
    }
}

/// Buffered stdout; `Send`, so a sink holding it can run on a blocking thread.
pub type Out = BufWriter<std::io::Stdout>;

pub fn stdout() -> Out {
    BufWriter::with_capacity(64 * 1024, std::io::stdout())
}

fn io(e: serde_json::Error) -> CliError {
    CliError::Output(e.into())
}
