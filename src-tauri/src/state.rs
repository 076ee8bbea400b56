//! What the app keeps between calls: the core, open databases by handle,
//! the local paths the user chose (dialog, drop, recent list), the files
//! it exported, the cancellation tokens of long operations, and whether
//! closing the window must ask first.

use crate::error::{closed_handle, UiResult};
use dashmap::DashMap;
use sonde_core::device::runner::CancellationToken;
use sonde_core::{OpenDb, Sonde};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

pub struct Desktop {
    pub core: Arc<Sonde>,
    pub log_file: PathBuf,
    dbs: DashMap<u32, OpenDb>,
    next_id: AtomicU32,
    /// Local files the user picked (dialog or drop): the page cannot name
    /// other host paths.
    allowed: DashMap<PathBuf, ()>,
    /// Files this app exported: the only ones "Show in folder" reveals.
    exported: DashMap<PathBuf, ()>,
    ops: DashMap<String, CancellationToken>,
    /// The running watch of each open database.
    watches: DashMap<u32, (u32, CancellationToken)>,
    /// The page has unsaved or unpushed edits: closing the window asks it first.
    close_guard: AtomicBool,
}

impl Desktop {
    pub fn new(core: Sonde, log_file: PathBuf) -> Self {
        Desktop {
            core: Arc::new(core),
            log_file,
            dbs: DashMap::new(),
            next_id: AtomicU32::new(1),
            allowed: DashMap::new(),
            exported: DashMap::new(),
            ops: DashMap::new(),
            watches: DashMap::new(),
            close_guard: AtomicBool::new(false),
        }
    }

    pub fn register(&self, db: OpenDb) -> u32 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.dbs.insert(id, db);
        id
    }

    /// Replaces the database behind a handle (a fresh pull after discard or refresh).
    pub fn replace(&self, handle: u32, db: OpenDb) {
        self.dbs.insert(handle, db);
    }

    pub fn db(&self, handle: u32) -> UiResult<OpenDb> {
        self.dbs.get(&handle).map(|d| d.clone()).ok_or_else(closed_handle)
    }

    pub fn close(&self, handle: u32) {
        self.stop_watch(handle);
        self.dbs.remove(&handle);
    }

    /// A new watch of `handle` (a running one is stopped first): its id and token.
    pub fn start_watch(&self, handle: u32) -> (u32, CancellationToken) {
        let (id, token) = (self.next_id.fetch_add(1, Ordering::Relaxed), CancellationToken::new());
        if let Some((_, old)) = self.watches.insert(handle, (id, token.clone())) {
            old.cancel();
        }
        (id, token)
    }

    pub fn stop_watch(&self, handle: u32) {
        if let Some((_, (_, token))) = self.watches.remove(&handle) {
            token.cancel();
        }
    }

    /// Watch `id` ended: forget it unless a newer one took its place.
    pub fn end_watch(&self, handle: u32, id: u32) {
        self.watches.remove_if(&handle, |_, (current, _)| *current == id);
    }

    pub fn open_count(&self) -> usize {
        self.dbs.len()
    }

    fn canonical(path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
    }

    /// Marks a local path as chosen by the user.
    pub fn allow(&self, path: &Path) {
        self.allowed.insert(Self::canonical(path), ());
    }

    pub fn is_allowed(&self, path: &Path) -> bool {
        std::fs::canonicalize(path).map(|c| self.allowed.contains_key(&c)).unwrap_or(false)
    }

    pub fn exported(&self, path: &Path) {
        self.exported.insert(Self::canonical(path), ());
    }

    pub fn was_exported(&self, path: &Path) -> bool {
        std::fs::canonicalize(path).map(|c| self.exported.contains_key(&c)).unwrap_or(false)
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

    pub fn set_close_guard(&self, active: bool) {
        self.close_guard.store(active, Ordering::Relaxed);
    }

    pub fn close_guarded(&self) -> bool {
        self.close_guard.load(Ordering::Relaxed)
    }
}
