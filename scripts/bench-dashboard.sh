#!/usr/bin/env bash
# Dashboard benchmark (issue 6): the real app (release build) against a real server on
# loopback, under Xvfb with a session bus: kiosk ticket → dashboard re-rendered (p95), and the
# app's CPU while the simulator keeps a 200-window hall busy. Options: --tickets N, --seconds S,
# --speed X. `--debug` measures the debug build instead (no 10-minute release build).
source "$(dirname "$0")/lib.sh"

profile=release
build_flags=(--release)
args=()
for a in "$@"; do
  if [ "$a" = "--debug" ]; then profile=debug; build_flags=(); else args+=("$a"); fi
done

install_system_packages
install_ui_dependencies
install_tauri_driver
build_ui
cd "$ROOT"
say "building the app ($profile) and the bench"
cargo build --quiet "${build_flags[@]}" -p hallkeeper-desktop
cargo build --quiet --release -p hallkeeper-bench --features dashboard --bin hallkeeper-dashboard-bench
export HALLKEEPER_APP_BIN="$CARGO_TARGET_DIR/$profile/hallkeeper"
export HALLKEEPER_ARTIFACTS="${HALLKEEPER_ARTIFACTS:-$ROOT/artifacts/bench}"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  "$CARGO_TARGET_DIR/release/hallkeeper-dashboard-bench" "${args[@]}" \
  2> >(grep -vE 'dbus-daemon|SpiRegistry' >&2)
