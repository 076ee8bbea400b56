//! Load benchmark: 8 concurrent readers page through the 10,000,000-row
//! `events` table (keyset pages of 200 rows, each reader walking forward
//! from its own random start) while a writer applies batches of 500 edits to
//! the same file in WAL mode. Reported: per-page latency with the readers
//! alone and with the writer running (criterion's estimate, plus p50 / p95 /
//! p99 / max from every page read), writer throughput, and every error any
//! thread saw — a `database is locked` must never surface.
//!
//! The big file is `target/bench-data/big.db` (`benches/common`, shared
//! with `benches/engine.rs`); the benchmark works on a copy, so the shared
//! file is never written. `cargo bench --bench load`.

mod common;

use common::{big_db, ROWS};
use criterion::{criterion_group, criterion_main, Criterion};
use sonde_db::filter::Filter;
use sonde_db::mutation::{self, Assignment, Edit};
use sonde_db::query::{self, PageRequest};
use sonde_db::Value;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const READERS: usize = 8;
const PAGE: usize = 200;
const BATCH: usize = 500;

/// A private WAL-mode copy of the big file.
fn wal_copy(dir: &Path) -> PathBuf {
    let copy = dir.join("load.db");
    std::fs::copy(big_db(), &copy).expect("copy big.db");
    let conn = rusqlite::Connection::open(&copy).expect("open copy");
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).expect("wal");
    assert_eq!(mode, "wal");
    copy
}

/// Small xorshift, one per thread.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn id(&mut self) -> i64 {
        1 + (self.next() % ROWS as u64) as i64
    }
}

#[derive(Default)]
struct Shared {
    /// Every page latency, in microseconds, per phase.
    samples: Mutex<Vec<u64>>,
    errors: Mutex<Vec<String>>,
}

/// Reads `pages` pages walking forward from a random id; records latencies.
fn read_pages(db: &Path, seed: u64, pages: u64, shared: &Shared) -> Duration {
    let mut rng = Rng(seed | 1);
    let mut local = Vec::with_capacity(pages as usize);
    let mut total = Duration::ZERO;
    let mut req = PageRequest { table: "events".into(), limit: PAGE, ..Default::default() };
    let mut restart = true;
    for _ in 0..pages {
        if restart {
            let start = rng.id().min(ROWS - 50_000);
            req.filters = vec![Filter::parse(&format!("id >= {start}")).expect("filter")];
            req.after = None;
        }
        let t = Instant::now();
        let result = query::page(db, &req);
        let took = t.elapsed();
        total += took;
        local.push(took.as_micros() as u64);
        match result {
            Ok(page) => {
                restart = page.next.is_none() || rng.next().is_multiple_of(50);
                req.after = page.next;
            }
            Err(e) => {
                shared.errors.lock().expect("lock").push(format!("reader: {e}"));
                restart = true;
            }
        }
    }
    shared.samples.lock().expect("lock").extend(local);
    total
}

/// 8 readers, `iters` pages each; returns the mean page latency × iters
/// (what criterion divides by iters).
fn eight_readers(db: &Path, iters: u64, shared: &Shared, seed: u64) -> Duration {
    let totals: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..READERS)
            .map(|r| {
                s.spawn(move || {
                    read_pages(db, seed.wrapping_mul(31).wrapping_add(r as u64 * 7919), iters, shared)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("reader")).collect()
    });
    totals.iter().sum::<Duration>() / READERS as u32
}

