//! People and roles for Hallkeeper (issue 17): the rules the central server and the desktop's core
//! both apply, so neither depends on the other for them (the server does not depend on core).
//!
//! - [`matrix`]: which role may do what in which hall — one table, enforced on the server for every
//!   admin route and in core for every desktop command (`docs/roles.md` is rendered from it);
//! - [`password`]: argon2id hashes of passwords and the policy for new ones;
//! - [`throttle`]: the growing delay after failed sign-ins (per account and per address);
//! - [`session`]: opaque session tokens, stored hashed, and their sliding expiry;
//! - [`offline`]: the desktop's local verifier for signing in while the server is away.
//!
//! No I/O, no clock: instants are passed in; randomness (salts, tokens) comes from the OS RNG.
//! The wire shapes (`Role`, `HallRole`, `Account`) are `hallkeeper-proto`'s.

pub mod error;
pub mod matrix;
pub mod offline;
pub mod password;
pub mod session;
pub mod throttle;

pub use error::{AccessError, PasswordProblem};
pub use matrix::{
    allows, can_grant, capabilities, check_grant, roles_markdown, sync_entity_capability, Capability,
};
pub use offline::{offline_verifier, verify_offline, OfflinePolicy};
pub use password::{
    check_new_password, hash_password, needs_rehash, verify_password, verify_unknown_account,
};
pub use session::{new_session_token, token_hash, SessionLifetime, SessionToken};
pub use throttle::{RetryAfter, Throttle, ThrottlePolicy};
