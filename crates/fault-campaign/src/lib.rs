//! Hallkeeper's sync fault campaign (see the crate's README): the real server and real desktop
//! sync clients as processes on loopback, a TCP proxy between them that cuts, delays, refuses
//! and replays, SIGKILLs of either side, hall traffic all along, then every replica compared
//! with the server row by row.
//!
//! - [`proxy`]: the fault-injecting TCP proxy;
//! - [`edits`]: a supervisor's random edits through the desktop store's API (the agent's);
//! - [`traffic`]: kiosk and caller traffic straight to the server;
//! - [`compare`]: the final checks (content, lost, duplicated, ticket events).

pub mod compare;
pub mod edits;
pub mod proxy;
pub mod traffic;

/// The runtime both binaries run on: two workers, the machine's share for one campaign (the
/// server and the agents are other processes).
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime")
}
