//! The poor-rating inbox and rectification ledger (整改台账): the cases, their steps and the
//! deadline rules, as the desktop's core keeps them and the UI receives them. Defined once here;
//! the rules over them (the state machine, deadlines, validation) live in
//! `hallkeeper_core::rectification` as functions and extension traits.

use crate::RatingLevel;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a case is. The happy path is new → verifying → rectifying → rectified → called_back →
/// closed; a malicious rating leaves it through appealed → appeal_upheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// The rating arrived; nobody has looked yet.
    New,
    /// Someone is checking what happened (回访核实: calling the citizen, the window's recording).
    Verifying,
    /// The rating is founded; the department responsible is fixing the cause.
    Rectifying,
    /// The measure is done and described.
    Rectified,
    /// The citizen was called back (or an attempt was recorded).
    CalledBack,
    Closed,
    /// Staff say the rating is malicious or mistaken; the decision is pending.
    Appealed,
    /// The appeal was upheld: the rating leaves the statistics, the reasons stay on record.
    AppealUpheld,
}

impl CaseState {
    pub const ALL: [CaseState; 8] = [
        CaseState::New,
        CaseState::Verifying,
        CaseState::Rectifying,
        CaseState::Rectified,
        CaseState::CalledBack,
        CaseState::Closed,
        CaseState::Appealed,
        CaseState::AppealUpheld,
    ];

    /// The wire spelling (also the stored one).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Verifying => "verifying",
            Self::Rectifying => "rectifying",
            Self::Rectified => "rectified",
            Self::CalledBack => "called_back",
            Self::Closed => "closed",
            Self::Appealed => "appealed",
            Self::AppealUpheld => "appeal_upheld",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// An action without its data, for tables, errors and the UI's buttons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
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

impl CaseActionKind {
    pub const ALL: [CaseActionKind; 9] = [
        CaseActionKind::Verify,
        CaseActionKind::StartRectifying,
        CaseActionKind::MarkRectified,
        CaseActionKind::CallBack,
        CaseActionKind::Close,
        CaseActionKind::Appeal,
        CaseActionKind::UpholdAppeal,
        CaseActionKind::RejectAppeal,
        CaseActionKind::Reassign,
    ];

