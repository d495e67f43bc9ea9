#!/usr/bin/env bash
# The sync fault campaign in its full form (CI runs 100 faults inside the workspace tests):
# the real server and two desktop sync agents as processes on loopback, a TCP proxy that cuts
# and replays, SIGKILLs of every side, 1,000 faults; then every replica compared row by row with
# the server. Options: --faults N, --seed S (a failing run prints its seed and keeps its folder).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
say "building the server and the campaign"
cargo build --quiet -p hallkeeper-server -p hallkeeper-fault-campaign
"$CARGO_TARGET_DIR/debug/hallkeeper-fault-campaign" --faults 1000 "$@"
