//! One writer per database at a time inside the process: an edit, a
//! console write, a push and a watch's pull-and-rebase of the same
//! database never interleave (a pull replaces the file an edit would
//! write, and the pending log must match the file).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

#[derive(Default)]
pub(crate) struct WriteLocks(Mutex<HashMap<String, Arc<AsyncMutex<()>>>>);

impl WriteLocks {
    /// Waits for the database's write turn (`key`: its location key).
    pub(crate) async fn lock(&self, key: &str) -> OwnedMutexGuard<()> {
        let lock = {
            let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(map.entry(key.to_owned()).or_default())
        };
        lock.lock_owned().await
    }
}
