//! End to end with the real `adb` client against sonde-devsim: listing,
//! discovery, pull with WAL, edit + push verified on the device side,
//! refused pushes, hostile names, two devices at once.

mod common;

use common::device::Lab;
use common::{json, sha256, walk};
use rusqlite::Connection;
use sonde_devsim::demo::{DEMO_MODEL, WAL_ONLY_USERNAMES};

fn shop_uri(serial: &str) -> String {
    format!("android://{serial}/com.example.shop/databases/shop.db")
}

/// Every table's content, for "exactly this changed" comparisons. Reads a
/// copy (db + wal): opening the device file itself could checkpoint it.
fn dump(path: &std::path::Path) -> Vec<(String, Vec<String>)> {
    let copy_dir = tempfile::tempdir().expect("tmp");
    let copy = copy_dir.path().join("copy.db");
    std::fs::copy(path, &copy).expect("copy db");
    let wal = path.with_extension("db-wal");
    if wal.exists() {
        std::fs::copy(&wal, copy_dir.path().join("copy.db-wal")).expect("copy wal");
    }
    let conn = Connection::open(&copy).expect("open");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("tables");
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\" ORDER BY rowid")).expect("select");
            let n = stmt.column_count();
            let rows: Vec<String> = stmt
                .query_map([], |r| {
                    let cells: Vec<String> =
                        (0..n).map(|i| format!("{:?}", r.get::<_, sonde_db::Value>(i))).collect();
                    Ok(cells.join("|"))
                })
                .expect("rows")
                .collect::<Result<_, _>>()
                .expect("collect");
            (t, rows)
        })
        .collect()
}

#[test]
fn lists_devices_apps_and_databases() {
    let lab = Lab::demo(1);
    let serial = lab.sim().serial.clone();
    let devices = json(&lab.sonde_ok(&["devices", "--json"]));
    let me = devices.as_array().expect("list").iter().find(|d| d["id"] == serial.as_str()).expect("listed");
    assert_eq!(me["state"], "device");
    assert_eq!(me["platform"], "android");
    assert_eq!(me["kind"], "network");
    assert_eq!(me["name"], DEMO_MODEL);

    let apps = json(&lab.sonde_ok(&["apps", &serial, "--json"]));
    let find = |id: &str| apps.as_array().expect("apps").iter().find(|a| a["id"] == id).cloned();
    assert_eq!(find("com.example.shop").expect("shop")["debuggable"], true);
    assert_eq!(find("com.example.bank").expect("bank")["debuggable"], false);
    let all = json(&lab.sonde_ok(&["apps", &format!("android://{serial}"), "--all", "--json"]));
    assert!(
        all.as_array().expect("all").len() > apps.as_array().expect("apps").len(),
        "system apps with --all"
    );

    let dbs = json(&lab.sonde_ok(&["dbs", &serial, "com.example.music", "--json"]));
    let paths: Vec<&str> =
        dbs.as_array().expect("dbs").iter().map(|d| d["path"].as_str().expect("path")).collect();
    assert!(paths.contains(&"databases/music.db"), "{paths:?}");
    assert!(paths.contains(&"files/cache_store"), "extension-less SQLite file found by header: {paths:?}");
    assert!(paths.contains(&"external/files/export.sqlite"), "external files dir: {paths:?}");
    assert!(
        !paths.iter().any(|p| p.ends_with(".txt") || p.ends_with("-wal") || p.ends_with("-shm")),
        "{paths:?}"
    );
    let shop = json(&lab.sonde_ok(&["dbs", &serial, "com.example.shop", "--json"]));
    assert_eq!(shop[0]["path"], "databases/shop.db");
    assert_eq!(shop[0]["wal"], true);

    let err = lab.sonde_err(&["dbs", &serial, "com.example.bank"]);
    assert!(err.contains("not debuggable"), "{err}");
    let err = lab.sonde_err(&["dbs", &serial, "com.example.nope"]);
    assert!(err.contains("unknown package"), "{err}");
}

