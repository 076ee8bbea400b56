//! AFC over house_arrest (and the other AFC services) with a small
//! test-only client: the round trip Sonde's client needs, AFC's error
//! codes, hostile paths that must never reach the host outside the
//! container, and hostile bytes on every layer.

#[path = "common/ios_client.rs"]
mod client;
#[path = "common/ios.rs"]
mod ios;

use std::io::{Read, Write};

use client::*;
use ios::{IosHarness, UDID};
use plist::Value;

fn vend(h: &IosHarness, command: &str, bundle: &str) -> Result<Afc, String> {
    house_arrest(&h.socket, &h.root, UDID, command, bundle)
}

const S_OK: u64 = 0;
const S_UNKNOWN: u64 = 1;
const S_READ_ERROR: u64 = 4;
const S_UNKNOWN_PACKET: u64 = 6;
const S_INVALID_ARG: u64 = 7;
const S_NOT_FOUND: u64 = 8;
const S_IS_DIR: u64 = 9;
const S_PERM: u64 = 10;
const S_NOT_SUPPORTED: u64 = 15;
const S_EXISTS: u64 = 16;

#[test]
fn container_round_trip() {
    let h = IosHarness::demo();
    let c = h.container("com.example.planner");
    let mut afc = vend(&h, "VendContainer", "com.example.planner").expect("vended");
    assert_eq!(afc.list(b"/").expect("ls /"), [".", "..", "Documents", "Library", "tmp"]);
    let store = b"/Library/Application Support/Planner.sqlite";
    let info = afc.info(store).expect("info");
    let host = std::fs::read(c.join("Library/Application Support/Planner.sqlite")).expect("host");
    assert_eq!(info["st_ifmt"], "S_IFREG");
    assert_eq!(info["st_size"], host.len().to_string());
    assert!(info["st_mtime"].len() >= 19, "ns: {}", info["st_mtime"]);
    assert_eq!(afc.info(b"/Library").expect("dir")["st_ifmt"], "S_IFDIR");
    let wal = afc.info(b"/Library/Application Support/Planner.sqlite-wal").expect("wal");
    assert_ne!(wal["st_size"], "0", "the demo store has a -wal");

    let hnd = afc.open(store, 1).expect("open r");
    assert_eq!(afc.read_all(hnd), host);
    assert_eq!(afc.close(hnd), S_OK);
    assert_eq!(afc.close(hnd), S_INVALID_ARG, "closed handle");

    // Write, append, seek/tell, truncate.
    let new = b"/Documents/copy.sqlite.sonde-new";
    let w = afc.open(new, 3).expect("open w");
    assert_eq!(afc.write(w, b"hello "), S_OK);
    assert_eq!(afc.read(w, 10), Err(S_PERM), "write-only handle");
    assert_eq!(afc.close(w), S_OK);
    let a = afc.open(new, 5).expect("open a");
    assert_eq!(afc.write(a, b"world"), S_OK);
    afc.close(a);
    assert_eq!(std::fs::read(c.join("Documents/copy.sqlite.sonde-new")).expect("written"), b"hello world");
    let rw = afc.open(new, 2).expect("open r+");
    let mut seek = rw.to_le_bytes().to_vec();
    seek.extend(0u64.to_le_bytes());
    seek.extend(6u64.to_le_bytes());
    assert_eq!(afc.status(FILE_SEEK, &seek), S_OK);
    let tell = afc.call(FILE_TELL, &rw.to_le_bytes(), &[]);
    assert_eq!((tell.op, tell.word()), (FILE_TELL_RES, 6));
    assert_eq!(afc.read(rw, 100).expect("read"), b"world");
    let mut size = rw.to_le_bytes().to_vec();
    size.extend(5u64.to_le_bytes());
    assert_eq!(afc.status(FILE_SET_SIZE, &size), S_OK);
    afc.close(rw);
    assert_eq!(std::fs::read(c.join("Documents/copy.sqlite.sonde-new")).expect("truncated"), b"hello");
    let hash = afc.call(GET_FILE_HASH, b"/Documents/copy.sqlite.sonde-new\0", &[]);
    assert_eq!(hash.op, AFC_DATA);
    assert_eq!(hex::encode(&hash.body), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", "sha1 of hello");

    // Rename replaces an existing file, like rename(2).
    std::fs::write(c.join("Documents/target.db"), b"old").expect("seed");
    assert_eq!(afc.rename(new, b"/Documents/target.db"), S_OK);
    assert_eq!(std::fs::read(c.join("Documents/target.db")).expect("replaced"), b"hello");
    assert!(!c.join("Documents/copy.sqlite.sonde-new").exists());
    assert_eq!(afc.rename(b"/Documents/nope", b"/Documents/x"), S_NOT_FOUND);

    // Directories.
    assert_eq!(afc.path_op(MAKE_DIR, b"/Documents/a/b/c"), S_OK);
    assert_eq!(afc.path_op(MAKE_DIR, b"/Documents/a/b/c"), S_OK, "existing dir is fine");
    assert_eq!(afc.path_op(MAKE_DIR, b"/Documents/target.db"), S_EXISTS);
    assert_eq!(afc.path_op(REMOVE_PATH, b"/Documents/a"), S_UNKNOWN, "iOS: non-empty dir is UNKNOWN_ERROR");
    assert_eq!(afc.path_op(REMOVE_PATH_AND_CONTENTS, b"/Documents/a"), S_OK);
    assert!(!c.join("Documents/a").exists());
    assert_eq!(afc.path_op(REMOVE_PATH, b"/Documents/target.db"), S_OK);
    assert_eq!(afc.path_op(REMOVE_PATH, b"/Documents/target.db"), S_NOT_FOUND);
    assert_eq!(afc.path_op(REMOVE_PATH, b"/"), S_PERM, "the root stays");

    // Errors.
    assert_eq!(afc.open(b"/Documents/missing.db", 1), Err(S_NOT_FOUND));
    assert_eq!(afc.open(b"/Documents/no/such/dir/x", 3), Err(S_NOT_FOUND));
    assert_eq!(afc.open(b"/Library", 1), Err(S_IS_DIR));
    assert_eq!(afc.open(b"/Documents/x", 9), Err(S_INVALID_ARG));
    assert_eq!(afc.list(store), Err(S_READ_ERROR));
    assert_eq!(afc.list(b"/nope"), Err(S_NOT_FOUND));
    assert_eq!(afc.read(999, 10), Err(S_INVALID_ARG));
    assert_eq!(afc.status(0x4242, b""), S_UNKNOWN_PACKET);
    let mut link = 2u64.to_le_bytes().to_vec();
    link.extend(b"/etc\0/Documents/evil\0");
    assert_eq!(afc.status(MAKE_LINK, &link), S_NOT_SUPPORTED);
    let dev = afc.call(GET_DEVINFO, &[], &[]);
    assert!(String::from_utf8_lossy(&dev.body).starts_with("Model\0iPhone14,5\0"), "{dev:?}");
}

#[test]
fn arguments_in_the_data_part_work_too() {
    // pymobiledevice3-style clients put the path after this_length.
    let h = IosHarness::demo();
    let mut afc = vend(&h, "VendContainer", "com.example.journal").expect("vended");
    afc.send(READ_DIR, &[], b"/Documents\0").expect("send");
    let r = afc.recv().expect("answer");
    assert_eq!(r.op, AFC_DATA);
    assert!(String::from_utf8_lossy(&r.body).contains("journal.sqlite"));
}

#[test]
fn hostile_paths_never_leave_the_container() {
    let h = IosHarness::demo();
    let c = h.container("com.example.journal");
    let outside = h.tmp.path().join("outside.txt");
    std::fs::write(&outside, b"precious").expect("sentinel");
    std::os::unix::fs::symlink("/etc", c.join("Documents/etc")).expect("symlink");
    std::os::unix::fs::symlink("../../com.example.bank/Documents", c.join("Documents/bank"))
        .expect("symlink");
    std::os::unix::fs::symlink(&outside, c.join("Documents/abs-file")).expect("symlink");
    std::os::unix::fs::symlink("../Library", c.join("Documents/lib")).expect("symlink");
    let before = snapshot(h.tmp.path());

    let mut afc = vend(&h, "VendContainer", "com.example.journal").expect("vended");
    for p in [
        &b"../../../../etc/passwd"[..],
        b"/..",
        b"/../outside.txt",
        b"/Documents/../../outside.txt",
        b"/Documents/../../../phone/info.json",
        b"/Documents/etc/passwd",
        b"/Documents/bank/vault.sqlite",
        b"/Documents/abs-file/x",
        b"/./Documents/./../..",
    ] {
        assert_eq!(afc.open(p, 1), Err(S_PERM), "open {}", String::from_utf8_lossy(p));
        assert_eq!(afc.open(p, 3), Err(S_PERM), "create {}", String::from_utf8_lossy(p));
        assert_eq!(afc.path_op(REMOVE_PATH, p), S_PERM, "rm {}", String::from_utf8_lossy(p));
        assert_eq!(afc.path_op(REMOVE_PATH_AND_CONTENTS, p), S_PERM, "rm -r {}", String::from_utf8_lossy(p));
        assert_eq!(afc.path_op(MAKE_DIR, p), S_PERM, "mkdir {}", String::from_utf8_lossy(p));
        assert_eq!(
            afc.rename(b"/Documents/journal.sqlite", p),
            S_PERM,
            "mv to {}",
            String::from_utf8_lossy(p)
        );
    }
    assert_eq!(afc.list(b"/Documents/etc"), Err(S_PERM));
    // A link to a host file: never opened through, only the link itself
    // (inside the container) can be removed.
    assert_eq!(afc.open(b"/Documents/abs-file", 1), Err(S_PERM));
    assert_eq!(afc.open(b"/Documents/abs-file", 2), Err(S_PERM));
    assert_eq!(afc.path_op(MAKE_DIR, b"/Documents/abs-file"), S_PERM);
    assert_eq!(afc.path_op(REMOVE_PATH, b"/Documents/abs-file"), S_OK);
    assert!(outside.exists(), "the link went, not its target");
    assert_eq!(afc.list(b"/.."), Err(S_PERM));
    // The link itself is visible (not followed) and removable.
    assert_eq!(afc.info(b"/Documents/etc").expect("lstat")["st_ifmt"], "S_IFLNK");
    assert_eq!(afc.info(b"/Documents/etc").expect("lstat")["LinkTarget"], "/etc");
    // A relative link that stays inside is followed.
    assert_eq!(afc.list(b"/Documents/lib").expect("ls lib"), [".", "..", "Caches", "Preferences"]);
    // Odd but legal names stay inside; a NUL ends the path.
    let weird: &[&[u8]] = &[b"/Documents/caf\xe9\xff.db", b"/Documents/a\\b", b"/Documents/ spaced .db"];
    for name in weird {
        let hnd = afc.open(name, 3).expect("odd name");
        afc.close(hnd);
    }
    let hnd = afc.open(b"/Documents/cut\0/../../../../escape", 3).expect("cut at NUL");
    afc.close(hnd);
    assert!(c.join("Documents/cut").exists());
    let long = [b"/Documents/".to_vec(), vec![b'x'; 300]].concat();
    assert_eq!(afc.open(&long, 3), Err(S_INVALID_ARG), "name too long");
    drop(afc);

    assert_eq!(std::fs::read(&outside).expect("sentinel"), b"precious");
    let after = snapshot(h.tmp.path());
    let created: Vec<_> = after.iter().filter(|p| !before.contains(p)).collect();
    assert!(created.iter().all(|p| p.starts_with(&c)), "files outside the container appeared: {created:?}");
    assert!(h.root.join("containers/com.example.bank/Documents/vault.sqlite").exists());
}

fn snapshot(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(p.clone());
            }
            out.push(p);
        }
    }
    out
}

