//! The rules of a window (窗口): what a valid number, name and zone are. Pure functions: the
//! store calls them before it writes, and so will the central server.

use crate::error::{Code, Rejection};
use hallkeeper_proto::WindowInput;

pub const NUMBER_MAX_CHARS: usize = 8;
pub const NAME_MAX_CHARS: usize = 40;
pub const ZONE_MAX_CHARS: usize = 40;

/// Input that passed the rules, normalised: trimmed, number upper-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidWindow {
    pub number: String,
    pub name: String,
    pub zone: String,
    pub kind: hallkeeper_proto::WindowKind,
    pub state: hallkeeper_proto::WindowState,
}

/// Checks the fields in form order and reports the first fault, so the form can point at it.
pub fn validate(input: &WindowInput) -> Result<ValidWindow, Rejection> {
    Ok(ValidWindow {
        number: normalise_number(&input.number)?,
        name: check_text(
            &input.name,
            NAME_MAX_CHARS,
            "name",
            Code::WindowNameEmpty,
            Code::WindowNameTooLong,
            Code::WindowNameInvalid,
        )?,
        zone: check_optional_text(
            &input.zone,
            ZONE_MAX_CHARS,
            "zone",
            Code::WindowZoneTooLong,
            Code::WindowZoneInvalid,
        )?,
        kind: input.kind,
        state: input.state,
    })
}

/// A window number as the hall prints it on the counter and the ticket: letters, digits and
/// hyphens, upper case, so `a03` and `A03` are the same window.
pub fn normalise_number(raw: &str) -> Result<String, Rejection> {
    let number = raw.trim().to_uppercase();
    if number.is_empty() {
        return Err(Rejection::new(Code::WindowNumberEmpty).field("number"));
    }
    let len = number.chars().count();
    if len > NUMBER_MAX_CHARS {
        return Err(Rejection::new(Code::WindowNumberTooLong)
            .field("number")
            .arg("max", NUMBER_MAX_CHARS)
            .arg("len", len));
    }
    if let Some(bad) = number.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
        return Err(Rejection::new(Code::WindowNumberInvalid)
            .field("number")
            .arg("number", &number)
            .arg("char", bad));
    }
    Ok(number)
}

fn check_text(
    raw: &str,
    max: usize,
    field: &'static str,
    empty: Code,
    too_long: Code,
    invalid: Code,
) -> Result<String, Rejection> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(Rejection::new(empty).field(field));
    }
    check_optional_text(text, max, field, too_long, invalid)
}

fn check_optional_text(
    raw: &str,
    max: usize,
    field: &'static str,
    too_long: Code,
    invalid: Code,
) -> Result<String, Rejection> {
    let text = raw.trim();
    let len = text.chars().count();
    if len > max {
        return Err(Rejection::new(too_long).field(field).arg("max", max).arg("len", len));
    }
    if text.chars().any(char::is_control) {
        return Err(Rejection::new(invalid).field(field));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hallkeeper_proto::{WindowKind, WindowState};
    use proptest::prelude::*;

    fn input(number: &str, name: &str, zone: &str) -> WindowInput {
        WindowInput {
            number: number.into(),
            name: name.into(),
            zone: zone.into(),
            kind: WindowKind::General,
            state: WindowState::Open,
        }
    }

    #[test]
    fn normalises_number_and_trims_text() {
        let v = validate(&input("  a03 ", " 不动产登记 ", " 二楼B区 ")).unwrap();
        assert_eq!((v.number.as_str(), v.name.as_str(), v.zone.as_str()), ("A03", "不动产登记", "二楼B区"));
    }

    #[test]
    fn empty_number_is_refused_first() {
        let r = validate(&input("   ", "", "")).unwrap_err();
        assert_eq!((r.code, r.field.as_deref()), (Code::WindowNumberEmpty, Some("number")));
    }

    #[test]
    fn bad_characters_are_named() {
        let r = validate(&input("A 03", "x", "")).unwrap_err();
        assert_eq!(r.code, Code::WindowNumberInvalid);
        assert_eq!(r.get("char"), " ");
        let r = validate(&input("A０3", "x", "")).unwrap_err();
        assert_eq!(r.get("char"), "０");
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        // 40 Chinese characters are 120 bytes: allowed.
        assert!(validate(&input("A1", &"窗".repeat(40), "")).is_ok());
        let r = validate(&input("A1", &"窗".repeat(200), "")).unwrap_err();
        assert_eq!((r.code, r.get("len"), r.get("max")), (Code::WindowNameTooLong, "200", "40"));
        let r = validate(&input("A123456789", "x", "")).unwrap_err();
        assert_eq!(r.code, Code::WindowNumberTooLong);
        let r = validate(&input("A1", "x", &"区".repeat(41))).unwrap_err();
        assert_eq!((r.code, r.field.as_deref()), (Code::WindowZoneTooLong, Some("zone")));
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(validate(&input("A1", "综合\n受理", "")).unwrap_err().code, Code::WindowNameInvalid);
        assert_eq!(validate(&input("A1", "x", "一\t楼")).unwrap_err().code, Code::WindowZoneInvalid);
    }

    proptest! {
        #[test]
        fn accepted_numbers_are_canonical(raw in "\\PC{0,12}") {
            if let Ok(n) = normalise_number(&raw) {
                prop_assert!(!n.is_empty() && n.chars().count() <= NUMBER_MAX_CHARS);
                prop_assert!(n.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'));
                // Normalising is idempotent: the stored number is its own canonical form.
                prop_assert_eq!(normalise_number(&n).unwrap(), n.clone());
                prop_assert_eq!(normalise_number(&raw.to_lowercase()).unwrap(), n);
            }
        }

        #[test]
        fn accepted_names_fit_the_limit(name in "\\PC{0,60}") {
            match validate(&input("A1", &name, "")) {
                Ok(v) => {
                    prop_assert!(!v.name.is_empty());
                    prop_assert!(v.name.chars().count() <= NAME_MAX_CHARS);
                    prop_assert_eq!(v.name.trim(), v.name.as_str());
                }
                Err(r) => prop_assert_eq!(r.field.as_deref(), Some("name")),
            }
        }
    }
}
