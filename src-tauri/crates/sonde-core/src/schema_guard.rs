//! Schema changes a framework will refuse: Room checks the identity hash of
//! the schema it was compiled with on every open, so DDL from the console on
//! a Room database breaks the app unless it migrates. The console asks
//! first (the face confirms, then runs again with the change allowed), and
//! so does a push of a Room snapshot whose schema is not the one pulled.

use crate::blocking::blocking;
use crate::error::{CoreError, Result};
use crate::open::OpenDb;
use crate::service::Sonde;
use sonde_db::framework::{self, room};
use sonde_db::pool::pools;
use sonde_db::sqltext;
use sonde_device::DeviceUri;
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

    /// Refuses to push a Room snapshot whose schema differs from the version
    /// last pulled from the device.
    pub(crate) async fn guard_push_schema(&self, uri: &DeviceUri) -> Result<()> {
        let Some(snapshot) = self.load_snapshot(uri).await? else { return Ok(()) };
        let key = crate::location::Location::Device(uri.clone()).key();
        let given = self.given_key(&key);
        let versions = self.versions.clone();
        let warning = blocking(move || {
            let db = snapshot.db_path();
            crate::cipher::key_file(given.as_ref(), &db)?;
            let room = {
                let opened = pools().open(&db)?;
                let conn = opened.reader()?;
                framework::detect(&conn).room.is_some()
            };
            if !room {
                return Ok(None);
            }
            let pulled = versions.list(&key)?.into_iter().rev().find(|v| {
                matches!(v.producer, crate::versions::Producer::Pull | crate::versions::Producer::Watch)
            });
            let Some(pulled) = pulled else { return Ok(None) };
            let base = versions.open(&key, pulled.number)?;
            crate::cipher::key_file(given.as_ref(), &base)?;
            Ok((sonde_db::query::catalog(&db)? != sonde_db::query::catalog(&base)?)
                .then_some(room::DDL_WARNING))
        })
        .await?;
        match warning {
            Some(warning) => Err(CoreError::SchemaChange { warning }),
            None => Ok(()),
        }
    }
}
