//! The CLI contract of versions, watch, conflicts and resolve, through the
//! real `sonde` binary: a local file (private copies as versions, the
//! user's files untouched), the simulated device through the real adb, a
//! push that rebases onto the app's write, and one that conflicts until
//! settled; SQL console writes rebased the same way, or refused with why.

mod common;

use common::device::Lab;
use common::watch::{Watch, HANG};
use common::{json, make_db, side_hashes};
use rusqlite::Connection;
use std::process::Command;

const SHOP: &str = "data/data/com.example.shop/databases/shop.db";

#[test]
fn watching_a_local_file_takes_private_versions() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let db = make_db(
        dir.path(),
        "app.db",
        "PRAGMA journal_mode=WAL; CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items VALUES (1, 'one');",
    );
    let app = Connection::open(&db).expect("the app keeps its database open");
    app.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).expect("no ckpt");
    app.execute_batch("PRAGMA wal_autocheckpoint=0").expect("no autocheckpoint");

    let mut cmd = Command::new(common::sonde_bin());
    cmd.args(["watch", db.to_str().expect("utf8"), "--json", "--count", "2", "--interval", "100"])
        .env("SONDE_DATA_DIR", &data);
    let watch = Watch::spawn(cmd);
    let first = json(&watch.line());
    assert_eq!((first["version"].as_u64(), first["started"].as_bool()), (Some(1), Some(true)), "{first}");
    assert_eq!(first["producer"], "copy");
    assert!(first["at"].as_str().is_some_and(|t| t.ends_with('Z')), "{first}");

    app.execute("INSERT INTO items VALUES (2, 'two')", []).expect("app write");
    let written = side_hashes(&db);
    let second = json(&watch.line());
    assert_eq!(second["version"], 2);
    let items = &second["tables"].as_array().expect("tables")[0];
    assert_eq!(
        (
            items["name"].as_str(),
            items["inserted"].as_u64(),
            items["deleted"].as_u64(),
            items["updated"].as_u64()
        ),
        (Some("items"), Some(1), Some(0), Some(0))
    );
    watch.exits();
    assert_eq!(side_hashes(&db), written, "the watch never wrote the user's files");

    let run = |args: &[&str]| {
        let out = common::run_within(
            {
                let mut c = Command::new(common::sonde_bin());
                c.args(args).env("SONDE_DATA_DIR", &data);
                c
            },
            HANG,
        );
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf8")
    };
    let path = db.to_str().expect("utf8");
    let versions = json(&run(&["versions", path, "--json"]));
    let list = versions.as_array().expect("list");
    assert_eq!(list.len(), 2);
    assert!(list
        .iter()
        .all(|v| v["producer"] == "copy" && v["sha256"].as_str().is_some_and(|h| h.len() == 64)));
    let text = run(&["versions", path]);
    assert!(text.lines().count() >= 4 && text.contains("copy"), "{text}");
    let diff = json(&run(&["diff", path, "--from", "1", "--json"]));
    let rows = &diff["tables"][0]["rows"];
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{diff}");
    assert_eq!(rows[0]["op"], "insert");
}

#[test]
fn watch_and_versions_refuse_what_is_not_a_database() {
    let dir = tempfile::tempdir().expect("tmp");
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just text that is long enough").expect("write");
    let mut cmd = Command::new(common::sonde_bin());
    cmd.args(["watch", junk.to_str().expect("utf8"), "--count", "1"])
        .env("SONDE_DATA_DIR", dir.path().join("data"));
    let out = common::run_within(cmd, HANG);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.starts_with("error: ") && stderr.lines().count() == 1,
        "{stderr}"
    );
    let err = common::sonde_err(["diff", junk.to_str().expect("utf8"), "--from", "1"]);
    assert!(err.starts_with("error: "), "{err}");
}

/// The app writes on the device (its change left in the -wal).
fn app_writes(lab: &Lab, sql: &str) {
    let conn = Connection::open(lab.sim().fs(SHOP)).expect("app db");
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).expect("no ckpt");
    conn.execute_batch(&format!("PRAGMA wal_autocheckpoint=0; {sql}")).expect("app write");
}

