//! The core against a real adb and sonde-devsim: a device database's edits
//! (grid changes and console writes) are what is waiting to be pushed, they
//! survive a restart, a push with nothing edited leaves the device alone, a
//! conflict has a way out (discard and pull fresh), and a push reports its
//! real stages in order.
//!
//! One test in this binary: it points the process environment at its lab.

mod common;

use common::device::Lab;
use rusqlite::Connection;
use sonde_core::device::model::{PushOptions, PushProgress};
use sonde_core::device::runner::CancellationToken;
use sonde_core::device::DeviceUri;
use sonde_core::{
    Assignment, CoreConfig, CoreError, Edit, ErrorKind, Face, PushOutcome, RunScope, Sonde, Value,
};
use std::sync::Mutex;

fn rename(key: &str, to: &str) -> Edit {
    Edit::Update {
        table: "users".into(),
        key: key.into(),
        set: vec![Assignment { column: "username".into(), value: Value::Text(to.into()) }],
    }
}

fn device_username(lab: &Lab, id: i64) -> String {
    // A copy (db + wal): opening the device file itself could checkpoint it.
    let dir = tempfile::tempdir().expect("tmp");
    let db = lab.sim().fs("data/data/com.example.shop/databases/shop.db");
    std::fs::copy(&db, dir.path().join("c.db")).expect("copy");
    let wal = db.with_extension("db-wal");
    if wal.exists() {
        std::fs::copy(&wal, dir.path().join("c.db-wal")).expect("copy wal");
    }
    Connection::open(dir.path().join("c.db"))
        .expect("open")
        .query_row("SELECT username FROM users WHERE id = ?1", [id], |r| r.get(0))
        .expect("user")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_edits_conflicts_discard_and_push_stages() {
    let lab = Lab::demo(1);
    lab.enter();
    let data = lab.root.path().join("data");
    let text = format!("android://{}/com.example.shop/databases/shop.db", lab.sim().serial);
    let uri = DeviceUri::parse(&text).expect("uri");
    let cancel = CancellationToken::new();
    let device_db = lab.sim().fs("data/data/com.example.shop/databases/shop.db");
    let device_bytes = || common::db_fingerprint(&device_db);

    let core = Sonde::new(CoreConfig::in_dir(data.clone())).await.expect("core");
    let db = core.open(&text, &cancel).await.expect("open");
    assert_eq!(db.label, "com.example.shop · shop.db");
    let status = core.status(&db).await.expect("status");
    assert!(!status.unpushed && status.wal, "pulled with its -wal: {status:?}");

    // Nothing edited: the device is not touched (no stop, no rewrite).
    let before = device_bytes();
    let outcome = core.push(&uri, PushOptions::default(), true, false, |_| {}, &cancel).await.expect("push");
    assert!(matches!(outcome, PushOutcome::Unchanged), "{outcome:?}");
    assert_eq!(device_bytes(), before);
    let am = std::fs::read_to_string(lab.sim().dir.join("am.log")).unwrap_or_default();
    assert!(!am.contains("force-stop"), "the app was stopped for nothing: {am}");

    // A grid change and a console write are both waiting to be pushed.
    core.apply(&db, vec![rename("1", "edited in sonde")]).await.expect("apply");
    let run = core
        .run_sql(&db, "UPDATE users SET email = 'sql@write' WHERE id = 2", RunScope::All, 100, false, &cancel)
        .await
        .expect("sql");
    assert!(run.wrote && run.statements[0].error.is_none());
    let status = core.status(&db).await.expect("status");
    assert_eq!((status.pending_changes, status.sql_writes, status.unpushed), (1, 1, true));
    drop(core);

    // A restart keeps them (the snapshot is reused, not pulled again).
    let core = Sonde::new(CoreConfig::in_dir(data.clone())).await.expect("restart");
    let db = core.open(&text, &cancel).await.expect("reopen");
    assert_eq!(core.pending(&db).await.expect("pending").len(), 1);
    let refused = core.refresh(&db, &cancel).await.expect_err("refresh with edits");
    assert_eq!(refused.kind(), ErrorKind::UnpushedEdits);

    // The app writes meanwhile: a push that may not rebase is refused, with a way out.
    {
        let app = Connection::open(&device_db).expect("app");
        app.execute_batch(
            "PRAGMA wal_autocheckpoint=0; UPDATE users SET username = 'written by the app' WHERE id = 3",
        )
        .expect("app write");
    }
    let conflict =
        core.push(&uri, PushOptions::default(), false, false, |_| {}, &cancel).await.expect_err("conflict");
    assert_eq!(conflict.kind(), ErrorKind::Conflict);
    assert!(conflict.message_for(Face::App).contains("discard"), "{}", conflict.message_for(Face::App));
    assert!(conflict.message_for(Face::Cli).contains("sonde discard"));

    let (fresh, tables) = core.discard(&uri, &cancel).await.expect("discard");
    assert!(tables.iter().any(|t| t.name == "users"));
    let status = core.status(&fresh).await.expect("status");
    assert!(!status.unpushed && status.pending_changes == 0 && status.sql_writes == 0, "{status:?}");
    let page = core
        .page(&fresh, sonde_core::PageRequest { table: "users".into(), limit: 10, ..Default::default() })
        .await
        .expect("page");
    let name_of = |id: i64| {
        page.rows
            .iter()
            .find(|r| r.values[0] == Value::Integer(id))
            .map(|r| r.values[1].clone())
            .expect("row")
    };
    assert_eq!(name_of(3), Value::Text("written by the app".into()), "the device's version");
    assert_ne!(name_of(1), Value::Text("edited in sonde".into()), "the discarded edit is gone");

    // Edit again and push: every real stage, in order.
    core.apply(&fresh, vec![rename("1", "pushed from sonde")]).await.expect("apply");
    let stages = Mutex::new(Vec::new());
    let outcome = core
        .push(&uri, PushOptions::default(), true, false, |p| stages.lock().expect("stages").push(p), &cancel)
        .await
        .expect("push");
    let PushOutcome::Pushed(pushed) = outcome else { panic!("pushed") };
    assert_eq!(pushed.rebased, 0, "the device had not changed since the pull");
    let report = pushed.report;
    let total = report.bytes;
    assert_eq!(
        stages.into_inner().expect("stages"),
        [
            PushProgress::Checkpoint,
            PushProgress::LocalCheck,
            PushProgress::ConflictCheck,
            PushProgress::StopApp,
            PushProgress::Upload { sent: 0, total },
            PushProgress::Upload { sent: total, total },
            PushProgress::VerifyStaged,
            PushProgress::Swap,
            PushProgress::Verify,
            PushProgress::Done,
        ]
    );
    assert_eq!(device_username(&lab, 1), "pushed from sonde");
    assert_eq!(device_username(&lab, 3), "written by the app");
    assert!(!core.status(&fresh).await.expect("status").unpushed);
    let (_, _) = core.refresh(&fresh, &cancel).await.expect("refresh with nothing to push");
    let not_found: CoreError = core.sql_next(999, 10).await.expect_err("no such result");
    assert_eq!(not_found.kind(), ErrorKind::NotFound);
}
