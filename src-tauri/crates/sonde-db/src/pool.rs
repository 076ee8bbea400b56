//! The connection service: a process-wide cache of r2d2 pools keyed by the
//! canonical path of the database file.
//!
//! - Readers are opened read-only (`SQLITE_OPEN_READ_ONLY` + `query_only`)
//!   and wait on locks (`busy_timeout`) instead of failing.
//! - No connection checkpoints on close: a `-wal` is never folded in or
//!   deleted as a side effect of browsing or editing.
//! - The writer is a pool of one read-write connection with `foreign_keys`
//!   on; only the mutation service and write statements use it.
//! - A file that was replaced (new inode, e.g. a re-pulled device snapshot
//!   renamed into place) is never served from the old pool: each checkout
//!   compares the file identity and rebuilds the entry when it changed.
//! - An encrypted (SQLCipher) file is opened with the key registered for its
//!   path ([`Pools::set_key`]) or the process default ([`Pools::set_default_key`]):
//!   the settings are found once ([`crate::cipher::resolve`]) and every
//!   connection is keyed with the derived raw key before its first read.

use crate::cipher::{self, CipherKey, Keyed};
use crate::error::{DbError, Result, SqliteResultExt};
use crate::schema::{self, TableSchema};
use dashmap::DashMap;
use once_cell::sync::Lazy;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};
use scheduled_thread_pool::ScheduledThreadPool;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub type Conn = r2d2::PooledConnection<SqliteConnectionManager>;

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const READERS_PER_DATABASE: u32 = 8;
const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(10);
/// Databases kept open at once; the least recently used beyond this are
/// closed (their idle connections with them).
const MAX_OPEN_DATABASES: usize = 16;
/// A database nobody used for this long is closed by the sweeper.
const CLOSE_IDLE_AFTER: Duration = Duration::from_secs(300);
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// Page cache per connection (KiB). Readers seek a few pages per page of
/// rows; the OS caches the file anyway.
const READER_CACHE_KIB: i64 = 2_000;
const WRITER_CACHE_KIB: i64 = 8_000;

/// Which file a pool was built for: device and inode survive in-place writes
/// (ours, or the app's) but change when the file is replaced by a rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileIdentity {
    dev: u64,
    ino: u64,
}

impl FileIdentity {
    fn of(meta: &std::fs::Metadata) -> Self {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileIdentity { dev: meta.dev(), ino: meta.ino() }
        }
        #[cfg(not(unix))]
        {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as u64);
            FileIdentity { dev: meta.len(), ino: modified }
        }
    }
}

struct Entry {
    identity: FileIdentity,
    /// The key every connection applies (encrypted files only).
    keyed: Option<Arc<Keyed>>,
    readers: r2d2::Pool<SqliteConnectionManager>,
    writer: r2d2::Pool<SqliteConnectionManager>,
    /// Table name as asked → (schema_version it was read at, schema).
    schemas: DashMap<String, (i64, Arc<TableSchema>)>,
    /// When the cache last handed this entry out, in ms since [`Pools::epoch`]
    /// (for LRU eviction and closing idle databases).
    last_used: AtomicU64,
}

/// The process-wide pool cache. Use [`pools()`].
pub struct Pools {
    entries: DashMap<PathBuf, Arc<Entry>>,
    /// Path as given → canonical path; normalising is a few syscalls, so it is
    /// done once per distinct spelling, not per call.
    canonical: DashMap<PathBuf, PathBuf>,
    /// One thread pool shared by every r2d2 pool to open connections (r2d2
    /// would start three threads per pool otherwise). Pools are built
    /// without idle timeout and max lifetime: r2d2 would schedule a reaper
    /// job per pool on it that outlives the pool.
    workers: Arc<ScheduledThreadPool>,
    epoch: Instant,
    sweeper: std::sync::Once,
    /// Canonical path → the key its user gave.
    keys: DashMap<PathBuf, Arc<CipherKey>>,
    /// The key for encrypted files without one of their own (the CLI's
    /// `--cipher-key`).
    default_key: std::sync::RwLock<Option<Arc<CipherKey>>>,
    /// Canonical path → (the key it was found with, the file's first 16
    /// bytes (its salt), the settings that opened it): a re-pulled copy of
    /// the same database is not derived again.
    resolved: DashMap<PathBuf, Resolved>,
}

