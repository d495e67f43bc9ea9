#!/usr/bin/env bash
# The server bench's sweep (release build, `hallkeeper-sim sweep`): one hall at 0, 1k, 5k, 10k,
# 20k waiting (ticket issue and call p50/p99 at a fixed rate, callers keeping the count); eight
# connections while the queue grows 2k → 4k; one connection, 2,000 tickets back to back; 1, 10,
# 100 halls at 200 req/s in total. SQLite, then PostgreSQL when HALLKEEPER_TEST_POSTGRES_URL is
# set or scripts/postgres.sh can start one. Writes artifacts/bench/sweep-<backend>.json and .md.
# Extra arguments go to every run (e.g. --cases waiting --waiting 0,1000,20000).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
release_sim

say "sweep on SQLite"
"$SIM" sweep --json "$OUT/sweep-sqlite.json" "$@" | tee "$OUT/sweep-sqlite.md"

postgres_if_available
if [ -n "${HALLKEEPER_TEST_POSTGRES_URL:-}" ]; then
  say "sweep on PostgreSQL"
  "$SIM" sweep --postgres "$HALLKEEPER_TEST_POSTGRES_URL" --json "$OUT/sweep-postgres.json" "$@" \
    | tee "$OUT/sweep-postgres.md" || say "the PostgreSQL sweep failed"
else
  say "no PostgreSQL (HALLKEEPER_TEST_POSTGRES_URL unset, no scripts/postgres.sh): SQLite only"
fi
