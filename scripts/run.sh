#!/usr/bin/env bash
# Installs what is needed and starts the Hallkeeper desktop app on its embedded default:
# a local SQLite store in the user's data folder (~/.local/share/org.hallkeeper.desktop).
# Extra arguments go to the app, e.g. `scripts/run.sh --data-dir /tmp/hall`, or
# `scripts/run.sh --simulate` for a demo hall with simulated traffic. The app prints the device
# pages' addresses (kiosk, window terminal, rating pad, hall display) on the embedded server:
# open one in a browser and pair it with a code from 设备管理.
source "$(dirname "$0")/lib.sh"

install_system_packages
install_ui_dependencies
build_ui
build_app

say "starting Hallkeeper"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: running on a virtual one (Xvfb). Screenshots: scripts/screenshot.sh" >&2
  exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$APP_BIN" "$@"
fi
exec "$APP_BIN" "$@"