#[test]
fn house_arrest_vends_only_development_builds() {
    let h = IosHarness::demo();
    assert_eq!(
        vend(&h, "VendContainer", "com.example.bank").err().as_deref(),
        Some("InstallationLookupFailed")
    );
    assert_eq!(vend(&h, "VendContainer", "com.nope.app").err().as_deref(), Some("InstallationLookupFailed"));
    assert_eq!(
        vend(&h, "VendContainer", "com.apple.Preferences").err().as_deref(),
        Some("InstallationLookupFailed")
    );
    assert_eq!(vend(&h, "VendContainer", "../containers").err().as_deref(), Some("InstallationLookupFailed"));
    // VendDocuments needs UIFileSharingEnabled, and shows only /Documents.
    assert_eq!(
        vend(&h, "VendDocuments", "com.example.planner").err().as_deref(),
        Some("InstallationLookupFailed")
    );
    let mut docs = vend(&h, "VendDocuments", "com.example.journal").expect("documents");
    assert_eq!(docs.list(b"/").expect("ls /"), [".", "..", "Documents"]);
    assert!(docs.list(b"/Documents").expect("ls docs").contains(&"journal.sqlite".to_string()));
    assert_eq!(docs.open(b"/Library/Preferences/x", 3), Err(S_NOT_FOUND));
    assert_eq!(docs.list(b"/Documents/../Library"), Err(S_NOT_FOUND));
    assert_eq!(docs.open(b"/Documents/../../x", 3), Err(S_PERM));
    // Flipping developer on makes the release build vendable (apps.json is re-read).
    let apps = h.root.join("apps.json");
    let text = std::fs::read_to_string(&apps).expect("apps");
    let mut list: serde_json::Value = serde_json::from_str(&text).expect("json");
    for a in list.as_array_mut().expect("array") {
        if a["id"] == "com.example.bank" {
            a["developer"] = true.into();
        }
    }
    std::fs::write(&apps, list.to_string()).expect("write apps");
    let mut bank = vend(&h, "VendContainer", "com.example.bank").expect("now vended");
    assert!(bank.list(b"/Documents").expect("ls").contains(&"vault.sqlite".to_string()));
}

