//! Making outbox rows: the text rendered, the number sealed, quiet hours applied (the cap is
//! applied by storage, in the insert's transaction).

use super::SmsService;
use crate::appointments::hall_day;
use crate::storage::sms::{Enqueued, NewOutboxRow, SmsStorage};
use crate::storage::StorageResult;
use chrono::{DateTime, Duration, FixedOffset, Utc};
use hallkeeper_proto::{ClockTime, SmsDeliveryStatus, SmsRule, SmsRuleSet};
use hallkeeper_sms::rules::{RuleSetExt as _, TriggerExt as _};
use hallkeeper_sms::{Phone, Template, TemplateValues};

/// How long a queue reminder stays worth sending after it was due.
pub const QUEUE_REMINDER_LIFETIME: Duration = Duration::minutes(15);

/// What quiet hours do to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuietPolicy {
    /// Stored as `skipped_quiet_hours` (queue reminders: useless later).
    Skip,
    /// Sent when the quiet hours end, if that is before `expires_at` (appointment heads-ups).
    Defer,
}

/// Whom a row is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Ticket(String),
    Appointment(String),
    Test(String),
}

impl Subject {
    fn key(&self) -> String {
        match self {
            Subject::Ticket(id) => format!("ticket:{id}"),
            Subject::Appointment(id) => format!("appointment:{id}"),
            Subject::Test(id) => format!("test:{id}"),
        }
    }

    pub fn ticket_key(ticket_id: &str) -> String {
        Subject::Ticket(ticket_id.to_owned()).key()
    }
}

/// The phone of a row: the sealed number and hash as stored (a ticket's), or a number in clear
/// to seal now (a booking's, a test's).
pub enum RowPhone<'a> {
    Sealed { sealed: String, hash: Option<String>, masked: String },
    Clear(&'a Phone),
}

pub struct Due<'a> {
    pub hall_id: &'a str,
    pub subject: Subject,
    pub phone: RowPhone<'a>,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub quiet: QuietPolicy,
}

/// UTC+8, the hall's time all year (as the queue's days and the appointments').
const HALL_OFFSET: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The hall's local time of day.
pub fn hall_clock(t: DateTime<Utc>) -> ClockTime {
    ClockTime::from_naive(t.with_timezone(&HALL_OFFSET).time())
}

/// The first instant at or after `t` whose hall time is `end`.
fn next_hall_time(t: DateTime<Utc>, end: ClockTime) -> DateTime<Utc> {
    let now_min = i64::from(hall_clock(t).minutes_since_midnight());
    let end_min = i64::from(end.minutes_since_midnight());
    let wait = (end_min - now_min).rem_euclid(24 * 60);
    let t = t + Duration::minutes(wait);
    // Back to the whole minute, so the deferred row is due exactly at `end`.
    DateTime::from_timestamp(t.timestamp() - t.timestamp() % 60, 0).unwrap_or(t)
}

/// Renders `rule` with `values` and enqueues it for `due`; logs and skips a rule whose template
/// does not render (the configuration endpoint refuses those, so this is a corrupt store).
pub async fn enqueue_rule(
    sms: &SmsService,
    store: &dyn SmsStorage,
    rules: &SmsRuleSet,
    rule: &SmsRule,
    values: &TemplateValues,
    due: Due<'_>,
) -> StorageResult<Option<Enqueued>> {
    let rendered = Template::parse(&rule.template).and_then(|t| Ok((t.render(values)?, t.params(values)?)));
    let (body, params) = match rendered {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(hall = %due.hall_id, rule = %rule.id, "SMS rule not rendered: {e}");
            return Ok(None);
        }
    };
    let text = hallkeeper_sms::segments::signed_text(&sms.settings.sign_name, &body);
    let mut status = SmsDeliveryStatus::Pending;
    let mut next = due.now;
    if let Some(q) = rules.quiet_hours.filter(|_| rules.in_quiet_hours(hall_clock(due.now))) {
        match due.quiet {
            QuietPolicy::Skip => status = SmsDeliveryStatus::SkippedQuietHours,
            QuietPolicy::Defer => {
                next = next_hall_time(due.now, q.end);
                if next >= due.expires_at {
                    status = SmsDeliveryStatus::SkippedQuietHours;
                }
            }
        }
    }
    let row = new_row(sms, rule.id.clone(), rule.trigger.kind().to_owned(), params, text, status, next, due)?;
    let row = match row {
        Some(r) => NewOutboxRow { daily_cap: Some(rules.daily_cap_per_citizen), ..r },
        None => return Ok(None),
    };
    let done = store.enqueue(&row).await?;
    if let Enqueued::Inserted(s) = done {
        tracing::info!(hall = %row.hall_id, rule = %row.rule_id, subject = %row.subject, phone = %row.phone_masked, status = s.as_str(), "SMS reminder queued");
        if s == SmsDeliveryStatus::Pending {
            sms.wake();
        }
    }
    Ok(Some(done))
}

/// A row with its number sealed; None (logged) if sealing failed.
#[allow(clippy::too_many_arguments)]
pub fn new_row(
    sms: &SmsService,
    rule_id: String,
    trigger: String,
    params: Vec<(String, String)>,
    text: String,
    status: SmsDeliveryStatus,
    next_attempt_at: DateTime<Utc>,
    due: Due<'_>,
) -> StorageResult<Option<NewOutboxRow>> {
    let (sealed, hash, masked) = match due.phone {
        RowPhone::Sealed { sealed, hash, masked } => (sealed, hash, masked),
        RowPhone::Clear(p) => match sms.cipher().seal(p) {
            Ok(s) => (s, Some(sms.cipher().lookup_hash(p)), p.masked()),
            Err(e) => {
                tracing::error!(hall = %due.hall_id, phone = %p, "SMS phone not sealed: {e}");
                return Ok(None);
            }
        },
    };
    let (ticket_id, appointment_id) = match &due.subject {
        Subject::Ticket(id) => (Some(id.clone()), None),
        Subject::Appointment(id) => (None, Some(id.clone())),
        Subject::Test(_) => (None, None),
    };
    Ok(Some(NewOutboxRow {
        id: crate::ids::id_at(due.now),
        hall_id: due.hall_id.to_owned(),
        subject: due.subject.key(),
        ticket_id,
        appointment_id,
        rule_id,
        trigger,
        day: hall_day(due.now),
        phone_sealed: Some(sealed),
        phone_hash: hash,
        phone_masked: masked,
        params,
        text,
        status,
        next_attempt_at,
        expires_at: due.expires_at,
        created_at: due.now,
        daily_cap: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferral_lands_on_the_end_of_quiet_hours() {
        let t: DateTime<Utc> = "2026-11-25T14:10:30Z".parse().unwrap(); // 22:10:30 hall time
        let end: ClockTime = "07:00".parse().unwrap();
        assert_eq!(next_hall_time(t, end).to_rfc3339(), "2026-11-25T23:00:00+00:00");
        assert_eq!(hall_clock(t).to_string(), "22:10");
    }
}
