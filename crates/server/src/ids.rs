//! The server's record ids: UUIDv7 stamped from the instant the server's clock (`AppState::now`)
//! gave the operation, so an id and the event time stored with it agree, and a test running the
//! server at a fixed or advancing instant gets ids in the order of its clock. The v7 context keeps
//! ids strictly increasing within one millisecond.

use chrono::{DateTime, Utc};
use std::sync::{Mutex, OnceLock};
use uuid::{ContextV7, Timestamp, Uuid};

/// Ids in paths and bodies: non-empty, short, printable ASCII without spaces.
pub(crate) fn check_id(field: &str, id: &str) -> Result<(), crate::error::ApiError> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_graphic()) {
        return Err(crate::error::ApiError::bad(
            "request.invalid_field",
            field,
            format!("{field} 不是有效的编号"),
        ));
    }
    Ok(())
}

/// A new id for a record made at `at`.
pub fn id_at(at: DateTime<Utc>) -> String {
    static CONTEXT: OnceLock<Mutex<ContextV7>> = OnceLock::new();
    let ctx = CONTEXT.get_or_init(|| Mutex::new(ContextV7::new()));
    // A poisoned lock only means another thread panicked while holding it: the counter is intact.
    let ctx = ctx.lock().unwrap_or_else(|e| e.into_inner());
    let secs = at.timestamp().max(0) as u64;
    Uuid::new_v7(Timestamp::from_unix(&*ctx, secs, at.timestamp_subsec_nanos())).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn ids_carry_the_given_instant_and_increase_within_it() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
        let (a, b) = (id_at(at), id_at(at));
        assert!(a < b, "{a} then {b}");
        let stamped = Uuid::parse_str(&a).unwrap().get_timestamp().unwrap().to_unix();
        assert_eq!(stamped.0 as i64, at.timestamp());
        let later = id_at(at + chrono::Duration::seconds(1));
        assert!(later > b);
    }
}