#[test]
fn lockdown_and_usbmuxd_refuse_what_ios_refuses() {
    let h = IosHarness::demo();
    let mut l = Lockdown::connect(&h.socket);
    assert_eq!(
        l.simple("QueryType").get("Type").and_then(Value::as_string),
        Some("com.apple.mobile.lockdown")
    );
    let r = l.request(&d(&[("Request", "StartService".into()), ("Service", "com.apple.afc".into())]));
    assert_eq!(r.get("Error").and_then(Value::as_string), Some("SessionInactive"), "{r:?}");
    let r = l.request(&d(&[("Request", "GetValue".into()), ("Key", "ProductVersion".into())]));
    assert_eq!(r.get("Value").and_then(Value::as_string), Some("17.4.1"), "public before a session");
    let r = l.request(&d(&[("Request", "GetValue".into()), ("Key", "PasswordProtected".into())]));
    assert_eq!(r.get("Error").and_then(Value::as_string), Some("GetProhibited"), "{r:?}");
    let r = l.simple("Frobnicate");
    assert_eq!(r.get("Error").and_then(Value::as_string), Some("InvalidRequest"));
    let r = l.request(&d(&[("Request", "StartSession".into()), ("HostID", "NOT-A-HOST".into())]));
    assert_eq!(r.get("Error").and_then(Value::as_string), Some("InvalidHostID"));
    let record = host_record(&h.root, UDID);
    l.start_session(&record);
    let r = l.request(&d(&[("Request", "StartService".into()), ("Service", "com.apple.nope".into())]));
    assert_eq!(r.get("Error").and_then(Value::as_string), Some("InvalidService"));
    let r = l.request(&d(&[("Request", "GetValue".into()), ("Key", "PasswordProtected".into())]));
    assert_eq!(r.get("Value").and_then(Value::as_boolean), Some(false), "in a session");

    assert_eq!(connect(&h.socket, 1234).err(), Some(3), "closed port: connection refused");
    let port = start_service(&h.socket, &h.root, UDID, "com.apple.afc").expect("afc");
    let mut media = Afc::new(connect(&h.socket, port).expect("media"));
    assert_eq!(media.list(b"/").expect("ls"), [".", "..", "DCIM"]);
    assert_eq!(connect(&h.socket, port).err(), Some(3), "a service port serves one connection");
    let mut s = open_mux(&h.socket);
    let mut m = mux_message("Connect");
    m.insert("DeviceID".into(), Value::Integer(77.into()));
    m.insert("PortNumber".into(), Value::Integer(u64::from(62078u16.to_be()).into()));
    mux_send(&mut s, &m);
    assert_eq!(result_number(&mux_recv(&mut s).expect("answer").1), Some(2), "no such device");
    let mut s = open_mux(&h.socket);
    let mut m = mux_message("ReadPairRecord");
    m.insert("PairRecordID".into(), "../../etc/passwd".into());
    mux_send(&mut s, &m);
    assert_eq!(result_number(&mux_recv(&mut s).expect("answer").1), Some(2));
    let mut m = mux_message("ReadBUID");
    m.insert("x".into(), 1.into());
    mux_send(&mut s, &m);
    let (words, reply) = mux_recv(&mut s).expect("buid");
    assert_eq!((words[1], words[2], words[3]), (1, 8, 7), "version, plist, tag echoed");
    assert!(reply.get("BUID").and_then(Value::as_string).is_some_and(|b| b.len() == 36));
}

