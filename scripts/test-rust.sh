#!/usr/bin/env bash
# Builds every Rust test, then runs the test binaries. The slowest ones
# (the device fault matrix and the iOS suite) mostly wait on timeouts and
# a deliberately slow simulated device, not on the CPU, so they run beside
# the others instead of after them; doc tests last. Each binary runs from
# its package's directory, as `cargo test` would run it. Exit code 1 when
# anything failed. Arguments go to cargo (features).
set -uo pipefail
cd "$(dirname "$0")/.."

BESIDE='^(device_fault_matrix|ios_device|device_ios_faults)-'
binaries=$(cargo test --workspace --locked "$@" --no-run --message-format=json-render-diagnostics | python3 -c '
import json, os, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("profile", {}).get("test") and m.get("executable"):
        print(m["executable"] + "\t" + os.path.dirname(m["manifest_path"]))
') || exit 1

run() { (cd "$2" && "$1" -q); }
slow_log=$(mktemp)
trap 'rm -f "$slow_log"' EXIT
(
    status=0
    while IFS=$'\t' read -r exe dir; do
        echo "==> $(basename "$exe")"
        run "$exe" "$dir" || status=1
    done < <(grep -E "/${BESIDE#^}" <<<"$binaries" || true)
    exit $status
) >"$slow_log" 2>&1 &
beside=$!

status=0
while IFS=$'\t' read -r exe dir; do
    [[ $(basename "$exe") =~ $BESIDE ]] && continue
    echo "==> $(basename "$exe")"
    run "$exe" "$dir" || status=1
done <<<"$binaries"
wait "$beside" || status=1
cat "$slow_log"

echo "==> doc tests"
cargo test --workspace --locked "$@" --doc -q || status=1
exit $status
