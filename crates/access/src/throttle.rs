//! The sign-in throttle: how guessing passwords is slowed down. The server keeps one [`Throttle`]
//! per account and one per client address and asks both before it checks a password; while
//! either is waiting out its delay the sign-in is refused with 429 and `Retry-After` — the right
//! password too, or the delay would tell a guesser when they had found it.
//!
//! A few failures are free (people mistype); after them each failure doubles the delay, from one
//! second up to a cap of fifteen minutes. A success clears the count; a key whose last failure is
//! long past starts again from nothing ([`ThrottlePolicy::forget_after`]), and the server may drop
//! such keys ([`Throttle::is_forgotten`]) to keep its table small.
//!
//! A pure state machine: time is passed in, never read here.

use chrono::{DateTime, Duration, Utc};

/// The throttle's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures in a row that cost nothing.
    pub free_failures: u32,
    /// The delay after the first failure past the free ones; each further failure doubles it.
    pub first_delay: Duration,
    /// The longest delay.
    pub cap: Duration,
    /// After this long without a failure the count starts again from zero.
    pub forget_after: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_failures: 5,
            first_delay: Duration::seconds(1),
            cap: Duration::minutes(15),
            forget_after: Duration::hours(1),
        }
    }
}

/// A refusal: try again in `seconds` (the `Retry-After` header's value, at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter {
    pub seconds: u64,
}

/// The failures of one key (an account, an address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttle {
    policy: ThrottlePolicy,
    failures: u32,
    last_failure: Option<DateTime<Utc>>,
    blocked_until: Option<DateTime<Utc>>,
}

