//! The core's built-in simulated iPhone: started from the data directory,
//! iOS locations reach it through its usbmuxd (the real libimobiledevice
//! tools and the native AFC client), and an edit pushed through the core
//! lands in the phone's container.

#![cfg(target_os = "linux")]

mod common;

use common::iphone::{JOURNAL, JOURNAL_DB};
use sonde_core::device::model::PushOptions;
use sonde_core::device::runner::CancellationToken;
use sonde_core::device::DeviceUri;
use sonde_core::{CoreConfig, PushOutcome, RunScope, Sonde};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_iphone_is_opened_edited_and_pushed_through_the_core() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let devsim = common::sonde_bin().with_file_name("sonde-devsim");
    let cancel = CancellationToken::new();

    let core = Sonde::new(CoreConfig::in_dir(data.clone())).await.expect("core");
    let udid = core.start_simulated_iphone(&devsim).await.expect("simulated iPhone");
    let (listed, root) = core.simulated_iphone().expect("running");
    assert_eq!(listed, udid);
    assert_eq!(root, data.join("simiphone"));

    let text = format!("ios://{udid}/{JOURNAL}/{JOURNAL_DB}");
    let db = core.open(&text, &cancel).await.expect("open through the simulated usbmuxd");
    let run = core
        .run_sql(
            &db,
            "CREATE TABLE pushed_by_core(n); INSERT INTO pushed_by_core VALUES (42)",
            RunScope::All,
            100,
            false,
            &cancel,
        )
        .await
        .expect("sql");
    assert!(run.wrote, "{run:?}");
    let uri = DeviceUri::parse(&text).expect("uri");
    let outcome = core.push(&uri, PushOptions::default(), true, false, |_| {}, &cancel).await.expect("push");
    assert!(matches!(outcome, PushOutcome::Pushed { .. }), "{outcome:?}");

    let on_phone = root.join("containers").join(JOURNAL).join(JOURNAL_DB);
    let conn = rusqlite::Connection::open_with_flags(&on_phone, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open");
    let n: i64 = conn.query_row("SELECT n FROM pushed_by_core", [], |r| r.get(0)).expect("pushed row");
    assert_eq!(n, 42);
}
