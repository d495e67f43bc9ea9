//! The end-to-end harness of Hallkeeper: starts `tauri-driver` (which starts WebKitWebDriver),
//! opens WebDriver sessions on the real, built app with its own data directory, and gives the
//! tests a few helpers that find elements only by `data-testid` (see `docs/ui-contract.md`).
//!
//! The harness itself (everything that talks WebDriver) is behind the `e2e` feature, so a plain
//! `cargo test --workspace` builds none of it. [`paths`] is always there: the startup benchmark
//! uses it to find the same binaries.
//!
//! Run the suite under an X display with a session bus:
//!
//! ```text
//! export CARGO_TARGET_DIR=/root/.cache/hallkeeper/target   # or wherever the app was built
//! (cd ui && npm ci && npm run build) && cargo build -p hallkeeper-desktop
//! xvfb-run -a dbus-run-session -- cargo test -p hallkeeper-e2e --features e2e -- --test-threads=1
//! ```

pub mod paths;

#[cfg(feature = "e2e")]
mod browser;
#[cfg(feature = "e2e")]
mod harness;

#[cfg(feature = "e2e")]
pub use browser::*;

#[cfg(feature = "e2e")]
pub use harness::*;

/// How to run the suite, for the messages of a harness that cannot start.
pub const HOW_TO_RUN: &str = "run the end-to-end suite under an X display with a session bus, e.g.\n    \
     xvfb-run -a dbus-run-session -- cargo test -p hallkeeper-e2e --features e2e -- --test-threads=1\n\
     after building the UI and the app: (cd ui && npm ci && npm run build) && cargo build -p hallkeeper-desktop";
