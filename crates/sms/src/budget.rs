//! How many messages a rule set can send one citizen in a day, against the providers' limits.
//!
//! A provider that hits its per-number limit silently stops delivering the reminder that matters
//! most (usually the last one, "your number is called"), so the editor warns before the rule set
//! is saved rather than the hall finding out from a citizen who missed a turn.

use std::collections::HashMap;

use serde::Serialize;

use crate::rules::{RuleSet, Trigger};
use hallkeeper_proto::{SmsBudget, SmsBudgetWarning, SmsLimitKind, SmsProviderKind};

/// Tencent Cloud SMS default frequency limits for mainland messages (configurable per
/// application by an organisation account in the console).
///
/// Published defaults, as found: tencentcloud.com/document/product/382/13303 (FAQ "Security",
/// updated 2024-05-27) — "For SMS messages with the same content, a maximum of one such message can
/// be sent to the same mobile number within 30 seconds. A maximum of 2 messages can be sent to the
/// same mobile number on a calendar day." An older copy of the same page (jp locale) says 10 per
/// calendar day. The issue asks for 2, which matches the current English page, so 2 is the default.
/// The API reports these as `LimitExceeded.PhoneNumberThirtySecondLimit` and
/// `LimitExceeded.PhoneNumberDailyLimit` (and `…OneHourLimit` when an hourly limit is set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TencentLimits {
    pub same_content_per_30s: u32,
    pub per_number_per_day: u32,
}

impl Default for TencentLimits {
    fn default() -> Self {
        TencentLimits { same_content_per_30s: 1, per_number_per_day: 2 }
    }
}

/// Alibaba Cloud SMS (dysmsapi) flow control for mainland messages.
///
/// Published (help.aliyun.com/en/sms/user-guide/message-rules and the SendSms error table for
/// `isv.BUSINESS_LIMIT_CONTROL`): notification messages — same signature, same template, same
/// number — 50 per day; verification codes — same signature, same number — 1 per minute, 5 per
/// hour, 10 per day by default (at most 40 a day per number across the platform). Alibaba's "day"
/// is a rolling 24 hours, not the calendar day. Reminders are notification messages, so only the
/// first field applies to them; the others are here so that a hall which registered its template
/// as a verification code (it happens) can be warned with the right figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlibabaLimits {
    pub notification_per_template_per_number_per_day: u32,
    pub verification_per_number_per_minute: u32,
    pub verification_per_number_per_hour: u32,
    pub verification_per_number_per_day: u32,
}

impl Default for AlibabaLimits {
    fn default() -> Self {
        AlibabaLimits {
            notification_per_template_per_number_per_day: 50,
            verification_per_number_per_minute: 1,
            verification_per_number_per_hour: 5,
            verification_per_number_per_day: 10,
        }
    }
}

/// The worst case the estimate assumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assumptions {
    /// Tickets (and appointments) one citizen takes in a day; people do queue for two matters.
    pub tickets_per_citizen_per_day: u32,
    /// Times one ticket is called; windows re-call (重呼) a ticket nobody answered.
    pub calls_per_ticket: u32,
}

impl Default for Assumptions {
    fn default() -> Self {
        Assumptions { tickets_per_citizen_per_day: 2, calls_per_ticket: 1 }
    }
}

fn fires_per_ticket(trigger: &Trigger, a: &Assumptions) -> u32 {
    match trigger {
        // Each of these crosses its moment once per ticket.
        Trigger::Issued
        | Trigger::PeopleAhead { .. }
        | Trigger::Missed
        | Trigger::AppointmentHeadsUp { .. } => 1,
        Trigger::Called => a.calls_per_ticket,
    }
}

