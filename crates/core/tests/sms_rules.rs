//! SMS reminder rules in the desktop store: saved under `sms.rules`, validated as the server
//! validates them (refusals name their field), audited, and sent with the hall configuration.

mod common;

use common::*;
use hallkeeper_core::proto::{Locale, QuietHours, SmsRule, SmsRuleSet, SmsTrigger};
use hallkeeper_core::store::{queue_settings, SMS_RULES_ACTION};

fn rule(id: &str, trigger: SmsTrigger, template: &str) -> SmsRule {
    SmsRule {
        id: id.into(),
        name: format!("规则 {id}"),
        trigger,
        template: template.into(),
        enabled: true,
        matter_ids: vec![],
    }
}

fn typical() -> SmsRuleSet {
    SmsRuleSet {
        rules: vec![
            rule("issued", SmsTrigger::Issued, "您已取号{ticket}，前面{ahead}人，约{wait_min}分钟"),
            rule("ahead3", SmsTrigger::PeopleAhead { n: 3 }, "{ticket}号前面还有{ahead}人，请回到{hall}"),
        ],
        quiet_hours: Some(QuietHours { start: "21:00".parse().unwrap(), end: "07:30".parse().unwrap() }),
        daily_cap_per_citizen: 5,
    }
}

#[test]
fn none_until_saved_then_round_trips_and_rides_in_the_hall_config() {
    let (store, _) = store();
    assert_eq!(store.sms_rules().unwrap(), None);
    assert_eq!(store.hall_config(queue_settings()).unwrap().sms, None);

    let saved = store.set_sms_rules(ACTOR, &typical()).unwrap();
    assert_eq!(saved, typical());
    assert_eq!(store.sms_rules().unwrap(), Some(typical()));
    assert_eq!(store.hall_config(queue_settings()).unwrap().sms, Some(typical()));
}

#[test]
fn names_and_templates_are_trimmed_and_missing_ids_filled() {
    let (store, _) = store();
    let mut rs = typical();
    rs.rules[0].id = " ".into();
    rs.rules[0].name = "  取号提醒 ".into();
    rs.rules[1].template = " {ticket}号快到了 \n".into();
    let saved = store.set_sms_rules(ACTOR, &rs).unwrap();
    assert!(saved.rules[0].id.starts_with("rule-"), "{:?}", saved.rules[0].id);
    assert_eq!(saved.rules[0].name, "取号提醒");
    assert_eq!(saved.rules[1].template, "{ticket}号快到了");
    assert_eq!(store.sms_rules().unwrap(), Some(saved));
}

#[test]
fn refusals_name_the_field_and_keep_the_old_rules() {
    let (store, _) = store();
    store.set_sms_rules(ACTOR, &typical()).unwrap();

    let mut bad = typical();
    bad.rules[1].template = "请到{windw}号".into();
    let e = store.set_sms_rules(ACTOR, &bad).unwrap_err();
    let zh = e.to_body(Locale::ZhCn);
    assert_eq!(
        (zh.code.as_str(), zh.field.as_deref()),
        ("sms.template_unknown_placeholder", Some("rules[1].template"))
    );
    assert!(zh.message.contains("{windw}") && zh.message.contains("第 3 个字"), "{}", zh.message);
    let en = e.to_body(Locale::EnUs);
    assert!(en.message.contains("{windw}") && en.message.contains("character 3"), "{}", en.message);

    // {window} is not known when a ticket is issued.
    let mut bad = typical();
    bad.rules[0].template = "请到{window}号窗口".into();
    let e = store.set_sms_rules(ACTOR, &bad).unwrap_err().to_body(Locale::ZhCn);
    assert_eq!(
        (e.code.as_str(), e.field.as_deref()),
        ("sms.template_placeholder_unavailable", Some("rules[0].template"))
    );
    assert!(e.message.contains("取号成功") && e.message.contains("{window}"), "{}", e.message);

    for (change, code, field) in [
        (
            (|rs: &mut SmsRuleSet| rs.rules[1].trigger = SmsTrigger::PeopleAhead { n: 0 })
                as fn(&mut SmsRuleSet),
            "sms.rule_invalid",
            "rules[1].trigger.n",
        ),
        (|rs| rs.daily_cap_per_citizen = 0, "sms.rule_invalid", "dailyCapPerCitizen"),
        (|rs| rs.rules[1].id = "issued".into(), "sms.rule_invalid", "rules[1].id"),
        (|rs| rs.rules[0].template = "  ".into(), "sms.template_empty", "rules[0].template"),
        (
            |rs| {
                rs.quiet_hours =
                    Some(QuietHours { start: "08:00".parse().unwrap(), end: "08:00".parse().unwrap() })
            },
            "sms.rule_invalid",
            "quietHours",
        ),
        (
            |rs| rs.rules[0].trigger = SmsTrigger::AppointmentHeadsUp { minutes_before: 0 },
            "sms.rule_invalid",
            "rules[0].trigger.minutesBefore",
        ),
    ] {
        let mut rs = typical();
        change(&mut rs);
        let e = store.set_sms_rules(ACTOR, &rs).unwrap_err().to_body(Locale::ZhCn);
        assert_eq!((e.code.as_str(), e.field.as_deref()), (code, Some(field)), "{}", e.message);
        assert!(!e.message.is_empty());
    }
    assert_eq!(store.sms_rules().unwrap(), Some(typical()), "a refused save changes nothing");
}

#[test]
fn a_save_is_audited_with_before_and_after_and_an_unchanged_save_is_not() {
    let (store, _) = store();
    store.set_sms_rules(ACTOR, &typical()).unwrap();
    let mut second = typical();
    second.rules[1].enabled = false;
    store.set_sms_rules(ACTOR, &second).unwrap();
    store.set_sms_rules(ACTOR, &second).unwrap();

    let page = store.list_audit(10, None).unwrap();
    let sms: Vec<_> = page.entries.iter().filter(|e| e.action == SMS_RULES_ACTION).collect();
    assert_eq!(sms.len(), 2, "{sms:#?}");
    assert_eq!(sms[0].actor, ACTOR);
    assert!(sms[0].summary.contains("启用 1 条"), "{}", sms[0].summary);
    let entry = serde_json::to_value(sms[0]).unwrap();
    assert!(entry.to_string().contains("ahead3"), "the audit keeps the rules: {entry}");
}