/// How an encrypted file was opened: with which key, its first 16 bytes,
/// the settings that worked.
struct Resolved {
    key: Arc<CipherKey>,
    head: [u8; 16],
    keyed: Arc<Keyed>,
}

static POOLS: Lazy<Pools> = Lazy::new(|| Pools {
    entries: DashMap::new(),
    canonical: DashMap::new(),
    workers: Arc::new(
        ScheduledThreadPool::builder().num_threads(1).thread_name_pattern("sonde-pool-{}").build(),
    ),
    epoch: Instant::now(),
    sweeper: std::sync::Once::new(),
    keys: DashMap::new(),
    default_key: std::sync::RwLock::new(None),
    resolved: DashMap::new(),
});

/// The process-wide connection service.
pub fn pools() -> &'static Pools {
    &POOLS
}

/// An open database: its canonical path and its cached pools and schemas.
#[derive(Clone)]
pub struct Db {
    path: PathBuf,
    entry: Arc<Entry>,
}

impl Db {
    /// Opens (or finds in the cache) the database at `path`.
    pub fn open(path: &Path) -> Result<Db> {
        pools().open(path)
    }

    /// The canonical path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A read-only connection.
    pub fn reader(&self) -> Result<Conn> {
        checkout(&self.entry.readers, &self.path, "pool.checkout.read")
    }

    /// The read-write connection (one per file; writes are serialised).
    pub fn writer(&self) -> Result<Conn> {
        checkout(&self.entry.writer, &self.path, "pool.checkout.write")
    }

    /// The schema of a table or view, cached until the schema changes.
    pub fn table(&self, conn: &Connection, name: &str) -> Result<Arc<TableSchema>> {
        let version: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0)).at(&self.path)?;
        if let Some(hit) = self.entry.schemas.get(name) {
            if hit.0 == version {
                return Ok(Arc::clone(&hit.1));
            }
        }
        let summary = schema::resolve_table(conn, name)
            .at(&self.path)?
            .ok_or_else(|| DbError::NoSuchTable(name.to_owned()))?;
        let table = Arc::new(schema::table_schema(conn, &summary).at(&self.path)?);
        self.entry.schemas.insert(name.to_owned(), (version, Arc::clone(&table)));
        Ok(table)
    }
}

impl Pools {
    /// Opens (or finds) the pools of the database at `path`, validating the
    /// file header when the file is new or was replaced.
    pub fn open(&self, path: &Path) -> Result<Db> {
        let (canonical, entry) = self.entry(path)?;
        Ok(Db { path: canonical, entry })
    }

    /// The canonical path this service uses for `path`.
    pub fn canonical(&self, path: &Path) -> Result<PathBuf> {
        if let Some(found) = self.canonical.get(path) {
            return Ok(found.clone());
        }
        let canonical = std::fs::canonicalize(path).map_err(|e| io_error(path, e))?;
        self.canonical.insert(path.to_owned(), canonical.clone());
        Ok(canonical)
    }

    /// Registers (or with `None` forgets) the key of the encrypted database
    /// at `path`; its pools are rebuilt with it on the next use. Registering
    /// the key already registered changes nothing.
    pub fn set_key(&self, path: &Path, key: Option<Arc<CipherKey>>) -> Result<()> {
        let canonical = self.canonical(path)?;
        let same = match (&key, self.keys.get(&canonical)) {
            (Some(new), Some(old)) => Arc::ptr_eq(new, &old),
            (None, None) => true,
            _ => false,
        };
        if same {
            return Ok(());
        }
        match key {
            Some(k) => {
                self.keys.insert(canonical.clone(), k);
            }
            None => {
                self.keys.remove(&canonical);
            }
        }
        self.resolved.remove(&canonical);
        self.close(&canonical);
        Ok(())
    }

    /// The key for encrypted files that have none of their own.
    pub fn set_default_key(&self, key: Option<CipherKey>) {
        if let Ok(mut slot) = self.default_key.write() {
            *slot = key.map(Arc::new);
        }
    }

