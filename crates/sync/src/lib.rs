//! The rules of sync that the desktop and the central server must apply identically
//! (docs/sync.md): the hybrid logical clock that orders edits, and the merge that resolves them
//! per field. Pure: no I/O, no storage.

pub mod hlc;
pub mod merge;

pub use hlc::Hlc;
