//! What the reports are made of: one fact per ticket and one per rating, as last known. The
//! caller (the sync pull, the dashboard's event fold) upserts a fact whenever what it says
//! changes — a ticket finishes, a case is rectified, an appeal is upheld — and the rollups follow.

use chrono::NaiveDate;
use hallkeeper_proto::RatingLevel;
use serde::{Deserialize, Serialize};

/// How a ticket ended, or that it has not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketOutcome {
    Served,
    NoShow,
    Cancelled,
    /// Still waiting, called or being served.
    Open,
}

impl TicketOutcome {
    pub(crate) fn code(self) -> i64 {
        match self {
            Self::Served => 0,
            Self::NoShow => 1,
            Self::Cancelled => 2,
            Self::Open => 3,
        }
    }

    pub(crate) fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            0 => Self::Served,
            1 => Self::NoShow,
            2 => Self::Cancelled,
            3 => Self::Open,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketFact {
    pub ticket_id: String,
    /// The hall day (UTC+8) the ticket was issued on.
    pub hall_day: NaiveDate,
    /// The window that last held it; None while it waits in its matter's queue.
    pub window_id: Option<String>,
    pub staff_id: Option<String>,
    /// The matter it was served for (after transfers).
    pub matter_id: String,
    pub department_id: Option<String>,
    pub outcome: TicketOutcome,
    pub transfers: u32,
    /// Issue to first call.
    pub wait_secs: Option<u32>,
    /// Start to finish of service.
    pub service_secs: Option<u32>,
}

/// The handling of a poor rating (整改 / 回访).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseOutcome {
    pub rectified: bool,
    /// Rectified within the deadline (working days). Counts only when `rectified` too.
    pub rectified_on_time: bool,
    pub called_back: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RatingFact {
    pub rating_id: String,
    pub ticket_id: String,
    /// The hall day the rating was given on.
    pub hall_day: NaiveDate,
    pub window_id: String,
    pub staff_id: Option<String>,
    pub matter_id: String,
    pub department_id: Option<String>,
    pub level: RatingLevel,
    /// An appeal (申诉) was upheld: the rating is malicious and counts in no rating statistic.
    pub excluded: bool,
    /// The case of a poor rating; ignored for other levels.
    pub case: Option<CaseOutcome>,
}

pub(crate) fn level_code(level: RatingLevel) -> i64 {
    match level {
        RatingLevel::VerySatisfied => 0,
        RatingLevel::Satisfied => 1,
        RatingLevel::Neutral => 2,
        RatingLevel::Dissatisfied => 3,
        RatingLevel::VeryDissatisfied => 4,
    }
}

pub(crate) fn level_from_code(code: i64) -> Option<RatingLevel> {
    usize::try_from(code).ok().and_then(|i| RatingLevel::ALL.get(i).copied())
}
