//! When a reminder goes out, and when it must not.
//!
//! Everything here is pure: the caller passes the hall's local time and the count already sent,
//! so that the server's outbox, the desktop's preview and the tests agree on one answer.

use std::collections::HashSet;

use serde::Serialize;

use crate::error::{Result, SmsError};
use crate::template::{Placeholder, Template};

/// The rule types are wire types (the desktop edits them, the server receives them in the
/// hall's configuration), so they live in `hallkeeper-proto`; their logic stays here, as
/// extension traits, so that every consumer validates the same way.
pub use hallkeeper_proto::{
    ClockTime, QuietHours, SmsRule as Rule, SmsRuleSet as RuleSet, SmsTrigger as Trigger,
};

/// What the queue knows about a [`Trigger`].
pub trait TriggerExt {
    fn kind(&self) -> &'static str;
    /// What the queue knows when this trigger fires. A window exists only once the ticket is
    /// called; an appointment has no place in the queue yet.
    fn available_placeholders(&self) -> &'static [Placeholder];
}

impl TriggerExt for Trigger {
    fn kind(&self) -> &'static str {
        match self {
            Trigger::Issued => "issued",
            Trigger::PeopleAhead { .. } => "peopleAhead",
            Trigger::Called => "called",
            Trigger::Missed => "missed",
            Trigger::AppointmentHeadsUp { .. } => "appointmentHeadsUp",
        }
    }

    fn available_placeholders(&self) -> &'static [Placeholder] {
        use Placeholder::*;
        match self {
            Trigger::Issued | Trigger::PeopleAhead { .. } => &[Ticket, Ahead, WaitMin, Matter, Hall],
            Trigger::Called | Trigger::Missed => &[Ticket, Window, Matter, Hall],
            Trigger::AppointmentHeadsUp { .. } => &[Matter, Hall],
        }
    }
}

pub trait RuleExt {
    fn applies_to_matter(&self, matter_id: &str) -> bool;
}

impl RuleExt for Rule {
    fn applies_to_matter(&self, matter_id: &str) -> bool {
        self.matter_ids.is_empty() || self.matter_ids.iter().any(|m| m == matter_id)
    }
}

/// What the outbox should do with a due reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum SendDecision {
    Send,
    /// Within quiet hours; the message may go at `until` if it still means anything then (an
    /// appointment heads-up may, a "3 people ahead" will not).
    HoldQuietHours {
        until: ClockTime,
    },
    /// The citizen already had `cap` messages today.
    DropDailyCap {
        cap: u32,
    },
}

/// Bounds checked by [`RuleSetExt::problems`]: a heads-up more than a day ahead belongs to another
/// channel, and more than 50 a day is past every provider's per-number limit anyway.
pub const MAX_HEADS_UP_MINUTES: u32 = 24 * 60;
pub const MAX_DAILY_CAP: u32 = 50;

/// The decisions and checks of a [`RuleSet`].
pub trait RuleSetExt {
    fn in_quiet_hours(&self, local: ClockTime) -> bool;
    /// Whether one more message fits under the cap for a citizen who had `sent_today`.
    fn cap_allows(&self, sent_today: u32) -> bool;
    /// Quiet hours first: a held message has not been sent, so it must not count toward the cap.
    fn decide(&self, local: ClockTime, sent_today: u32) -> SendDecision;
    /// Enabled rules for `trigger` that apply to `matter_id`.
    fn matching<'a>(
        &'a self,
        trigger: &'a Trigger,
        matter_id: &'a str,
    ) -> impl Iterator<Item = &'a Rule> + 'a;
    /// The first problem, for callers that refuse to save.
    fn validate(&self) -> Result<()>;
    /// Every problem, each naming its field (`rules[2].template`), so the editor can mark them all.
    fn problems(&self) -> Vec<SmsError>;
}

impl RuleSetExt for RuleSet {
    fn in_quiet_hours(&self, local: ClockTime) -> bool {
        self.quiet_hours.is_some_and(|q| q.contains(local))
    }

    fn cap_allows(&self, sent_today: u32) -> bool {
        sent_today < self.daily_cap_per_citizen
    }

    fn decide(&self, local: ClockTime, sent_today: u32) -> SendDecision {
        match self.quiet_hours {
            Some(q) if q.contains(local) => SendDecision::HoldQuietHours { until: q.end },
            _ if !self.cap_allows(sent_today) => {
                SendDecision::DropDailyCap { cap: self.daily_cap_per_citizen }
            }
            _ => SendDecision::Send,
        }
    }

