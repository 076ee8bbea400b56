//! Edits of a local file through the core: applied in place, one
//! transaction per batch, undone exactly; nothing is "pending" (there is no
//! device to push to), before or after a restart.

mod common;

use sonde_core::device::runner::CancellationToken;
use sonde_core::{Assignment, CoreConfig, Edit, Sonde, Value};

fn edit(key: &str, name: &str) -> Edit {
    Edit::Update {
        table: "Artist".into(),
        key: key.into(),
        set: vec![Assignment { column: "Name".into(), value: Value::Text(name.into()) }],
    }
}

#[tokio::test]
async fn local_edits_are_saved_in_place_and_undone_exactly() {
    let dir = tempfile::tempdir().expect("tmp");
    let db_path = common::catalog_db(dir.path());
    let config = CoreConfig::in_dir(dir.path().join("data"));
    let location = db_path.display().to_string();
    let cancel = CancellationToken::new();
    let names =
        |sql: &str| common::json(&common::sonde_ok(["query", &location, sql, "--json"]))["rows"].clone();
    let untouched = names("SELECT Name FROM Artist WHERE ArtistId IN (2, 3) ORDER BY ArtistId");
    {
        let core = Sonde::new(config.clone()).await.expect("core");
        let db = core.open(&location, &cancel).await.expect("open");
        core.apply(&db, vec![edit("1", "one")]).await.expect("apply 1");
        let second = core.apply(&db, vec![edit("2", "two"), edit("3", "three")]).await.expect("apply 2");
        assert!(core.pending(&db).await.expect("pending").is_empty(), "a local file has nothing to push");
        let status = core.status(&db).await.expect("status");
        assert!(!status.unpushed && status.pending_changes == 0);
        core.undo(&db, second).await.expect("undo latest batch");
        let recent = core.recent(5).await.expect("recent");
        assert_eq!(recent[0].uri, db.location.key());
        assert_eq!(recent[0].label, "catalog.sqlite");
    }
    let core = Sonde::new(config).await.expect("restart");
    let db = core.open(&location, &cancel).await.expect("reopen");
    assert!(core.pending(&db).await.expect("pending after restart").is_empty());
    assert_eq!(names("SELECT Name FROM Artist WHERE ArtistId = 1"), serde_json::json!([["one"]]));
    assert_eq!(names("SELECT Name FROM Artist WHERE ArtistId IN (2, 3) ORDER BY ArtistId"), untouched);
    let not_a_snapshot = db.device_uri("discarding edits").expect_err("local");
    assert_eq!(not_a_snapshot.kind(), sonde_core::ErrorKind::Invalid);
}
