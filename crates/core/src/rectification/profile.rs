//! Deadline profiles: the local rules a hall follows for poor ratings. The national text sets the
//! principle (verify, rectify within a deadline in working days, call real-name raters back with a
//! 100 % target); provinces and cities set the numbers, so a hall picks or edits a profile.

use hallkeeper_proto::{DeadlineProfile, Locale};

pub const NAME_MAX_CHARS: usize = 40;
/// A quarter of a year of working days: anything longer is a typo, not a local rule.
pub const RECTIFY_WORKING_DAYS_MAX: u32 = 60;

/// The built-in profiles and the check of one profile as the supervisor edits it (the profile
/// itself is proto's `DeadlineProfile`).
pub trait ProfileExt: Sized {
    /// 15 working days and every real-name rater called back (the 100 % target is the national
    /// one; the 15 days are the hall's starting point, to be checked against the local text).
    fn national_default() -> Self;
    /// 四川: 15 working days (as the project brief states it; check the current provincial text).
    fn sichuan() -> Self;
    /// 德州: 5 working days (as the project brief states it), so "due soon" starts one working
    /// day before.
    fn dezhou() -> Self;
    fn builtins() -> Vec<Self>;
    /// Checks one profile as the supervisor edits it; the error names the field.
    fn validate(&self) -> Result<(), ProfileError>;
}

impl ProfileExt for DeadlineProfile {
    fn national_default() -> Self {
        Self {
            name: "默认".into(),
            rectify_working_days: 15,
            call_back_target_pct: 100,
            due_soon_working_days: 3,
            close_requires_call_back: true,
        }
    }

    fn sichuan() -> Self {
        Self { name: "四川省".into(), ..Self::national_default() }
    }

    fn dezhou() -> Self {
        Self {
            name: "德州市".into(),
            rectify_working_days: 5,
            due_soon_working_days: 1,
            ..Self::national_default()
        }
    }

    fn builtins() -> Vec<Self> {
        vec![Self::national_default(), Self::sichuan(), Self::dezhou()]
    }

    fn validate(&self) -> Result<(), ProfileError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(ProfileError::NameEmpty);
        }
        let len = name.chars().count();
        if len > NAME_MAX_CHARS {
            return Err(ProfileError::NameTooLong { max: NAME_MAX_CHARS, len });
        }
        if self.name.chars().any(char::is_control) {
            return Err(ProfileError::NameInvalid);
        }
        let range = |field: &'static str, value: u32, min: u32, max: u32| {
            if value < min || value > max {
                Err(ProfileError::OutOfRange { field, value, min, max })
            } else {
                Ok(())
            }
        };
        range("rectifyWorkingDays", self.rectify_working_days, 1, RECTIFY_WORKING_DAYS_MAX)?;
        range("callBackTargetPct", u32::from(self.call_back_target_pct), 1, 100)?;
        range("dueSoonWorkingDays", self.due_soon_working_days, 0, self.rectify_working_days)?;
        Ok(())
    }
}

/// Checks a hall's whole list: each profile, and names unique so a case's profile name is unambiguous.
pub fn validate_profiles(profiles: &[DeadlineProfile]) -> Result<(), (usize, ProfileError)> {
    for (i, p) in profiles.iter().enumerate() {
        p.validate().map_err(|e| (i, e))?;
        if profiles[..i].iter().any(|q| q.name.trim() == p.name.trim()) {
            return Err((i, ProfileError::NameDuplicate { name: p.name.trim().to_string() }));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("enter a name for the deadline profile")]
    NameEmpty,
    #[error("a profile name has at most {max} characters; this one has {len}")]
    NameTooLong { max: usize, len: usize },
    #[error("a profile name cannot contain line breaks or control characters")]
    NameInvalid,
    #[error("another profile is already named \"{name}\"")]
    NameDuplicate { name: String },
    #[error("{field} must be between {min} and {max}; it is {value}")]
    OutOfRange { field: &'static str, value: u32, min: u32, max: u32 },
}

impl ProfileError {
    /// Stable codes; never rename.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NameEmpty => "rectification.profile_name_empty",
            Self::NameTooLong { .. } => "rectification.profile_name_too_long",
            Self::NameInvalid => "rectification.profile_name_invalid",
            Self::NameDuplicate { .. } => "rectification.profile_name_duplicate",
            Self::OutOfRange { .. } => "rectification.profile_out_of_range",
        }
    }

    /// The profile's field at fault, camelCase as the UI sends it.
    pub fn field(&self) -> &'static str {
        match self {
            Self::OutOfRange { field, .. } => field,
            _ => "name",
        }
    }

    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::NameEmpty | Self::NameInvalid => vec![],
            Self::NameTooLong { max, len } => vec![("max", max.to_string()), ("len", len.to_string())],
            Self::NameDuplicate { name } => vec![("name", name.clone())],
            Self::OutOfRange { field, value, min, max } => vec![
                ("field", field.to_string()),
                ("value", value.to_string()),
                ("min", min.to_string()),
                ("max", max.to_string()),
            ],
        }
    }

    pub fn message(&self, locale: Locale) -> String {
        if locale == Locale::EnUs {
            return self.to_string();
        }
        match self {
            Self::NameEmpty => "请填写规则名称".into(),
            Self::NameTooLong { max, len } => format!("规则名称最多 {max} 个字，现为 {len} 个字"),
            Self::NameInvalid => "规则名称不能含有换行或控制字符".into(),
            Self::NameDuplicate { name } => format!("已有名为“{name}”的规则，请换一个名称"),
            Self::OutOfRange { field, value, min, max } => {
                let label = match *field {
                    "rectifyWorkingDays" => "整改时限（工作日）",
                    "callBackTargetPct" => "回访率目标（%）",
                    "dueSoonWorkingDays" => "临期提醒（工作日）",
                    other => other,
                };
                format!("{label}应在 {min} 到 {max} 之间，现为 {value}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_are_valid_and_distinct() {
        assert_eq!(validate_profiles(&DeadlineProfile::builtins()), Ok(()));
        let p = DeadlineProfile::dezhou();
        assert_eq!(p.rectify_working_days, 5);
        assert_eq!(DeadlineProfile::sichuan().rectify_working_days, 15);
        assert_eq!(DeadlineProfile::national_default().call_back_target_pct, 100);
    }

    #[test]
    fn errors_name_the_field() {
        let bad = DeadlineProfile { rectify_working_days: 0, ..DeadlineProfile::national_default() };
        let e = bad.validate().unwrap_err();
        assert_eq!((e.code(), e.field()), ("rectification.profile_out_of_range", "rectifyWorkingDays"));
        let bad = DeadlineProfile { due_soon_working_days: 16, ..DeadlineProfile::national_default() };
        assert_eq!(bad.validate().unwrap_err().field(), "dueSoonWorkingDays");
        let bad = DeadlineProfile { call_back_target_pct: 101, ..DeadlineProfile::national_default() };
        assert_eq!(bad.validate().unwrap_err().field(), "callBackTargetPct");
        let bad = DeadlineProfile { name: "  ".into(), ..DeadlineProfile::national_default() };
        assert_eq!(bad.validate().unwrap_err().code(), "rectification.profile_name_empty");
        let bad = DeadlineProfile { name: "a\nb".into(), ..DeadlineProfile::national_default() };
        assert_eq!(bad.validate().unwrap_err().code(), "rectification.profile_name_invalid");
        let twice = [DeadlineProfile::sichuan(), DeadlineProfile::sichuan()];
        assert_eq!(validate_profiles(&twice).unwrap_err().0, 1);
    }
}
