#!/usr/bin/env bash
# Catalog benchmark (release build): import of a 10,000-matter file and the coverage audit over
# 10,000 matters × 200 windows. Prints the table; writes artifacts/bench/catalog.json.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
say "building the catalog bench (release)"
cargo build --quiet --release -p hallkeeper-bench --bin hallkeeper-catalog-bench
"$CARGO_TARGET_DIR/release/hallkeeper-catalog-bench" --json "$ROOT/artifacts/bench/catalog.json" "$@"
