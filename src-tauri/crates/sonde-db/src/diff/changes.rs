//! A diff as the row changes that make it: the pending log's [`Change`]s.
//! Writes made from the SQL console are not in the log as they happen (a
//! statement is not a row edit), so before a rebase the diff of the pulled
//! version and the working copy stands in for them: it is exactly what the
//! user changed, grid edits included. Only where re-applying it row by row
//! does what the SQL did; otherwise it says why not.

use super::{diff_into, DiffOptions, DiffSink, ObjectKind, RowChange, RowOp, TableCounts, TableHeader};
use crate::error::{Result, SqliteResultExt};
use crate::mutation::{Assignment, Change, ChangeOp};
use crate::pool::{Conn, Db};
use crate::value::Value;
use std::path::Path;
use std::sync::Arc;

/// The row changes of `pulled` → `working`, or why they cannot stand for it.
#[derive(Debug)]
pub enum AsChanges {
    Changes(Vec<Change>),
    Refused(String),
}

/// The changes that turn `pulled` into `working`, at most `max_rows`.
pub fn as_changes(pulled: &Path, working: &Path, max_rows: usize) -> Result<AsChanges> {
    let db = Db::open(working)?;
    let mut log = Log {
        db: &db,
        conn: db.reader()?,
        max_rows,
        table: Table::default(),
        changes: Vec::new(),
        refused: None,
    };
    let schema = diff_into(pulled, working, &DiffOptions::default(), &mut log)?;
    if let Some(c) = schema.first() {
        let kind = match c.kind {
            ObjectKind::Table => "table",
            ObjectKind::Index => "index",
            ObjectKind::View => "view",
            ObjectKind::Trigger => "trigger",
            ObjectKind::UserVersion => "user_version",
        };
        return Ok(AsChanges::Refused(format!("they changed the schema ({kind} {})", c.name)));
    }
    Ok(match log.refused {
        Some(why) => AsChanges::Refused(why),
        None => AsChanges::Changes(log.changes),
    })
}

/// The table whose rows are coming.
#[derive(Default)]
struct Table {
    name: String,
    /// Its compared columns, `None` where no write can set them (generated).
    columns: Vec<Option<Arc<str>>>,
    /// Rows SQLite keeps itself (`sqlite_sequence`): they follow the rows.
    skipped: bool,
    /// Why its rows cannot be re-applied one by one.
    refused: Option<String>,
}

struct Log<'d> {
    db: &'d Db,
    conn: Conn,
    max_rows: usize,
    table: Table,
    changes: Vec<Change>,
    refused: Option<String>,
}

impl Log<'_> {
    fn describe(&self, header: &TableHeader) -> Result<Table> {
        let name = header.name.clone();
        if name == "sqlite_sequence" || name.starts_with("sqlite_stat") {
            return Ok(Table { name, skipped: true, ..Table::default() });
        }
        let schema = self.db.table(&self.conn, &name)?;
        let columns = header
            .columns
            .iter()
            .map(|c| {
                let generated = schema.columns.iter().any(|s| s.name == *c && s.origin.is_generated());
                (!generated).then(|| Arc::clone(c))
            })
            .collect();
        let triggers: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?1",
                [&name],
                |r| r.get(0),
            )
            .at(self.db.path())?;
        let refused = if triggers > 0 {
            Some(format!("{name} has triggers, which would run a second time"))
        } else if header.key_columns.is_empty() {
            Some(format!("{name} has no key to find its rows again"))
        } else {
            None
        };
        Ok(Table { name, columns, skipped: false, refused })
    }

    fn cells(&self, positions: impl Iterator<Item = (u32, Value)>) -> Vec<Assignment> {
        positions
            .filter_map(|(i, value)| {
                let column = self.table.columns.get(i as usize)?.as_ref()?;
                Some(Assignment { column: column.to_string(), value })
            })
            .collect()
    }
}

