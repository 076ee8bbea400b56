//! Databases in their framework's terms, through the real `sonde` binary:
//! a Core Data store (laid out as Core Data writes one: sonde-devsim's
//! planner store, an entity hierarchy sharing `ZITEM`, a many-to-many join
//! table, `Z_PRIMARYKEY`, a binary-plist `Z_METADATA`), a SwiftData
//! `default.store` (the same layout plus persistent-history tables), and a
//! Room database written with the SQL Room generates (`room_master_table`
//! row 42, `android_metadata`, AUTOINCREMENT, foreign keys,
//! `user_version`). Edits keep Core Data's bookkeeping, checked with the
//! `sqlite3` shell. Files that are not SQLite say what they are.

mod common;

use common::{make_db, sonde_err, sonde_ok};
use serde_json::Value as Json;
use std::path::Path;
use std::process::Command;

fn tables(db: &Path) -> Vec<Json> {
    let out = sonde_ok(["tables", &db.display().to_string(), "--json"]);
    serde_json::from_str::<Json>(&out).expect("json").as_array().expect("array").clone()
}

fn entry<'a>(tables: &'a [Json], name: &str) -> &'a Json {
    tables.iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("{name} listed: {tables:?}"))
}

/// `sqlite3 DB SQL` (the independent shell), trimmed.
fn sqlite3(db: &Path, sql: &str) -> String {
    let out = Command::new("sqlite3").arg(db).arg(sql).output().expect("sqlite3 (Debian package sqlite3)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn planner(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("Planner.sqlite");
    sonde_devsim::demo::coredata::create(&db).expect("Core Data fixture");
    db
}

#[test]
fn a_core_data_store_lists_its_entities_relationships_and_bookkeeping() {
    let dir = tempfile::tempdir().expect("tmp");
    let listed = tables(&planner(dir.path()));
    let item = entry(&listed, "ZITEM");
    assert_eq!(item["framework"], "coredata");
    assert_eq!(item["entity"], "Item", "the root of the hierarchy names the table");
    assert_eq!(item["entities"], serde_json::json!(["Item", "Note", "Task"]), "every entity stored in it");
    assert!(item.get("internal").is_none(), "app data is not internal: {item}");
    assert_eq!(entry(&listed, "ZPROJECT")["entity"], "Project");
    assert!(entry(&listed, "ZPROJECT").get("entities").is_none(), "one entity: no list");
    let join = entry(&listed, "Z_1TAGS");
    assert_eq!(join["relationship"], "Item.tags");
    assert!(join.get("entity").is_none());
    for internal in ["Z_PRIMARYKEY", "Z_METADATA", "Z_MODELCACHE"] {
        assert_eq!(entry(&listed, internal)["internal"], true, "{internal}");
        assert_eq!(entry(&listed, internal)["framework"], "coredata");
    }
    let text = sonde_ok(["tables", &dir.path().join("Planner.sqlite").display().to_string()]);
    assert!(text.contains("coredata entity Item (Item, Note, Task)"), "{text}");
    assert!(text.contains("coredata relationship Item.tags"), "{text}");
    assert!(text.contains("coredata internal"), "{text}");
}

#[test]
fn core_data_edits_keep_z_pk_z_ent_z_opt_and_z_max() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = planner(dir.path());
    let path = db.display().to_string();
    let max_before: i64 =
        sqlite3(&db, "SELECT Z_MAX FROM Z_PRIMARYKEY WHERE Z_NAME = 'Item'").parse().expect("max");
    let pks_before: i64 = sqlite3(&db, "SELECT max(Z_PK) FROM ZITEM").parse().expect("pk");
    assert_eq!(max_before, pks_before, "the fixture's counter is its highest key");

    // An insert of a Task (a sub-entity, given by Z_ENT) takes the root's next key.
    sonde_ok(["insert", &path, "ZITEM", "--set", "ZTITLE=Water the plants", "--set", "Z_ENT=5"]);
    let row = sqlite3(&db, "SELECT Z_PK, Z_ENT, Z_OPT FROM ZITEM WHERE ZTITLE = 'Water the plants'");
    assert_eq!(row, format!("{}|5|1", max_before + 1));
    assert_eq!(
        sqlite3(&db, "SELECT Z_MAX FROM Z_PRIMARYKEY WHERE Z_NAME = 'Item'"),
        (max_before + 1).to_string()
    );
    assert_eq!(
        sqlite3(&db, "SELECT Z_MAX FROM Z_PRIMARYKEY WHERE Z_NAME = 'Task'"),
        "0",
        "sub-entities keep 0"
    );

    // Without Z_ENT: the table's root entity.
    sonde_ok(["insert", &path, "ZTAG", "--set", "ZNAME=urgent"]);
    assert_eq!(sqlite3(&db, "SELECT Z_PK, Z_ENT, Z_OPT FROM ZTAG WHERE ZNAME = 'urgent'"), "6|4|1");
    assert_eq!(sqlite3(&db, "SELECT Z_MAX FROM Z_PRIMARYKEY WHERE Z_NAME = 'Tag'"), "6");

    // An update bumps the row's version, once per edit.
    let opt: i64 = sqlite3(&db, "SELECT Z_OPT FROM ZITEM WHERE Z_PK = 1").parse().expect("opt");
    sonde_ok(["update", &path, "ZITEM", "--key", "1", "--set", "ZTITLE=Renew passport (urgent)"]);
    assert_eq!(
        sqlite3(&db, "SELECT Z_OPT, ZTITLE FROM ZITEM WHERE Z_PK = 1"),
        format!("{}|Renew passport (urgent)", opt + 1)
    );
    // Z_OPT set explicitly is taken as given.
    sonde_ok(["update", &path, "ZITEM", "--key", "1", "--set", "Z_OPT=40"]);
    assert_eq!(sqlite3(&db, "SELECT Z_OPT FROM ZITEM WHERE Z_PK = 1"), "40");
    // Join tables and bookkeeping tables are edited as they are.
    sonde_ok(["insert", &path, "Z_1TAGS", "--set", "Z_1ITEMS=1", "--set", "Z_4TAGS=6"]);
    assert_eq!(sqlite3(&db, "SELECT count(*) FROM Z_1TAGS WHERE Z_4TAGS = 6"), "1");
    assert_eq!(sqlite3(&db, "PRAGMA integrity_check"), "ok");
}

