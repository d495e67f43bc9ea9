//! Passwords: how they are stored and which new ones are refused.
//!
//! Stored as an argon2id hash in the PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`)
//! with a 16-byte salt from the OS RNG, at OWASP's parameters (19 MiB, 2 passes, 1 lane) —
//! `docs/benchmarks.md` ("Sign-in: argon2id cost") has what one sign-in costs on the project's
//! machine. The string carries its own parameters, so a hash made at today's cost still verifies
//! after the cost is raised, and [`needs_rehash`] says when to store a new one at the next
//! successful sign-in. Verification compares in constant time (the `argon2` crate's).
//!
//! The policy ([`check_new_password`]) is the issue's: at least 10 characters, not the login name
//! nor containing it, not in the common-password list shipped in `data/` (see its README).

use crate::error::{AccessError, PasswordProblem, Result};
use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::collections::HashSet;
use std::sync::OnceLock;

/// argon2id memory cost in KiB (OWASP: m = 19 MiB).
pub const MEMORY_KIB: u32 = 19_456;
/// argon2id passes (OWASP: t = 2).
pub const PASSES: u32 = 2;
/// argon2id lanes (OWASP: p = 1).
pub const LANES: u32 = 1;
/// Salt length in bytes (the PHC recommendation).
const SALT_LEN: usize = 16;

/// Fewest characters (Unicode scalars, not bytes: `密码` is 2) a new password may have.
pub const MIN_CHARS: usize = 10;
/// Most characters: enough for any passphrase, and a bound on what one sign-in hashes.
pub const MAX_CHARS: usize = 256;
/// A login shorter than this is not looked for inside the password: a one- or two-letter login
/// would refuse half of all passwords without making any of them harder to guess.
const LOGIN_CONTAINED_MIN_CHARS: usize = 3;

fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
        .map_err(|e| AccessError::HashFailed { reason: e.to_string() })?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// `n` bytes from the OS RNG.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| AccessError::NoRandomness { reason: e.to_string() })?;
    Ok(buf)
}

/// The PHC string to store for `password`: argon2id at this module's cost, a fresh salt.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = random_bytes::<SALT_LEN>()?;
    let hash = hasher()?
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map_err(|e| AccessError::HashFailed { reason: e.to_string() })?;
    Ok(hash.to_string())
}

/// Whether `password` is the one `stored` was made from. `Ok(false)` for a wrong password; an
/// error only when `stored` is not a PHC string this crate can check (a corrupt record).
pub fn verify_password(password: &str, stored: &str) -> Result<bool> {
    let parsed =
        PasswordHash::new(stored).map_err(|e| AccessError::StoredHashInvalid { reason: e.to_string() })?;
    if parsed.algorithm.as_str() != argon2::ARGON2ID_IDENT.as_str() {
        return Err(AccessError::StoredHashInvalid { reason: format!("algorithm {}", parsed.algorithm) });
    }
    // The hash's own parameters are used, not `hasher()`'s, so older costs still verify.
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(e) => Err(AccessError::StoredHashInvalid { reason: e.to_string() }),
    }
}

/// The same work as [`verify_password`] for a login that has no account (or a disabled one), so
/// that the time a refusal takes does not tell whether the login exists. Always `false`.
pub fn verify_unknown_account(password: &str) -> bool {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("hallkeeper: no such account").ok());
    if let Some(dummy) = dummy {
        let _ = verify_password(password, dummy);
    }
    false
}

/// Whether a stored hash was made below this module's cost (or not as argon2id) and should be
/// replaced by a fresh [`hash_password`] at the next successful sign-in.
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return true };
    if parsed.algorithm.as_str() != argon2::ARGON2ID_IDENT.as_str() {
        return true;
    }
    match Params::try_from(&parsed) {
        Ok(p) => p.m_cost() < MEMORY_KIB || p.t_cost() < PASSES,
        Err(_) => true,
    }
}

/// The shipped common-password list, lower case, built once.
fn common_passwords() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    })
}

/// Whether `password` is in the common-password list, ignoring case.
pub fn is_common(password: &str) -> bool {
    common_passwords().contains(password.to_lowercase().as_str())
}

