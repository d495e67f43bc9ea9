//! The desktop's half of sync over the network (docs/sync.md): it pushes the store's outbox,
//! pulls the hall's change log, ticket events and ratings into the store, and listens to the server's
//! "pull now" stream. The rules (what a pulled change does to the tables) live in
//! `hallkeeper-core`; this crate only moves pages between the store and the server, with
//! backoff, and keeps a status for the UI.
//!
//! It knows nothing of Tauri: the desktop shell and the fault campaign's agent both run it.

mod client;
mod error;
mod http;

pub use client::{Endpoint, PulledTick, RatingsHook, SyncClient, SyncReport};
pub use error::SyncError;
pub use http::{hall_address, hall_url};
