//! The chat app: a WAL database that keeps changing, as a messaging app's
//! does. Each step of [`append_messages`] is what the app does when a
//! message arrives: insert it, bump its conversation, and mark the older
//! messages of that conversation read (so a diff shows inserts and updates).
//! The step number seeds the text, so the same steps give the same rows.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use super::{DemoError, Seq};

/// The chat database, relative to the device's `fs/`.
pub const CHAT_DB: &str = "data/data/com.example.chat/databases/chat.db";

const CONTACTS: &[(&str, &str)] = &[
    ("Ada", "+44 20 7946 0018"),
    ("Grace", "+1 202 555 0143"),
    ("Linus", "+358 40 123 4567"),
    ("Margaret", "+1 617 555 0199"),
    ("Ken", "+81 3 1234 5678"),
];

const LINES: &[&str] = &[
    "are you coming tonight?",
    "just pushed the fix 🚀",
    "can you review my PR",
    "lunch at 12:30?",
    "the build is green again",
    "did the migration run on staging?",
    "I'll be 10 minutes late",
    "ok 👍",
    "see you tomorrow",
    "who broke the tests? 😅",
    "Grüße aus München",
    "нужна помощь с базой данных",
];

/// Creates the chat database with a few conversations and their history.
pub fn create(path: &Path) -> Result<(), DemoError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let conn = app_connection(path)?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    conn.execute_batch(
        "CREATE TABLE contacts (
             id INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             phone TEXT NOT NULL UNIQUE,
             avatar BLOB
         );
         CREATE TABLE conversations (
             id INTEGER PRIMARY KEY,
             contact_id INTEGER NOT NULL REFERENCES contacts(id),
             title TEXT NOT NULL,
             last_message_at INTEGER NOT NULL,
             unread INTEGER NOT NULL DEFAULT 0,
             muted INTEGER NOT NULL DEFAULT 0
         );
         CREATE TABLE messages (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
             outgoing INTEGER NOT NULL,
             body TEXT NOT NULL,
             sent_at INTEGER NOT NULL,
             read INTEGER NOT NULL DEFAULT 0
         );
         CREATE INDEX messages_by_conversation ON messages(conversation_id, sent_at);",
    )?;
    let tx = conn.unchecked_transaction()?;
    for (i, (name, phone)) in CONTACTS.iter().enumerate() {
        let id = i as i64 + 1;
        let avatar = super::images::avatar(id as u64)?;
        tx.execute("INSERT INTO contacts VALUES (?1, ?2, ?3, ?4)", params![id, name, phone, avatar])?;
        tx.execute(
            "INSERT INTO conversations (id, contact_id, title, last_message_at) VALUES (?1, ?1, ?2, 0)",
            params![id, name],
        )?;
    }
    tx.commit()?;
    drop(conn);
    // Old history: 40 steps, all read.
    append_messages(path, 40, 0)?;
    let conn = app_connection(path)?;
    conn.execute_batch("UPDATE messages SET read = 1; UPDATE conversations SET unread = 0;")?;
    Ok(())
}

/// A connection as the app holds one: it never checkpoints on close, so the
/// `-wal` keeps recent commits until SQLite's auto-checkpoint (1,000 pages)
/// folds them in, as it would in an app that keeps its database open.
fn app_connection(path: &Path) -> Result<Connection, DemoError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    Ok(conn)
}

/// One millisecond timestamp per step, from a fixed start (2024-03-01).
fn time_of(step: u64) -> i64 {
    1_709_251_200_000 + i64::try_from(step).unwrap_or(0) * 37_000
}

/// Appends `n` incoming messages as the app would (one transaction each),
/// continuing after the last step in the database, or at `first_step` when
/// it is higher. Returns the ids of the new messages.
pub fn append_messages(path: &Path, n: usize, first_step: u64) -> Result<Vec<i64>, DemoError> {
    let conn = app_connection(path)?;
    let last: Option<i64> =
        conn.query_row("SELECT max(id) FROM messages", [], |r| r.get(0)).optional()?.flatten();
    let mut step = first_step.max(last.map_or(0, |l| u64::try_from(l).unwrap_or(0)));
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        step += 1;
        let mut seq = Seq::new(step);
        let conversation = (seq.below(CONTACTS.len() as u64) + 1) as i64;
        let outgoing = seq.below(4) == 0;
        let body = format!("{} #{step}", seq.pick(LINES));
        let at = time_of(step);
        let tx = conn.unchecked_transaction()?;
        tx.execute(
            "INSERT INTO messages (conversation_id, outgoing, body, sent_at, read) VALUES (?1, ?2, ?3, ?4, ?2)",
            params![conversation, outgoing, body, at],
        )?;
        ids.push(tx.last_insert_rowid());
        // Reading a new message marks what came before it as read.
        tx.execute(
            "UPDATE messages SET read = 1 WHERE conversation_id = ?1 AND read = 0 AND id < ?2",
            params![conversation, tx.last_insert_rowid()],
        )?;
        tx.execute(
            "UPDATE conversations SET last_message_at = ?2,
                 unread = (SELECT count(*) FROM messages WHERE conversation_id = ?1 AND read = 0)
             WHERE id = ?1",
            params![conversation, at],
        )?;
        tx.commit()?;
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_deterministic_and_change_rows() {
        let dir = tempfile::tempdir().expect("tmp");
        let a = dir.path().join("a.db");
        let b = dir.path().join("b.db");
        create(&a).expect("a");
        create(&b).expect("b");
        let ids = append_messages(&a, 3, 0).expect("append a");
        append_messages(&b, 3, 0).expect("append b");
        assert_eq!(ids.len(), 3);
        assert!(a.with_file_name("a.db-wal").exists(), "the chat app writes in WAL mode");
        let dump = |p: &Path| -> Vec<(i64, String, i64)> {
            let c = Connection::open(p).expect("open");
            let mut s = c.prepare("SELECT id, body, read FROM messages ORDER BY id").expect("prep");
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .expect("q")
                .collect::<rusqlite::Result<_>>()
                .expect("rows")
        };
        assert_eq!(dump(&a), dump(&b));
        assert_eq!(dump(&a).len(), 43);
    }
}
