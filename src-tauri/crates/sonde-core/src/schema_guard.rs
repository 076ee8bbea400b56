//! Schema changes a framework will refuse: Room checks the identity hash of
//! the schema it was compiled with on every open, so DDL from the console on
//! a Room database breaks the app unless it migrates. The console asks
//! first (the face confirms, then runs again with the change allowed).

use crate::blocking::blocking;
use crate::error::{CoreError, Result};
use crate::open::OpenDb;
use crate::service::Sonde;
use sonde_db::framework::{self, room};
use sonde_db::pool::pools;
use sonde_db::sqltext;
use std::ops::Range;

/// Statements that change the schema.
fn is_ddl(statement: &str) -> bool {
    matches!(sqltext::leading_keyword(statement).as_str(), "CREATE" | "ALTER" | "DROP")
}

impl Sonde {
    /// Refuses DDL among `ranges` of `sql` on a Room database unless allowed.
    pub(crate) async fn guard_schema_change(
        &self,
        db: &OpenDb,
        sql: &str,
        ranges: &[Range<usize>],
    ) -> Result<()> {
        match self.schema_change_warning_in(db, sql, ranges).await? {
            Some(warning) => Err(CoreError::SchemaChange { warning }),
            None => Ok(()),
        }
    }

    /// What running `sql` would break (the CLI warns, then runs it).
    pub async fn schema_change_warning(&self, db: &OpenDb, sql: &str) -> Result<Option<&'static str>> {
        self.schema_change_warning_in(db, sql, &sqltext::statements(sql)).await
    }

    async fn schema_change_warning_in(
        &self,
        db: &OpenDb,
        sql: &str,
        ranges: &[Range<usize>],
    ) -> Result<Option<&'static str>> {
        if !ranges.iter().any(|r| sql.get(r.clone()).is_some_and(is_ddl)) {
            return Ok(None);
        }
        let path = db.path.clone();
        let room = blocking(move || {
            let opened = pools().open(&path)?;
            let conn = opened.reader()?;
            Ok(framework::detect(&conn).room.is_some())
        })
        .await?;
        Ok(room.then_some(room::DDL_WARNING))
    }
}
