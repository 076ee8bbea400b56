#!/usr/bin/env bash
# Sets everything up and runs every check and test Sonde has.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

export CARGO_TERM_COLOR=never
step() { echo; echo "==> $*"; }

step "rustfmt"
cargo fmt --all -- --check

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "build binaries the end-to-end tests drive"
cargo build --workspace --bins --locked

step "cargo test"
cargo test --workspace --locked