    /// The wire spelling (also the stored one).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::StartRectifying => "start_rectifying",
            Self::MarkRectified => "mark_rectified",
            Self::CallBack => "call_back",
            Self::Close => "close",
            Self::Appeal => "appeal",
            Self::UpholdAppeal => "uphold_appeal",
            Self::RejectAppeal => "reject_appeal",
            Self::Reassign => "reassign",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseAssigneeKind {
    Department,
    Staff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
/// Who handles the case and answers for it (谁办理、谁负责): a department or one member of staff.
pub struct CaseAssignee {
    pub kind: CaseAssigneeKind,
    pub id: String,
    /// The name as shown when assigned, so history reads right after a rename.
    pub name: String,
}

/// A step's action, as `case_action` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum CaseAction {
    Verify,
    /// From verifying; or from called_back to redo the work when the citizen was dissatisfied.
    StartRectifying,
    /// The step's note must describe the measure taken.
    MarkRectified,
    /// `satisfied` is asked only of a citizen who was reached.
    CallBack {
        reached: bool,
        satisfied: Option<bool>,
    },
    Close,
    Appeal {
        reason: String,
    },
    UpholdAppeal {
        reason: String,
    },
    RejectAppeal {
        reason: String,
    },
    Reassign {
        assignee: CaseAssignee,
    },
}

impl CaseAction {
    pub fn kind(&self) -> CaseActionKind {
        match self {
            Self::Verify => CaseActionKind::Verify,
            Self::StartRectifying => CaseActionKind::StartRectifying,
            Self::MarkRectified => CaseActionKind::MarkRectified,
            Self::CallBack { .. } => CaseActionKind::CallBack,
            Self::Close => CaseActionKind::Close,
            Self::Appeal { .. } => CaseActionKind::Appeal,
            Self::UpholdAppeal { .. } => CaseActionKind::UpholdAppeal,
            Self::RejectAppeal { .. } => CaseActionKind::RejectAppeal,
            Self::Reassign { .. } => CaseActionKind::Reassign,
        }
    }
}

/// Evidence (a photo of the fixed sign, the call recording) by content hash: the file itself is
/// stored elsewhere and the hash proves it is the one that was attached (`attach_evidence`
/// answers it; a step cites it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseAttachment {
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
/// One step as the supervisor submits it.
pub struct CaseStep {
    pub action: CaseAction,
    /// Who did it (staff id or name as the store records operators).
    pub actor: String,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub attachments: Vec<CaseAttachment>,
}

/// An accepted step, with the states it moved between, so history reads without replaying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseTransition {
    pub from: CaseState,
    pub to: CaseState,
    pub step: CaseStep,
}

/// The profile's rules as they were when the case was opened: editing a profile later must not
/// move the deadline of a case already running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseRules {
    pub profile: String,
    pub rectify_working_days: u32,
    pub due_soon_working_days: u32,
    pub close_requires_call_back: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CallBackRecord {
    pub at: DateTime<Utc>,
    pub by: String,
    pub reached: bool,
    pub satisfied: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppealDecision {
    pub upheld: bool,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppealRecord {
    pub reason: String,
    pub filed_by: String,
    pub filed_at: DateTime<Utc>,
    pub decision: Option<AppealDecision>,
}

/// When a case is due: a date, or — while counting reaches a year whose holiday notice is not
/// out — no date but a flag with the earliest possible one.
///
/// `Unpublished` carries no date on purpose: until the notice is out, any date would be a guess
/// (one more holiday moves it). `earliest` is a proven lower bound — each working day still to
/// count is a distinct day on or after the first unknown day — so "not overdue yet" can still be
/// answered with certainty before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "status", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum CaseDeadline {
    /// Due at the end of this day (hall time).
    Known { date: NaiveDate },
    /// Counting reached `year`, whose notice is not in the loaded calendar.
    Unpublished {
        year: i32,
        /// Working days counted before the first unknown day.
        counted: u32,
        /// Working days the limit asks for.
        required: u32,
        /// The deadline is on or after this day, whatever the notice will say.
        earliest: NaiveDate,
    },
}

impl CaseDeadline {
    /// The due date, when it is known.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Self::Known { date } => Some(*date),
            Self::Unpublished { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
/// One poor rating's handling.
pub struct RectificationCase {
    pub rating_id: String,
    /// Whether the citizen left a name and number: only they can be called back.
    pub real_name: bool,
    pub state: CaseState,
    pub assignee: CaseAssignee,
    pub opened_at: DateTime<Utc>,
    pub rules: CaseRules,
    pub deadline: CaseDeadline,
    /// The latest rectification; cleared when a dissatisfied return visit reopens the work.
    pub rectified_at: Option<DateTime<Utc>>,
    /// The latest return visit (attempt); cleared on reopening, like `rectified_at`.
    pub called_back_at: Option<DateTime<Utc>>,
    pub call_back: Option<CallBackRecord>,
    pub closed_at: Option<DateTime<Utc>>,
    pub appeal: Option<AppealRecord>,
    /// The steps in order.
    pub history: Vec<CaseTransition>,
}

/// A hall's deadline rules (`list_deadline_profiles`, `get/set_deadline_profile`): the national
/// text sets the principle, provinces and cities the numbers, so a hall picks or edits a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeadlineProfile {
    /// Shown to the supervisor and kept on each case, so a case says which rule it was opened under.
    pub name: String,
    /// Working days from the day a case is opened (see core's `calendar` for the counting
    /// convention).
    pub rectify_working_days: u32,
    /// The return-visit rate the hall reports against (国办发〔2019〕51号: 100 % of real-name
    /// poor ratings).
    pub call_back_target_pct: u8,
    /// A case is "due soon" when this many working days or fewer are left (0: only on the day).
    pub due_soon_working_days: u32,
    /// Whether a real-name case must have a return-visit record before it is closed. Anonymous
    /// ratings can never be called back, so they never need one.
    #[serde(default = "yes")]
    pub close_requires_call_back: bool,
}

fn yes() -> bool {
    true
}

/// One line of the inbox (`list_poor_ratings`): the case with its rating as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseSummary {
    pub id: String,
    pub rating_id: String,
    pub state: CaseState,
    pub assignee: CaseAssignee,
    pub opened_at: DateTime<Utc>,
    /// The hall day the case was opened (the rating's), `YYYY-MM-DD`.
    pub opened_day: String,
    pub deadline: CaseDeadline,
    /// None: only the unpublished holiday notice can tell.
    pub overdue: Option<bool>,
    pub due_soon: Option<bool>,
    pub working_days_left: Option<i64>,
    pub unread: bool,
    /// Appeal upheld: out of the statistics.
    pub excluded: bool,
    pub exclusion_reason: Option<String>,
    pub ticket_number: String,
    /// Window number (A03) when the window is known here.
    pub window_number: Option<String>,
    pub window_name: Option<String>,
    pub staff_name: Option<String>,
    pub matter_name: Option<String>,
    pub department_name: Option<String>,
    pub level: RatingLevel,
    pub reasons: Vec<String>,
    pub comment: String,
    /// When the rating was given (RFC 3339).
    pub rated_at: String,
}

/// The rating as this desktop keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LocalRating {
    pub id: String,
    /// The server's rating seq (increasing, not dense).
    pub seq: i64,
    /// The hall's date (UTC+8) of `at`, `YYYY-MM-DD`.
    pub hall_day: String,
    pub ticket_id: String,
    pub ticket_number: String,
    pub window_id: String,
    pub matter_id: String,
    /// Who sat at the window that hall day, by this PC's seating when the rating arrived.
    pub staff_id: Option<String>,
    pub level: RatingLevel,
    pub reasons: Vec<String>,
    pub comment: String,
    pub at: String,
}

/// A case opened in full (`get_case`, and `case_action`'s answer): its summary, the rating, the
/// case with its steps (`case.history`, in order: step n is `history[n - 1]`), and what the UI
/// may offer next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseDetail {
    pub summary: CaseSummary,
    pub rating: LocalRating,
    pub case: RectificationCase,
    pub allowed_actions: Vec<CaseActionKind>,
    pub evidence: Vec<CaseAttachment>,
}

