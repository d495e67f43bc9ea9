//! The hall's queue engine (排队叫号): tickets, the order windows call them in, and the event
//! log their states are derived from. Pure logic: no clock, no I/O, no randomness. Ids
//! (UUIDv7) and instants are inputs, so the same commands always give the same events, and the
//! same events always give the same state.
//!
//! - [`HallQueue`] holds the configuration (windows, matters, bindings, settings) and the tickets.
//!   Commands (`issue`, `call_next`, `recall`, `start`, `finish`, `no_show`, `park`, `resume`,
//!   `transfer`) validate, return the one event they wrote and apply it; `move_waiting` (the
//!   supervisor sends a matter's waiting tickets to a window) returns one event per ticket,
//!   all applied or none; [`HallQueue::apply`] and [`HallQueue::replay`] rebuild the state from
//!   stored events.
//! - [`ordering`] states the call order.
//! - [`derived`] measures waits and service times and counts queues.
//!
//! The kiosk's refusal ([`HallQueue::refusal`]) follows the same four rules as
//! `hallkeeper_core::coverage::refusal` against the queue's own configuration, so the server
//! needs no store to answer a kiosk.

mod config;
pub mod derived;
mod engine;
mod error;
mod events;
mod index;
mod numbering;
pub mod ordering;
mod rank;
mod times;

pub use derived::{count_states, matter_totals, people_ahead, window_totals};
pub use engine::HallQueue;
pub use error::{ConfigProblem, QueueError};
pub use events::{Served, NO_SENDER};
pub use numbering::{hall_day, ticket_number};
pub use times::{service_time, wait_time};
