//! Sessions: what a signed-in desktop presents instead of a password. The server issues an opaque
//! token (32 random bytes, base64url) and stores only its SHA-256 — a copy of the sessions table
//! opens nothing, and revoking a session is deleting its row; the desktop sends the token as a
//! bearer and the server looks up [`token_hash`] of it (the same scheme as device tokens).
//!
//! A session slides: each use moves its end to `idle` after that use, but never past `absolute`
//! after it was created, so a stolen token dies on its own and a person at work is not signed out
//! mid-shift. Pure: the instants are passed in.

use crate::error::Result;
use crate::password::random_bytes;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// A new session's token (handed to the desktop once) and its hash (what the server stores).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionToken {
    pub token: String,
    pub hash: String,
}

/// A fresh session token from the OS RNG.
pub fn new_session_token() -> Result<SessionToken> {
    let token = URL_SAFE_NO_PAD.encode(random_bytes::<32>()?);
    let hash = token_hash(&token);
    Ok(SessionToken { token, hash })
}

/// The stored form of a token: SHA-256, lower-case hex. A token has 256 random bits, so a fast
/// hash is enough (no salt, no argon2): nothing can be guessed from it.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// How long a session lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetime {
    /// Unused this long, a session ends.
    pub idle: Duration,
    /// However much it is used, a session ends this long after it was created.
    pub absolute: Duration,
}

impl Default for SessionLifetime {
    /// A working day unused ends it (the desktop locks itself much sooner, a setting); a week ends
    /// it whatever happens, so a person signs in again at least weekly.
    fn default() -> Self {
        Self { idle: Duration::hours(12), absolute: Duration::days(7) }
    }
}

impl SessionLifetime {
    /// When a session created at `created` and last used at `last_seen` ends.
    pub fn expires_at(&self, created: DateTime<Utc>, last_seen: DateTime<Utc>) -> DateTime<Utc> {
        let last_seen = last_seen.max(created);
        (last_seen + self.idle).min(created + self.absolute)
    }

    /// Whether that session still opens anything at `now`.
    pub fn is_live(&self, now: DateTime<Utc>, created: DateTime<Utc>, last_seen: DateTime<Utc>) -> bool {
        now < self.expires_at(created, last_seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("a valid instant")
    }

    #[test]
    fn a_token_is_43_url_safe_characters_and_its_hash_is_sha256_hex() {
        let a = new_session_token().expect("token");
        let b = new_session_token().expect("token");
        assert_ne!(a.token, b.token);
        assert_eq!(a.token.len(), 43);
        assert!(a.token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{}", a.token);
        assert_eq!(a.hash, token_hash(&a.token));
        assert_eq!(a.hash.len(), 64);
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn a_session_slides_until_its_absolute_end() {
        let life = SessionLifetime { idle: Duration::hours(1), absolute: Duration::hours(3) };
        let created = t0();
        assert_eq!(life.expires_at(created, created), created + Duration::hours(1));
        assert!(life.is_live(created + Duration::minutes(59), created, created));
        assert!(!life.is_live(created + Duration::hours(1), created, created));
        let used = created + Duration::minutes(50);
        assert!(life.is_live(created + Duration::minutes(100), created, used), "use moves the end");
        let late = created + Duration::minutes(170);
        assert_eq!(life.expires_at(created, late), created + Duration::hours(3), "never past absolute");
        assert!(!life.is_live(created + Duration::hours(3), created, late));
    }

    proptest! {
        #[test]
        fn the_end_is_never_past_either_limit(idle in 1i64..100_000, absolute in 1i64..1_000_000, used in 0i64..2_000_000) {
            let life = SessionLifetime { idle: Duration::seconds(idle), absolute: Duration::seconds(absolute) };
            let created = t0();
            let last_seen = created + Duration::seconds(used);
            let end = life.expires_at(created, last_seen);
            prop_assert!(end <= created + life.absolute);
            prop_assert!(end <= last_seen + life.idle);
        }
    }
}
