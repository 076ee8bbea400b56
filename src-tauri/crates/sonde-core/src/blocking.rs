//! Blocking work (SQLite, the app-state database, file copies) runs on
//! tokio's blocking pool, never on a runtime worker thread.

use crate::error::{CoreError, Result};

pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| CoreError::Internal(format!("blocking task: {e}")))?
}
