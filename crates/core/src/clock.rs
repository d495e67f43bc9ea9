//! Time is passed in, never read by a rule: the store asks its clock.

use chrono::{DateTime, Utc};
use std::sync::Mutex;

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock, for the running app.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stays where it is set, for tests.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Mainland China keeps UTC+8 all year; a hall's day (seating, daily ticket numbers) is that date.
pub const HALL_UTC_OFFSET_SECS: i32 = 8 * 3600;

/// The hall's local calendar date at an instant.
pub fn hall_date(at: DateTime<Utc>) -> chrono::NaiveDate {
    let offset = chrono::FixedOffset::east_opt(HALL_UTC_OFFSET_SECS).expect("UTC+8 is a valid offset");
    at.with_timezone(&offset).date_naive()
}
