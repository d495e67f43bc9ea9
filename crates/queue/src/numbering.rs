//! Ticket numbers: a prefix letter and a daily sequence per prefix (A001, A002 …).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Mainland China keeps UTC+8 all year (the offset `hallkeeper_core::clock` uses too).
// Evaluated at compile time: an out-of-range offset would fail the build, not a call.
const HALL_OFFSET: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The hall day of an instant: numbering restarts at the hall's local midnight. The day comes
/// from the event's own time, so it cannot disagree with it and no clock is read.
pub fn hall_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&HALL_OFFSET).date_naive()
}

/// What is printed: at least three digits, growing past 999 (A999, A1000) rather than wrapping
/// back onto a number already handed out that day.
pub fn ticket_number(prefix: &str, sequence: u32) -> String {
    format!("{prefix}{sequence:03}")
}
