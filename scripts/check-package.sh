#!/usr/bin/env bash
# Proves the .deb in dist/ (scripts/package.sh): installs it with dpkg and
# apt-get -f, runs `sonde --version` from PATH, starts the installed app
# under Xvfb and checks through WebDriver that it lists its simulated
# device, then purges the package and checks nothing of it is left in
# /usr. Needs root (or sudo) and what scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
deb=$(ls dist/*.deb | head -n1)
[ -f "$deb" ] || { echo "check-package: no .deb in dist/ (run scripts/package.sh)" >&2; exit 1; }
pkg=$(dpkg-deb -f "$deb" Package)
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
  echo "check-package: $pkg is installed already; remove it first" >&2; exit 1
fi

before=$(mktemp); after=$(mktemp)
trap 'rm -f "$before" "$after"' EXIT
find /usr -xdev | sort >"$before"

echo "check-package: installing $deb"
export DEBIAN_FRONTEND=noninteractive
$SUDO dpkg -i "$deb" >/dev/null || $SUDO apt-get -f install -y -qq >/dev/null
dpkg-query -W -f='${Status}\n' "$pkg" | grep -q "install ok installed"

version=$(cd / && sonde --version)
expected="sonde $(dpkg-deb -f "$deb" Version)"
[ "$version" = "$expected" ] || { echo "check-package: sonde --version said '$version', not '$expected'" >&2; exit 1; }
echo "check-package: $(command -v sonde): $version"
for f in /usr/bin/sonde-desktop /usr/bin/sonde-devsim /usr/share/applications/Sonde.desktop \
  /usr/share/icons/hicolor/16x16/apps/sonde-desktop.png /usr/share/icons/hicolor/512x512/apps/sonde-desktop.png; do
  [ -e "$f" ] || { echo "check-package: $f was not installed" >&2; exit 1; }
done

xvfb-run -a -s "-screen 0 1280x800x24" node tests/e2e/installed.e2e.mjs /usr/bin/sonde-desktop

$SUDO dpkg --purge "$pkg" >/dev/null
find /usr -xdev | sort >"$after"
if ! diff -q "$before" "$after" >/dev/null; then
  echo "check-package: removing $pkg changed /usr:" >&2
  diff "$before" "$after" | head -20 >&2
  exit 1
fi
echo "check-package: installed, ran, removed; /usr is as before"
