//! `sonde-devsim demo DIR` produces the documented device (no adb needed).

use std::process::Command;

use rusqlite::{Connection, OpenFlags};
use sonde_devsim::demo::{WAL_ONLY_ORDER_ADDRESS, WAL_ONLY_USERNAMES};

fn demo_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_sonde-devsim"))
        .arg("demo")
        .arg(dir.path().join("dev"))
        .output()
        .expect("run demo");
    assert!(out.status.success(), "{out:?}");
    dir
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

#[test]
fn shop_rows_live_only_in_the_wal() {
    let dir = demo_dir();
    let db_dir = dir.path().join("dev/fs/data/data/com.example.shop/databases");
    assert!(db_dir.join("shop.db-wal").metadata().expect("wal").len() > 0);

    // Main file + WAL (what a correct pull gets).
    let copy_full = dir.path().join("full");
    std::fs::create_dir_all(&copy_full).expect("mkdir");
    for f in ["shop.db", "shop.db-wal"] {
        std::fs::copy(db_dir.join(f), copy_full.join(f)).expect("copy");
    }
    let conn = Connection::open(copy_full.join("shop.db")).expect("open");
    assert_eq!(count(&conn, "SELECT count(*) FROM users"), 7);
    for name in WAL_ONLY_USERNAMES {
        let n: i64 = conn
            .query_row("SELECT count(*) FROM users WHERE username = ?1", [name], |r| r.get(0))
            .expect("query");
        assert_eq!(n, 1, "{name}");
    }
    let addr: String = conn
        .query_row("SELECT shipping_address FROM orders WHERE id = 101", [], |r| r.get(0))
        .expect("order 101");
    assert_eq!(addr, WAL_ONLY_ORDER_ADDRESS);
    drop(conn);

    // Main file alone (a naive pull): the WAL rows are missing.
    let copy_main = dir.path().join("main_only");
    std::fs::create_dir_all(&copy_main).expect("mkdir");
    std::fs::copy(db_dir.join("shop.db"), copy_main.join("shop.db")).expect("copy");
    let conn = Connection::open_with_flags(copy_main.join("shop.db"), OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open main only");
    assert_eq!(count(&conn, "SELECT count(*) FROM users"), 5);
    assert_eq!(count(&conn, "SELECT count(*) FROM orders WHERE id = 101"), 0);
}

#[test]
fn demo_has_the_documented_apps() {
    let dir = demo_dir();
    let dev = dir.path().join("dev");
    let cfg: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dev.join("device.json")).expect("config")).expect("json");
    assert_eq!(cfg["props"]["ro.product.model"], "Sonde Simulated Pixel");
    let pkgs = cfg["packages"].as_array().expect("packages");
    let find = |name: &str| {
        pkgs.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name} missing")).clone()
    };
    assert_eq!(find("com.example.bank")["debuggable"], false);
    assert_eq!(find("com.example.notes")["debuggable"], true);
    assert!(pkgs.iter().any(|p| p["system"] == true));

    let data = dev.join("fs/data/data");
    let music = Connection::open(data.join("com.example.music/databases/music.db")).expect("music");
    assert_eq!(count(&music, "SELECT id FROM room_master_table"), 42);
    assert_eq!(count(&music, "SELECT count(*) FROM android_metadata"), 1);
    assert_eq!(count(&music, "SELECT count(*) FROM Track"), 3503);
    let header =
        |p: &std::path::Path| -> Vec<u8> { std::fs::read(p).expect("read").into_iter().take(16).collect() };
    assert_eq!(header(&data.join("com.example.music/files/cache_store")), b"SQLite format 3\0");
    assert_ne!(header(&data.join("com.example.music/files/readme.txt")), b"SQLite format 3\0");
    let export = dev.join("fs/sdcard/Android/data/com.example.music/files/export.sqlite");
    let export = Connection::open(export).expect("export");
    assert_eq!(count(&export, "SELECT count(*) FROM exported_tracks"), 100);
    let vault = Connection::open(data.join("com.example.bank/databases/vault.db")).expect("vault");
    assert_eq!(count(&vault, "SELECT count(*) FROM accounts"), 2);
    assert!(data.join("com.example.notes/databases/notes.db").is_file());

    // Regenerating over an existing demo works; other directories are refused.
    let again =
        Command::new(env!("CARGO_BIN_EXE_sonde-devsim")).arg("demo").arg(&dev).output().expect("rerun");
    assert!(again.status.success());
    let other = dir.path().join("other");
    std::fs::create_dir_all(&other).expect("mkdir");
    std::fs::write(other.join("precious.txt"), "keep").expect("write");
    let refused =
        Command::new(env!("CARGO_BIN_EXE_sonde-devsim")).arg("demo").arg(&other).output().expect("refuse");
    assert!(!refused.status.success());
    assert!(other.join("precious.txt").exists());
}
