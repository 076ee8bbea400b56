#!/usr/bin/env bash
# Sets everything up and starts Sonde. With no phone attached, the app
# starts its built-in simulated Android device (real adb protocol, demo
# databases) so there is data to look at right away.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
npm run build --silent
cargo build --bins --features sonde-desktop/custom-protocol -p sonde-desktop -p sonde-devsim -p sonde-cli
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "no display: running under Xvfb (screenshot with: import -window root shot.png)" >&2
  exec xvfb-run -a -s "-screen 0 1280x800x24" ./target/debug/sonde-desktop
fi
exec ./target/debug/sonde-desktop
