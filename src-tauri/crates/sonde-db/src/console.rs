//! SQL the user typed: the one place that decides where a statement runs
//! and makes sure every connection goes back to its pool clean.
//!
//! - [`classify`] asks SQLite what a statement does (an authorizer watches
//!   it being prepared): a *read* runs on a pooled read-only connection; a
//!   *write* on the writer. `BEGIN`, `SAVEPOINT`, `ATTACH` and `DETACH` are
//!   "read-only" to `sqlite3_stmt_readonly`, but run on a reader they would
//!   leave it inside a transaction or with a database attached: they never
//!   reach a reader.
//! - `ATTACH`/`DETACH` are refused everywhere: a pooled connection must not
//!   reach other files (and the app's page must not name host paths).
//! - A script with writes runs on the writer in one transaction (all or
//!   nothing). A script with its own `BEGIN`/`COMMIT` runs as written; if it
//!   leaves a transaction open it is rolled back and said so.
//! - [`run`] is the console: each statement's own result, timing and rows
//!   affected; reads page through a [`SqlCursor`]. [`run_streaming`] is the
//!   CLI's `query`: rows streamed to a sink as they come.

use crate::budget::{self, Interrupter, Stop};
use crate::cursor_sql::{self, SqlCursor, SqlPage};
use crate::error::{DbError, Result, SqliteResultExt};
use crate::pool::Db;
use crate::query::{ColumnMeta, RowSink, SqlSummary};
use crate::sqltext;
use crate::value::Value;
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::Connection;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tracing::instrument;

/// Rows kept from a statement run on the writer (e.g. `RETURNING`, or a
/// `SELECT` inside a script).
pub const WRITER_RESULT_CAP: usize = 10_000;

/// What one statement does, as SQLite sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementKind {
    /// Reads only: safe on a pooled read-only connection.
    Read,
    /// Changes the database (or connection-wide settings, like a `PRAGMA`
    /// assignment): the writer.
    Write,
    /// `BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT`, `RELEASE`.
    Transaction,
}

#[derive(Default)]
struct Seen {
    attach: bool,
    transaction: bool,
    pragma_assignment: bool,
}

/// Watches what statements prepared on `conn` do while it lives; `ATTACH`
/// and `DETACH` are denied (their `prepare` fails with "not authorized").
struct Watch<'c> {
    conn: &'c Connection,
    seen: Arc<Mutex<Seen>>,
}

