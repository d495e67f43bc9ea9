//! What the hall's device pages (`/kiosk`, `/q/…`) read beyond the device API's first answers:
//! the kiosk's home screen, and a ticket's read-only follow page on a citizen's phone.

use crate::{KioskDepartment, TicketState};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `GET /api/v1/kiosk/home`: everything the kiosk's first screen shows, in one answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct KioskHome {
    pub hall_name: String,
    /// False when no window of the hall is open (before opening, after closing, all paused):
    /// the kiosk then shows 暂停取号 instead of the matters.
    pub open: bool,
    /// The hall's most-taken matters today (most tickets first, at most 8), topped up with the
    /// matters most waited for, then catalog order; only matters a ticket can be taken for now.
    pub top_matter_ids: Vec<String>,
    /// As `GET /api/v1/kiosk/matters`: departments with the matters a ticket can be taken for.
    pub departments: Vec<KioskDepartment>,
}

/// `GET /api/v1/follow/{followId}` (no token): one ticket as a phone following it sees it —
/// its number, matter and place, nothing about the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FollowView {
    pub hall_name: String,
    pub number: String,
    pub matter_name: String,
    pub state: TicketState,
    /// People still to be called before it (0 once it is called or over).
    pub ahead: u32,
    pub estimated_wait_minutes: u32,
    /// Where to go: the window that called it (called, serving), else the windows serving its
    /// matter.
    pub window_numbers: Vec<String>,
    /// When this answer was made (RFC 3339), so the page can say how fresh it is.
    pub as_of: String,
}
