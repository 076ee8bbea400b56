#!/usr/bin/env bash
# Builds Sonde's bundles for the system it runs on into dist/: Linux .deb
# and .rpm, macOS .app and .dmg, Windows .msi and NSIS .exe. Each holds the
# app, the `sonde` CLI and `sonde-devsim` (the app's simulated device,
# found next to the app), icons at every size, the version of the Cargo
# workspace. Nothing is downloaded at install or first run.
#
#   scripts/package.sh            release build (slow on 2 cores: a full optimised build)
#   scripts/package.sh --debug    bundle the debug build the tests made (CI's
#                                 install check; same layout, bigger files)
#   scripts/package.sh --target universal-apple-darwin   (macOS, both CPUs)
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
target=""
while (($#)); do
  case "$1" in
    --debug) profile=debug ;;
    --target) target="$2"; shift ;;
    *) echo "usage: scripts/package.sh [--debug] [--target TRIPLE]" >&2; exit 2 ;;
  esac
  shift
done

case "$(uname -s)" in
  Linux) bundles=deb,rpm ;;
  Darwin) bundles=app,dmg ;;
  MINGW* | MSYS* | CYGWIN*) bundles=msi,nsis ;;
  *) echo "package.sh: unsupported system $(uname -s)" >&2; exit 1 ;;
esac
exe=""; [[ $bundles == msi,nsis ]] && exe=.exe
host=$(rustc -vV | sed -n 's/^host: //p')
triple=${target:-$host}

[ -d ui/dist ] || npm run build --silent
cargo_args=(--workspace --bins --locked --features sonde-desktop/custom-protocol)
[[ $profile == release ]] && cargo_args+=(--release)
if [[ $triple == universal-apple-darwin ]]; then
  # Both CPUs, then one fat binary each, where `tauri bundle` looks for them.
  for t in aarch64-apple-darwin x86_64-apple-darwin; do cargo build "${cargo_args[@]}" --target "$t"; done
  mkdir -p "target/$triple/$profile"
  for bin in sonde-desktop sonde sonde-devsim; do
    lipo -create -output "target/$triple/$profile/$bin" \
      "target/aarch64-apple-darwin/$profile/$bin" "target/x86_64-apple-darwin/$profile/$bin"
  done
else
  [[ -n $target ]] && cargo_args+=(--target "$target")
  cargo build "${cargo_args[@]}"
fi

# The CLI and the simulated device ride along as Tauri "external
# binaries": named with the target triple here, installed next to the app.
out=target/$profile; [[ -n $target ]] && out=target/$target/$profile
mkdir -p src-tauri/binaries
for bin in sonde sonde-devsim; do
  cp "$out/$bin$exe" "src-tauri/binaries/$bin-$triple$exe"
done
config='{"bundle":{"externalBin":["binaries/sonde","binaries/sonde-devsim"]}}'
bundle_args=(bundle --bundles "$bundles" --features custom-protocol --config "$config" --ci)
[[ $profile == debug ]] && bundle_args+=(--debug)
[[ -n $target ]] && bundle_args+=(--target "$target")
(cd src-tauri && npx tauri "${bundle_args[@]}")

rm -rf dist && mkdir -p dist
find "$out/bundle" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.rpm' -o -name '*.dmg' -o -name '*.msi' -o -name '*-setup.exe' \) -exec cp {} dist/ \;
[[ $bundles == app,dmg ]] && cp -R "$out/bundle/macos/"*.app dist/ 2>/dev/null || true
ls -l dist
