#!/usr/bin/env bash
# Regenerates every app icon from src-tauri/icons/icon.svg with the Tauri
# CLI's icon generator (npm devDependency): the PNG sizes a Linux desktop
# asks for (hicolor 16–512), icon.icns (macOS)
# and icon.ico (Windows). The results are committed; run this after
# changing the SVG.
set -euo pipefail
cd "$(dirname "$0")/.."
icons=src-tauri/icons
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npx tauri icon "$icons/icon.svg" -o "$tmp" >/dev/null 2>&1
npx tauri icon "$icons/icon.svg" -o "$tmp/sizes" -p 16,22,24,48,256,512 >/dev/null 2>&1
cp "$tmp"/{32x32,64x64,128x128}.png "$tmp"/icon.{icns,ico,png} "$icons/"
for s in 16 22 24 48 256 512; do cp "$tmp/sizes/$s.png" "$icons/${s}x${s}.png" 2>/dev/null || cp "$tmp/sizes/${s}x${s}.png" "$icons/${s}x${s}.png"; done
ls "$icons"
