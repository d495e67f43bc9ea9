#!/usr/bin/env bash
# Sync benchmark (release build): first sync of 1,000,000 ticket events into a fresh desktop
# store against the raw bulk insert of the same rows, and kiosk ticket → desktop store latency
# with the sync loops running. Prints the table. Options: --events N, --tickets M.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
say "building the sync bench (release)"
cargo build --quiet --release -p hallkeeper-bench --bin hallkeeper-sync-bench
"$CARGO_TARGET_DIR/release/hallkeeper-sync-bench" "$@"