#[test]
fn hostile_bytes_end_one_connection_only() {
    let mut h = IosHarness::demo();
    let hostile: Vec<Attack> = vec![
        // usbmuxd: truncated header, huge length, length below the header, garbage plist.
        Box::new(|h| send_raw(&open_mux(&h.socket), &[1, 2, 3])),
        Box::new(|h| send_raw(&open_mux(&h.socket), &mux_header(u32::MAX, 8))),
        Box::new(|h| send_raw(&open_mux(&h.socket), &mux_header(3, 8))),
        Box::new(|h| {
            let mut b = mux_header(16 + 9, 8);
            b.extend(b"<garbage>");
            send_raw(&open_mux(&h.socket), &b)
        }),
        Box::new(|h| send_raw(&open_mux(&h.socket), &mux_header(16, 3))),
        // lockdown: huge length, zero length, bad plist, binary plist that is no dict.
        Box::new(|h| send_raw(&connect(&h.socket, 62078).expect("c"), &u32::MAX.to_be_bytes())),
        Box::new(|h| send_raw(&connect(&h.socket, 62078).expect("c"), &0u32.to_be_bytes())),
        Box::new(|h| {
            let mut b = 12u32.to_be_bytes().to_vec();
            b.extend(b"bplist00\xff\xff\xff\xff");
            send_raw(&connect(&h.socket, 62078).expect("c"), &b)
        }),
        // AFC: bad magic, impossible lengths, truncated packet.
        Box::new(|h| {
            let afc = vend(h, "VendContainer", "com.example.planner").expect("vend");
            send_raw(&afc.s, &[b'X'; 40]);
        }),
        Box::new(|h| {
            let afc = vend(h, "VendContainer", "com.example.planner").expect("vend");
            let mut p = b"CFA6LPAA".to_vec();
            p.extend(u64::MAX.to_le_bytes());
            p.extend(40u64.to_le_bytes());
            p.extend([0u8; 16]);
            send_raw(&afc.s, &p);
        }),
        Box::new(|h| {
            let afc = vend(h, "VendContainer", "com.example.planner").expect("vend");
            let mut p = b"CFA6LPAA".to_vec();
            p.extend(40u64.to_le_bytes());
            p.extend(80u64.to_le_bytes());
            p.extend([0u8; 16]);
            send_raw(&afc.s, &p);
        }),
    ];
    for (i, attack) in hostile.iter().enumerate() {
        attack(&h);
        assert!(h.alive(), "simulator died after hostile input {i}");
        let ok = h.tool("ideviceinfo", &["-u", UDID, "-k", "ProductVersion"]);
        assert_eq!(ok.out(), "17.4.1\n", "after hostile input {i}: {ok:?}");
    }
}

/// One kind of hostile input, sent on a fresh connection.
type Attack = Box<dyn Fn(&IosHarness)>;

fn mux_header(length: u32, message: u32) -> Vec<u8> {
    let mut b = length.to_le_bytes().to_vec();
    b.extend(1u32.to_le_bytes());
    b.extend(message.to_le_bytes());
    b.extend(1u32.to_le_bytes());
    b
}

/// Writes `bytes`, then waits until the simulator closes the connection (or
/// answers something), so the next check runs after it dealt with them.
fn send_raw(s: &std::os::unix::net::UnixStream, bytes: &[u8]) {
    let mut s = s.try_clone().expect("clone");
    let _ = s.write_all(bytes);
    let _ = s.shutdown(std::net::Shutdown::Write);
    let mut sink = Vec::new();
    let _ = s.read_to_end(&mut sink);
}
