//! The hall's SMS reminder rules (短信提醒规则), kept on the desktop and delivered to the server
//! inside the hall configuration (`HallConfig::sms`, see [`Store::hall_config`]).
//!
//! One JSON document under the settings key `sms.rules`. Unlike the other settings it is a change
//! to the hall — it decides what citizens receive — so a save is audited (`sms_rules.update`, before and
//! after). Validation is `hallkeeper-sms`'s own (`RuleSetExt::problems`), the same the server
//! applies when the configuration arrives, so a rule set the desktop saved is never refused there.

use super::{snapshot, Change, Store};
use crate::access::Actor;
use crate::error::{Error, Rejection, Result};
use hallkeeper_proto::SmsRuleSet;
use hallkeeper_sms::RuleSetExt as _;
use rusqlite::{params, OptionalExtension};

/// The settings key of the rule set.
pub const SMS_RULES_KEY: &str = "sms.rules";

/// The audit log's action for a save.
pub const SMS_RULES_ACTION: &str = "sms_rules.update";

/// Every problem of `rules`, each naming its field (`rules[2].template`), as the UI shows them.
pub fn sms_rule_problems(rules: &SmsRuleSet) -> Vec<Rejection> {
    rules.problems().into_iter().map(Rejection::from).collect()
}

fn read_rules(c: &rusqlite::Connection) -> Result<Option<SmsRuleSet>> {
    let text: Option<String> =
        c.query_row("SELECT value FROM settings WHERE key = ?1", [SMS_RULES_KEY], |r| r.get(0)).optional()?;
    text.map(|t| {
        serde_json::from_str(&t)
            .map_err(|e| Error::Corrupt(format!("the saved SMS rules ({SMS_RULES_KEY}) are unreadable: {e}")))
    })
    .transpose()
}

impl Store {
    /// The saved rule set; None when the hall never set one up (the server then sends nothing).
    pub fn sms_rules(&self) -> Result<Option<SmsRuleSet>> {
        self.read(read_rules)
    }

    /// Validates and saves the rule set (whitespace around names and templates trimmed; a rule
    /// without an id gets one), audited. Refused with the first problem, at its field.
    pub fn set_sms_rules(&self, actor: &(impl Actor + ?Sized), rules: &SmsRuleSet) -> Result<SmsRuleSet> {
        let mut rules = rules.clone();
        for rule in &mut rules.rules {
            rule.name = rule.name.trim().to_owned();
            rule.template = rule.template.trim().to_owned();
            rule.id = rule.id.trim().to_owned();
            rule.matter_ids.dedup();
        }
        self.write(actor, |w| {
            for rule in rules.rules.iter_mut().filter(|r| r.id.is_empty()) {
                rule.id = format!("rule-{}", w.new_id());
            }
            if let Some(problem) = rules.problems().into_iter().next() {
                return Err(Rejection::from(problem).into());
            }
            let before = read_rules(&w.tx)?;
            if before.as_ref() == Some(&rules) {
                return Ok(());
            }
            let json = serde_json::to_string(&rules)
                .map_err(|e| Error::Corrupt(format!("cannot write the SMS rules: {e}")))?;
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![SMS_RULES_KEY, json],
            )?;
            w.record_ops([(
                super::outbox::Entity::SmsRules,
                crate::sync::HALL_KEY.to_owned(),
                super::outbox::document(&rules)?,
            )])?;
            let enabled = rules.rules.iter().filter(|r| r.enabled).count();
            w.audit(Change {
                action: SMS_RULES_ACTION,
                entity_type: "sms_rules",
                entity_id: None,
                summary: format!(
                    "短信提醒规则：{} 条（启用 {enabled} 条），每人每日上限 {}",
                    rules.rules.len(),
                    rules.daily_cap_per_citizen
                ),
                before: before.as_ref().map(snapshot).transpose()?,
                after: Some(snapshot(&rules)?),
            })
        })?;
        Ok(rules)
    }
}
