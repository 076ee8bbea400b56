//! The notes app: a rollback-journal database with the value kinds a
//! viewer must keep exact — JSON text, image BLOBs, 64-bit integers, REALs,
//! NULLs and a TEXT value that is not valid UTF-8.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection};

use super::{images, DemoError, Seq};

const TITLES: &[&str] = &[
    "Shopping list",
    "Meeting notes: sprint 42",
    "Ideas for the app",
    "Recipe: shakshuka",
    "Books to read",
    "Trip to Lisbon",
    "Release checklist",
    "Passwords? (no!)",
    "Bug: crash on rotate",
    "Quarterly goals",
    "Gift ideas",
    "Workout plan",
];

const CATEGORIES: &[&str] = &["general", "work", "personal", "travel"];
const TAGS: &[&str] = &["todo", "urgent", "later", "android", "ios", "family", "money"];

/// Writes `databases/notes.db` (and `shared_prefs/settings.xml`) under the
/// app directory; returns the database path.
pub fn write_app(app: &Path) -> Result<PathBuf, DemoError> {
    std::fs::create_dir_all(app.join("databases"))?;
    std::fs::create_dir_all(app.join("shared_prefs"))?;
    std::fs::write(
        app.join("shared_prefs/settings.xml"),
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    <boolean name=\"dark_mode\" value=\"true\" />\n</map>\n",
    )?;
    let path = app.join("databases/notes.db");
    let conn = Connection::open(&path)?;
    conn.execute_batch(
        "CREATE TABLE notes (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             title TEXT NOT NULL,
             content TEXT,
             category TEXT DEFAULT 'general',
             tags TEXT, -- JSON array stored as text
             is_favorite BOOLEAN DEFAULT 0,
             word_count INTEGER,
             created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
             updated_at DATETIME DEFAULT CURRENT_TIMESTAMP
         );
         CREATE TABLE attachments (
             id INTEGER PRIMARY KEY,
             note_id INTEGER NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
             file_name TEXT NOT NULL,
             mime_type TEXT NOT NULL,
             bytes INTEGER NOT NULL,
             data BLOB NOT NULL
         );
         CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
         CREATE TABLE sync_state (
             device_id INTEGER PRIMARY KEY, -- 64-bit ids, beyond JavaScript's 2^53
             last_sync_ms INTEGER,
             drift_seconds REAL,
             raw_cookie TEXT
         );
         CREATE INDEX notes_by_category ON notes(category);",
    )?;
    let tx = conn.unchecked_transaction()?;
    let mut seq = Seq::new(0x4E07E5);
    for (i, title) in TITLES.iter().enumerate() {
        let id = i as i64 + 1;
        let tags: Vec<&str> = (0..seq.below(3) + 1).map(|_| *seq.pick(TAGS)).collect();
        let content = format!(
            "{title}\n\n- first point\n- second point with “quotes” and émoji 📝\n- {} more items",
            seq.below(9) + 1
        );
        let created = format!("2024-0{}-{:02} 09:{:02}:00", 1 + i % 9, 1 + i * 2, i * 4 % 60);
        tx.execute(
            "INSERT INTO notes (id, title, content, category, tags, is_favorite, word_count, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            params![
                id,
                title,
                content,
                seq.pick(CATEGORIES),
                serde_json::to_string(&tags)?,
                i % 3 == 0,
                content.split_whitespace().count() as i64,
                created
            ],
        )?;
        if i % 3 == 1 {
            let image = images::png(48, id as u64)?;
            tx.execute(
                "INSERT INTO attachments (note_id, file_name, mime_type, bytes, data) VALUES (?1, ?2, 'image/png', ?3, ?4)",
                params![id, format!("photo_{id}.png"), image.len() as i64, image],
            )?;
        }
    }
    // One note without content, one whose title is empty text (not NULL).
    tx.execute("INSERT INTO notes (title, content, tags, created_at, updated_at) VALUES ('', NULL, '[]', '2024-03-01 10:00:00', '2024-03-01 10:00:00')", [])?;
    tx.execute_batch(
        "INSERT INTO settings VALUES ('theme', '{\"mode\":\"dark\",\"accent\":\"#3b82f6\"}');
         INSERT INTO settings VALUES ('sort', '\"updated_desc\"');
         INSERT INTO settings VALUES ('font_scale', '1.15');",
    )?;
    tx.execute(
        "INSERT INTO sync_state VALUES (?1, ?2, ?3, CAST(?4 AS TEXT))",
        params![
            9_007_199_254_740_993_i64,
            1_709_251_200_123_i64,
            -0.0_f64,
            vec![0x66u8, 0x6f, 0xff, 0xfe, 0x00, 0x6f]
        ],
    )?;
    tx.commit()?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(path)
}
