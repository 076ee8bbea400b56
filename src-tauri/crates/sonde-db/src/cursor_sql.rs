//! Paged results of arbitrary SQL for interactive use (the app's SQL
//! console): the statement stays open on a dedicated thread that owns a
//! read-only connection, and each call returns the next page. Dropping the
//! cursor ends the thread and returns the connection to the pool.
//!
//! Write statements and scripts run to completion at open time (through the
//! writer, as `query::run_sql` does); their rows, if any, are capped.

use crate::budget::{self, Interrupter, Stop};
use crate::error::{DbError, Result, SqliteResultExt};
use crate::pool::Db;
use crate::query::{self, CollectSink, ColumnMeta, SqlSummary};
use crate::value::Value;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

/// Rows kept from a write statement's result (e.g. `RETURNING`).
const WRITE_RESULT_CAP: usize = 10_000;

/// One page of a cursor.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SqlPage {
    pub columns: Vec<ColumnMeta>,
    pub rows: Vec<Vec<Value>>,
    /// No more rows after these.
    pub done: bool,
    pub rows_affected: u64,
    /// The SQL changed the database.
    pub wrote: bool,
}

pub struct SqlCursor {
    requests: Option<mpsc::Sender<usize>>,
    /// Set on drop: a page still being computed is interrupted.
    closed: Arc<AtomicBool>,
    pages: mpsc::Receiver<Result<(Vec<Vec<Value>>, bool)>>,
    columns: Vec<ColumnMeta>,
    finished: bool,
}

/// Runs `sql` and returns its first page (up to `page_size` rows) plus a
/// cursor for the rest when the statement is a read with more rows.
/// `stop` cancels it at any point, the first page or a later one (a write
/// is rolled back); dropping the cursor interrupts a page in the works.
pub fn open(
    path: &Path,
    sql: &str,
    page_size: usize,
    stop: Option<Stop>,
) -> Result<(SqlPage, Option<SqlCursor>)> {
    let page_size = page_size.clamp(1, query::MAX_PAGE);
    let db = Db::open(path)?;
    let is_single_read = {
        let conn = db.reader()?;
        let prepared = conn.prepare(sql);
        let read = match &prepared {
            Ok(stmt) => stmt.readonly(),
            Err(rusqlite::Error::MultipleStatement) => false,
            Err(_) => true,
        };
        if let Err(e) = prepared {
            if !matches!(e, rusqlite::Error::MultipleStatement) {
                return Err(DbError::from_sqlite(e, db.path()));
            }
        }
        read
    };
    if !is_single_read {
        let mut sink = CappedSink { inner: CollectSink::default(), cap: WRITE_RESULT_CAP };
        let SqlSummary { rows_affected, wrote, .. } =
            query::run_sql_until(path, sql, &mut sink, stop.as_ref())?;
        let page =
            SqlPage { columns: sink.inner.columns, rows: sink.inner.rows, done: true, rows_affected, wrote };
        return Ok((page, None));
    }
    let (req_tx, req_rx) = mpsc::channel::<usize>();
    let (page_tx, page_rx) = mpsc::sync_channel::<Result<(Vec<Vec<Value>>, bool)>>(1);
    let (cols_tx, cols_rx) = mpsc::sync_channel::<Result<Vec<ColumnMeta>>>(1);
    let sql = sql.to_owned();
    let closed = Arc::new(AtomicBool::new(false));
    let thread_closed = Arc::clone(&closed);
    std::thread::Builder::new()
        .name("sonde-sql-cursor".into())
        .spawn(move || serve(db, sql, stop, thread_closed, cols_tx, req_rx, page_tx))
        .map_err(|e| DbError::Sql(format!("cannot start query thread: {e}")))?;
    let columns = cols_rx.recv().map_err(|_| DbError::Sql("query thread ended".into()))??;
    let mut cursor = SqlCursor { requests: Some(req_tx), closed, pages: page_rx, columns, finished: false };
    let first = cursor.next_page(page_size)?;
    let keep = !first.done;
    Ok((first, keep.then_some(cursor)))
}

impl SqlCursor {
    /// The next page; `done` is set on the last one.
    pub fn next_page(&mut self, page_size: usize) -> Result<SqlPage> {
        let page = |rows, done| SqlPage {
            columns: self.columns.clone(),
            rows,
            done,
            rows_affected: 0,
            wrote: false,
        };
        if self.finished {
            return Ok(page(Vec::new(), true));
        }
        let sender = self.requests.as_ref().ok_or_else(|| DbError::Sql("cursor closed".into()))?;
        sender
            .send(page_size.clamp(1, query::MAX_PAGE))
            .map_err(|_| DbError::Sql("query thread ended".into()))?;
        let (rows, done) = self.pages.recv().map_err(|_| DbError::Sql("query thread ended".into()))??;
        self.finished = done;
        Ok(page(rows, done))
    }
}

impl Drop for SqlCursor {
    fn drop(&mut self) {
        // Closing the request channel ends the thread; a page in the works
        // is interrupted first.
        self.closed.store(true, Ordering::Relaxed);
        self.requests.take();
    }
}

type PageResult = Result<(Vec<Vec<Value>>, bool)>;

