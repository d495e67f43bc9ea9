//! Where the server keeps its records, behind one trait with two implementations: SQLite (the
//! embedded default, one file) and PostgreSQL (a city's or province's halls). Both pass the same
//! behaviour suite (`tests/storage.rs`) and the same HTTP tests.
//!
//! The queue itself is event-sourced: storage appends ticket events and hands a hall's events of
//! a day back for replay; it never interprets them.
//!
//! Appointments keep their slots and bookings here. What must not interleave — counting a slot's
//! places and taking one, checking a slot's bookings and replacing it — runs in one transaction
//! serialised per hall, matter and day (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a
//! transaction-scoped advisory lock on that key), so two bookings for a slot's last place cannot
//! both succeed.
//!
//! Sync pushes from the supervisors' desktops are applied the same way, one push per transaction
//! serialised per hall, so change ids are handed out in commit order without gaps. A delete in a
//! push cascades, in the same transaction, to the rows that reference the deleted one.
//!
//! Ticket events of one hall are appended one append at a time — one event, or the events of a
//! supervisor's move in one transaction — (the hall's lock in `halls.rs`, and on PostgreSQL a
//! per-hall advisory lock as well), so their seqs commit in increasing order and a desktop
//! pulling them by seq can keep a cursor. Ratings get seqs the same way (their own counter; on
//! PostgreSQL their own per-hall advisory lock), for the same reason.

/// `from_columns!(get; r => Record { id, name, at = time_at(r, 2)? })`: a struct from a row whose
/// columns are its fields in the order written (each backend's `*_COLUMNS` list), field k from
/// column k through `get(r, k)?` — `rusqlite::Row::get` on SQLite, `postgres::col` on
/// PostgreSQL. A field written `field = expr` keeps its column's place but takes `expr` (a
/// conversion that reads that column itself). One place for the column bookkeeping an index
/// written by hand per field can get wrong.
macro_rules! from_columns {
    ($get:path; $row:expr => $ty:ident { $($field:ident $(= $value:expr)?),+ $(,)? }) => {{
        // Fields are evaluated in the order written: each takes the next column.
        let mut count = 0usize;
        let mut next = move || {
            count += 1;
            count - 1
        };
        $ty { $($field: { let here = next(); from_columns!(@value $get, $row, here $(, $value)?) }),+ }
    }};
    (@value $get:path, $row:expr, $column:ident) => {
        $get($row, $column)?
    };
    (@value $get:path, $row:expr, $column:ident, $value:expr) => {{
        let _ = $column;
        $value
    }};
}

pub mod accounts;
pub mod postgres;
pub mod sms;
pub mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::{
    Appointment, AppointmentState, Device, EventsPage, Hall, HallConfig, PullResponse, PushResponse, Rating,
    RatingsPage, SyncHeads, SyncOp, TicketEvent,
};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A uniqueness rule said no (a second rating for a ticket, a hall id taken…).
    #[error("already exists: {0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("storage schema version {found} is newer than this server supports ({known})")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("storage failed: {0}")]
    Backend(String),
}

pub type StorageResult<T> = Result<T, StorageError>;

/// Appointment times are kept to the millisecond (what SQLite's text timestamps hold), on both
/// backends, so a booking reads back as it was answered.
pub(crate) fn to_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// The key that serialises a matter-day's bookings and slot changes.
pub(crate) fn slot_lock_key(hall_id: &str, matter_id: &str, day: NaiveDate) -> String {
    format!("{hall_id}\u{1f}{matter_id}\u{1f}{day}")
}

/// A page of at most `limit` rows out of a query that asked for `limit + 1` (the extra one only
/// says there is more), the cursor after it (`after` when it is empty), and whether there is more.
pub(crate) fn page<T>(
    mut rows: Vec<T>,
    limit: u32,
    after: i64,
    seq: impl Fn(&T) -> i64,
) -> (Vec<T>, i64, bool) {
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = rows.last().map_or(after, seq);
    (rows, next, has_more)
}

/// Operations of a push refused before storage sees them, by seq, with their answer.
pub type SyncRefusals = std::collections::BTreeMap<i64, hallkeeper_proto::RejectedOp>;

/// A device as stored: the public record and the hash of its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub device: Device,
    pub token_hash: String,
}

/// A pairing code as stored: the hash of the code (a code is a credential), the device it
/// enrols and when it stops working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairingRecord {
    pub code_hash: String,
    pub hall_id: String,
    pub device_id: String,
    pub expires_at: DateTime<Utc>,
}

/// What storing a pairing code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairingAdded {
    Done,
    /// A code still live has the same hash: nothing stored, draw another code.
    CodeTaken,
    /// The hall has no such device, or it is revoked: nothing stored.
    NoDevice,
}

