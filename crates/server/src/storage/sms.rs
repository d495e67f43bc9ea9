//! Storage of SMS reminders: the phone numbers given with tickets, and the outbox. A trait of
//! its own (reached through [`super::Storage::sms`]) so that the reminder code does not widen
//! the main trait; both backends implement it (`sms_sqlite.rs`, `sms_postgres.rs`) and pass the
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

/// How a `SmsDayCount` counts a status.
pub(crate) fn count_into(c: &mut SmsDayCount, status: SmsDeliveryStatus, n: u32) {
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