    /// Whether the database at `path` is open encrypted, and with which
    /// SQLCipher major version's settings.
    pub fn cipher_of(&self, path: &Path) -> Option<u8> {
        let canonical = self.canonical(path).ok()?;
        self.entries.get(&canonical)?.keyed.as_ref().map(|k| k.compatibility())
    }

    /// The key connections to the open encrypted database at `path` apply.
    pub fn keyed_of(&self, path: &Path) -> Option<Arc<Keyed>> {
        let canonical = self.canonical(path).ok()?;
        self.entries.get(&canonical)?.keyed.clone()
    }

    fn key_for(&self, canonical: &Path) -> Option<Arc<CipherKey>> {
        if let Some(k) = self.keys.get(canonical) {
            return Some(Arc::clone(&k));
        }
        self.default_key.read().ok()?.clone()
    }

    /// The settings that open the encrypted file at `canonical` (found once
    /// per key and salt), or [`DbError::Encrypted`] without a key.
    fn keyed(&self, canonical: &Path) -> Result<Arc<Keyed>> {
        let key = self.key_for(canonical).ok_or_else(|| DbError::Encrypted(canonical.to_owned()))?;
        // One read of the salt: it keys the cache and the KDF.
        let head = cipher::head_of(canonical)?;
        if let Some(hit) = self.resolved.get(canonical) {
            if Arc::ptr_eq(&hit.key, &key) && hit.head == head {
                return Ok(Arc::clone(&hit.keyed));
            }
        }
        let keyed = Arc::new(cipher::resolve(canonical, &head, &key)?);
        self.resolved.insert(canonical.to_owned(), Resolved { key, head, keyed: Arc::clone(&keyed) });
        Ok(keyed)
    }

    /// Plain SQLite (`None`), or the key of an encrypted file.
    fn classify(&self, canonical: &Path) -> Result<Option<Arc<Keyed>>> {
        match check_header(canonical) {
            Ok(()) => Ok(None),
            Err(DbError::EncryptedOrCorrupt { .. }) => self.keyed(canonical).map(Some),
            Err(e) => Err(e),
        }
    }

    /// Opens `path` for editing: like [`Pools::open`], but a database left
    /// mid-transaction by a crash (a hot journal) is first recovered the way
    /// its app would on its next open: SQLite rolls the journal back.
    pub fn open_for_write(&self, path: &Path) -> Result<Db> {
        match self.open(path) {
            Err(DbError::HotJournal(_)) => {
                let canonical = self.canonical(path)?;
                tracing::warn!(path = %canonical.display(), "rolling back a hot journal before writing");
                recover_hot_journal(&canonical, self.classify(&canonical)?.as_deref())?;
                self.open(path)
            }
            other => other,
        }
    }

    /// Drops the pools of `path` (call after replacing the file). Connections
    /// in use finish their work; new checkouts get fresh connections.
    pub fn evict(&self, path: &Path) {
        let canonical = self.canonical.remove(path).map(|(_, c)| c);
        let canonical = canonical.or_else(|| std::fs::canonicalize(path).ok());
        if let Some(c) = canonical {
            self.close(&c);
        }
    }

