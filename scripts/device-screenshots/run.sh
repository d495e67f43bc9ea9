#!/usr/bin/env bash
# Screenshots of the device pages (docs/screenshots/devices/): builds the pages and the server,
# starts it on a temporary SQLite file with break-glass on, seeds a demo hall over the admin and
# kiosk APIs (seed.py), and drives headless chromium through puppeteer-core (shoot.mjs).
# Needs: apt `chromium fonts-noto-cjk`; puppeteer-core is installed into a temporary folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
(cd "$root/ui" && npm run build:devices)
cargo build -p hallkeeper-server --bin hallkeeper-server
bin="${CARGO_TARGET_DIR:-$root/target}/debug/hallkeeper-server"
work="$(mktemp -d)"
HALLKEEPER_BREAK_GLASS=1 HALLKEEPER_ADMIN_TOKEN="$(printf 'a%.0s' {1..40})" \
  "$bin" --listen 127.0.0.1:18720 --sqlite "$work/s.db" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 2
mkdir -p /tmp/shots && cp "$here/shoot.mjs" /tmp/shots/
python3 "$here/seed.py"
(cd /tmp/shots && [ -d node_modules/puppeteer-core ] || npm install --prefix /tmp/shots --no-audit --no-fund puppeteer-core@25.19.0)
mkdir -p "$root/docs/screenshots/devices"
(cd /tmp/shots && node shoot.mjs "$root/docs/screenshots/devices")