#[test]
fn a_pulled_snapshot_shows_rows_that_live_only_in_the_wal() {
    let lab = Lab::demo(1);
    let uri = shop_uri(&lab.sim().serial);
    let page = json(&lab.sonde_ok(&["rows", &uri, "users", "--json", "--limit", "100"]));
    let names: Vec<&str> = page["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["values"][1].as_str().unwrap_or(""))
        .collect();
    for wal_only in WAL_ONLY_USERNAMES {
        assert!(names.contains(wal_only), "{wal_only} missing from {names:?}");
    }
    // The device copy itself is untouched by reading (db and wal hashes).
    let device_db = lab.sim().fs("data/data/com.example.shop/databases/shop.db");
    let before = (sha256(&device_db), sha256(&device_db.with_extension("db-wal")));
    lab.sonde_ok(&["tables", &uri]);
    assert_eq!((sha256(&device_db), sha256(&device_db.with_extension("db-wal"))), before);
    // `pull -o` copies the snapshot files out.
    let out_dir = lab.root.path().join("out");
    let printed = lab.sonde_ok(&["pull", &uri, "-o", &out_dir.display().to_string()]);
    assert_eq!(printed.trim(), out_dir.join("shop.db").display().to_string());
    assert!(out_dir.join("shop.db-wal").exists());
}

#[test]
fn edit_then_push_changes_exactly_that_value_on_the_device() {
    let lab = Lab::demo(1);
    let uri = shop_uri(&lab.sim().serial);
    let device_db = lab.sim().fs("data/data/com.example.shop/databases/shop.db");
    let before = dump(&device_db);

    lab.sonde_ok(&["update", &uri, "users", "--key", "101", "--set", "username=changed by sonde"]);
    // Unpushed edits survive: reading again uses the same snapshot.
    let page = json(&lab.sonde_ok(&["rows", &uri, "users", "--where", "id = 101", "--json"]));
    assert_eq!(page["rows"][0]["values"][1], "changed by sonde");
    // `pull` refuses to overwrite them.
    assert!(lab.sonde_err(&["pull", &uri]).contains("unpushed edits"));
    assert_eq!(dump(&device_db), before, "nothing reaches the device before push");

    let report = json(&lab.sonde_ok(&["push", &uri, "--json"]));
    assert_eq!(report["stopped_app"], true);
    assert_eq!(
        (report["outcome"].as_str(), report["rebased"].as_u64()),
        (Some("pushed"), Some(0)),
        "{report}"
    );
    assert!(!device_db.with_extension("db-wal").exists(), "stale -wal removed");
    assert!(!device_db.with_extension("db-shm").exists(), "stale -shm removed");
    let after = dump(&device_db);
    let mut expected = before.clone();
    let users = expected.iter_mut().find(|(t, _)| t == "users").expect("users");
    let row = users.1.iter_mut().find(|r| r.starts_with("Ok(Integer(101))")).expect("row 101");
    assert!(row.contains("wal_only_alice"), "{row}");
    *row = row.replace("wal_only_alice", "changed by sonde");
    assert_eq!(after, expected, "exactly one value changed on the device");
    assert_eq!(report["sha256"], sha256(&device_db));
    let backup = std::path::PathBuf::from(report["backup"].as_str().expect("backup"));
    assert!(
        backup.join("db.sqlite").exists() && backup.join("db.sqlite-wal").exists(),
        "previous version kept: {:?}",
        walk(&backup)
    );
    let am = std::fs::read_to_string(lab.sim().dir.join("am.log")).unwrap_or_default();
    assert!(am.contains("force-stop com.example.shop"), "{am}");
    // No staging leftovers anywhere on the device.
    let leftovers: Vec<_> =
        walk(&lab.sim().dir.join("fs")).into_iter().filter(|p| p.contains("sonde")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A second edit/push round works from the new baseline.
    lab.sonde_ok(&["delete", &uri, "user_sessions", "--key", "1"]);
    lab.sonde_ok(&["push", &uri]);
    let n: i64 = Connection::open(&device_db)
        .expect("open")
        .query_row("SELECT count(*) FROM user_sessions", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 2);
}

#[test]
fn push_is_refused_when_the_device_copy_changed() {
    let lab = Lab::demo(1);
    let uri = shop_uri(&lab.sim().serial);
    lab.sonde_ok(&["update", &uri, "products", "--key", "1", "--set", "price=1"]);
    // The app writes meanwhile.
    let device_db = lab.sim().fs("data/data/com.example.shop/databases/shop.db");
    {
        let conn = Connection::open(&device_db).expect("open");
        conn.execute_batch("PRAGMA wal_autocheckpoint=0; UPDATE users SET email = 'app@write' WHERE id = 1")
            .expect("app write");
    }
    let snapshot_before = dump(&device_db);
    let hashes = (sha256(&device_db), sha256(&device_db.with_extension("db-wal")));
    let err = lab.sonde_err(&["push", "--no-rebase", &uri]);
    assert!(err.contains("changed since it was pulled"), "{err}");
    assert_eq!((sha256(&device_db), sha256(&device_db.with_extension("db-wal"))), hashes, "device untouched");
    assert_eq!(dump(&device_db), snapshot_before);
}

#[test]
fn hostile_file_names_are_just_names() {
    let lab = Lab::demo(1);
    let serial = lab.sim().serial.clone();
    let dir = lab.sim().fs("data/data/com.example.notes/databases");
    let hostile = "x; rm -rf ${HOME} `id` $(reboot) 'q'.db";
    std::fs::copy(dir.join("notes.db"), dir.join(hostile)).expect("copy");
    let sdcard_before = walk(&lab.sim().fs("sdcard"));
    let dbs = json(&lab.sonde_ok(&["dbs", &serial, "com.example.notes", "--json"]));
    let entry = dbs
        .as_array()
        .expect("dbs")
        .iter()
        .find(|d| d["path"] == format!("databases/{hostile}").as_str())
        .expect("hostile name listed")
        .clone();
    let uri = entry["uri"].as_str().expect("uri").to_owned();
    lab.sonde_ok(&["update", &uri, "notes", "--key", "1", "--set", "title=renamed"]);
    lab.sonde_ok(&["push", &uri]);
    let title: String = Connection::open(dir.join(hostile))
        .expect("open")
        .query_row("SELECT title FROM notes WHERE rowid = 1", [], |r| r.get(0))
        .expect("title");
    assert_eq!(title, "renamed");
    assert_eq!(walk(&lab.sim().fs("sdcard")), sdcard_before, "sdcard intact");
    assert!(lab.sim().fs("data/data/com.example.notes/databases/notes.db").exists());
    for bad in [
        format!("android://{serial}/com.example.notes/../../.bashrc"),
        format!("android://{serial}/com.example.notes;reboot/databases/notes.db"),
        format!("android://{serial}/com.example.notes//etc/passwd"),
    ] {
        let err = lab.sonde_err(&["tables", &bad]);
        assert!(err.contains("invalid"), "{bad}: {err}");
    }
    let outside = lab.root.path().join("home/.bashrc");
    assert!(!outside.exists());
}

#[test]
fn two_devices_at_once_stay_apart() {
    let lab = Lab::demo(2);
    let (a, b) = (lab.sims[0].serial.clone(), lab.sims[1].serial.clone());
    let devices = json(&lab.sonde_ok(&["devices", "--json"]));
    let ids: Vec<&str> =
        devices.as_array().expect("list").iter().map(|d| d["id"].as_str().unwrap_or("")).collect();
    assert!(ids.contains(&a.as_str()) && ids.contains(&b.as_str()), "{ids:?}");
    lab.sonde_ok(&["update", &shop_uri(&a), "users", "--key", "1", "--set", "username=on a"]);
    lab.sonde_ok(&["update", &shop_uri(&b), "users", "--key", "1", "--set", "username=on b"]);
    lab.sonde_ok(&["push", &shop_uri(&b)]);
    lab.sonde_ok(&["push", &shop_uri(&a)]);
    let name = |sim: &common::device::Sim| -> String {
        Connection::open(sim.fs("data/data/com.example.shop/databases/shop.db"))
            .expect("open")
            .query_row("SELECT username FROM users WHERE id = 1", [], |r| r.get(0))
            .expect("name")
    };
    assert_eq!(name(&lab.sims[0]), "on a");
    assert_eq!(name(&lab.sims[1]), "on b");
}
