//! Display kinds of a table's columns (a Core Data date, a UUID BLOB, an
//! image...), inferred by `sonde-display` from each column's name, declared
//! type, the framework that wrote the database and a sample of its values.
//! Display only: nothing here changes a stored value.

use crate::framework::{self, Framework as Owner};
use crate::ident;
use crate::schema::{TableKind, TableSchema};
use rusqlite::Connection;
pub use sonde_display::render_text;
use sonde_display::{Framework, Kind, Raw};
use std::time::Duration;

/// Rows sampled per table: enough to refuse a guess most values contradict.
pub const SAMPLE_ROWS: usize = 64;
/// A table whose sample takes longer is shown without display kinds.
const SAMPLE_BUDGET: Duration = Duration::from_millis(500);

/// The display kind of each visible column of `schema` (`None`: shown as
/// stored), in `visible_columns` order. Views and virtual tables are not
/// sampled (reading them can be arbitrarily expensive).
pub fn infer_columns(conn: &Connection, schema: &TableSchema) -> Vec<Option<Kind>> {
    let columns: Vec<_> = schema.visible_columns().map(|(_, c)| c).collect();
    if schema.kind != TableKind::Table || columns.is_empty() {
        return vec![None; columns.len()];
    }
    let owner = match framework::detect(conn).framework {
        Some(Owner::Coredata) => Framework::CoreData,
        Some(Owner::Room) => Framework::Room,
        Some(_) => Framework::Other,
        None => Framework::None,
    };
    let names: Vec<&str> = columns.iter().map(|c| &*c.name).collect();
    let sql = format!(
        "SELECT {} FROM {} LIMIT {SAMPLE_ROWS}",
        ident::quote_list(names.iter().copied()),
        ident::quote(&schema.name)
    );
    // A sample that fails or runs out of time: shown as stored, no guess.
    let sample = crate::budget::within(conn, SAMPLE_BUDGET, || Ok(sample(conn, &sql, columns.len())));
    let Ok(Ok(sample)) = sample else { return vec![None; columns.len()] };
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let raws: Vec<Raw> = sample.iter().map(|row| raw_of(&row[i])).collect();
            let decl = (!c.decl_type.is_empty()).then_some(&*c.decl_type);
            sonde_display::infer(&c.name, decl, owner, &raws)
        })
        .collect()
}

/// The sampled values, owned (the statement's borrow ends here).
fn sample(conn: &Connection, sql: &str, width: usize) -> rusqlite::Result<Vec<Vec<crate::Value>>> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::with_capacity(SAMPLE_ROWS);
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            values.push(crate::Value::from_ref(row.get_ref(i)?));
        }
        out.push(values);
    }
    Ok(out)
}

/// A value as `sonde-display` reads it.
pub fn raw_of(value: &crate::Value) -> Raw<'_> {
    use crate::Value;
    match value {
        Value::Null => Raw::Null,
        Value::Integer(i) => Raw::Integer(*i),
        Value::Real(f) => Raw::Real(*f),
        Value::Text(t) => Raw::Text(t.as_bytes()),
        Value::TextBytes(b) => Raw::Text(b),
        Value::Blob(b) => Raw::Blob(b),
    }
}
