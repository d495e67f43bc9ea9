#!/usr/bin/env bash
# Remakes the README's screenshots (docs/screenshots/*.png): the real app under Xvfb, a small
# hall entered through the UI, photographed in Chinese and English by the end-to-end harness.
source "$(dirname "$0")/lib.sh"

install_system_packages
install_ui_dependencies
install_tauri_driver
build_ui
build_app

export HALLKEEPER_APP_BIN="$APP_BIN"
export HALLKEEPER_SCREENSHOTS="$ROOT/docs/screenshots"
cd "$ROOT"
# sync::… photographs the sync drawer (sync-zh.png, sync-en.png); dashboard::… 总览 with simulated
# traffic (dashboard-zh.png, dashboard-en.png).
for t in a_small_hall_in_both_languages bind_by_keyboard_and_look_at_it sync::sync_indicator_and_sync_now \
  dashboard::dashboard_in_both_languages; do
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
    cargo test --quiet -p hallkeeper-e2e --features e2e -- --test-threads=1 --exact "$t"
done
ls -l "$HALLKEEPER_SCREENSHOTS"