impl<'c> Watch<'c> {
    fn install(conn: &'c Connection) -> Result<Self> {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let record = Arc::clone(&seen);
        conn.authorizer(Some(move |ctx: AuthContext<'_>| {
            let mut seen = match record.lock() {
                Ok(s) => s,
                Err(poisoned) => poisoned.into_inner(),
            };
            match ctx.action {
                AuthAction::Attach { .. } | AuthAction::Detach { .. } => {
                    seen.attach = true;
                    return Authorization::Deny;
                }
                AuthAction::Transaction { .. } | AuthAction::Savepoint { .. } => seen.transaction = true,
                AuthAction::Pragma { pragma_value: Some(_), .. } if ctx.accessor.is_none() => {
                    seen.pragma_assignment = true
                }
                _ => {}
            }
            Authorization::Allow
        }))
        .map_err(|e| DbError::Internal(format!("authorizer: {e}")))?;
        Ok(Watch { conn, seen })
    }

    fn take(&self) -> Seen {
        match self.seen.lock() {
            Ok(mut s) => std::mem::take(&mut *s),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        let none: Option<fn(AuthContext<'_>) -> Authorization> = None;
        if let Err(e) = self.conn.authorizer(none) {
            tracing::warn!(error = %e, "could not remove an authorizer");
        }
    }
}

fn attach_refused() -> DbError {
    DbError::Refused(
        "ATTACH and DETACH are not available in Sonde: open the other database on its own".into(),
    )
}

fn transaction_refused() -> DbError {
    DbError::Refused(
        "BEGIN, COMMIT and SAVEPOINT on their own do nothing here: each run is one transaction \
         (a script runs all or nothing); run the whole script instead"
            .into(),
    )
}

/// Classifies one statement by preparing it on `conn`. `None` when `sql`
/// holds more than one statement. Errors are SQLite's (no such table...)
/// or the refusal of `ATTACH`/`DETACH`.
pub fn classify(db: &Db, conn: &Connection, sql: &str) -> Result<Option<StatementKind>> {
    let watch = Watch::install(conn)?;
    let prepared = conn.prepare(sql);
    let seen = watch.take();
    drop(watch);
    if seen.attach {
        return Err(attach_refused());
    }
    let stmt = match prepared {
        Ok(stmt) => stmt,
        Err(rusqlite::Error::MultipleStatement) => return Ok(None),
        Err(e) => return Err(DbError::from_sqlite(e, db.path())),
    };
    Ok(Some(if seen.transaction {
        StatementKind::Transaction
    } else if stmt.readonly() && !seen.pragma_assignment {
        StatementKind::Read
    } else {
        StatementKind::Write
    }))
}

/// Prepares a statement that must be a single read (exports, cursors).
pub fn prepare_read<'c>(db: &Db, conn: &'c Connection, sql: &str) -> Result<rusqlite::Statement<'c>> {
    match classify(db, conn, sql)? {
        Some(StatementKind::Read) => conn.prepare(sql).at(db.path()),
        Some(StatementKind::Transaction) => Err(transaction_refused()),
        Some(StatementKind::Write) => {
            Err(DbError::BadValue("this needs a read-only statement (SELECT)".into()))
        }
        None => Err(DbError::BadValue("this needs a single statement".into())),
    }
}

/// The column names and declared types of a prepared statement's result.
pub fn result_columns(stmt: &rusqlite::Statement<'_>) -> Vec<ColumnMeta> {
    stmt.columns()
        .iter()
        .map(|c| ColumnMeta { name: Arc::from(c.name()), decl_type: Arc::from(c.decl_type().unwrap_or("")) })
        .collect()
}

/// One statement of a console run.
pub struct StatementOutcome {
    /// Byte range of the statement in the SQL that was run.
    pub range: Range<usize>,
    /// The first page (empty when the statement failed).
    pub page: SqlPage,
    /// More rows of a read, page by page.
    pub cursor: Option<SqlCursor>,
    pub elapsed: Duration,
    pub error: Option<DbError>,
}

/// A console run: the statements that ran, in order (it stops at the first
/// that fails).
pub struct RunOutcome {
    pub statements: Vec<StatementOutcome>,
    pub wrote: bool,
    /// A script with writes failed (or was cancelled) and was rolled back.
    pub rolled_back: bool,
}

/// Runs `ranges` of `sql` (statements from [`sqltext::statements`]) in
/// order: each read on its own cursor; any write makes the whole list one
/// script on the writer. `stop` cancels (a write is rolled back).
#[instrument(skip_all, fields(db = %path.display(), statements = ranges.len()))]
pub fn run(
    path: &Path,
    sql: &str,
    ranges: &[Range<usize>],
    page_size: usize,
    stop: Option<Stop>,
) -> Result<RunOutcome> {
    sonde_metrics::timed("console.run", || {
        let db = Db::open(path)?;
        let kinds = {
            let conn = db.reader()?;
            ranges.iter().map(|r| classify(&db, &conn, &sql[r.clone()])).collect::<Vec<_>>()
        };
        let all_reads = kinds.iter().all(|k| matches!(k, Ok(Some(StatementKind::Read))));
        if all_reads || ranges.len() == 1 {
            run_one_by_one(&db, sql, ranges, kinds, page_size, stop)
        } else {
            run_as_script(&db, sql, ranges, stop.as_ref())
        }
    })
}

