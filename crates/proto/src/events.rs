//! The events the desktop shell sends its UI (`emit(name, payload)`), and the admin queue
//! action's request and answer: names and payloads defined once, for the shell, the server and
//! (through `types.gen.ts`) the UI.

use crate::AlertSubject;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `data-changed` {entity}: a write touched these records; pages refetch what depends on them.
pub const DATA_CHANGED: &str = "data-changed";
/// `import-progress` with an `ImportProgress`.
pub const IMPORT_PROGRESS: &str = "import-progress";
/// `sync-status` with a `SyncStatus`.
pub const SYNC_STATUS: &str = "sync-status";
/// `stars-changed` (no payload): the monthly stars or their display changed.
pub const STARS_CHANGED: &str = "stars-changed";
/// `dashboard` with the whole `Dashboard` (the first, and the first of a new hall day).
pub const DASHBOARD: &str = "dashboard";
/// `dashboard-delta` with what changed since the last `dashboard` or `dashboard-delta`.
pub const DASHBOARD_DELTA: &str = "dashboard-delta";
/// `dashboard-focus` [`DashboardFocus`]: show a window's or matter's tile (its alarm was clicked).
pub const DASHBOARD_FOCUS: &str = "dashboard-focus";
/// `cases-changed` [`CasesChanged`]: cases were opened or changed.
pub const CASES_CHANGED: &str = "cases-changed";
/// `case-focus` [`CaseFocus`]: open a case (its notification was clicked).
pub const CASE_FOCUS: &str = "case-focus";

/// What kind of record a write touched: the UI refetches what depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DataEntity {
    Windows,
    Catalog,
    Bindings,
    Staff,
    Roster,
    /// The dashboard's thresholds (settings).
    Thresholds,
    /// The SMS reminder rules (they go to the server with the hall configuration).
    SmsRules,
    /// The rating pad's reason tags (synced to the server's pads).
    RatingReasons,
}

/// The `data-changed` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DataChanged {
    pub entity: DataEntity,
}

/// The `dashboard-focus` event (a queue-alarm notification was clicked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardFocus {
    pub subject: AlertSubject,
    pub subject_id: String,
}

/// The `cases-changed` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CasesChanged {
    pub unread: u32,
}

/// The `case-focus` event (a case notification was clicked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseFocus {
    pub case_id: String,
}

/// Body of `POST /admin/halls/{hallId}/queue/move-waiting` (整队转移).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MoveWaitingRequest {
    pub matter_id: String,
    pub to_window_id: String,
}

/// What a move did: the tickets moved, in issue order (the order the window will call them in
/// within each priority class).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MoveWaitingOutcome {
    pub moved: u32,
    pub ticket_ids: Vec<String>,
}
