//! `export`: streams to stdout, or atomically to a file (temp file in the
//! same directory, renamed into place only when complete).

use super::read::{parse_filters, stdout};
use super::{CliError, CliResult};
use sonde_db::export::{self, Format, Source};
use sonde_db::query::OrderBy;
use std::io::{BufWriter, Write};
use std::path::Path;

pub fn run(
    db: &Path,
    table: String,
    format: &str,
    query: Option<String>,
    order: &[String],
    filters: &[String],
    output: Option<&Path>,
) -> CliResult {
    let format: Format = format.parse()?;
    let source = match query {
        Some(sql) => {
            if !order.is_empty() || !filters.is_empty() {
                return Err(CliError::Usage("--order and --where apply to tables, not to --query".into()));
            }
            Source::Query { sql, name: table }
        }
        None => Source::Table {
            table,
            order: order.iter().map(|o| OrderBy::parse(o)).collect(),
            filters: parse_filters(filters)?,
        },
    };
    let mut no_progress = |_rows: u64| true;
    match output {
        None => {
            let mut out = stdout();
            export::export(db, &source, format, &mut out, &mut no_progress)?;
            out.flush()?;
        }
        Some(path) => {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let tmp = tempfile::Builder::new()
                .prefix(".sonde-export-")
                .tempfile_in(dir)
                .map_err(|e| CliError::Usage(format!("cannot write in {}: {e}", dir.display())))?;
            let mut out = BufWriter::new(tmp.as_file());
            export::export(db, &source, format, &mut out, &mut no_progress)?;
            out.flush()?;
            drop(out);
            tmp.as_file().sync_all()?;
            tmp.persist(path).map_err(|e| CliError::Output(e.error))?;
        }
    }
    Ok(())
}
