//! `export`: to stdout as rows come, or atomically to a file (the core
//! writes a temp file, fsyncs and renames it only when complete).

use super::read::parse_filters;
use super::{CliError, CliResult, Ctx};
use sonde_core::{ExportSource, ExportTarget, Format, OpenDb, OrderBy};
use std::path::PathBuf;

#[allow(clippy::too_many_arguments)]
pub fn run(
    ctx: &Ctx,
    db: &OpenDb,
    table: String,
    format: &str,
    query: Option<String>,
    order: &[String],
    filters: &[String],
    output: Option<PathBuf>,
) -> CliResult {
    let format: Format = format.parse()?;
    let source = match query {
        Some(sql) => {
            if !order.is_empty() || !filters.is_empty() {
                return Err(CliError::Usage("--order and --where apply to tables, not to --query".into()));
            }
            ExportSource::Query { sql, name: table }
        }
        None => ExportSource::Table {
            table,
            order: order.iter().map(|o| OrderBy::parse(o)).collect(),
            filters: parse_filters(filters)?,
        },
    };
    let target = match output {
        Some(path) => ExportTarget::File(path),
        None => ExportTarget::Writer(Box::new(std::io::stdout())),
    };
    ctx.run(ctx.core.export(db, source, format, target, |_| {}, &ctx.cancel))?;
    Ok(())
}
