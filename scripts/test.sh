#!/usr/bin/env bash
# Installs what is needed and runs every test: formatting, the Rust workspace (core unit and
# property tests, migration checks, command tests on Tauri's mock runtime, the server's storage
# and HTTP tests on SQLite and PostgreSQL), then the end-to-end suite driving the real built app
# under Xvfb through tauri-driver and WebKitWebDriver.
source "$(dirname "$0")/lib.sh"

install_system_packages
install_ui_dependencies
install_tauri_driver
build_ui

# Every runner's output is also kept, to close with one total over all of them. With pipefail
# (lib.sh), a failing runner ends the script through its `| tee` with a non-zero status.
results=$(mktemp)
trap 'rm -f "$results"' EXIT

run_ui_unit_tests 2>&1 | tee -a "$results"

# The local PostgreSQL for the server's tests (sets HALLKEEPER_TEST_POSTGRES_URL); they must run
# on it, not skip it.
source "$ROOT/scripts/postgres.sh"
export HALLKEEPER_REQUIRE_POSTGRES=1 HALLKEEPER_REQUIRE_SOX=1

cd "$ROOT"
say "checking formatting"
if cargo fmt --version >/dev/null 2>&1; then
  cargo fmt --all --check
else
  echo "rustfmt is not installed with this toolchain: formatting not checked" >&2
fi

say "module import cycles"
python3 "$ROOT/scripts/check-module-cycles.py" "$ROOT"

say "Rust tests"
cargo test --quiet --workspace 2>&1 | tee -a "$results"

# After the workspace tests: they build the app with tauri's `test` feature into the same path.
build_app

say "end-to-end tests in the real app (Xvfb + tauri-driver + WebKitWebDriver)"
export HALLKEEPER_APP_BIN="$APP_BIN"
export HALLKEEPER_ARTIFACTS="${HALLKEEPER_ARTIFACTS:-$ROOT/artifacts/e2e}"
# 1920×1080: the hall display window is a full-HD window.
xvfb-run -a -s "-screen 0 1920x1080x24" dbus-run-session -- \
  cargo test --quiet -p hallkeeper-e2e --features e2e -- --test-threads=1 2>&1 |
  grep -vE '^dbus-daemon|SpiRegistry' | tee -a "$results"

# Rust's `test result: ok. N passed; M failed; ...` and vitest's `Tests  M failed | N passed (T)`.
awk '/^test result:/ || $1 == "Tests" {
       for (i = 2; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) }
     }
     END { printf "\ntests: %d passed, %d failed\n", p, f }' "$results"