impl DiffSink for Log<'_> {
    fn whole_updates(&self) -> bool {
        false
    }

    fn table(&mut self, header: &TableHeader) -> Result<()> {
        self.table = self.describe(header)?;
        Ok(())
    }

    fn row(&mut self, row: RowChange) -> Result<()> {
        if self.refused.is_some() || self.table.skipped {
            return Ok(());
        }
        if let Some(why) = self.table.refused.take() {
            self.refused = Some(why);
            return Ok(());
        }
        let Some(key) = row.key.clone() else {
            self.refused = Some(format!("{} has no key to find its rows again", self.table.name));
            return Ok(());
        };
        if self.changes.len() == self.max_rows {
            self.refused = Some(format!("they changed more than {} rows", self.max_rows));
            return Ok(());
        }
        let whole = |values: Option<Vec<Value>>| {
            values.unwrap_or_default().into_iter().zip(0u32..).map(|(v, i)| (i, v))
        };
        let change = match row.op {
            RowOp::Insert => Change {
                table: self.table.name.clone(),
                op: ChangeOp::Insert,
                key_before: None,
                key_after: Some(key),
                before: Vec::new(),
                after: self.cells(whole(row.new)),
            },
            RowOp::Delete => Change {
                table: self.table.name.clone(),
                op: ChangeOp::Delete,
                key_before: Some(key),
                key_after: None,
                before: self.cells(whole(row.old)),
                after: Vec::new(),
            },
            RowOp::Update => {
                let before = self.cells(row.changed_cells().map(|(i, old, _)| (i, old.clone())));
                let after = self.cells(row.changed_cells().map(|(i, _, new)| (i, new.clone())));
                if after.is_empty() {
                    return Ok(()); // only generated columns differ: they follow
                }
                Change {
                    table: self.table.name.clone(),
                    op: ChangeOp::Update,
                    key_before: Some(key.clone()),
                    key_after: Some(key),
                    before,
                    after,
                }
            }
        };
        self.changes.push(change);
        Ok(())
    }

    fn table_done(&mut self, _: &TableHeader, _: &TableCounts) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutation::rebase;
    use rusqlite::Connection;
    use std::path::PathBuf;

    const SCHEMA: &str = "
        CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, total INT, doubled INT GENERATED ALWAYS AS (total * 2));
        CREATE TABLE children(id INTEGER PRIMARY KEY, item INT NOT NULL REFERENCES items(id));
        CREATE TABLE tags(k TEXT PRIMARY KEY, v BLOB) WITHOUT ROWID;
        CREATE TABLE plain(x, y);
        CREATE TABLE logs(id INTEGER PRIMARY KEY AUTOINCREMENT, msg TEXT);
        INSERT INTO items(id, name, total) VALUES (1, 'one', 10), (2, 'two', 20), (3, 'three', 30);
        INSERT INTO children VALUES (1, 1);
        INSERT INTO tags VALUES ('a', x'00ff'), ('b', NULL);
        INSERT INTO plain VALUES (1, 'x'), (2, 'y');
        INSERT INTO logs(msg) VALUES ('first');";

    /// The console's SQL, as a user writes it.
    const CONSOLE: &str = "
        UPDATE items SET total = total + 1, name = upper(name) WHERE id >= 2;
        INSERT INTO items(id, name, total) VALUES (10, 'new', 1);
        INSERT INTO children VALUES (2, 10);
        DELETE FROM children WHERE id = 1; DELETE FROM items WHERE id = 1;
        UPDATE tags SET v = x'01' WHERE k = 'b'; INSERT INTO tags VALUES ('c', -0.0);
        DELETE FROM plain WHERE x = 1; INSERT INTO plain VALUES (3, 9223372036854775807);
        INSERT INTO logs(msg) VALUES ('second');";

    fn make(dir: &Path, name: &str, sql: &str) -> PathBuf {
        let path = dir.join(name);
        let conn = Connection::open(&path).expect("create");
        conn.execute_batch(&format!("PRAGMA foreign_keys = ON; {sql}")).expect("sql");
        path
    }

    fn copy(from: &Path, to: &Path) -> PathBuf {
        std::fs::copy(from, to).expect("copy");
        to.to_owned()
    }

    fn changes(pulled: &Path, working: &Path) -> Vec<Change> {
        match as_changes(pulled, working, 1000).expect("diff") {
            AsChanges::Changes(c) => c,
            AsChanges::Refused(why) => panic!("refused: {why}"),
        }
    }

    fn refused(pulled: &Path, working: &Path, max: usize) -> String {
        match as_changes(pulled, working, max).expect("diff") {
            AsChanges::Refused(why) => why,
            AsChanges::Changes(c) => panic!("not refused: {c:?}"),
        }
    }

    /// Same rows in every table (the diff is empty).
    fn assert_same(a: &Path, b: &Path) {
        let d = super::super::diff(a, b, &DiffOptions::default(), 10).expect("diff");
        assert!(d.tables.is_empty() && d.schema.is_empty(), "{d:#?}");
    }

    /// A pulled database and its working copy after the console's writes.
    fn pulled_and_worked_on(dir: &Path) -> (PathBuf, PathBuf) {
        let pulled = make(dir, "pulled.db", SCHEMA);
        let working = copy(&pulled, &dir.join("working.db"));
        Connection::open(&working).expect("open").execute_batch(CONSOLE).expect("console");
        (pulled, working)
    }

    #[test]
    fn the_changes_re_applied_onto_the_pulled_version_give_the_working_copy() {
        let dir = tempfile::tempdir().expect("tmp");
        let (pulled, working) = pulled_and_worked_on(dir.path());
        let log = changes(&pulled, &working);
        assert!(log.iter().all(|c| c.table != "sqlite_sequence"), "SQLite keeps its counters itself");
        assert!(
            log.iter().flat_map(|c| c.before.iter().chain(&c.after)).all(|a| a.column != "doubled"),
            "generated columns are never written"
        );
        let items_updates = log.iter().filter(|c| c.table == "items" && c.op == ChangeOp::Update).count();
        assert_eq!(items_updates, 2);

        let replayed = copy(&pulled, &dir.path().join("replayed.db"));
        let done = rebase(&replayed, &log).expect("rebase");
        assert!(done.conflicts.is_empty(), "{:?}", done.conflicts);
        assert_same(&replayed, &working);
    }

    #[test]
    fn onto_the_apps_new_version_they_keep_its_writes_and_meet_its_conflicts() {
        let dir = tempfile::tempdir().expect("tmp");
        let (pulled, working) = pulled_and_worked_on(dir.path());
        let device = copy(&pulled, &dir.path().join("device.db"));
        Connection::open(&device)
            .expect("open")
            .execute_batch("UPDATE items SET total = 99 WHERE id = 3; INSERT INTO tags VALUES ('app', 1);")
            .expect("app");
        let done = rebase(&device, &changes(&pulled, &working)).expect("rebase");
        assert_eq!(done.conflicts.len(), 1, "the one row both changed");
        let conn = Connection::open(&device).expect("open");
        let item3: (String, i64) = conn
            .query_row("SELECT name, total FROM items WHERE id = 3", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("3");
        assert_eq!(item3, ("three".to_owned(), 99), "the app's row stays as the app wrote it");
        let app_tag: i64 =
            conn.query_row("SELECT v FROM tags WHERE k = 'app'", [], |r| r.get(0)).expect("tag");
        assert_eq!(app_tag, 1);
        let name2: String =
            conn.query_row("SELECT name FROM items WHERE id = 2", [], |r| r.get(0)).expect("2");
        assert_eq!(name2, "TWO", "mine re-applied");
    }

    #[test]
    fn what_row_changes_cannot_redo_is_refused_with_why() {
        let dir = tempfile::tempdir().expect("tmp");
        let pulled = make(dir.path(), "pulled.db", SCHEMA);

        let schema = copy(&pulled, &dir.path().join("schema.db"));
        Connection::open(&schema)
            .expect("open")
            .execute_batch("ALTER TABLE items ADD COLUMN note TEXT")
            .expect("ddl");
        assert_eq!(refused(&pulled, &schema, 1000), "they changed the schema (table items)");

        let many = copy(&pulled, &dir.path().join("many.db"));
        Connection::open(&many).expect("open").execute_batch("UPDATE items SET total = 0").expect("update");
        assert_eq!(refused(&pulled, &many, 2), "they changed more than 2 rows");
        assert!(
            matches!(as_changes(&pulled, &many, 3).expect("diff"), AsChanges::Changes(c) if c.len() == 3)
        );

        let with_trigger = make(
            dir.path(),
            "trigger.db",
            &format!("{SCHEMA} CREATE TRIGGER audit AFTER UPDATE ON plain BEGIN INSERT INTO logs(msg) VALUES ('changed'); END;"),
        );
        let fired = copy(&with_trigger, &dir.path().join("fired.db"));
        Connection::open(&fired).expect("open").execute_batch("UPDATE plain SET y = 'z'").expect("update");
        assert_eq!(refused(&with_trigger, &fired, 1000), "plain has triggers, which would run a second time");
        // A table whose triggers did not fire is fine.
        let other = copy(&with_trigger, &dir.path().join("other.db"));
        Connection::open(&other).expect("open").execute_batch("UPDATE tags SET v = 2").expect("update");
        assert_eq!(changes(&with_trigger, &other).len(), 2);
    }
}
