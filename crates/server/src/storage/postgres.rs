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

use super::{
    slot_lock_key, to_millis, AppointmentChange, Booked, DeviceRecord, NewAppointment, Slot, SlotUse,
    SlotsReplaced, Storage, StorageError, StorageResult,
};
use crate::appointments::slot_instant;
use crate::sync;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use hallkeeper_proto::{
    Appointment, AppointmentState, Device, DeviceKind, EventsPage, Hall, HallConfig, PullResponse,
    PushResponse, Rating, RatingLevel, RatingRecord, RatingsPage, RejectedOp, SyncChange, SyncHeads, SyncOp,
    TicketEvent, TicketEventRecord,
};
use hallkeeper_sync::merge::Row as SyncRow;
use hallkeeper_sync::Hlc;
use serde_json::value::RawValue;
use std::time::Duration;
use tokio_postgres::types::Json;
use tokio_postgres::{NoTls, Row};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("sql/postgres/0001_halls_devices_events_ratings.sql")),
    (2, include_str!("sql/postgres/0002_appointments.sql")),
    (3, include_str!("sql/postgres/0003_sync.sql")),
    (4, include_str!("sql/postgres/0004_sync_down.sql")),
    (5, include_str!("sql/postgres/0005_rating_seq.sql")),
    (6, include_str!("sql/postgres/0006_sms.sql")),
];

#[path = "sms_postgres.rs"]
mod sms;

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
const SLOT_LOCK_CLASS: i32 = 0x4150_5054;

/// First key of the transaction-scoped advisory lock that serialises a hall's sync pushes
/// ("SYNC"); the second is the hash of the hall id.
const SYNC_LOCK_CLASS: i32 = 0x5359_4E43;

/// First key of the transaction-scoped advisory lock that serialises a hall's ticket event
/// appends ("EVNT"); the second is the hash of the hall id. A BIGSERIAL value is taken when the
/// row is inserted, not when it commits: two appends of one hall in flight at once could commit
/// seq 11 before seq 10, and a desktop that pulled up to 11 would never see 10. Under the lock
/// the next append takes its seq only after the previous one committed. The hall's lock in
/// `halls.rs` already orders appends within one server; this one also holds when a request is
/// dropped while its insert is still running, and across servers sharing the database.
const EVENT_LOCK_CLASS: i32 = 0x4556_4E54;

/// First key of the transaction-scoped advisory lock that serialises a hall's ratings ("RATG");
/// the second is the hash of the hall id. Why, as for [`EVENT_LOCK_CLASS`]: a rating's seq is
/// drawn at insert, and a desktop's cursor past seq 11 must never leave behind a 10 committed
/// later. Its own class: ratings and events have separate seqs and need not wait for each other.
const RATING_LOCK_CLASS: i32 = 0x5241_5447;

/// Connections in the pool: a hall's traffic is a few writes a second; a few connections leave
/// room for reads during a write without holding many backends on a shared database server.
const POOL_SIZE: usize = 4;

#[derive(Clone)]
pub struct PostgresStorage {
    pool: Pool,
}