/// Reads (and a single write): each statement on its own, stopping at the
/// first that fails.
fn run_one_by_one(
    db: &Db,
    sql: &str,
    ranges: &[Range<usize>],
    kinds: Vec<Result<Option<StatementKind>>>,
    page_size: usize,
    stop: Option<Stop>,
) -> Result<RunOutcome> {
    let mut outcome =
        RunOutcome { statements: Vec::with_capacity(ranges.len()), wrote: false, rolled_back: false };
    for (range, kind) in ranges.iter().zip(kinds) {
        let text = &sql[range.clone()];
        let started = Instant::now();
        let result = match kind {
            Ok(Some(StatementKind::Read)) => cursor_sql::open_read(db, text, page_size, stop.clone()),
            Ok(Some(StatementKind::Write)) => {
                let mut pages = Pages::new();
                let summary = run_script_into(db, &[text], stop.as_ref(), &mut pages)?;
                match summary.failure {
                    Some((_, e)) => Err(e),
                    None => {
                        outcome.wrote |= summary.wrote;
                        Ok((pages.take(0), None))
                    }
                }
            }
            Ok(Some(StatementKind::Transaction)) => Err(transaction_refused()),
            Ok(None) => Err(DbError::BadValue("one statement at a time here".into())),
            Err(e) => Err(e),
        };
        let elapsed = started.elapsed();
        let (page, cursor, error) = match result {
            Ok((page, cursor)) => (page, cursor, None),
            Err(e) => (SqlPage::empty(), None, Some(e)),
        };
        let failed = error.is_some();
        outcome.statements.push(StatementOutcome { range: range.clone(), page, cursor, elapsed, error });
        if failed {
            break;
        }
    }
    Ok(outcome)
}

/// A script with writes: one run on the writer, all or nothing.
fn run_as_script(db: &Db, sql: &str, ranges: &[Range<usize>], stop: Option<&Stop>) -> Result<RunOutcome> {
    let texts: Vec<&str> = ranges.iter().map(|r| &sql[r.clone()]).collect();
    let mut pages = Pages::new();
    let summary = run_script_into(db, &texts, stop, &mut pages)?;
    let ran = match &summary.failure {
        Some((at, _)) => at + 1,
        None => texts.len(),
    };
    let mut failure = summary.failure;
    let statements = (0..ran)
        .map(|i| {
            let error = match &failure {
                Some((at, _)) if *at == i => failure.take().map(|(_, e)| e),
                _ => None,
            };
            let page = if error.is_some() { SqlPage::empty() } else { pages.take(i) };
            StatementOutcome {
                range: ranges[i].clone(),
                page,
                cursor: None,
                elapsed: pages.elapsed(i),
                error,
            }
        })
        .collect();
    Ok(RunOutcome { statements, wrote: summary.wrote, rolled_back: summary.rolled_back })
}

/// Receives each statement of a script run on the writer.
pub trait ScriptSink {
    /// Statement `index` starts (`columns` is empty when it returns no rows).
    fn begin(&mut self, index: usize, columns: &[ColumnMeta]) -> Result<()>;
    /// One row; `false` stops reading this statement's rows (it still runs).
    fn row(&mut self, values: &[Value]) -> Result<bool>;
    /// Statement `index` finished.
    fn end(&mut self, _index: usize, _elapsed: Duration, _rows_affected: u64, _wrote: bool) {}
}

/// Each statement's rows (capped) as a page, and its timing.
struct Pages {
    pages: Vec<SqlPage>,
    timings: Vec<Duration>,
    cap: usize,
}

impl Pages {
    fn new() -> Pages {
        Pages { pages: Vec::new(), timings: Vec::new(), cap: WRITER_RESULT_CAP }
    }

    fn take(&mut self, index: usize) -> SqlPage {
        self.pages.get_mut(index).map(std::mem::take).unwrap_or_default()
    }

    fn elapsed(&self, index: usize) -> Duration {
        self.timings.get(index).copied().unwrap_or_default()
    }
}

