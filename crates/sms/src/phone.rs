//! Mainland China mobile numbers.
//!
//! A citizen's number is personal information (个人信息) under PIPL; the hall needs it only to send
//! reminders. [`Phone`] therefore has no way to print itself in full — `Display` and `Debug` both
//! mask — and no `Serialize`: the full digits leave it only through [`Phone::expose`], which the
//! provider adapters and the cipher call, and which is easy to find in review.

use std::fmt;

use crate::error::{Result, SmsError};
pub use crate::redact::mask;

/// A validated 11-digit mainland mobile number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

fn invalid(reason: impl Into<String>, position: Option<usize>) -> SmsError {
    SmsError::PhoneInvalid { reason: reason.into(), position }
}

impl Phone {
    /// Accepts what people type: `138 1234 5678`, `138-1234-5678`, `+86 13812345678`,
    /// `0086…`, `86…`.
    pub fn parse(input: &str) -> Result<Phone> {
        let mut digits = String::with_capacity(16);
        let mut plus = false;
        for (i, c) in input.trim().chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '\u{3000}' => {}
                '+' if i == 0 => plus = true,
                c => return Err(invalid(format!("character '{c}' at char {i} is not a digit"), Some(i))),
            }
        }
        if digits.is_empty() {
            return Err(invalid("no digits", None));
        }
        let national = if let Some(rest) = digits.strip_prefix("0086") {
            rest
        } else if plus {
            digits
                .strip_prefix("86")
                .ok_or_else(|| invalid("only the +86 country code is a mainland number", None))?
        } else if digits.len() == 13 && digits.starts_with("86") {
            &digits[2..]
        } else {
            &digits
        };
        if national.len() != 11 {
            return Err(invalid(format!("a mobile number has 11 digits, this has {}", national.len()), None));
        }
        let second = national.as_bytes()[1];
        if !national.starts_with('1') || !(b'3'..=b'9').contains(&second) {
            return Err(invalid(
                format!("a mobile number starts with 13–19, this starts with {}", &national[..2]),
                None,
            ));
        }
        Ok(Phone(national.to_owned()))
    }

    /// The 11 digits, for the provider request and the cipher. Never log this.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// E.164, as Tencent's `PhoneNumberSet` wants it.
    pub fn e164(&self) -> String {
        format!("+86{}", self.0)
    }

    /// `138****1234`: enough for the supervisor to tell two citizens apart on a call-back, not
    /// enough to call a stranger.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl std::str::FromStr for Phone {
    type Err = SmsError;

    fn from_str(s: &str) -> Result<Self> {
        Phone::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_spellings() {
        for input in [
            "13812341234",
            "138 1234 1234",
            "138-1234-1234",
            "+86 138 1234 1234",
            "+8613812341234",
            "008613812341234",
            "8613812341234",
            " 13812341234 ",
        ] {
            assert_eq!(Phone::parse(input).unwrap().expose(), "13812341234", "{input}");
        }
    }

    #[test]
    fn refuses_with_reason() {
        let cases = [
            ("", "no digits"),
            ("1381234123", "11 digits, this has 10"),
            ("12812341234", "starts with 13–19, this starts with 12"),
            ("23812341234", "starts with 13–19, this starts with 23"),
            ("+1 4155550100", "+86"),
            ("138l2341234", "character 'l' at char 3"),
        ];
        for (input, needle) in cases {
            let err = Phone::parse(input).unwrap_err();
            assert_eq!(err.code(), "sms.phone_invalid");
            assert!(err.to_string().contains(needle), "{input}: {err}");
        }
        assert_eq!(Phone::parse("138l2341234").unwrap_err().position(), Some(3));
    }

    #[test]
    fn never_prints_in_full() {
        let p = Phone::parse("13812345678").unwrap();
        assert_eq!(p.to_string(), "138****5678");
        assert_eq!(format!("{p:?}"), "Phone(138****5678)");
        assert_eq!(format!("{:?}", Some(&p)), "Some(Phone(138****5678))");
        assert_eq!(p.e164(), "+8613812345678");
        assert_eq!(mask("12345"), "*****");
    }
}
