//! Thresholds: the defaults a hall starts with, validation, and a figure's level against them.

use crate::error::{Code, Rejection, Result};
use hallkeeper_proto::{AlertLevel, AlertSubject, ThresholdOverride, ThresholdSettings, Thresholds};

/// A window gets busy at 10 waiting or a 20-minute wait, and needs the supervisor at 20 or 40.
pub const WINDOW_DEFAULT: Thresholds =
    Thresholds { waiting_warning: 10, waiting_alarm: 20, wait_warning_min: 20, wait_alarm_min: 40 };
/// A matter's queue spans its windows, so it may grow a little longer first.
pub const MATTER_DEFAULT: Thresholds =
    Thresholds { waiting_warning: 15, waiting_alarm: 30, wait_warning_min: 20, wait_alarm_min: 40 };
/// No second notification for the same window or matter within this many minutes.
pub const QUIET_MIN_DEFAULT: u32 = 15;

const MAX_WAITING: u32 = 10_000;
const MAX_MINUTES: u32 = 24 * 60;

pub fn defaults() -> ThresholdSettings {
    ThresholdSettings {
        window_default: WINDOW_DEFAULT,
        matter_default: MATTER_DEFAULT,
        windows: Vec::new(),
        matters: Vec::new(),
        quiet_min: QUIET_MIN_DEFAULT,
    }
}

/// The thresholds that apply to a window or matter.
pub fn thresholds_for(settings: &ThresholdSettings, subject: AlertSubject, id: &str) -> Thresholds {
    let (overrides, default) = match subject {
        AlertSubject::Window => (&settings.windows, settings.window_default),
        AlertSubject::Matter => (&settings.matters, settings.matter_default),
    };
    overrides.iter().find(|o| o.subject_id == id).map_or(default, |o| o.thresholds)
}

/// The higher of the waiting count's and the longest wait's levels.
pub fn level(t: Thresholds, waiting: u32, longest_wait_secs: Option<i64>) -> AlertLevel {
    let minutes = longest_wait_secs.unwrap_or(0) / 60;
    let by_count = if waiting >= t.waiting_alarm {
        AlertLevel::Alarm
    } else if waiting >= t.waiting_warning {
        AlertLevel::Warning
    } else {
        AlertLevel::Normal
    };
    let by_wait = if minutes >= i64::from(t.wait_alarm_min) {
        AlertLevel::Alarm
    } else if minutes >= i64::from(t.wait_warning_min) {
        AlertLevel::Warning
    } else {
        AlertLevel::Normal
    };
    by_count.max(by_wait)
}

fn check_set(t: &Thresholds, field: &str) -> Result<()> {
    let bad = |what: &str| -> crate::Error {
        Rejection::new(Code::ThresholdInvalid).field(format!("{field}.{what}")).into()
    };
    if t.waiting_warning == 0 || t.waiting_warning > MAX_WAITING {
        return Err(bad("waitingWarning"));
    }
    if t.waiting_alarm < t.waiting_warning || t.waiting_alarm > MAX_WAITING {
        return Err(bad("waitingAlarm"));
    }
    if t.wait_warning_min == 0 || t.wait_warning_min > MAX_MINUTES {
        return Err(bad("waitWarningMin"));
    }
    if t.wait_alarm_min < t.wait_warning_min || t.wait_alarm_min > MAX_MINUTES {
        return Err(bad("waitAlarmMin"));
    }
    Ok(())
}

fn check_overrides(list: &[ThresholdOverride], field: &str, known: &dyn Fn(&str) -> bool) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    for (i, o) in list.iter().enumerate() {
        if !known(&o.subject_id) || !seen.insert(o.subject_id.as_str()) {
            return Err(Rejection::new(Code::ThresholdInvalid)
                .field(format!("{field}[{i}].subjectId"))
                .into());
        }
        check_set(&o.thresholds, &format!("{field}[{i}].thresholds"))?;
    }
    Ok(())
}

/// Every level in range, alarm at or above warning, overrides naming a known window or matter
/// once each. The error names the field.
pub fn validate(
    s: &ThresholdSettings,
    window_exists: &dyn Fn(&str) -> bool,
    matter_exists: &dyn Fn(&str) -> bool,
) -> Result<()> {
    check_set(&s.window_default, "windowDefault")?;
    check_set(&s.matter_default, "matterDefault")?;
    check_overrides(&s.windows, "windows", window_exists)?;
    check_overrides(&s.matters, "matters", matter_exists)?;
    if s.quiet_min > MAX_MINUTES {
        return Err(Rejection::new(Code::ThresholdInvalid).field("quietMin").into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_higher_of_the_two_levels_counts() {
        let t = WINDOW_DEFAULT;
        assert_eq!(level(t, 9, Some(19 * 60 + 59)), AlertLevel::Normal);
        assert_eq!(level(t, 10, None), AlertLevel::Warning);
        assert_eq!(level(t, 0, Some(20 * 60)), AlertLevel::Warning);
        assert_eq!(level(t, 12, Some(41 * 60)), AlertLevel::Alarm);
        assert_eq!(level(t, 20, Some(60)), AlertLevel::Alarm);
    }

    #[test]
    fn bad_settings_name_their_field() {
        let yes = |_: &str| true;
        let no = |_: &str| false;
        let mut s = defaults();
        assert!(validate(&s, &yes, &yes).is_ok());
        s.window_default.waiting_alarm = 5; // below warning
        let err = validate(&s, &yes, &yes).unwrap_err();
        assert_eq!(err.rejection().and_then(|r| r.field.clone()), Some("windowDefault.waitingAlarm".into()));
        let mut s = defaults();
        s.matters.push(ThresholdOverride { subject_id: "m-gone".into(), thresholds: MATTER_DEFAULT });
        let err = validate(&s, &yes, &no).unwrap_err();
        assert_eq!(err.rejection().and_then(|r| r.field.clone()), Some("matters[0].subjectId".into()));
    }
}