/// The worst case of `rules` under `assumptions`, with a warning for every default limit it
/// exceeds.
pub fn estimate(
    rules: &RuleSet,
    assumptions: &Assumptions,
    tencent: &TencentLimits,
    alibaba: &AlibabaLimits,
) -> SmsBudget {
    let enabled: Vec<_> = rules.rules.iter().filter(|r| r.enabled).collect();
    let k = assumptions.tickets_per_citizen_per_day;
    let per_ticket: u32 = enabled.iter().map(|r| fires_per_ticket(&r.trigger, assumptions)).sum();
    let uncapped = per_ticket.saturating_mul(k);
    let cap = rules.daily_cap_per_citizen;
    let per_day = uncapped.min(cap);
    let mut warnings = Vec::new();

    if per_day > tencent.per_number_per_day {
        warnings.push(SmsBudgetWarning {
            provider: SmsProviderKind::Tencent,
            limit_kind: SmsLimitKind::PerNumberPerDay,
            limit: tencent.per_number_per_day,
            implied: per_day,
            rule_ids: vec![],
        });
    }

    // Identical text within 30 s: two enabled rules with the same trigger and template fire
    // together; a re-called ticket with a window-only template repeats itself too.
    let mut same: HashMap<(&Trigger, &str), Vec<String>> = HashMap::new();
    for r in &enabled {
        same.entry((&r.trigger, r.template.as_str())).or_default().push(r.id.clone());
    }
    let mut groups: Vec<_> =
        same.into_values().filter(|ids| ids.len() as u32 > tencent.same_content_per_30s).collect();
    groups.sort();
    for ids in groups {
        warnings.push(SmsBudgetWarning {
            provider: SmsProviderKind::Tencent,
            limit_kind: SmsLimitKind::SameContentWithin30s,
            limit: tencent.same_content_per_30s,
            implied: ids.len() as u32,
            rule_ids: ids,
        });
    }

    // Each rule is its own provider template, so Alibaba's per-template limit is per rule.
    for r in &enabled {
        let implied = fires_per_ticket(&r.trigger, assumptions).saturating_mul(k).min(cap);
        if implied > alibaba.notification_per_template_per_number_per_day {
            warnings.push(SmsBudgetWarning {
                provider: SmsProviderKind::Alibaba,
                limit_kind: SmsLimitKind::PerTemplatePerNumberPerDay,
                limit: alibaba.notification_per_template_per_number_per_day,
                implied,
                rule_ids: vec![r.id.clone()],
            });
        }
    }

    SmsBudget { per_ticket, per_citizen_per_day_uncapped: uncapped, per_citizen_per_day: per_day, warnings }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::tests::rule;
    use crate::rules::Rule;

    fn typical() -> RuleSet {
        RuleSet {
            rules: vec![
                rule("issued", Trigger::Issued, "您已取号{ticket}"),
                rule("ahead3", Trigger::PeopleAhead { n: 3 }, "前面还有{ahead}人"),
                rule("called", Trigger::Called, "请到{window}号窗口"),
                rule("missed", Trigger::Missed, "您的号{ticket}已过号"),
                Rule { enabled: false, ..rule("off", Trigger::Issued, "x") },
            ],
            quiet_hours: None,
            daily_cap_per_citizen: 10,
        }
    }

    #[test]
    fn counts_each_enabled_trigger_once_per_ticket() {
        let b = estimate(
            &typical(),
            &Assumptions::default(),
            &TencentLimits::default(),
            &AlibabaLimits::default(),
        );
        assert_eq!(b.per_ticket, 4);
        assert_eq!(b.per_citizen_per_day_uncapped, 8);
        assert_eq!(b.per_citizen_per_day, 8);
        assert_eq!(
            b.warnings,
            vec![SmsBudgetWarning {
                provider: SmsProviderKind::Tencent,
                limit_kind: SmsLimitKind::PerNumberPerDay,
                limit: 2,
                implied: 8,
                rule_ids: vec![],
            }]
        );
    }

    #[test]
    fn cap_bounds_the_implied_value() {
        let mut rs = typical();
        rs.daily_cap_per_citizen = 2;
        let b = estimate(&rs, &Assumptions::default(), &TencentLimits::default(), &AlibabaLimits::default());
        assert_eq!(b.per_citizen_per_day, 2);
        assert!(b.warnings.is_empty());
    }

    #[test]
    fn alibaba_per_template_and_same_content() {
        let mut rs = typical();
        rs.rules.push(rule("called-again", Trigger::Called, "请到{window}号窗口"));
        rs.daily_cap_per_citizen = 100;
        let a = Assumptions { tickets_per_citizen_per_day: 20, calls_per_ticket: 3 };
        let b = estimate(
            &rs,
            &a,
            &TencentLimits { per_number_per_day: 100, ..Default::default() },
            &AlibabaLimits::default(),
        );
        let kinds: Vec<_> = b.warnings.iter().map(|w| (w.provider, w.limit_kind, w.implied)).collect();
        assert_eq!(
            kinds,
            vec![
                (SmsProviderKind::Tencent, SmsLimitKind::SameContentWithin30s, 2),
                (SmsProviderKind::Alibaba, SmsLimitKind::PerTemplatePerNumberPerDay, 60),
                (SmsProviderKind::Alibaba, SmsLimitKind::PerTemplatePerNumberPerDay, 60),
            ]
        );
        assert_eq!(b.warnings[1].rule_ids, ["called"]);
    }
}
