//! When reminders are due: after the queue's events are stored (under the hall's lock, see
//! `halls.rs`), and periodically for appointment heads-ups. What fires once and why is in the
//! module docs of `crate::sms`.

use super::outbox::{enqueue_rule, Due, QuietPolicy, RowPhone, Subject, QUEUE_REMINDER_LIFETIME};
use super::SmsService;
use crate::appointments::{hall_day, slot_instant};
use crate::storage::sms::NewTicketPhone;
use crate::storage::{Storage, StorageResult};
use crate::AppState;
use chrono::NaiveDate;
use chrono::{DateTime, Duration, Utc};
use hallkeeper_proto::{
    AppointmentState, Hall, HallConfig, SmsTrigger, TicketEvent, TicketEventKind, TicketState, WindowState,
};
use hallkeeper_queue::{people_ahead, service_time, HallQueue};
use hallkeeper_sms::rules::{RuleExt as _, RuleSetExt as _};
use hallkeeper_sms::template::Placeholder;
use hallkeeper_sms::{Phone, TemplateValues};
use std::collections::HashSet;

/// What the triggers read of a hall's live state, lent by its runtime (`crate::halls`) under
/// the hall's lock.
#[derive(Clone, Copy)]
pub struct HallView<'a> {
    pub hall: &'a Hall,
    pub config: &'a HallConfig,
    pub queue: &'a HallQueue,
    pub day: NaiveDate,
}

/// Service minutes assumed before any ticket of the day has finished.
const DEFAULT_SERVICE_MINUTES: f64 = 5.0;

/// Keeps the phone given with a ticket just issued (the queue has applied the `Issued` event,
/// storage not yet: the `issued` rules fire once it is stored). Sealed here; never stored clear.
pub async fn register_ticket_phone(
    sms: &SmsService,
    storage: &dyn Storage,
    rt: &HallView<'_>,
    ticket_id: &str,
    phone: &Phone,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let sealed = match sms.cipher().seal(phone) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(hall = %rt.hall.id, phone = %phone, "SMS phone not sealed, no reminders: {e}");
            return Ok(());
        }
    };
    let ahead = people_ahead(&rt.queue, ticket_id).unwrap_or(0);
    storage
        .sms()
        .put_ticket_phone(&NewTicketPhone {
            hall_id: rt.hall.id.clone(),
            ticket_id: ticket_id.to_owned(),
            day: rt.day,
            ahead_at_issue: ahead,
            phone_sealed: sealed,
            phone_hash: sms.cipher().lookup_hash(phone),
            phone_masked: phone.masked(),
            created_at: now,
        })
        .await
}

/// Evaluates the hall's rules after `events` were stored. Failures are logged, never returned:
/// the events are stored and answered whatever happens to their reminders.
pub async fn after_events(
    sms: &SmsService,
    storage: &dyn Storage,
    rt: &HallView<'_>,
    events: &[TicketEvent],
) {
    let Some(rules) = rt.config.sms.as_ref() else { return };
    if !rules.rules.iter().any(|r| r.enabled) || events.is_empty() {
        return;
    }
    if let Err(e) = evaluate(sms, storage, rt, events).await {
        tracing::error!(hall = %rt.hall.id, "SMS reminders not evaluated: {e}");
    }
}

/// Estimated wait in minutes for `ahead` people in `matter_id`'s queue: the day's mean service
/// time (or [`DEFAULT_SERVICE_MINUTES`]) per person, shared by the matter's open windows.
fn wait_minutes(rt: &HallView<'_>, matter_id: &str, ahead: u32) -> u32 {
    let times: Vec<f64> = rt
        .queue
        .tickets()
        .into_iter()
        .filter_map(service_time)
        .map(|d| d.num_seconds() as f64 / 60.0)
        .collect();
    let mean = if times.is_empty() {
        DEFAULT_SERVICE_MINUTES
    } else {
        times.iter().sum::<f64>() / times.len() as f64
    };
    let open = rt
        .config
        .bindings
        .iter()
        .filter(|b| b.matter_id == matter_id)
        .filter(|b| rt.config.windows.iter().any(|w| w.id == b.window_id && w.state == WindowState::Open))
        .count()
        .max(1);
    (f64::from(ahead) * mean / open as f64).ceil() as u32
}

