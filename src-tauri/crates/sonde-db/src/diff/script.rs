//! A diff as SQL: a script that turns a copy of A into B exactly (schema,
//! rows, indexes, views, triggers, `user_version`), in one transaction.
//!
//! Rows of a table keep their keys: every deleted or updated row is deleted
//! first (one pass over the diff), then every inserted or updated row is
//! inserted with its rowid or primary key (a second pass over the same
//! snapshots) — so a swap of two UNIQUE values never collides halfway.
//! Triggers and views are dropped first and B's recreated last, foreign
//! keys are off while it runs: applying the script fires nothing.
//! Text that is not valid UTF-8 is written as `CAST(X'..' AS TEXT)`; the
//! script itself is valid UTF-8.

use super::{
    stored, with_session, DiffOptions, DiffSink, ObjectKind, RowChange, RowOp, SchemaChange,
    SchemaChangeKind, TableCounts, TableHeader, TableStatus,
};
use crate::error::{DbError, Result};
use crate::ident::quote;
use crate::schema::{KeyStrategy, TableSchema};
use crate::value::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

fn is_internal(name: &str) -> bool {
    name.len() >= 7 && name[..7].eq_ignore_ascii_case("sqlite_")
}

struct Writer<'w> {
    out: &'w mut dyn Write,
}

impl Writer<'_> {
    fn line(&mut self, sql: &str) -> Result<()> {
        self.out.write_all(sql.as_bytes()).map_err(DbError::Output)?;
        self.out.write_all(b"\n").map_err(DbError::Output)
    }
}

