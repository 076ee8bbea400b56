//! A watch against the real adb and sonde-devsim, with an app that writes
//! during it: WAL commits (only the `-wal` moves), pending edits rebased
//! onto the app's writes, a conflict settled then pushed and verified on
//! the device, a schema change, a dropped table, a database recreated
//! wholesale, a disconnect (paused, resumed), and a rollback-journal
//! database. Every wait is on a watch event (bounded only against hangs).
//!
//! One test in this binary: it points the process environment at its lab.

mod common;

use common::device::Lab;
use rusqlite::Connection;
use sonde_core::device::model::PushOptions;
use sonde_core::device::runner::CancellationToken;
use sonde_core::device::DeviceUri;
use sonde_core::{
    Assignment, CoreConfig, DbDiff, Edit, ErrorKind, Keep, OpenDb, PushOutcome, RowOp, Sonde, Value,
    WatchEvent,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

const SHOP: &str = "data/data/com.example.shop/databases/shop.db";
const NOTES: &str = "data/data/com.example.notes/databases/notes.db";
const HANG: Duration = Duration::from_secs(60);

/// The app on the device: one transaction, its change left in the `-wal`
/// (no checkpoint on close), as a running app leaves it.
fn app_writes(db: &Path, sql: &str) {
    let conn = Connection::open(db).expect("app opens its db");
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).expect("no ckpt");
    conn.execute_batch(&format!("PRAGMA wal_autocheckpoint=0; BEGIN; {sql}; COMMIT;")).expect("app write");
}

/// What the device holds now, read from a copy (opening the device file
/// itself could checkpoint it).
fn device_value(db: &Path, sql: &str) -> Value {
    let dir = tempfile::tempdir().expect("tmp");
    for suffix in ["", "-wal"] {
        let from = PathBuf::from(format!("{}{suffix}", db.display()));
        if from.exists() {
            std::fs::copy(&from, dir.path().join(format!("c.db{suffix}"))).expect("copy");
        }
    }
    Connection::open(dir.path().join("c.db"))
        .expect("open copy")
        .query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
        .map(|v| match v {
            rusqlite::types::Value::Text(t) => Value::Text(t),
            rusqlite::types::Value::Integer(i) => Value::Integer(i),
            other => panic!("unexpected {other:?}"),
        })
        .expect("value")
}

fn set(table: &str, key: &str, column: &str, to: &str) -> Edit {
    Edit::Update {
        table: table.into(),
        key: key.into(),
        set: vec![Assignment { column: column.into(), value: Value::Text(to.into()) }],
    }
}

struct Watching {
    events: UnboundedReceiver<WatchEvent>,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<sonde_core::Result<()>>,
}

fn start(core: &Arc<Sonde>, db: &OpenDb, interval_ms: u64) -> Watching {
    let (tx, events) = tokio::sync::mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let (core, db, token) = (Arc::clone(core), db.clone(), cancel.clone());
    let task = tokio::spawn(async move {
        core.watch(&db, Duration::from_millis(interval_ms), &token, move |e| {
            let _ = tx.send(e);
        })
        .await
    });
    Watching { events, cancel, task }
}

impl Watching {
    /// The next event `pick` accepts (others, like a transient error during
    /// a push's swap, are passed over).
    async fn next<T>(&mut self, what: &str, mut pick: impl FnMut(WatchEvent) -> Option<T>) -> T {
        let wait = async {
            loop {
                let event = self.events.recv().await.expect("the watch ended early");
                let shown = format!("{event:?}");
                match pick(event) {
                    Some(found) => return found,
                    None => eprintln!(
                        "(passed over while waiting for {what}: {})",
                        &shown[..shown.len().min(300)]
                    ),
                }
            }
        };
        tokio::time::timeout(HANG, wait).await.unwrap_or_else(|_| panic!("no {what} event"))
    }

    async fn version(
        &mut self,
        what: &str,
    ) -> (sonde_core::VersionInfo, DbDiff, bool, u32, Vec<sonde_core::Conflict>) {
        self.next(what, |e| match e {
            WatchEvent::Version { version, diff, replaced, rebased, conflicts } => {
                Some((version, diff, replaced, rebased, conflicts))
            }
            _ => None,
        })
        .await
    }