#[test]
fn a_swiftdata_default_store_is_core_data_with_history_tables() {
    let dir = tempfile::tempdir().expect("tmp");
    // SwiftData's default.store: Core Data's layout, persistent history on
    // (ATRANSACTION, ACHANGE, ATRANSACTIONSTRING), entities named after the
    // @Model classes.
    let db = make_db(
        dir.path(),
        "default.store",
        "CREATE TABLE ZTRIP ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZSTARTDATE TIMESTAMP, ZENDDATE TIMESTAMP, ZNAME VARCHAR, ZDESTINATION VARCHAR );
         CREATE TABLE ZLIVINGACCOMMODATION ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZTRIP INTEGER, ZADDRESS VARCHAR, ZPLACENAME VARCHAR );
         CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
         CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
         CREATE TABLE Z_MODELCACHE (Z_CONTENT BLOB);
         CREATE TABLE ATRANSACTION ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZAUTHORTS INTEGER, ZBUNDLEIDTS INTEGER, ZCONTEXTNAMETS INTEGER, ZPROCESSIDTS INTEGER, ZTIMESTAMP FLOAT, ZAUTHOR VARCHAR, ZBUNDLEID VARCHAR, ZCONTEXTNAME VARCHAR, ZPROCESSID VARCHAR, ZQUERYGEN BLOB );
         CREATE TABLE ACHANGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCHANGETYPE INTEGER, ZENTITY INTEGER, ZENTITYPK INTEGER, ZTRANSACTIONID INTEGER, ZCOLUMNS BLOB );
         CREATE TABLE ATRANSACTIONSTRING ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZNAME VARCHAR UNIQUE );
         INSERT INTO Z_PRIMARYKEY VALUES (1, 'LivingAccommodation', 0, 1), (2, 'Trip', 0, 2), (16001, 'CHANGE', 0, 0), (16002, 'TRANSACTION', 0, 0), (16003, 'TRANSACTIONSTRING', 0, 0);
         INSERT INTO Z_METADATA VALUES (1, 'A6F1C2D4-0E4B-4C1F-9E62-2B1D0C3A7F10', NULL);
         INSERT INTO ZTRIP VALUES (1, 2, 1, 786000000.25, 786600000.5, 'Lisbon', 'Portugal'), (2, 2, 1, 790000000.0, 790500000.0, 'Kyoto', 'Japan');
         INSERT INTO ZLIVINGACCOMMODATION VALUES (1, 1, 1, 1, 'Rua Augusta 1', 'Casa');",
    );
    let listed = tables(&db);
    assert_eq!(entry(&listed, "ZTRIP")["entity"], "Trip");
    assert_eq!(entry(&listed, "ZLIVINGACCOMMODATION")["entity"], "LivingAccommodation");
    for internal in
        ["ATRANSACTION", "ACHANGE", "ATRANSACTIONSTRING", "Z_PRIMARYKEY", "Z_METADATA", "Z_MODELCACHE"]
    {
        assert_eq!(entry(&listed, internal)["internal"], true, "{internal}");
    }
}

