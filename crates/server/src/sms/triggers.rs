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
    AppointmentState, Hall, HallConfig, SmsRule, SmsRuleSet, SmsTrigger, Ticket, TicketEvent,
    TicketEventKind, TicketState,
};
use hallkeeper_queue::{people_ahead, HallQueue};
use hallkeeper_sms::rules::{RuleExt as _, RuleSetExt as _};
use hallkeeper_sms::template::Placeholder;
use hallkeeper_sms::{Phone, TemplateValues};
use std::collections::{BTreeMap, HashMap, HashSet};

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
    watch: &mut AheadWatch,
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
        .await?;
    watch.note_phone(ticket_id, ahead);
    Ok(())
}

/// Evaluates the hall's rules after `events` were stored. Failures are logged, never returned:
/// the events are stored and answered whatever happens to their reminders.
///
/// `changed` are the windows whose queue or state changed since the last evaluation (see
/// `HallQueue::take_changed_windows`): where people-ahead reminders can have become due.
pub async fn after_events(
    sms: &SmsService,
    storage: &dyn Storage,
    rt: &HallView<'_>,
    watch: &mut AheadWatch,
    changed: &[String],
    events: &[TicketEvent],
) {
    let Some(rules) = rt.config.sms.as_ref() else { return };
    if !rules.rules.iter().any(|r| r.enabled) || events.is_empty() {
        return;
    }
    if let Err(e) = evaluate(sms, storage, rt, watch, changed, events).await {
        tracing::error!(hall = %rt.hall.id, "SMS reminders not evaluated: {e}");
    }
}

/// Estimated wait in minutes for `ahead` people in `matter_id`'s queue: the day's mean service
/// time (or [`DEFAULT_SERVICE_MINUTES`]) per person, shared by the matter's open windows. O(b).
pub fn wait_minutes(queue: &HallQueue, matter_id: &str, ahead: u32) -> u32 {
    let served = queue.served();
    let mean = if served.tickets == 0 {
        DEFAULT_SERVICE_MINUTES
    } else {
        served.seconds as f64 / 60.0 / served.tickets as f64
    };
    let open = queue.open_windows_of(matter_id).max(1);
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
    watch: &mut AheadWatch,
    changed: &[String],
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
        values.set(Placeholder::WaitMin, wait_minutes(rt.queue, &ticket.matter_id, ahead).to_string());
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

    ahead_reminders(sms, storage, rt, watch, changed, rules, now).await
}

/// What the people-ahead rules remember between events, kept by the hall's runtime under its
/// lock: the day's ticket phones (with the people ahead when each was issued) and the reminders
/// already made. Read from storage once, at the first event after the runtime is (re)built, then
/// kept in step, so that an event costs a look at the front of the queues it changed instead of
/// a read of every phone and outbox row of the day.
#[derive(Debug, Default)]
pub struct AheadWatch {
    loaded: bool,
    /// Ticket id → people ahead when it was issued.
    phones: HashMap<String, u32>,
    /// (ticket id, rule id) with an outbox row.
    fired: HashSet<(String, String)>,
}

impl AheadWatch {
    /// A watch that knows these phones and reminders (what storage holds, for a test).
    pub fn new(phones: HashMap<String, u32>, fired: HashSet<(String, String)>) -> Self {
        Self { loaded: true, phones, fired }
    }

    /// A ticket's phone was kept with `ahead` people ahead of it.
    pub fn note_phone(&mut self, ticket_id: &str, ahead: u32) {
        self.phones.insert(ticket_id.to_owned(), ahead);
    }

    /// A rule's row is in the outbox for this ticket (sent, skipped or capped: it goes once).
    pub fn note_fired(&mut self, ticket_id: &str, rule_id: &str) {
        self.fired.insert((ticket_id.to_owned(), rule_id.to_owned()));
    }

    pub fn has_phone(&self, ticket_id: &str) -> bool {
        self.phones.contains_key(ticket_id)
    }

    async fn load(&mut self, storage: &dyn Storage, hall_id: &str, day: NaiveDate) -> StorageResult<()> {
        if self.loaded {
            return Ok(());
        }
        let store = storage.sms();
        for p in store.ticket_phones(hall_id, day).await? {
            self.phones.entry(p.ticket_id).or_insert(p.ahead_at_issue);
        }
        let prefix = Subject::ticket_key("");
        for (subject, rule) in store.outbox_keys(hall_id, day).await? {
            if let Some(ticket) = subject.strip_prefix(&prefix) {
                self.fired.insert((ticket.to_owned(), rule));
            }
        }
        self.loaded = true;
        Ok(())
    }
}

