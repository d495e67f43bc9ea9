//! Appointments (预约): bookable slots per matter and hall day with a capacity, booked and
//! cancelled through the hall's online channel, checked in at the kiosk (which turns the booking
//! into an appointment-class ticket). Slot times are the hall's local time (UTC+8), `HH:MM`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One slot as the administrator sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SlotInput {
    /// `HH:MM`, hall time.
    pub start: String,
    /// `HH:MM`, after `start`.
    pub end: String,
    /// Places, 1–500.
    pub capacity: u32,
}

/// A matter-day's slots, replacing the ones it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppointmentSlotsInput {
    pub matter_id: String,
    pub day: NaiveDate,
    pub slots: Vec<SlotInput>,
}

/// A slot with how many places are taken. A place is taken by every booking not cancelled
/// (booked, checked in, or recorded as a no-show).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentSlot {
    pub matter_id: String,
    pub day: NaiveDate,
    pub start: String,
    pub end: String,
    pub capacity: u32,
    pub booked: u32,
    pub remaining: u32,
    /// Places left and the slot not yet started.
    pub bookable: bool,
}

/// A booking through the online channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BookAppointment {
    pub matter_id: String,
    pub day: NaiveDate,
    /// The slot's start, `HH:MM`.
    pub start: String,
    /// For SMS reminders; optional, mainland mobile numbers only.
    #[serde(default)]
    pub phone: Option<String>,
}

/// Where a booking is. Booked is the only state that changes: to cancelled (by the citizen),
/// checked in (at the kiosk, in the check-in window), or no-show (the window passed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentState {
    Booked,
    Cancelled,
    CheckedIn,
    /// 爽约: not checked in by 15 minutes after the slot's end.
    NoShow,
}

impl AppointmentState {
    pub const ALL: [AppointmentState; 4] = [Self::Booked, Self::Cancelled, Self::CheckedIn, Self::NoShow];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Cancelled => "cancelled",
            Self::CheckedIn => "checked_in",
            Self::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the booking holds a place in its slot.
    pub fn holds_place(self) -> bool {
        self != Self::Cancelled
    }
}

/// A booking (预约). `code` is what the citizen types or scans at the kiosk: 8 characters from
/// digits and capital letters without the easily confused ones (0 O 1 I L), unique in the hall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Appointment {
    pub id: String,
    pub hall_id: String,
    pub code: String,
    pub matter_id: String,
    pub day: NaiveDate,
    pub start: String,
    pub end: String,
    /// Masked (`138****5678`): the server keeps the number sealed.
    pub phone: Option<String>,
    pub state: AppointmentState,
    pub booked_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub checked_in_at: Option<DateTime<Utc>>,
    /// The ticket the check-in issued.
    pub ticket_id: Option<String>,
    /// When the no-show was recorded (it is recorded when first noticed, not at the deadline).
    pub no_show_at: Option<DateTime<Utc>>,
}

/// Check-in at the kiosk with the booking's code (case and surrounding spaces do not matter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckIn {
    pub code: String,
}
