//! The poor-rating inbox and rectification ledger (整改台账) as the UI receives them. Core keeps
//! the rules and its own types (`hallkeeper_core::rectification`, `hallkeeper_core::store`); these
//! mirror their JSON field for field so the UI's TypeScript is generated, and a core test
//! (`crates/core/tests/rectification_store.rs`) reads core's JSON back through them with unknown
//! fields refused, so the two cannot drift apart silently.

use crate::RatingLevel;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    New,
    Verifying,
    Rectifying,
    Rectified,
    CalledBack,
    Closed,
    Appealed,
    AppealUpheld,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseActionKind {
    Verify,
    StartRectifying,
    MarkRectified,
    CallBack,
    Close,
    Appeal,
    UpholdAppeal,
    RejectAppeal,
    Reassign,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseAssigneeKind {
    Department,
    Staff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseAssignee {
    pub kind: CaseAssigneeKind,
    pub id: String,
    pub name: String,
}

/// A step's action, as `case_action` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum CaseAction {
    Verify,
    StartRectifying,
    MarkRectified,
    CallBack { reached: bool, satisfied: Option<bool> },
    Close,
    Appeal { reason: String },
    UpholdAppeal { reason: String },
    RejectAppeal { reason: String },
    Reassign { assignee: CaseAssignee },
}

/// An evidence file by content hash (`attach_evidence` answers it; a step cites it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseAttachment {
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseStep {
    pub action: CaseAction,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
    pub attachments: Vec<CaseAttachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseTransition {
    pub from: CaseState,
    pub to: CaseState,
    pub step: CaseStep,
}

/// The deadline profile's rules as they were when the case opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseRules {
    pub profile: String,
    pub rectify_working_days: u32,
    pub due_soon_working_days: u32,
    pub close_requires_call_back: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallBackRecord {
    pub at: DateTime<Utc>,
    pub by: String,
    pub reached: bool,
    pub satisfied: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppealDecision {
    pub upheld: bool,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppealRecord {
    pub reason: String,
    pub filed_by: String,
    pub filed_at: DateTime<Utc>,
    pub decision: Option<AppealDecision>,
}

/// When a case is due: a date, or — while counting reaches a year whose holiday notice is not
/// out — no date but a flag with the earliest possible one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "status", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum CaseDeadline {
    Known { date: NaiveDate },
    Unpublished { year: i32, counted: u32, required: u32, earliest: NaiveDate },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RectificationCase {
    pub rating_id: String,
    pub real_name: bool,
    pub state: CaseState,
    pub assignee: CaseAssignee,
    pub opened_at: DateTime<Utc>,
    pub rules: CaseRules,
    pub deadline: CaseDeadline,
    pub rectified_at: Option<DateTime<Utc>>,
    pub called_back_at: Option<DateTime<Utc>>,
    pub call_back: Option<CallBackRecord>,
    pub closed_at: Option<DateTime<Utc>>,
    pub appeal: Option<AppealRecord>,
    /// The steps in order.
    pub history: Vec<CaseTransition>,
}

/// A hall's deadline rules (`list_deadline_profiles`, `get/set_deadline_profile`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeadlineProfile {
    pub name: String,
    pub rectify_working_days: u32,
    pub call_back_target_pct: u8,
    pub due_soon_working_days: u32,
    pub close_requires_call_back: bool,
}

/// One line of the inbox (`list_poor_ratings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseSummary {
    pub id: String,
    pub rating_id: String,
    pub state: CaseState,
    pub assignee: CaseAssignee,
    pub opened_at: DateTime<Utc>,
    pub opened_day: String,
    pub deadline: CaseDeadline,
    pub overdue: Option<bool>,
    pub due_soon: Option<bool>,
    pub working_days_left: Option<i64>,
    pub unread: bool,
    pub excluded: bool,
    pub exclusion_reason: Option<String>,
    pub ticket_number: String,
    pub window_number: Option<String>,
    pub window_name: Option<String>,
    pub staff_name: Option<String>,
    pub matter_name: Option<String>,
    pub department_name: Option<String>,
    pub level: RatingLevel,
    pub reasons: Vec<String>,
    pub comment: String,
    pub rated_at: String,
}

/// The rating as this desktop keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocalRating {
    pub id: String,
    pub seq: i64,
    pub hall_day: String,
    pub ticket_id: String,
    pub ticket_number: String,
    pub window_id: String,
    pub matter_id: String,
    pub staff_id: Option<String>,
    pub level: RatingLevel,
    pub reasons: Vec<String>,
    pub comment: String,
    pub at: String,
}

/// A case opened (`get_case`, and `case_action`'s answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseDetail {
    pub summary: CaseSummary,
    pub rating: LocalRating,
    pub case: RectificationCase,
    pub allowed_actions: Vec<CaseActionKind>,
    pub evidence: Vec<CaseAttachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CaseAlerts {
    pub overdue: Vec<CaseSummary>,
    pub due_soon: Vec<CaseSummary>,
}

/// `list_poor_ratings`' filter; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct InboxFilter {
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<CaseState>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread: Option<bool>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_soon: Option<bool>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_only: Option<bool>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}
