//! One test per security finding class:
//! - command injection through device-controlled names (database file names,
//!   package names, the device model and version strings) into the device
//!   shell or the host: no side effects, nothing outside the app changed;
//! - path traversal through URIs and device file names: nothing written
//!   outside Sonde's data dir, no device path escapes the app's directory;
//! - the desktop app's capability file and CSP grant nothing beyond Sonde's
//!   own commands;
//! - cell values and typed values never reach the logs.

mod common;

use common::device::Lab;
use common::{json, make_db, sha256, walk};
use serde_json::json as j;
use sonde_device::{DeviceUri, Platform};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const NOTES_DIR: &str = "data/data/com.example.notes";

/// Hashes of every file under the device's `/sdcard`, and under one app.
fn tree_state(root: &Path) -> BTreeMap<String, String> {
    walk(root).into_iter().map(|rel| (rel.clone(), sha256(&root.join(&rel)))).collect()
}

/// Files whose name starts with `pwned` anywhere under `root`.
fn markers(root: &Path) -> Vec<String> {
    walk(root)
        .into_iter()
        .filter(|p| Path::new(p).file_name().is_some_and(|n| n.to_string_lossy().starts_with("pwned")))
        .collect()
}

/// Every place a host-side injection would land (cwd of the CLI, HOME, TMPDIR).
fn host_markers(lab: &Lab) -> Vec<String> {
    let mut found = markers(lab.root.path());
    found.extend(
        std::fs::read_dir(env!("CARGO_MANIFEST_DIR"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("pwned")),
    );
    found
}

/// File names a malicious app (or a compromised device) can create next to
/// its databases. Each one, run by a shell, would create a `pwned*` file.
const HOSTILE_NAMES: &[&str] = &[
    "x$(touch pwned1).db",
    "x`touch pwned2`.db",
    "x;touch pwned3;.db",
    "x';touch pwned4;echo '.db",
    "x\";touch pwned5;\".db",
    "x && touch pwned6 && .db",
    "x | touch pwned7 | .db",
    "x\ntouch pwned8\n.db",
    "x $HOME ${PATH} * ? [a].db",
    "x\\';touch pwned9;#.db",
    "-rf.db",
    "x\u{1b}]0;title\u{7}\u{1b}[2J.db",
];

#[test]
fn device_file_names_are_never_code_on_the_device_or_the_host() {
    let lab = Lab::demo(1);
    let serial = lab.sim().serial.clone();
    let app = lab.sim().fs(NOTES_DIR);
    let valid = std::fs::read(app.join("databases/notes.db")).expect("notes.db");
    for name in HOSTILE_NAMES {
        std::fs::write(app.join("databases").join(name), &valid).expect("hostile file");
    }
    let sdcard_before = tree_state(&lab.sim().fs("sdcard"));
    let device_root = lab.sim().fs("");

    let listing = json(&lab.sonde_ok(&["dbs", &serial, "com.example.notes", "--json"]));
    let uris: Vec<String> = listing
        .as_array()
        .expect("list")
        .iter()
        .map(|d| d["uri"].as_str().expect("uri").to_owned())
        .filter(|u| !u.ends_with("/notes.db"))
        .collect();
    assert!(uris.len() >= HOSTILE_NAMES.len() - 1, "hostile databases are listed (as data): {uris:?}");
    let mut pulled = 0;
    for uri in &uris {
        let out = lab.sonde(&["pull", uri]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{uri}: {stderr}");
        if out.status.success() {
            pulled += 1;
            // The copy is exactly the device file, under a name Sonde chose.
            let local = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            assert!(local.starts_with(lab.root.path().join("data")), "{local:?}");
            assert_eq!(std::fs::read(&local).expect("snapshot"), valid, "{uri}");
            lab.sonde_ok(&["rows", uri, "notes", "--limit", "2"]);
        } else {
            assert!(
                stderr.trim_end().lines().count() == 1 && stderr.starts_with("error: "),
                "{uri}: {stderr}"
            );
        }
    }
    assert!(pulled >= HOSTILE_NAMES.len() - 2, "the hostile-named databases are usable: {pulled}");

    // The riskiest path: an edit pushed back (staging, hashing and the swap
    // script all name the file).
    for name in ["x';touch pwned4;echo '.db", "x$(touch pwned1).db", "x;touch pwned3;.db", "-rf.db"] {
        let uri = DeviceUri::for_file(
            Platform::Android,
            &serial,
            "com.example.notes",
            &format!("databases/{name}"),
        )
        .to_string();
        assert!(uris.contains(&uri), "{uri} listed");
        lab.sonde_ok(&[
            "update",
            &uri,
            "notes",
            "--key",
            "1",
            "--set",
            "title=pushed through a hostile name",
        ]);
        lab.sonde_ok(&["push", &uri]);
        let on_device = rusqlite::Connection::open(app.join("databases").join(name)).expect("open");
        let title: String =
            on_device.query_row("SELECT title FROM notes WHERE rowid = 1", [], |r| r.get(0)).expect("title");
        assert_eq!(title, "pushed through a hostile name", "{name}");
    }

    assert_eq!(markers(&device_root), Vec::<String>::new(), "a name ran as a command on the device");
    assert_eq!(host_markers(&lab), Vec::<String>::new(), "a name ran as a command on the host");
    assert_eq!(tree_state(&lab.sim().fs("sdcard")), sdcard_before, "/sdcard changed");
    for name in HOSTILE_NAMES {
        assert!(app.join("databases").join(name).exists(), "{name:?} still there");
    }
}

#[test]
fn hostile_package_names_and_device_strings_stay_inert() {
    let lab = Lab::demo(1);
    let serial = lab.sim().serial.clone();
    let config_path = lab.sim().dir.join("device.json");
    let mut config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&config_path).expect("read")).expect("json");
    let evil_packages = [
        "com.evil;touch pwned_pkg1",
        "com.evil$(touch pwned_pkg2)",
        "com.evil' ; touch pwned_pkg3 ; '",
        "-rf",
    ];
    for p in evil_packages {
        config["packages"].as_array_mut().expect("packages").push(j!({"name": p, "debuggable": true}));
    }
    let evil_model = "Pixel\u{1b}]0;owned\u{7}\u{1b}[2J\r\nroot# rm -rf ~";
    config["props"]["ro.product.model"] = j!(evil_model);
    config["props"]["ro.build.version.release"] = j!("14\u{1b}[31m\r\nFAKE LINE\u{7}");
    std::fs::write(&config_path, serde_json::to_vec_pretty(&config).expect("encode")).expect("write");
    lab.reconnect(&serial);
    lab.wait_ready(&serial);

    let apps = json(&lab.sonde_ok(&["apps", &serial, "--all", "--json"]));
    let ids: Vec<&str> =
        apps.as_array().expect("apps").iter().map(|a| a["id"].as_str().expect("id")).collect();
    assert!(ids.contains(&"com.example.notes"), "{ids:?}");
    for p in evil_packages {
        assert!(!ids.contains(&p), "an invalid package name is not offered: {p}");
        let err = lab.sonde_err(&["dbs", "--", &serial, p]);
        assert!(err.contains("package") || err.contains("invalid"), "{p}: {err}");
    }
    // The model and version strings from the device never carry control
    // characters to the terminal or to JSON consumers.
    let text = lab.sonde_ok(&["devices"]);
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "control characters in: {text:?}");
    let devices = json(&lab.sonde_ok(&["devices", "--json"]));
    let me = devices.as_array().expect("list").iter().find(|d| d["id"] == serial.as_str()).expect("listed");
    for field in ["name", "model", "os_version", "raw_state"] {
        if let Some(s) = me[field].as_str() {
            assert!(!s.chars().any(char::is_control), "{field}: {s:?}");
        }
    }
    assert_eq!(markers(&lab.sim().fs("")), Vec::<String>::new());
    assert_eq!(host_markers(&lab), Vec::<String>::new());
}

