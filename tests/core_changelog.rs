//! The facade's change log: applied edits are recorded per database, undo
//! takes them back out, and the log survives a restart (a new `Sonde`).

mod common;

use sonde_core::{CoreConfig, Sonde};
use sonde_db::mutation::{Assignment, Edit};
use sonde_db::Value;
use sonde_device::runner::CancellationToken;

fn edit(key: &str, name: &str) -> Edit {
    Edit::Update {
        table: "Artist".into(),
        key: key.into(),
        set: vec![Assignment { column: "Name".into(), value: Value::Text(name.into()) }],
    }
}

#[tokio::test]
async fn edits_are_logged_undone_and_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tmp");
    let db_path = common::catalog_db(dir.path());
    let config = CoreConfig { data_dir: dir.path().join("data") };
    let location = db_path.display().to_string();
    let cancel = CancellationToken::new();
    let names =
        |sql: &str| common::json(&common::sonde_ok(["query", &location, sql, "--json"]))["rows"].clone();
    let untouched = names("SELECT Name FROM Artist WHERE ArtistId IN (2, 3) ORDER BY ArtistId");
    {
        let core = Sonde::new(config.clone()).expect("core");
        let db = core.open(&location, &cancel).await.expect("open");
        let first = core.apply(&db, vec![edit("1", "one")]).await.expect("apply 1");
        let second = core.apply(&db, vec![edit("2", "two"), edit("3", "three")]).await.expect("apply 2");
        assert_eq!(core.state().pending(&db.location.key()).expect("pending").len(), 3);
        core.undo(&db, second).await.expect("undo latest batch");
        let pending = core.state().pending(&db.location.key()).expect("pending");
        assert_eq!(pending.len(), 1, "undone changes leave the log");
        assert_eq!(pending[0].1, first[0]);
        let recent = core.state().recent(5).expect("recent");
        assert_eq!(recent[0].uri, db.location.key());
    }
    let core = Sonde::new(config).expect("restart");
    let db = core.open(&location, &cancel).await.expect("reopen");
    let pending = core.state().pending(&db.location.key()).expect("pending after restart");
    assert_eq!(pending.len(), 1);
    assert_eq!(names("SELECT Name FROM Artist WHERE ArtistId = 1"), serde_json::json!([["one"]]));
    assert_eq!(names("SELECT Name FROM Artist WHERE ArtistId IN (2, 3) ORDER BY ArtistId"), untouched);
}
