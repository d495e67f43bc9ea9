//! The service-star rule (settings key `stars.rule`, an audited change to the hall) and each
//! month's stars, ranked from the month's staff report (see [`crate::stars`]).

use super::outbox::Entity;
use super::{snapshot, Change, Store};
use crate::access::Actor;
use crate::clock::hall_date;
use crate::error::{Code, Error, Rejection, Result};
use crate::reports::{Dimension, Period};
use crate::stars::{self, MonthlyStars, StarMonth, StarRule};
use crate::sync::row_values;
use chrono::Datelike;
use rusqlite::{params, OptionalExtension};

/// The settings key of the rule.
pub const STAR_RULE_KEY: &str = "stars.rule";

/// The audit log's action for a save.
pub const STAR_RULE_ACTION: &str = "stars.rule_update";

fn read_rule(c: &rusqlite::Connection) -> Result<Option<StarRule>> {
    let text: Option<String> =
        c.query_row("SELECT value FROM settings WHERE key = ?1", [STAR_RULE_KEY], |r| r.get(0)).optional()?;
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| {
            Error::Corrupt(format!("the saved service-star rule ({STAR_RULE_KEY}) is unreadable: {e}"))
        })
    })
    .transpose()
}

impl Store {
    /// The saved rule, or the default one (at least 50 served and 10 ratings; good rate ↓,
    /// served ↓, poor ↑; three stars).
    pub fn star_rule(&self) -> Result<StarRule> {
        Ok(self.read(read_rule)?.unwrap_or_default())
    }

    /// Validates and saves the rule, audited; refused at the first problem's field.
    pub fn set_star_rule(&self, actor: &(impl Actor + ?Sized), rule: &StarRule) -> Result<StarRule> {
        stars::validate(rule)?;
        self.write(actor, |w| {
            let before = read_rule(&w.tx)?;
            if before.as_ref() == Some(rule) {
                return Ok(());
            }
            let json = serde_json::to_string(rule)
                .map_err(|e| Error::Corrupt(format!("cannot write the service-star rule: {e}")))?;
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![STAR_RULE_KEY, json],
            )?;
            w.record_ops([(
                super::outbox::Entity::StarRule,
                crate::sync::HALL_KEY.to_owned(),
                super::outbox::document(rule)?,
            )])?;
            w.audit(Change {
                action: STAR_RULE_ACTION,
                entity_type: "settings",
                entity_id: None,
                summary: format!(
                    "服务之星规则：至少服务 {} 件、评价 {} 条，每月 {} 名",
                    rule.min_services, rule.min_ratings, rule.top_n
                ),
                before: before.as_ref().map(snapshot).transpose()?,
                after: Some(snapshot(rule)?),
            })
        })?;
        Ok(rule.clone())
    }

    /// The stars of a month (1–12) by the saved rule, with names and departments.
    pub fn monthly_stars(&self, year: i32, month: u32) -> Result<MonthlyStars> {
        let period = Period::month(year, month).map_err(|_| {
            Rejection::new(Code::StarMonthInvalid).field("month").arg("year", year).arg("month", month)
        })?;
        let rule = self.star_rule()?;
        let table = self.report(period, Dimension::Staff)?;
        let mut ranked = stars::rank(&table, &rule);
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT d.name FROM staff s JOIN departments d ON d.id = s.department_id WHERE s.id = ?1",
            )?;
            let mut no = c.prepare_cached("SELECT employee_no FROM staff WHERE id = ?1")?;
            // Where they sit today: the display and the pads show the window, not the id.
            let mut seat = c.prepare_cached(
                "SELECT w.number FROM seats s JOIN windows w ON w.id = s.window_id
                  WHERE s.date = ?1 AND s.staff_id = ?2 ORDER BY w.position, w.number LIMIT 1",
            )?;
            let today = hall_date(self.clock.now()).to_string();
            for star in &mut ranked {
                star.department = st.query_row([&star.staff_id], |r| r.get(0)).optional()?;
                star.employee_no = no.query_row([&star.staff_id], |r| r.get(0)).optional()?;
                star.window_number =
                    seat.query_row(params![today, star.staff_id], |r| r.get(0)).optional()?;
            }
            Ok(())
        })?;
        Ok(MonthlyStars { year, month, stars: ranked, rule })
    }

    /// Publishes the hall month's stars (now, hall time) to the server as a `star_month`
    /// operation (key `YYYY-MM`, docs/sync.md) when they differ from what this PC last synced
    /// or queued, so the browser hall display and the rating pads show what the desktop ranks;
    /// the server never ranks. Written as the store's own change, for the person signed in (the
    /// rule of a case opened for a pulled poor rating). Answers whether an operation was
    /// written; none while nobody is signed in here or the person's role cannot publish
    /// (`cases.work`, as the server checks it). Called after every pull (crates/client `pull_all`): ratings, events or the
    /// rule may have moved the ranking.
    pub fn publish_star_month(&self) -> Result<bool> {
        if !self.publishes_stars.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(false);
        }
        let today = hall_date(self.clock.now());
        let monthly = self.monthly_stars(today.year(), today.month())?;
        let key = format!("{:04}-{:02}", today.year(), today.month());
        let doc = StarMonth { month: key.clone(), stars: monthly.stars };
        let change = super::outbox::document(&doc)?;
        let document = change.pointer("/fields/document").cloned();
        self.write_quietly("sync", |w| {
            let row = w.effective_row(Entity::StarMonth, &key)?;
            let held = row_values(Entity::StarMonth, &row).and_then(|v| v.get("document").cloned());
            let same = match &held {
                Some(held) => Some(held) == document.as_ref(),
                // Nothing published yet and no star to show: nothing to say.
                None => doc.stars.is_empty(),
            };
            if same {
                return Ok(false);
            }
            w.record_ops([(Entity::StarMonth, key, change)])?;
            Ok(true)
        })
    }
}
