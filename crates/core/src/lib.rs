//! Hallkeeper's core: the hall's domain rules and the desktop's local store.
//!
//! It knows nothing of Tauri, HTTP or the UI. Time comes in through a [`Clock`], so every rule
//! can be tested at a fixed instant. Every write goes through one `BEGIN IMMEDIATE` transaction
//! that also records the change in the audit log.

pub mod access;
pub mod calendar;
pub mod catalog;
pub mod clock;
pub mod coverage;
pub mod dashboard;
pub mod error;
mod ids;
mod messages;
pub mod privacy;
pub mod rectification;
pub mod reports;
pub mod staff;
pub mod stars;
pub mod store;
pub mod sync;
pub mod windows;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{typescript_error_codes, Code, Error, FailureCode, Rejection, Result};
pub use hallkeeper_proto as proto;
pub use messages::notices;
pub use store::Store;