fn serve(
    db: Db,
    sql: String,
    stop: Option<Stop>,
    closed: Arc<AtomicBool>,
    cols_tx: mpsc::SyncSender<Result<Vec<ColumnMeta>>>,
    req_rx: mpsc::Receiver<usize>,
    page_tx: mpsc::SyncSender<PageResult>,
) {
    let conn = match db.reader() {
        Ok(c) => c,
        Err(e) => {
            let _ = cols_tx.send(Err(e));
            return;
        }
    };
    // Declared before the statement, so it outlives it and is removed
    // before the connection goes back to the pool.
    let asked = stop.clone();
    let interrupt = move || closed.load(Ordering::Relaxed) || asked.as_ref().is_some_and(|s| s());
    let _interrupter = match Interrupter::install(&conn, interrupt) {
        Ok(i) => i,
        Err(e) => {
            let _ = cols_tx.send(Err(e));
            return;
        }
    };
    let mut stmt = match conn.prepare(&sql).at(db.path()) {
        Ok(s) => s,
        Err(e) => {
            let _ = cols_tx.send(Err(e));
            return;
        }
    };
    let columns: Vec<ColumnMeta> = stmt
        .columns()
        .iter()
        .map(|c| ColumnMeta { name: Arc::from(c.name()), decl_type: Arc::from(c.decl_type().unwrap_or("")) })
        .collect();
    let width = columns.len();
    if cols_tx.send(Ok(columns)).is_err() {
        return;
    }
    let mut rows = stmt.raw_query();
    while let Ok(n) = req_rx.recv() {
        let mut page = Vec::with_capacity(n.min(1024));
        let mut done = false;
        let mut failed = None;
        while page.len() < n {
            match rows.next() {
                Ok(Some(row)) => {
                    let mut values = Vec::with_capacity(width);
                    for i in 0..width {
                        match row.get_ref(i) {
                            Ok(v) => values.push(Value::from_ref(v)),
                            Err(e) => failed = Some(DbError::from_sqlite(e, db.path())),
                        }
                    }
                    page.push(values);
                }
                Ok(None) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    failed = Some(DbError::from_sqlite(e, db.path()));
                    break;
                }
            }
            if failed.is_some() {
                break;
            }
        }
        let msg = match (failed, &stop) {
            (Some(e), Some(stop)) => budget::cancelled_if(Err(e), stop),
            (Some(e), None) => Err(e),
            (None, _) => Ok((page, done)),
        };
        let stop = done || msg.is_err();
        if page_tx.send(msg).is_err() || stop {
            return;
        }
    }
}

struct CappedSink {
    inner: CollectSink,
    cap: usize,
}

impl query::RowSink for CappedSink {
    fn columns(&mut self, columns: &[ColumnMeta]) -> Result<()> {
        self.inner.columns(columns)
    }
    fn row(&mut self, values: &[Value]) -> Result<bool> {
        if self.inner.rows.len() >= self.cap {
            return Ok(true);
        }
        self.inner.row(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_through_a_big_result_and_runs_writes_at_once() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("c.db");
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute_batch(
            "CREATE TABLE t(v); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 250) INSERT INTO t SELECT i FROM n;",
        )
        .expect("setup");
        let (first, cursor) = open(&path, "SELECT v FROM t ORDER BY v", 100, None).expect("open cursor");
        assert_eq!(first.rows.len(), 100);
        assert!(!first.done);
        let mut cursor = cursor.expect("more");
        let second = cursor.next_page(100).expect("page 2");
        let third = cursor.next_page(100).expect("page 3");
        assert_eq!(second.rows[0][0], Value::Integer(101));
        assert_eq!(third.rows.len(), 50);
        assert!(third.done);
        assert!(cursor.next_page(100).expect("after end").rows.is_empty());

        let (write, none) = open(&path, "UPDATE t SET v = v + 1 WHERE v <= 10", 100, None).expect("write");
        assert!(none.is_none());
        assert_eq!((write.rows_affected, write.wrote), (10, true));
        let err = open(&path, "SELECT nope FROM t", 10, None).err().expect("error");
        assert!(err.to_string().contains("no such column"), "{err}");
    }

    #[test]
    fn cancel_stops_a_read_and_rolls_a_write_back() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("c.db");
        rusqlite::Connection::open(&path)
            .expect("open")
            .execute_batch("CREATE TABLE t(v); INSERT INTO t VALUES (1), (2);")
            .expect("setup");
        let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop: Stop = {
            let flag = Arc::clone(&flag);
            Arc::new(move || flag.load(std::sync::atomic::Ordering::Relaxed))
        };
        let forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT sum(x) FROM c";
        let press_cancel = || {
            let flag = Arc::clone(&flag);
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(50));
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
            })
        };
        let pressed = press_cancel();
        let read = open(&path, forever, 10, Some(Arc::clone(&stop)));
        assert!(matches!(read, Err(DbError::Cancelled)), "{:?}", read.err());
        let _ = pressed.join();

        flag.store(false, std::sync::atomic::Ordering::Relaxed);
        let pressed = press_cancel();
        let write =
            open(&path, &format!("UPDATE t SET v = v + 10; UPDATE t SET v = ({forever})"), 10, Some(stop));
        assert!(matches!(write, Err(DbError::Cancelled)), "{:?}", write.err());
        let _ = pressed.join();
        let conn = rusqlite::Connection::open(&path).expect("open");
        let sum: i64 = conn.query_row("SELECT sum(v) FROM t", [], |r| r.get(0)).expect("sum");
        assert_eq!(sum, 3, "the cancelled script changed nothing");
        // The pooled connections carry no handler: the same SQL without a stop runs normally.
        let (page, _) = open(&path, "SELECT count(*) FROM t", 10, None).expect("plain read");
        assert_eq!(page.rows, vec![vec![Value::Integer(2)]]);
    }
}
