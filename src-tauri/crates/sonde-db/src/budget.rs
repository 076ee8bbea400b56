//! Time budgets for reads the user did not write: a page of a view can be
//! arbitrarily expensive or never end (`WITH RECURSIVE` without a bound).
//! SQLite's progress handler interrupts the statement once the deadline
//! passes; the connection goes back to the pool without the handler.

use crate::error::{DbError, Result};
use rusqlite::Connection;
use std::time::{Duration, Instant};

/// How long one page may take. A top-N sort of 10 million rows on an
/// unindexed column takes about 1.5 s, so only a runaway view gets here.
pub const PAGE_BUDGET: Duration = Duration::from_secs(15);

/// How long an exact count may take (a full scan of 100 million rows fits).
pub const COUNT_BUDGET: Duration = Duration::from_secs(60);

/// Virtual machine steps between deadline checks (cheap: a clock read).
const CHECK_EVERY: i32 = 100_000;

/// Runs `read` on `conn`, interrupting it after `budget`. An interrupt
/// caused by the budget is reported as [`DbError::TooSlow`].
pub fn within<T>(conn: &Connection, budget: Duration, read: impl FnOnce() -> Result<T>) -> Result<T> {
    let deadline = Instant::now() + budget;
    conn.progress_handler(CHECK_EVERY, Some(move || Instant::now() > deadline))
        .map_err(|e| DbError::Sql(e.to_string()))?;
    let result = read();
    // Always removed: the pooled connection serves other reads next.
    let removed = conn.progress_handler(CHECK_EVERY, None::<fn() -> bool>);
    match result {
        Err(_) if Instant::now() > deadline => Err(DbError::TooSlow { seconds: budget.as_secs() }),
        other => {
            removed.map_err(|e| DbError::Sql(e.to_string()))?;
            other
        }
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
    fn errors_within_the_budget_are_kept() {
        let conn = Connection::open_in_memory().expect("db");
        let r = within(&conn, PAGE_BUDGET, || {
            conn.query_row("SELECT * FROM missing", [], |r| r.get::<_, i64>(0)).at(Path::new("mem"))
        });
        assert!(matches!(r, Err(DbError::Sql(_))), "{r:?}");
    }
}
