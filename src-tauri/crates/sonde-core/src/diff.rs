//! Row-level diffs of two open databases (two versions of one, or any two):
//! in memory for the app (rows capped), grouped and streamed for the CLI,
//! or as a SQL script that turns A into B.

use crate::blocking::blocking;
use crate::error::{CoreError, Result};
use crate::location::Location;
use crate::open::OpenDb;
use crate::service::Sonde;
use sonde_db::diff::{self, DbDiff, DiffOptions, GroupedSink, SchemaChange};
use std::io::Write;

impl Sonde {
    /// The diff of `a` → `b` with at most `row_cap` changed rows per table.
    pub async fn diff(&self, a: &OpenDb, b: &OpenDb, tables: Vec<String>, row_cap: usize) -> Result<DbDiff> {
        let (pa, pb) = (a.path.clone(), b.path.clone());
        blocking(move || Ok(diff::diff(&pa, &pb, &DiffOptions { tables }, row_cap)?)).await
    }

    /// The diff table by table (counts before rows) into `sink`, in bounded
    /// memory; returns the schema changes and the sink.
    pub async fn diff_grouped<S: GroupedSink + Send + 'static>(
        &self,
        a: &OpenDb,
        b: &OpenDb,
        tables: Vec<String>,
        sink: S,
    ) -> Result<(Vec<SchemaChange>, S)> {
        let (pa, pb) = (a.path.clone(), b.path.clone());
        blocking(move || {
            let mut sink = sink;
            let changes = diff::grouped(&pa, &pb, &DiffOptions { tables }, 10_000, &mut sink)?;
            Ok((changes, sink))
        })
        .await
    }

    /// The diff streamed into `sink` as it is computed (each table's counts
    /// after its rows); returns the schema changes and the sink.
    pub async fn diff_stream<S: diff::DiffSink + Send + 'static>(
        &self,
        a: &OpenDb,
        b: &OpenDb,
        tables: Vec<String>,
        sink: S,
    ) -> Result<(Vec<SchemaChange>, S)> {
        let (pa, pb) = (a.path.clone(), b.path.clone());
        blocking(move || {
            let mut sink = sink;
            let changes = diff::diff_into(&pa, &pb, &DiffOptions { tables }, &mut sink)?;
            Ok((changes, sink))
        })
        .await
    }

    /// SQL that turns a copy of `a` into `b`, written to `out`.
    pub async fn diff_sql(
        &self,
        a: &OpenDb,
        b: &OpenDb,
        tables: Vec<String>,
        out: Box<dyn Write + Send>,
    ) -> Result<()> {
        let (pa, pb) = (a.path.clone(), b.path.clone());
        blocking(move || {
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, out);
            diff::script::write(&pa, &pb, &DiffOptions { tables }, &mut out)?;
            out.flush().map_err(|e| crate::CoreError::Db(sonde_db::DbError::Output(e)))?;
            Ok(())
        })
        .await
    }
}

impl Sonde {
    /// The versions of a database, oldest first (none pulled or copied:
    /// an empty list; nothing is pulled to answer).
    pub async fn versions(&self, location: &Location) -> Result<Vec<crate::VersionInfo>> {
        let (versions, key) = (self.versions.clone(), location.key());
        blocking(move || versions.list(&key)).await
    }

    /// Versions `from` and `to` (default: the newest) of a database,
    /// opened read-only for a diff.
    pub async fn version_pair(
        &self,
        location: &Location,
        from: u32,
        to: Option<u32>,
    ) -> Result<(OpenDb, OpenDb)> {
        let (versions, key) = (self.versions.clone(), location.key());
        let given = self.given_key(&key);
        let (a, b) = blocking(move || {
            let to = match to {
                Some(n) => n,
                None => versions
                    .latest(&key)?
                    .map(|v| v.number)
                    .ok_or_else(|| CoreError::NoSuchVersion { number: from, location: key.clone() })?,
            };
            let (a, b) = (versions.open(&key, from)?, versions.open(&key, to)?);
            crate::cipher::key_file(given.as_ref(), &a)?;
            crate::cipher::key_file(given.as_ref(), &b)?;
            Ok((a, b))
        })
        .await?;
        let label = crate::open::label_of(location);
        let encrypted = self.given_key(&location.key()).is_some();
        let as_db = |path: std::path::PathBuf| OpenDb {
            encrypted,
            location: Location::Local(path.clone()),
            path,
            snapshot: false,
            label: label.clone(),
        };
        Ok((as_db(a), as_db(b)))
    }

    /// The diff between two versions of a database (`to` None: the newest).
    pub async fn diff_versions(
        &self,
        location: &Location,
        from: u32,
        to: Option<u32>,
        tables: Vec<String>,
        row_cap: usize,
    ) -> Result<DbDiff> {
        let (a, b) = self.version_pair(location, from, to).await?;
        self.diff(&a, &b, tables, row_cap).await
    }
}
