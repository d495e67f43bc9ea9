//! The window terminal's sessions (窗口叫号, docs/devices.md): who is signed in at which caller
//! device, for how long.
//!
//! Kept in the server's memory, not in storage: a terminal session lives for one hall day at
//! most (the seating plan it was checked against is the day's), one per device, and a server
//! restart costs the people at the windows one sign-in each — against a database write on every
//! sliding request of the busiest devices of the hall. A person's desktop session is a different
//! thing (`crate::accounts`, stored): it is not accepted here, nor a terminal session there.

use crate::appointments::{hall_day, hall_instant};
use crate::error::ApiError;
use chrono::{DateTime, Duration, NaiveTime, SecondsFormat, Utc};
use hallkeeper_proto::{HallRole, Role, TerminalPerson};
use std::collections::HashMap;
use std::sync::Mutex;

/// The header a terminal sends its session in, beside the device's `Authorization: Bearer`.
pub const SESSION_HEADER: &str = "x-terminal-session";
/// Terminal session tokens start so (a desktop session's `hks_`, a device's `hk_`).
pub const TOKEN_PREFIX: &str = "hkt_";
/// Idle limit: a terminal nobody touched for this long signs its person out.
pub const IDLE: Duration = Duration::hours(4);
/// Absolute limit, whatever the hall day: a shift.
pub const ABSOLUTE: Duration = Duration::hours(12);

/// Whether the caller's routes refuse a request without a terminal session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRule {
    /// Every caller request names its person (the `/terminal` page always signs in).
    Required,
    /// A device token alone still works (hardware callers, the simulator); a session sent is
    /// checked all the same, and names the person in the audit log.
    Optional,
}

/// One signed-in person at one caller device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalSessionRecord {
    pub device_id: String,
    pub hall_id: String,
    pub window_id: String,
    pub person: TerminalPerson,
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
}

/// When a session opened at `now` ends at the latest: 12 h on, or the end of the hall day.
pub fn absolute_end(now: DateTime<Utc>) -> DateTime<Utc> {
    let next_day = hall_day(now).succ_opt().map(|d| hall_instant(d, NaiveTime::MIN));
    next_day.map_or(now + ABSOLUTE, |end| end.min(now + ABSOLUTE))
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The person's highest role in the hall (系统管理员 counts in every hall), if any.
pub fn highest_role(grants: &[HallRole], hall_id: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|r| {
        grants.iter().any(|g| {
            g.role == *r
                && match &g.hall_id {
                    Some(h) => h == hall_id,
                    None => *r == Role::SystemAdmin,
                }
        })
    })
}

/// The sign-in rule of the seating plan: 窗口人员 and 监督员 only at the window they are seated at
/// today; 值班长 and above anywhere in their hall, because they may edit the seating plan
/// (`seating.edit`) and could seat themselves anyway — a covering shift lead should not have to.
pub fn may_sign_in_unseated(grants: &[HallRole], hall_id: &str) -> bool {
    hallkeeper_access::allows(grants, hall_id, hallkeeper_access::Capability::EditSeating)
}

#[derive(Default)]
pub struct TerminalSessions {
    by_hash: Mutex<HashMap<String, TerminalSessionRecord>>,
}

