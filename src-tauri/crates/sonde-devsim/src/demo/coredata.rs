//! A store laid out as Core Data's SQLite store writes one (the layout is
//! private to Apple but stable and widely described): one `Z<ENTITY>` table
//! per root entity with `Z_PK` / `Z_ENT` / `Z_OPT`, sub-entities sharing
//! their root's table (told apart by `Z_ENT`), to-many-to-many
//! relationships in `Z_<ent><RELATIONSHIP>` join tables, entity numbers and
//! primary-key counters in `Z_PRIMARYKEY`, the store's metadata as a binary
//! property list in `Z_METADATA`, and dates as seconds since 2001-01-01.
//!
//! Model (entities numbered alphabetically, as Core Data numbers them):
//! 1 `Item` (abstract) with sub-entities 2 `Note` and 5 `Task`, stored in
//! `ZITEM`; 3 `Project` (`ZPROJECT`, to-many `items`); 4 `Tag` (`ZTAG`);
//! `Item.tags` ⟷ `Tag.items` many-to-many in `Z_1TAGS`.

use std::path::Path;

use rusqlite::{params, Connection};

use super::{DemoError, Seq};

/// Seconds between 1970-01-01 and 2001-01-01 (Core Data's reference date).
pub const REFERENCE_DATE_UNIX: i64 = 978_307_200;

pub const ENT_ITEM: i64 = 1;
pub const ENT_NOTE: i64 = 2;
pub const ENT_PROJECT: i64 = 3;
pub const ENT_TAG: i64 = 4;
pub const ENT_TASK: i64 = 5;

const SCHEMA: &str = "
CREATE TABLE ZITEM ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZPROJECT INTEGER,
    ZCREATEDAT TIMESTAMP, ZTITLE VARCHAR, ZIDENTIFIER BLOB,
    ZDONE INTEGER, ZPRIORITY INTEGER, ZDUEDATE TIMESTAMP, ZBODY VARCHAR );
CREATE TABLE ZPROJECT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCREATEDAT TIMESTAMP,
    ZNAME VARCHAR, ZCOLORHEX VARCHAR, ZIDENTIFIER BLOB );
CREATE TABLE ZTAG ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZNAME VARCHAR );
CREATE TABLE Z_1TAGS ( Z_1ITEMS INTEGER, Z_4TAGS INTEGER, PRIMARY KEY (Z_1ITEMS, Z_4TAGS) );
CREATE INDEX Z_1TAGS_Z_4TAGS_INDEX ON Z_1TAGS (Z_4TAGS, Z_1ITEMS);
CREATE INDEX ZITEM_ZPROJECT_INDEX ON ZITEM (ZPROJECT);
CREATE INDEX ZITEM_Z_ENT_INDEX ON ZITEM (Z_ENT);
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE TABLE Z_MODELCACHE (Z_CONTENT BLOB);
";

const PROJECTS: &[(&str, &str)] = &[("Home", "#22c55e"), ("Work", "#3b82f6"), ("Trip to Lisbon", "#f59e0b")];
const TAGS: &[&str] = &["errand", "deep work", "call", "someday", "waiting"];
const TASKS: &[&str] = &[
    "Renew passport",
    "Book flights",
    "Write quarterly report",
    "Fix login crash",
    "Buy milk",
    "Call the plumber",
    "Review pull requests",
    "Plan sprint",
    "Pack suitcase",
    "Pay rent",
];
const NOTES: &[&str] = &["Packing list", "Ideas for the offsite", "Wifi password at the flat"];

/// A UUID's 16 bytes from a seed (version 4 and variant bits set).
fn uuid_bytes(seq: &mut Seq) -> Vec<u8> {
    let mut b: Vec<u8> =
        seq.next_u64().to_be_bytes().into_iter().chain(seq.next_u64().to_be_bytes()).collect();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    b
}