fn device_user(lab: &Lab, id: i64) -> (String, String) {
    let copy = tempfile::tempdir().expect("tmp");
    let db = lab.sim().fs(SHOP);
    std::fs::copy(&db, copy.path().join("c.db")).expect("copy");
    let wal = db.with_extension("db-wal");
    if wal.exists() {
        std::fs::copy(&wal, copy.path().join("c.db-wal")).expect("copy wal");
    }
    Connection::open(copy.path().join("c.db"))
        .expect("open")
        .query_row("SELECT username, email FROM users WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("user")
}

#[test]
fn watching_the_simulated_device_and_pushing_over_the_apps_writes() {
    let lab = Lab::demo(1);
    let uri = format!("android://{}/com.example.shop/databases/shop.db", lab.sim().serial);
    let data = lab.root.path().join("data");
    let watch = Watch::spawn(lab.sonde_command(&data, &["watch", &uri, "--count", "2", "--interval", "100"]));
    let first = watch.line();
    assert!(first.starts_with("watching com.example.shop · shop.db from version "), "{first}");
    app_writes(&lab, "INSERT INTO users(username, email) VALUES ('watched', 'w@x')");
    let second = watch.line();
    assert!(second.starts_with("version ") && second.contains("users +1 -0 ~0"), "{second}");
    watch.exits();
    let versions = json(&lab.sonde_ok(&["versions", &uri, "--json"]));
    let list = versions.as_array().expect("versions");
    assert!(list.len() >= 2 && list.last().is_some_and(|v| v["producer"] == "watch"), "{versions}");
    let last = list.last().expect("last");
    assert!(last["moved_bytes"].as_u64() < last["bytes"].as_u64(), "only the -wal moved: {last}");

    // An edit, the app writes another row, push: rebased, both on the device.
    lab.sonde_ok(&["update", &uri, "users", "--key", "1", "--set", "username=mine"]);
    app_writes(&lab, "UPDATE users SET email = 'app@write' WHERE id = 2");
    let pushed = lab.sonde_ok(&["push", &uri]);
    assert!(pushed.starts_with("pushed "), "{pushed}");
    assert!(pushed.contains("\nre-applied 1 edit on top of what the app wrote since the pull\n"), "{pushed}");
    assert_eq!(device_user(&lab, 1).0, "mine");
    assert_eq!(device_user(&lab, 2).1, "app@write");

    // The app writes the very cell: push refused until it is settled.
    lab.sonde_ok(&["update", &uri, "users", "--key", "1", "--set", "username=mine again"]);
    app_writes(&lab, "UPDATE users SET username = 'theirs' WHERE id = 1");
    let err = lab.sonde_err(&["push", &uri]);
    assert!(err.contains("conflict") && err.contains("sonde conflicts"), "{err}");
    assert_eq!(device_user(&lab, 1).0, "theirs", "nothing was pushed");
    let conflicts = json(&lab.sonde_ok(&["conflicts", &uri, "--json"]));
    let c = &conflicts.as_array().expect("list")[0];
    assert_eq!((c["table"].as_str(), c["op"].as_str()), (Some("users"), Some("update")));
    assert_eq!(c["theirs"][0].as_str(), Some("theirs"), "{c}");
    let id = c["id"].as_i64().expect("id").to_string();
    let listed = lab.sonde_ok(&["conflicts", &uri]);
    assert!(listed.contains("mine again") && listed.contains("theirs"), "{listed}");
    let left = json(&lab.sonde_ok(&["resolve", &uri, &id, "--keep", "theirs", "--json"]));
    assert_eq!(left.as_array().map(Vec::len), Some(0));
    let nothing = lab.sonde_ok(&["push", &uri]);
    assert!(nothing.starts_with("nothing to push"), "keeping theirs leaves nothing to push: {nothing}");
    assert_eq!(device_user(&lab, 1).0, "theirs");
    let unknown = lab.sonde_err(&["resolve", &uri, "999", "--keep", "mine"]);
    assert!(unknown.contains("no conflict 999"), "{unknown}");
}

#[test]
fn sql_console_writes_rebase_onto_the_apps_writes() {
    let lab = Lab::demo(1);
    let uri = format!("android://{}/com.example.shop/databases/shop.db", lab.sim().serial);
    let user = |id| device_user(&lab, id);
    let (name1, name3) = (user(1).0, user(3).0);

    // Console writes (an UPDATE by a WHERE, an INSERT) and a grid edit;
    // meanwhile the app writes another row.
    lab.sonde_ok(&["query", &uri, "UPDATE users SET username = upper(username) || '!' WHERE id IN (1, 3)"]);
    lab.sonde_ok(&["query", &uri, "INSERT INTO users(id, username, email) VALUES (9001, 'console', 'c@x')"]);
    lab.sonde_ok(&["update", &uri, "users", "--key", "4", "--set", "email=grid@edit"]);
    app_writes(&lab, "UPDATE users SET email = 'app@write' WHERE id = 2");
    let pushed = lab.sonde_ok(&["push", &uri]);
    assert!(
        pushed.contains("\nre-applied 4 edits on top of what the app wrote since the pull\n"),
        "{pushed}"
    );
    assert_eq!(user(1).0, format!("{}!", name1.to_uppercase()));
    assert_eq!(user(3).0, format!("{}!", name3.to_uppercase()));
    assert_eq!(user(9001), ("console".to_owned(), "c@x".to_owned()));
    assert_eq!(user(4).1, "grid@edit");
    assert_eq!(user(2).1, "app@write", "the app's write is kept");

    // A console write to a cell the app wrote too: a conflict, nothing pushed.
    lab.sonde_ok(&["query", &uri, "UPDATE users SET email = 'from the console' WHERE id = 2"]);
    app_writes(&lab, "UPDATE users SET email = 'the app again' WHERE id = 2");
    let err = lab.sonde_err(&["push", &uri]);
    assert!(err.contains("conflict"), "{err}");
    assert_eq!(user(2).1, "the app again");
    let conflicts = json(&lab.sonde_ok(&["conflicts", &uri, "--json"]));
    let c = &conflicts.as_array().expect("list")[0];
    assert_eq!(
        (c["theirs"][0].as_str(), c["mine"][0].as_str()),
        (Some("the app again"), Some("from the console")),
        "{c}"
    );
    let id = c["id"].as_i64().expect("id").to_string();
    lab.sonde_ok(&["resolve", &uri, &id, "--keep", "mine"]);
    lab.sonde_ok(&["push", &uri]);
    assert_eq!(user(2).1, "from the console");

    // A schema change cannot be re-applied row by row: refused, and why.
    lab.sonde_ok(&["query", &uri, "ALTER TABLE users ADD COLUMN note TEXT"]);
    app_writes(&lab, "UPDATE users SET email = 'app' WHERE id = 5");
    let err = lab.sonde_err(&["push", &uri]);
    assert!(
        err.contains("cannot be re-applied") && err.contains("changed the schema (table users)"),
        "{err}"
    );
    assert_eq!(user(5).1, "app", "the device keeps the app's version");
}