impl TerminalSessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, TerminalSessionRecord>> {
        // A panic while holding the map leaves nothing half-written (single inserts/removes).
        self.by_hash.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Opens a session; whoever was signed in at the same device is signed out (one person
    /// per window terminal), and expired sessions are dropped. Returns the ones replaced.
    pub fn open(&self, token_hash: String, record: TerminalSessionRecord, now: DateTime<Utc>) -> usize {
        let mut map = self.lock();
        let before = map.len();
        map.retain(|_, s| s.device_id != record.device_id && live(s, now));
        let replaced = before - map.len();
        map.insert(token_hash, record);
        replaced
    }

    /// The live session of this hash at this device, its idle limit slid to `now + IDLE`.
    pub fn check(
        &self,
        token_hash: &str,
        device_id: &str,
        now: DateTime<Utc>,
    ) -> Result<TerminalSessionRecord, ApiError> {
        let mut map = self.lock();
        let Some(s) = map.get_mut(token_hash) else { return Err(expired()) };
        if s.device_id != device_id {
            // Another terminal's token: not this one's person.
            return Err(expired());
        }
        if !live(s, now) {
            map.remove(token_hash);
            return Err(expired());
        }
        s.idle_expires_at = (now + IDLE).min(s.absolute_expires_at);
        Ok(s.clone())
    }

    /// Signs out: true when there was a session.
    pub fn revoke(&self, token_hash: &str) -> bool {
        self.lock().remove(token_hash).is_some()
    }
}

fn live(s: &TerminalSessionRecord, now: DateTime<Utc>) -> bool {
    now < s.idle_expires_at && now < s.absolute_expires_at
}

pub fn expired() -> ApiError {
    ApiError::Unauthorized {
        code: "terminal.session_expired",
        message: "窗口登录已失效，请重新登录".into(),
        field: None,
    }
}

pub fn sign_in_required() -> ApiError {
    ApiError::Unauthorized {
        code: "terminal.sign_in_required",
        message: "请先登录窗口叫号".into(),
        field: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap()
    }

    fn record(device: &str, now: DateTime<Utc>) -> TerminalSessionRecord {
        TerminalSessionRecord {
            device_id: device.into(),
            hall_id: "h".into(),
            window_id: "w".into(),
            person: TerminalPerson {
                account_id: "a".into(),
                display_name: "张三".into(),
                employee_no: "1001".into(),
                staff_id: "s".into(),
                role: Role::WindowStaff,
                seated: true,
                expires_at: rfc3339(absolute_end(now)),
            },
            idle_expires_at: now + IDLE,
            absolute_expires_at: absolute_end(now),
        }
    }

    #[test]
    fn a_session_ends_at_the_hall_days_end_or_after_twelve_hours() {
        // 08:00 hall time (00:00Z): 12 h on is 20:00, before midnight.
        assert_eq!(absolute_end(t("2026-12-08T00:00:00Z")), t("2026-12-08T12:00:00Z"));
        // 20:00 hall time: the day ends at midnight hall time, 16:00Z.
        assert_eq!(absolute_end(t("2026-12-08T12:00:00Z")), t("2026-12-08T16:00:00Z"));
    }

    #[test]
    fn one_person_per_device_idle_and_absolute_limits_and_sign_out() {
        let s = TerminalSessions::default();
        let now = t("2026-12-08T01:00:00Z");
        s.open("h1".into(), record("d1", now), now);
        assert!(s.check("h1", "d1", now).is_ok());
        assert!(s.check("h1", "d2", now).is_err(), "another device's token");
        // Slides: used 3 h later, still alive 3 h after that (idle 4 h).
        assert!(s.check("h1", "d1", now + Duration::hours(3)).is_ok());
        assert!(s.check("h1", "d1", now + Duration::hours(6)).is_ok());
        assert!(s.check("h1", "d1", now + Duration::hours(10) + Duration::minutes(1)).is_err(), "idle");
        s.open("h2".into(), record("d1", now), now);
        assert_eq!(s.open("h3".into(), record("d1", now), now), 1, "h2 replaced");
        assert!(s.check("h2", "d1", now).is_err());
        assert!(s.revoke("h3"));
        assert!(s.check("h3", "d1", now).is_err());
    }

    #[test]
    fn highest_role_and_who_may_sign_in_unseated() {
        let g = |role, hall: Option<&str>| HallRole { hall_id: hall.map(str::to_owned), role };
        let staff = [g(Role::WindowStaff, Some("h")), g(Role::HallAdmin, Some("other"))];
        assert_eq!(highest_role(&staff, "h"), Some(Role::WindowStaff));
        assert!(!may_sign_in_unseated(&staff, "h"));
        let lead = [g(Role::ShiftLead, Some("h"))];
        assert!(may_sign_in_unseated(&lead, "h"));
        assert_eq!(highest_role(&lead, "x"), None);
        let sup = [g(Role::Supervisor, Some("h"))];
        assert!(!may_sign_in_unseated(&sup, "h"));
        assert_eq!(highest_role(&[g(Role::SystemAdmin, None)], "h"), Some(Role::SystemAdmin));
    }
}