    fn matching<'a>(
        &'a self,
        trigger: &'a Trigger,
        matter_id: &'a str,
    ) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules
            .iter()
            .filter(move |r| r.enabled && &r.trigger == trigger && r.applies_to_matter(matter_id))
    }

    fn validate(&self) -> Result<()> {
        match self.problems().into_iter().next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn problems(&self) -> Vec<SmsError> {
        let invalid = |reason: String| SmsError::RuleInvalid { reason };
        let mut out = Vec::new();
        let mut ids = HashSet::new();
        for (i, rule) in self.rules.iter().enumerate() {
            let at = |field: &str| format!("rules[{i}].{field}");
            if rule.id.trim().is_empty() {
                out.push(invalid("must not be empty".into()).at(at("id")));
            } else if !ids.insert(rule.id.as_str()) {
                out.push(invalid(format!("duplicate id \"{}\"", rule.id)).at(at("id")));
            }
            if rule.name.trim().is_empty() {
                out.push(invalid("must not be empty".into()).at(at("name")));
            }
            match &rule.trigger {
                Trigger::PeopleAhead { n: 0 } => out.push(
                    invalid("must be at least 1 (0 ahead is the call itself)".into()).at(at("trigger.n")),
                ),
                Trigger::AppointmentHeadsUp { minutes_before }
                    if !(1..=MAX_HEADS_UP_MINUTES).contains(minutes_before) =>
                {
                    out.push(
                        invalid(format!("must be 1–{MAX_HEADS_UP_MINUTES}, got {minutes_before}"))
                            .at(at("trigger.minutesBefore")),
                    )
                }
                _ => {}
            }
            match Template::parse(&rule.template) {
                Err(e) => out.push(e.at(at("template"))),
                Ok(t) => {
                    let available = rule.trigger.available_placeholders();
                    if let Some((p, position)) = t.occurrences().find(|(p, _)| !available.contains(p)) {
                        out.push(
                            SmsError::TemplatePlaceholderUnavailable {
                                name: p.as_str().to_owned(),
                                position,
                                trigger: rule.trigger.kind().to_owned(),
                            }
                            .at(at("template")),
                        );
                    }
                }
            }
            if let Some(j) = rule.matter_ids.iter().position(|m| m.trim().is_empty()) {
                out.push(invalid("must not be empty".into()).at(at(&format!("matterIds[{j}]"))));
            }
        }
        if let Some(q) = self.quiet_hours {
            if q.start == q.end {
                out.push(
                    invalid(format!("start and end are both {}; leave quiet hours off instead", q.start))
                        .at("quietHours"),
                );
            }
        }
        if !(1..=MAX_DAILY_CAP).contains(&self.daily_cap_per_citizen) {
            out.push(
                invalid(format!("must be 1–{MAX_DAILY_CAP}, got {}", self.daily_cap_per_citizen))
                    .at("dailyCapPerCitizen"),
            );
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn t(s: &str) -> ClockTime {
        s.parse().unwrap()
    }

    /// An enabled rule for every matter, named by its id (budget's tests use it too).
    pub(crate) fn rule(id: &str, trigger: Trigger, template: &str) -> Rule {
        Rule {
            id: id.into(),
            name: id.into(),
            trigger,
            template: template.into(),
            enabled: true,
            matter_ids: vec![],
        }
    }

    fn set(rules: Vec<Rule>) -> RuleSet {
        RuleSet { rules, quiet_hours: None, daily_cap_per_citizen: 5 }
    }

    #[test]
    fn quiet_hours_crossing_midnight() {
        let q = QuietHours { start: t("22:00"), end: t("07:00") };
        assert!(q.contains(t("22:00")));
        assert!(q.contains(t("23:59")));
        assert!(q.contains(t("00:00")));
        assert!(q.contains(t("06:59")));
        assert!(!q.contains(t("07:00")));
        assert!(!q.contains(t("12:00")));
        assert!(!q.contains(t("21:59")));
    }

    #[test]
    fn quiet_hours_same_day() {
        let q = QuietHours { start: t("12:00"), end: t("13:30") };
        assert!(!q.contains(t("11:59")));
        assert!(q.contains(t("12:00")));
        assert!(q.contains(t("13:29")));
        assert!(!q.contains(t("13:30")));
    }

    #[test]
    fn decide_holds_then_caps() {
        let mut rs = set(vec![]);
        rs.quiet_hours = Some(QuietHours { start: t("21:00"), end: t("08:00") });
        rs.daily_cap_per_citizen = 2;
        assert_eq!(rs.decide(t("07:30"), 0), SendDecision::HoldQuietHours { until: t("08:00") });
        assert_eq!(rs.decide(t("09:00"), 1), SendDecision::Send);
        assert_eq!(rs.decide(t("09:00"), 2), SendDecision::DropDailyCap { cap: 2 });
        assert!(rs.in_quiet_hours(ClockTime::from_naive(chrono::NaiveTime::from_hms_opt(23, 0, 0).unwrap())));
    }

    #[test]
    fn clock_time_parse() {
        assert_eq!(t("07:05").to_string(), "07:05");
        for bad in ["7:05", "24:00", "12:60", "1200", "ab:cd", ""] {
            assert!(bad.parse::<ClockTime>().is_err(), "{bad}");
        }
    }

    #[test]
    fn json_shape_is_camel_case() {
        let rs = RuleSet {
            rules: vec![Rule {
                matter_ids: vec!["m1".into()],
                ..rule("r1", Trigger::AppointmentHeadsUp { minutes_before: 30 }, "{matter}")
            }],
            quiet_hours: Some(QuietHours { start: t("22:00"), end: t("07:00") }),
            daily_cap_per_citizen: 3,
        };
        let json = serde_json::to_value(&rs).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "rules": [{"id": "r1", "name": "r1",
                    "trigger": {"kind": "appointmentHeadsUp", "minutesBefore": 30},
                    "template": "{matter}", "enabled": true, "matterIds": ["m1"]}],
                "quietHours": {"start": "22:00", "end": "07:00"},
                "dailyCapPerCitizen": 3
            })
        );
        assert_eq!(serde_json::from_value::<RuleSet>(json).unwrap(), rs);
        let err = serde_json::from_str::<QuietHours>(r#"{"start":"25:00","end":"07:00"}"#).unwrap_err();
        assert!(err.to_string().contains("25:00"), "{err}");
    }

    #[test]
    fn validation_names_the_field() {
        let rs = set(vec![
            rule("a", Trigger::Issued, "{ticket}"),
            rule("b", Trigger::Called, "{window}"),
            rule("c", Trigger::Called, "请到{windw}号"),
        ]);
        let err = rs.validate().unwrap_err();
        assert_eq!(err.field(), Some("rules[2].template"));
        assert_eq!(err.code(), "sms.template_unknown_placeholder");
        assert_eq!(err.position(), Some(2));
        assert_eq!(err.to_string().split(':').next(), Some("rules[2].template"));
    }

    #[test]
    fn validation_finds_every_problem() {
        let mut rs = set(vec![
            rule("a", Trigger::Issued, "{window}"),
            rule("a", Trigger::PeopleAhead { n: 0 }, "{ticket}"),
            Rule {
                matter_ids: vec![" ".into()],
                ..rule("c", Trigger::AppointmentHeadsUp { minutes_before: 0 }, "x")
            },
        ]);
        rs.quiet_hours = Some(QuietHours { start: t("08:00"), end: t("08:00") });
        rs.daily_cap_per_citizen = 0;
        let fields: Vec<_> = rs.problems().iter().map(|e| e.field().unwrap().to_owned()).collect();
        assert_eq!(
            fields,
            [
                "rules[0].template",
                "rules[1].id",
                "rules[1].trigger.n",
                "rules[2].trigger.minutesBefore",
                "rules[2].matterIds[0]",
                "quietHours",
                "dailyCapPerCitizen"
            ]
        );
        assert_eq!(rs.problems()[0].code(), "sms.template_placeholder_unavailable");
    }

    #[test]
    fn matching_respects_enabled_and_matters() {
        let mut only_tax = rule("tax", Trigger::PeopleAhead { n: 3 }, "{ticket}");
        only_tax.matter_ids = vec!["tax".into()];
        let mut off = rule("off", Trigger::PeopleAhead { n: 3 }, "{ticket}");
        off.enabled = false;
        let rs = set(vec![only_tax, off, rule("all", Trigger::PeopleAhead { n: 3 }, "{ticket}")]);
        let trig = Trigger::PeopleAhead { n: 3 };
        let ids: Vec<_> = rs.matching(&trig, "tax").map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["tax", "all"]);
        let ids: Vec<_> = rs.matching(&trig, "permit").map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["all"]);
    }
}