/// A rename or a rebind of a device; `None` leaves the field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceChange {
    pub name: Option<String>,
    pub window_id: Option<String>,
}

pub use crate::appointments::{Slot, SlotUse};

/// What replacing a matter-day's slots did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotsReplaced {
    Done,
    /// Nothing changed: this slot holds bookings and would be dropped (or its times changed) or
    /// shrunk below them.
    InUse(SlotUse),
}

/// A booking to make: the slot is named by its start; storage fills in its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppointment {
    pub id: String,
    pub hall_id: String,
    pub code: String,
    pub matter_id: String,
    pub day: NaiveDate,
    pub start: String,
    pub phone: Option<String>,
    pub booked_at: DateTime<Utc>,
}

impl NewAppointment {
    /// The booking as made: booked into the slot that ends at `end`, at `booked_at`.
    pub(crate) fn booked(&self, end: String, booked_at: DateTime<Utc>) -> Appointment {
        Appointment {
            id: self.id.clone(),
            hall_id: self.hall_id.clone(),
            code: self.code.clone(),
            matter_id: self.matter_id.clone(),
            day: self.day,
            start: self.start.clone(),
            end,
            phone: self.phone.clone(),
            state: AppointmentState::Booked,
            booked_at,
            cancelled_at: None,
            checked_in_at: None,
            ticket_id: None,
            no_show_at: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Booked {
    Done(Box<Appointment>),
    /// Every place of the slot is held.
    Full,
    NoSuchSlot,
}

/// What a change of a booking's state did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppointmentChange {
    Done(Box<Appointment>),
    NotFound,
    /// Nothing changed: the booking is no longer booked.
    NotBooked(AppointmentState),
}

impl AppointmentChange {
    /// What an update of a booking still booked did, from whether it changed the row and the
    /// booking as it is after it.
    pub(crate) fn after_update(updated: bool, now: Option<Appointment>) -> Self {
        match now {
            None => Self::NotFound,
            Some(a) if updated => Self::Done(Box::new(a)),
            Some(a) => Self::NotBooked(a.state),
        }
    }
}

/// A synced row as [`Storage::sync_rows`] reads it: its key and its fields' values.
pub type SyncedRow = (String, serde_json::Map<String, serde_json::Value>);

#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Brings the schema up to date (numbered migrations, each in its own transaction).
    async fn migrate(&self) -> StorageResult<()>;

    async fn create_hall(&self, hall: &Hall) -> StorageResult<()>;
    async fn hall(&self, id: &str) -> StorageResult<Option<Hall>>;
    async fn halls(&self) -> StorageResult<Vec<Hall>>;

    /// Replaces the hall's configuration (windows, catalog, bindings, queue rules).
    async fn put_config(&self, hall_id: &str, config: &HallConfig, at: DateTime<Utc>) -> StorageResult<()>;
    async fn config(&self, hall_id: &str) -> StorageResult<Option<HallConfig>>;

    async fn add_device(&self, device: &DeviceRecord) -> StorageResult<()>;
    /// Only devices not revoked.
    async fn device_by_token_hash(&self, token_hash: &str) -> StorageResult<Option<Device>>;
    async fn devices(&self, hall_id: &str) -> StorageResult<Vec<Device>>;
    /// Returns false when there was no such live device. Its pending pairing codes go with it.
    async fn revoke_device(&self, hall_id: &str, device_id: &str, at: DateTime<Utc>) -> StorageResult<bool>;
    /// One device of the hall, revoked or not.
    async fn device(&self, hall_id: &str, device_id: &str) -> StorageResult<Option<Device>>;
    /// Renames or rebinds a live device; None when the hall has no such live device.
    async fn update_device(
        &self,
        hall_id: &str,
        device_id: &str,
        change: &DeviceChange,
    ) -> StorageResult<Option<Device>>;
    /// Records that the device called at `at` (the caller decides how often: `auth::device`).
    async fn touch_device(&self, device_id: &str, at: DateTime<Utc>) -> StorageResult<()>;
    /// Stores a pairing code for a live device, in one transaction: the device's earlier codes
    /// stop working, and every code expired at `now` is dropped.
    async fn add_pairing(&self, pairing: &PairingRecord, now: DateTime<Utc>) -> StorageResult<PairingAdded>;
    /// Uses a pairing code: if a code with this hash is live at `now` and its device is not
    /// revoked, the code is spent and the device's token becomes `token_hash` (the old token
    /// stops working), in one transaction; answers the device. None for an unknown, spent or
    /// expired code alike (an expired one is dropped).
    async fn pair_device(
        &self,
        code_hash: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<Option<Device>>;

    /// Appends one event to the hall's log; `day` is the hall day of the ticket it belongs to.
    async fn append_event(&self, hall_id: &str, day: NaiveDate, event: &TicketEvent) -> StorageResult<()>;
    /// Appends events of one operation (a supervisor's move of a whole queue) to the hall's log,
    /// in order and in one transaction: the log never holds half of a decision.
    async fn append_events(&self, hall_id: &str, day: NaiveDate, events: &[TicketEvent])
        -> StorageResult<()>;
    /// A day's events of a hall, in the order they were appended.
    async fn events(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<TicketEvent>>;

    /// Stores a rating under the server's next rating seq; `Conflict` if the ticket already has
    /// one. A hall's ratings commit in seq order (see `ratings_after`).
    async fn add_rating(&self, rating: &Rating) -> StorageResult<()>;
    async fn ratings(&self, hall_id: &str, since: DateTime<Utc>) -> StorageResult<Vec<Rating>>;

    /// Replaces a matter-day's appointment slots (`slots` sorted by start, valid, not
    /// overlapping). A slot is the same slot when its start and end are; one that holds bookings
    /// must stay, with at least as many places.
    async fn put_slots(
        &self,
        hall_id: &str,
        matter_id: &str,
        day: NaiveDate,
        slots: &[Slot],
    ) -> StorageResult<SlotsReplaced>;
    /// A matter-day's slots by start, with the places held.
    async fn slots(&self, hall_id: &str, matter_id: &str, day: NaiveDate) -> StorageResult<Vec<SlotUse>>;

    /// Takes a place in a slot if one is left. `Conflict` if the code is taken in the hall.
    async fn book(&self, appointment: &NewAppointment) -> StorageResult<Booked>;
    async fn appointment(&self, hall_id: &str, code: &str) -> StorageResult<Option<Appointment>>;
    /// A day's bookings of a hall (every state), by slot start, then booking time and code.
    async fn appointments(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<Appointment>>;
    /// Booked → cancelled.
    async fn cancel_appointment(
        &self,
        hall_id: &str,
        code: &str,
        at: DateTime<Utc>,
    ) -> StorageResult<AppointmentChange>;
    /// Booked → checked in with the ticket `issued` (an `Issued` event), and that event appended
    /// to the hall's log of `day`, in one transaction: both or neither.
    async fn check_in_appointment(
        &self,
        hall_id: &str,
        code: &str,
        day: NaiveDate,
        issued: &TicketEvent,
    ) -> StorageResult<AppointmentChange>;
    /// Booked → no-show for every booking of the hall whose slot ended before `ended_before`;
    /// returns how many.
    async fn mark_no_shows(
        &self,
        hall_id: &str,
        ended_before: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StorageResult<u64>;

    /// Applies a desktop's pushed operations in one transaction, in sequence order (docs/sync.md):
    /// each (device, seq) once — a replayed one is not applied again and gets the answer it got
    /// first; a malformed one, or an upsert that references a missing or deleted row, is recorded
    /// as rejected; the others are merged into their rows (per field by HLC) and appended to the
    /// hall's change log. Answers the highest sequence held for the device and the rejections
    /// among `ops`.
    async fn apply_sync_ops(
        &self,
        hall_id: &str,
        device_id: &str,
        ops: &[SyncOp],
    ) -> StorageResult<PushResponse> {
        self.apply_sync_ops_refusing(hall_id, device_id, ops, &SyncRefusals::new()).await
    }
    /// [`Storage::apply_sync_ops`], with the operations the caller has already refused (by seq:
    /// their author may not make them, `crate::accounts::author_refusals`). A refused operation
    /// seen for the first time is recorded as rejected with that answer, the way a malformed one
    /// is; one pushed before keeps the answer it got then.
    async fn apply_sync_ops_refusing(
        &self,
        hall_id: &str,
        device_id: &str,
        ops: &[SyncOp],
        refused: &SyncRefusals,
    ) -> StorageResult<PushResponse>;
    /// The hall's changes after `cursor`, ascending, at most `limit`.
    async fn pull_changes(&self, hall_id: &str, cursor: i64, limit: u32) -> StorageResult<PullResponse>;

    /// The hall's ticket events with a seq after `after`, ascending, at most `limit`, each event
    /// as stored (not parsed). A reader that has everything up to a seq never misses a later
    /// commit of a lower one: a hall's appends are serialised so its seqs commit in order.
    async fn events_after(&self, hall_id: &str, after: i64, limit: u32) -> StorageResult<EventsPage>;

    /// The hall's ratings with a seq after `after`, ascending, at most `limit`. Like events: a
    /// reader that has everything up to a seq never misses a later commit of a lower one.
    async fn ratings_after(&self, hall_id: &str, after: i64, limit: u32) -> StorageResult<RatingsPage>;

    /// The hall's newest change id, ticket event seq and rating seq (0 when there is none), read
    /// together.
    async fn sync_heads(&self, hall_id: &str) -> StorageResult<SyncHeads>;
    /// The live synced rows of one entity whose key starts with `key_prefix` (every row with
    /// ""), as key and field values: the server's own read of what desktops synced (the window
    /// terminal's sign-in reads the staff records and the day's seats).
    async fn sync_rows(&self, hall_id: &str, entity: &str, key_prefix: &str)
        -> StorageResult<Vec<SyncedRow>>;
    /// One live synced row's fields by its exact key: the prefix read, narrowed (a longer key
    /// sharing the prefix is another row).
    async fn sync_row_fields(
        &self,
        hall_id: &str,
        entity: &str,
        key: &str,
    ) -> StorageResult<Option<serde_json::Map<String, serde_json::Value>>> {
        Ok(self.sync_rows(hall_id, entity, key).await?.into_iter().find(|(k, _)| k == key).map(|(_, f)| f))
    }

    /// Stores an evidence file of the hall under its SHA-256 (checked by the caller); false when
    /// it was already held (an upload again, or another PC's copy of the same file).
    async fn put_evidence(
        &self,
        hall_id: &str,
        sha256: &str,
        bytes: &[u8],
        at: DateTime<Utc>,
    ) -> StorageResult<bool>;

    /// The bytes of an evidence file of the hall, if held.
    async fn evidence(&self, hall_id: &str, sha256: &str) -> StorageResult<Option<Vec<u8>>>;

    /// The SMS reminders' records (phones given with tickets, the outbox), in the same database.
    fn sms(&self) -> &dyn sms::SmsStorage;

    /// People: accounts, grants, sessions and the server's audit log, in the same database.
    fn accounts(&self) -> &dyn accounts::AccountStorage;
}

/// The `Storage` impl of a backend: its own methods (`sms`, `migrate`) and, for every other
/// method, a call to the function of the same name in the backend's module for that concern
/// (`halls`, `devices`, `tickets`, `appointments`, `sync`). Written once so the two backends
/// cannot forward differently; the paths resolve in the backend's module where it is invoked.
macro_rules! backend_storage {
    (impl Storage for $ty:ty { $($own:item)* }) => {
        #[async_trait::async_trait]
        impl $crate::storage::Storage for $ty {
            $($own)*

            async fn create_hall(&self, hall: &Hall) -> StorageResult<()> {
                halls::create_hall(self, hall).await
            }

            async fn hall(&self, id: &str) -> StorageResult<Option<Hall>> {
                halls::hall(self, id).await
            }

            async fn halls(&self) -> StorageResult<Vec<Hall>> {
                halls::halls(self).await
            }

            async fn put_config(&self, hall_id: &str, config: &HallConfig, at: DateTime<Utc>) -> StorageResult<()> {
                halls::put_config(self, hall_id, config, at).await
            }

            async fn config(&self, hall_id: &str) -> StorageResult<Option<HallConfig>> {
                halls::config(self, hall_id).await
            }

            async fn add_device(&self, device: &DeviceRecord) -> StorageResult<()> {
                devices::add_device(self, device).await
            }

            async fn device_by_token_hash(&self, token_hash: &str) -> StorageResult<Option<Device>> {
                devices::device_by_token_hash(self, token_hash).await
            }

            async fn devices(&self, hall_id: &str) -> StorageResult<Vec<Device>> {
                devices::devices(self, hall_id).await
            }

            async fn revoke_device(&self, hall_id: &str, device_id: &str, at: DateTime<Utc>) -> StorageResult<bool> {
                devices::revoke_device(self, hall_id, device_id, at).await
            }

            async fn device(&self, hall_id: &str, device_id: &str) -> StorageResult<Option<Device>> {
                devices::device(self, hall_id, device_id).await
            }

            async fn update_device(
                &self,
                hall_id: &str,
                device_id: &str,
                change: &DeviceChange,
            ) -> StorageResult<Option<Device>> {
                devices::update_device(self, hall_id, device_id, change).await
            }

            async fn touch_device(&self, device_id: &str, at: DateTime<Utc>) -> StorageResult<()> {
                devices::touch_device(self, device_id, at).await
            }

            async fn add_pairing(&self, pairing: &PairingRecord, now: DateTime<Utc>) -> StorageResult<PairingAdded> {
                devices::add_pairing(self, pairing, now).await
            }

            async fn pair_device(
                &self,
                code_hash: &str,
                token_hash: &str,
                now: DateTime<Utc>,
            ) -> StorageResult<Option<Device>> {
                devices::pair_device(self, code_hash, token_hash, now).await
            }

            async fn append_event(&self, hall_id: &str, day: NaiveDate, event: &TicketEvent) -> StorageResult<()> {
                tickets::append_event(self, hall_id, day, event).await
            }

            async fn append_events(
                &self,
                hall_id: &str,
                day: NaiveDate,
                events: &[TicketEvent],
            ) -> StorageResult<()> {
                tickets::append_events(self, hall_id, day, events).await
            }

            async fn events(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<TicketEvent>> {
                tickets::events(self, hall_id, day).await
            }

            async fn add_rating(&self, rating: &Rating) -> StorageResult<()> {
                tickets::add_rating(self, rating).await
            }

            async fn ratings(&self, hall_id: &str, since: DateTime<Utc>) -> StorageResult<Vec<Rating>> {
                tickets::ratings(self, hall_id, since).await
            }

            async fn put_slots(
                &self,
                hall_id: &str,
                matter_id: &str,
                day: NaiveDate,
                slots: &[Slot],
            ) -> StorageResult<SlotsReplaced> {
                appointments::put_slots(self, hall_id, matter_id, day, slots).await
            }

            async fn slots(&self, hall_id: &str, matter_id: &str, day: NaiveDate) -> StorageResult<Vec<SlotUse>> {
                appointments::slots(self, hall_id, matter_id, day).await
            }

            async fn book(&self, appointment: &NewAppointment) -> StorageResult<Booked> {
                appointments::book(self, appointment).await
            }

            async fn appointment(&self, hall_id: &str, code: &str) -> StorageResult<Option<Appointment>> {
                appointments::appointment(self, hall_id, code).await
            }

            async fn appointments(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<Appointment>> {
                appointments::appointments(self, hall_id, day).await
            }

            async fn cancel_appointment(
                &self,
                hall_id: &str,
                code: &str,
                at: DateTime<Utc>,
            ) -> StorageResult<AppointmentChange> {
                appointments::cancel_appointment(self, hall_id, code, at).await
            }

            async fn check_in_appointment(
                &self,
                hall_id: &str,
                code: &str,
                day: NaiveDate,
                issued: &TicketEvent,
            ) -> StorageResult<AppointmentChange> {
                appointments::check_in_appointment(self, hall_id, code, day, issued).await
            }

            async fn mark_no_shows(
                &self,
                hall_id: &str,
                ended_before: DateTime<Utc>,
                at: DateTime<Utc>,
            ) -> StorageResult<u64> {
                appointments::mark_no_shows(self, hall_id, ended_before, at).await
            }

            async fn apply_sync_ops_refusing(
                &self,
                hall_id: &str,
                device_id: &str,
                ops: &[SyncOp],
                refused: &$crate::storage::SyncRefusals,
            ) -> StorageResult<PushResponse> {
                sync::apply_sync_ops(self, hall_id, device_id, ops, refused).await
            }

            async fn pull_changes(&self, hall_id: &str, cursor: i64, limit: u32) -> StorageResult<PullResponse> {
                sync::pull_changes(self, hall_id, cursor, limit).await
            }

            async fn events_after(&self, hall_id: &str, after: i64, limit: u32) -> StorageResult<EventsPage> {
                tickets::events_after(self, hall_id, after, limit).await
            }

            async fn ratings_after(&self, hall_id: &str, after: i64, limit: u32) -> StorageResult<RatingsPage> {
                tickets::ratings_after(self, hall_id, after, limit).await
            }

            async fn sync_heads(&self, hall_id: &str) -> StorageResult<SyncHeads> {
                sync::sync_heads(self, hall_id).await
            }

            async fn sync_rows(&self, hall_id: &str, entity: &str, key_prefix: &str) -> StorageResult<Vec<$crate::storage::SyncedRow>> {
                sync::sync_rows(self, hall_id, entity, key_prefix).await
            }

            async fn put_evidence(&self, hall_id: &str, sha256: &str, bytes: &[u8], at: DateTime<Utc>) -> StorageResult<bool> {
                evidence::put_evidence(self, hall_id, sha256, bytes, at).await
            }

            async fn evidence(&self, hall_id: &str, sha256: &str) -> StorageResult<Option<Vec<u8>>> {
                evidence::evidence(self, hall_id, sha256).await
            }
        }
    };
}
pub(crate) use backend_storage;