fn base_values(rt: &HallView<'_>, matter_id: &str) -> TemplateValues {
    let matter =
        rt.config.matters.iter().find(|m| m.id == matter_id).map(|m| m.name.clone()).unwrap_or_default();
    TemplateValues::new().with(Placeholder::Matter, matter).with(Placeholder::Hall, rt.hall.name.clone())
}

fn window_number(rt: &HallView<'_>, window_id: &str) -> String {
    rt.config
        .windows
        .iter()
        .find(|w| w.id == window_id)
        .map_or_else(|| window_id.to_owned(), |w| w.number.clone())
}

async fn evaluate(
    sms: &SmsService,
    storage: &dyn Storage,
    rt: &HallView<'_>,
    events: &[TicketEvent],
) -> StorageResult<()> {
    let Some(rules) = rt.config.sms.as_ref() else { return Ok(()) };
    let store = storage.sms();
    let now = events.last().map_or_else(Utc::now, |e| e.at);
    let hall_id = rt.hall.id.as_str();
    for e in events {
        let (trigger, window_id) = match &e.kind {
            TicketEventKind::Issued { .. } => (SmsTrigger::Issued, None),
            TicketEventKind::Called { window_id } => (SmsTrigger::Called, Some(window_id)),
            TicketEventKind::NoShow { window_id, .. } => (SmsTrigger::Missed, Some(window_id)),
            _ => continue,
        };
        let Some(ticket) = rt.queue.ticket(&e.ticket_id) else { continue };
        if rules.matching(&trigger, &ticket.matter_id).next().is_none() {
            continue;
        }
        let Some(phone) = store.ticket_phone(hall_id, &ticket.id).await? else { continue };
        let Some(sealed) = phone.phone_sealed else { continue };
        let mut values = base_values(rt, &ticket.matter_id).with(Placeholder::Ticket, ticket.number.clone());
        if let Some(w) = window_id {
            values.set(Placeholder::Window, window_number(rt, w));
        }
        let ahead = people_ahead(&rt.queue, &ticket.id).unwrap_or(0);
        values.set(Placeholder::Ahead, ahead.to_string());
        values.set(Placeholder::WaitMin, wait_minutes(rt, &ticket.matter_id, ahead).to_string());
        for rule in rules.matching(&trigger, &ticket.matter_id) {
            let due = Due {
                hall_id,
                subject: Subject::Ticket(ticket.id.clone()),
                phone: RowPhone::Sealed {
                    sealed: sealed.clone(),
                    hash: phone.phone_hash.clone(),
                    masked: phone.phone_masked.clone(),
                },
                now,
                expires_at: now + QUEUE_REMINDER_LIFETIME,
                quiet: QuietPolicy::Skip,
            };
            enqueue_rule(sms, store, rules, rule, &values, due).await?;
        }
    }

    // People ahead: any event can move a waiting ticket forward (a call, a no-show, a transfer
    // out, a window reopening), so every waiting ticket with a phone is looked at after each.
    let ahead_rules: Vec<_> = rules
        .rules
        .iter()
        .filter(|r| r.enabled)
        .filter_map(|r| match r.trigger {
            SmsTrigger::PeopleAhead { n } => Some((r, n)),
            _ => None,
        })
        .collect();
    if ahead_rules.is_empty() {
        return Ok(());
    }
    let phones = store.ticket_phones(hall_id, rt.day).await?;
    if phones.is_empty() {
        return Ok(());
    }
    let fired: HashSet<(String, String)> = store.outbox_keys(hall_id, rt.day).await?.into_iter().collect();
    for p in phones {
        let Some(ticket) = rt.queue.ticket(&p.ticket_id).filter(|t| t.state == TicketState::Waiting) else {
            continue;
        };
        let subject = Subject::ticket_key(&ticket.id);
        let due_rules: Vec<_> = ahead_rules
            .iter()
            .filter(|(r, n)| p.ahead_at_issue > *n && r.applies_to_matter(&ticket.matter_id))
            .filter(|(r, _)| !fired.contains(&(subject.clone(), r.id.clone())))
            .collect();
        if due_rules.is_empty() {
            continue;
        }
        let Some(ahead) = people_ahead(&rt.queue, &ticket.id) else { continue };
        let Some(sealed) = p.phone_sealed.clone() else { continue };
        let values = base_values(rt, &ticket.matter_id)
            .with(Placeholder::Ticket, ticket.number.clone())
            .with(Placeholder::Ahead, ahead.to_string())
            .with(Placeholder::WaitMin, wait_minutes(rt, &ticket.matter_id, ahead).to_string());
        for (rule, n) in due_rules {
            if ahead > *n {
                continue;
            }
            let due = Due {
                hall_id,
                subject: Subject::Ticket(ticket.id.clone()),
                phone: RowPhone::Sealed {
                    sealed: sealed.clone(),
                    hash: p.phone_hash.clone(),
                    masked: p.phone_masked.clone(),
                },
                now,
                expires_at: now + QUEUE_REMINDER_LIFETIME,
                quiet: QuietPolicy::Skip,
            };
            enqueue_rule(sms, store, rules, rule, &values, due).await?;
        }
    }
    Ok(())
}

