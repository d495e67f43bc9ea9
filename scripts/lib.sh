# Shared by the scripts in this folder: paths and the one-time set-up steps. Source it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# One build folder outside the clone, so a fresh clone (CI) reuses earlier builds.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/hallkeeper/target}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
APP_BIN="$CARGO_TARGET_DIR/debug/hallkeeper"

# Debian packages: WebKitGTK and the build chain for Tauri, Xvfb + D-Bus for a headless
# display, the WebKit WebDriver for end-to-end tests, a notification daemon, CJK fonts,
# ImageMagick for screenshots, PostgreSQL for the server's tests (started by postgres.sh). The
# dashboard's e2e test watches the session bus with dbus-monitor (dbus-bin) for the queue-alarm
# notification that dunst (D-Bus activated) receives, and clicks it with dunstctl. espeak-ng and
# sox make the spoken-call clip pack (scripts/make-voice-pack.sh) and measure announcements in tests.
# chromium and chromium-driver (/usr/bin/chromedriver) run the device pages (kiosk, terminal, pad,
# display) in a real browser for the end-to-end tests and the front-line checks.
APT_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential curl wget file pkg-config libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev
  xvfb xauth dbus-x11 dbus-bin webkit2gtk-driver dunst libnotify-bin fonts-noto-cjk imagemagick x11-apps
  postgresql espeak-ng sox chromium chromium-driver
)
TAURI_DRIVER_VERSION=2.1.0

say() { printf '\n== %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_system_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then return; fi
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_ui_dependencies() {
  # npm ci only when the lock file changed since the last install.
  local stamp="$ROOT/ui/node_modules/.hallkeeper-lock"
  if [ -f "$stamp" ] && cmp -s "$stamp" "$ROOT/ui/package-lock.json"; then return; fi
  say "installing UI dependencies (npm ci)"
  (cd "$ROOT/ui" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$ROOT/ui/package-lock.json" "$stamp"
}

build_ui() {
  say "building the UI (vue-tsc + vite): the desktop's and the device pages (the server embeds ui/dist-devices)"
  (cd "$ROOT/ui" && npm run --silent build && npx vite build --logLevel warn --config vite.devices.config.ts)
}

# The UI's unit tests (vitest: pure modules and stores, the shell's invoke mocked). Plain output
# (NO_COLOR), so the closing total can read vitest's `Tests  N passed (N)` line.
run_ui_unit_tests() {
  say "UI unit tests (vitest)"
  (cd "$ROOT/ui" && NO_COLOR=1 npm run --silent test)
}

install_tauri_driver() {
  if command -v tauri-driver >/dev/null && cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
    return
  fi
  say "installing tauri-driver $TAURI_DRIVER_VERSION"
  cargo install --quiet --locked tauri-driver --version "$TAURI_DRIVER_VERSION"
}

build_app() {
  say "building the desktop app"
  (cd "$ROOT" && cargo build --quiet -p hallkeeper-desktop)
}

# For the benches: builds the simulator (release), sets SIM to it and OUT to artifacts/bench
# (made if missing), where every bench writes its figures.
release_sim() {
  say "building the simulator and the server (release)"
  (cd "$ROOT" && cargo build --quiet --release -p hallkeeper-sim)
  SIM="$CARGO_TARGET_DIR/release/hallkeeper-sim"
  OUT="$ROOT/artifacts/bench"
  mkdir -p "$OUT"
}

# For the benches: the local PostgreSQL when scripts/postgres.sh can start it (exports
# HALLKEEPER_TEST_POSTGRES_URL), run apart so that a failure to start it leaves the SQLite
# figures standing; a URL already set is used as it is.
postgres_if_available() {
  if [ -n "${HALLKEEPER_TEST_POSTGRES_URL:-}" ] || [ ! -f "$ROOT/scripts/postgres.sh" ]; then return 0; fi
  local exports
  if exports=$(bash "$ROOT/scripts/postgres.sh"); then
    eval "$exports"
  else
    say "PostgreSQL could not be started (scripts/postgres.sh failed): SQLite only"
  fi
}
