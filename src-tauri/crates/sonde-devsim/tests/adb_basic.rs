//! End-to-end: the real `/usr/bin/adb` against the demo device.

mod common;

use std::time::Duration;

use common::{pseudo_random, sha256, Harness};

#[test]
fn connect_devices_getprop_and_packages() {
    let h = Harness::demo();
    let out = h.adb(&["devices", "-l"], Duration::from_secs(10));
    let line = out
        .out()
        .lines()
        .find(|l| l.starts_with(&h.serial))
        .map(str::to_string)
        .unwrap_or_else(|| panic!("serial missing from devices -l: {}", out.out()));
    assert!(line.contains(" device "), "{line}");
    assert!(line.contains("model:Sonde_Simulated_Pixel"), "{line}");
    assert!(line.contains("product:sonde_sim"), "{line}");

    h.shell("getprop ro.product.model").expect_code(0, "getprop");
    assert_eq!(h.shell("getprop ro.product.model").out(), "Sonde Simulated Pixel\n");
    assert_eq!(h.shell("getprop ro.build.version.sdk").out(), "34\n");
    let all = h.shell("getprop");
    assert!(all.out().contains("[ro.build.version.sdk]: [34]\n"), "{}", all.out());

    let third = h.shell("pm list packages -3");
    assert_eq!(
        third.out(),
        "package:com.example.chat\npackage:com.example.notes\npackage:com.example.shop\npackage:com.example.music\n\
         package:com.example.planner\npackage:com.example.analytics\npackage:com.example.bank\n"
    );
    let all = h.shell("pm list packages");
    assert!(all.out().contains("package:android\n"));
    assert!(all.out().contains("package:com.android.settings\n"));
    let uids = h.shell("pm list packages -3 -U notes");
    assert!(uids.out().starts_with("package:com.example.notes uid:1"), "{}", uids.out());
}

#[test]
fn run_as_and_permissions() {
    let h = Harness::demo();
    let ok = h.shell("run-as com.example.notes ls databases");
    ok.expect_code(0, "run-as notes");
    assert_eq!(ok.out(), "notes.db\n");
    let pwd = h.shell("run-as com.example.music pwd");
    assert_eq!(pwd.out(), "/data/data/com.example.music\n");

    let unknown = h.shell("run-as com.nope.app ls");
    unknown.expect_code(1, "unknown package");
    assert_eq!(unknown.err(), "run-as: unknown package: com.nope.app\n");
    let locked = h.shell("run-as com.example.bank ls databases");
    locked.expect_code(1, "not debuggable");
    assert_eq!(locked.err(), "run-as: package not debuggable: com.example.bank\n");

    let denied = h.shell("cat /data/data/com.example.notes/databases/notes.db");
    denied.expect_code(1, "shell reads app data");
    assert!(denied.err().contains("Permission denied"), "{}", denied.err());
    let list = h.shell("ls /data/data");
    assert!(list.err().contains("Permission denied"));
    let cross = h.shell("run-as com.example.notes ls /data/data/com.example.shop/databases");
    cross.expect_code(1, "cross-app read");
    assert!(cross.err().contains("Permission denied"));
    // An app may read /sdcard and /data/local/tmp but not write there.
    let write = h.shell("run-as com.example.notes cp databases/notes.db /data/local/tmp/n.db");
    write.expect_code(1, "app writes /data/local/tmp");
    // Apps copy inside their own directory.
    h.shell("run-as com.example.notes sh -c 'cp databases/notes.db files_copy.db && ls'")
        .expect_code(0, "copy in own dir");

    let stop = h.shell("am force-stop com.example.notes");
    stop.expect_code(0, "am force-stop");
    assert_eq!(stop.out(), "");
    let log = std::fs::read_to_string(h.device_dir.join("am.log")).expect("am.log");
    assert_eq!(log, "force-stop com.example.notes\n");
}

#[test]
fn shell_v2_exit_codes_and_streams() {
    let h = Harness::demo();
    h.shell("false").expect_code(1, "false");
    h.shell("true").expect_code(0, "true");
    h.shell("exit 42").expect_code(42, "exit 42");
    let split = h.shell("echo out; echo err >&2; exit 3");
    split.expect_code(3, "split streams");
    assert_eq!(split.out(), "out\n");
    assert_eq!(split.err(), "err\n");
    let merged = h.shell("ls /nope 2>&1");
    assert_eq!(merged.out(), "ls: /nope: No such file or directory\n");
    assert_eq!(merged.err(), "");
    let missing = h.shell("sqlite3 /data/local/tmp/x.db");
    missing.expect_code(127, "no sqlite3");
    assert_eq!(missing.err(), "sqlite3: inaccessible or not found\n");
    let status = h.shell("false; echo $?; false || echo alt && echo and");
    assert_eq!(status.out(), "1\nalt\nand\n");
    let stat = h.shell("stat -c '%s %n' /sdcard/Download/notes_backup.db");
    let size = std::fs::metadata(h.fs().join("sdcard/Download/notes_backup.db")).expect("meta").len();
    assert_eq!(stat.out(), format!("{size} /sdcard/Download/notes_backup.db\n"));
    let hash = h.shell("sha256sum /sdcard/Download/notes_backup.db");
    let host = std::fs::read(h.fs().join("sdcard/Download/notes_backup.db")).expect("read");
    assert_eq!(hash.out(), format!("{}  /sdcard/Download/notes_backup.db\n", sha256(&host)));
}

