#!/usr/bin/env bash
# Runs every libFuzzer target of fuzz/ for SECONDS each (default 20) and
# prints, per target, the runs, the coverage reached and the crashes found.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs only the stable toolchain: cargo-fuzz is installed into .tools/ on
# first use, and RUSTC_BOOTSTRAP=1 lets stable rustc take the sanitizer and
# coverage flags cargo-fuzz passes. Seeds live in fuzz/corpus/<target>/
# (committed, small); what a run discovers goes to fuzz/corpus-run/<target>/
# and crashes to fuzz/artifacts/<target>/ (both git-ignored). Exit code 1
# when any target crashed, leaked, ran out of memory or timed out.
#
# FUZZ_QUICK=1 (what CI uses): an unoptimised build without the address
# sanitizer, several minutes quicker to build; panics, overflows, hangs and
# memory limits are still caught. Without it: release with ASan.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${1:-20}
shift || true

export PATH="$ROOT/.tools/bin:$PATH"
export RUSTC_BOOTSTRAP=1
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/fuzz/target}
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz into .tools/"
    cargo install cargo-fuzz --locked --root "$ROOT/.tools" >/dev/null || exit 1
fi

ALL_TARGETS=$(cargo fuzz list --fuzz-dir fuzz)
TARGETS=${*:-$ALL_TARGETS}

BUILD=()
if [ -n "${FUZZ_QUICK:-}" ]; then
    BUILD=(--dev --sanitizer none)
    echo "==> building fuzz targets (quick: unoptimised, no sanitizer)"
else
    echo "==> building fuzz targets (release, address sanitizer)"
fi
cargo fuzz build --fuzz-dir fuzz --target-dir "$TARGET_DIR" "${BUILD[@]}" || exit 1

mkdir -p fuzz/artifacts fuzz/corpus-run
# A private temp dir for the files the DB target writes.
FUZZ_TMP=$(mktemp -d)
trap 'rm -rf "$FUZZ_TMP"' EXIT
export SONDE_FUZZ_TMP=$FUZZ_TMP

status=0
summary=()
for target in $TARGETS; do
    case $target in
        db_bytes) extra=(-max_len=65536 -timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=1024) ;;
        value_json | ident_quote | filter_parse) extra=(-max_len=4096 -timeout=10 -rss_limit_mb=1024) ;;
        *) extra=(-max_len=8192 -timeout=10 -rss_limit_mb=1024) ;;
    esac
    mkdir -p "fuzz/corpus-run/$target" "fuzz/artifacts/$target"
    log="fuzz/artifacts/$target.log"
    before=$(find "fuzz/artifacts/$target" -type f | wc -l)
    echo "==> $target: ${SECONDS_PER_TARGET}s"
    cargo fuzz run --fuzz-dir fuzz --target-dir "$TARGET_DIR" "${BUILD[@]}" "$target" \
        "fuzz/corpus-run/$target" "fuzz/corpus/$target" -- \
        -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 "${extra[@]}" >"$log" 2>&1
    rc=$?
    after=$(find "fuzz/artifacts/$target" -type f | wc -l)
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
    corpus=$(find "fuzz/corpus-run/$target" -type f | wc -l)
    crashes=$((after - before))
    if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        status=1
        echo "    FAILED (exit $rc): see $log"
        grep -m5 -E 'panicked|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | sed 's/^/    /'
    fi
    summary+=("$(printf '%-16s runs=%-10s %-22s corpus=%-6s crashes=%s' "$target" "${runs:-?}" "${cov:-cov: ?}" "$corpus" "$crashes")")
done

echo
echo "==> fuzz summary (${SECONDS_PER_TARGET}s per target)"
printf '%s\n' "${summary[@]}"
exit $status
