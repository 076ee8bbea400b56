//! The app's path through the core for framework stores: display kinds the
//! user chooses are remembered per database, table and column (and "as
//! stored" is a choice too); a cell decodes as its kind for the inspector;
//! the date editor's value is the exact stored representation; DDL on a
//! Room database waits for a confirmation.

mod common;

use sonde_core::device::runner::CancellationToken;
use sonde_core::{CoreConfig, Decoded, DisplayKind, ErrorKind, RunScope, Sonde, Value};

async fn core(data: &std::path::Path) -> Sonde {
    Sonde::new(CoreConfig::in_dir(data.to_owned())).await.expect("core")
}

fn display_of(schema: &sonde_core::TableSchema, column: &str) -> (Option<DisplayKind>, bool) {
    let c = schema.columns.iter().find(|c| &*c.name == column).expect("column");
    (c.display, c.display_override)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn display_choices_are_remembered_and_cells_decode() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = dir.path().join("Planner.sqlite");
    sonde_devsim::demo::coredata::create(&store).expect("fixture");
    let data = dir.path().join("data");
    let cancel = CancellationToken::new();
    let location = store.display().to_string();

    let sonde = core(&data).await;
    let db = sonde.open(&location, &cancel).await.expect("open");
    let schema = sonde.schema(&db, "ZITEM").await.expect("schema");
    assert_eq!(display_of(&schema, "ZCREATEDAT"), (Some(DisplayKind::CoredataDate), false));
    // As stored, then as a UUID where nothing was inferred.
    let schema = sonde.set_display_kind(&db, "ZITEM", "ZCREATEDAT", Some("raw")).await.expect("raw");
    assert_eq!(display_of(&schema, "ZCREATEDAT"), (None, true));
    let schema = sonde.set_display_kind(&db, "ZITEM", "ZTITLE", Some("json")).await.expect("json");
    assert_eq!(display_of(&schema, "ZTITLE"), (Some(DisplayKind::Json), true));
    let bad = sonde.set_display_kind(&db, "ZITEM", "ZTITLE", Some("epoch")).await.expect_err("no such kind");
    assert_eq!(bad.kind(), ErrorKind::Invalid);
    assert!(bad.to_string().contains("coredata-date"), "lists the kinds: {bad}");
    let missing =
        sonde.set_display_kind(&db, "ZITEM", "NOPE", Some("json")).await.expect_err("no such column");
    assert_eq!(missing.kind(), ErrorKind::NotFound);

    // A new run remembers; `None` goes back to the inferred kind.
    let sonde = core(&data).await;
    let db = sonde.open(&location, &cancel).await.expect("open");
    let schema = sonde.schema(&db, "ZITEM").await.expect("schema");
    assert_eq!(display_of(&schema, "ZCREATEDAT"), (None, true));
    assert_eq!(display_of(&schema, "ZTITLE"), (Some(DisplayKind::Json), true));
    let schema = sonde.set_display_kind(&db, "ZITEM", "ZCREATEDAT", None).await.expect("automatic");
    assert_eq!(display_of(&schema, "ZCREATEDAT"), (Some(DisplayKind::CoredataDate), false));

    // The inspector: Z_METADATA's plist, a UUID, and an error a user can act on.
    match sonde.decode_cell(&db, "Z_METADATA", "1", "Z_PLIST", "plist").await.expect("plist") {
        Decoded::Plist { .. } => {}
        other => panic!("a plist: {other:?}"),
    }
    let uuid = sonde.decode_cell(&db, "ZITEM", "1", "ZIDENTIFIER", "uuid").await.expect("uuid");
    let json = serde_json::to_value(&uuid).expect("json");
    assert_eq!(json["type"], "uuid");
    assert_eq!(json["text"].as_str().map(str::len), Some(36));
    let not = sonde.decode_cell(&db, "ZITEM", "1", "ZTITLE", "uuid").await.expect_err("text is no uuid");
    assert_eq!(not.kind(), ErrorKind::Invalid);

    // The date editor: a Core Data date is a REAL of seconds since 2001.
    let created =
        sonde_core::display::encode_date("coredata-date", "2025-11-28T09:46:40.250Z", false).expect("date");
    assert_eq!(created, Value::Real(786_016_000.25));
    let millis =
        sonde_core::display::encode_date("unix-millis", "2025-11-28T09:46:40.250Z", true).expect("ms");
    assert_eq!(millis, Value::Integer(1_764_323_200_250));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ddl_on_a_room_database_waits_for_a_confirmation() {
    let dir = tempfile::tempdir().expect("tmp");
    let db_path = common::make_db(
        dir.path(),
        "app.db",
        "CREATE TABLE `users` (`id` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, `name` TEXT NOT NULL);
         CREATE TABLE room_master_table (id INTEGER PRIMARY KEY,identity_hash TEXT);
         INSERT OR REPLACE INTO room_master_table (id,identity_hash) VALUES(42, '3f2a9c7d1e0b4a6c8d5e2f1a0b9c8d7e');
         PRAGMA user_version = 3;",
    );
    let before = common::side_hashes(&db_path);
    let sonde = core(&dir.path().join("data")).await;
    let cancel = CancellationToken::new();
    let db = sonde.open(&db_path.display().to_string(), &cancel).await.expect("open");
    assert_eq!(sonde.user_version(&db).await.expect("version"), 3);

    let ddl = "SELECT 1; ALTER TABLE users ADD COLUMN email TEXT";
    let refused = sonde.run_sql(&db, ddl, RunScope::All, 50, false, &cancel).await.expect_err("asks first");
    assert_eq!(refused.kind(), ErrorKind::SchemaChange);
    assert!(refused.to_string().contains("Room checks the identity hash"), "{refused}");
    assert_eq!(common::side_hashes(&db_path), before, "nothing ran");
    // Reads and writes of rows need no confirmation.
    sonde
        .run_sql(&db, "INSERT INTO users(name) VALUES ('ada')", RunScope::All, 50, false, &cancel)
        .await
        .expect("dml");
    // Confirmed: it runs.
    sonde.run_sql(&db, ddl, RunScope::All, 50, true, &cancel).await.expect("confirmed");
    let schema = sonde.schema(&db, "users").await.expect("schema");
    assert!(schema.columns.iter().any(|c| &*c.name == "email"));

    // The same DDL on a plain database runs at once.
    let plain = common::make_db(dir.path(), "plain.db", "CREATE TABLE t(x);");
    let db = sonde.open(&plain.display().to_string(), &cancel).await.expect("open");
    sonde
        .run_sql(&db, "ALTER TABLE t ADD COLUMN y", RunScope::All, 50, false, &cancel)
        .await
        .expect("plain ddl");
}