/// A people-ahead reminder due now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AheadDue {
    pub ticket_id: String,
    pub rule_id: String,
    pub ahead: u32,
}

/// The hall's enabled people-ahead rules with their `n`.
pub fn ahead_rules(rules: &SmsRuleSet) -> Vec<(&SmsRule, u32)> {
    rules
        .rules
        .iter()
        .filter(|r| r.enabled)
        .filter_map(|r| match r.trigger {
            SmsTrigger::PeopleAhead { n } => Some((r, n)),
            _ => None,
        })
        .collect()
}

/// The people-ahead reminders due among `candidates`, in issue order, then rule order. Rule `n`
/// goes once to a waiting ticket with a phone that had more than `n` ahead when issued and has
/// `n` or fewer now.
pub fn ahead_reminders_due<'a>(
    queue: &HallQueue,
    rules: &[(&SmsRule, u32)],
    watch: &AheadWatch,
    candidates: impl IntoIterator<Item = &'a Ticket>,
) -> Vec<AheadDue> {
    let by_order: BTreeMap<u64, &Ticket> =
        candidates.into_iter().filter(|t| t.state == TicketState::Waiting).map(|t| (t.order, t)).collect();
    let mut due = Vec::new();
    for ticket in by_order.into_values() {
        let Some(&at_issue) = watch.phones.get(&ticket.id) else { continue };
        let open: Vec<_> = rules
            .iter()
            .filter(|(r, n)| at_issue > *n && r.applies_to_matter(&ticket.matter_id))
            .filter(|(r, _)| !watch.fired.contains(&(ticket.id.clone(), r.id.clone())))
            .collect();
        if open.is_empty() {
            continue;
        }
        let Some(ahead) = people_ahead(queue, &ticket.id) else { continue };
        for (rule, _) in open.into_iter().filter(|(_, n)| ahead <= *n) {
            due.push(AheadDue { ticket_id: ticket.id.clone(), rule_id: rule.id.clone(), ahead });
        }
    }
    due
}

/// Where a people-ahead reminder can have become due since the windows `changed` last changed:
/// the first `n + 1` of each of their queues, for the largest `n` of `rules`. A ticket's people
/// ahead is its place in one of its windows' queues, and that place moves only when the
/// queue or the window's state does. O(changed windows × n log waiting).
pub fn front_of_changed<'a>(
    queue: &'a HallQueue,
    rules: &[(&SmsRule, u32)],
    changed: &[String],
) -> Vec<&'a Ticket> {
    let Some(depth) = rules.iter().map(|(_, n)| *n as usize + 1).max() else { return Vec::new() };
    changed.iter().filter_map(|w| queue.queue_of(w).ok()).flat_map(|q| q.take(depth)).collect()
}

async fn ahead_reminders(
    sms: &SmsService,
    storage: &dyn Storage,
    rt: &HallView<'_>,
    watch: &mut AheadWatch,
    changed: &[String],
    rules: &SmsRuleSet,
    now: DateTime<Utc>,
) -> StorageResult<()> {
    let ahead_rules = ahead_rules(rules);
    if ahead_rules.is_empty() {
        return Ok(());
    }
    let candidates = front_of_changed(rt.queue, &ahead_rules, changed);
    if candidates.is_empty() {
        return Ok(());
    }
    let hall_id = rt.hall.id.as_str();
    watch.load(storage, hall_id, rt.day).await?;
    let store = storage.sms();
    for due in ahead_reminders_due(rt.queue, &ahead_rules, watch, candidates) {
        let (Some(ticket), Some(rule)) =
            (rt.queue.ticket(&due.ticket_id), rules.rules.iter().find(|r| r.id == due.rule_id))
        else {
            continue;
        };
        // Purged or never sealed: no reminder, as when it was never given.
        let Some(phone) = store.ticket_phone(hall_id, &ticket.id).await? else { continue };
        let Some(sealed) = phone.phone_sealed else { continue };
        let values = base_values(rt, &ticket.matter_id)
            .with(Placeholder::Ticket, ticket.number.clone())
            .with(Placeholder::Ahead, due.ahead.to_string())
            .with(Placeholder::WaitMin, wait_minutes(rt.queue, &ticket.matter_id, due.ahead).to_string());
        let row = Due {
            hall_id,
            subject: Subject::Ticket(ticket.id.clone()),
            phone: RowPhone::Sealed { sealed, hash: phone.phone_hash, masked: phone.phone_masked },
            now,
            expires_at: now + QUEUE_REMINDER_LIFETIME,
            quiet: QuietPolicy::Skip,
        };
        if enqueue_rule(sms, store, rules, rule, &values, row).await?.is_some() {
            watch.note_fired(&ticket.id, &rule.id);
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