#[test]
fn traversal_through_uris_and_device_names_writes_nothing_outside_the_workspace() {
    let lab = Lab::demo(1);
    let serial = lab.sim().serial.clone();
    // Device names that make `find` print lines that are not the paths they
    // look like (a directory named "x\n." makes "./evil.db" a line of its own).
    let app = lab.sim().fs(NOTES_DIR);
    let valid = std::fs::read(app.join("databases/notes.db")).expect("notes.db");
    std::fs::create_dir_all(app.join("databases/x\n.")).expect("dir");
    std::fs::write(app.join("databases/x\n./evil.db"), &valid).expect("file");
    std::fs::write(app.join("databases/..%2F..%2F.bashrc.db"), &valid).expect("file");
    std::fs::write(app.join("databases/.. .db"), &valid).expect("file");

    let home = lab.root.path().join("home");
    let home_before = walk(&home);
    let data = lab.root.path().join("data");
    let root_entries = |p: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(p)
            .expect("ls")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let lab_root_before = root_entries(lab.root.path());

    for uri in [
        format!("android://{serial}/com.example.notes/../../.bashrc"),
        format!("android://{serial}/com.example.notes/databases/../../../.bashrc"),
        format!("android://{serial}/com.example.notes/%2E%2E/%2E%2E/.bashrc"),
        format!("android://{serial}/com.example.notes/databases%2F..%2F..%2F.bashrc"),
        format!("android://{serial}/com.example.notes//etc/passwd"),
        format!("android://{serial}/com.example.notes/./databases/notes.db"),
        format!("android://{serial}/../com.example.notes/databases/notes.db"),
        format!("android://{serial}/com.example.notes/databases/notes.db%00.txt"),
        format!("android://{serial}/com.example.notes/databases/notes.db\n../../x"),
    ] {
        let err = lab.sonde_err(&["pull", &uri]);
        assert!(err.contains("invalid") || err.contains("path") || err.contains("URI"), "{uri:?}: {err}");
        let err = lab.sonde_err(&["rows", &uri, "notes"]);
        assert!(err.starts_with("error: "), "{uri:?}");
    }
    // Whatever `dbs` lists, pulling it only ever writes inside the workspace.
    let listing = json(&lab.sonde_ok(&["dbs", &serial, "com.example.notes", "--json"]));
    let out_dir = lab.root.path().join("exported");
    for d in listing.as_array().expect("list") {
        let uri = d["uri"].as_str().expect("uri");
        let _ = lab.sonde(&["pull", uri, "-o", &out_dir.display().to_string()]);
    }
    for file in walk(&data) {
        assert!(!file.contains(".."), "workspace path {file:?}");
        assert!(
            file == "state.sqlite"
                || file.starts_with("state.sqlite-")
                || file.starts_with("snapshots/android/")
                || file.starts_with("versions/")
                || is_snapshot_lock(&file),
            "unexpected file in the data dir: {file:?}"
        );
        // Snapshot paths never carry device names (hashes and sanitised ids only).
        assert!(!file.contains('\n') && !file.contains("bashrc") && !file.contains("evil"), "{file:?}");
    }
    for file in walk(&out_dir) {
        assert!(!file.contains('/') && !file.contains('\n'), "pull -o wrote {file:?}");
    }
    assert_eq!(walk(&home), home_before, "nothing appeared in HOME");
    let mut expected_root = lab_root_before.clone();
    expected_root.push("exported".into());
    expected_root.sort();
    expected_root.dedup();
    assert_eq!(root_entries(lab.root.path()), expected_root, "nothing appeared next to the data dir");
    assert!(!lab.root.path().join(".bashrc").exists());
}

