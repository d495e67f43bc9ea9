use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How bad a finding is: red must be fixed before the hall opens, amber needs a look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Red,
    Amber,
    Info,
}

/// The rules of the coverage audit (一网打尽: every matter a window responsible).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A required (必进) active matter that no window handles.
    RequiredUnbound,
    /// A department with required matters none of which any window handles (名进实不进).
    DepartmentWithoutWindow,
    /// An active matter whose windows are all paused or closed.
    OnlyInactiveWindows,
    /// A retired matter that a window still has.
    RetiredStillBound,
    /// A window (not closed) with no matter bound: it cannot call anyone.
    WindowWithoutMatters,
    /// An optional active matter that no window handles.
    OptionalUnbound,
    /// Two windows with one number: made on two PCs while offline (sync keeps both). Callers
    /// and the display would announce the same number for two counters.
    DuplicateWindowNumber,
}

impl FindingKind {
    pub const ALL: [FindingKind; 7] = [
        Self::RequiredUnbound,
        Self::DepartmentWithoutWindow,
        Self::OnlyInactiveWindows,
        Self::RetiredStillBound,
        Self::WindowWithoutMatters,
        Self::OptionalUnbound,
        Self::DuplicateWindowNumber,
    ];

    pub fn severity(self) -> Severity {
        match self {
            Self::RequiredUnbound | Self::DepartmentWithoutWindow => Severity::Red,
            Self::OnlyInactiveWindows
            | Self::RetiredStillBound
            | Self::WindowWithoutMatters
            | Self::DuplicateWindowNumber => Severity::Amber,
            Self::OptionalUnbound => Severity::Info,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequiredUnbound => "required_unbound",
            Self::DepartmentWithoutWindow => "department_without_window",
            Self::OnlyInactiveWindows => "only_inactive_windows",
            Self::RetiredStillBound => "retired_still_bound",
            Self::WindowWithoutMatters => "window_without_matters",
            Self::OptionalUnbound => "optional_unbound",
            Self::DuplicateWindowNumber => "duplicate_window_number",
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Matter,
    Department,
    Window,
}

/// One thing the audit found, with what the UI needs to link to the place that fixes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    pub subject: SubjectKind,
    pub subject_id: String,
    /// What a person reads: `事项编码 名称`, a department's name, or `A03 窗口名`.
    pub label: String,
    /// The department of a matter finding (for filtering the catalog).
    pub department_id: Option<String>,
    /// The windows involved: the paused/closed ones, or those still holding a retired matter.
    pub window_ids: Vec<String>,
}

/// The findings of one rule. `findings` may be cut short; `total` is the full count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FindingGroup {
    pub kind: FindingKind,
    pub severity: Severity,
    pub total: u32,
    pub findings: Vec<Finding>,
}

/// The coverage audit of the whole hall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CoverageReport {
    pub red: u32,
    pub amber: u32,
    pub info: u32,
    /// One group per rule, in FindingKind order, empty groups included.
    pub groups: Vec<FindingGroup>,
    pub required_matters: u32,
    /// Required active matters with at least one open window.
    pub required_covered: u32,
    pub active_matters: u32,
    pub windows: u32,
    pub open_windows: u32,
    /// Every active matter that no window handles (required or not), uncut: the catalog list
    /// colours its rows from these, so the rule lives in core only.
    pub unbound_matter_ids: Vec<String>,
    /// Every active matter whose windows are all paused or closed, uncut.
    pub inactive_only_matter_ids: Vec<String>,
}
