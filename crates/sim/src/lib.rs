//! Hallkeeper's hall simulator: drives the central server's real HTTP API as a hall's devices
//! would over a working day, and benchmarks the server under load.
//!
//! - [`setup`]: creates a hall through the admin API, pushes a configuration built from a catalog
//!   with the desktop's import functions (`hallkeeper-core`), and registers a kiosk, the display,
//!   and a caller and a rating pad per window. Ids derive from catalog codes and window numbers;
//!   device tokens go to a state file so that a restart reuses them.
//! - [`run_day`]: a day in the hall from 9:00 to 17:00 — Poisson arrivals following the
//!   intraday curve ([`curve`]), weighted by department; callers that call, recall, serve,
//!   transfer, park and resume, mark no-shows and take breaks; pads that rate about 70 % of
//!   services. Real time, or accelerated (`speed` hall seconds per wall second).
//! - [`bench()`]: the server in-process on loopback, 200 windows, ticket issues at a fixed rate,
//!   latency percentiles.
//!
//! **Time.** Simulated time only paces the sim: it sleeps scaled durations. The server stamps
//! every event with its own clock, so in an accelerated run waits and service times on the
//! server (and in the desktop's statistics) are compressed by the speed factor, and tickets are
//! numbered on the server's hall day (UTC+8), not the simulated one.
//!
//! The desktop can run an embedded server and the sim in-process:
//!
//! ```no_run
//! # async fn demo(base: String) -> Result<(), hallkeeper_sim::SimError> {
//! use hallkeeper_sim::{run_day, SimOptions};
//! let opts = SimOptions { server: base, admin_token: Some("admin".into()), speed: 1440.0, ..SimOptions::default() };
//! let cancel = tokio_util::sync::CancellationToken::new();
//! let report = run_day(opts, cancel.clone()).await?;
//! println!("{} tickets, {} ratings", report.tickets_issued, report.ratings);
//! # Ok(()) }
//! ```

pub mod arrivals;
pub mod bench;
pub mod client;
pub mod clock;
pub mod curve;
pub mod day;
pub mod error;
pub mod model;
pub mod random;
pub mod rating;
pub mod setup;
pub mod state;
pub mod stats;
pub mod sweep;

pub use arrivals::Behaviour;
pub use bench::{bench, Backend, BenchOptions, BenchReport, RunInfo};
pub use client::Api;
pub use day::{run_day, SimOptions, SimReport, StopReason};
pub use error::{Result, SimError};
pub use setup::{prepare, setup, Prepared, SetupOptions};
pub use tokio_util::sync::CancellationToken;