#[test]
fn simulator_container_paths_are_absolute_and_nul_free() {
    use sonde_device::sim::parse::file_url_path;
    for url in ["/", "///", "file:///", "file://localhost/", "/a/b/", "file:///a%20b/"] {
        let p = file_url_path(url).unwrap_or_else(|| panic!("{url}"));
        assert!(p.is_absolute(), "{url} -> {p:?}");
    }
    for url in ["/a\0b", "file:///a%00b", "relative/x", "file://host/x", "http://x/y"] {
        assert_eq!(file_url_path(url), None, "{url:?}");
    }
}

/// `snapshots/locks/<16 hex digits>.lock`: a hash, never a device name.
fn is_snapshot_lock(file: &str) -> bool {
    file.strip_prefix("snapshots/locks/")
        .and_then(|f| f.strip_suffix(".lock"))
        .is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn read_json(rel: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{rel}: {e}")))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The commands `src-tauri/build.rs` generates permissions for.
fn app_commands() -> Vec<String> {
    let build = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/build.rs"))
        .expect("build.rs");
    let list = build.split("const COMMANDS").nth(1).expect("COMMANDS").split("];").next().expect("end");
    list.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

#[test]
fn the_desktop_capabilities_grant_only_sondes_own_commands() {
    let commands = app_commands();
    assert!(commands.len() > 10 && commands.contains(&"open_database".to_owned()), "{commands:?}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/capabilities");
    let files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("capabilities dir").flatten().map(|e| e.path()).collect();
    assert_eq!(files.len(), 1, "one capability file: {files:?}");
    let cap = read_json("src-tauri/capabilities/main.json");
    assert_eq!(cap["windows"], j!(["main"]));
    assert!(cap.get("remote").is_none(), "no remote URLs may call commands");
    let permissions = cap["permissions"].as_array().expect("permissions");
    for p in permissions {
        let p = p.as_str().unwrap_or_else(|| panic!("permission with scope objects: {p}"));
        let allowed = p == "core:event:allow-listen"
            || p == "core:event:allow-unlisten"
            || p.strip_prefix("allow-").is_some_and(|c| commands.contains(&c.replace('-', "_")));
        assert!(allowed, "permission {p} is not one of Sonde's commands");
        for word in ["shell:", "fs:", "dialog:", "http:", "opener:", "process:", "updater:", ":default"] {
            assert!(!p.contains(word), "{p}");
        }
    }
    // Every command is granted once (the UI needs them all), nothing twice.
    let granted: Vec<&str> = permissions.iter().filter_map(|p| p.as_str()).collect();
    for c in &commands {
        let want = format!("allow-{}", c.replace('_', "-"));
        assert_eq!(granted.iter().filter(|g| **g == want).count(), 1, "{want}");
    }
}

#[test]
fn the_desktop_csp_forbids_eval_and_foreign_scripts() {
    let conf = read_json("src-tauri/tauri.conf.json");
    let security = &conf["app"]["security"];
    let csp: BTreeMap<String, String> = match &security["csp"] {
        serde_json::Value::Object(map) => {
            map.iter().map(|(k, v)| (k.clone(), v.as_str().expect("directive").to_owned())).collect()
        }
        serde_json::Value::String(s) => s
            .split(';')
            .filter_map(|d| {
                let d = d.trim();
                let (k, v) = d.split_once(' ')?;
                Some((k.to_owned(), v.trim().to_owned()))
            })
            .collect(),
        other => panic!("no CSP: {other}"),
    };
    assert_eq!(csp.get("script-src").map(String::as_str), Some("'self'"));
    assert_eq!(csp.get("object-src").map(String::as_str), Some("'none'"));
    assert_eq!(csp.get("default-src").map(String::as_str), Some("'self'"));
    for (k, v) in &csp {
        assert!(!v.contains("unsafe-eval"), "{k}: {v}");
        assert!(!v.contains('*'), "{k}: wildcard source {v}");
        assert!(!v.contains("http:") || k == "connect-src", "{k}: {v}");
    }
    assert!(security.get("dangerousDisableAssetCspModification").is_none_or(|v| v == &j!(false)));
    assert_ne!(conf["app"]["withGlobalTauri"], j!(true), "no global __TAURI__ for injected scripts");
}

#[test]
fn cell_values_never_reach_the_logs() {
    let dir = tempfile::tempdir().expect("tmp");
    let secret = "S3CRET-7f1c-cell-value";
    let typed = "TYPED-SECRET-42aa";
    let blob_hex = "DEADBEEF5EC12E7";
    let db = make_db(
        dir.path(),
        "secret.db",
        &format!(
            "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, b BLOB);
             INSERT INTO t VALUES (1, '{secret}', x'{blob_hex}0');
             CREATE TABLE k(name TEXT PRIMARY KEY, v) WITHOUT ROWID;
             INSERT INTO k VALUES ('{secret}-key', 1);"
        ),
    );
    let d = db.display().to_string();
    let data = dir.path().join("data");
    let runs: Vec<Vec<String>> = [
        vec!["tables", &d],
        vec!["schema", &d, "t"],
        vec!["rows", &d, "t", "--json"],
        vec!["rows", &d, "t", "--where", &format!("v = '{secret}'")],
        vec!["rows", &d, "k", "--json", "--order", "name:desc"],
        vec!["query", &d, &format!("SELECT * FROM t WHERE v = '{secret}'")],
        vec!["query", &d, &format!("UPDATE t SET v = v || '' WHERE v = '{secret}'")],
        vec!["export", &d, "t", "--format", "jsonl"],
        vec!["export", &d, "t", "--format", "sql"],
        vec!["update", &d, "t", "--key", "1", "--set", &format!("v={typed}")],
        vec!["insert", &d, "t", "--set", &format!("v={typed}-2")],
        vec!["update", &d, "k", "--key", &format!("[\"{secret}-key\"]"), "--set", &format!("v={typed}")],
        vec!["delete", &d, "t", "--key", "2"],
        vec!["update", &d, "t", "--key", "999", "--set", &format!("v={typed}")],
    ]
    .iter()
    .map(|a| a.iter().map(|s| s.to_string()).collect())
    .collect();
    let mut logged_lines = 0;
    for args in &runs {
        let out = Command::new(common::sonde_bin())
            .args(args)
            .arg("--stats")
            .env("SONDE_LOG", "trace")
            .env("SONDE_DATA_DIR", &data)
            .output()
            .expect("run sonde");
        let stderr = String::from_utf8_lossy(&out.stderr);
        logged_lines += stderr.lines().count();
        for marker in [secret, typed, blob_hex, "REVBREJFRj", "UzNDUkVU"] {
            assert!(!stderr.contains(marker), "{args:?} logged {marker}:\n{stderr}");
        }
    }
    assert!(logged_lines > runs.len() * 3, "trace logging is on ({logged_lines} lines)");
}

/// Names inside a database come from whoever made it (an app on a device):
/// the text output never passes their control characters (terminal escape
/// sequences: retitling, clearing, OSC 52 clipboard writes) to the terminal.
#[test]
fn database_names_never_reach_the_terminal_as_escape_sequences() {
    let dir = tempfile::tempdir().expect("tmp");
    let evil_table = "t\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2J";
    let evil_column = "c\u{1b}]0;owned\u{7}\r";
    let db = make_db(
        dir.path(),
        "evil.db",
        &format!(
            "CREATE TABLE {t}({c} TEXT, v); INSERT INTO {t} VALUES ('x\u{1b}[31mred', 1);
             CREATE INDEX {i} ON {t}({c});",
            t = sonde_db::ident::quote(evil_table),
            c = sonde_db::ident::quote(evil_column),
            i = sonde_db::ident::quote("i\u{1b}[1;1H"),
        ),
    );
    let d = db.display().to_string();
    let data = dir.path().join("data");
    let select = format!("SELECT * FROM {}", sonde_db::ident::quote(evil_table));
    for args in [
        vec!["tables", d.as_str()],
        vec!["schema", d.as_str(), evil_table],
        vec!["rows", d.as_str(), evil_table],
        vec!["query", d.as_str(), select.as_str()],
        vec!["rows", d.as_str(), "no such \u{1b}[2J table"],
    ] {
        let out = Command::new(common::sonde_bin())
            .args(&args)
            .env("SONDE_DATA_DIR", &data)
            .env_remove("SONDE_LOG")
            .output()
            .expect("run sonde");
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.chars().any(|c| c.is_control() && c != '\n'),
                "{args:?} printed control characters on {stream}: {text:?}"
            );
        }
    }
}
