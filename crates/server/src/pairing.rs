//! Device pairing: the one-time codes an administrator shows on the desktop and a device types in
//! (or scans) to get its token, and the throttle on trying them.
//!
//! A code is 8 decimal digits (easy to type on a kiosk's touch keypad) from the OS's random
//! source, valid [`CODE_LIFETIME`], used once. 10^8 codes against [`TRIES_PER_WINDOW`] tries a
//! minute per address makes guessing a live code hopeless within its ten minutes. Only a hash of
//! the code is stored: a code is a credential, however short-lived.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// How long a pairing code works.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);

/// Exchanges an address may try per [`THROTTLE_WINDOW`], right or wrong.
pub const TRIES_PER_WINDOW: u32 = 10;
pub const THROTTLE_WINDOW: Duration = Duration::minutes(1);

/// A fresh code: 8 digits, uniform. `None` if the OS gives no randomness (the request fails
/// rather than fall back to a guessable code).
pub fn new_code() -> Option<String> {
    // Rejection sampling: 4,200,000,000 is the largest multiple of 10^8 below 2^32, so the
    // remainder is uniform.
    const LIMIT: u32 = 4_200_000_000;
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).ok()?;
        let n = u32::from_le_bytes(bytes);
        if n < LIMIT {
            return Some(format!("{:08}", n % 100_000_000));
        }
    }
}

/// Whether `code` has the shape of a code (8 ASCII digits); anything else is refused like a
/// wrong code, without a storage look-up.
pub fn well_formed(code: &str) -> bool {
    code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit())
}

/// The hash under which a code is stored and looked up.
pub fn hash_code(code: &str) -> String {
    crate::auth::hash_token(&format!("pairing:{code}"))
}

/// Tries per address in fixed one-minute windows. In memory: a restart forgets it, which costs a
/// guesser a restart of the server per ten tries.
#[derive(Default)]
pub struct PairingThrottle {
    windows: Mutex<HashMap<String, (DateTime<Utc>, u32)>>,
}

/// Past this many addresses, windows that have ended are dropped.
const KEEP_ADDRESSES: usize = 1024;

impl PairingThrottle {
    /// Counts a try from the address `addr` (`api::params::peer`) at `now`: Ok if it may go
    /// ahead, or the seconds until it may (at least 1).
    pub fn try_at(&self, addr: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > KEEP_ADDRESSES {
            windows.retain(|_, (start, _)| now - *start < THROTTLE_WINDOW);
        }
        let entry = windows.entry(addr.to_owned()).or_insert((now, 0));
        if now - entry.0 >= THROTTLE_WINDOW || now < entry.0 {
            *entry = (now, 0);
        }
        if entry.1 >= TRIES_PER_WINDOW {
            let left = entry.0 + THROTTLE_WINDOW - now;
            let ms = left.num_milliseconds().max(1);
            return Err(u64::try_from((ms + 999) / 1000).unwrap_or(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn codes_are_eight_digits_and_vary() {
        let codes: Vec<String> = (0..50).map(|_| new_code().unwrap()).collect();
        assert!(codes.iter().all(|c| well_formed(c)), "{codes:?}");
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(distinct.len() > 45, "50 draws from 10^8 should hardly repeat: {codes:?}");
    }

    #[test]
    fn only_eight_ascii_digits_are_well_formed() {
        for bad in ["", "1234567", "123456789", "1234567a", "１２３４５６７８", " 1234567"] {
            assert!(!well_formed(bad), "{bad:?}");
        }
        assert!(well_formed("00000000"));
    }

    #[test]
    fn ten_tries_a_minute_per_address() {
        let th = PairingThrottle::default();
        let (a, b) = ("192.0.2.1", "192.0.2.2");
        for _ in 0..TRIES_PER_WINDOW {
            assert_eq!(th.try_at(a, t("2026-12-07T10:00:00Z")), Ok(()));
        }
        assert_eq!(th.try_at(a, t("2026-12-07T10:00:20.500Z")), Err(40), "rounded up");
        assert_eq!(th.try_at(b, t("2026-12-07T10:00:21Z")), Ok(()), "another address is not held up");
        assert_eq!(th.try_at(a, t("2026-12-07T10:00:59.999Z")), Err(1));
        assert_eq!(th.try_at(a, t("2026-12-07T10:01:00Z")), Ok(()), "a new minute");
    }
}
