//! Pulling a consistent snapshot over AFC: stat the database and its
//! `-wal`/`-journal`, download them concurrently into a staging directory,
//! stat again, and keep the copy only when nothing moved (same kinds,
//! sizes and mtimes) and every file arrived whole. Up to three attempts;
//! the snapshot is installed atomically, so a failed pull leaves nothing.

use super::afc::Afc;
use super::state::{self, local_name, Mismatch, SIDES};
use crate::error::{DeviceError, Result};
use crate::runner::CancellationToken;
use crate::snapshot::{now_ms, Manifest, Snapshot, Workspace, ORIGINAL_DIR};
use crate::uri::DeviceUri;

const ATTEMPTS: u32 = 3;

pub async fn pull(
    afc: &Afc<'_>,
    ws: &Workspace,
    uri: &DeviceUri,
    cancel: &CancellationToken,
) -> Result<Snapshot> {
    let rel = uri.path.as_str();
    let mut last_problem = DeviceError::KeptChanging;
    for attempt in 1..=ATTEMPTS {
        let before = state::stats(afc, rel, cancel).await?;
        let staging = ws.staging_for(uri)?;
        let fetched = state::fetch(afc, rel, &before, staging.path(), cancel).await?;
        let after = state::stats(afc, rel, cancel).await?;
        let files = match fetched {
            Ok(files) if after == before => files,
            Err(Mismatch::Short { path, detail }) if after == before => {
                last_problem = DeviceError::TransferIncomplete { path, detail };
                tracing::info!(attempt, error = %last_problem, "pulled copy incomplete; retrying");
                continue;
            }
            _ => {
                last_problem = DeviceError::KeptChanging;
                tracing::info!(attempt, "database changed while it was copied; retrying");
                continue;
            }
        };
        let original = staging.path().join(ORIGINAL_DIR);
        std::fs::create_dir(&original).map_err(|e| DeviceError::io(&original, e))?;
        for (suffix, st) in SIDES.iter().zip(&before) {
            if st.is_some() {
                let name = local_name(suffix);
                std::fs::copy(staging.path().join(&name), original.join(&name))
                    .map_err(|e| DeviceError::io(&original, e))?;
            }
        }
        let manifest = Manifest {
            uri: uri.to_string(),
            pulled_at: now_ms(),
            device: files,
            dirty: false,
            pushes: 0,
            sql_writes: 0,
            rebase_needed: false,
        };
        return ws.install(uri, staging, manifest);
    }
    Err(last_problem)
}
