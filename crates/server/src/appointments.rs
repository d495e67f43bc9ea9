//! The rules of appointments (预约), kept apart from HTTP and storage: slot times, the check-in
//! window, booking codes.
//!
//! - A slot is `HH:MM`–`HH:MM` of a hall day in hall time (UTC+8, as the queue's days), with a
//!   capacity of 1–[`CAPACITY_MAX`]. A matter-day's slots do not overlap.
//! - Check-in at the kiosk is open from [`CHECK_IN_EARLY`] before the slot's start until
//!   [`CHECK_IN_LATE`] after its end.
//! - A booking still booked after that is a no-show (爽约). It is recorded lazily: when it is
//!   noticed (the day's bookings listed, a late check-in tried, the booking looked up or
//!   cancelled), not by a timer — statistics read the stored state, so they must list first or
//!   count `booked` bookings past their deadline as no-shows.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, Utc};

/// A slot as stored: `HH:MM` times of the hall day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub start: String,
    pub end: String,
    pub capacity: u32,
}

/// A slot and the places its bookings hold (every booking not cancelled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotUse {
    pub slot: Slot,
    pub held: u32,
}

/// Whether a slot of `capacity` places, `held` of them taken, has one left for a booking.
pub fn has_place(held: u32, capacity: u32) -> bool {
    held < capacity
}

/// The slot that keeps a matter-day's slots `current` from being replaced by `slots`: one that
/// holds bookings and would be dropped (or its times changed) or shrunk below them. A slot is the
/// same slot when its start and end are.
pub fn slot_in_use(current: Vec<SlotUse>, slots: &[Slot]) -> Option<SlotUse> {
    current.into_iter().filter(|u| u.held > 0).find(|used| {
        let kept = slots.iter().find(|s| s.start == used.slot.start && s.end == used.slot.end);
        kept.is_none_or(|s| s.capacity < used.held)
    })
}

/// Check-in opens this long before the slot's start.
pub const CHECK_IN_EARLY: Duration = Duration::minutes(30);
/// Check-in closes this long after the slot's end; a booking not checked in by then is a no-show.
pub const CHECK_IN_LATE: Duration = Duration::minutes(15);
/// Places in one slot at most.
pub const CAPACITY_MAX: u32 = 500;
/// Slots of one matter and day at most (one every 5 minutes of a day would be 288).
pub const SLOTS_MAX: usize = 288;

pub const CODE_LEN: usize = 8;
/// Digits and capitals without 0/O, 1/I/L: what a citizen reads off a phone and types at a kiosk.
pub const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// UTC+8, the hall's time all year (the queue's hall day uses the same offset).
const HALL_OFFSET: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// `HH:MM` (two digits each, 00:00–23:59); nothing else.
pub fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit()) {
        return None;
    }
    let h = u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0');
    let m = u32::from(b[3] - b'0') * 10 + u32::from(b[4] - b'0');
    NaiveTime::from_hms_opt(h, m, 0).filter(|_| h < 24 && m < 60)
}

/// The instant of a hall-time `HH:MM` on a hall day.
pub fn hall_instant(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    day.and_time(time).and_utc() - Duration::seconds(i64::from(HALL_OFFSET.local_minus_utc()))
}

/// [`hall_instant`] of a stored `HH:MM`; a malformed one (never stored) reads as midnight.
pub fn slot_instant(day: NaiveDate, hhmm: &str) -> DateTime<Utc> {
    hall_instant(day, parse_hhmm(hhmm).unwrap_or(NaiveTime::MIN))
}

/// An instant as hall time, `HH:MM`.
pub fn hall_hhmm(t: DateTime<Utc>) -> String {
    t.with_timezone(&HALL_OFFSET).format("%H:%M").to_string()
}

/// The hall day of an instant.
pub fn hall_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&HALL_OFFSET).date_naive()
}

/// When check-in opens and closes for a slot.
pub fn check_in_window(day: NaiveDate, start: &str, end: &str) -> (DateTime<Utc>, DateTime<Utc>) {
    (slot_instant(day, start) - CHECK_IN_EARLY, slot_instant(day, end) + CHECK_IN_LATE)
}