fn uuid_text(bytes: &[u8]) -> String {
    let hex = hex::encode_upper(bytes);
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// The `Z_METADATA` property list: store type, UUID, and one version hash
/// per entity (what Core Data compares with the app's model on open).
fn metadata_plist(store_uuid: &str, seq: &mut Seq) -> Result<Vec<u8>, DemoError> {
    let mut hashes = plist::Dictionary::new();
    for entity in ["Item", "Note", "Project", "Tag", "Task"] {
        let hash: Vec<u8> = (0..4).flat_map(|_| seq.next_u64().to_be_bytes()).collect();
        hashes.insert(entity.into(), plist::Value::Data(hash));
    }
    let mut dict = plist::Dictionary::new();
    dict.insert("NSStoreType".into(), "SQLite".into());
    dict.insert("NSStoreUUID".into(), store_uuid.into());
    dict.insert("NSPersistenceFrameworkVersion".into(), plist::Value::Integer(1335.into()));
    dict.insert("NSStoreModelVersionHashesVersion".into(), plist::Value::Integer(3.into()));
    dict.insert("NSStoreModelVersionHashes".into(), plist::Value::Dictionary(hashes));
    dict.insert(
        "NSStoreModelVersionIdentifiers".into(),
        plist::Value::Array(vec![plist::Value::String(String::new())]),
    );
    dict.insert("NSAutoVacuumLevel".into(), "2".into());
    let mut out = Vec::new();
    plist::Value::Dictionary(dict).to_writer_binary(&mut out)?;
    Ok(out)
}

pub fn create(path: &Path) -> Result<(), DemoError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let conn = Connection::open(path)?;
    // Core Data stores use WAL (the default since iOS 7).
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))?;
    let tx = conn.unchecked_transaction()?;
    tx.execute_batch(SCHEMA)?;
    let mut seq = Seq::new(0xC0DE_DA7A);
    // 2024-03-01 in Core Data time, with fractions as Core Data writes them.
    let base = (1_709_251_200 - REFERENCE_DATE_UNIX) as f64;
    for (i, (name, colour)) in PROJECTS.iter().enumerate() {
        let created = base + i as f64 * 3_600.25;
        tx.execute(
            "INSERT INTO ZPROJECT VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6)",
            params![i as i64 + 1, ENT_PROJECT, created, name, colour, uuid_bytes(&mut seq)],
        )?;
    }
    for (i, name) in TAGS.iter().enumerate() {
        tx.execute("INSERT INTO ZTAG VALUES (?1, ?2, 1, ?3)", params![i as i64 + 1, ENT_TAG, name])?;
    }
    let mut pk = 0_i64;
    for (i, title) in TASKS.iter().enumerate() {
        pk += 1;
        let project = 1 + (i % PROJECTS.len()) as i64;
        let created = base + 86_400.0 * i as f64 + 0.5;
        let due: Option<f64> = (i % 3 != 2).then(|| created + 86_400.0 * (1 + i % 5) as f64);
        let opt = 1 + (i % 3) as i64;
        tx.execute(
            "INSERT INTO ZITEM (Z_PK, Z_ENT, Z_OPT, ZPROJECT, ZCREATEDAT, ZTITLE, ZIDENTIFIER, ZDONE, ZPRIORITY, ZDUEDATE)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![pk, ENT_TASK, opt, project, created, title, uuid_bytes(&mut seq), i % 4 == 0, (i % 3) as i64, due],
        )?;
        for t in 0..(1 + seq.below(2)) {
            let tag = 1 + ((i as u64 + t * 2) % TAGS.len() as u64) as i64;
            tx.execute("INSERT OR IGNORE INTO Z_1TAGS VALUES (?1, ?2)", params![pk, tag])?;
        }
    }
    for (i, title) in NOTES.iter().enumerate() {
        pk += 1;
        tx.execute(
            "INSERT INTO ZITEM (Z_PK, Z_ENT, Z_OPT, ZPROJECT, ZCREATEDAT, ZTITLE, ZIDENTIFIER, ZBODY)
             VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7)",
            params![
                pk,
                ENT_NOTE,
                3,
                base + 7_200.0 * i as f64,
                title,
                uuid_bytes(&mut seq),
                format!("{title}: …")
            ],
        )?;
    }
    // Sub-entities draw their primary keys from the root entity's counter.
    let primary_keys: [(i64, &str, i64, i64); 5] = [
        (ENT_ITEM, "Item", 0, pk),
        (ENT_NOTE, "Note", ENT_ITEM, 0),
        (ENT_PROJECT, "Project", 0, PROJECTS.len() as i64),
        (ENT_TAG, "Tag", 0, TAGS.len() as i64),
        (ENT_TASK, "Task", ENT_ITEM, 0),
    ];
    for (ent, name, sup, max) in primary_keys {
        tx.execute("INSERT INTO Z_PRIMARYKEY VALUES (?1, ?2, ?3, ?4)", params![ent, name, sup, max])?;
    }
    let store_uuid = uuid_text(&uuid_bytes(&mut seq));
    let plist = metadata_plist(&store_uuid, &mut seq)?;
    tx.execute("INSERT INTO Z_METADATA VALUES (1, ?1, ?2)", params![store_uuid, plist])?;
    tx.execute("INSERT INTO Z_MODELCACHE VALUES (?1)", params![vec![0x1f_u8, 0x8b, 0x08, 0x00]])?;
    tx.commit()?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    conn.close().map_err(|(_, e)| e)?;
    Ok(())
}