/// Heads-ups for bookings with a phone whose slot starts within a rule's `minutesBefore`: run
/// periodically (every 30 s); each (booking, rule) goes once, deferred past quiet hours if the
/// slot is still ahead then.
pub async fn appointment_heads_up(state: &AppState, now: DateTime<Utc>) -> StorageResult<()> {
    let Some(sms) = state.sms.as_deref() else { return Ok(()) };
    let store = state.storage.sms();
    for hall in state.storage.halls().await? {
        let Some(config) = state.storage.config(&hall.id).await? else { continue };
        let Some(rules) = config.sms.as_ref() else { continue };
        let heads_up: Vec<_> = rules
            .rules
            .iter()
            .filter(|r| r.enabled)
            .filter_map(|r| match r.trigger {
                SmsTrigger::AppointmentHeadsUp { minutes_before } => Some((r, minutes_before)),
                _ => None,
            })
            .collect();
        let Some(longest) = heads_up.iter().map(|(_, m)| *m).max() else { continue };
        let mut days = vec![hall_day(now)];
        let last = hall_day(now + Duration::minutes(i64::from(longest)));
        if last != days[0] {
            days.push(last);
        }
        for day in days {
            for appt in state.storage.appointments(&hall.id, day).await? {
                if appt.state != AppointmentState::Booked {
                    continue;
                }
                let Some(phone) = appt.phone.as_deref().and_then(|p| sms.open_booking_phone(p)) else {
                    continue;
                };
                let starts = slot_instant(appt.day, &appt.start);
                if now >= starts {
                    continue;
                }
                let matter = config
                    .matters
                    .iter()
                    .find(|m| m.id == appt.matter_id)
                    .map(|m| m.name.clone())
                    .unwrap_or_default();
                let values = TemplateValues::new()
                    .with(Placeholder::Matter, matter)
                    .with(Placeholder::Hall, hall.name.clone());
                for (rule, minutes) in &heads_up {
                    if !rule.applies_to_matter(&appt.matter_id)
                        || now < starts - Duration::minutes(i64::from(*minutes))
                    {
                        continue;
                    }
                    let due = Due {
                        hall_id: &hall.id,
                        subject: Subject::Appointment(appt.id.clone()),
                        phone: RowPhone::Clear(&phone),
                        now,
                        expires_at: starts,
                        quiet: QuietPolicy::Defer,
                    };
                    enqueue_rule(sms, store, rules, rule, &values, due).await?;
                }
            }
        }
    }
    Ok(())
}
