#!/usr/bin/env bash
# Regenerates every icon size the bundler needs (PNG, ICO, ICNS, Windows Store logos) from
# icons/icon.svg, with the Tauri CLI's own `icon` command (the npm package ships a prebuilt binary).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/ui"
npx --yes @tauri-apps/cli@2 icon "$root/icons/icon.svg" -o "$root/icons"
rm -rf "$root/icons/android" "$root/icons/ios"
