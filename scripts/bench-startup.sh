#!/usr/bin/env bash
# Startup and idle-memory benchmark: the app against a blank Tauri window, both launched under
# Xvfb N times; prints the table and writes artifacts/bench/startup-<profile>.json.
# `scripts/bench-startup.sh --release` measures optimised builds (≈10 min to build the first time).
source "$(dirname "$0")/lib.sh"

profile=debug
build_flags=()
for a in "$@"; do
  [ "$a" = "--release" ] && profile=release && build_flags=(--release)
done

install_system_packages
install_ui_dependencies
build_ui
cd "$ROOT"
say "building the app, the blank window and the bench ($profile)"
cargo build --quiet "${build_flags[@]}" -p hallkeeper-desktop -p hallkeeper-blank-window
cargo build --quiet -p hallkeeper-bench
mkdir -p "$ROOT/artifacts/bench"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  "$CARGO_TARGET_DIR/debug/hallkeeper-startup-bench" --json "$ROOT/artifacts/bench/startup-$profile.json" "$@" \
  2> >(grep -vE 'dbus-daemon|SpiRegistry' >&2)