    async fn stop(self) {
        self.cancel.cancel();
        let ended = tokio::time::timeout(HANG, self.task).await.expect("the watch stops").expect("task");
        ended.expect("a cancelled watch ends cleanly");
    }
}

fn counts(diff: &DbDiff, table: &str) -> (u64, u64, u64) {
    diff.tables
        .iter()
        .find(|t| t.header.name == table)
        .map_or((0, 0, 0), |t| (t.counts.inserted, t.counts.deleted, t.counts.updated))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_follows_the_apps_writes_and_keeps_pending_edits() {
    let lab = Lab::demo(1);
    lab.enter();
    let data = lab.root.path().join("data");
    let serial = lab.sim().serial.clone();
    let text = format!("android://{serial}/com.example.shop/databases/shop.db");
    let uri = DeviceUri::parse(&text).expect("uri");
    let device_db = lab.sim().fs(SHOP);
    let cancel = CancellationToken::new();
    let core = Arc::new(Sonde::new(CoreConfig::in_dir(data)).await.expect("core"));
    let db = core.open(&text, &cancel).await.expect("open");
    let mut watch = start(&core, &db, 100);
    let first = watch
        .next("started", |e| match e {
            WatchEvent::Started { version } => Some(version),
            _ => None,
        })
        .await;

    // A WAL commit: the new version moves only the -wal.
    app_writes(&device_db, "INSERT INTO users(username, email) VALUES ('new in the app', 'a@b')");
    let (v, diff, replaced, rebased, _) = watch.version("insert").await;
    assert!(v.number > first.number && v.wal && !replaced && rebased == 0);
    assert_eq!(counts(&diff, "users"), (1, 0, 0), "{diff:?}");
    let wal_size = std::fs::metadata(format!("{}-wal", device_db.display())).expect("wal").len();
    assert_eq!(v.moved_bytes, wal_size, "a -wal-only re-pull moves the -wal alone");
    assert!(v.moved_bytes < v.bytes);
    let row = &diff.tables.iter().find(|t| t.header.name == "users").expect("users").rows[0];
    assert_eq!(row.op, RowOp::Insert);
    assert!(row.new.as_ref().expect("new").contains(&Value::Text("new in the app".into())));

    // Pending edits under the app's writes are rebased, not dropped.
    core.apply(&db, vec![set("users", "1", "username", "mine")]).await.expect("edit");
    app_writes(&device_db, "UPDATE users SET email = 'app@write' WHERE id = 3");
    let (_, diff, _, rebased, conflicts) = watch.version("write under pending edits").await;
    assert_eq!((rebased, conflicts.len()), (1, 0), "re-applied without conflict");
    assert_eq!(counts(&diff, "users"), (0, 0, 1), "the diff is the app's write: {diff:?}");
    let users = core
        .page(&db, sonde_core::PageRequest { table: "users".into(), limit: 5, ..Default::default() })
        .await
        .expect("page");
    assert_eq!(users.rows[0].values[1], Value::Text("mine".into()), "my edit is still there");
    assert!(users.rows[2].values.contains(&Value::Text("app@write".into())), "and the app's write");
    assert_eq!(core.pending(&db).await.expect("pending").len(), 1);

    // The app writes the cell I edited: a conflict with its three values.
    app_writes(&device_db, "UPDATE users SET username = 'theirs' WHERE id = 1");
    let (_, _, _, rebased, conflicts) = watch.version("conflicting write").await;
    assert_eq!((rebased, conflicts.len()), (0, 1));
    let c = &conflicts[0];
    assert_eq!(
        (c.table.as_str(), c.op.as_str(), c.columns.as_slice()),
        ("users", "update", &["username".to_owned()][..])
    );
    assert_eq!(c.theirs, Some(vec![Value::Text("theirs".into())]));
    assert_eq!(c.mine, Some(vec![Value::Text("mine".into())]));
    assert!(c.saw.as_ref().is_some_and(|s| s[0] != Value::Text("theirs".into())));
    let refused =
        core.push(&uri, PushOptions::default(), true, false, |_| {}, &cancel).await.expect_err("conflicts");
    assert_eq!(refused.kind(), ErrorKind::Conflict);
    assert_eq!(
        device_value(&device_db, "SELECT username FROM users WHERE id = 1"),
        Value::Text("theirs".into())
    );
    let left = core.resolve_conflict(&db, c.id, Keep::Mine).await.expect("keep mine");
    assert!(left.is_empty());
    let pushed = core.push(&uri, PushOptions::default(), true, false, |_| {}, &cancel).await.expect("push");
    assert!(matches!(pushed, PushOutcome::Pushed(_)));
    assert_eq!(
        device_value(&device_db, "SELECT username FROM users WHERE id = 1"),
        Value::Text("mine".into())
    );
    assert_eq!(
        device_value(&device_db, "SELECT email FROM users WHERE id = 3"),
        Value::Text("app@write".into())
    );
    assert!(core.pending(&db).await.expect("pending").is_empty());

    // A schema change and a dropped table are reported as such.
    watch.version("the push itself").await;
    app_writes(&device_db, "ALTER TABLE products ADD COLUMN note TEXT");
    let (_, diff, ..) = watch.version("schema change").await;
    assert!(diff.schema.iter().any(|s| s.name == "products"), "{:?}", diff.schema);
    assert!(diff.tables.iter().any(|t| t.header.name == "products" && t.header.schema_changed));
    app_writes(&device_db, "DROP TABLE user_sessions");
    let (_, diff, ..) = watch.version("dropped table").await;
    let dropped = diff.tables.iter().find(|t| t.header.name == "user_sessions").expect("user_sessions");
    assert_eq!(dropped.header.status, sonde_core::TableStatus::Dropped);

    // The app recreates its database: a new file, not new commits.
    // (Built beside it and renamed over it, as an app restoring a backup
    // does: the old file is still there while the new one is made, so the
    // new one cannot get its inode number.)
    {
        let app = Connection::open(&device_db).expect("app");
        app.query_row("PRAGMA journal_mode=DELETE", [], |_| Ok(())).expect("leave WAL");
    }
    assert!(!Path::new(&format!("{}-wal", device_db.display())).exists());
    let rebuilt = device_db.with_extension("rebuilt");
    {
        let conn = Connection::open(&rebuilt).expect("recreate");
        conn.execute_batch("CREATE TABLE users(id INTEGER PRIMARY KEY, username TEXT); INSERT INTO users VALUES (1, 'fresh');")
            .expect("new db");
    }
    std::fs::rename(&rebuilt, &device_db).expect("replace");
    let (_, _, replaced, ..) = watch.version("replaced file").await;
    assert!(replaced, "a recreated database is reported as replaced");

    // The device goes away: paused, with a sentence; back: resumed, and
    // the next commit is seen.
    lab.adb(&["disconnect", &serial]);
    let reason = watch
        .next("paused", |e| match e {
            WatchEvent::Paused { reason } => Some(reason),
            _ => None,
        })
        .await;
    assert!(!reason.is_empty());
    lab.adb(&["connect", &serial]);
    watch.next("resumed", |e| matches!(e, WatchEvent::Resumed).then_some(())).await;
    app_writes(&device_db, "INSERT INTO users VALUES (2, 'after the disconnect')");
    let (_, diff, ..) = watch.version("after resume").await;
    assert_eq!(counts(&diff, "users"), (1, 0, 0));
    watch.stop().await;

    // A rollback-journal database: its file changes whole; seen the same way.
    let notes_db = lab.sim().fs(NOTES);
    let notes = core
        .open(&format!("android://{serial}/com.example.notes/databases/notes.db"), &cancel)
        .await
        .expect("open notes");
    let mut watch = start(&core, &notes, 100);
    watch.next("started", |e| matches!(e, WatchEvent::Started { .. }).then_some(())).await;
    Connection::open(&notes_db)
        .expect("app")
        .execute("DELETE FROM notes WHERE id = 1", [])
        .expect("journal write");
    let (v, diff, ..) = watch.version("journal commit").await;
    assert!(!v.wal);
    assert_eq!(counts(&diff, "notes").1, 1);
    assert_eq!(v.moved_bytes, v.bytes, "the database file itself changed: pulled whole");
    watch.stop().await;

    // Every step is a version, listed oldest first.
    let versions = core.versions(&db.location).await.expect("versions");
    assert!(versions.len() >= 8, "{versions:?}");
    assert!(versions.windows(2).all(|w| w[0].number < w[1].number));
}
