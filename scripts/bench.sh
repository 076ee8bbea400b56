#!/usr/bin/env bash
# Runs Sonde's benchmarks (not part of the test command: numbers, not
# assertions): engine micro-benchmarks (criterion), ratios against sqlite3
# and raw adb, and the real app's startup/paging/memory numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
npm run build --silent
echo "==> engine (criterion; generates target/bench-data/big.db with 10M rows on first run)"
cargo bench --bench engine -- --noplot
echo "==> load: 8 readers paging the 10M-row table while a writer applies edit batches"
cargo bench --bench load -- --noplot
echo "==> encrypted databases: open, second reader, paging (SQLCipher 4 vs plain)"
cargo bench --bench cipher
echo "==> ratios against sqlite3 and raw adb"
cargo build --release -q -p sonde-cli -p sonde-devsim
python3 benches/ratios.py
echo "==> iOS: a 50 MB pull from the simulated iPhone, native AFC vs libimobiledevice's AFC"
python3 benches/ios_pull.py
echo "==> the app (debug build with embedded UI, under Xvfb)"
cargo build -q --bins --features sonde-desktop/custom-protocol
xvfb-run -a -s "-screen 0 1280x800x24" node benches/app/app.bench.mjs
