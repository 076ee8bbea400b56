//! The mutation service: cell updates, inserts and deletes by row key, one
//! transaction per batch, with a change record per edit so every edit can
//! be reviewed and undone.
//!
//! Guarantees: a batch is all or nothing; an edit that would touch a number
//! of rows other than one is refused (and the batch rolled back); views,
//! virtual tables and generated columns are refused with a clear error;
//! statements are prepared once per shape and reused across the batch.

use crate::error::{DbError, Result, SqliteResultExt};
use crate::ident;
use crate::pool::Db;
use crate::rowkey::RowKey;
use crate::schema::{KeyStrategy, TableSchema};
use crate::value::Value;
use rusqlite::{Connection, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use tracing::instrument;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Assignment {
    pub column: String,
    pub value: Value,
}

impl Assignment {
    /// Parses `COL=VALUE` (VALUE as in [`Value::parse_user`]); the first `=` separates.
    pub fn parse(text: &str) -> Result<Assignment> {
        let (column, value) = text
            .split_once('=')
            .ok_or_else(|| DbError::BadValue(format!("expected COL=VALUE, got {text:?}")))?;
        if column.is_empty() {
            return Err(DbError::BadValue(format!("missing column name in {text:?}")));
        }
        Ok(Assignment { column: column.to_owned(), value: Value::parse_user(value)? })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Edit {
    Update {
        table: String,
        key: String,
        set: Vec<Assignment>,
    },
    /// Columns not given take their defaults. `rowid` restores a deleted
    /// row under its old rowid (undo).
    Insert {
        table: String,
        values: Vec<Assignment>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rowid: Option<i64>,
    },
    Delete {
        table: String,
        key: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ChangeOp {
    Update,
    Insert,
    Delete,
}

/// What one applied edit did: enough to review it and to undo it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Change {
    pub table: String,
    pub op: ChangeOp,
    pub key_before: Option<String>,
    pub key_after: Option<String>,
    /// Update: old values of the changed columns. Delete: the whole row.
    pub before: Vec<Assignment>,
    /// Update: new values as stored. Insert: the whole row as stored.
    pub after: Vec<Assignment>,
}

impl Change {
    /// The edit that makes this change again (on a row in the state it saw).
    pub fn as_edit(&self) -> Edit {
        match self.op {
            ChangeOp::Update => Edit::Update {
                table: self.table.clone(),
                key: self.key_before.clone().unwrap_or_default(),
                set: self.after.clone(),
            },
            ChangeOp::Delete => {
                Edit::Delete { table: self.table.clone(), key: self.key_before.clone().unwrap_or_default() }
            }
            ChangeOp::Insert => {
                let rowid = self.key_after.as_deref().and_then(|k| match RowKey::decode(k) {
                    Ok(RowKey::Rowid(id)) => Some(id),
                    _ => None,
                });
                Edit::Insert { table: self.table.clone(), values: self.after.clone(), rowid }
            }
        }
    }

    /// The edit that reverses this change.
    pub fn inverse(&self) -> Result<Edit> {
        let key = |k: &Option<String>| k.clone().ok_or_else(|| DbError::NoRowKey(self.table.clone()));
        Ok(match self.op {
            ChangeOp::Update => Edit::Update {
                table: self.table.clone(),
                key: key(&self.key_after)?,
                set: self.before.clone(),
            },
            ChangeOp::Insert => Edit::Delete { table: self.table.clone(), key: key(&self.key_after)? },
            ChangeOp::Delete => {
                let rowid = match RowKey::decode(&key(&self.key_before)?)? {
                    RowKey::Rowid(id) => Some(id),
                    RowKey::PrimaryKey(_) => None,
                };
                Edit::Insert { table: self.table.clone(), values: self.before.clone(), rowid }
            }
        })
    }
}

/// Applies a batch of edits in one transaction; returns one change per edit.
#[instrument(skip_all, fields(db = %path.display(), edits = edits.len()))]
pub fn apply(path: &Path, edits: &[Edit]) -> Result<Vec<Change>> {
    sonde_metrics::timed("mutation.apply", || {
        let db = crate::pool::pools().open_for_write(path)?;
        let mut conn = db.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).at(db.path())?;
        let changes = apply_in(&db, &tx, edits)?;
        tx.commit().at(db.path())?;
        Ok(changes)
    })
}

/// The stored value of one cell, by row key (what the inspector decodes).
#[instrument(skip_all, fields(db = %path.display()))]
pub fn cell(path: &Path, table: &str, key: &str, column: &str) -> Result<Value> {
    let db = Db::open(path)?;
    let conn = db.reader()?;
    let schema = db.table(&conn, table)?;
    let name = schema.columns[schema.column_index(column)?].name.to_string();
    let editor = Editor { db: &db, conn: &conn, schema: &schema };
    editor
        .current(key, &[name])?
        .and_then(|v| v.into_iter().next())
        .ok_or_else(|| DbError::RowNotFound(key.to_owned()))
}

/// Tables' schemas, read once per batch.
struct Schemas<'s>(HashMap<&'s str, Arc<TableSchema>>);

impl<'s> Schemas<'s> {
    fn get(&mut self, db: &Db, conn: &Connection, table: &'s str) -> Result<Arc<TableSchema>> {
        if let Some(s) = self.0.get(table) {
            return Ok(Arc::clone(s));
        }
        let s = db.table(conn, table)?;
        if let Some(reason) = s.read_only_reason() {
            return Err(DbError::ReadOnly { table: s.name.clone(), reason });
        }
        self.0.insert(table, Arc::clone(&s));
        Ok(s)
    }
}

fn table_of(edit: &Edit) -> &str {
    match edit {
        Edit::Update { table, .. } | Edit::Insert { table, .. } | Edit::Delete { table, .. } => table,
    }
}

/// The edits of a batch on an open transaction.
fn apply_in(db: &Db, conn: &Connection, edits: &[Edit]) -> Result<Vec<Change>> {
    let mut schemas = Schemas(HashMap::new());
    let mut changes = Vec::with_capacity(edits.len());
    // A Core Data store: inserts and updates keep its bookkeeping.
    let coredata = crate::framework::coredata::Bookkeeping::read(conn);
    for (index, edit) in edits.iter().enumerate() {
        let schema = schemas.get(db, conn, table_of(edit))?;
        let editor = Editor { db, conn, schema: &schema };
        let change = match edit {
            Edit::Update { key, set, table } => {
                let bump = coredata.as_ref().is_some_and(|c| c.bumps_version(table, set));
                editor.update(key, set, bump)
            }
            Edit::Insert { values, rowid, table } => match &coredata {
                Some(c) => c
                    .insert_values(conn, table, values)
                    .at(db.path())
                    .and_then(|values| editor.insert(&values, *rowid)),
                None => editor.insert(values, *rowid),
            },
            Edit::Delete { key, .. } => editor.delete(key),
        };
        changes.push(change.map_err(|e| e.in_edit(index))?);
    }
    Ok(changes)
}

/// A pending change that cannot be re-applied as is: the row no longer
/// holds what the change saw.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RebaseConflict {
    /// Position of the change in the list given to [`rebase`].
    pub index: usize,
    pub columns: Vec<String>,
    /// What the change saw, what the row holds now, what the change wants
    /// (`None`: no such row).
    pub saw: Option<Vec<Value>>,
    pub theirs: Option<Vec<Value>>,
    pub mine: Option<Vec<Value>>,
}

/// What re-applying pending changes onto a new version did.
#[derive(Debug, Clone, Default)]
pub struct Rebased {
    /// The changes as applied now (their `before` is the new version's),
    /// with their positions in the list given to [`rebase`].
    pub applied: Vec<(usize, Change)>,
    pub conflicts: Vec<RebaseConflict>,
}

/// Re-applies `changes` (oldest first) onto the database as it is now, in
/// one transaction: each applies when its row still holds what the change
/// saw (an update: the old values of its columns; a delete: the whole row;
/// an insert: no row with its key) or already holds what it wants; any
/// other is a conflict, left out.
#[instrument(skip_all, fields(db = %path.display(), changes = changes.len()))]
pub fn rebase(path: &Path, changes: &[Change]) -> Result<Rebased> {
    sonde_metrics::timed("mutation.rebase", || {
        let db = crate::pool::pools().open_for_write(path)?;
        let mut conn = db.writer()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).at(db.path())?;
        // Foreign keys are checked at the commit: changes derived from a
        // diff come table by table, not parents first.
        tx.execute_batch("PRAGMA defer_foreign_keys = ON").at(db.path())?;
        let mut out = Rebased::default();
        let mut schemas = Schemas(HashMap::new());
        for (index, change) in changes.iter().enumerate() {
            let schema = schemas.get(&db, &tx, &change.table)?;
            let editor = Editor { db: &db, conn: &tx, schema: &schema };
            let names = |a: &[Assignment]| a.iter().map(|x| x.column.clone()).collect::<Vec<_>>();
            let values = |a: &[Assignment]| a.iter().map(|x| x.value.clone()).collect::<Vec<_>>();
            let (columns, key) = match change.op {
                ChangeOp::Update => (names(&change.after), change.key_before.clone()),
                ChangeOp::Delete => (names(&change.before), change.key_before.clone()),
                ChangeOp::Insert => (names(&change.after), change.key_after.clone()),
            };
            let key = key.ok_or_else(|| DbError::NoRowKey(change.table.clone()))?;
            let current = editor.current(&key, &columns)?;
            let (saw, mine) = match change.op {
                ChangeOp::Update => (Some(values(&change.before)), Some(values(&change.after))),
                ChangeOp::Delete => (Some(values(&change.before)), None),
                ChangeOp::Insert => (None, Some(values(&change.after))),
            };
            let edit = if current == mine {
                None // already so: nothing to do
            } else if current == saw {
                Some(change.as_edit())
            } else {
                out.conflicts.push(RebaseConflict { index, columns, saw, theirs: current, mine });
                continue;
            };
            match edit {
                Some(edit) => {
                    let applied = apply_in(&db, &tx, std::slice::from_ref(&edit))?;
                    out.applied.extend(applied.into_iter().map(|c| (index, c)));
                }
                None => out.applied.push((index, change.clone())),
            }
        }
        tx.commit().at(db.path())?;
        Ok(out)
    })
}

