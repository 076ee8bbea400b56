//! Time budgets for reads the user did not write: a page of a view can be
//! arbitrarily expensive or never end (`WITH RECURSIVE` without a bound).
//! SQLite's progress handler interrupts the statement once the deadline
//! passes; the connection goes back to the pool without the handler. The
//! same mechanism stops the user's own SQL when they press Cancel.

use crate::error::{DbError, Result};
use rusqlite::Connection;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long one page may take. A top-N sort of 10 million rows on an
/// unindexed column takes about 1.5 s, so only a runaway view gets here.
pub const PAGE_BUDGET: Duration = Duration::from_secs(15);

/// How long an exact count may take (a full scan of 100 million rows fits).
pub const COUNT_BUDGET: Duration = Duration::from_secs(60);

/// Virtual machine steps between deadline checks (cheap: a clock read).
const CHECK_EVERY: i32 = 100_000;

/// Asked between steps of a statement; `true` stops it (the user pressed
/// Cancel). Cheap to call: it is polled every [`CHECK_EVERY`] steps.
pub type Stop = Arc<dyn Fn() -> bool + Send + Sync>;

/// Interrupts the statements of one connection while installed; removed
/// on drop, so a pooled connection never keeps it.
pub struct Interrupter<'c> {
    conn: &'c Connection,
}

impl<'c> Interrupter<'c> {
    pub fn install(conn: &'c Connection, stop: impl FnMut() -> bool + Send + 'static) -> Result<Self> {
        conn.progress_handler(CHECK_EVERY, Some(stop))
            .map_err(|e| DbError::Internal(format!("progress handler: {e}")))?;
        Ok(Interrupter { conn })
    }
}

impl Drop for Interrupter<'_> {
    fn drop(&mut self) {
        if let Err(e) = self.conn.progress_handler(CHECK_EVERY, None::<fn() -> bool>) {
            tracing::warn!(error = %e, "could not remove a progress handler");
        }
    }
}

/// Runs `read` on `conn`, interrupting it after `budget`. An interrupt
/// caused by the budget is reported as [`DbError::TooSlow`].
pub fn within<T>(conn: &Connection, budget: Duration, read: impl FnOnce() -> Result<T>) -> Result<T> {
    let deadline = Instant::now() + budget;
    let guard = Interrupter::install(conn, move || Instant::now() > deadline)?;
    let result = read();
    drop(guard);
    match result {
        Err(_) if Instant::now() > deadline => Err(DbError::TooSlow { seconds: budget.as_secs() }),
        other => other,
    }
}

/// Runs `work` on `conn`, stopped when `stop` says so ([`DbError::Cancelled`]).
pub fn until<T>(conn: &Connection, stop: Option<&Stop>, work: impl FnOnce() -> Result<T>) -> Result<T> {
    let Some(stop) = stop else { return work() };
    let asked = Arc::clone(stop);
    let guard = Interrupter::install(conn, move || asked())?;
    let result = work();
    drop(guard);
    cancelled_if(result, stop)
}

/// An error caused by a stop request is reported as [`DbError::Cancelled`].
pub fn cancelled_if<T>(result: Result<T>, stop: &Stop) -> Result<T> {
    match result {
        Err(_) if stop() => Err(DbError::Cancelled),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::SqliteResultExt;
    use std::path::Path;

    #[test]
    fn a_runaway_statement_is_interrupted_and_the_connection_stays_usable() {
        let conn = Connection::open_in_memory().expect("db");
        let forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT sum(x) FROM c";
        let r = within(&conn, Duration::from_millis(50), || {
            conn.query_row(forever, [], |r| r.get::<_, i64>(0)).at(Path::new("mem"))
        });
        assert!(matches!(r, Err(DbError::TooSlow { .. })), "{r:?}");
        // No handler is left behind: a long statement now runs to the end.
        let n: i64 = conn
            .query_row(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) FROM c",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(n, 300_000);
    }

    #[test]
    fn a_stop_request_cancels_and_only_then() {
        let conn = Connection::open_in_memory().expect("db");
        let forever = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT sum(x) FROM c";
        let stop_at = Instant::now() + Duration::from_millis(50);
        let stop: Stop = Arc::new(move || Instant::now() > stop_at);
        let r = until(&conn, Some(&stop), || {
            conn.query_row(forever, [], |r| r.get::<_, i64>(0)).at(Path::new("m"))
        });
        assert!(matches!(r, Err(DbError::Cancelled)), "{r:?}");
        let never: Stop = Arc::new(|| false);
        let n = until(&conn, Some(&never), || {
            conn.query_row("SELECT 41 + 1", [], |r| r.get::<_, i64>(0)).at(Path::new("m"))
        });
        assert_eq!(n.expect("runs"), 42);
    }

    #[test]
    fn errors_within_the_budget_are_kept() {
        let conn = Connection::open_in_memory().expect("db");
        let r = within(&conn, PAGE_BUDGET, || {
            conn.query_row("SELECT * FROM missing", [], |r| r.get::<_, i64>(0)).at(Path::new("mem"))
        });
        assert!(matches!(r, Err(DbError::Sql(_))), "{r:?}");
    }
}
