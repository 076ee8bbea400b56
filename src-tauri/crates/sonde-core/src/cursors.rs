//! The console's open results. A result stays registered while more rows
//! remain; closing it works at any time — also while one of its pages is
//! being read: the read is interrupted, and the cursor (its thread and its
//! reader connection) goes away as soon as that read returns.

use sonde_db::cursor_sql::{CursorCloser, SqlCursor};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Results kept open at once; opening more closes the oldest.
const MAX_OPEN: usize = 16;

pub(crate) struct Entry {
    closer: CursorCloser,
    pub(crate) cursor: Mutex<SqlCursor>,
}

#[derive(Default)]
pub(crate) struct Cursors {
    next: AtomicU32,
    open: Mutex<BTreeMap<u32, Arc<Entry>>>,
}

impl Cursors {
    /// Registers a cursor; returns its id.
    pub(crate) fn add(&self, cursor: SqlCursor) -> u32 {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let entry = Arc::new(Entry { closer: cursor.closer(), cursor: Mutex::new(cursor) });
        let evicted = {
            let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
            open.insert(id, entry);
            let mut evicted = Vec::new();
            while open.len() > MAX_OPEN {
                match open.pop_first() {
                    Some((_, old)) => evicted.push(old),
                    None => break,
                }
            }
            evicted
        };
        for old in evicted {
            old.closer.close();
        }
        id
    }

    pub(crate) fn get(&self, id: u32) -> Option<Arc<Entry>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned()
    }

    /// Forgets a cursor and interrupts a page being read from it.
    pub(crate) fn close(&self, id: u32) -> bool {
        let entry = self.open.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
        match entry {
            Some(e) => {
                e.closer.close();
                true
            }
            None => false,
        }
    }

    /// Forgets a finished cursor (its last page was read).
    pub(crate) fn finished(&self, id: u32) {
        self.open.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }
}
