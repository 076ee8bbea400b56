//! `sonde-devsim demo DIR` produces the documented device (no adb needed).

use std::process::Command;

use rusqlite::{Connection, OpenFlags};
use sonde_devsim::demo::{WAL_ONLY_ORDER_ADDRESS, WAL_ONLY_USERNAMES};

fn demo_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_sonde-devsim"))
        .arg("demo")
        .arg(dir.path().join("dev"))
        .arg("--small")
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
    let notes = Connection::open(data.join("com.example.notes/databases/notes.db")).expect("notes");
    assert_eq!(count(&notes, "SELECT count(*) FROM attachments WHERE substr(data, 1, 4) = x'89504e47'"), 4);
    assert_eq!(count(&notes, "SELECT device_id FROM sync_state"), 9_007_199_254_740_993);
    assert_eq!(count(&notes, "SELECT count(*) FROM notes WHERE json_valid(tags)"), 13);
    let planner =
        Connection::open(data.join("com.example.planner/databases/Planner.sqlite")).expect("planner");
    assert_eq!(count(&planner, "SELECT Z_MAX FROM Z_PRIMARYKEY WHERE Z_NAME = 'Item'"), 13);
    assert_eq!(count(&planner, "SELECT count(DISTINCT Z_ENT) FROM ZITEM"), 2, "two entities share ZITEM");
    assert_eq!(
        count(
            &planner,
            "SELECT count(*) FROM Z_METADATA WHERE substr(Z_PLIST, 1, 8) = CAST('bplist00' AS BLOB)"
        ),
        1
    );
    let events = Connection::open(data.join("com.example.analytics/databases/events.db")).expect("events");
    assert_eq!(count(&events, "SELECT count(*) FROM events"), sonde_devsim::demo::EVENTS_SMALL as i64);
    let chat = Connection::open(data.join("com.example.chat/databases/chat.db")).expect("chat");
    assert_eq!(count(&chat, "SELECT count(*) FROM messages"), 40);
    let mode: String = chat.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");

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

/// The demo is generated, and generated the same everywhere: two runs give
/// byte-identical databases. (`-wal` and `-shm` files are compared by
/// content only: SQLite salts every WAL header with random bytes.)
#[test]
fn demo_is_deterministic() {
    let (a, b) = (demo_dir(), demo_dir());
    let files = |root: &std::path::Path| {
        let mut out = Vec::new();
        let mut stack = vec![root.join("dev")];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).expect("read dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if !p.to_string_lossy().ends_with("-wal") && !p.to_string_lossy().ends_with("-shm") {
                    let rel = p.strip_prefix(root).expect("rel").to_path_buf();
                    out.push((rel, std::fs::read(&p).expect("read")));
                }
            }
        }
        out.sort();
        out
    };
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(fa.len() > 10, "{} files", fa.len());
    for ((pa, ba), (pb, bb)) in fa.iter().zip(&fb) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{} differs between two runs", pa.display());
    }
    assert_eq!(fa.len(), fb.len());
}

/// `sonde-devsim chat` is the chat app receiving messages: new rows in the
/// WAL, printed ids, and the same messages for the same steps.
#[test]
fn chat_steps_write_like_the_app() {
    let dir = demo_dir();
    let root = dir.path().join("dev");
    let out = Command::new(env!("CARGO_BIN_EXE_sonde-devsim"))
        .args(["chat", "--messages", "3", "--root"])
        .arg(&root)
        .output()
        .expect("chat");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "41 42 43");
    let db = root.join("fs").join(sonde_devsim::demo::CHAT_DB);
    let conn = Connection::open(&db).expect("chat");
    assert_eq!(count(&conn, "SELECT count(*) FROM messages"), 43);
    assert_eq!(
        count(&conn, "SELECT count(*) FROM messages WHERE read = 0 AND outgoing = 0"),
        count(&conn, "SELECT sum(unread) FROM conversations")
    );
}