/// Applies a change whatever the row holds now (the user chose theirs over
/// an app's write: "keep mine"): an update sets its values (or inserts the
/// row back), a delete deletes, an insert replaces.
pub fn force(path: &Path, change: &Change) -> Result<Vec<Change>> {
    let db = crate::pool::pools().open_for_write(path)?;
    let mut conn = db.writer()?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).at(db.path())?;
    let schema = db.table(&tx, &change.table)?;
    let editor = Editor { db: &db, conn: &tx, schema: &schema };
    let key = change.key_before.clone().or_else(|| change.key_after.clone());
    let exists = match &key {
        Some(k) => editor.current(k, &[])?.is_some(),
        None => false,
    };
    let edits: Vec<Edit> = match (change.op, exists) {
        (ChangeOp::Delete, false) => Vec::new(),
        (ChangeOp::Delete, true) | (ChangeOp::Update, true) => vec![change.as_edit()],
        (ChangeOp::Update, false) => Vec::new(),
        (ChangeOp::Insert, true) => vec![
            Edit::Delete { table: change.table.clone(), key: key.clone().unwrap_or_default() },
            change.as_edit(),
        ],
        (ChangeOp::Insert, false) => vec![change.as_edit()],
    };
    let applied = apply_in(&db, &tx, &edits)?;
    tx.commit().at(db.path())?;
    Ok(applied)
}

