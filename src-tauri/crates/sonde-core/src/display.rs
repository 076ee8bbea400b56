//! Values shown as what they mean (issue 13): the display kind of each
//! column (inferred by the engine, or as the user chose, remembered per
//! database, table and column), a cell decoded as its kind for the
//! inspector, and a date from the date editor written back exactly as the
//! column stores it. Display only: decoding never changes a stored value.

use crate::blocking::blocking;
use crate::error::{CoreError, Result};
use crate::open::OpenDb;
use crate::service::Sonde;
use sonde_db::mutation;
use sonde_db::schema::TableSchema;
use sonde_db::Value;
use sonde_display::{DateInput, Decoded, Kind, NumberClass, StoredNumber};
use std::str::FromStr;
use std::sync::Arc;

/// The override that shows a column as stored, without decoding.
pub const RAW: &str = "raw";

/// A display kind by name (`coredata-date`, `uuid`...).
pub fn parse_kind(name: &str) -> Result<Kind> {
    Kind::from_str(name).map_err(|e| CoreError::Usage(e.to_string()))
}

impl Sonde {
    /// Applies the user's choices of display kinds to `schema`.
    pub(crate) async fn with_overrides(
        &self,
        db: &OpenDb,
        schema: Arc<TableSchema>,
    ) -> Result<Arc<TableSchema>> {
        let (key, table) = (db.location.key(), schema.name.clone());
        let uri = key.clone();
        let chosen = self.with_state_for(&key, &db.path, move |s| s.display_overrides(&uri, &table)).await?;
        if chosen.is_empty() {
            return Ok(schema);
        }
        let mut shown = (*schema).clone();
        for (column, kind) in chosen {
            let Some(c) = shown.columns.iter_mut().find(|c| *c.name == *column) else { continue };
            c.display = if kind == RAW { None } else { Kind::from_str(&kind).ok() };
            c.display_override = true;
        }
        Ok(Arc::new(shown))
    }

    /// Shows `column` of `table` as `kind` (a kind's name, or [`RAW`]), or
    /// with `None` as the engine infers; remembered for this database.
    /// The table's schema as shown now.
    pub async fn set_display_kind(
        &self,
        db: &OpenDb,
        table: &str,
        column: &str,
        kind: Option<&str>,
    ) -> Result<Arc<TableSchema>> {
        if let Some(k) = kind.filter(|k| *k != RAW) {
            parse_kind(k)?;
        }
        let schema = self.schema(db, table).await?;
        let name = schema.columns[schema.column_index(column)?].name.to_string();
        let (key, table_name, kind) = (db.location.key(), schema.name.clone(), kind.map(str::to_owned));
        let uri = key.clone();
        self.with_state_for(&key, &db.path, move |s| {
            s.set_display_override(&uri, &table_name, &name, kind.as_deref())
        })
        .await?;
        self.schema(db, table).await
    }

    /// The stored value of one cell decoded as `kind`.
    pub async fn decode_cell(
        &self,
        db: &OpenDb,
        table: &str,
        key: &str,
        column: &str,
        kind: &str,
    ) -> Result<Decoded> {
        let kind = parse_kind(kind)?;
        let (path, table, key, column) =
            (db.path.clone(), table.to_owned(), key.to_owned(), column.to_owned());
        let value = blocking(move || Ok(mutation::cell(&path, &table, &key, &column)?)).await?;
        sonde_display::decode(kind, sonde_db::display::raw_of(&value))
            .map_err(|e| CoreError::Undecodable(e.to_string()))
    }
}

/// The stored value of a date typed in the date editor (`utc`: ISO-8601),
/// for a column of date kind `kind` whose values are INTEGERs (`integer`)
/// or REALs: a Core Data date stays a REAL of seconds since 2001.
pub fn encode_date(kind: &str, utc: &str, integer: bool) -> Result<Value> {
    let kind = parse_kind(kind)?;
    let class = if integer { NumberClass::Integer } else { NumberClass::Real };
    let stored = sonde_display::encode_date_as(kind, &DateInput::Utc(utc.to_owned()), class)
        .map_err(|e| CoreError::Usage(e.to_string()))?;
    Ok(match stored {
        StoredNumber::Integer(i) => Value::Integer(i),
        StoredNumber::Real(f) => Value::Real(f),
    })
}