/// An error with its causes (tokio-postgres' own message is only "db error"; the server's
/// message is in the source).
fn backend(e: impl std::error::Error) -> StorageError {
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

fn backend_in(what: &str, e: impl std::error::Error) -> StorageError {
    match backend(e) {
        StorageError::Backend(msg) => StorageError::Backend(format!("{what}: {msg}")),
        other => other,
    }
}

fn is_constraint_violation(e: &tokio_postgres::Error) -> bool {
    // SQLSTATE class 23, integrity constraint violation (23505 unique, 23503 foreign key…): what
    // SQLite reports as SQLITE_CONSTRAINT.
    e.code().is_some_and(|c| c.code().starts_with("23"))
}

/// Like the SQLite implementation: a constraint said no (unique, and also a foreign key) →
/// `Conflict`.
fn conflict_or(e: tokio_postgres::Error, what: &str) -> StorageError {
    if is_constraint_violation(&e) {
        StorageError::Conflict(what.to_owned())
    } else {
        backend(e)
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The proto types carry RFC 3339 strings; the database keeps instants.
fn parse_ts(what: &str, s: &str) -> StorageResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StorageError::Backend(format!("{what} {s:?} is not an RFC 3339 time: {e}")))
}

/// A lower bound for a `>=` comparison: at the millisecond precision SQLite compares at, and
/// no earlier than PostgreSQL's earliest time (4713 BC), which no stored time precedes (callers
/// pass `DateTime::<Utc>::MIN_UTC` for "since ever").
fn since_bound(t: DateTime<Utc>) -> DateTime<Utc> {
    let earliest =
        NaiveDate::from_ymd_opt(-4712, 11, 24).unwrap_or(NaiveDate::MIN).and_time(NaiveTime::MIN).and_utc();
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t).max(earliest)
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

    async fn client(&self) -> StorageResult<Object> {
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

const DEVICE_COLUMNS: &str = "id, hall_id, kind, name, window_id, created_at, revoked_at";

fn device_from_row(r: &Row) -> StorageResult<Device> {
    let kind: String = r.try_get(2).map_err(backend)?;
    let created_at: DateTime<Utc> = r.try_get(5).map_err(backend)?;
    let revoked_at: Option<DateTime<Utc>> = r.try_get(6).map_err(backend)?;
    Ok(Device {
        id: r.try_get(0).map_err(backend)?,
        hall_id: r.try_get(1).map_err(backend)?,
        kind: DeviceKind::parse(&kind)
            .ok_or_else(|| StorageError::Backend(format!("device kind {kind:?}")))?,
        name: r.try_get(3).map_err(backend)?,
        window_id: r.try_get(4).map_err(backend)?,
        created_at: ts(created_at),
        revoked_at: revoked_at.map(ts),
    })
}

fn rating_from_row(r: &Row) -> StorageResult<Rating> {
    let level: String = r.try_get(6).map_err(backend)?;
    let Json(reasons): Json<Vec<String>> = r.try_get(7).map_err(backend)?;
    let at: DateTime<Utc> = r.try_get(9).map_err(backend)?;
    Ok(Rating {
        id: r.try_get(0).map_err(backend)?,
        hall_id: r.try_get(1).map_err(backend)?,
        ticket_id: r.try_get(2).map_err(backend)?,
        ticket_number: r.try_get(3).map_err(backend)?,
        window_id: r.try_get(4).map_err(backend)?,
        matter_id: r.try_get(5).map_err(backend)?,
        level: RatingLevel::parse(&level)
            .ok_or_else(|| StorageError::Backend(format!("rating level {level:?}")))?,
        reasons,
        comment: r.try_get(8).map_err(backend)?,
        at: ts(at),
    })
}

const APPOINTMENT_COLUMNS: &str = "id, hall_id, code, matter_id, day, start_time, end_time, phone, state, \
     booked_at, cancelled_at, checked_in_at, ticket_id, no_show_at";

const INSERT_EVENT: &str =
    "INSERT INTO ticket_events (hall_id, day, ticket_id, at, event) VALUES ($1, $2, $3, $4, $5)";

fn appointment_from_row(r: &Row) -> StorageResult<Appointment> {
    let state: String = r.try_get(8).map_err(backend)?;
    Ok(Appointment {
        id: r.try_get(0).map_err(backend)?,
        hall_id: r.try_get(1).map_err(backend)?,
        code: r.try_get(2).map_err(backend)?,
        matter_id: r.try_get(3).map_err(backend)?,
        day: r.try_get(4).map_err(backend)?,
        start: r.try_get(5).map_err(backend)?,
        end: r.try_get(6).map_err(backend)?,
        phone: r.try_get(7).map_err(backend)?,
        state: AppointmentState::parse(&state)
            .ok_or_else(|| StorageError::Backend(format!("appointment state {state:?}")))?,
        booked_at: r.try_get(9).map_err(backend)?,
        cancelled_at: r.try_get(10).map_err(backend)?,
        checked_in_at: r.try_get(11).map_err(backend)?,
        ticket_id: r.try_get(12).map_err(backend)?,
        no_show_at: r.try_get(13).map_err(backend)?,
    })
}

async fn appointment_by_code(
    c: &impl deadpool_postgres::GenericClient,
    hall_id: &str,
    code: &str,
) -> StorageResult<Option<Appointment>> {
    let st = c
        .prepare_cached(&format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE hall_id = $1 AND code = $2"
        ))
        .await
        .map_err(backend)?;
    let row = c.query_opt(&st, &[&hall_id, &code]).await.map_err(backend)?;
    row.as_ref().map(appointment_from_row).transpose()
}

async fn slot_uses(
    c: &impl deadpool_postgres::GenericClient,
    hall_id: &str,
    matter_id: &str,
    day: NaiveDate,
) -> StorageResult<Vec<SlotUse>> {
    let st = c
        .prepare_cached(
            "SELECT s.start_time, s.end_time, s.capacity,
                    (SELECT count(*) FROM appointments a
                      WHERE a.hall_id = s.hall_id AND a.matter_id = s.matter_id AND a.day = s.day
                        AND a.start_time = s.start_time AND a.state <> 'cancelled')
               FROM appointment_slots s
              WHERE s.hall_id = $1 AND s.matter_id = $2 AND s.day = $3
              ORDER BY s.start_time",
        )
        .await
        .map_err(backend)?;
    let rows = c.query(&st, &[&hall_id, &matter_id, &day]).await.map_err(backend)?;
    rows.iter()
        .map(|r| {
            let capacity: i32 = r.try_get(2).map_err(backend)?;
            let held: i64 = r.try_get(3).map_err(backend)?;
            Ok(SlotUse {
                slot: Slot {
                    start: r.try_get(0).map_err(backend)?,
                    end: r.try_get(1).map_err(backend)?,
                    capacity: u32::try_from(capacity).map_err(backend)?,
                },
                held: u32::try_from(held).map_err(backend)?,
            })
        })
        .collect()
}

/// Takes the matter-day's lock for the rest of the transaction.
async fn lock_slots(
    tx: &tokio_postgres::Transaction<'_>,
    hall_id: &str,
    matter_id: &str,
    day: NaiveDate,
) -> StorageResult<()> {
    let key = slot_lock_key(hall_id, matter_id, day);
    tx.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", &[&SLOT_LOCK_CLASS, &key])
        .await
        .map_err(backend)?;
    Ok(())
}

/// The booking after an update that changed `n` rows if it was still booked.
fn changed(n: u64, now: Option<Appointment>) -> AppointmentChange {
    match now {
        None => AppointmentChange::NotFound,
        Some(a) if n == 1 => AppointmentChange::Done(Box::new(a)),
        Some(a) => AppointmentChange::NotBooked(a.state),
    }
}

/// Takes the hall's event lock ([`EVENT_LOCK_CLASS`]) for the rest of the transaction.
async fn lock_events(tx: &deadpool_postgres::Transaction<'_>, hall_id: &str) -> StorageResult<()> {
    let st = tx.prepare_cached("SELECT pg_advisory_xact_lock($1, hashtext($2))").await.map_err(backend)?;
    tx.execute(&st, &[&EVENT_LOCK_CLASS, &hall_id]).await.map_err(backend)?;
    Ok(())
}

fn parse_sync_row(r: &Row, i: usize) -> StorageResult<SyncRow> {
    let Json(v): Json<serde_json::Value> = r.try_get(i).map_err(backend)?;
    sync::row_from_json(&v).map_err(StorageError::Backend)
}

async fn sync_row(
    tx: &deadpool_postgres::Transaction<'_>,
    hall_id: &str,
    entity: &str,
    key: &str,
) -> StorageResult<SyncRow> {
    let st = tx
        .prepare_cached("SELECT row FROM sync_rows WHERE hall_id = $1 AND entity = $2 AND entity_key = $3")
        .await
        .map_err(backend)?;
    match tx.query_opt(&st, &[&hall_id, &entity, &key]).await.map_err(backend)? {
        None => Ok(SyncRow::default()),
        Some(r) => parse_sync_row(&r, 0),
    }
}

async fn put_sync_row(
    tx: &deadpool_postgres::Transaction<'_>,
    hall_id: &str,
    entity: &str,
    key: &str,
    row: &SyncRow,
) -> StorageResult<()> {
    let st = tx
        .prepare_cached(
            "INSERT INTO sync_rows (hall_id, entity, entity_key, row) VALUES ($1, $2, $3, $4)
             ON CONFLICT (hall_id, entity, entity_key) DO UPDATE SET row = excluded.row",
        )
        .await
        .map_err(backend)?;
    tx.execute(&st, &[&hall_id, &entity, &key, &Json(sync::row_to_json(row))]).await.map_err(backend)?;
    Ok(())
}

/// Appends one change to the hall's log under the next change id.
#[allow(clippy::too_many_arguments)]
async fn append_change(
    tx: &deadpool_postgres::Transaction<'_>,
    hall_id: &str,
    next_change: &mut i64,
    entity: &str,
    key: &str,
    hlc: &str,
    change: &serde_json::Value,
    device_id: &str,
    seq: i64,
) -> StorageResult<()> {
    let st = tx
        .prepare_cached(
            "INSERT INTO sync_changes (hall_id, change_id, entity, entity_key, hlc, change, device_id, seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .await
        .map_err(backend)?;
    tx.execute(&st, &[&hall_id, &*next_change, &entity, &key, &hlc, &Json(change), &device_id, &seq])
        .await
        .map_err(backend)?;
    *next_change += 1;
    Ok(())
}

/// The rows `dep` may name, by key. The expressions are the indexes' of migration 4, verbatim.
async fn dependent_rows(
    tx: &deadpool_postgres::Transaction<'_>,
    hall_id: &str,
    dep: &sync::Dependents,
) -> StorageResult<Vec<(String, SyncRow)>> {
    const SELECT: &str = "SELECT entity_key, row FROM sync_rows WHERE hall_id = $1 AND entity = $2";
    let entity = dep.entity();
    let rows = match dep {
        sync::Dependents::KeyHead { id, .. } => {
            let Some((low, high)) = sync::Dependents::head_range(id) else { return Ok(Vec::new()) };
            let st = tx
                .prepare_cached(&format!(
                    "{SELECT} AND entity_key >= $3 AND entity_key < $4 ORDER BY entity_key"
                ))
                .await
                .map_err(backend)?;
            tx.query(&st, &[&hall_id, &entity, &low, &high]).await.map_err(backend)?
        }
        sync::Dependents::KeyTail { id, .. } => {
            let st = tx
                .prepare_cached(&format!(
                    "{SELECT} AND substr(entity_key, strpos(entity_key, '/') + 1) = $3 ORDER BY entity_key"
                ))
                .await
                .map_err(backend)?;
            tx.query(&st, &[&hall_id, &entity, id]).await.map_err(backend)?
        }
        sync::Dependents::Field { field, id, .. } => {
            let st = tx
                .prepare_cached(&format!(
                    "{SELECT} AND (row -> 'fields' -> '{field}' ->> 'value') = $3 ORDER BY entity_key"
                ))
                .await
                .map_err(backend)?;
            tx.query(&st, &[&hall_id, &entity, id]).await.map_err(backend)?
        }
    };
    rows.iter().map(|r| Ok((r.try_get::<_, String>(0).map_err(backend)?, parse_sync_row(r, 1)?))).collect()
}

/// Tombstones every visible row that references the row `entity`/`key`, which the operation
/// stamped `cause` has just left invisible, and logs each as the server's delete.
async fn cascade_delete(
    tx: &deadpool_postgres::Transaction<'_>,
    hall_id: &str,
    entity: &str,
    key: &str,
    cause: &Hlc,
    next_change: &mut i64,
) -> StorageResult<()> {
    for dep in sync::dependents(entity, key) {
        for (dep_key, mut row) in dependent_rows(tx, hall_id, &dep).await? {
            if !dep.holds(&dep_key, &row) {
                continue;
            }
            let Some(hlc) = sync::cascade(&mut row, cause) else { continue };
            put_sync_row(tx, hall_id, dep.entity(), &dep_key, &row).await?;
            append_change(
                tx,
                hall_id,
                next_change,
                dep.entity(),
                &dep_key,
                &hlc.to_string(),
                &sync::delete_change(),
                sync::SERVER_DEVICE,
                0,
            )
            .await?;
        }
    }
    Ok(())
}

/// Applies one pushed operation inside the push transaction; `next_change` is the hall's next
/// change id. Returns its rejection, if it has one (now or from when it was first pushed).
async fn apply_sync_op(
    tx: &deadpool_postgres::Transaction<'_>,
    hall_id: &str,
    device_id: &str,
    op: &SyncOp,
    next_change: &mut i64,
) -> StorageResult<Option<RejectedOp>> {
    let st = tx
        .prepare_cached(
            "INSERT INTO sync_ops (hall_id, device_id, seq, op_id, hlc, entity, entity_key, change, state)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'applied')
             ON CONFLICT (hall_id, device_id, seq) DO NOTHING",
        )
        .await
        .map_err(backend)?;
    let inserted = tx
        .execute(
            &st,
            &[&hall_id, &device_id, &op.seq, &op.op_id, &op.hlc, &op.entity, &op.key, &Json(&op.change)],
        )
        .await
        .map_err(backend)?;
    if inserted == 0 {
        // A replay: answer as the first time.
        let r = tx
            .query_one(
                "SELECT state, reject_code, reject_message FROM sync_ops
                  WHERE hall_id = $1 AND device_id = $2 AND seq = $3",
                &[&hall_id, &device_id, &op.seq],
            )
            .await
            .map_err(backend)?;
        let state: String = r.try_get(0).map_err(backend)?;
        return Ok(if state == "rejected" {
            Some(RejectedOp {
                seq: op.seq,
                code: r.try_get::<_, Option<String>>(1).map_err(backend)?.unwrap_or_default(),
                message: r.try_get::<_, Option<String>>(2).map_err(backend)?.unwrap_or_default(),
            })
        } else {
            None
        });
    }
    let outcome = match sync::check(device_id, op) {
        Err(r) => Err(r),
        Ok(checked) => {
            let mut row = sync_row(tx, hall_id, &op.entity, &op.key).await?;
            let mut missing = None;
            for (entity, key) in sync::references(op, &checked.change, &row) {
                if !sync_row(tx, hall_id, entity, &key).await?.visible() {
                    missing = Some(sync::reference_deleted(op, entity, &key));
                    break;
                }
            }
            match missing {
                Some(r) => Err(r),
                None => {
                    row.apply(&checked.hlc, &checked.change);
                    Ok((row, checked.hlc))
                }
            }
        }
    };
    match outcome {
        Err(rejected) => {
            tx.execute(
                "UPDATE sync_ops SET state = 'rejected', reject_code = $4, reject_message = $5
                  WHERE hall_id = $1 AND device_id = $2 AND seq = $3",
                &[&hall_id, &device_id, &op.seq, &rejected.code, &rejected.message],
            )
            .await
            .map_err(backend)?;
            Ok(Some(rejected))
        }
        Ok((row, hlc)) => {
            put_sync_row(tx, hall_id, &op.entity, &op.key, &row).await?;
            append_change(
                tx,
                hall_id,
                next_change,
                &op.entity,
                &op.key,
                &op.hlc,
                &op.change,
                device_id,
                op.seq,
            )
            .await?;
            // After the operation's own change, so a puller sees the cause before its effects.
            if !row.visible() {
                cascade_delete(tx, hall_id, &op.entity, &op.key, &hlc, next_change).await?;
            }
            Ok(None)
        }
    }
}

#[async_trait]
impl Storage for PostgresStorage {
    fn sms(&self) -> &dyn super::sms::SmsStorage {
        self
    }

    async fn migrate(&self) -> StorageResult<()> {
        let mut client = self.client().await?;
        while self.migrate_one(&mut client).await? {}
        Ok(())
    }

    async fn create_hall(&self, hall: &Hall) -> StorageResult<()> {
        let c = self.client().await?;
        let st = c.prepare_cached("INSERT INTO halls (id, name) VALUES ($1, $2)").await.map_err(backend)?;
        c.execute(&st, &[&hall.id, &hall.name])
            .await
            .map_err(|e| conflict_or(e, &format!("hall {}", hall.id)))?;
        Ok(())
    }

    async fn hall(&self, id: &str) -> StorageResult<Option<Hall>> {
        let c = self.client().await?;
        let st = c.prepare_cached("SELECT id, name FROM halls WHERE id = $1").await.map_err(backend)?;
        let row = c.query_opt(&st, &[&id]).await.map_err(backend)?;
        Ok(row.map(|r| Hall { id: r.get(0), name: r.get(1) }))
    }

    async fn halls(&self) -> StorageResult<Vec<Hall>> {
        let c = self.client().await?;
        let st = c.prepare_cached("SELECT id, name FROM halls ORDER BY id").await.map_err(backend)?;
        let rows = c.query(&st, &[]).await.map_err(backend)?;
        Ok(rows.iter().map(|r| Hall { id: r.get(0), name: r.get(1) }).collect())
    }

    async fn put_config(&self, hall_id: &str, config: &HallConfig, at: DateTime<Utc>) -> StorageResult<()> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "INSERT INTO hall_configs (hall_id, config, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (hall_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at",
            )
            .await
            .map_err(backend)?;
        c.execute(&st, &[&hall_id, &Json(config), &at]).await.map_err(|e| {
            if is_constraint_violation(&e) {
                StorageError::NotFound(format!("hall {hall_id}"))
            } else {
                backend(e)
            }
        })?;
        Ok(())
    }

    async fn config(&self, hall_id: &str) -> StorageResult<Option<HallConfig>> {
        let c = self.client().await?;
        let st =
            c.prepare_cached("SELECT config FROM hall_configs WHERE hall_id = $1").await.map_err(backend)?;
        let row = c.query_opt(&st, &[&hall_id]).await.map_err(backend)?;
        row.map(|r| r.try_get::<_, Json<HallConfig>>(0).map(|Json(config)| config).map_err(backend))
            .transpose()
    }

    async fn add_device(&self, device: &DeviceRecord) -> StorageResult<()> {
        let d = &device.device;
        let created_at = parse_ts("device created_at", &d.created_at)?;
        let revoked_at = d.revoked_at.as_deref().map(|s| parse_ts("device revoked_at", s)).transpose()?;
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "INSERT INTO devices ({DEVICE_COLUMNS}, token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ))
            .await
            .map_err(backend)?;
        c.execute(
            &st,
            &[
                &d.id,
                &d.hall_id,
                &d.kind.as_str(),
                &d.name,
                &d.window_id,
                &created_at,
                &revoked_at,
                &device.token_hash,
            ],
        )
        .await
        .map_err(|e| conflict_or(e, "device"))?;
        Ok(())
    }

    async fn device_by_token_hash(&self, token_hash: &str) -> StorageResult<Option<Device>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = $1 AND revoked_at IS NULL"
            ))
            .await
            .map_err(backend)?;
        let row = c.query_opt(&st, &[&token_hash]).await.map_err(backend)?;
        row.as_ref().map(device_from_row).transpose()
    }

    async fn devices(&self, hall_id: &str) -> StorageResult<Vec<Device>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {DEVICE_COLUMNS} FROM devices WHERE hall_id = $1 ORDER BY created_at, id"
            ))
            .await
            .map_err(backend)?;
        let rows = c.query(&st, &[&hall_id]).await.map_err(backend)?;
        rows.iter().map(device_from_row).collect()
    }

    async fn revoke_device(&self, hall_id: &str, device_id: &str, at: DateTime<Utc>) -> StorageResult<bool> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "UPDATE devices SET revoked_at = $3 WHERE hall_id = $1 AND id = $2 AND revoked_at IS NULL",
            )
            .await
            .map_err(backend)?;
        let n = c.execute(&st, &[&hall_id, &device_id, &at]).await.map_err(backend)?;
        Ok(n == 1)
    }

    async fn append_event(&self, hall_id: &str, day: NaiveDate, event: &TicketEvent) -> StorageResult<()> {
        // One statement, one round trip: the row is formed (and its seq drawn) only after the
        // subquery has taken the hall's event lock, which the statement's own transaction holds
        // until it commits — the same order guarantee as `append_events`, a busy hall's every
        // ticket without three extra round trips.
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "INSERT INTO ticket_events (hall_id, day, ticket_id, at, event)
                 SELECT $1::text, $2::date, $3::text, $4::timestamptz, $5::jsonb
                   FROM (SELECT pg_advisory_xact_lock($6, hashtext($1::text))) AS held",
            )
            .await
            .map_err(backend)?;
        c.execute(&st, &[&hall_id, &day, &event.ticket_id, &event.at, &Json(event), &EVENT_LOCK_CLASS])
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn append_events(
        &self,
        hall_id: &str,
        day: NaiveDate,
        events: &[TicketEvent],
    ) -> StorageResult<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(backend)?;
        lock_events(&tx, hall_id).await?;
        let st = tx.prepare_cached(INSERT_EVENT).await.map_err(backend)?;
        for e in events {
            tx.execute(&st, &[&hall_id, &day, &e.ticket_id, &e.at, &Json(e)]).await.map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(())
    }

    async fn events(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<TicketEvent>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached("SELECT event FROM ticket_events WHERE hall_id = $1 AND day = $2 ORDER BY seq")
            .await
            .map_err(backend)?;
        let rows = c.query(&st, &[&hall_id, &day]).await.map_err(backend)?;
        rows.iter().map(|r| r.try_get::<_, Json<TicketEvent>>(0).map(|Json(e)| e).map_err(backend)).collect()
    }

    async fn add_rating(&self, rating: &Rating) -> StorageResult<()> {
        let r = rating;
        let at = parse_ts("rating at", &r.at)?;
        let c = self.client().await?;
        // As `append_event`: the row (and its seq, the column's default) is formed only after
        // the subquery has taken the hall's rating lock, held by the statement's own transaction
        // until it commits, so the hall's next rating draws a higher seq after this one is
        // visible.
        let st = c
            .prepare_cached(
                "INSERT INTO ratings (id, hall_id, ticket_id, ticket_number, window_id, matter_id, level, reasons, comment, at)
                 SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::jsonb, $9::text,
                        $10::timestamptz
                   FROM (SELECT pg_advisory_xact_lock($11, hashtext($2::text))) AS held",
            )
            .await
            .map_err(backend)?;
        c.execute(
            &st,
            &[
                &r.id,
                &r.hall_id,
                &r.ticket_id,
                &r.ticket_number,
                &r.window_id,
                &r.matter_id,
                &r.level.as_str(),
                &Json(&r.reasons),
                &r.comment,
                &at,
                &RATING_LOCK_CLASS,
            ],
        )
        .await
        .map_err(|e| conflict_or(e, &format!("rating for ticket {}", r.ticket_id)))?;
        Ok(())
    }

    async fn ratings(&self, hall_id: &str, since: DateTime<Utc>) -> StorageResult<Vec<Rating>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT id, hall_id, ticket_id, ticket_number, window_id, matter_id, level, reasons, comment, at
                   FROM ratings WHERE hall_id = $1 AND at >= $2 ORDER BY at, id",
            )
            .await
            .map_err(backend)?;
        let rows = c.query(&st, &[&hall_id, &since_bound(since)]).await.map_err(backend)?;
        rows.iter().map(rating_from_row).collect()
    }

    async fn put_slots(
        &self,
        hall_id: &str,
        matter_id: &str,
        day: NaiveDate,
        slots: &[Slot],
    ) -> StorageResult<SlotsReplaced> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(backend)?;
        lock_slots(&tx, hall_id, matter_id, day).await?;
        for used in slot_uses(&tx, hall_id, matter_id, day).await?.into_iter().filter(|u| u.held > 0) {
            let kept = slots.iter().find(|s| s.start == used.slot.start && s.end == used.slot.end);
            if kept.is_none_or(|s| s.capacity < used.held) {
                return Ok(SlotsReplaced::InUse(used));
            }
        }
        tx.execute(
            "DELETE FROM appointment_slots WHERE hall_id = $1 AND matter_id = $2 AND day = $3",
            &[&hall_id, &matter_id, &day],
        )
        .await
        .map_err(backend)?;
        let st = tx
            .prepare_cached(
                "INSERT INTO appointment_slots (hall_id, matter_id, day, start_time, end_time, capacity)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .await
            .map_err(backend)?;
        for s in slots {
            let capacity = i32::try_from(s.capacity).map_err(backend)?;
            tx.execute(&st, &[&hall_id, &matter_id, &day, &s.start, &s.end, &capacity]).await.map_err(
                |e| {
                    if is_constraint_violation(&e) {
                        StorageError::NotFound(format!("hall {hall_id}"))
                    } else {
                        backend(e)
                    }
                },
            )?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(SlotsReplaced::Done)
    }

    async fn slots(&self, hall_id: &str, matter_id: &str, day: NaiveDate) -> StorageResult<Vec<SlotUse>> {
        let c = self.client().await?;
        slot_uses(&c, hall_id, matter_id, day).await
    }

    async fn book(&self, a: &NewAppointment) -> StorageResult<Booked> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(backend)?;
        // The count and the insert below cannot interleave with another booking of the slot:
        // each statement after the lock sees what the previous holder committed.
        lock_slots(&tx, &a.hall_id, &a.matter_id, a.day).await?;
        let slot = tx
            .query_opt(
                "SELECT end_time, capacity FROM appointment_slots
                  WHERE hall_id = $1 AND matter_id = $2 AND day = $3 AND start_time = $4",
                &[&a.hall_id, &a.matter_id, &a.day, &a.start],
            )
            .await
            .map_err(backend)?;
        let Some(slot) = slot else { return Ok(Booked::NoSuchSlot) };
        let end: String = slot.try_get(0).map_err(backend)?;
        let capacity: i32 = slot.try_get(1).map_err(backend)?;
        let held: i64 = tx
            .query_one(
                "SELECT count(*) FROM appointments
                  WHERE hall_id = $1 AND matter_id = $2 AND day = $3 AND start_time = $4
                    AND state <> 'cancelled'",
                &[&a.hall_id, &a.matter_id, &a.day, &a.start],
            )
            .await
            .map_err(backend)?
            .try_get(0)
            .map_err(backend)?;
        if held >= i64::from(capacity) {
            return Ok(Booked::Full);
        }
        let booked_at = to_millis(a.booked_at);
        let ends_at = slot_instant(a.day, &end);
        tx.execute(
            &format!(
                "INSERT INTO appointments ({APPOINTMENT_COLUMNS}, ends_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, NULL, NULL, NULL, NULL, $10)"
            ),
            &[
                &a.id,
                &a.hall_id,
                &a.code,
                &a.matter_id,
                &a.day,
                &a.start,
                &end,
                &a.phone,
                &booked_at,
                &ends_at,
            ],
        )
        .await
        .map_err(|e| conflict_or(e, &format!("appointment code {}", a.code)))?;
        tx.commit().await.map_err(backend)?;
        Ok(Booked::Done(Box::new(Appointment {
            id: a.id.clone(),
            hall_id: a.hall_id.clone(),
            code: a.code.clone(),
            matter_id: a.matter_id.clone(),
            day: a.day,
            start: a.start.clone(),
            end,
            phone: a.phone.clone(),
            state: AppointmentState::Booked,
            booked_at,
            cancelled_at: None,
            checked_in_at: None,
            ticket_id: None,
            no_show_at: None,
        })))
    }

    async fn appointment(&self, hall_id: &str, code: &str) -> StorageResult<Option<Appointment>> {
        let c = self.client().await?;
        appointment_by_code(&c, hall_id, code).await
    }

    async fn appointments(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<Appointment>> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(&format!(
                "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE hall_id = $1 AND day = $2
                  ORDER BY start_time, booked_at, code"
            ))
            .await
            .map_err(backend)?;
        let rows = c.query(&st, &[&hall_id, &day]).await.map_err(backend)?;
        rows.iter().map(appointment_from_row).collect()
    }

    async fn cancel_appointment(
        &self,
        hall_id: &str,
        code: &str,
        at: DateTime<Utc>,
    ) -> StorageResult<AppointmentChange> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(backend)?;
        let n = tx
            .execute(
                "UPDATE appointments SET state = 'cancelled', cancelled_at = $3
                  WHERE hall_id = $1 AND code = $2 AND state = 'booked'",
                &[&hall_id, &code, &to_millis(at)],
            )
            .await
            .map_err(backend)?;
        let now = appointment_by_code(&tx, hall_id, code).await?;
        tx.commit().await.map_err(backend)?;
        Ok(changed(n, now))
    }

    async fn check_in_appointment(
        &self,
        hall_id: &str,
        code: &str,
        day: NaiveDate,
        issued: &TicketEvent,
    ) -> StorageResult<AppointmentChange> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(backend)?;
        // Before the booking's row lock, in the order every event append takes them.
        lock_events(&tx, hall_id).await?;
        // The row lock the update takes makes a concurrent cancel wait, then find it checked in.
        let n = tx
            .execute(
                "UPDATE appointments SET state = 'checked_in', checked_in_at = $3, ticket_id = $4
                  WHERE hall_id = $1 AND code = $2 AND state = 'booked'",
                &[&hall_id, &code, &to_millis(issued.at), &issued.ticket_id],
            )
            .await
            .map_err(backend)?;
        if n == 1 {
            tx.execute(INSERT_EVENT, &[&hall_id, &day, &issued.ticket_id, &issued.at, &Json(issued)])
                .await
                .map_err(backend)?;
        }
        let now = appointment_by_code(&tx, hall_id, code).await?;
        tx.commit().await.map_err(backend)?;
        Ok(changed(n, now))
    }

    async fn mark_no_shows(
        &self,
        hall_id: &str,
        ended_before: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StorageResult<u64> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "UPDATE appointments SET state = 'no_show', no_show_at = $3
                  WHERE hall_id = $1 AND state = 'booked' AND ends_at < $2",
            )
            .await
            .map_err(backend)?;
        c.execute(&st, &[&hall_id, &ended_before, &to_millis(at)]).await.map_err(backend)
    }

    async fn apply_sync_ops(
        &self,
        hall_id: &str,
        device_id: &str,
        ops: &[SyncOp],
    ) -> StorageResult<PushResponse> {
        let mut ops = ops.to_vec();
        ops.sort_by_key(|o| o.seq);
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(backend)?;
        // Two desktops pushing at once take turns: change ids are handed out in commit order.
        tx.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", &[&SYNC_LOCK_CLASS, &hall_id])
            .await
            .map_err(backend)?;
        tx.execute(
            "INSERT INTO sync_heads (hall_id, last_change_id) VALUES ($1, 0) ON CONFLICT (hall_id) DO NOTHING",
            &[&hall_id],
        )
        .await
        .map_err(|e| {
            if is_constraint_violation(&e) {
                StorageError::NotFound(format!("hall {hall_id}"))
            } else {
                backend(e)
            }
        })?;
        let last: i64 = tx
            .query_one("SELECT last_change_id FROM sync_heads WHERE hall_id = $1", &[&hall_id])
            .await
            .map_err(backend)?
            .try_get(0)
            .map_err(backend)?;
        let mut next_change = last + 1;
        let mut rejected = Vec::new();
        for op in &ops {
            if let Some(r) = apply_sync_op(&tx, hall_id, device_id, op, &mut next_change).await? {
                rejected.push(r);
            }
        }
        tx.execute(
            "UPDATE sync_heads SET last_change_id = $2 WHERE hall_id = $1",
            &[&hall_id, &(next_change - 1)],
        )
        .await
        .map_err(backend)?;
        let highest_seq: i64 = tx
            .query_one(
                "SELECT coalesce(max(seq), 0) FROM sync_ops WHERE hall_id = $1 AND device_id = $2",
                &[&hall_id, &device_id],
            )
            .await
            .map_err(backend)?
            .try_get(0)
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(PushResponse { highest_seq, rejected })
    }

    async fn pull_changes(&self, hall_id: &str, cursor: i64, limit: u32) -> StorageResult<PullResponse> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT change_id, entity, entity_key, hlc, change, device_id, seq FROM sync_changes
                  WHERE hall_id = $1 AND change_id > $2 ORDER BY change_id LIMIT $3",
            )
            .await
            .map_err(backend)?;
        let rows = c.query(&st, &[&hall_id, &cursor, &(i64::from(limit) + 1)]).await.map_err(backend)?;
        let mut changes = rows
            .iter()
            .map(|r| {
                let Json(change): Json<serde_json::Value> = r.try_get(4).map_err(backend)?;
                Ok(SyncChange {
                    change_id: r.try_get(0).map_err(backend)?,
                    entity: r.try_get(1).map_err(backend)?,
                    key: r.try_get(2).map_err(backend)?,
                    hlc: r.try_get(3).map_err(backend)?,
                    change,
                    device_id: r.try_get(5).map_err(backend)?,
                    seq: r.try_get(6).map_err(backend)?,
                })
            })
            .collect::<StorageResult<Vec<_>>>()?;
        let has_more = changes.len() > limit as usize;
        changes.truncate(limit as usize);
        let next_cursor = changes.last().map_or(cursor, |c| c.change_id);
        Ok(PullResponse { changes, next_cursor, has_more })
    }

    async fn events_after(&self, hall_id: &str, after: i64, limit: u32) -> StorageResult<EventsPage> {
        let c = self.client().await?;
        // The hall's events commit in seq order (EVENT_LOCK_CLASS), so this statement's snapshot
        // holds every event of the hall up to the newest it returns.
        let st = c
            .prepare_cached(
                "SELECT seq, day, event FROM ticket_events
                  WHERE hall_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            )
            .await
            .map_err(backend)?;
        let rows = c.query(&st, &[&hall_id, &after, &(i64::from(limit) + 1)]).await.map_err(backend)?;
        let events = rows
            .iter()
            .take(limit as usize)
            .map(|r| {
                let day: NaiveDate = r.try_get(1).map_err(backend)?;
                let Json(event): Json<Box<RawValue>> = r.try_get(2).map_err(backend)?;
                Ok(TicketEventRecord { seq: r.try_get(0).map_err(backend)?, day: day.to_string(), event })
            })
            .collect::<StorageResult<Vec<_>>>()?;
        let has_more = rows.len() > limit as usize;
        let next_cursor = events.last().map_or(after, |e| e.seq);
        Ok(EventsPage { events, next_cursor, has_more, head: None })
    }

    async fn ratings_after(&self, hall_id: &str, after: i64, limit: u32) -> StorageResult<RatingsPage> {
        let c = self.client().await?;
        // The hall's ratings commit in seq order (RATING_LOCK_CLASS), so this statement's
        // snapshot holds every rating of the hall up to the newest it returns.
        let st = c
            .prepare_cached(
                "SELECT id, hall_id, ticket_id, ticket_number, window_id, matter_id, level, reasons, comment, at, seq
                   FROM ratings WHERE hall_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            )
            .await
            .map_err(backend)?;
        let rows = c.query(&st, &[&hall_id, &after, &(i64::from(limit) + 1)]).await.map_err(backend)?;
        let ratings = rows
            .iter()
            .take(limit as usize)
            .map(|r| Ok(RatingRecord { seq: r.try_get(10).map_err(backend)?, rating: rating_from_row(r)? }))
            .collect::<StorageResult<Vec<_>>>()?;
        let has_more = rows.len() > limit as usize;
        let next_cursor = ratings.last().map_or(after, |r| r.seq);
        Ok(RatingsPage { ratings, next_cursor, has_more, head: None })
    }

    async fn sync_heads(&self, hall_id: &str) -> StorageResult<SyncHeads> {
        let c = self.client().await?;
        let st = c
            .prepare_cached(
                "SELECT (SELECT coalesce(max(last_change_id), 0) FROM sync_heads WHERE hall_id = $1),
                        (SELECT coalesce(max(seq), 0) FROM ticket_events WHERE hall_id = $1),
                        (SELECT coalesce(max(seq), 0) FROM ratings WHERE hall_id = $1)",
            )
            .await
            .map_err(backend)?;
        let r = c.query_one(&st, &[&hall_id]).await.map_err(backend)?;
        Ok(SyncHeads {
            change_id: r.try_get(0).map_err(backend)?,
            event_seq: r.try_get(1).map_err(backend)?,
            rating_seq: r.try_get(2).map_err(backend)?,
        })
    }
}

#[cfg(test)]
mod tests {
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
