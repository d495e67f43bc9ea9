//! Storage of SMS reminders: the phone numbers given with tickets, and the outbox. A trait of
//! its own (reached through [`super::Storage::sms`]) so that the reminder code does not widen
//! the main trait; both backends implement it (`sqlite/sms.rs`, `postgres/sms.rs`) and pass the
//! same suite (`tests/sms.rs`).
//!
//! Numbers arrive here already sealed and hashed (`hallkeeper_sms::PhoneCipher`): storage never
//! sees one in clear. The claim protocol the sender relies on is described in `crate::sms`; what
//! storage guarantees for it:
//!
//! - [`SmsStorage::enqueue`] inserts at most one row per (hall, subject, rule), and counts the
//!   citizen's messages of the day for the cap in the same transaction as the insert;
//! - [`SmsStorage::claim_next`] moves one due row from `pending` to `sending`, with a fresh
//!   attempt id, and commits that before it returns — before any provider is called;
//! - [`SmsStorage::finish_attempt`] records an attempt's outcome only if the row is still held by
//!   that attempt (`sending`, or `unknown` after a restart declared it interrupted);
//! - [`SmsStorage::recover_interrupted`] turns every `sending` row into `unknown`, never back into
//!   `pending`.

use super::StorageResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::{SmsDayCount, SmsDeliveryStatus, SmsOutboxEntry};
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// A ticket's phone, as the kiosk gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicketPhone {
    pub hall_id: String,
    pub ticket_id: String,
    pub day: NaiveDate,
    pub ahead_at_issue: u32,
    pub phone_sealed: String,
    pub phone_hash: String,
    pub phone_masked: String,
    pub created_at: DateTime<Utc>,
}

/// A ticket's phone as stored; `phone_sealed` is None once purged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPhone {
    pub ticket_id: String,
    pub ahead_at_issue: u32,
    pub phone_sealed: Option<String>,
    pub phone_hash: Option<String>,
    pub phone_masked: String,
}

/// A message to put in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxRow {
    pub id: String,
    pub hall_id: String,
    /// `ticket:<id>`, `appointment:<id>` or `test:<id>`: with `rule_id`, the row's unique key.
    pub subject: String,
    pub ticket_id: Option<String>,
    pub appointment_id: Option<String>,
    pub rule_id: String,
    pub trigger: String,
    pub day: NaiveDate,
    pub phone_sealed: Option<String>,
    pub phone_hash: Option<String>,
    pub phone_masked: String,
    pub params: Vec<(String, String)>,
    pub text: String,
    /// `Pending` or one of the skipped states.
    pub status: SmsDeliveryStatus,
    /// Not before; the creation time for a message due now.
    pub next_attempt_at: DateTime<Utc>,
    /// A pending message not sent by then is marked `expired` instead.
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// The citizen's daily cap: if the hall already has this many messages of the day for
    /// `phone_hash` (pending, sending, sent or unknown), the row is stored as `skipped_cap`.
    pub daily_cap: Option<u32>,
}

/// How [`SmsStorage::enqueue`] stores a row it inserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutboxInsert<'a> {
    pub status: SmsDeliveryStatus,
    pub phone_sealed: Option<&'a str>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl NewOutboxRow {
    /// The phone hash whose messages of the day count toward the citizen's cap, when the cap
    /// applies to this row (a pending one, with a cap and a hash).
    pub(crate) fn cap_hash(&self) -> Option<&str> {
        match (self.status, self.daily_cap) {
            (SmsDeliveryStatus::Pending, Some(_)) => self.phone_hash.as_deref(),
            _ => None,
        }
    }

    /// How the row is stored, the citizen already having `had` messages of the day (counted
    /// when [`Self::cap_hash`] says so, else None): at the cap it is skipped; a message that
    /// will not be sent keeps no number to open and has no next attempt.
    pub(crate) fn to_insert(&self, had: Option<u64>) -> OutboxInsert<'_> {
        let capped = matches!((self.daily_cap, had), (Some(cap), Some(had)) if had >= u64::from(cap));
        let status = if capped { SmsDeliveryStatus::SkippedCap } else { self.status };
        let pending = status == SmsDeliveryStatus::Pending;
        OutboxInsert {
            status,
            phone_sealed: self.phone_sealed.as_deref().filter(|_| pending),
            next_attempt_at: pending.then_some(self.next_attempt_at),
        }
    }
}

