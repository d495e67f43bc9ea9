//! The sync status the desktop shows its supervisor (docs/sync.md): is the server reachable,
//! what is waiting to go up, what the server refused and why, and how far a first sync is.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SyncConnection {
    /// Not yet tried (the app is starting).
    Connecting,
    Online,
    /// The server cannot be reached; edits are kept and sent when it is back.
    Offline,
    /// The server answered but refuses this desktop (another sync version, a wrong token).
    Refused,
}

/// A change of this PC that the server will never apply, kept with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RejectedChange {
    pub seq: i64,
    /// `window`, `matter`, `binding`, …
    pub entity: String,
    pub key: String,
    /// `code: message` as the server gave it.
    pub reason: String,
    /// When the change was made on this PC.
    pub created_at: String,
}

/// How far a long pull has come (a first sync of a large hall).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub done: i64,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    pub server_url: String,
    /// Whether the server runs inside this app (the embedded default) or elsewhere.
    pub embedded: bool,
    pub connection: SyncConnection,
    /// Changes made on this PC that the server has not acknowledged yet.
    pub pending: u64,
    pub rejected: Vec<RejectedChange>,
    /// The last time a push or pull went through (RFC 3339).
    pub last_sync_at: Option<String>,
    /// Why the last attempt failed, for a person.
    pub last_error: Option<String>,
    /// Set while pulling a long backlog of ticket events.
    pub progress: Option<SyncProgress>,
    /// Ticket events held locally, by the server's numbering (the last one).
    pub events_cursor: i64,
    pub changes_cursor: i64,
}
