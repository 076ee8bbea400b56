#!/usr/bin/env bash
# Sets everything up and starts Sonde. (Until the desktop app lands this
# shows the engine through the CLI on a sample database.)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cargo build -q -p sonde-cli
work="$(mktemp -d)"
cp ../shared/fixtures/chinook.sqlite "$work/chinook.sqlite"
./target/debug/sonde tables "$work/chinook.sqlite"
./target/debug/sonde rows "$work/chinook.sqlite" Track --limit 10 --order Milliseconds:desc
