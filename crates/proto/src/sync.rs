//! Sync's wire format between a desktop and the central server (docs/sync.md). Not shown to the
//! UI, so no TypeScript is generated for these.

use serde::{Deserialize, Serialize};

/// Raised when the meaning of operations changes; a peer on another version is refused.
/// 2: every operation names its `author` (issue 17), which the server refuses one without; and
/// the rule documents and the rectification ledger, whose changes a desktop of version 1 would
/// skip, moving its cursor past them.
pub const SYNC_SCHEMA_VERSION: u32 = 2;

/// The header a desktop names its sync version in on pulls and the stream (a push carries it in
/// its body), so the server refuses another version before sending it rows it would misread.
pub const SYNC_VERSION_HEADER: &str = "x-hallkeeper-sync-version";

/// The entities operations name (keys in docs/sync.md): `window`, `department`, `matter`,
/// `binding` (key `windowId/matterId`), `staff`, `seat` (key `date/windowId`); the hall's rule
/// documents `deadline_profile`, `star_rule`, `thresholds`, `sms_rules`, `rating_reasons` (key `hall`); and the
/// rectification ledger: `case` (key `ratingId`), `case_evidence` (key `ratingId/sha256`),
/// `case_step` (key `ratingId/stepId`, append-only); and the month's service stars
/// `star_month` (key `YYYY-MM`, derived on the desktop, shown by the server's devices). Adding
/// it did not raise the version: a desktop of version 2 that pulls one skips a row it never
/// shows (the stars are computed on each desktop).
pub const SYNC_ENTITIES: [&str; 15] = [
    "window",
    "department",
    "matter",
    "binding",
    "staff",
    "seat",
    "deadline_profile",
    "star_rule",
    "thresholds",
    "sms_rules",
    "rating_reasons",
    "case",
    "case_evidence",
    "case_step",
    "star_month",
];

/// The largest evidence file a case may cite (a photo or a call recording fits; a video of the
/// whole day does not belong in the ledger). The desktop refuses a larger file when it is
/// attached, the server an evidence record that claims more.
pub const EVIDENCE_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// One row change made on a desktop, as its outbox holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncOp {
    /// Dense per device, from 1; the server applies each (device, seq) once.
    pub seq: i64,
    pub op_id: String,
    /// `hallkeeper_sync::Hlc` in its text form.
    pub hlc: String,
    pub entity: String,
    pub key: String,
    /// `{"kind":"upsert","fields":{…}}` or `{"kind":"delete"}`.
    pub change: serde_json::Value,
    /// The account whose change this is (issue 17): the server re-checks that account's role
    /// when it receives the operation, so a change queued offline by a person disabled since is
    /// refused (and shown), not applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PushRequest {
    /// The desktop's sync identity (its store's `sync_state.device_id`).
    pub device_id: String,
    pub schema_version: u32,
    pub ops: Vec<SyncOp>,
}

/// An operation the server will never apply, and why (kept, and shown to the supervisor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedOp {
    pub seq: i64,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushResponse {
    /// The highest sequence of this device the server holds (applied or rejected): everything
    /// up to it is acknowledged.
    pub highest_seq: i64,
    /// Rejections among the operations up to `highest_seq` that this request carried.
    pub rejected: Vec<RejectedOp>,
}

/// One entry of the server's change log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncChange {
    /// Increasing, without gaps within a hall.
    pub change_id: i64,
    pub entity: String,
    pub key: String,
    pub hlc: String,
    pub change: serde_json::Value,
    /// Who made it: a desktop's device id and its sequence.
    pub device_id: String,
    pub seq: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PullResponse {
    pub changes: Vec<SyncChange>,
    /// Pull from here next (the last change id returned, or the cursor given).
    pub next_cursor: i64,
    pub has_more: bool,
}

/// One entry of a hall's ticket event log as a desktop pulls it: the event exactly as the server
/// stored it (a `TicketEvent`), passed through unparsed so a first sync of a million events costs
/// the server no re-serialising.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketEventRecord {
    /// Increasing within a hall, not dense: the numbers are shared by every hall of the server.
    pub seq: i64,
    /// The hall day (UTC+8) of the ticket the event belongs to, `YYYY-MM-DD`.
    pub day: String,
    pub event: Box<serde_json::value::RawValue>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventsPage {
    pub events: Vec<TicketEventRecord>,
    /// Pull from here next (the last seq returned, or the `after` given).
    pub next_cursor: i64,
    pub has_more: bool,
    /// The hall's newest event seq when the page was read: how far a long first sync has to go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<i64>,
}

/// One rating (一事一评) as a desktop pulls it, with its place in the server's ratings log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RatingRecord {
    /// Increasing within a hall, not dense: the numbers are shared by every hall of the server.
    pub seq: i64,
    pub rating: crate::Rating,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RatingsPage {
    pub ratings: Vec<RatingRecord>,
    /// Pull from here next (the last seq returned, or the `after` given).
    pub next_cursor: i64,
    pub has_more: bool,
    /// The hall's newest rating seq when the page was read: how far a long first sync has to go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<i64>,
}

/// What the sync stream's `heads` message says: the newest change id, ticket event seq and
/// rating seq of the hall. It only means "pull now"; a desktop that already holds them all has
/// nothing to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncHeads {
    pub change_id: i64,
    pub event_seq: i64,
    /// Absent from a server older than ratings sync: 0, which wakes nobody.
    #[serde(default)]
    pub rating_seq: i64,
}