impl Throttle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self { policy, failures: 0, last_failure: None, blocked_until: None }
    }

    /// Failures counted so far.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Whether a sign-in may be tried at `now`; if not, how long to wait.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), RetryAfter> {
        match self.blocked_until {
            Some(until) if now < until => {
                let left = until - now;
                // Round up, so that waiting `seconds` is always enough, and never say 0.
                let whole = left.num_seconds();
                let seconds = if left > Duration::seconds(whole) { whole + 1 } else { whole };
                Err(RetryAfter { seconds: u64::try_from(seconds.max(1)).unwrap_or(1) })
            }
            _ => Ok(()),
        }
    }

    /// A wrong password (or an unknown login) at `now`.
    pub fn failed(&mut self, now: DateTime<Utc>) {
        if self.last_failure.is_some_and(|last| now - last >= self.policy.forget_after) {
            self.failures = 0;
        }
        self.failures = self.failures.saturating_add(1);
        self.last_failure = Some(now);
        self.blocked_until = self.delay().map(|d| now + d);
    }

    /// A successful sign-in: the count starts again.
    pub fn succeeded(&mut self) {
        self.failures = 0;
        self.last_failure = None;
        self.blocked_until = None;
    }

    /// Whether nothing is left to remember at `now` (no delay running, the last failure forgotten).
    pub fn is_forgotten(&self, now: DateTime<Utc>) -> bool {
        self.check(now).is_ok() && self.last_failure.is_none_or(|last| now - last >= self.policy.forget_after)
    }

    /// The delay the current count earns, if any: first_delay × 2^(failures past the free ones − 1),
    /// at most the cap.
    fn delay(&self) -> Option<Duration> {
        let past = self.failures.checked_sub(self.policy.free_failures).filter(|&n| n > 0)?;
        // 2^20 seconds is already far past any sensible cap; stop doubling before overflow.
        let factor = 1i32 << (past - 1).min(20);
        let delay = self.policy.first_delay.checked_mul(factor).unwrap_or(self.policy.cap);
        Some(delay.min(self.policy.cap))
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Self::new(ThrottlePolicy::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("a valid instant")
    }

    /// A sign-in attempt as the server will run it: ask the throttle, then (if allowed) the
    /// password, then tell the throttle how it went.
    fn attempt(t: &mut Throttle, now: DateTime<Utc>, right: bool) -> Result<bool, RetryAfter> {
        t.check(now)?;
        if right {
            t.succeeded();
        } else {
            t.failed(now);
        }
        Ok(right)
    }

    #[test]
    fn wrong_passwords_are_refused_with_retry_after_and_the_right_one_waits_out_the_delay() {
        let mut t = Throttle::default();
        let mut now = t0();
        for _ in 0..5 {
            assert_eq!(attempt(&mut t, now, false), Ok(false), "the free failures cost nothing");
        }
        // The sixth failure earns 1 s; then 2 s, 4 s, 8 s.
        assert_eq!(attempt(&mut t, now, false), Ok(false));
        assert_eq!(attempt(&mut t, now, false), Err(RetryAfter { seconds: 1 }));
        now += Duration::seconds(1);
        assert_eq!(attempt(&mut t, now, false), Ok(false));
        assert_eq!(
            attempt(&mut t, now, true),
            Err(RetryAfter { seconds: 2 }),
            "the right password waits too"
        );
        now += Duration::seconds(2);
        assert_eq!(attempt(&mut t, now, false), Ok(false));
        assert_eq!(attempt(&mut t, now + Duration::milliseconds(1500), true), Err(RetryAfter { seconds: 3 }));
        now += Duration::seconds(4);
        assert_eq!(attempt(&mut t, now, true), Ok(true), "accepted once the delay is over");
        assert_eq!(t.failures(), 0);
        assert_eq!(attempt(&mut t, now, false), Ok(false), "a success makes the failures free again");
    }

    #[test]
    fn the_delay_doubles_up_to_the_cap() {
        let mut t = Throttle::default();
        let now = t0();
        let mut seen = Vec::new();
        for _ in 0..30 {
            t.failed(now);
            seen.push(t.check(now).err().map_or(0, |r| r.seconds));
        }
        assert_eq!(&seen[..5], &[0, 0, 0, 0, 0]);
        assert_eq!(&seen[5..12], &[1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(*seen.last().expect("30 failures"), 15 * 60);
    }

    #[test]
    fn an_old_failure_is_forgotten() {
        let mut t = Throttle::default();
        for _ in 0..5 {
            t.failed(t0());
        }
        assert!(!t.is_forgotten(t0() + Duration::minutes(59)));
        let later = t0() + Duration::hours(1);
        assert!(t.is_forgotten(later));
        t.failed(later);
        assert_eq!(t.failures(), 1);
        assert_eq!(t.check(later), Ok(()));
    }

    #[derive(Debug, Clone)]
    enum Step {
        Wait(i64),
        Fail,
        Succeed,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0i64..2_000_000).prop_map(Step::Wait),
            (0i64..3_000).prop_map(Step::Wait),
            Just(Step::Fail),
            Just(Step::Fail),
            Just(Step::Succeed),
        ]
    }

    proptest! {
        #[test]
        fn retry_after_stays_within_one_second_and_the_cap_and_is_honest(steps in prop::collection::vec(step(), 0..80)) {
            let policy = ThrottlePolicy::default();
            let cap = u64::try_from(policy.cap.num_seconds()).unwrap_or(u64::MAX);
            let mut t = Throttle::new(policy);
            let mut now = t0();
            for s in steps {
                match s {
                    Step::Wait(ms) => now += Duration::milliseconds(ms),
                    Step::Fail => t.failed(now),
                    Step::Succeed => t.succeeded(),
                }
                if let Err(RetryAfter { seconds }) = t.check(now) {
                    prop_assert!(seconds >= 1, "refused with Retry-After 0");
                    prop_assert!(seconds <= cap, "Retry-After {seconds} past the cap");
                    let secs = i64::try_from(seconds).unwrap_or(i64::MAX);
                    prop_assert_eq!(t.check(now + Duration::seconds(secs)), Ok(()), "waiting Retry-After is enough");
                }
            }
        }
    }
}
