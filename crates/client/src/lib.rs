//! Everything the desktop says to the central server, in one place:
//! - **sync** (docs/sync.md, [`SyncClient`]): it pushes the store's outbox, pulls the hall's
//!   change log, ticket events and ratings into the store, and listens to the server's
//!   "pull now" stream. The rules (what a pulled change does to the tables) live in
//!   `hallkeeper-core`; sync only moves pages between the store and the server, with backoff,
//!   and keeps a status for the UI;
//! - **the hall's administration** ([`AdminClient`]): make sure the hall exists, put its
//!   configuration, move waiting tickets, the SMS pages' reads and writes.
//!
//! Both go through one transport ([`Api`]), one URL builder that escapes the hall id
//! ([`hall_url`]), and one error ([`ClientError`]) made by one classifier of the server's
//! answers ([`read_answer`]).
//!
//! It knows nothing of Tauri: the desktop shell and the fault campaign's agent both run it.

mod admin;
mod api;
mod error;
pub mod session;
mod sync;
mod sync_api;
mod url;

pub use admin::AdminClient;
pub use api::{Answer, Api, Credential, Method, NO_BODY};
pub use error::{read_answer, refusal, ClientError};
pub use sync::{sync_op, PulledTick, RatingsHook, SyncClient, SyncReport};
pub use url::{api_url, hall_url, halls_url, query_string, Endpoint};
