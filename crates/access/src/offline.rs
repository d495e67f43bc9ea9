//! The desktop's offline sign-in: how a supervisor PC lets a person in while the server is away.
//!
//! After every successful sign-in *through the server*, the desktop keeps, for that person on
//! this PC, an offline verifier: an argon2id PHC hash of the password made on the PC itself with
//! its own fresh salt (the same function as [`crate::password::hash_password`]) — never the
//! password, never the server's stored hash. It stays in the PC's local store and is never sent to
//! the server. While the server cannot be reached, the sign-in screen checks a password against
//! the verifier, and only for a person whose last sign-in through the server was within the last
//! N days ([`OfflinePolicy`]); their changes then wait in the outbox attributed to them, and the
//! server re-checks their account and role when it receives them (a disabled person's queued
//! changes are refused and shown). A changed password replaces the verifier at the next sign-in
//! through the server; an account the server says is disabled has its verifier deleted.

use crate::error::Result;
use crate::password::{hash_password, verify_password};
use chrono::{DateTime, Duration, Utc};

/// The verifier to keep on this PC for `password` (just signed in through the server).
pub fn offline_verifier(password: &str) -> Result<String> {
    hash_password(password)
}

/// Whether `password` matches the verifier kept on this PC. `Ok(false)` for a wrong password; an
/// error for a verifier that cannot be read (delete it: the person signs in online next time).
pub fn verify_offline(password: &str, verifier: &str) -> Result<bool> {
    verify_password(password, verifier)
}

/// How long after their last sign-in through the server a person may sign in offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfflinePolicy {
    pub max_age: Duration,
}

impl Default for OfflinePolicy {
    /// A week: a long weekend's outage is covered, a person who left is not for long.
    fn default() -> Self {
        Self { max_age: Duration::days(7) }
    }
}

impl OfflinePolicy {
    /// Whether a person last signed in through the server at `last_online` may sign in offline at
    /// `now`. A `last_online` in the future (the PC's clock set back) counts as now.
    pub fn allows(&self, now: DateTime<Utc>, last_online: DateTime<Utc>) -> bool {
        now - last_online.min(now) < self.max_age
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verifier_checks_the_password_and_is_not_it() {
        let verifier = offline_verifier("值班长的密码-2026").expect("verifier");
        assert!(!verifier.contains("值班长的密码"));
        assert!(verifier.starts_with("$argon2id$"));
        assert_eq!(verify_offline("值班长的密码-2026", &verifier), Ok(true));
        assert_eq!(verify_offline("值班长的密码-2025", &verifier), Ok(false));
        assert!(verify_offline("x", "not a verifier").is_err());
    }

    #[test]
    fn offline_sign_in_lasts_n_days_after_the_last_online_one() {
        let policy = OfflinePolicy { max_age: Duration::days(3) };
        let online = DateTime::from_timestamp(1_800_000_000, 0).expect("a valid instant");
        assert!(policy.allows(online, online));
        assert!(policy.allows(online + Duration::days(3) - Duration::seconds(1), online));
        assert!(!policy.allows(online + Duration::days(3), online));
        assert!(policy.allows(online - Duration::days(30), online), "a clock set back does not lock out");
    }
}