/// What [`SmsStorage::enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A row was inserted with this status.
    Inserted(SmsDeliveryStatus),
    /// The (subject, rule) already has a row; nothing changed.
    Exists,
}

/// A row claimed for one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedRow {
    pub id: String,
    pub hall_id: String,
    pub rule_id: String,
    pub attempt_id: String,
    /// Including this one.
    pub attempts: u32,
    pub phone_sealed: Option<String>,
    pub params: Vec<(String, String)>,
    pub text: String,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    Sent {
        provider: String,
        message_id: String,
    },
    /// Back to `pending`, not before `at` (a retryable error, or an account-wide one that paused
    /// the provider and is not this row's fault).
    Retry {
        at: DateTime<Utc>,
        code: String,
        message: String,
    },
    Failed {
        code: String,
        message: String,
    },
    /// The provider may or may not have sent it: never sent again automatically.
    Unknown {
        code: String,
        message: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxFilter {
    pub status: Option<SmsDeliveryStatus>,
    pub rule_id: Option<String>,
    pub day: Option<NaiveDate>,
    pub limit: u32,
}

/// What a purge nulled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub ticket_phones: u64,
    pub outbox_rows: u64,
    pub appointments: u64,
}

#[async_trait]
pub trait SmsStorage: Send + Sync {
    /// Records the phone given with a ticket (a second call for the ticket changes nothing).
    async fn put_ticket_phone(&self, phone: &NewTicketPhone) -> StorageResult<()>;
    async fn ticket_phone(&self, hall_id: &str, ticket_id: &str) -> StorageResult<Option<TicketPhone>>;
    /// The hall day's tickets with a phone not yet purged.
    async fn ticket_phones(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<TicketPhone>>;
    /// (subject, rule id) of the hall day's outbox rows, whatever their status.
    async fn outbox_keys(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<(String, String)>>;

    /// Inserts the row unless its (hall, subject, rule) has one; applies the daily cap in the
    /// same transaction.
    async fn enqueue(&self, row: &NewOutboxRow) -> StorageResult<Enqueued>;
    /// Marks due pending rows past their expiry `expired`, then claims the oldest due one:
    /// `sending`, `attempt_id`, attempts + 1 — committed before it returns.
    async fn claim_next(&self, now: DateTime<Utc>, attempt_id: &str) -> StorageResult<Option<ClaimedRow>>;
    /// Claims one given row if it is pending (a test message, sent at once).
    async fn claim_row(
        &self,
        id: &str,
        now: DateTime<Utc>,
        attempt_id: &str,
    ) -> StorageResult<Option<ClaimedRow>>;
    /// Records the attempt's outcome; false (and nothing changed) if the row is no longer held by
    /// `attempt_id`.
    async fn finish_attempt(
        &self,
        id: &str,
        attempt_id: &str,
        outcome: &AttemptOutcome,
        now: DateTime<Utc>,
    ) -> StorageResult<bool>;
    /// At start: every row left `sending` by a previous run becomes `unknown`; returns how many.
    async fn recover_interrupted(&self, now: DateTime<Utc>) -> StorageResult<u64>;

    /// The hall's rows, newest first.
    async fn outbox(&self, hall_id: &str, filter: &OutboxFilter) -> StorageResult<Vec<SmsOutboxEntry>>;
    async fn outbox_entry(&self, id: &str) -> StorageResult<Option<SmsOutboxEntry>>;
    /// Per day from `from` on and rule, newest day first, then by rule id.
    async fn counts(&self, hall_id: &str, from: NaiveDate) -> StorageResult<Vec<SmsDayCount>>;
    /// Rows of the hall by status, for the status view.
    async fn status_count(&self, hall_id: &str, status: SmsDeliveryStatus) -> StorageResult<u32>;

    /// Nulls the sealed numbers and lookup hashes stored before `before` (tickets and outbox;
    /// the masked form stays), and the phone of bookings booked before it that are no longer
    /// booked.
    async fn purge_phones(&self, before: DateTime<Utc>, now: DateTime<Utc>) -> StorageResult<Purged>;
}

/// Rows of (day, rule, status, n) as per-day-and-rule counts, newest day first, then by rule.
pub(crate) fn fold_counts(rows: Vec<(String, String, SmsDeliveryStatus, u32)>) -> Vec<SmsDayCount> {
    let mut by: BTreeMap<(Reverse<String>, String), SmsDayCount> = BTreeMap::new();
    for (day, rule_id, status, n) in rows {
        let c = by.entry((Reverse(day.clone()), rule_id.clone())).or_insert_with(|| SmsDayCount {
            day,
            rule_id,
            ..SmsDayCount::default()
        });
        count_into(c, status, n);
    }
    by.into_values().collect()
}

/// How a `SmsDayCount` counts a status.
fn count_into(c: &mut SmsDayCount, status: SmsDeliveryStatus, n: u32) {
    match status {
        SmsDeliveryStatus::Pending | SmsDeliveryStatus::Sending => c.pending += n,
        SmsDeliveryStatus::Sent => c.sent += n,
        SmsDeliveryStatus::Failed => c.failed += n,
        SmsDeliveryStatus::SkippedQuietHours => c.skipped_quiet_hours += n,
        SmsDeliveryStatus::SkippedCap => c.skipped_cap += n,
        SmsDeliveryStatus::Expired => c.expired += n,
        SmsDeliveryStatus::Unknown => c.unknown += n,
    }
}

/// Statuses that count toward a citizen's daily cap: what went, or may have gone, or will go.
pub(crate) const CAP_STATUSES: &str = "('pending', 'sending', 'sent', 'unknown')";

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: SmsDeliveryStatus, cap: Option<u32>, hash: Option<&str>) -> NewOutboxRow {
        let t = DateTime::<Utc>::UNIX_EPOCH;
        NewOutboxRow {
            id: "r".into(),
            hall_id: "h".into(),
            subject: "ticket:t".into(),
            ticket_id: Some("t".into()),
            appointment_id: None,
            rule_id: "near".into(),
            trigger: "ahead".into(),
            day: t.date_naive(),
            phone_sealed: Some("sealed".into()),
            phone_hash: hash.map(str::to_owned),
            phone_masked: "138****0000".into(),
            params: Vec::new(),
            text: "x".into(),
            status,
            next_attempt_at: t,
            expires_at: t,
            created_at: t,
            daily_cap: cap,
        }
    }

