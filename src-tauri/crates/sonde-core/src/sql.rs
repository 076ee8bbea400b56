//! SQL the user typed: the CLI's one-shot `query` (rows streamed to a sink)
//! and the app's console (each statement's result, paged), both recorded
//! in the database's history; a run that wrote to a snapshot makes it
//! something to push.

use crate::blocking::blocking;
use crate::edit::Written;
use crate::error::{CoreError, Result, UiError};
use crate::open::OpenDb;
use crate::service::Sonde;
use serde::{Deserialize, Serialize};
use sonde_db::appstate::HistoryEntry;
use sonde_db::budget::Stop;
use sonde_db::console;
use sonde_db::cursor_sql::SqlPage;
use sonde_db::query::{RowSink, SqlSummary};
use sonde_db::sqltext;
use sonde_device::runner::CancellationToken;
use std::sync::Arc;
use tracing::instrument;

/// Which statements of the console's text run.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum RunScope {
    /// Every statement, in order.
    All,
    /// The statement under the cursor; `offset` is a UTF-16 index (a
    /// JavaScript string position) into the text.
    At { offset: u32 },
}

/// One statement's result in the console.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatementResult {
    /// The statement's text.
    pub sql: String,
    /// Where it is in the text that was sent: [start, end) in UTF-16 code
    /// units (JavaScript string indexes).
    pub start: u32,
    pub end: u32,
    /// First page (empty when the statement failed).
    pub page: SqlPage,
    /// Id for `fetch_sql_page` while more rows remain.
    pub query_id: Option<u32>,
    /// How long the statement took, in milliseconds.
    pub elapsed_ms: f64,
    /// Why this statement failed; `kind: "cancelled"` when the user
    /// cancelled it (not an error).
    pub error: Option<UiError>,
}

/// A console run: the statements that ran, in order (it stops at the first
/// that fails).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SqlRun {
    pub statements: Vec<StatementResult>,
    /// The run changed the database.
    pub wrote: bool,
    /// A script with writes ran in one transaction and was rolled back (a
    /// statement failed or was cancelled).
    pub rolled_back: bool,
}

/// A later page of a console result.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SqlResult {
    pub page: SqlPage,
    /// Id for `fetch_sql_page` while more rows remain.
    pub query_id: Option<u32>,
}

fn stop_of(cancel: &CancellationToken) -> Stop {
    let cancel = cancel.clone();
    Arc::new(move || cancel.is_cancelled())
}

impl Sonde {
    /// The CLI's `query`: a single read streams its rows from a read-only
    /// connection; anything else runs on the writer as one transaction.
    /// Returns the summary and the sink (to finish its output).
    #[instrument(skip_all)]
    pub async fn query<S: RowSink + Send + 'static>(
        &self,
        db: &OpenDb,
        sql: &str,
        sink: S,
        cancel: &CancellationToken,
    ) -> Result<(SqlSummary, S)> {
        let _turn = self.write_turn(db).await;
        let (path, text, stop) = (db.path.clone(), sql.to_owned(), stop_of(cancel));
        let result = blocking(move || {
            let mut sink = sink;
            let summary = console::run_streaming(&path, &text, &mut sink, Some(&stop))?;
            Ok((summary, sink))
        })
        .await;
        self.remember(db, sql, result.as_ref().err().map(|e| e.message_for(crate::Face::Cli))).await;
        let (summary, sink) = result?;
        if summary.wrote {
            self.record_write(db, Written::Sql).await?;
        }
        Ok((summary, sink))
    }

    /// The app's console: runs every statement of `sql`, or the one under
    /// the cursor; each result comes back with its first page (more through
    /// [`Sonde::sql_next`]), timing and rows affected. `cancel` stops it (a
    /// write is rolled back). DDL on a Room database is refused
    /// ([`CoreError::SchemaChange`]) unless `allow_schema_change`.
    #[instrument(skip_all)]
    pub async fn run_sql(
        &self,
        db: &OpenDb,
        sql: &str,
        scope: RunScope,
        page_size: usize,
        allow_schema_change: bool,
        cancel: &CancellationToken,
    ) -> Result<SqlRun> {
        let ranges = match scope {
            RunScope::All => sqltext::statements(sql),
            RunScope::At { offset } => {
                let byte = sqltext::byte_of_utf16(sql, offset as usize)
                    .ok_or(CoreError::BadOffset { offset: offset as usize })?;
                vec![sqltext::statement_at(sql, byte).ok_or(CoreError::NoStatement)?]
            }
        };
        if ranges.is_empty() {
            return Err(CoreError::NoStatement);
        }
        if !allow_schema_change {
            self.guard_schema_change(db, sql, &ranges).await?;
        }
        let _turn = self.write_turn(db).await;
        let (path, text, stop) = (db.path.clone(), sql.to_owned(), stop_of(cancel));
        let outcome =
            blocking(move || Ok(console::run(&path, &text, &ranges, page_size, Some(stop))?)).await?;
        let first_error = outcome
            .statements
            .iter()
            .find_map(|s| s.error.as_ref())
            .filter(|e| !matches!(e, sonde_db::DbError::Cancelled))
            .map(ToString::to_string);
        let ran: String =
            outcome.statements.iter().map(|s| &sql[s.range.clone()]).collect::<Vec<_>>().join("\n");
        self.remember(db, &ran, first_error).await;
        if outcome.wrote {
            self.record_write(db, Written::Sql).await?;
        }
        let statements = outcome
            .statements
            .into_iter()
            .map(|s| StatementResult {
                sql: sql[s.range.clone()].to_owned(),
                start: sqltext::utf16_of_byte(sql, s.range.start) as u32,
                end: sqltext::utf16_of_byte(sql, s.range.end) as u32,
                page: s.page,
                query_id: s.cursor.map(|c| self.cursors.add(c)),
                elapsed_ms: s.elapsed.as_secs_f64() * 1000.0,
                error: s.error.map(|e| UiError::from(CoreError::from(e))),
            })
            .collect();
        Ok(SqlRun { statements, wrote: outcome.wrote, rolled_back: outcome.rolled_back })
    }

    /// The next page of a console result.
    pub async fn sql_next(&self, query_id: u32, page_size: usize) -> Result<SqlResult> {
        let entry = self.cursors.get(query_id).ok_or(CoreError::NoSuchCursor)?;
        let page = blocking(move || {
            let mut cursor = entry.cursor.lock().unwrap_or_else(|p| p.into_inner());
            Ok(cursor.next_page(page_size)?)
        })
        .await?;
        if page.done {
            self.cursors.finished(query_id);
            return Ok(SqlResult { page, query_id: None });
        }
        Ok(SqlResult { page, query_id: Some(query_id) })
    }

    /// Closes a console result, also while one of its pages is being read.
    pub fn sql_close(&self, query_id: u32) -> bool {
        self.cursors.close(query_id)
    }

    /// The SQL run on this database, newest first.
    pub async fn history(&self, db: &OpenDb, limit: usize) -> Result<Vec<HistoryEntry>> {
        let key = db.location.key();
        self.with_state_for(&key.clone(), &db.path, move |s| s.history(&key, limit)).await
    }

    async fn remember(&self, db: &OpenDb, sql: &str, error: Option<String>) {
        let (key, sql) = (db.location.key(), sql.to_owned());
        let location = key.clone();
        let recorded =
            self.with_state_for(&location, &db.path, move |s| s.add_history(&key, &sql, error.as_deref()));
        if let Err(e) = recorded.await {
            tracing::warn!(error = %e, "could not record the query in the history");
        }
    }
}
