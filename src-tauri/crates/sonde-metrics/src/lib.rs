//! Process-wide metrics: call counts, error counts and latency histograms per
//! operation (queries, pool checkouts, tool calls...).
//!
//! Metrics stay in memory and are only shown to the user (`sonde --stats`,
//! the app's diagnostics panel). Nothing is sent anywhere.

use dashmap::DashMap;
use once_cell::sync::Lazy;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Upper bounds of the latency buckets, in microseconds (powers of four).
const BUCKET_BOUNDS_US: [u64; 12] =
    [4, 16, 64, 256, 1_024, 4_096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216];

#[derive(Default)]
struct Series {
    calls: AtomicU64,
    errors: AtomicU64,
    total_us: AtomicU64,
    max_us: AtomicU64,
    /// One slot per bound plus an overflow slot.
    buckets: [AtomicU64; BUCKET_BOUNDS_US.len() + 1],
}

static REGISTRY: Lazy<DashMap<&'static str, Series>> = Lazy::new(DashMap::new);

/// Records one finished operation.
pub fn record(op: &'static str, elapsed: Duration, ok: bool) {
    let us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    let series = REGISTRY.entry(op).or_default();
    series.calls.fetch_add(1, Ordering::Relaxed);
    if !ok {
        series.errors.fetch_add(1, Ordering::Relaxed);
    }
    series.total_us.fetch_add(us, Ordering::Relaxed);
    series.max_us.fetch_max(us, Ordering::Relaxed);
    let slot = BUCKET_BOUNDS_US.iter().position(|&bound| us <= bound).unwrap_or(BUCKET_BOUNDS_US.len());
    series.buckets[slot].fetch_add(1, Ordering::Relaxed);
}

/// Times `f` and records it under `op`; `Err` results count as errors.
pub fn timed<T, E>(op: &'static str, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    let start = Instant::now();
    let result = f();
    record(op, start.elapsed(), result.is_ok());
    result
}

/// A point-in-time copy of one operation's numbers.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OpStats {
    pub op: String,
    pub calls: u64,
    pub errors: u64,
    pub mean_us: u64,
    pub p50_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    /// `(upper bound in µs, count)`; the last bound is `u64::MAX` (overflow).
    pub histogram: Vec<(u64, u64)>,
}

/// All operations, sorted by name.
pub fn snapshot() -> Vec<OpStats> {
    let mut out: Vec<OpStats> = REGISTRY.iter().map(|entry| stats_of(entry.key(), entry.value())).collect();
    out.sort_by(|a, b| a.op.cmp(&b.op));
    out
}

fn stats_of(op: &str, s: &Series) -> OpStats {
    let calls = s.calls.load(Ordering::Relaxed);
    let max_us = s.max_us.load(Ordering::Relaxed);
    let histogram: Vec<(u64, u64)> = BUCKET_BOUNDS_US
        .iter()
        .copied()
        .chain(std::iter::once(u64::MAX))
        .zip(s.buckets.iter().map(|b| b.load(Ordering::Relaxed)))
        .collect();
    let quantile = |q: f64| -> u64 {
        let target = ((calls as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for &(bound, count) in &histogram {
            seen += count;
            if seen >= target {
                return bound.min(max_us);
            }
        }
        max_us
    };
    OpStats {
        op: op.to_owned(),
        calls,
        errors: s.errors.load(Ordering::Relaxed),
        mean_us: s.total_us.load(Ordering::Relaxed).checked_div(calls).unwrap_or(0),
        p50_us: quantile(0.50),
        p95_us: quantile(0.95),
        p99_us: quantile(0.99),
        max_us,
        histogram,
    }
}

/// Renders the snapshot as an aligned text table (for `sonde --stats`).
pub fn render_table(stats: &[OpStats]) -> String {
    let mut out = format!(
        "{:<28} {:>8} {:>7} {:>10} {:>10} {:>10} {:>10}\n",
        "operation", "calls", "errors", "mean µs", "p50 µs", "p95 µs", "max µs"
    );
    for s in stats {
        out.push_str(&format!(
            "{:<28} {:>8} {:>7} {:>10} {:>10} {:>10} {:>10}\n",
            s.op, s.calls, s.errors, s.mean_us, s.p50_us, s.p95_us, s.max_us
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_calls_errors_and_quantiles() {
        for ms in [1u64, 2, 3, 100] {
            record("test.op", Duration::from_millis(ms), ms != 100);
        }
        let s = snapshot().into_iter().find(|s| s.op == "test.op").expect("series");
        assert_eq!(s.calls, 4);
        assert_eq!(s.errors, 1);
        assert_eq!(s.max_us, 100_000);
        assert!(s.p50_us >= 1_000 && s.p50_us <= 4_096, "p50 {}", s.p50_us);
        assert_eq!(s.p99_us, 100_000);
        assert_eq!(s.histogram.iter().map(|(_, c)| c).sum::<u64>(), 4);
    }

    #[test]
    fn timed_counts_errors() {
        let _ = timed::<(), &str>("test.timed", || Err("boom"));
        let s = snapshot().into_iter().find(|s| s.op == "test.timed").expect("series");
        assert_eq!((s.calls, s.errors), (1, 1));
    }
}