impl ScriptSink for Pages {
    fn begin(&mut self, index: usize, columns: &[ColumnMeta]) -> Result<()> {
        self.pages.resize_with(index, SqlPage::empty);
        self.pages.push(SqlPage { columns: columns.to_vec(), done: true, ..SqlPage::empty() });
        Ok(())
    }
    fn row(&mut self, values: &[Value]) -> Result<bool> {
        match self.pages.last_mut() {
            Some(page) if page.rows.len() < self.cap => page.rows.push(values.to_vec()),
            _ => {}
        }
        Ok(true)
    }
    fn end(&mut self, index: usize, elapsed: Duration, rows_affected: u64, wrote: bool) {
        if let Some(page) = self.pages.get_mut(index) {
            page.rows_affected = rows_affected;
            page.wrote = wrote;
        }
        self.timings.resize(index, Duration::ZERO);
        self.timings.push(elapsed);
    }
}

struct ScriptSummary {
    /// The statement that failed, and why.
    failure: Option<(usize, DbError)>,
    wrote: bool,
    rolled_back: bool,
    rows_affected: u64,
    rows_returned: u64,
}

/// The script runner behind the console and the CLI: `statements` in order
/// on the writer, in one transaction unless there is one statement or the
/// script controls its own. It stops at the first statement that fails.
/// The writer goes back to its pool with no transaction open and no
/// authorizer or progress handler installed, whatever happened.
fn run_script_into(
    db: &Db,
    statements: &[&str],
    stop: Option<&Stop>,
    sink: &mut dyn ScriptSink,
) -> Result<ScriptSummary> {
    let own_transaction = statements.iter().any(|s| sqltext::is_transaction_control(s));
    let conn = db.writer()?;
    let watch = Watch::install(&conn)?;
    let asked = stop.cloned();
    let interrupter = Interrupter::install(&conn, move || asked.as_ref().is_some_and(|s| s()))?;
    let mut summary =
        ScriptSummary { failure: None, wrote: false, rolled_back: false, rows_affected: 0, rows_returned: 0 };
    let wrap = !own_transaction && statements.len() > 1;
    if wrap {
        conn.execute_batch("BEGIN IMMEDIATE").at(db.path())?;
    }
    let mut settings_touched = false;
    for (i, text) in statements.iter().enumerate() {
        let started = Instant::now();
        match run_one(db, &conn, i, text, sink, &watch) {
            Ok(ran) => {
                summary.rows_affected += ran.affected;
                summary.rows_returned += ran.returned;
                summary.wrote |= ran.wrote;
                settings_touched |= ran.pragma;
                sink.end(i, started.elapsed(), ran.affected, ran.wrote);
            }
            Err(e) => {
                let e = match stop {
                    Some(stop) if stop() => DbError::Cancelled,
                    _ => e,
                };
                summary.failure = Some((i, e));
                break;
            }
        }
    }
    drop(interrupter);
    drop(watch);
    // Whatever happened, the writer goes back with no transaction open.
    let last = statements.len().saturating_sub(1);
    if !conn.is_autocommit() {
        let commit = wrap && summary.failure.is_none();
        if let Err(e) = conn.execute_batch(if commit { "COMMIT" } else { "ROLLBACK" }).at(db.path()) {
            let _ = conn.execute_batch("ROLLBACK");
            summary.failure.get_or_insert((last, e));
            summary.rolled_back = true;
        }
        if !commit {
            summary.rolled_back = true;
            if summary.failure.is_none() {
                summary.failure = Some((
                    last,
                    DbError::Refused(
                        "the script left a transaction open (BEGIN without COMMIT): it was rolled back"
                            .into(),
                    ),
                ));
            }
        }
    } else if summary.failure.is_some() && wrap {
        summary.rolled_back = true;
    }
    if settings_touched {
        crate::pool::writer_settings(&conn).at(db.path())?;
    }
    if summary.rolled_back {
        summary.wrote = false;
    }
    Ok(summary)
}

