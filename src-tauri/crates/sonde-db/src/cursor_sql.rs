//! Paged results of a read the user typed (the app's SQL console): the
//! statement stays open on a dedicated thread that owns a read-only
//! connection, and each call returns the next page. Dropping the cursor,
//! or closing it through its [`CursorCloser`] while a page is being read,
//! interrupts the statement, ends the thread and returns the connection to
//! the pool.

use crate::budget::{self, Interrupter, Stop};
use crate::error::{DbError, Result, SqliteResultExt};
use crate::pool::Db;
use crate::query::{self, ColumnMeta};
use crate::value::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

/// One page of a console result.
#[derive(Debug, Clone, Default, serde::Serialize)]
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

impl SqlPage {
    /// No columns, no rows, done.
    pub fn empty() -> SqlPage {
        SqlPage { done: true, ..SqlPage::default() }
    }
}

pub struct SqlCursor {
    requests: Option<mpsc::Sender<usize>>,
    closer: CursorCloser,
    pages: mpsc::Receiver<PageResult>,
    columns: Vec<ColumnMeta>,
    finished: bool,
}

/// Closes a cursor from another thread, even while one of its pages is
/// being read (the read is interrupted and the thread ends).
#[derive(Clone)]
pub struct CursorCloser(Arc<AtomicBool>);

impl CursorCloser {
    pub fn close(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    fn is_closed(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

type PageResult = Result<(Vec<Vec<Value>>, bool)>;

/// Opens a cursor over `sql`, which must be a single read (the console
/// classifies first), and returns its first page, plus the cursor while
/// more rows remain. `stop` cancels it at any point.
pub fn open_read(
    db: &Db,
    sql: &str,
    page_size: usize,
    stop: Option<Stop>,
) -> Result<(SqlPage, Option<SqlCursor>)> {
    let page_size = page_size.clamp(1, query::MAX_PAGE);
    let (req_tx, req_rx) = mpsc::channel::<usize>();
    let (page_tx, page_rx) = mpsc::sync_channel::<PageResult>(1);
    let (cols_tx, cols_rx) = mpsc::sync_channel::<Result<Vec<ColumnMeta>>>(1);
    let closer = CursorCloser(Arc::new(AtomicBool::new(false)));
    let (thread_db, thread_sql, thread_closer) = (db.clone(), sql.to_owned(), closer.clone());
    std::thread::Builder::new()
        .name("sonde-sql-cursor".into())
        .spawn(move || serve(thread_db, thread_sql, stop, thread_closer, cols_tx, req_rx, page_tx))
        .map_err(|e| DbError::Internal(format!("cannot start a query thread: {e}")))?;
    let columns = cols_rx.recv().map_err(|_| ended())??;
    let mut cursor = SqlCursor { requests: Some(req_tx), closer, pages: page_rx, columns, finished: false };
    let first = cursor.next_page(page_size)?;
    let keep = !first.done;
    Ok((first, keep.then_some(cursor)))
}

fn ended() -> DbError {
    DbError::Internal("the query thread ended".into())
}

impl SqlCursor {
    /// The next page; `done` is set on the last one. A closed cursor says
    /// [`DbError::Cancelled`].
    pub fn next_page(&mut self, page_size: usize) -> Result<SqlPage> {
        let page = |rows, done| SqlPage { columns: self.columns.clone(), rows, done, ..SqlPage::default() };
        if self.closer.is_closed() {
            return Err(DbError::Cancelled);
        }
        if self.finished {
            return Ok(page(Vec::new(), true));
        }
        let sender = self.requests.as_ref().ok_or_else(ended)?;
        sender.send(page_size.clamp(1, query::MAX_PAGE)).map_err(|_| ended())?;
        let (rows, done) = match self.pages.recv() {
            Ok(result) => result?,
            Err(_) if self.closer.is_closed() => return Err(DbError::Cancelled),
            Err(_) => return Err(ended()),
        };
        self.finished = done;
        Ok(page(rows, done))
    }

    /// A handle that closes this cursor from elsewhere.
    pub fn closer(&self) -> CursorCloser {
        self.closer.clone()
    }
}

impl Drop for SqlCursor {
    fn drop(&mut self) {
        // Closing the request channel ends the thread; a page in the works
        // is interrupted first.
        self.closer.close();
        self.requests.take();
    }
}

fn serve(
    db: Db,
    sql: String,
    stop: Option<Stop>,
    closer: CursorCloser,
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
    let interrupt_closer = closer.clone();
    let interrupt = move || interrupt_closer.is_closed() || asked.as_ref().is_some_and(|s| s());
    let _interrupter = match Interrupter::install(&conn, interrupt) {
        Ok(i) => i,
        Err(e) => {
            let _ = cols_tx.send(Err(e));
            return;
        }
    };
    let mut stmt = match crate::console::prepare_read(&db, &conn, &sql) {
        Ok(s) => s,
        Err(e) => {
            let _ = cols_tx.send(Err(e));
            return;
        }
    };
    let columns = crate::console::result_columns(&stmt);
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
            match rows.next().at(db.path()) {
                Ok(Some(row)) => {
                    let values: Result<Vec<Value>> =
                        (0..width).map(|i| row.get_ref(i).map(Value::from_ref).at(db.path())).collect();
                    match values {
                        Ok(values) => page.push(values),
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                Ok(None) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let msg = match failed {
            Some(_) if closer.is_closed() => Err(DbError::Cancelled),
            Some(e) => match &stop {
                Some(stop) => budget::cancelled_if(Err(e), stop),
                None => Err(e),
            },
            None => Ok((page, done)),
        };
        let end = done || msg.is_err();
        if page_tx.send(msg).is_err() || end {
            return;
        }
    }
}
