//! What the app keeps between calls: the core services, open databases by
//! handle, the local paths the user chose (dialog, drop, recent list), the
//! cancellation tokens of long operations and open SQL cursors.

use crate::error::{UiError, UiResult};
use dashmap::DashMap;
use sonde_core::{OpenDb, Sonde};
use sonde_db::cursor_sql::SqlCursor;
use sonde_device::runner::CancellationToken;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

pub struct Desktop {
    pub core: Arc<Sonde>,
    pub data_dir: PathBuf,
    pub log_file: PathBuf,
    dbs: DashMap<u32, OpenDb>,
    next_id: AtomicU32,
    /// Local files the user picked (dialog or drop): the page cannot name
    /// other host paths.
    allowed: DashMap<PathBuf, ()>,
    ops: DashMap<String, CancellationToken>,
    cursors: Mutex<std::collections::HashMap<u32, SqlCursor>>,
    pub simulated_device: Mutex<Option<crate::simdevice::SimDevice>>,
}

impl Desktop {
    pub fn new(core: Sonde, data_dir: PathBuf, log_file: PathBuf) -> Self {
        Desktop {
            core: Arc::new(core),
            data_dir,
            log_file,
            dbs: DashMap::new(),
            next_id: AtomicU32::new(1),
            allowed: DashMap::new(),
            ops: DashMap::new(),
            cursors: Mutex::new(std::collections::HashMap::new()),
            simulated_device: Mutex::new(None),
        }
    }

    fn id(&self) -> u32 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub fn register(&self, db: OpenDb) -> u32 {
        let id = self.id();
        self.dbs.insert(id, db);
        id
    }

    pub fn db(&self, handle: u32) -> UiResult<OpenDb> {
        self.dbs
            .get(&handle)
            .map(|d| d.clone())
            .ok_or_else(|| UiError::new("not_found", "this database is no longer open; open it again"))
    }

    pub fn close(&self, handle: u32) {
        self.dbs.remove(&handle);
    }

    pub fn open_count(&self) -> usize {
        self.dbs.len()
    }

    /// Marks a local path as chosen by the user.
    pub fn allow(&self, path: &Path) {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
        self.allowed.insert(canonical, ());
    }

    pub fn is_allowed(&self, path: &Path) -> bool {
        std::fs::canonicalize(path).map(|c| self.allowed.contains_key(&c)).unwrap_or(false)
    }

    /// Registers a cancellable operation under the UI's id.
    pub fn start_op(&self, op_id: &str) -> CancellationToken {
        let token = CancellationToken::new();
        self.ops.insert(op_id.to_owned(), token.clone());
        token
    }

    pub fn end_op(&self, op_id: &str) {
        self.ops.remove(op_id);
    }

    pub fn cancel_op(&self, op_id: &str) -> bool {
        match self.ops.get(op_id) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    pub fn store_cursor(&self, cursor: SqlCursor) -> u32 {
        let id = self.id();
        if let Ok(mut map) = self.cursors.lock() {
            // One console result at a time per window is plenty; keep a few.
            if map.len() >= 8 {
                if let Some(oldest) = map.keys().min().copied() {
                    map.remove(&oldest);
                }
            }
            map.insert(id, cursor);
        }
        id
    }

    pub fn take_cursor(&self, id: u32) -> Option<SqlCursor> {
        self.cursors.lock().ok().and_then(|mut m| m.remove(&id))
    }

    /// Serial of the built-in simulated device, when running.
    pub fn simulated_serial(&self) -> Option<String> {
        self.simulated_device.lock().ok().and_then(|s| s.as_ref().map(|d| d.serial.clone()))
    }

    /// Stops the simulated device (app exit).
    pub fn stop_simulated_device(&self) {
        if let Ok(mut s) = self.simulated_device.lock() {
            s.take();
        }
    }

    pub fn put_back_cursor(&self, id: u32, cursor: SqlCursor) {
        if let Ok(mut m) = self.cursors.lock() {
            m.insert(id, cursor);
        }
    }
}