/// Whether a person may choose `password` as their new password (account creation, change, the
/// forced change after a reset). The first problem found, in the order a person fixes them.
pub fn check_new_password(login: &str, password: &str) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort { min: MIN_CHARS });
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong { max: MAX_CHARS });
    }
    let login = login.trim().to_lowercase();
    let lower = password.to_lowercase();
    if !login.is_empty() && lower == login {
        return Err(PasswordProblem::IsLogin);
    }
    if login.chars().count() >= LOGIN_CONTAINED_MIN_CHARS && lower.contains(&login) {
        return Err(PasswordProblem::ContainsLogin);
    }
    if common_passwords().contains(lower.as_str()) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let stored = hash_password("correct horse battery").expect("hash");
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert_eq!(verify_password("correct horse battery", &stored), Ok(true));
        assert_eq!(verify_password("correct horse batterY", &stored), Ok(false));
        assert_eq!(verify_password("", &stored), Ok(false));
        assert!(!needs_rehash(&stored));
    }

    #[test]
    fn every_hash_has_its_own_salt() {
        let a = hash_password("the same password").expect("hash");
        let b = hash_password("the same password").expect("hash");
        assert_ne!(a, b);
    }

    #[test]
    fn a_corrupt_stored_hash_is_an_error_not_a_match() {
        for stored in
            ["", "plain text", "$argon2id$v=19$m=19456,t=2,p=1$bad", "$2b$12$abcdefghijklmnopqrstuv"]
        {
            let err = verify_password("whatever password", stored).expect_err(stored);
            assert_eq!(err.code(), "access.stored_hash_invalid", "{stored}");
            assert!(needs_rehash(stored));
        }
        assert!(!verify_unknown_account("whatever password"));
    }

    #[test]
    fn a_cheaper_hash_still_verifies_and_asks_to_be_redone() {
        let params = Params::new(8 * 1024, 1, 1, None).expect("params");
        let cheap = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_with_salt(b"an older password", b"0123456789abcdef")
            .expect("hash")
            .to_string();
        assert_eq!(verify_password("an older password", &cheap), Ok(true));
        assert!(needs_rehash(&cheap));
    }

    #[test]
    fn the_policy_refuses_what_the_issue_says() {
        assert_eq!(check_new_password("wang.li", "short"), Err(PasswordProblem::TooShort { min: 10 }));
        // Characters, not bytes: 9 Chinese characters are 27 bytes but still too short.
        assert_eq!(
            check_new_password("wang.li", "九个汉字的密码短了"),
            Err(PasswordProblem::TooShort { min: 10 })
        );
        assert_eq!(check_new_password("wang.li", "十个汉字的密码够长了吧"), Ok(()));
        assert_eq!(check_new_password("zhangsan01", "ZhangSan01"), Err(PasswordProblem::IsLogin));
        assert_eq!(check_new_password("zhangsan", "my-ZHANGSAN-pass"), Err(PasswordProblem::ContainsLogin));
        assert_eq!(check_new_password("li", "li is not looked for"), Ok(()));
        assert_eq!(check_new_password("wang.li", "1234567890"), Err(PasswordProblem::Common));
        assert_eq!(check_new_password("wang.li", "QwertyUiop"), Err(PasswordProblem::Common));
        assert_eq!(check_new_password("wang.li", "1qaz2wsx3edc"), Err(PasswordProblem::Common));
        assert_eq!(
            check_new_password("wang.li", &"长".repeat(257)),
            Err(PasswordProblem::TooLong { max: 256 })
        );
        assert_eq!(check_new_password("wang.li", "晴天-kiosk-47-门厅"), Ok(()));
    }

    #[test]
    fn the_common_list_is_the_shipped_one() {
        let list = common_passwords();
        assert_eq!(list.len(), 30_000);
        assert!(list.contains("password") && list.contains("123456"));
        assert!(is_common("PassWord"));
        assert!(!is_common("晴天-kiosk-47-门厅"));
    }

    proptest! {
        #[test]
        fn the_policy_never_panics_and_refuses_every_short_password(login in "\\PC{0,12}", password in "\\PC{0,40}") {
            let verdict = check_new_password(&login, &password);
            if password.chars().count() < MIN_CHARS {
                prop_assert_eq!(verdict, Err(PasswordProblem::TooShort { min: MIN_CHARS }));
            }
            if verdict.is_ok() {
                prop_assert!(!is_common(&password));
                prop_assert!(password.to_lowercase() != login.trim().to_lowercase());
            }
        }
    }
}
