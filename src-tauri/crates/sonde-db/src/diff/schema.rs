//! What changed in the catalog: tables, indexes, views and triggers added,
//! dropped or redefined, and the `user_version` (Room and other frameworks
//! keep their schema version there).

use crate::error::{Result, SqliteResultExt};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ObjectKind {
    Table,
    Index,
    View,
    Trigger,
    /// `PRAGMA user_version`.
    UserVersion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SchemaChangeKind {
    Added,
    Dropped,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SchemaChange {
    pub kind: ObjectKind,
    pub name: String,
    pub change: SchemaChangeKind,
    /// The definition before and after (`CREATE ...`; the number for `user_version`).
    pub before: Option<String>,
    pub after: Option<String>,
}

/// (kind, name) → SQL of every catalog object with a definition (automatic
/// indexes of UNIQUE and PRIMARY KEY constraints have none: they follow
/// their table).
pub(super) fn catalog(conn: &Connection, path: &Path) -> Result<BTreeMap<(ObjectKind, String), String>> {
    let mut stmt =
        conn.prepare("SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL").at(path)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
        .at(path)?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (kind, name, sql) = row.at(path)?;
        let kind = match kind.as_str() {
            "table" => ObjectKind::Table,
            "index" => ObjectKind::Index,
            "view" => ObjectKind::View,
            "trigger" => ObjectKind::Trigger,
            _ => continue,
        };
        out.insert((kind, name), sql);
    }
    Ok(out)
}

pub(super) fn user_version(conn: &Connection, path: &Path) -> Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0)).at(path)
}

pub(super) fn diff(
    a: &Connection,
    path_a: &Path,
    b: &Connection,
    path_b: &Path,
) -> Result<Vec<SchemaChange>> {
    let (ca, cb) = (catalog(a, path_a)?, catalog(b, path_b)?);
    let mut out = Vec::new();
    for (key, sql) in &ca {
        match cb.get(key) {
            None => out.push(change(key, SchemaChangeKind::Dropped, Some(sql), None)),
            Some(after) if after != sql => {
                out.push(change(key, SchemaChangeKind::Changed, Some(sql), Some(after)))
            }
            Some(_) => {}
        }
    }
    for (key, sql) in &cb {
        if !ca.contains_key(key) {
            out.push(change(key, SchemaChangeKind::Added, None, Some(sql)));
        }
    }
    let (va, vb) = (user_version(a, path_a)?, user_version(b, path_b)?);
    if va != vb {
        out.push(SchemaChange {
            kind: ObjectKind::UserVersion,
            name: "user_version".into(),
            change: SchemaChangeKind::Changed,
            before: Some(va.to_string()),
            after: Some(vb.to_string()),
        });
    }
    out.sort_by(|x, y| (x.kind, &x.name).cmp(&(y.kind, &y.name)));
    Ok(out)
}

fn change(
    key: &(ObjectKind, String),
    kind: SchemaChangeKind,
    before: Option<&String>,
    after: Option<&String>,
) -> SchemaChange {
    SchemaChange {
        kind: key.0,
        name: key.1.clone(),
        change: kind,
        before: before.cloned(),
        after: after.cloned(),
    }
}
