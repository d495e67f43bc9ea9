use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A member of the hall's staff (工作人员) who can sit at a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Staff {
    pub id: String,
    /// 工号: unique in the hall.
    pub employee_no: String,
    pub name: String,
    /// The department they belong to; None for the hall's own (综窗) staff.
    pub department_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StaffInput {
    pub employee_no: String,
    pub name: String,
    #[serde(default)]
    pub department_id: Option<String>,
}

/// Who sits at a window on a day (the hall's local date, YYYY-MM-DD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Seat {
    pub window_id: String,
    pub staff_id: String,
}

/// The day's seating plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Roster {
    pub date: String,
    pub seats: Vec<Seat>,
}

/// Seats someone at a window for the day, or clears the seat (staffId null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeatInput {
    pub window_id: String,
    pub staff_id: Option<String>,
}