    /// Opens the pool (if needed) and reads the catalog once, so the first
    /// real query does not pay for it. Also the health check: it fails with
    /// the precise reason when the file is not a usable database.
    pub fn warm_up(&self, path: &Path) -> Result<Db> {
        let db = self.open(path)?;
        let conn = db.reader()?;
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(())).at(db.path())?;
        Ok(db)
    }

    /// Whether pools for this canonical path are cached.
    pub fn is_open(&self, canonical: &Path) -> bool {
        self.entries.contains_key(canonical)
    }

    /// Number of cached databases (diagnostics).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn entry(&self, path: &Path) -> Result<(PathBuf, Arc<Entry>)> {
        let canonical = match self.canonical(path) {
            Ok(c) => c,
            Err(e) => {
                self.canonical.remove(path);
                return Err(e);
            }
        };
        let meta = match std::fs::metadata(&canonical) {
            Ok(m) => m,
            Err(e) => {
                // A stale spelling (file moved away): forget it and report.
                self.canonical.remove(path);
                self.entries.remove(&canonical);
                return Err(io_error(path, e));
            }
        };
        if !meta.is_file() {
            return Err(DbError::NotAFile(path.to_owned()));
        }
        let identity = FileIdentity::of(&meta);
        let now = self.now_ms();
        if let Some(entry) = self.entries.get(&canonical) {
            if entry.identity == identity {
                entry.last_used.store(now, Ordering::Relaxed);
                return Ok((canonical, Arc::clone(entry.value())));
            }
        }
        // New file, or the file was replaced: validate and build fresh pools.
        let keyed = self.classify(&canonical)?;
        probe(&canonical, keyed.as_deref())?;
        let entry = Arc::new(self.build_entry(&canonical, identity, keyed, now));
        tracing::debug!(path = %canonical.display(), "opened connection pools");
        self.entries.insert(canonical.clone(), Arc::clone(&entry));
        self.close_least_recently_used(&canonical);
        self.sweeper.call_once(|| {
            let started = std::thread::Builder::new().name("sonde-pool-sweeper".into()).spawn(|| loop {
                std::thread::sleep(SWEEP_EVERY);
                pools().close_idle(CLOSE_IDLE_AFTER);
            });
            if let Err(e) = started {
                tracing::warn!(error = %e, "idle databases will stay open: no sweeper thread");
            }
        });
        Ok((canonical, entry))
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Closes the pools of databases nobody used for `idle` (their idle
    /// connections and page caches go with them; the next use reopens).
    pub fn close_idle(&self, idle: Duration) {
        let cutoff = self.now_ms().saturating_sub(u64::try_from(idle.as_millis()).unwrap_or(u64::MAX));
        let stale: Vec<PathBuf> = self
            .entries
            .iter()
            .filter(|e| e.last_used.load(Ordering::Relaxed) < cutoff)
            .map(|e| e.key().clone())
            .collect();
        for path in stale {
            self.close(&path);
        }
    }

    /// Forgets everything cached for one canonical path.
    fn close(&self, canonical: &Path) {
        self.entries.remove(canonical);
        self.canonical.retain(|_, v| v != canonical);
        crate::jump::forget(canonical);
    }

    /// Keeps at most [`MAX_OPEN_DATABASES`] entries. A `Db` still held
    /// elsewhere keeps its pools until it is dropped.
    fn close_least_recently_used(&self, keep: &Path) {
        while self.entries.len() > MAX_OPEN_DATABASES {
            let oldest = self
                .entries
                .iter()
                .filter(|e| e.key() != keep)
                .min_by_key(|e| e.last_used.load(Ordering::Relaxed))
                .map(|e| e.key().clone());
            let Some(oldest) = oldest else { return };
            self.close(&oldest);
        }
    }

    fn build_entry(&self, path: &Path, identity: FileIdentity, keyed: Option<Arc<Keyed>>, now: u64) -> Entry {
        let read_flags =
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let reader_key = keyed.clone();
        let readers = SqliteConnectionManager::file(path).with_flags(read_flags).with_init(move |c| {
            common_init(c, reader_key.as_deref(), READER_CACHE_KIB)?;
            c.execute_batch("PRAGMA query_only = 1;")
        });
        let write_flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let writer_key = keyed.clone();
        let writer = SqliteConnectionManager::file(path).with_flags(write_flags).with_init(move |c| {
            common_init(c, writer_key.as_deref(), WRITER_CACHE_KIB)?;
            writer_settings(c)
        });
        let builder = || {
            r2d2::Pool::builder()
                .thread_pool(Arc::clone(&self.workers))
                .min_idle(Some(0))
                .test_on_check_out(false)
                .idle_timeout(None)
                .max_lifetime(None)
                .connection_timeout(CHECKOUT_TIMEOUT)
        };
        Entry {
            identity,
            keyed,
            readers: builder().max_size(READERS_PER_DATABASE).build_unchecked(readers),
            writer: builder().max_size(1).build_unchecked(writer),
            schemas: DashMap::new(),
            last_used: AtomicU64::new(now),
        }
    }
}

