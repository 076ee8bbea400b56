//! The app's path to an encrypted database, through the core: refused
//! without a key, a wrong key forgotten, the right key kept for the
//! location while the process runs (re-opens need none), edits and console
//! history of it never in the shared state file. The fixture comes from the
//! `sqlcipher` shell (SQLCipher 3.4), an independent implementation.

mod common;

use sonde_core::device::runner::CancellationToken;
use sonde_core::{parse_cipher_key, Assignment, CoreConfig, Edit, ErrorKind, RunScope, Sonde, Value};
use std::process::{Command, Stdio};

const MARKER: &str = "CORE_PLAINTEXT_MARKER";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_given_for_a_location_opens_it_and_stays_in_memory() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    common::sqlcipher3(
        &db,
        &format!(
            "PRAGMA key = 'app pass';
             CREATE TABLE secrets(id INTEGER PRIMARY KEY, v TEXT);
             INSERT INTO secrets VALUES (1, '{MARKER} 1'), (2, '{MARKER} 2');"
        ),
    );

    let data = dir.path().join("data");
    let core = Sonde::new(CoreConfig::in_dir(data.clone())).await.expect("core");
    let location = db.display().to_string();
    let cancel = CancellationToken::new();

    let refused = core.open(&location, &cancel).await.expect_err("no key");
    assert_eq!(refused.kind(), ErrorKind::Encrypted);
    core.set_location_key(&location, Some(parse_cipher_key("nope", &[]).expect("key"))).expect("set");
    let wrong = core.open(&location, &cancel).await.expect_err("wrong key");
    assert_eq!(wrong.kind(), ErrorKind::WrongKey);
    assert!(!wrong.to_string().contains("nope"), "errors never carry keys: {wrong}");
    let bad = parse_cipher_key("pass", &["kdf_iter=many".into()]).map(|_| ()).expect_err("bad setting");
    assert!(bad.to_string().contains("kdf_iter"), "{bad}");

    let settings = ["cipher_compatibility=3".to_owned()];
    core.set_location_key(&location, Some(parse_cipher_key("app pass", &settings).expect("key")))
        .expect("set");
    let opened = core.open(&location, &cancel).await.expect("right key");
    let tables = core.tables(&opened, false).await.expect("tables");
    assert!(tables.iter().any(|t| t.name == "secrets"));
    let edit = Edit::Update {
        table: "secrets".into(),
        key: "1".into(),
        set: vec![Assignment { column: "v".into(), value: Value::Text("edited".into()) }],
    };
    core.apply(&opened, vec![edit]).await.expect("edit");
    core.run_sql(
        &opened,
        &format!("SELECT v FROM secrets WHERE v LIKE '{MARKER}%'"),
        RunScope::All,
        50,
        false,
        &cancel,
    )
    .await
    .expect("console");
    let history = core.history(&opened, 5).await.expect("history");
    assert!(history[0].sql.contains(MARKER), "the history is there for this database");
    // Again, with the key kept for the location.
    let again = core.open(&location, &cancel).await.expect("re-open needs no key");
    assert_eq!(again.path, opened.path);

    let shared = std::fs::read(data.join("state.sqlite")).expect("state");
    assert!(
        !shared.windows(MARKER.len()).any(|w| w == MARKER.as_bytes()),
        "the shared state file holds none of the encrypted database's values"
    );
    let secret_dir = data.join("secret-state");
    let secret =
        std::fs::read_dir(&secret_dir).expect("secret state").next().expect("one").expect("entry").path();
    let bytes = std::fs::read(&secret).expect("read");
    assert_ne!(&bytes[..16], b"SQLite format 3\0", "its own state is encrypted");
    let out = Command::new("sqlcipher").arg(&db).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn();
    let mut out = out.expect("sqlcipher");
    std::io::Write::write_all(
        out.stdin.as_mut().expect("stdin"),
        b"PRAGMA key = 'app pass';\nSELECT v FROM secrets WHERE id = 1;\n",
    )
    .expect("sql");
    drop(out.stdin.take());
    let read = out.wait_with_output().expect("read");
    assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), "edited", "SQLCipher 3.4 reads the edit");
}