struct Ran {
    affected: u64,
    returned: u64,
    wrote: bool,
    pragma: bool,
}

/// Runs statement `index` of a script.
fn run_one(
    db: &Db,
    conn: &Connection,
    index: usize,
    text: &str,
    sink: &mut dyn ScriptSink,
    watch: &Watch<'_>,
) -> Result<Ran> {
    // What the script's own BEGIN (or the previous statement) did is not this one's.
    let _ = watch.take();
    let prepared = conn.prepare(text);
    let seen = watch.take();
    let mut stmt = match prepared {
        Ok(stmt) => stmt,
        Err(_) if seen.attach => return Err(attach_refused()),
        Err(rusqlite::Error::MultipleStatement) => {
            return Err(DbError::BadValue("one statement at a time here".into()))
        }
        Err(e) => return Err(DbError::from_sqlite(e, db.path())),
    };
    let wrote = (!stmt.readonly() || seen.pragma_assignment) && !seen.transaction;
    let columns = result_columns(&stmt);
    sink.begin(index, &columns)?;
    let width = columns.len();
    let mut rows = stmt.raw_query();
    let mut values = Vec::with_capacity(width);
    let mut returned = 0u64;
    let mut reading = true;
    while let Some(row) = rows.next().at(db.path())? {
        if width == 0 || !reading {
            continue;
        }
        values.clear();
        for i in 0..width {
            values.push(Value::from_ref(row.get_ref(i).at(db.path())?));
        }
        returned += 1;
        reading = sink.row(&values)?;
    }
    let affected = if wrote { conn.changes() } else { 0 };
    Ok(Ran { affected, returned, wrote, pragma: seen.pragma_assignment })
}

