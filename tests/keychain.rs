//! Keys remembered in the OS keychain, for real on Linux: a private D-Bus
//! session with gnome-keyring (the Secret Service a GNOME desktop runs),
//! and `secret-tool` (libsecret, an independent client) as the oracle of
//! what is stored. The app's path through the core: remember only when
//! asked, reopen with the remembered key on the next run, a remembered key
//! that no longer opens the database is its own error, a key given without
//! "remember" replaces nothing stale, forget removes it.
//!
//! One test in this binary: it points the process's session bus at the
//! private one before anything talks to D-Bus.

mod common;

use common::secret_service::SecretService;
use sonde_core::device::runner::CancellationToken;
use sonde_core::{CoreConfig, ErrorKind, KeyInput, Sonde};
use std::path::Path;
use std::process::Stdio;

const SERVICE: &str = sonde_core::keychain::SERVICE;

/// What `secret-tool` finds for the database's entry (None: nothing).
fn looked_up(service: &SecretService, location: &str) -> Option<String> {
    let out = service
        .secret_tool()
        .args(["lookup", "service", SERVICE, "username", location])
        .output()
        .expect("secret-tool (Debian package libsecret-tools): run scripts/setup.sh");
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn given(key: &str, remember: bool) -> Option<KeyInput> {
    Some(KeyInput { key: key.into(), settings: vec!["cipher_compatibility=3".into()], remember })
}

/// A new run of the app: a fresh core, and the engine's pools without the
/// key the last run registered (they are per process).
async fn next_run(data: &Path, db: &Path) -> Sonde {
    sonde_db::pool::pools().set_key(db, None).expect("forget the pool's key");
    Sonde::new(CoreConfig::in_dir(data.to_owned())).await.expect("core")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_remembered_in_the_secret_service_only_when_asked() {
    let service = SecretService::start();
    // The only test of this binary, before anything opens a D-Bus connection.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &service.address);

    let dir = tempfile::tempdir().expect("tmp");
    let db = dir.path().join("vault.db");
    common::sqlcipher3(
        &db,
        "PRAGMA key = 'app pass'; CREATE TABLE secrets(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO secrets VALUES (1, 'one');",
    );
    let data = dir.path().join("data");
    let location = db.display().to_string();
    // The keychain entry's account: the location's stable key (`file://…`).
    let account = sonde_core::Location::parse(&location).expect("location").key();
    let cancel = CancellationToken::new();

    let core = next_run(&data, &db).await;
    let refused = core.unlock(&location, None, &cancel, false).await.err().expect("no key, none remembered");
    assert_eq!(refused.kind(), ErrorKind::Encrypted);
    let wrong = core.unlock(&location, given("nope", true), &cancel, false).await.err().expect("wrong key");
    assert_eq!(wrong.kind(), ErrorKind::WrongKey);
    assert_eq!(looked_up(&service, &account), None, "a key that did not open it is not remembered");

    // Given without "remember": opens, nothing stored.
    let opened = core.unlock(&location, given("app pass", false), &cancel, false).await.expect("opens");
    assert!(!opened.key_remembered && opened.keychain_error.is_none());
    assert_eq!(looked_up(&service, &account), None, "remembering is opt-in");

    // Given with "remember": stored, and the next run opens with it.
    let core = next_run(&data, &db).await;
    let opened = core.unlock(&location, given("app pass", true), &cancel, false).await.expect("opens");
    assert!(opened.key_remembered, "{:?}", opened.keychain_error);
    let stored = looked_up(&service, &account).expect("secret-tool finds the entry");
    assert!(stored.contains("app pass") && stored.contains("cipher_compatibility=3"), "{stored}");
    assert!(core.is_key_remembered(&account));

    let core = next_run(&data, &db).await;
    let reopened = core.unlock(&location, None, &cancel, false).await.expect("opens with the remembered key");
    assert!(reopened.key_remembered && reopened.db.encrypted);
    let page = core
        .page(
            &reopened.db,
            sonde_core::PageRequest { table: "secrets".into(), limit: 10, ..Default::default() },
        )
        .await
        .expect("rows decrypted with the remembered key");
    assert_eq!(page.rows.len(), 1);

    // Another client put a key there that no longer opens it.
    let core = next_run(&data, &db).await;
    let mut store = service
        .secret_tool()
        .args(["store", "--label=stale", "service", SERVICE, "username", &account, "target", "default"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("secret-tool");
    std::io::Write::write_all(store.stdin.as_mut().expect("stdin"), br#"{"key":"old pass","settings":[]}"#)
        .expect("secret");
    drop(store.stdin.take());
    assert!(store.wait().expect("secret-tool store").success());
    let stale = core.unlock(&location, None, &cancel, false).await.err().expect("the remembered key fails");
    assert_eq!(stale.kind(), ErrorKind::WrongKey);
    assert!(stale.to_string().contains("remembered in the keychain"), "{stale}");
    assert!(!stale.to_string().contains("old pass"), "errors never carry keys: {stale}");
    // The right key, not to be remembered: the stale one goes.
    let opened = core.unlock(&location, given("app pass", false), &cancel, false).await.expect("opens");
    assert!(!opened.key_remembered);
    assert_eq!(looked_up(&service, &account), None, "the stale key was removed");

    // Remember, then forget.
    let opened = core.unlock(&location, given("app pass", true), &cancel, false).await.expect("opens");
    assert!(opened.key_remembered);
    assert!(core.forget_remembered_key(&location).await.expect("forget"));
    assert_eq!(looked_up(&service, &account), None, "forgotten");
    assert!(!core.is_key_remembered(&account));
    assert!(!core.forget_remembered_key(&location).await.expect("forget again"), "nothing left to forget");
    let core = next_run(&data, &db).await;
    let refused = core.unlock(&location, None, &cancel, false).await.err().expect("forgotten: asks again");
    assert_eq!(refused.kind(), ErrorKind::Encrypted);

    // Plain databases never touch the keychain, even with "remember".
    let plain = dir.path().join("plain.db");
    rusqlite::Connection::open(&plain).expect("plain").execute_batch("CREATE TABLE t(x)").expect("schema");
    let plain_location = plain.display().to_string();
    let opened = core.unlock(&plain_location, given("anything", true), &cancel, false).await.expect("plain");
    assert!(!opened.key_remembered && !opened.db.encrypted);
    let plain_account = sonde_core::Location::parse(&plain_location).expect("location").key();
    assert_eq!(looked_up(&service, &plain_account), None);
}
