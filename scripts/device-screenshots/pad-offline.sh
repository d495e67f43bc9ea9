#!/usr/bin/env bash
# The rating pad's offline queue in real chromium against the real server (pad-offline.mjs):
# server stopped, a tap, server back → exactly one rating. Same needs as run.sh; run it after
# run.sh has built the pages and the server (or let it build them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../.."
(cd "$root/ui" && npm run build:devices >/dev/null)
cargo build -q -p hallkeeper-server --bin hallkeeper-server
bin="${CARGO_TARGET_DIR:-$root/target}/debug/hallkeeper-server"
work="$(mktemp -d)"
port="${HK_SHOTS_PORT:-18720}"; shots="${HK_SHOTS_DIR:-/tmp/shots}"; export HK_SHOTS_PORT="$port" HK_SHOTS_DIR="$shots"
mkdir -p "$shots" && cp "$here/pad-offline.mjs" "$shots/"
(cd "$shots" && [ -d node_modules/puppeteer-core ] || npm install --prefix "$shots" --no-audit --no-fund puppeteer-core@25.19.0)
# The hall is seeded on a first server, which then stops; the check starts its own on the file.
HALLKEEPER_BREAK_GLASS=1 HALLKEEPER_ADMIN_TOKEN="$(printf 'a%.0s' {1..40})" \
  "$bin" --listen "127.0.0.1:$port" --sqlite "$work/s.db" >"$work/server.log" 2>&1 &
server=$!
sleep 2
python3 "$here/seed.py" >/dev/null
kill "$server"; wait "$server" || true
(cd "$shots" && node pad-offline.mjs "$bin" "$work/s.db" "$work/server.log")
