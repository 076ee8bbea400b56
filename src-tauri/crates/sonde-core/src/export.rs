//! Export: a table (with the grid's order and filters) or a query result,
//! streamed to a file — atomically: a temp file beside the target, flushed
//! and fsynced, renamed into place only when complete, created with the
//! user's umask like any file they make — or to a writer (the CLI's stdout).

use crate::blocking::blocking;
use crate::error::{CoreError, Result};
use crate::open::OpenDb;
use crate::service::Sonde;
use serde::{Deserialize, Serialize};
use sonde_db::export::{self, Format, Source};
use sonde_db::filter::Filter;
use sonde_db::query::{self, OrderBy};
use sonde_device::runner::CancellationToken;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use tracing::instrument;

/// What to export, as the app sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ExportSource {
    Table {
        table: String,
        #[serde(default)]
        order: Vec<OrderBy>,
        #[serde(default)]
        filters: Vec<Filter>,
    },
    /// A single read; `name` is the table name the SQL format uses.
    Query { sql: String, name: String },
}

impl ExportSource {
    /// The name a file of this export suggests.
    pub fn name(&self) -> &str {
        match self {
            ExportSource::Table { table, .. } => table,
            ExportSource::Query { name, .. } => name,
        }
    }

    fn into_engine(self) -> Source {
        match self {
            ExportSource::Table { table, order, filters } => Source::Table { table, order, filters },
            ExportSource::Query { sql, name } => Source::Query { sql, name },
        }
    }
}

/// Where the rows go.
pub enum ExportTarget {
    /// A file, written atomically.
    File(PathBuf),
    /// A stream (stdout), written as rows come.
    Writer(Box<dyn Write + Send>),
}

#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportProgress {
    pub rows: u64,
    /// Rows expected, when known.
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportReport {
    pub rows: u64,
    pub bytes: u64,
    /// The file written (empty for a stream).
    pub path: String,
}

impl Sonde {
    /// Exports `source` in `format` to `target`, reporting progress; `cancel`
    /// stops it (a file target is then not created).
    #[instrument(skip_all, fields(?format))]
    pub async fn export(
        &self,
        db: &OpenDb,
        source: ExportSource,
        format: Format,
        target: ExportTarget,
        mut progress: impl FnMut(ExportProgress) + Send + 'static,
        cancel: &CancellationToken,
    ) -> Result<ExportReport> {
        let path = db.path.clone();
        let cancel = cancel.clone();
        blocking(move || {
            let total = match &source {
                ExportSource::Table { table, filters, .. } if filters.is_empty() => {
                    query::estimate(&path, table).ok().flatten()
                }
                _ => None,
            };
            let source = source.into_engine();
            let mut report = |rows: u64| {
                progress(ExportProgress { rows, total });
                !cancel.is_cancelled()
            };
            match target {
                ExportTarget::Writer(out) => {
                    let mut out = BufWriter::with_capacity(64 * 1024, out);
                    let rows = export::export(&path, &source, format, &mut out, &mut report)?;
                    out.flush().map_err(|e| CoreError::Db(sonde_db::DbError::Output(e)))?;
                    Ok(ExportReport { rows, bytes: 0, path: String::new() })
                }
                ExportTarget::File(target) => write_atomically(&target, |out| {
                    Ok(export::export(&path, &source, format, out, &mut report)?)
                }),
            }
        })
        .await
    }
}

/// Writes through `fill` into a temp file beside `target`, then fsyncs it
/// and renames it over `target`. On any error nothing is left behind.
fn write_atomically(target: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<u64>) -> Result<ExportReport> {
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".sonde-export-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // As any new file the user makes: 0o666 less their umask (a temp
        // file would otherwise stay 0o600 after the rename).
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir).map_err(|e| CoreError::io(dir, e))?;
    let rows = {
        let mut out = BufWriter::with_capacity(64 * 1024, tmp.as_file());
        let rows = fill(&mut out)?;
        out.flush().map_err(|e| CoreError::io(tmp.path(), e))?;
        rows
    };
    tmp.as_file().sync_all().map_err(|e| CoreError::io(tmp.path(), e))?;
    let bytes = tmp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
    tmp.persist(target).map_err(|e| CoreError::io(target, e.error))?;
    Ok(ExportReport { rows, bytes, path: target.display().to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file appears only when complete, with the user's umask (not a
    /// temp file's 0600), and a failing export leaves nothing behind.
    #[test]
    fn files_are_written_atomically_with_the_users_umask() {
        let dir = tempfile::tempdir().expect("tmp");
        let target = dir.path().join("out.csv");
        let report = write_atomically(&target, |out| {
            out.write_all(b"a,b\n").map_err(|e| CoreError::io("mem", e))?;
            assert!(!target.exists(), "not there before it is complete");
            Ok(1)
        })
        .expect("write");
        assert_eq!((report.rows, report.bytes), (1, 4));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&target).expect("meta").permissions().mode() & 0o777;
            // The test process's umask, read back from a file made the usual way.
            let probe = dir.path().join("probe");
            std::fs::write(&probe, b"").expect("probe");
            let usual = std::fs::metadata(&probe).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, usual, "an export is created like any other file");
        }
        let failed = dir.path().join("failed.csv");
        let e = write_atomically(&failed, |_| Err(CoreError::Internal("boom".into())));
        assert!(e.is_err());
        assert!(!failed.exists());
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into())
            .collect();
        assert!(names.iter().all(|n| !n.starts_with(".sonde-export-")), "{names:?}");
    }
}