/// The SQL Room 2.6 generates for a two-entity database (its exported
/// schema JSON's `createSql`, `setupQueries`), at version 3.
const ROOM: &str = "CREATE TABLE IF NOT EXISTS `users` (`id` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, `name` TEXT NOT NULL, `created_at` INTEGER NOT NULL, `avatar` BLOB, `settings_json` TEXT);
CREATE TABLE IF NOT EXISTS `messages` (`id` INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, `user_id` INTEGER NOT NULL, `body` TEXT NOT NULL, `sent_at` INTEGER NOT NULL, FOREIGN KEY(`user_id`) REFERENCES `users`(`id`) ON UPDATE NO ACTION ON DELETE CASCADE );
CREATE INDEX IF NOT EXISTS `index_messages_user_id` ON `messages` (`user_id`);
CREATE TABLE IF NOT EXISTS room_master_table (id INTEGER PRIMARY KEY,identity_hash TEXT);
INSERT OR REPLACE INTO room_master_table (id,identity_hash) VALUES(42, '3f2a9c7d1e0b4a6c8d5e2f1a0b9c8d7e');
CREATE TABLE android_metadata (locale TEXT);
INSERT INTO android_metadata VALUES ('en_US');
INSERT INTO users (name, created_at, avatar, settings_json) VALUES ('ada', 1732000000123, X'89504E470D0A1A0A0000000D4948445200000002000000030806000000B9EADE810000001149444154789C63F8CFC0F01F8419301800A1790BF54DC49A070000000049454E44AE426082', '{\"theme\":\"dark\"}');
PRAGMA user_version = 3;";

#[test]
fn a_room_database_marks_its_bookkeeping_internal() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = make_db(dir.path(), "app.db", ROOM);
    let listed = tables(&db);
    assert_eq!(entry(&listed, "room_master_table")["internal"], true);
    assert_eq!(entry(&listed, "room_master_table")["framework"], "room");
    assert_eq!(entry(&listed, "android_metadata")["internal"], true);
    assert_eq!(entry(&listed, "android_metadata")["framework"], "android");
    assert!(entry(&listed, "users").get("internal").is_none());
    assert!(entry(&listed, "users").get("entity").is_none(), "Room names tables as the app does");

    // A plain database carries none of the fields.
    let plain = make_db(dir.path(), "plain.db", "CREATE TABLE t(x);");
    let listed = tables(&plain);
    assert_eq!(entry(&listed, "t").as_object().expect("object").len(), 3, "{listed:?}");
}

