//! Writes made from the SQL console, when the device changed under them:
//! they join the pending log as the row changes they made (the diff of the
//! pulled version and the working copy), so they rebase onto the app's
//! writes like grid edits, conflicts included. Where row changes would not
//! do what the SQL did (a schema change, triggers, a table without a key,
//! too many rows) the rebase is refused and says which.

use crate::blocking::blocking;
use crate::error::{CoreError, Result};
use crate::location::Location;
use crate::service::Sonde;
use sonde_db::diff::changes::{as_changes, AsChanges};
use sonde_device::DeviceUri;
use tracing::instrument;

/// More changed rows than this are not logged one by one.
const MAX_ROWS: usize = 100_000;

impl Sonde {
    /// Replaces the pending log of a snapshot with SQL console writes by
    /// the row changes of the working copy (the caller holds the write
    /// turn); nothing to do without console writes.
    #[instrument(skip_all, fields(uri = %uri))]
    pub(crate) async fn log_sql_writes(&self, uri: &DeviceUri) -> Result<()> {
        let Some(mut snapshot) = self.load_snapshot(uri).await?.filter(|s| s.manifest.sql_writes > 0) else {
            return Ok(());
        };
        let pulled = self.snapshot_version(uri).await?;
        let key = Location::Device(uri.clone()).key();
        let state = self.state_for(&key, &snapshot.db_path()).await?;
        let (versions, given, uri) = (self.versions.clone(), self.given_key(&key), uri.to_string());
        blocking(move || {
            let before = versions.open(&key, pulled.number)?;
            let working = snapshot.db_path();
            crate::cipher::key_file(given.as_ref(), &before)?;
            crate::cipher::key_file(given.as_ref(), &working)?;
            let changes = match as_changes(&before, &working, MAX_ROWS)? {
                AsChanges::Changes(changes) => changes,
                AsChanges::Refused(why) => return Err(CoreError::SqlWritesNotRebased { uri, why }),
            };
            // One transaction: a crash leaves the old log (and the count of
            // console writes, so this runs again) or the new one.
            state.rebased(&key, &changes, &[])?;
            snapshot.manifest.sql_writes = 0;
            snapshot.manifest.dirty = !changes.is_empty() || !state.conflicts(&key)?.is_empty();
            snapshot.save_manifest()?;
            tracing::info!(changes = changes.len(), "SQL console writes joined the pending log");
            Ok(())
        })
        .await
    }
}
