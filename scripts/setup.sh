#!/usr/bin/env bash
# Installs everything Sonde needs on a fresh Debian 12 machine (idempotent:
# pieces already present are skipped quickly). Used by dev.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  adb                                  # the real Android client the device layer drives
  sqlite3                              # baseline for benchmarks, inspection in tests
  sqlite3-tools                        # sqldiff: the baseline of the diff benchmark
  sqlcipher                            # SQLCipher 3.4 shell: independent encrypted fixtures and checks
  libssl-dev                           # libcrypto for the bundled SQLCipher (Linux)
  python3-venv                         # .tools/venv: SQLCipher 4 fixtures (PyPI sqlcipher3-binary)
  libdbus-1-dev                        # the Secret Service (OS keychain) over D-Bus, and Tauri's tao
  dbus gnome-keyring libsecret-tools   # a real Secret Service in tests, secret-tool as its oracle
  libimobiledevice-utils ideviceinstaller  # the real iOS clients (idevice_id, ideviceinfo, idevicepair) against the simulated iPhone
  build-essential pkg-config
  libwebkit2gtk-4.1-dev                # Tauri's webview (Linux)
  webkit2gtk-driver                    # WebKitWebDriver, for tauri-driver end-to-end tests
  xvfb xauth                           # a display for the app in tests and headless runs
  fonts-dejavu-core
  chromium                             # UI tests (playwright-core drives Debian's chromium)
  imagemagick                          # screenshots of the real window
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "setup: cargo not found (install Rust with rustup)" >&2; exit 1; }
rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt

# tauri-driver (WebDriver for the real app), into the repo-local .tools/.
if [ ! -x .tools/bin/tauri-driver ]; then
  echo "setup: installing tauri-driver" >&2
  cargo install tauri-driver --version 2.1.0 --locked --root "$PWD/.tools" -q
fi

# SQLCipher 4 for test fixtures (PyPI's sqlcipher3-binary bundles it), into .tools/venv.
if [ ! -x .tools/venv/bin/python ] || ! .tools/venv/bin/python -c "import sqlcipher3" 2>/dev/null; then
  echo "setup: installing sqlcipher3-binary into .tools/venv" >&2
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install -q --disable-pip-version-check sqlcipher3-binary==0.6.0
fi

# Frontend dependencies (exact versions from package-lock.json).
if [ -f package-lock.json ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