/// Writes the script that turns `a` into `b` to `out`.
pub fn write(a: &Path, b: &Path, opts: &DiffOptions, out: &mut dyn Write) -> Result<()> {
    sonde_metrics::timed("diff.sql", || {
        with_session(a, b, |session| {
            let mut w = Writer { out };
            let changes = session.schema_changes().to_vec();
            let in_scope = |name: &str| {
                opts.tables.is_empty()
                    || opts.tables.iter().any(|t| t == name || t.eq_ignore_ascii_case(name))
            };
            w.line("PRAGMA foreign_keys=OFF;")?;
            w.line("BEGIN TRANSACTION;")?;
            let before = super::schema::catalog(session.conn_a, session.db_a.path())?;
            let after = super::schema::catalog(session.conn_b, session.db_b.path())?;
            // Views and triggers go first and come back last (B's).
            for ((kind, name), _) in
                before.iter().filter(|((k, _), _)| matches!(k, ObjectKind::Trigger | ObjectKind::View))
            {
                let what = if *kind == ObjectKind::View { "VIEW" } else { "TRIGGER" };
                w.line(&format!("DROP {what} IF EXISTS {};", quote(name)))?;
            }
            let changed =
                |kind: ObjectKind, c: &&SchemaChange| c.kind == kind && c.change != SchemaChangeKind::Added;
            for c in changes.iter().filter(|c| changed(ObjectKind::Index, c)) {
                w.line(&format!("DROP INDEX IF EXISTS {};", quote(&c.name)))?;
            }
            // Tables dropped or redefined: rebuilt from B's rows below.
            let mut rebuilt: BTreeSet<String> = BTreeSet::new();
            for c in changes.iter().filter(|c| c.kind == ObjectKind::Table && in_scope(&c.name)) {
                if is_internal(&c.name) {
                    continue;
                }
                if c.change != SchemaChangeKind::Added {
                    w.line(&format!("DROP TABLE IF EXISTS {};", quote(&c.name)))?;
                }
                if let Some(sql) = &c.after {
                    w.line(&format!("{sql};"))?;
                    rebuilt.insert(c.name.clone());
                }
            }
            // Pass 1: rows deleted or replaced.
            let mut deletes = RowStatements {
                w: &mut w,
                rebuilt: &rebuilt,
                pass: Pass::Delete,
                table: None,
                emptied: Vec::new(),
            };
            session.run(opts, &mut deletes)?;
            let emptied = deletes.emptied;
            // Pass 2: rows inserted or replaced; whole tables when rebuilt or emptied.
            let mut inserts = RowStatements {
                w: &mut w,
                rebuilt: &rebuilt,
                pass: Pass::Insert,
                table: None,
                emptied: Vec::new(),
            };
            session.run(opts, &mut inserts)?;
            let refill: Vec<String> = rebuilt.iter().cloned().chain(emptied).collect();
            for name in &refill {
                if let Some(table) = session.table_b(name)? {
                    let sql = insert_sql(&table);
                    session
                        .each_row_b(&table, &mut |rowid, values| w.line(&insert_line(&sql, rowid, values)))?;
                }
            }
            // AUTOINCREMENT counters last: every insert above moves them
            // (SQLite never drops `sqlite_sequence`: emptied at most).
            if in_scope("sqlite_sequence") {
                if session.table_b("sqlite_sequence")?.is_some()
                    || before.keys().any(|(_, n)| n == "sqlite_sequence")
                {
                    w.line("DELETE FROM sqlite_sequence;")?;
                }
                if let Some(table) = session.table_b("sqlite_sequence")? {
                    let sql = insert_sql(&table);
                    session
                        .each_row_b(&table, &mut |rowid, values| w.line(&insert_line(&sql, rowid, values)))?;
                }
            }
            for c in changes
                .iter()
                .filter(|c| c.kind == ObjectKind::Index && c.change != SchemaChangeKind::Dropped)
            {
                if let Some(sql) = &c.after {
                    w.line(&format!("{sql};"))?;
                }
            }
            for ((_, _), sql) in after.iter().filter(|((k, _), _)| matches!(k, ObjectKind::View)) {
                w.line(&format!("{sql};"))?;
            }
            for ((_, _), sql) in after.iter().filter(|((k, _), _)| matches!(k, ObjectKind::Trigger)) {
                w.line(&format!("{sql};"))?;
            }
            if let Some(v) = changes.iter().find(|c| c.kind == ObjectKind::UserVersion) {
                w.line(&format!("PRAGMA user_version = {};", v.after.as_deref().unwrap_or("0")))?;
            }
            w.line("COMMIT;")?;
            Ok(())
        })
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Delete,
    Insert,
}

/// Writes one pass of row statements for the tables compared row by row.
/// Keyless tables (matched as multisets) are emptied in pass 1 and refilled
/// from B afterwards; `sqlite_sequence` is rewritten at the very end.
struct RowStatements<'a, 'w> {
    w: &'a mut Writer<'w>,
    rebuilt: &'a BTreeSet<String>,
    pass: Pass,
    table: Option<(TableHeader, bool)>,
    /// Keyless tables emptied in pass 1, to refill from B.
    emptied: Vec<String>,
}

impl DiffSink for RowStatements<'_, '_> {
    fn table(&mut self, header: &TableHeader) -> Result<()> {
        let active = header.status == TableStatus::Compared
            && !self.rebuilt.contains(&header.name)
            && header.name != "sqlite_sequence";
        self.table = Some((header.clone(), active));
        Ok(())
    }

    fn row(&mut self, change: RowChange) -> Result<()> {
        let Some((t, true)) = &self.table else { return Ok(()) };
        if t.key_columns.is_empty() {
            if self.pass == Pass::Delete && !self.emptied.contains(&t.name) {
                self.w.line(&format!("DELETE FROM {};", quote(&t.name)))?;
                self.emptied.push(t.name.clone());
            }
            return Ok(());
        }
        match (self.pass, change.op) {
            (Pass::Delete, RowOp::Delete | RowOp::Update) => self.w.line(&delete_line(t, &change.key_values)),
            (Pass::Insert, RowOp::Insert | RowOp::Update) => {
                self.w.line(&insert_keyed(t, &change.key_values, change.new.as_deref().unwrap_or_default()))
            }
            _ => Ok(()),
        }
    }

    fn table_done(&mut self, _header: &TableHeader, _counts: &TableCounts) -> Result<()> {
        Ok(())
    }
}

/// `DELETE FROM t WHERE <key> = ...;`
fn delete_line(t: &TableHeader, key: &[Value]) -> String {
    let mut sql = format!("DELETE FROM {} WHERE ", quote(&t.name));
    for (i, (name, value)) in t.key_columns.iter().zip(key).enumerate() {
        if i > 0 {
            sql.push_str(" AND ");
        }
        sql.push_str(&quote(name));
        sql.push_str(" = ");
        value.push_sql_literal(&mut sql);
    }
    sql.push(';');
    sql
}

/// `INSERT INTO t(<rowid>, cols) VALUES (...)` for a compared table.
fn insert_keyed(t: &TableHeader, key: &[Value], values: &[Value]) -> String {
    let rowid =
        matches!(t.key, KeyStrategy::Rowid { .. }) && !t.columns.iter().any(|c| t.key_columns.contains(c));
    let mut names: Vec<String> = Vec::with_capacity(values.len() + 1);
    if rowid {
        names.extend(t.key_columns.iter().map(|k| quote(k)));
    }
    names.extend(t.columns.iter().map(|c| quote(c)));
    let mut sql = format!("INSERT INTO {}({}) VALUES (", quote(&t.name), names.join(", "));
    let keys = if rowid { key } else { &[] };
    for (i, v) in keys.iter().chain(values).enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        v.push_sql_literal(&mut sql);
    }
    sql.push_str(");");
    sql
}

/// The statement head for refilling a table from B's rows.
fn insert_sql(table: &TableSchema) -> String {
    let columns = stored(table);
    let mut names: Vec<String> = Vec::with_capacity(columns.len() + 1);
    if let (KeyStrategy::Rowid { alias }, None) = (&table.key, table.rowid_column) {
        names.push((*alias).to_owned());
    }
    names.extend(columns.iter().map(|c| quote(c)));
    format!("INSERT INTO {}({}) VALUES (", quote(&table.name), names.join(", "))
}

fn insert_line(head: &str, rowid: Option<i64>, values: &[Value]) -> String {
    let mut sql = head.to_owned();
    let id = rowid.map(Value::Integer);
    for (i, v) in id.iter().chain(values).enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        v.push_sql_literal(&mut sql);
    }
    sql.push_str(");");
    sql
}
