//! Arbitrary bytes opened as a database: list the tables (with counts, as
//! `sonde tables` does), then read the schema, the first two pages and an
//! export of every table. Any outcome but a panic, a hang (libFuzzer
//! `-timeout`) or unbounded memory (`-rss_limit_mb`, `-malloc_limit_mb`) is
//! fine; errors must be `DbError`s.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonde_db::export::{self, Format, Source};
use sonde_db::pool::pools;
use sonde_db::query::{self, PageRequest};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = std::env::var_os("SONDE_FUZZ_TMP").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!("sonde-fuzz-db-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        dir
    })
}

/// Stops an export after 256 KiB (the output of a lying file is not the point).
struct Capped(usize);
impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        if self.0 > 256 * 1024 {
            return Err(std::io::Error::other("cap"));
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn exercise(path: &std::path::Path) {
    let Ok(tables) = query::list_tables(path, true) else { return };
    for t in tables.iter().take(16) {
        let _ = query::table_schema(path, &t.name);
        let req = PageRequest { table: t.name.clone(), limit: 50, ..Default::default() };
        if let Ok(page) = query::page(path, &req) {
            if let Some(next) = page.next {
                let _ = query::page(path, &PageRequest { after: Some(next), ..req.clone() });
            }
        }
        let _ = query::page_at(path, &req, 3);
        let _ = query::count(path, &t.name, &[]);
        for format in [Format::Csv, Format::Json, Format::Sql] {
            let source = Source::Table { table: t.name.clone(), order: vec![], filters: vec![] };
            let mut rows = 0u64;
            let _ = export::export(path, &source, format, &mut Capped(0), &mut |n| {
                rows = n;
                n < 5_000
            });
        }
    }
}

fuzz_target!(|data: &[u8]| {
    static N: AtomicU64 = AtomicU64::new(0);
    let path = dir().join(format!("{}.db", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&path, data).expect("write");
    exercise(&path);
    pools().evict(&path);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
});
