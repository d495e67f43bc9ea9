#!/usr/bin/env bash
# Screenshots of the device pages (docs/screenshots/devices/): builds the pages and the server,
# starts it on a temporary SQLite file with break-glass on, seeds a demo hall over the admin and
# kiosk APIs (seed.py), and drives headless chromium through puppeteer-core (shoot.mjs).
# Needs: apt `chromium fonts-noto-cjk`; puppeteer-core is installed into a temporary folder.
# HK_SHOTS_PORT (18720) and HK_SHOTS_DIR (/tmp/shots) let two runs share a machine.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
(cd "$root/ui" && npm run build:devices)
cargo build -p hallkeeper-server --bin hallkeeper-server
bin="${CARGO_TARGET_DIR:-$root/target}/debug/hallkeeper-server"
work="$(mktemp -d)"
port="${HK_SHOTS_PORT:-18720}"; shots="${HK_SHOTS_DIR:-/tmp/shots}"; export HK_SHOTS_PORT="$port" HK_SHOTS_DIR="$shots"
HALLKEEPER_BREAK_GLASS=1 HALLKEEPER_ADMIN_TOKEN="$(printf 'a%.0s' {1..40})" \
  "$bin" --listen "127.0.0.1:$port" --sqlite "$work/s.db" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 2
mkdir -p "$shots" && cp "$here/shoot.mjs" "$shots/"
python3 "$here/seed.py"
(cd "$shots" && [ -d node_modules/puppeteer-core ] || npm install --prefix "$shots" --no-audit --no-fund puppeteer-core@25.19.0)
mkdir -p "$root/docs/screenshots/devices"
(cd "$shots" && node shoot.mjs "$root/docs/screenshots/devices")