/// The CLI's `query`: a single read streams from a read-only connection;
/// anything else is a script on the writer (one transaction). Rows go to
/// `sink` as they come: each statement that returns rows starts a result
/// set with `columns`.
#[instrument(skip_all, fields(db = %path.display()))]
pub fn run_streaming(
    path: &Path,
    sql: &str,
    sink: &mut dyn RowSink,
    stop: Option<&Stop>,
) -> Result<SqlSummary> {
    sonde_metrics::timed("query.sql", || {
        let db = Db::open(path)?;
        let ranges = sqltext::statements(sql);
        if ranges.is_empty() {
            return Err(DbError::BadValue("no SQL statement to run".into()));
        }
        if let [only] = ranges.as_slice() {
            let conn = db.reader()?;
            if classify(&db, &conn, &sql[only.clone()])? == Some(StatementKind::Read) {
                let mut stmt = conn.prepare(&sql[only.clone()]).at(db.path())?;
                let rows_returned =
                    budget::until(&conn, stop, || crate::query::stream_statement(&db, &mut stmt, sink))?;
                return Ok(SqlSummary { statements: 1, rows_returned, ..Default::default() });
            }
        }
        /// Result sets to the row sink; statements without rows are silent.
        struct Forward<'a>(&'a mut dyn RowSink);
        impl ScriptSink for Forward<'_> {
            fn begin(&mut self, _index: usize, columns: &[ColumnMeta]) -> Result<()> {
                if columns.is_empty() {
                    Ok(())
                } else {
                    self.0.columns(columns)
                }
            }
            fn row(&mut self, values: &[Value]) -> Result<bool> {
                self.0.row(values)
            }
        }
        let texts: Vec<&str> = ranges.iter().map(|r| &sql[r.clone()]).collect();
        let summary = run_script_into(&db, &texts, stop, &mut Forward(sink))?;
        if let Some((_, e)) = summary.failure {
            return Err(e);
        }
        Ok(SqlSummary {
            statements: texts.len(),
            rows_returned: summary.rows_returned,
            rows_affected: summary.rows_affected,
            wrote: summary.wrote,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_with(sql: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("c.db");
        rusqlite::Connection::open(&path).expect("open").execute_batch(sql).expect("setup");
        (dir, path)
    }

    fn run_all(path: &Path, sql: &str, stop: Option<Stop>) -> RunOutcome {
        run(path, sql, &sqltext::statements(sql), 100, stop).expect("run")
    }

    fn error_of(outcome: &RunOutcome) -> Option<String> {
        outcome.statements.iter().find_map(|s| s.error.as_ref().map(|e| e.to_string()))
    }

    #[test]
    fn each_statement_has_its_own_result_and_reads_page() {
        let (_d, path) = db_with(
            "CREATE TABLE t(v); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 250) INSERT INTO t SELECT i FROM n;",
        );
        let out = run_all(&path, "SELECT v FROM t ORDER BY v; SELECT count(*) FROM t;", None);
        assert_eq!(out.statements.len(), 2);
        let first = &out.statements[0];
        assert_eq!(first.page.rows.len(), 100);
        let mut cursor = out.statements.into_iter().next().and_then(|s| s.cursor).expect("more rows");
        assert_eq!(cursor.next_page(100).expect("page 2").rows[0][0], Value::Integer(101));
        assert_eq!(cursor.next_page(100).expect("page 3").rows.len(), 50);

        let out =
            run_all(&path, "UPDATE t SET v = v + 1 WHERE v <= 10; SELECT count(*) FROM t WHERE v = 11", None);
        assert!(out.wrote && !out.rolled_back, "{:?}", error_of(&out));
        assert_eq!((out.statements[0].page.rows_affected, out.statements[0].page.wrote), (10, true));
        assert_eq!(out.statements[1].page.rows, vec![vec![Value::Integer(2)]]);
        let out = run_all(&path, "SELECT 1; SELECT nope FROM t; SELECT 3", None);
        assert_eq!(out.statements.len(), 2, "stops at the failing statement");
        assert!(error_of(&out).expect("error").contains("no such column"));
    }

    #[test]
    fn a_failing_or_cancelled_script_changes_nothing() {
        let (_d, path) = db_with("CREATE TABLE t(v); INSERT INTO t VALUES (1), (2);");
        let out = run_all(&path, "UPDATE t SET v = 10; INSERT INTO nope VALUES (1);", None);
        assert!(out.rolled_back && !out.wrote);
        // Cancel is pressed while the endless statement runs: SQLite polls
        // the stop between steps, and the third poll says stop.
        let polls = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let stop: Stop = Arc::new(move || polls.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= 3);
        let forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT sum(x) FROM c";
        let out = run_all(&path, &format!("UPDATE t SET v = v + 10; {forever};"), Some(stop));
        assert!(matches!(out.statements.last().and_then(|s| s.error.as_ref()), Some(DbError::Cancelled)));
        assert!(out.rolled_back);
        let conn = rusqlite::Connection::open(&path).expect("open");
        let sum: i64 = conn.query_row("SELECT sum(v) FROM t", [], |r| r.get(0)).expect("sum");
        assert_eq!(sum, 3, "neither script changed anything");
    }

    /// `BEGIN`, `SAVEPOINT` and `ATTACH` look read-only to SQLite; run on a
    /// pooled reader they left it inside a transaction (later pages showed
    /// stale data, the push's checkpoint was busy) or with a file attached.
    #[test]
    fn connections_come_back_to_the_pool_clean() {
        let (dir, path) = db_with("PRAGMA journal_mode=WAL; CREATE TABLE t(v); INSERT INTO t VALUES (1);");
        let other = dir.path().join("other.db");
        for sql in
            ["BEGIN", "SAVEPOINT s", "BEGIN; SELECT v FROM t", &format!("ATTACH '{}' AS o", other.display())]
        {
            let out = run_all(&path, sql, None);
            let error = error_of(&out).unwrap_or_else(|| panic!("{sql}: accepted"));
            assert!(error.contains("refused"), "{sql}: {error}");
        }
        assert!(run_all(&path, &format!("SELECT 1; ATTACH '{}' AS o; SELECT 2", other.display()), None)
            .statements
            .iter()
            .any(|s| s.error.is_some()));
        assert!(!other.exists(), "ATTACH never ran");
        let _ = run_all(&path, "SELECT v FROM t", None);
        // Another process commits; every pooled reader sees it, and nothing
        // holds the WAL: a checkpoint is not busy.
        rusqlite::Connection::open(&path).expect("app").execute("UPDATE t SET v = 2", []).expect("write");
        let db = Db::open(&path).expect("db");
        let readers: Vec<_> = (0..8).map(|_| db.reader().expect("reader")).collect();
        for r in &readers {
            assert!(r.is_autocommit(), "a reader came back inside a transaction");
            assert_eq!(r.query_row("SELECT v FROM t", [], |row| row.get::<_, i64>(0)).expect("read"), 2);
            let attached: i64 =
                r.query_row("SELECT count(*) FROM pragma_database_list", [], |row| row.get(0)).expect("list");
            assert_eq!(attached, 1, "a reader came back with a database attached");
        }
        drop(readers);
        let busy: i64 = db
            .writer()
            .expect("writer")
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .expect("checkpoint");
        assert_eq!(busy, 0);
    }

    /// A script with its own transaction runs as written; one that leaves it
    /// open is rolled back and says so; pragma assignments do not outlive it.
    #[test]
    fn scripts_with_their_own_transaction_and_pragmas() {
        let (_d, path) = db_with(
            "CREATE TABLE p(id INTEGER PRIMARY KEY); CREATE TABLE c(p REFERENCES p(id)); INSERT INTO p VALUES (1);",
        );
        let out = run_all(&path, "BEGIN; INSERT INTO c VALUES (1); COMMIT;", None);
        assert!(error_of(&out).is_none() && out.wrote, "{:?}", error_of(&out));
        let out = run_all(&path, "BEGIN; INSERT INTO c VALUES (1);", None);
        assert!(error_of(&out).expect("refused").contains("left a transaction open"));
        assert!(out.rolled_back);
        let out = run_all(&path, "PRAGMA foreign_keys = OFF", None);
        assert!(error_of(&out).is_none());
        let edit = crate::mutation::Edit::Insert {
            table: "c".into(),
            values: vec![crate::mutation::Assignment { column: "p".into(), value: Value::Integer(99) }],
            rowid: None,
        };
        let refused = crate::mutation::apply(&path, &[edit]);
        assert!(
            matches!(refused.as_ref().map_err(DbError::cause), Err(DbError::Constraint(_))),
            "foreign keys stayed on: {:?}",
            refused.err()
        );
        let n: i64 = rusqlite::Connection::open(&path)
            .expect("open")
            .query_row("SELECT count(*) FROM c", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 1);
    }

    /// Closing a cursor while one of its pages is being read interrupts the
    /// read and gives its connection back (it was leaked, with its thread).
    #[test]
    fn closing_while_a_page_loads_frees_the_reader() {
        let (_d, path) = db_with("CREATE TABLE t(v); INSERT INTO t VALUES (1);");
        let db = Db::open(&path).expect("db");
        // The first row comes at once; the second never does.
        let sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c WHERE x = 1 OR x < 0";
        let (first, cursor) = cursor_sql::open_read(&db, sql, 1, None).expect("open");
        assert_eq!(first.rows, vec![vec![Value::Integer(1)]]);
        let mut cursor = cursor.expect("more to come");
        let closer = cursor.closer();
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let loading = std::thread::spawn(move || {
            let _ = started_tx.send(());
            cursor.next_page(1)
        });
        started_rx.recv().expect("loading");
        closer.close();
        assert!(matches!(loading.join().expect("join"), Err(DbError::Cancelled)));
        // All eight readers are free again (a leaked one would make the last
        // checkout time out).
        let readers: Vec<_> = (0..8).map(|_| db.reader().expect("a free reader")).collect();
        assert_eq!(readers.len(), 8);
    }
}