/// A new booking code: 8 characters of [`CODE_ALPHABET`] from the OS's random source (a UUIDv4's
/// 122 random bits; 31⁸ ≈ 2³⁹·⁶, so the modulo bias is nil).
pub fn new_code() -> String {
    let mut n = u128::from_le_bytes(*uuid::Uuid::new_v4().as_bytes());
    let base = CODE_ALPHABET.len() as u128;
    (0..CODE_LEN)
        .map(|_| {
            let c = CODE_ALPHABET[(n % base) as usize] as char;
            n /= base;
            c
        })
        .collect()
}

/// A code as typed: trimmed and upper-cased; None unless it could be a code.
pub fn normalize_code(s: &str) -> Option<String> {
    let code = s.trim().to_ascii_uppercase();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_strict_hhmm() {
        assert_eq!(parse_hhmm("09:30"), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(parse_hhmm("00:00"), Some(NaiveTime::MIN));
        assert_eq!(parse_hhmm("23:59"), NaiveTime::from_hms_opt(23, 59, 0));
        for bad in ["9:30", "09:3", "24:00", "12:60", "09-30", "09:30:00", " 9:30", "０９:30", "", "+9:30"]
        {
            assert_eq!(parse_hhmm(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn hall_time_is_utc_plus_8() {
        let day: NaiveDate = "2026-11-25".parse().unwrap();
        let t = slot_instant(day, "09:30");
        assert_eq!(t.to_rfc3339(), "2026-11-25T01:30:00+00:00");
        assert_eq!(hall_hhmm(t), "09:30");
        assert_eq!(slot_instant(day, "07:00").to_rfc3339(), "2026-11-24T23:00:00+00:00");
        assert_eq!(hall_day(slot_instant(day, "07:00")), day);
        let (open, close) = check_in_window(day, "09:30", "10:00");
        assert_eq!((hall_hhmm(open), hall_hhmm(close)), ("09:00".into(), "10:15".into()));
    }

    fn slot(start: &str, end: &str, capacity: u32) -> Slot {
        Slot { start: start.into(), end: end.into(), capacity }
    }

    #[test]
    fn the_last_place_is_the_capacitys() {
        assert!(has_place(0, 1));
        assert!(has_place(4, 5));
        assert!(!has_place(5, 5));
        assert!(!has_place(6, 5), "held over capacity (a shrink raced) is still full");
        assert!(!has_place(0, 0));
    }

    #[test]
    fn slots_holding_bookings_must_stay_with_room_for_them() {
        let used = |s: Slot, held| SlotUse { slot: s, held };
        let now = vec![used(slot("09:00", "09:30", 2), 2), used(slot("09:30", "10:00", 3), 0)];
        // Same times, at least as many places: fine; the empty slot may go.
        assert_eq!(slot_in_use(now.clone(), &[slot("09:00", "09:30", 2)]), None);
        assert_eq!(slot_in_use(now.clone(), &[slot("09:00", "09:30", 9)]), None);
        // Shrunk below its bookings, dropped, or its end moved: that slot says no.
        let blocked = Some(now[0].clone());
        assert_eq!(slot_in_use(now.clone(), &[slot("09:00", "09:30", 1)]), blocked);
        assert_eq!(slot_in_use(now.clone(), &[slot("09:30", "10:00", 3)]), blocked);
        assert_eq!(slot_in_use(now.clone(), &[slot("09:00", "09:45", 2)]), blocked);
        assert_eq!(slot_in_use(Vec::new(), &[]), None);
    }

    #[test]
    fn codes_are_unambiguous_and_normalised() {
        for _ in 0..200 {
            let c = new_code();
            assert_eq!(c.len(), CODE_LEN);
            assert!(!c.contains(['0', 'O', '1', 'I', 'L']), "{c}");
            assert_eq!(normalize_code(&format!(" {} ", c.to_lowercase())), Some(c));
        }
        assert_eq!(normalize_code("ABCD2345"), Some("ABCD2345".into()));
        for bad in ["ABCD234", "ABCD23450", "ABCD2340", "ABCDO345", "ABCD-345", "ABCD 345"] {
            assert_eq!(normalize_code(bad), None, "{bad}");
        }
        assert_ne!(new_code(), new_code());
    }
}