/// Reverses `changes` (newest first) in one transaction.
#[instrument(skip_all, fields(db = %path.display(), changes = changes.len()))]
pub fn undo(path: &Path, changes: &[Change]) -> Result<Vec<Change>> {
    let edits = changes.iter().rev().map(Change::inverse).collect::<Result<Vec<_>>>()?;
    apply(path, &edits)
}

struct Editor<'a> {
    db: &'a Db,
    conn: &'a Connection,
    schema: &'a TableSchema,
}

impl Editor<'_> {
    /// `bump_version`: also `Z_OPT = Z_OPT + 1` (Core Data's optimistic
    /// locking), in the same statement.
    fn update(&self, key_text: &str, set: &[Assignment], bump_version: bool) -> Result<Change> {
        let key = self.key(key_text)?;
        if set.is_empty() {
            return Err(DbError::BadValue("nothing to update: give at least one COL=VALUE".into()));
        }
        let columns = self.writable_columns(set.iter().map(|a| a.column.as_str()))?;
        let (where_sql, key_values) = self.key_condition(&key);
        let before_values = self.read_one(&columns, &where_sql, &key_values, key_text)?;

        let mut sql = format!("UPDATE {} SET ", ident::quote(&self.schema.name));
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            ident::push_quoted(&mut sql, c);
            sql.push_str(" = ?");
        }
        if bump_version {
            sql.push_str(", \"Z_OPT\" = coalesce(\"Z_OPT\", 0) + 1");
        }
        sql.push_str(" WHERE ");
        sql.push_str(&where_sql);
        sql.push_str(" RETURNING ");
        sql.push_str(&self.returning(&columns));
        let params = set.iter().map(|a| &a.value).chain(key_values.iter());
        let mut returned = self.run_returning(&sql, params, columns.len())?;
        let (key_after, after_values) =
            returned.pop().ok_or_else(|| DbError::RowNotFound(key_text.to_owned()))?;
        Ok(Change {
            table: self.schema.name.clone(),
            op: ChangeOp::Update,
            key_before: Some(key.encode()),
            key_after,
            before: zip(&columns, before_values),
            after: zip(&columns, after_values),
        })
    }

    fn insert(&self, values: &[Assignment], rowid: Option<i64>) -> Result<Change> {
        let columns = self.writable_columns(values.iter().map(|a| a.column.as_str()))?;
        let stored = self.stored_columns();
        let mut sql = format!("INSERT INTO {} ", ident::quote(&self.schema.name));
        let restore_rowid = match (&self.schema.key, rowid) {
            (KeyStrategy::Rowid { alias }, Some(id)) if !self.sets_rowid_alias(&columns) => {
                Some((*alias, id))
            }
            _ => None,
        };
        if columns.is_empty() && restore_rowid.is_none() {
            sql.push_str("DEFAULT VALUES");
        } else {
            sql.push('(');
            let mut names: Vec<String> = Vec::with_capacity(columns.len() + 1);
            if let Some((alias, _)) = restore_rowid {
                names.push(alias.to_owned());
            }
            names.extend(columns.iter().map(|c| ident::quote(c)));
            sql.push_str(&names.join(", "));
            sql.push_str(") VALUES (");
            sql.push_str(&vec!["?"; names.len()].join(", "));
            sql.push(')');
        }
        sql.push_str(" RETURNING ");
        sql.push_str(&self.returning(&stored));
        let restore_value = restore_rowid.map(|(_, id)| Value::Integer(id));
        let params = restore_value.iter().chain(values.iter().map(|a| &a.value));
        let mut returned = self.run_returning(&sql, params, stored.len())?;
        let (key_after, after_values) =
            returned.pop().ok_or_else(|| DbError::Internal("an insert returned no row".into()))?;
        Ok(Change {
            table: self.schema.name.clone(),
            op: ChangeOp::Insert,
            key_before: None,
            key_after,
            before: Vec::new(),
            after: zip(&stored, after_values),
        })
    }

    fn delete(&self, key_text: &str) -> Result<Change> {
        let key = self.key(key_text)?;
        let stored = self.stored_columns();
        let (where_sql, key_values) = self.key_condition(&key);
        let before_values = self.read_one(&stored, &where_sql, &key_values, key_text)?;
        let sql = format!("DELETE FROM {} WHERE {where_sql}", ident::quote(&self.schema.name));
        let mut stmt = self.conn.prepare_cached(&sql).at(self.db.path())?;
        let n = stmt.execute(rusqlite::params_from_iter(key_values.iter())).at(self.db.path())?;
        if n != 1 {
            return Err(DbError::WrongRowCount { expected: 1, actual: n });
        }
        Ok(Change {
            table: self.schema.name.clone(),
            op: ChangeOp::Delete,
            key_before: Some(key.encode()),
            key_after: None,
            before: zip(&stored, before_values),
            after: Vec::new(),
        })
    }

    /// The row's values of `columns` (an empty list: just whether it
    /// exists), `None` when there is no row with this key.
    fn current(&self, key_text: &str, columns: &[String]) -> Result<Option<Vec<Value>>> {
        let key = self.key(key_text)?;
        let (where_sql, key_values) = self.key_condition(&key);
        let list = if columns.is_empty() {
            "1".to_owned()
        } else {
            let names = columns
                .iter()
                .map(|c| self.schema.column_index(c).map(|i| Arc::clone(&self.schema.columns[i].name)))
                .collect::<Result<Vec<_>>>()?;
            ident::quote_list(names.iter().map(|c| &**c))
        };
        let sql = format!("SELECT {list} FROM {} WHERE {where_sql}", ident::quote(&self.schema.name));
        let mut stmt = self.conn.prepare_cached(&sql).at(self.db.path())?;
        let width = if columns.is_empty() { 0 } else { columns.len() };
        let mut rows = stmt.query(rusqlite::params_from_iter(key_values.iter())).at(self.db.path())?;
        match rows.next().at(self.db.path())? {
            Some(row) => Ok(Some(
                (0..width)
                    .map(|i| row.get_ref(i).map(Value::from_ref))
                    .collect::<rusqlite::Result<_>>()
                    .at(self.db.path())?,
            )),
            None => Ok(None),
        }
    }

    fn key(&self, text: &str) -> Result<RowKey> {
        RowKey::decode(text)?.for_table(self.schema, text)
    }

    /// Stored names of the columns an edit writes; refuses unknown, hidden,
    /// generated and repeated columns.
    fn writable_columns<'c>(&self, names: impl Iterator<Item = &'c str>) -> Result<Vec<Arc<str>>> {
        let mut out: Vec<Arc<str>> = Vec::new();
        for name in names {
            let col = &self.schema.columns[self.schema.column_index(name)?];
            if col.origin.is_generated() {
                return Err(DbError::GeneratedColumn { column: col.name.to_string() });
            }
            if col.origin == crate::schema::ColumnOrigin::Hidden {
                return Err(DbError::NoSuchColumn {
                    table: self.schema.name.clone(),
                    column: name.to_owned(),
                });
            }
            if out.contains(&col.name) {
                return Err(DbError::BadValue(format!("column {} is set twice", col.name)));
            }
            out.push(Arc::clone(&col.name));
        }
        Ok(out)
    }

    /// Columns that hold stored data (what a deleted row needs to come back).
    fn stored_columns(&self) -> Vec<Arc<str>> {
        self.schema
            .columns
            .iter()
            .filter(|c| c.origin == crate::schema::ColumnOrigin::Normal)
            .map(|c| Arc::clone(&c.name))
            .collect()
    }

    /// Whether `columns` include the rowid's alias (SQLite's own answer,
    /// from the schema: `INTEGER PRIMARY KEY DESC` is not an alias).
    fn sets_rowid_alias(&self, columns: &[Arc<str>]) -> bool {
        self.schema.rowid_column.is_some_and(|i| columns.contains(&self.schema.columns[i].name))
    }

    fn key_exprs(&self) -> Vec<String> {
        match &self.schema.key {
            KeyStrategy::Rowid { alias } => vec![(*alias).to_owned()],
            KeyStrategy::PrimaryKey { columns } => {
                columns.iter().map(|&c| ident::quote(&self.schema.columns[c].name)).collect()
            }
            KeyStrategy::None => Vec::new(),
        }
    }

    fn key_condition(&self, key: &RowKey) -> (String, Vec<Value>) {
        let cond = self.key_exprs().iter().map(|e| format!("{e} = ?")).collect::<Vec<_>>().join(" AND ");
        (cond, key.values())
    }

    /// `RETURNING` list: key expressions, then `columns`.
    fn returning(&self, columns: &[Arc<str>]) -> String {
        let mut parts = self.key_exprs();
        parts.extend(columns.iter().map(|c| ident::quote(c)));
        if parts.is_empty() {
            parts.push("NULL".into());
        }
        parts.join(", ")
    }

    fn read_one(
        &self,
        columns: &[Arc<str>],
        where_sql: &str,
        key: &[Value],
        key_text: &str,
    ) -> Result<Vec<Value>> {
        let list = if columns.is_empty() {
            "NULL".to_owned()
        } else {
            ident::quote_list(columns.iter().map(|c| &**c))
        };
        let sql = format!("SELECT {list} FROM {} WHERE {where_sql}", ident::quote(&self.schema.name));
        let mut stmt = self.conn.prepare_cached(&sql).at(self.db.path())?;
        let mut rows = stmt.query(rusqlite::params_from_iter(key.iter())).at(self.db.path())?;
        let mut found: Option<Vec<Value>> = None;
        let mut count = 0;
        while let Some(row) = rows.next().at(self.db.path())? {
            count += 1;
            if found.is_none() {
                found = Some(
                    (0..columns.len())
                        .map(|i| row.get_ref(i).map(Value::from_ref))
                        .collect::<rusqlite::Result<_>>()
                        .at(self.db.path())?,
                );
            }
        }
        match (found, count) {
            (Some(values), 1) => Ok(values),
            (None, _) => Err(DbError::RowNotFound(key_text.to_owned())),
            (Some(_), n) => Err(DbError::WrongRowCount { expected: 1, actual: n }),
        }
    }

    /// Runs a statement with `RETURNING <key>, <n columns>`; refuses when it
    /// touched other than exactly one row. Returns (new key, column values).
    fn run_returning<'v>(
        &self,
        sql: &str,
        params: impl Iterator<Item = &'v Value>,
        n_columns: usize,
    ) -> Result<Vec<(Option<String>, Vec<Value>)>> {
        let key_width = self.key_exprs().len().max(usize::from(matches!(self.schema.key, KeyStrategy::None)));
        let mut stmt = self.conn.prepare_cached(sql).at(self.db.path())?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params)).at(self.db.path())?;
        let mut out = Vec::with_capacity(1);
        while let Some(row) = rows.next().at(self.db.path())? {
            let mut values: Vec<Value> = (0..key_width + n_columns)
                .map(|i| row.get_ref(i).map(Value::from_ref))
                .collect::<rusqlite::Result<_>>()
                .at(self.db.path())?;
            let rest = values.split_off(key_width);
            let key = RowKey::from_values(&self.schema.key, &values).map(|k| k.encode());
            out.push((key, rest));
        }
        drop(rows);
        if out.len() != 1 {
            return Err(DbError::WrongRowCount { expected: 1, actual: out.len() });
        }
        Ok(out)
    }
}

fn zip(columns: &[Arc<str>], values: Vec<Value>) -> Vec<Assignment> {
    columns.iter().zip(values).map(|(c, value)| Assignment { column: c.to_string(), value }).collect()
}