#[test]
fn exec_out_is_binary_safe() {
    let h = Harness::demo();
    let db = h.fs().join("data/data/com.example.shop/databases");
    for name in ["shop.db", "shop.db-wal"] {
        let out = h.adb_s(&["exec-out", "run-as", "com.example.shop", "cat", &format!("databases/{name}")]);
        out.expect_code(0, name);
        let host = std::fs::read(db.join(name)).expect("read host db");
        assert_eq!(out.stdout.len(), host.len(), "{name}");
        assert_eq!(sha256(&out.stdout), sha256(&host), "{name}");
    }
    // Every byte value, including \r\n and NUL, survives exec-out.
    let all: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    std::fs::write(h.fs().join("data/local/tmp/bytes.bin"), &all).expect("write");
    let out = h.adb_s(&["exec-out", "cat", "/data/local/tmp/bytes.bin"]);
    assert_eq!(out.stdout, all);
    // exec-out does not mix stderr into stdout.
    let out = h.adb_s(&["exec-out", "cat /nope; echo done"]);
    assert_eq!(out.out(), "done\n");
}

#[test]
fn pull_and_push_five_megabytes() {
    let h = Harness::demo();
    let data = pseudo_random(5 * 1024 * 1024 + 123, 7);
    std::fs::write(h.fs().join("sdcard/Download/big.bin"), &data).expect("write");
    let local = h.root.path().join("pulled.bin");
    let local_s = local.to_string_lossy().into_owned();
    let pull = h.adb_s(&["pull", "/sdcard/Download/big.bin", &local_s]);
    pull.expect_code(0, "pull");
    assert!(pull.out().contains("1 file pulled"), "{}", pull.out());
    assert_eq!(sha256(&std::fs::read(&local).expect("pulled")), sha256(&data));

    let up = pseudo_random(5 * 1024 * 1024 + 77, 99);
    let up_path = h.root.path().join("up.bin");
    std::fs::write(&up_path, &up).expect("write");
    let push = h.adb_s(&["push", &up_path.to_string_lossy(), "/data/local/tmp/new/dir/up.bin"]);
    push.expect_code(0, "push");
    assert!(push.out().contains("1 file pushed"), "{}", push.out());
    let landed = std::fs::read(h.fs().join("data/local/tmp/new/dir/up.bin")).expect("pushed file");
    assert_eq!(sha256(&landed), sha256(&up));
    let remote = h.shell("sha256sum /data/local/tmp/new/dir/up.bin");
    assert!(remote.out().starts_with(&sha256(&up)));

    let ro = h.adb_s(&["push", &up_path.to_string_lossy(), "/system/up.bin"]);
    ro.expect_code(1, "push to /system");
    assert!(ro.out().contains("Read-only file system"), "{}", ro.out());
    let denied = h.adb_s(&["push", &up_path.to_string_lossy(), "/data/data/com.example.notes/x"]);
    denied.expect_code(1, "push into app data");
    assert!(denied.out().contains("Permission denied"), "{}", denied.out());
    let missing = h.adb_s(&["pull", "/sdcard/nope.db", &local_s]);
    missing.expect_code(1, "pull missing");
    assert!(missing.out().contains("No such file or directory"), "{}", missing.out());
    // Temp files of pushes never stay behind.
    let leftovers: Vec<_> = std::fs::read_dir(h.device_dir.join(".devsim-tmp")).expect("tmp dir").collect();
    assert!(leftovers.is_empty());
}

