//! PostgreSQL storage (a city's or province's halls on one server): a small `deadpool-postgres`
//! pool of `tokio-postgres` connections.
//!
//! Connections are made without TLS: the database is expected on the loopback interface or a
//! private network that only the server reaches. Put TLS (or an SSH/WireGuard tunnel) in front
//! before pointing the server at a database across an untrusted network.
//!
//! Behaves as [`super::sqlite::SqliteStorage`] does, record for record (`tests/storage.rs` runs
//! one suite against both): timestamps are kept as `TIMESTAMPTZ` and given back in the SQLite
//! implementation's format (RFC 3339, milliseconds, `Z`), documents (configuration, events,
//! rating reasons) as `JSONB`, and ids that lists are ordered by sort bytewise (`COLLATE "C"`).
//!
//! One file per concern; each runs SQL and maps rows, the decisions are the rules'
//! (`crate::sync`, `crate::appointments`).

use super::{
    AppointmentChange, Booked, DeviceChange, DeviceRecord, NewAppointment, PairingAdded, PairingRecord, Slot,
    SlotUse, SlotsReplaced, StorageError, StorageResult,
};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use hallkeeper_proto::{
    Appointment, Device, EventsPage, Hall, HallConfig, PullResponse, PushResponse, Rating, RatingsPage,
    SyncHeads, SyncOp, TicketEvent,
};
use std::time::Duration;
use tokio_postgres::NoTls;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../sql/postgres/0001_halls_devices_events_ratings.sql")),
    (2, include_str!("../sql/postgres/0002_appointments.sql")),
    (3, include_str!("../sql/postgres/0003_sync.sql")),
    (4, include_str!("../sql/postgres/0004_sync_down.sql")),
    (5, include_str!("../sql/postgres/0005_rating_seq.sql")),
    (6, include_str!("../sql/postgres/0006_sms.sql")),
    (7, include_str!("../sql/postgres/0007_accounts.sql")),
    (8, include_str!("../sql/postgres/0008_device_pairing.sql")),
    (9, include_str!("../sql/postgres/0009_evidence.sql")),
];

mod accounts;
mod appointments;
mod devices;
mod evidence;
mod halls;
mod sms;
mod sync;
mod tickets;

/// The version of the schema, in one row; created by the first migration run.
const SCHEMA_VERSION_TABLE: &str = "
    CREATE TABLE IF NOT EXISTS schema_version (
        only_row  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
        version   BIGINT NOT NULL
    );

    INSERT INTO schema_version (version) VALUES (0) ON CONFLICT DO NOTHING;";

/// Key of the transaction-scoped advisory lock migrations take, so that servers starting at once
/// on the same database migrate one after the other ("HKSCHEMA" in ASCII).
const MIGRATION_LOCK: i64 = 0x484B_5343_4845_4D41;

/// First key of the transaction-scoped advisory locks that serialise a matter-day's bookings and
/// slot changes ("APPT"); the second is the hash of hall, matter and day. (Two-key locks do not
/// share a key space with the one-key migration lock; a hash collision only makes two
/// matter-days take turns.)
pub(super) const SLOT_LOCK_CLASS: i32 = 0x4150_5054;

/// First key of the transaction-scoped advisory lock that serialises a hall's sync pushes
/// ("SYNC"); the second is the hash of the hall id.
pub(super) const SYNC_LOCK_CLASS: i32 = 0x5359_4E43;

/// First key of the transaction-scoped advisory lock that serialises a hall's ticket event
/// appends ("EVNT"); the second is the hash of the hall id. A BIGSERIAL value is taken when the
/// row is inserted, not when it commits: two appends of one hall in flight at once could commit
/// seq 11 before seq 10, and a desktop that pulled up to 11 would never see 10. Under the lock
/// the next append takes its seq only after the previous one committed. The hall's lock in
/// `halls.rs` already orders appends within one server; this one also holds when a request is
/// dropped while its insert is still running, and across servers sharing the database.
pub(super) const EVENT_LOCK_CLASS: i32 = 0x4556_4E54;

/// First key of the transaction-scoped advisory lock that serialises a hall's ratings ("RATG");
/// the second is the hash of the hall id. Why, as for [`EVENT_LOCK_CLASS`]: a rating's seq is
/// drawn at insert, and a desktop's cursor past seq 11 must never leave behind a 10 committed
/// later. Its own class: ratings and events have separate seqs and need not wait for each other.
pub(super) const RATING_LOCK_CLASS: i32 = 0x5241_5447;

/// Connections in the pool: a hall's traffic is a few writes a second; a few connections leave
/// room for reads during a write without holding many backends on a shared database server.
const POOL_SIZE: usize = 4;

#[derive(Clone)]
pub struct PostgresStorage {
    pool: Pool,
}

