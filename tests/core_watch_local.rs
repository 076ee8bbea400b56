//! A watch of a local file inside the app's own process: the user's saves
//! become versions marked as theirs and are not reported as the app's
//! writes; the app's next commit is reported alone.

mod common;

use rusqlite::Connection;
use sonde_core::device::runner::CancellationToken;
use sonde_core::{Assignment, CoreConfig, Edit, Producer, Sonde, Value, WatchEvent};
use std::sync::Arc;
use std::time::Duration;

const HANG: Duration = Duration::from_secs(60);

/// The next `started` or `version` event.
async fn next(events: &mut tokio::sync::mpsc::UnboundedReceiver<WatchEvent>) -> WatchEvent {
    let wait = async {
        loop {
            let event = events.recv().await.expect("watch running");
            if matches!(event, WatchEvent::Started { .. } | WatchEvent::Version { .. }) {
                return event;
            }
        }
    };
    tokio::time::timeout(HANG, wait).await.expect("an event")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_saves_are_not_reported_as_the_apps_writes() {
    let dir = tempfile::tempdir().expect("tmp");
    let db_path = common::make_db(
        dir.path(),
        "local.db",
        "PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');",
    );
    let core = Arc::new(Sonde::new(CoreConfig::in_dir(dir.path().join("data"))).await.expect("core"));
    let cancel = CancellationToken::new();
    let db = core.open(db_path.to_str().expect("utf8"), &cancel).await.expect("open");
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    let (watcher, watched, token) = (Arc::clone(&core), db.clone(), cancel.clone());
    let task = tokio::spawn(async move {
        watcher
            .watch(&watched, Duration::from_millis(50), &token, move |e| {
                let _ = tx.send(e);
            })
            .await
    });
    assert!(matches!(next(&mut events).await, WatchEvent::Started { .. }));

    // The user saves in Sonde: a version marked as an edit, no event.
    let edit = Edit::Update {
        table: "t".into(),
        key: "1".into(),
        set: vec![Assignment { column: "v".into(), value: Value::Text("mine".into()) }],
    };
    core.apply(&db, vec![edit]).await.expect("save");
    let taken = tokio::time::timeout(HANG, async {
        loop {
            let versions = core.versions(&db.location).await.expect("versions");
            if let Some(v) = versions.iter().find(|v| v.producer == Producer::Edit) {
                return v.clone();
            }
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the save became a version");
    assert_eq!(taken.number, 2);

    // The app writes: reported, and only its row.
    Connection::open(&db_path)
        .expect("app")
        .execute("INSERT INTO t VALUES (3, 'app')", [])
        .expect("app write");
    let WatchEvent::Version { version, diff, .. } = next(&mut events).await else { panic!("a version") };
    assert_eq!(version.producer, Producer::Copy);
    let t = diff.tables.iter().find(|t| t.header.name == "t").expect("t");
    assert_eq!((t.counts.inserted, t.counts.updated), (1, 0), "the save is not the app's: {diff:?}");
    cancel.cancel();
    task.await.expect("task").expect("watch ends cleanly");
}