#[test]
fn hostile_file_names_are_just_names() {
    let h = Harness::demo();
    let sdcard_before = h.shell("ls /sdcard").out();
    let payload = b"hostile payload\n".to_vec();
    let local = h.root.path().join("payload.bin");
    std::fs::write(&local, &payload).expect("write");
    let local_s = local.to_string_lossy().into_owned();

    // Via the shell, quoted: the ';' and 'rm' are part of the name.
    let made = h.shell(
        "mkdir -p '/sdcard/x.db; rm -rf ' && echo shell > '/sdcard/x.db; rm -rf /sdcard' && cat '/sdcard/x.db; rm -rf /sdcard'",
    );
    made.expect_code(0, "create hostile path");
    assert_eq!(made.out(), "shell\n");
    assert!(h.fs().join("sdcard/x.db; rm -rf /sdcard").is_file());

    // Via sync (push/pull) and exec-out (adb single-quotes each argument).
    for name in ["x.db; rm -rf *", "it's \"quoted\" $HOME `id`.db", "new\nline.db", "  spaces  .db"] {
        let remote = format!("/sdcard/Download/{name}");
        h.adb_s(&["push", &local_s, &remote]).expect_code(0, name);
        assert_eq!(
            std::fs::read(h.fs().join("sdcard/Download").join(name)).expect("landed"),
            payload,
            "{name:?}"
        );
        let back = h.adb_s(&["exec-out", "cat", &remote]);
        assert_eq!(back.stdout, payload, "{name:?}");
        let pulled = h.root.path().join("pulled.bin");
        h.adb_s(&["pull", &remote, &pulled.to_string_lossy()]).expect_code(0, name);
        assert_eq!(std::fs::read(&pulled).expect("pulled"), payload);
    }
    let listing = h.shell("ls /sdcard/Download");
    assert!(listing.out().contains("x.db; rm -rf *\n"), "{}", listing.out());
    assert!(listing.out().contains("new\nline.db\n"));
    // Nothing was executed: /sdcard is intact.
    let after = h.shell("ls /sdcard").out();
    for entry in sdcard_before.lines() {
        assert!(after.lines().any(|l| l == entry), "{entry} vanished: {after}");
    }
    assert!(h.fs().join("sdcard/Download/notes_backup.db").is_file());
}

#[test]
fn path_traversal_is_refused() {
    let h = Harness::demo();
    let secret = h.device_dir.join("outside_secret.txt");
    std::fs::write(&secret, "TOP SECRET").expect("write secret");
    std::os::unix::fs::symlink("/", h.fs().join("sdcard/abs_link")).expect("symlink");
    std::os::unix::fs::symlink("../../../../../..", h.fs().join("sdcard/rel_link")).expect("symlink");

    for p in [
        "/../outside_secret.txt",
        "/sdcard/../../outside_secret.txt",
        "../../../../outside_secret.txt",
        "/sdcard/abs_link/../outside_secret.txt",
        "/sdcard/rel_link/outside_secret.txt",
    ] {
        let cat = h.shell(&format!("cat '{p}'"));
        assert!(!cat.out().contains("TOP SECRET"), "{p} leaked via cat");
        assert_ne!(cat.code, Some(0), "{p}");
        let exec = h.adb_s(&["exec-out", "cat", p]);
        assert!(!exec.out().contains("TOP SECRET"), "{p} leaked via exec-out");
        let local = h.root.path().join("leak.txt");
        let pull = h.adb_s(&["pull", p, &local.to_string_lossy()]);
        assert_eq!(pull.code, Some(1), "{p}: {}", pull.out());
        assert!(!local.exists(), "{p} pulled");
    }
    // Symlinks resolve inside the device: /sdcard/abs_link is the device root.
    let inside = h.shell("ls /sdcard/abs_link/");
    assert!(inside.out().contains("sdcard\n"), "{}", inside.out());

    // Writes cannot escape either.
    let local = h.root.path().join("escape_src.txt");
    std::fs::write(&local, "x").expect("write");
    let escapes =
        ["/sdcard/../../../escape.txt", "/sdcard/rel_link/escape.txt", "/sdcard/abs_link/../../escape.txt"];
    for p in escapes {
        let push = h.adb_s(&["push", &local.to_string_lossy(), p]);
        assert_eq!(push.code, Some(1), "{p}: {}", push.out());
        h.shell(&format!("echo x > '{p}'; cp /sdcard/Download/notes_backup.db '{p}'"));
    }
    for outside in
        [h.device_dir.join("escape.txt"), h.root.path().join("escape.txt"), h.fs().join("escape.txt")]
    {
        assert!(!outside.exists(), "{} was created", outside.display());
    }
    assert_eq!(std::fs::read_to_string(&secret).expect("secret"), "TOP SECRET");
}

#[test]
fn shop_database_and_wal_are_reachable_through_adb() {
    let h = Harness::demo();
    let out_dir = h.root.path().join("pulled_shop");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    for name in ["shop.db", "shop.db-wal"] {
        let out = h.adb_s(&["exec-out", "run-as", "com.example.shop", "cat", &format!("databases/{name}")]);
        out.expect_code(0, name);
        std::fs::write(out_dir.join(name), &out.stdout).expect("write");
    }
    let conn = rusqlite::Connection::open(out_dir.join("shop.db")).expect("open");
    let users: i64 = conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0)).expect("count");
    assert_eq!(users, 7);
}