    #[test]
    fn the_daily_cap_skips_a_pending_message_and_drops_its_number() {
        use SmsDeliveryStatus::{Pending, SkippedCap, SkippedQuietHours};
        let r = row(Pending, Some(2), Some("h1"));
        assert_eq!(r.cap_hash(), Some("h1"));
        let under = r.to_insert(Some(1));
        assert_eq!(
            (under.status, under.phone_sealed, under.next_attempt_at.is_some()),
            (Pending, Some("sealed"), true)
        );
        let at = r.to_insert(Some(2));
        assert_eq!((at.status, at.phone_sealed, at.next_attempt_at), (SkippedCap, None, None));
        assert_eq!(row(Pending, None, Some("h1")).cap_hash(), None);
        assert_eq!(row(Pending, Some(2), None).cap_hash(), None);
        let quiet = row(SkippedQuietHours, Some(2), Some("h1"));
        assert_eq!(quiet.cap_hash(), None);
        assert_eq!(quiet.to_insert(None).phone_sealed, None, "a skipped message keeps no number");
    }

    #[test]
    fn counts_fold_per_day_and_rule_newest_day_first() {
        use SmsDeliveryStatus::{Expired, Failed, Pending, Sending, Sent};
        let rows = vec![
            ("2026-11-24".into(), "b".into(), Sent, 1),
            ("2026-11-25".into(), "b".into(), Pending, 2),
            ("2026-11-25".into(), "b".into(), Sending, 1),
            ("2026-11-25".into(), "a".into(), Failed, 3),
            ("2026-11-24".into(), "b".into(), Expired, 4),
        ];
        let got: Vec<_> = fold_counts(rows)
            .into_iter()
            .map(|c| (c.day, c.rule_id, c.pending, c.sent, c.failed, c.expired))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-11-25".into(), "a".into(), 0, 0, 3, 0),
                ("2026-11-25".into(), "b".into(), 3, 0, 0, 0),
                ("2026-11-24".into(), "b".into(), 0, 1, 0, 4),
            ]
        );
    }
}