struct Writer {
    stop: Arc<AtomicBool>,
    batches: Arc<AtomicU64>,
    batch_micros: Arc<Mutex<Vec<u64>>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    fn start(db: PathBuf, shared: Arc<Shared>) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let batches = Arc::new(AtomicU64::new(0));
        let batch_micros = Arc::new(Mutex::new(Vec::new()));
        let handle = {
            let (stop, batches, batch_micros) =
                (Arc::clone(&stop), Arc::clone(&batches), Arc::clone(&batch_micros));
            std::thread::spawn(move || {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let edits: Vec<Edit> = (0..BATCH)
                        .map(|i| Edit::Update {
                            table: "events".into(),
                            key: rng.id().to_string(),
                            set: vec![
                                Assignment {
                                    column: "payload".into(),
                                    value: Value::Text(format!("edited {n}.{i}")),
                                },
                                Assignment {
                                    column: "user_id".into(),
                                    value: Value::Integer((rng.next() % 100_000) as i64),
                                },
                            ],
                        })
                        .collect();
                    let t = Instant::now();
                    match mutation::apply(&db, &edits) {
                        Ok(changes) => {
                            assert_eq!(changes.len(), BATCH);
                            batches.fetch_add(1, Ordering::Relaxed);
                            batch_micros.lock().expect("lock").push(t.elapsed().as_micros() as u64);
                        }
                        Err(e) => shared.errors.lock().expect("lock").push(format!("writer: {e}")),
                    }
                    n += 1;
                }
            })
        };
        Writer { stop, batches, batch_micros, handle: Some(handle) }
    }

    fn finish(mut self) -> (u64, Vec<u64>) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            h.join().expect("writer");
        }
        let micros = std::mem::take(&mut *self.batch_micros.lock().expect("lock"));
        (self.batches.load(Ordering::Relaxed), micros)
    }
}

fn percentiles(mut v: Vec<u64>) -> String {
    if v.is_empty() {
        return "no samples".into();
    }
    v.sort_unstable();
    let p = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0;
    format!(
        "n={} p50={:.2}ms p95={:.2}ms p99={:.2}ms max={:.2}ms",
        v.len(),
        p(0.50),
        p(0.95),
        p(0.99),
        *v.last().expect("max") as f64 / 1000.0
    )
}

fn load(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tmp");
    let db = wal_copy(dir.path());
    let idle = Arc::new(Shared::default());
    let loaded = Arc::new(Shared::default());
    query::page(&db, &PageRequest { table: "events".into(), limit: PAGE, ..Default::default() })
        .expect("warm");

    let mut g = c.benchmark_group("load_10m_8_readers");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    let mut seed = 1u64;
    g.bench_function("page_idle", |b| {
        b.iter_custom(|iters| {
            seed += 1;
            eight_readers(&db, iters, &idle, seed)
        })
    });
    let writer = Writer::start(db.clone(), Arc::clone(&loaded));
    let started = Instant::now();
    g.bench_function("page_while_writing_500_edit_batches", |b| {
        b.iter_custom(|iters| {
            seed += 1;
            eight_readers(&db, iters, &loaded, seed)
        })
    });
    g.finish();
    let (batches, batch_micros) = writer.finish();
    let secs = started.elapsed().as_secs_f64();

    // Nothing lost: every committed batch is in the file.
    let conn = rusqlite::Connection::open(&db).expect("open");
    let rows: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).expect("count");
    let edited: i64 = conn
        .query_row("SELECT count(*) FROM events WHERE payload LIKE 'edited %'", [], |r| r.get(0))
        .expect("edited");

    println!("\n== load summary (8 readers, pages of {PAGE} rows, WAL) ==");
    println!(
        "page latency, readers alone:     {}",
        percentiles(std::mem::take(&mut *idle.samples.lock().expect("lock")))
    );
    println!(
        "page latency, with the writer:   {}",
        percentiles(std::mem::take(&mut *loaded.samples.lock().expect("lock")))
    );
    println!(
        "writer: {batches} batches of {BATCH} edits in {secs:.1}s ({:.0} edits/s), batch {}",
        (batches * BATCH as u64) as f64 / secs,
        percentiles(batch_micros)
    );
    println!("rows after: {rows} (expected {ROWS}); rows carrying an edit: {edited}");
    let errors: Vec<String> = idle
        .errors
        .lock()
        .expect("lock")
        .iter()
        .chain(loaded.errors.lock().expect("lock").iter())
        .cloned()
        .collect();
    let locked = errors.iter().filter(|e| e.contains("locked")).count();
    println!("errors: {} (database is locked: {locked})", errors.len());
    for e in errors.iter().take(20) {
        println!("  {e}");
    }
    assert_eq!(rows, ROWS, "no row lost or added");
    assert_eq!(locked, 0, "`database is locked` surfaced under load");
}

criterion_group!(benches, load);
criterion_main!(benches);