/// Column `i` of a row, a storage error if it is missing or of another type ([`from_columns!`]'s
/// getter on PostgreSQL).
pub(super) fn col<'a, T: tokio_postgres::types::FromSql<'a>>(
    r: &'a tokio_postgres::Row,
    i: usize,
) -> StorageResult<T> {
    r.try_get(i).map_err(backend)
}

/// An error with its causes (tokio-postgres' own message is only "db error"; the server's
/// message is in the source).
pub(super) fn backend(e: impl std::error::Error) -> StorageError {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    StorageError::Backend(msg)
}

pub(super) fn backend_in(what: &str, e: impl std::error::Error) -> StorageError {
    match backend(e) {
        StorageError::Backend(msg) => StorageError::Backend(format!("{what}: {msg}")),
        other => other,
    }
}

pub(super) fn is_constraint_violation(e: &tokio_postgres::Error) -> bool {
    // SQLSTATE class 23, integrity constraint violation (23505 unique, 23503 foreign key…): what
    // SQLite reports as SQLITE_CONSTRAINT.
    e.code().is_some_and(|c| c.code().starts_with("23"))
}

/// Like the SQLite implementation: a constraint said no (unique, and also a foreign key) →
/// `Conflict`.
pub(super) fn conflict_or(e: tokio_postgres::Error, what: &str) -> StorageError {
    if is_constraint_violation(&e) {
        StorageError::Conflict(what.to_owned())
    } else {
        backend(e)
    }
}

pub(super) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The proto types carry RFC 3339 strings; the database keeps instants.
pub(super) fn parse_ts(what: &str, s: &str) -> StorageResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StorageError::Backend(format!("{what} {s:?} is not an RFC 3339 time: {e}")))
}

impl PostgresStorage {
    /// Opens a pool on `url` (`postgres://user:password@host:port/database`, or the key=value
    /// form) and checks that one connection can be made. Does not migrate.
    pub async fn connect(url: &str) -> StorageResult<Self> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| backend_in("PostgreSQL URL", e))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("hallkeeper-server");
        }
        let manager =
            Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(Duration::from_secs(15)))
            .wait_timeout(Some(Duration::from_secs(30)))
            .build()
            .map_err(backend)?;
        let storage = Self { pool };
        drop(storage.client().await.map_err(|e| match e {
            StorageError::Backend(msg) => StorageError::Backend(format!("connecting to PostgreSQL: {msg}")),
            other => other,
        })?);
        Ok(storage)
    }

    pub(super) async fn client(&self) -> StorageResult<Object> {
        self.pool.get().await.map_err(backend)
    }

    /// Applies the next pending migration in one transaction, under the migration lock; returns
    /// false when there was none left.
    async fn migrate_one(&self, client: &mut Object) -> StorageResult<bool> {
        let tx = client.transaction().await.map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(backend)?;
        tx.batch_execute(SCHEMA_VERSION_TABLE).await.map_err(backend)?;
        let found: i64 =
            tx.query_one("SELECT version FROM schema_version", &[]).await.map_err(backend)?.get(0);
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        if found > known {
            return Err(StorageError::SchemaTooNew { found, known });
        }
        let Some((version, sql)) = MIGRATIONS.iter().find(|m| m.0 > found) else {
            tx.commit().await.map_err(backend)?;
            return Ok(false);
        };
        tx.batch_execute(sql).await.map_err(|e| backend_in(&format!("migration {version}"), e))?;
        tx.execute("UPDATE schema_version SET version = $1", &[version]).await.map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        tracing::info!(version, "PostgreSQL schema migrated");
        Ok(true)
    }
}

crate::storage::backend_storage! {
    impl Storage for PostgresStorage {
        fn sms(&self) -> &dyn super::sms::SmsStorage {
            self
        }

        fn accounts(&self) -> &dyn super::accounts::AccountStorage {
            self
        }

        async fn migrate(&self) -> StorageResult<()> {
            let mut client = self.client().await?;
            while self.migrate_one(&mut client).await? {}
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tickets::since_bound;
    use super::*;

    #[test]
    fn times_are_given_back_as_sqlite_writes_them() {
        let t = parse_ts("t", "2026-11-25T09:30:00.123456+08:00").unwrap();
        assert_eq!(ts(t), "2026-11-25T01:30:00.123Z");
        assert_eq!(ts(since_bound(t)), "2026-11-25T01:30:00.123Z");
        assert!(since_bound(t) <= t);
        assert_eq!(ts(since_bound(DateTime::<Utc>::MIN_UTC)), "-4712-11-24T00:00:00.000Z");
        assert!(matches!(parse_ts("device created_at", "yesterday"), Err(StorageError::Backend(_))));
    }
}