/// Settings shared by readers and the writer: the key first (an encrypted
/// file), then no checkpoint on close (a `-wal` is only ever folded in by an
/// explicit checkpoint: push).
fn common_init(c: &mut Connection, keyed: Option<&Keyed>, cache_kib: i64) -> rusqlite::Result<()> {
    if let Some(k) = keyed {
        k.apply(c)?;
    }
    c.busy_timeout(BUSY_TIMEOUT)?;
    c.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    c.set_prepared_statement_cache_capacity(64);
    c.execute_batch(&format!("PRAGMA cache_size = -{cache_kib};"))
}

/// What every edit relies on from the writer; restored after console SQL
/// that assigned pragmas (`PRAGMA foreign_keys = OFF` must not outlive the
/// statement that said it).
pub(crate) fn writer_settings(c: &Connection) -> rusqlite::Result<()> {
    c.busy_timeout(BUSY_TIMEOUT)?;
    c.execute_batch("PRAGMA foreign_keys = ON; PRAGMA query_only = 0;")
}

/// Opens one connection and reads the catalog, so an unusable file fails
/// now with SQLite's reason instead of inside the pool (which would retry
/// until its timeout).
fn probe(path: &Path, keyed: Option<&Keyed>) -> Result<()> {
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .at(path)?;
    if let Some(k) = keyed {
        k.apply(&conn).at(path)?;
    }
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).at(path)?;
    conn.busy_timeout(BUSY_TIMEOUT).at(path)?;
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(())) {
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.extended_code == rusqlite::ffi::SQLITE_READONLY_ROLLBACK =>
        {
            Err(DbError::HotJournal(path.to_owned()))
        }
        other => other.at(path),
    }
}

/// Reads the catalog through a read-write connection: SQLite rolls a hot
/// journal back before it answers.
fn recover_hot_journal(path: &Path, keyed: Option<&Keyed>) -> Result<()> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .at(path)?;
    if let Some(k) = keyed {
        k.apply(&conn).at(path)?;
    }
    conn.busy_timeout(BUSY_TIMEOUT).at(path)?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(())).at(path)
}

fn checkout(pool: &r2d2::Pool<SqliteConnectionManager>, path: &Path, op: &'static str) -> Result<Conn> {
    let start = Instant::now();
    let result = pool.get().map_err(|e| {
        let text = e.to_string();
        if text.contains("unable to open") || text.contains("readonly") {
            DbError::CannotOpen { path: path.to_owned(), reason: text }
        } else {
            DbError::Pool(format!("{}: {text}", path.display()))
        }
    });
    sonde_metrics::record(op, start.elapsed(), result.is_ok());
    result
}

/// Rejects files that are not SQLite databases before SQLite sees them, with
/// a message that tells a random/encrypted file from a foreign one.
/// An empty file is a valid (empty) database, as SQLite defines it.
pub fn check_header(path: &Path) -> Result<()> {
    let mut file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    let mut header = [0u8; 16];
    let read =
        crate::framework::foreign::read_up_to(&mut file, &mut header).map_err(|e| io_error(path, e))?;
    if read == 0 || (read == 16 && header == *SQLITE_HEADER) {
        return Ok(());
    }
    if let Some(f) = crate::framework::foreign::identify(path) {
        return Err(DbError::ForeignFormat { path: path.to_owned(), format: f.format, advice: f.advice });
    }
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    // SQLCipher and similar write whole random-looking pages.
    let looks_encrypted = len >= 1024 && len % 512 == 0 && !header.iter().all(|b| b.is_ascii());
    Err(if looks_encrypted {
        DbError::EncryptedOrCorrupt { path: path.to_owned(), detail: None }
    } else {
        DbError::NotADatabase(path.to_owned())
    })
}

pub(crate) fn io_error(path: &Path, e: std::io::Error) -> DbError {
    match e.kind() {
        std::io::ErrorKind::NotFound => DbError::NotFound(path.to_owned()),
        std::io::ErrorKind::PermissionDenied => DbError::PermissionDenied(path.to_owned()),
        _ => DbError::Io { path: path.to_owned(), source: e },
    }
}
