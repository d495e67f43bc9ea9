#!/usr/bin/env bash
# Server load benchmark (release build): the central server in-process on 127.0.0.1, a hall of
# 200 windows, ticket issues (POST /api/v1/kiosk/tickets) at a fixed rate from concurrent tasks
# while every window's caller calls and finishes; client-side latency percentiles.
# Runs on SQLite, and on PostgreSQL when HALLKEEPER_TEST_POSTGRES_URL is set or
# scripts/postgres.sh can start one. Writes artifacts/bench/server-<backend>.json and prints
# both tables. Extra arguments go to every run (e.g. --rate 400 --seconds 60).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
release_sim
rm -f "$OUT"/server-sqlite.json "$OUT"/server-postgres.json

say "bench on SQLite"
"$SIM" bench --json "$OUT/server-sqlite.json" "$@"
reports=("$OUT/server-sqlite.json")

postgres_if_available
if [ -n "${HALLKEEPER_TEST_POSTGRES_URL:-}" ]; then
  say "bench on PostgreSQL"
  if "$SIM" bench --postgres "$HALLKEEPER_TEST_POSTGRES_URL" --json "$OUT/server-postgres.json" "$@"; then
    reports+=("$OUT/server-postgres.json")
  else
    say "the PostgreSQL bench failed"
  fi
else
  say "no PostgreSQL (HALLKEEPER_TEST_POSTGRES_URL unset, no scripts/postgres.sh): SQLite only"
fi

say "ticket issue latency, client side"
"$SIM" bench-summary "${reports[@]}"
