//! The facade's `open`: a local database a crashed app left mid-transaction
//! is refused with a clear error unless the user asked to recover it; then
//! the torn transaction is rolled back (as the app would on its next open)
//! and every committed row is there.

mod common;

use sonde_core::{CoreConfig, CoreError, Sonde};
use sonde_db::DbError;
use sonde_device::runner::CancellationToken;

#[tokio::test]
async fn a_hot_journal_is_rolled_back_only_when_asked() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = common::hot_journal_db(dir.path());
    let before = common::db_fingerprint(&db);
    let core = Sonde::new(CoreConfig::in_dir(dir.path().join("data"))).await.expect("core");
    let location = db.display().to_string();
    let cancel = CancellationToken::new();

    let Err(refused) = core.open(&location, &cancel).await else { panic!("a hot journal must be refused") };
    assert!(matches!(refused, CoreError::Db(DbError::HotJournal(_))), "{refused}");
    assert_eq!(common::db_fingerprint(&db), before, "refusing changed nothing");

    let opened = core.open_recovering(&location, &cancel, true).await.expect("recovered");
    let conn = rusqlite::Connection::open(&opened.path).expect("open");
    let (rows, torn): (i64, i64) = conn
        .query_row("SELECT count(*), sum(v LIKE 'uncommitted%') FROM t", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("count");
    assert_eq!((rows, torn), (300, 0), "committed rows kept, the torn transaction gone");
    assert!(
        !std::path::Path::new(&format!("{}-journal", db.display())).exists()
            || std::fs::metadata(format!("{}-journal", db.display())).map(|m| m.len()).unwrap_or(0) == 0
    );
}
