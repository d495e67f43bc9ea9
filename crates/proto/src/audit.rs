use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One supervisor change, recorded in the same transaction as the change itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: String,
    pub at: String,
    /// The person's display name (or, for entries older than sign-in, the OS user's name).
    pub actor: String,
    /// The person's account id on the central server; null for entries older than sign-in and
    /// for the store's own bookkeeping.
    pub actor_id: Option<String>,
    /// `<entity>.<verb>`, e.g. `window.create`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    /// A short human description, e.g. `A03 不动产登记`.
    pub summary: String,
    #[ts(type = "unknown | null")]
    pub before: Option<serde_json::Value>,
    #[ts(type = "unknown | null")]
    pub after: Option<serde_json::Value>,
}

/// A page of the audit log, newest first. `next_before` is the id to pass for the next page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_before: Option<String>,
}