#[test]
fn files_often_taken_for_sqlite_say_what_they_are() {
    let dir = tempfile::tempdir().expect("tmp");
    // Realm: a 24-byte header whose bytes 16..20 are the `T-DB` mnemonic,
    // in a file of whole 4 KiB pages.
    let mut realm = vec![0u8; 4096];
    realm[16..20].copy_from_slice(b"T-DB");
    realm[20] = 22; // file format version
    realm[8] = 0x9f;
    let realm_path = dir.path().join("default.realm");
    std::fs::write(&realm_path, &realm).expect("realm");
    let err = sonde_err(["tables", &realm_path.display().to_string()]);
    assert!(err.contains("not a SQLite database but a Realm database"), "{err}");

    // LevelDB: a table file ends with its magic number.
    let mut ldb = vec![0x42u8; 100];
    ldb.extend_from_slice(&0xdb47_7524_8b80_fb57u64.to_le_bytes());
    let ldb_path = dir.path().join("000005.ldb");
    std::fs::write(&ldb_path, &ldb).expect("ldb");
    let err = sonde_err(["tables", &ldb_path.display().to_string()]);
    assert!(err.contains("LevelDB"), "{err}");

    // MMKV: a data file beside its .crc.
    let mmkv = dir.path().join("mmkv.default");
    std::fs::write(&mmkv, [0x10, 0, 0, 0, 0x0a, 0x03, b'k', b'e', b'y']).expect("mmkv");
    std::fs::write(dir.path().join("mmkv.default.crc"), [0u8; 8]).expect("crc");
    assert!(sonde_err(["tables", &mmkv.display().to_string()]).contains("MMKV"));

    // A binary plist (NSUserDefaults) and SharedPreferences XML.
    let mut bplist = Vec::new();
    plist::Value::Dictionary(plist::Dictionary::new()).to_writer_binary(&mut bplist).expect("plist");
    let prefs_plist = dir.path().join("com.example.plist");
    std::fs::write(&prefs_plist, &bplist).expect("bplist");
    assert!(sonde_err(["tables", &prefs_plist.display().to_string()]).contains("property list"));
    let prefs = dir.path().join("settings.xml");
    std::fs::write(&prefs, "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n</map>\n")
        .expect("xml");
    assert!(sonde_err(["tables", &prefs.display().to_string()]).contains("SharedPreferences"));

    // Random bytes are still "encrypted or corrupt", text still "not a SQLite database".
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello").expect("text");
    let err = sonde_err(["tables", &text.display().to_string()]);
    assert!(err.contains("not a SQLite database") && !err.contains(" but "), "{err}");
}

/// `schema --json` columns: `"display"` where the value is shown as
/// something other than its storage class; none elsewhere.
fn displays(db: &Path, table: &str) -> Vec<(String, Option<String>)> {
    let out = sonde_ok(["schema", &db.display().to_string(), table, "--json"]);
    let schema: Json = serde_json::from_str(&out).expect("json");
    schema["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or("").to_owned(),
                c.get("display").and_then(|d| d.as_str()).map(str::to_owned),
            )
        })
        .collect()
}

fn display_of(columns: &[(String, Option<String>)], name: &str) -> Option<String> {
    columns.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name} in {columns:?}")).1.clone()
}

#[test]
fn schema_json_says_how_values_are_shown() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = planner(dir.path());
    let item = displays(&store, "ZITEM");
    assert_eq!(display_of(&item, "ZCREATEDAT").as_deref(), Some("coredata-date"));
    assert_eq!(display_of(&item, "ZDUEDATE").as_deref(), Some("coredata-date"));
    assert_eq!(display_of(&item, "ZIDENTIFIER").as_deref(), Some("uuid"));
    assert_eq!(display_of(&item, "ZTITLE"), None, "text is shown as text");
    assert_eq!(display_of(&item, "Z_PK"), None);
    let metadata = displays(&store, "Z_METADATA");
    assert_eq!(display_of(&metadata, "Z_PLIST").as_deref(), Some("plist"), "{metadata:?}");

    let room = make_db(dir.path(), "app.db", ROOM);
    let users = displays(&room, "users");
    assert_eq!(display_of(&users, "created_at").as_deref(), Some("unix-millis"));
    assert_eq!(display_of(&users, "settings_json").as_deref(), Some("json"));
    assert_eq!(display_of(&users, "avatar").as_deref(), Some("image"));
    assert_eq!(display_of(&users, "name"), None);
    assert_eq!(display_of(&users, "id"), None, "an id is not a date");
    let shown = sonde_ok(["rows", &room.display().to_string(), "users", "--display"]);
    assert!(shown.contains("PNG 2×3"), "the avatar's format and size from its header: {shown}");
    // rows --json stays raw and exact.
    let rows = sonde_ok(["rows", &room.display().to_string(), "users", "--json"]);
    assert!(rows.contains("1732000000123"), "{rows}");
}

