#!/usr/bin/env bash
# Front-line benchmark (issue 18, release build): kiosk tap → ticket, terminal actions, call → on
# the display, rating stored, on probe windows while the server bench's load (200 tickets/s, 200
# windows' callers) runs. SQLite, then PostgreSQL when scripts/postgres.sh can start one.
# Prints each table; writes artifacts/bench/frontline-<backend>.json. Arguments go to every run
# (e.g. --seconds 60, --display sse for the push stream GET /api/v1/display/events).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
say "building the front-line bench (release)"
cargo build --quiet --release -p hallkeeper-bench --bin hallkeeper-frontline-bench
bin="$CARGO_TARGET_DIR/release/hallkeeper-frontline-bench"
say "SQLite"
"$bin" --json "$ROOT/artifacts/bench/frontline-sqlite.json" "$@"
postgres_if_available
if [ -n "${HALLKEEPER_TEST_POSTGRES_URL:-}" ]; then
  say "PostgreSQL"
  "$bin" --postgres "$HALLKEEPER_TEST_POSTGRES_URL" --json "$ROOT/artifacts/bench/frontline-postgres.json" "$@"
fi
