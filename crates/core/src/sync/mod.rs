//! Sync's pure parts (docs/sync.md). `merge` is the conflict rule every replica and the server
//! apply: last writer wins per field by HLC, deletes as tombstones.

pub mod merge;