/// Cases that need attention on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaseAlerts {
    pub overdue: Vec<CaseSummary>,
    pub due_soon: Vec<CaseSummary>,
}

impl CaseAlerts {
    pub fn is_empty(&self) -> bool {
        self.overdue.is_empty() && self.due_soon.is_empty()
    }
}

/// `list_poor_ratings`' filter: which cases the inbox lists. Every field optional; all flags
/// combine (and), an absent flag is false; paging applies after filtering.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct InboxFilter {
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<CaseState>,
    /// Only cases not yet opened in the inbox.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread: Option<bool>,
    /// Only cases past their deadline and not rectified.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// Only cases within the profile's due-soon working days.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_soon: Option<bool>,
    /// Leave out closed and appeal-upheld cases.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_only: Option<bool>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    /// Absent or 0: the default page (100).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// The limits of a case step's text (core's state machine refuses beyond them, and the server
/// refuses a synced step beyond them), in characters.
pub mod rectification_limits {
    pub const NOTE_MAX_CHARS: usize = 2000;
    pub const ACTOR_MAX_CHARS: usize = 64;
    pub const ASSIGNEE_MAX_CHARS: usize = 64;
    pub const ATTACHMENTS_MAX: usize = 20;
    pub const ATTACHMENT_NAME_MAX_CHARS: usize = 255;
}