#[test]
fn rows_display_shows_values_as_what_they_mean() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = planner(dir.path());
    let path = store.display().to_string();
    // The oracle: sqlite3's own reading of the stored numbers and bytes.
    let created: f64 = sqlite3(&store, "SELECT ZCREATEDAT FROM ZITEM WHERE Z_PK = 1").parse().expect("real");
    let unix_ms = ((created + 978_307_200.0) * 1000.0).round() as i64;
    let id = sqlite3(&store, "SELECT upper(hex(ZIDENTIFIER)) FROM ZITEM WHERE Z_PK = 1");
    let uuid = format!("{}-{}-{}-{}-{}", &id[0..8], &id[8..12], &id[12..16], &id[16..20], &id[20..32]);

    let shown = sonde_ok(["rows", &path, "ZITEM", "--limit", "1", "--display"]);
    let utc = {
        let secs = unix_ms.div_euclid(1000);
        let out = Command::new("date")
            .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%d %H:%M:%S"])
            .output()
            .expect("date");
        format!("{}.{:03} UTC", String::from_utf8_lossy(&out.stdout).trim(), unix_ms.rem_euclid(1000))
    };
    assert!(shown.contains(&utc), "the Core Data date as UTC ({utc}): {shown}");
    assert!(shown.contains(&uuid), "the UUID BLOB as text ({uuid}): {shown}");
    let plain = sonde_ok(["rows", &path, "ZITEM", "--limit", "1"]);
    assert!(!plain.contains(&uuid) && !plain.contains(&utc), "without --display: as stored");
    let raw = sonde_ok(["rows", &path, "ZITEM", "--limit", "1", "--json"]);
    assert!(raw.contains(&created.to_string()), "--json stays raw and exact: {raw}");
    let err = sonde_err(["rows", &path, "ZITEM", "--json", "--display"]);
    assert!(err.contains("--display is for text output"), "{err}");
    let metadata = sonde_ok(["rows", &path, "Z_METADATA", "--display"]);
    assert!(metadata.contains("NSStoreModelVersionHashes"), "the binary plist decoded: {metadata}");
}

#[test]
fn query_warns_before_ddl_on_a_room_database_and_runs_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = make_db(dir.path(), "app.db", ROOM);
    let out = common::sonde(["query", &db.display().to_string(), "ALTER TABLE users ADD COLUMN email TEXT"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("warning: this is a Room database"), "{stderr}");
    assert!(sqlite3(&db, "SELECT sql FROM sqlite_schema WHERE name = 'users'").contains("email"), "it ran");
    let out = common::sonde(["query", &db.display().to_string(), "SELECT count(*) FROM users"]);
    assert!(String::from_utf8_lossy(&out.stderr).is_empty(), "no warning without DDL");
}

/// A Room database on the simulated device (real adb): DDL from `query`
/// on its snapshot warns; the push of the changed schema is refused until
/// `--allow-schema-change`, and the device keeps its file meanwhile.
#[test]
fn a_room_database_with_a_changed_schema_is_pushed_only_when_allowed() {
    let lab = common::device::Lab::demo(1);
    let device_db = lab.sim().fs("data/data/com.example.shop/databases/app.db");
    rusqlite::Connection::open(&device_db).expect("device db").execute_batch(ROOM).expect("room");
    let uri = format!("android://{}/com.example.shop/databases/app.db", lab.sim().serial);
    let before = common::sha256(&device_db);

    // Rows only: pushed as ever.
    lab.sonde_ok(&["update", &uri, "users", "--key", "1", "--set", "name=grace"]);
    lab.sonde_ok(&["push", &uri]);
    assert_eq!(sqlite3(&device_db, "SELECT name FROM users"), "grace");
    let pushed = common::sha256(&device_db);
    assert_ne!(pushed, before);

    let out = lab.sonde(&["query", &uri, "ALTER TABLE users ADD COLUMN email TEXT"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Room checks the identity hash"));
    let refused = lab.sonde_err(&["push", &uri]);
    assert!(refused.contains("Room checks the identity hash"), "{refused}");
    assert_eq!(common::sha256(&device_db), pushed, "the device keeps its file");
    lab.sonde_ok(&["push", &uri, "--allow-schema-change"]);
    assert!(sqlite3(&device_db, "SELECT sql FROM sqlite_schema WHERE name = 'users'").contains("email"));
}
