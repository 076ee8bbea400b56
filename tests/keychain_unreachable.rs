//! No Secret Service reachable (a headless session, a desktop without a
//! keyring): remembering a key fails with the keychain's reason, without the
//! key in it, and the database opens all the same; nothing remembered means
//! the next run asks again. Its own binary: libdbus reads the session bus
//! address once per process.

mod common;

use sonde_core::device::runner::CancellationToken;
use sonde_core::{CoreConfig, ErrorKind, KeyInput, Sonde};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_keychain_never_fails_an_open() {
    let dir = tempfile::tempdir().expect("tmp");
    // The only test of this binary, before anything opens a D-Bus connection.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", dir.path().join("no-bus").display()),
    );
    let db = dir.path().join("vault.db");
    common::sqlcipher3(
        &db,
        "PRAGMA key = 'app pass'; CREATE TABLE secrets(v TEXT); INSERT INTO secrets VALUES ('one');",
    );
    let location = db.display().to_string();
    let cancel = CancellationToken::new();
    let data = dir.path().join("data");

    let core = Sonde::new(CoreConfig::in_dir(data.clone())).await.expect("core");
    let given = KeyInput { key: "app pass".into(), settings: vec![], remember: true };
    let opened = core.unlock(&location, Some(given), &cancel, false).await.expect("opens anyway");
    assert!(!opened.key_remembered);
    let why = opened.keychain_error.expect("says why the key was not remembered");
    assert!(!why.contains("app pass"), "{why}");

    sonde_db::pool::pools().set_key(&db, None).expect("a new run: the pool forgets the key");
    let core = Sonde::new(CoreConfig::in_dir(data)).await.expect("core");
    let refused = core.unlock(&location, None, &cancel, false).await.err().expect("asks again");
    assert_eq!(refused.kind(), ErrorKind::Encrypted, "an unreachable keychain leaves the prompt: {refused}");
}
