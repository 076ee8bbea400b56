//! Reading: tables, schemas, counts, pages and jumps, each on a blocking
//! thread through the engine's query service.

use crate::blocking::blocking;
use crate::error::{CoreError, Result};
use crate::open::OpenDb;
use crate::service::Sonde;
use sonde_db::filter::Filter;
use sonde_db::query::{self, Page, PageRequest, TableListing};
use sonde_db::schema::TableSchema;
use std::sync::Arc;

impl Sonde {
    /// Tables and views; with `counts`, exact row counts (views under a
    /// budget: one that is too slow shows as unknown).
    pub async fn tables(&self, db: &OpenDb, counts: bool) -> Result<Vec<TableListing>> {
        let path = db.path.clone();
        blocking(move || Ok(query::list_tables(&path, counts)?)).await
    }

    /// A table's schema, each column's display kind as inferred or as the
    /// user chose.
    pub async fn schema(&self, db: &OpenDb, table: &str) -> Result<Arc<TableSchema>> {
        let (path, table) = (db.path.clone(), table.to_owned());
        let schema = blocking(move || Ok(query::table_schema(&path, &table)?)).await?;
        self.with_overrides(db, schema).await
    }

    /// `PRAGMA user_version`: the version a framework's migrations count
    /// (Room's database version).
    pub async fn user_version(&self, db: &OpenDb) -> Result<i64> {
        let path = db.path.clone();
        blocking(move || {
            let opened = sonde_db::pool::pools().open(&path)?;
            let conn = opened.reader()?;
            Ok(conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(|e| sonde_db::DbError::Internal(format!("user_version: {e}")))?)
        })
        .await
    }

    /// The exact row count (with filters: of the rows they keep).
    pub async fn count(&self, db: &OpenDb, table: &str, filters: Vec<Filter>) -> Result<u64> {
        let (path, table) = (db.path.clone(), table.to_owned());
        blocking(move || Ok(query::count(&path, &table, &filters)?)).await
    }

    /// A fast count for display; `None` when it would take too long.
    pub async fn estimate(&self, db: &OpenDb, table: &str) -> Result<Option<u64>> {
        let (path, table) = (db.path.clone(), table.to_owned());
        blocking(move || Ok(query::estimate(&path, &table)?)).await
    }

    /// One page of rows (keyset paging: `req.after` is the previous page's `next`).
    pub async fn page(&self, db: &OpenDb, req: PageRequest) -> Result<Page> {
        let path = db.path.clone();
        blocking(move || Ok(query::page(&path, &req)?)).await
    }

    /// The page starting at row number `offset` (jump to row).
    pub async fn page_at(&self, db: &OpenDb, req: PageRequest, offset: u64) -> Result<Page> {
        let path = db.path.clone();
        blocking(move || Ok(query::page_at(&path, &req, offset)?)).await
    }

    /// A page (at `offset`, or after `req.after`) as JSON bytes in which
    /// integers beyond 2^53 are `{"$int": "..."}`: what the app's grid
    /// decodes. Serializing is part of the blocking work.
    pub async fn page_json(&self, db: &OpenDb, req: PageRequest, offset: Option<u64>) -> Result<Vec<u8>> {
        let path = db.path.clone();
        blocking(move || {
            let page = match offset {
                Some(offset) => query::page_at(&path, &req, offset)?,
                None => query::page(&path, &req)?,
            };
            sonde_db::value::with_safe_ints(|| serde_json::to_vec(&page))
                .map_err(|e| CoreError::Internal(format!("encoding a page: {e}")))
        })
        .await
    }
}
