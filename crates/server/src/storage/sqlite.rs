//! SQLite storage: one file, WAL, foreign keys on; one connection used from the blocking pool
//! (a hall's traffic is a few writes a second, well within one connection).

use super::{
    to_millis, AppointmentChange, Booked, DeviceRecord, NewAppointment, Slot, SlotUse, SlotsReplaced,
    Storage, StorageError, StorageResult,
};
use crate::appointments::slot_instant;
use crate::sync;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use hallkeeper_proto::{
    Appointment, AppointmentState, Device, DeviceKind, EventsPage, Hall, HallConfig, PullResponse,
    PushResponse, Rating, RatingLevel, RatingRecord, RatingsPage, RejectedOp, SyncChange, SyncHeads, SyncOp,
    TicketEvent, TicketEventRecord,
};
use hallkeeper_sync::merge::Row;
use hallkeeper_sync::Hlc;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::value::RawValue;
use std::path::Path;
use std::sync::{Arc, Mutex};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("sql/sqlite/0001_halls_devices_events_ratings.sql")),
    (2, include_str!("sql/sqlite/0002_appointments.sql")),
    (3, include_str!("sql/sqlite/0003_sync.sql")),
    (4, include_str!("sql/sqlite/0004_sync_down.sql")),
    (5, include_str!("sql/sqlite/0005_rating_seq.sql")),
    (6, include_str!("sql/sqlite/0006_sms.sql")),
];

#[path = "sms_sqlite.rs"]
mod sms;

#[derive(Clone)]
pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
}

fn backend(e: impl std::fmt::Display) -> StorageError {
    StorageError::Backend(e.to_string())
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl SqliteStorage {
    pub fn open(path: &Path) -> StorageResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| backend(format!("{}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path).map_err(|e| backend(format!("{}: {e}", path.display())))?;
        Self::configure(conn)
    }

    pub fn open_in_memory() -> StorageResult<Self> {
        Self::configure(Connection::open_in_memory().map_err(backend)?)
    }

    fn configure(conn: Connection) -> StorageResult<Self> {
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(backend)?;
        let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(backend)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(backend)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(backend)?;
        Ok(Self { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn with<T, F>(&self, f: F) -> StorageResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StorageResult<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(backend)?
    }
}

fn conflict_or(e: rusqlite::Error, what: &str) -> StorageError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StorageError::Conflict(what.to_owned()),
        _ => backend(e),
    }
}

fn device_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    let kind: String = r.get(2)?;
    Ok(Device {
        id: r.get(0)?,
        hall_id: r.get(1)?,
        kind: DeviceKind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                format!("device kind {kind:?}").into(),
            )
        })?,
        name: r.get(3)?,
        window_id: r.get(4)?,
        created_at: r.get(5)?,
        revoked_at: r.get(6)?,
    })
}

const DEVICE_COLUMNS: &str = "id, hall_id, kind, name, window_id, created_at, revoked_at";

const APPOINTMENT_COLUMNS: &str = "id, hall_id, code, matter_id, day, start_time, end_time, phone, state, \
     booked_at, cancelled_at, checked_in_at, ticket_id, no_show_at";

const INSERT_EVENT: &str =
    "INSERT INTO ticket_events (hall_id, day, ticket_id, at, event) VALUES (?1, ?2, ?3, ?4, ?5)";

const EVENTS_AFTER: &str =
    "SELECT seq, day, event FROM ticket_events WHERE hall_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";

const RATING_COLUMNS: &str =
    "id, hall_id, ticket_id, ticket_number, window_id, matter_id, level, reasons, comment, at";

const RATINGS_AFTER: &str =
    "SELECT seq, id, hall_id, ticket_id, ticket_number, window_id, matter_id, level, \
     reasons, comment, at FROM ratings WHERE hall_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";

/// A rating from its columns in [`RATING_COLUMNS`] order, starting at column `from`.
fn rating_from_row(r: &rusqlite::Row<'_>, from: usize) -> rusqlite::Result<Rating> {
    let level: String = r.get(from + 6)?;
    let reasons: String = r.get(from + 7)?;
    Ok(Rating {
        id: r.get(from)?,
        hall_id: r.get(from + 1)?,
        ticket_id: r.get(from + 2)?,
        ticket_number: r.get(from + 3)?,
        window_id: r.get(from + 4)?,
        matter_id: r.get(from + 5)?,
        level: RatingLevel::parse(&level)
            .ok_or_else(|| bad_column(from + 6, format!("rating level {level:?}")))?,
        reasons: serde_json::from_str(&reasons)
            .map_err(|e| bad_column(from + 7, format!("rating reasons: {e}")))?,
        comment: r.get(from + 8)?,
        at: r.get(from + 9)?,
    })
}

fn bad_column(i: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into())
}

fn time_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let s: Option<String> = r.get(i)?;
    s.map(|s| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| bad_column(i, format!("{s:?}: {e}")))
    })
    .transpose()
}

fn appointment_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Appointment> {
    let day: String = r.get(4)?;
    let state: String = r.get(8)?;
    Ok(Appointment {
        id: r.get(0)?,
        hall_id: r.get(1)?,
        code: r.get(2)?,
        matter_id: r.get(3)?,
        day: day.parse().map_err(|_| bad_column(4, format!("day {day:?}")))?,
        start: r.get(5)?,
        end: r.get(6)?,
        phone: r.get(7)?,
        state: AppointmentState::parse(&state).ok_or_else(|| bad_column(8, format!("state {state:?}")))?,
        booked_at: time_at(r, 9)?.ok_or_else(|| bad_column(9, "booked_at is null".into()))?,
        cancelled_at: time_at(r, 10)?,
        checked_in_at: time_at(r, 11)?,
        ticket_id: r.get(12)?,
        no_show_at: time_at(r, 13)?,
    })
}

fn appointment_by_code(c: &Connection, hall_id: &str, code: &str) -> StorageResult<Option<Appointment>> {
    let mut st = c
        .prepare_cached(&format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE hall_id = ?1 AND code = ?2"
        ))
        .map_err(backend)?;
    st.query_row(params![hall_id, code], appointment_from_row).optional().map_err(backend)
}

fn slot_uses(c: &Connection, hall_id: &str, matter_id: &str, day: NaiveDate) -> StorageResult<Vec<SlotUse>> {
    let mut st = c
        .prepare_cached(
            "SELECT s.start_time, s.end_time, s.capacity,
                    (SELECT count(*) FROM appointments a
                      WHERE a.hall_id = s.hall_id AND a.matter_id = s.matter_id AND a.day = s.day
                        AND a.start_time = s.start_time AND a.state <> 'cancelled')
               FROM appointment_slots s
              WHERE s.hall_id = ?1 AND s.matter_id = ?2 AND s.day = ?3
              ORDER BY s.start_time",
        )
        .map_err(backend)?;
    let rows = st
        .query_map(params![hall_id, matter_id, day.to_string()], |r| {
            Ok(SlotUse {
                slot: Slot { start: r.get(0)?, end: r.get(1)?, capacity: r.get(2)? },
                held: r.get(3)?,
            })
        })
        .map_err(backend)?;
    rows.collect::<rusqlite::Result<_>>().map_err(backend)
}

/// The booking after an update that changed `n` rows if it was still booked.
fn changed(n: usize, now: Option<Appointment>) -> AppointmentChange {
    match now {
        None => AppointmentChange::NotFound,
        Some(a) if n == 1 => AppointmentChange::Done(Box::new(a)),
        Some(a) => AppointmentChange::NotBooked(a.state),
    }
}

fn parse_sync_row(text: &str) -> StorageResult<Row> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(backend)?;
    sync::row_from_json(&v).map_err(StorageError::Backend)
}

fn sync_row(tx: &rusqlite::Transaction<'_>, hall_id: &str, entity: &str, key: &str) -> StorageResult<Row> {
    let text: Option<String> = tx
        .prepare_cached("SELECT row FROM sync_rows WHERE hall_id = ?1 AND entity = ?2 AND entity_key = ?3")
        .map_err(backend)?
        .query_row(params![hall_id, entity, key], |r| r.get(0))
        .optional()
        .map_err(backend)?;
    text.map_or_else(|| Ok(Row::default()), |t| parse_sync_row(&t))
}

fn put_sync_row(
    tx: &rusqlite::Transaction<'_>,
    hall_id: &str,
    entity: &str,
    key: &str,
    row: &Row,
) -> StorageResult<()> {
    tx.prepare_cached(
        "INSERT INTO sync_rows (hall_id, entity, entity_key, row) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (hall_id, entity, entity_key) DO UPDATE SET row = excluded.row",
    )
    .map_err(backend)?
    .execute(params![hall_id, entity, key, sync::row_to_json(row).to_string()])
    .map_err(backend)?;
    Ok(())
}

/// Appends one change to the hall's log under the next change id.
#[allow(clippy::too_many_arguments)]
fn append_change(
    tx: &rusqlite::Transaction<'_>,
    hall_id: &str,
    next_change: &mut i64,
    entity: &str,
    key: &str,
    hlc: &str,
    change: &serde_json::Value,
    device_id: &str,
    seq: i64,
) -> StorageResult<()> {
    tx.prepare_cached(
        "INSERT INTO sync_changes (hall_id, change_id, entity, entity_key, hlc, change, device_id, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .map_err(backend)?
    .execute(params![hall_id, *next_change, entity, key, hlc, change.to_string(), device_id, seq])
    .map_err(backend)?;
    *next_change += 1;
    Ok(())
}

/// The query for the rows `dep` may name, by key, and its parameters after the hall and the
/// entity; None when no row can. The expressions are the indexes' of migration 4, verbatim.
fn dependents_query(dep: &sync::Dependents) -> Option<(String, Vec<String>)> {
    const SELECT: &str = "SELECT entity_key, row FROM sync_rows WHERE hall_id = ?1 AND entity = ?2";
    Some(match dep {
        sync::Dependents::KeyHead { id, .. } => {
            let (low, high) = sync::Dependents::head_range(id)?;
            (
                format!("{SELECT} AND entity_key >= ?3 AND entity_key < ?4 ORDER BY entity_key"),
                vec![low, high],
            )
        }
        sync::Dependents::KeyTail { id, .. } => (
            format!("{SELECT} AND substr(entity_key, instr(entity_key, '/') + 1) = ?3 ORDER BY entity_key"),
            vec![id.clone()],
        ),
        sync::Dependents::Field { field, id, .. } => (
            format!("{SELECT} AND json_extract(row, '$.fields.{field}.value') = ?3 ORDER BY entity_key"),
            vec![id.clone()],
        ),
    })
}

fn dependent_rows(
    tx: &rusqlite::Transaction<'_>,
    hall_id: &str,
    dep: &sync::Dependents,
) -> StorageResult<Vec<(String, Row)>> {
    let Some((sql, args)) = dependents_query(dep) else { return Ok(Vec::new()) };
    let mut st = tx.prepare_cached(&sql).map_err(backend)?;
    let params = [hall_id, dep.entity()].into_iter().chain(args.iter().map(String::as_str));
    let rows = st
        .query_map(rusqlite::params_from_iter(params), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(backend)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(backend)?;
    rows.into_iter().map(|(key, text)| Ok((key, parse_sync_row(&text)?))).collect()
}

/// Tombstones every visible row that references the row `entity`/`key`, which the operation
/// stamped `cause` has just left invisible, and logs each as the server's delete.
fn cascade_delete(
    tx: &rusqlite::Transaction<'_>,
    hall_id: &str,
    entity: &str,
    key: &str,
    cause: &Hlc,
    next_change: &mut i64,
) -> StorageResult<()> {
    for dep in sync::dependents(entity, key) {
        for (dep_key, mut row) in dependent_rows(tx, hall_id, &dep)? {
            if !dep.holds(&dep_key, &row) {
                continue;
            }
            let Some(hlc) = sync::cascade(&mut row, cause) else { continue };
            put_sync_row(tx, hall_id, dep.entity(), &dep_key, &row)?;
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
            )?;
        }
    }
    Ok(())
}

/// Applies one pushed operation inside the push transaction; `next_change` is the hall's next
/// change id. Returns its rejection, if it has one (now or from when it was first pushed).
fn apply_sync_op(
    tx: &rusqlite::Transaction<'_>,
    hall_id: &str,
    device_id: &str,
    op: &SyncOp,
    next_change: &mut i64,
) -> StorageResult<Option<RejectedOp>> {
    let inserted = tx
        .prepare_cached(
            "INSERT INTO sync_ops (hall_id, device_id, seq, op_id, hlc, entity, entity_key, change, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'applied')
             ON CONFLICT (hall_id, device_id, seq) DO NOTHING",
        )
        .map_err(backend)?
        .execute(params![
            hall_id,
            device_id,
            op.seq,
            op.op_id,
            op.hlc,
            op.entity,
            op.key,
            op.change.to_string()
        ])
        .map_err(backend)?;
    if inserted == 0 {
        // A replay: answer as the first time.
        let stored: (String, Option<String>, Option<String>) = tx
            .query_row(
                "SELECT state, reject_code, reject_message FROM sync_ops
                  WHERE hall_id = ?1 AND device_id = ?2 AND seq = ?3",
                params![hall_id, device_id, op.seq],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(backend)?;
        return Ok(match stored {
            (state, code, message) if state == "rejected" => Some(RejectedOp {
                seq: op.seq,
                code: code.unwrap_or_default(),
                message: message.unwrap_or_default(),
            }),
            _ => None,
        });
    }
    let outcome = match sync::check(device_id, op) {
        Err(r) => Err(r),
        Ok(checked) => {
            let mut row = sync_row(tx, hall_id, &op.entity, &op.key)?;
            let mut missing = None;
            for (entity, key) in sync::references(op, &checked.change, &row) {
                if !sync_row(tx, hall_id, entity, &key)?.visible() {
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
                "UPDATE sync_ops SET state = 'rejected', reject_code = ?4, reject_message = ?5
                  WHERE hall_id = ?1 AND device_id = ?2 AND seq = ?3",
                params![hall_id, device_id, op.seq, rejected.code, rejected.message],
            )
            .map_err(backend)?;
            Ok(Some(rejected))
        }
        Ok((row, hlc)) => {
            put_sync_row(tx, hall_id, &op.entity, &op.key, &row)?;
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
            )?;
            // After the operation's own change, so a puller sees the cause before its effects.
            if !row.visible() {
                cascade_delete(tx, hall_id, &op.entity, &op.key, &hlc, next_change)?;
            }
            Ok(None)
        }
    }
}

#[async_trait]
impl Storage for SqliteStorage {
    fn sms(&self) -> &dyn super::sms::SmsStorage {
        self
    }

    async fn migrate(&self) -> StorageResult<()> {
        self.with(|conn| {
            let known = MIGRATIONS.last().map_or(0, |m| m.0);
            // One migration per immediate transaction, the version read inside it: two servers
            // starting on one file cannot both apply the same step.
            loop {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
                let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(backend)?;
                if found > known {
                    return Err(StorageError::SchemaTooNew { found, known });
                }
                let Some((version, sql)) = MIGRATIONS.iter().find(|m| m.0 > found) else {
                    return Ok(());
                };
                tx.execute_batch(sql).map_err(backend)?;
                tx.pragma_update(None, "user_version", version).map_err(backend)?;
                tx.commit().map_err(backend)?;
            }
        })
        .await
    }

    async fn create_hall(&self, hall: &Hall) -> StorageResult<()> {
        let hall = hall.clone();
        self.with(move |c| {
            c.execute("INSERT INTO halls (id, name) VALUES (?1, ?2)", params![hall.id, hall.name])
                .map_err(|e| conflict_or(e, &format!("hall {}", hall.id)))?;
            Ok(())
        })
        .await
    }

    async fn hall(&self, id: &str) -> StorageResult<Option<Hall>> {
        let id = id.to_owned();
        self.with(move |c| {
            c.query_row("SELECT id, name FROM halls WHERE id = ?1", [id], |r| {
                Ok(Hall { id: r.get(0)?, name: r.get(1)? })
            })
            .optional()
            .map_err(backend)
        })
        .await
    }

    async fn halls(&self) -> StorageResult<Vec<Hall>> {
        self.with(|c| {
            let mut st = c.prepare_cached("SELECT id, name FROM halls ORDER BY id").map_err(backend)?;
            let rows = st.query_map([], |r| Ok(Hall { id: r.get(0)?, name: r.get(1)? })).map_err(backend)?;
            rows.collect::<rusqlite::Result<_>>().map_err(backend)
        })
        .await
    }

    async fn put_config(&self, hall_id: &str, config: &HallConfig, at: DateTime<Utc>) -> StorageResult<()> {
        let json = serde_json::to_string(config).map_err(backend)?;
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            c.execute(
                "INSERT INTO hall_configs (hall_id, config, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (hall_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at",
                params![hall_id, json, ts(at)],
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => StorageError::NotFound(format!("hall {hall_id}")),
                _ => backend(e),
            })?;
            Ok(())
        })
        .await
    }

    async fn config(&self, hall_id: &str) -> StorageResult<Option<HallConfig>> {
        let hall_id = hall_id.to_owned();
        let json: Option<String> = self
            .with(move |c| {
                c.query_row("SELECT config FROM hall_configs WHERE hall_id = ?1", [hall_id], |r| r.get(0))
                    .optional()
                    .map_err(backend)
            })
            .await?;
        json.map(|j| serde_json::from_str(&j).map_err(backend)).transpose()
    }

    async fn add_device(&self, device: &DeviceRecord) -> StorageResult<()> {
        let d = device.clone();
        self.with(move |c| {
            c.execute(
                &format!("INSERT INTO devices ({DEVICE_COLUMNS}, token_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
                params![
                    d.device.id,
                    d.device.hall_id,
                    d.device.kind.as_str(),
                    d.device.name,
                    d.device.window_id,
                    d.device.created_at,
                    d.device.revoked_at,
                    d.token_hash
                ],
            )
            .map_err(|e| conflict_or(e, "device"))?;
            Ok(())
        })
        .await
    }

    async fn device_by_token_hash(&self, token_hash: &str) -> StorageResult<Option<Device>> {
        let hash = token_hash.to_owned();
        self.with(move |c| {
            let mut st = c
                .prepare_cached(&format!(
                    "SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = ?1 AND revoked_at IS NULL"
                ))
                .map_err(backend)?;
            st.query_row([hash], device_from_row).optional().map_err(backend)
        })
        .await
    }

    async fn devices(&self, hall_id: &str) -> StorageResult<Vec<Device>> {
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            let mut st = c
                .prepare_cached(&format!(
                    "SELECT {DEVICE_COLUMNS} FROM devices WHERE hall_id = ?1 ORDER BY created_at, id"
                ))
                .map_err(backend)?;
            let rows = st.query_map([hall_id], device_from_row).map_err(backend)?;
            rows.collect::<rusqlite::Result<_>>().map_err(backend)
        })
        .await
    }

    async fn revoke_device(&self, hall_id: &str, device_id: &str, at: DateTime<Utc>) -> StorageResult<bool> {
        let (hall_id, device_id) = (hall_id.to_owned(), device_id.to_owned());
        self.with(move |c| {
            let n = c
                .execute(
                    "UPDATE devices SET revoked_at = ?3 WHERE hall_id = ?1 AND id = ?2 AND revoked_at IS NULL",
                    params![hall_id, device_id, ts(at)],
                )
                .map_err(backend)?;
            Ok(n == 1)
        })
        .await
    }

    async fn append_event(&self, hall_id: &str, day: NaiveDate, event: &TicketEvent) -> StorageResult<()> {
        let json = serde_json::to_string(event).map_err(backend)?;
        let (hall_id, ticket_id, at) = (hall_id.to_owned(), event.ticket_id.clone(), ts(event.at));
        self.with(move |c| {
            let mut st = c.prepare_cached(INSERT_EVENT).map_err(backend)?;
            st.execute(params![hall_id, day.to_string(), ticket_id, at, json]).map_err(backend)?;
            Ok(())
        })
        .await
    }

    async fn append_events(
        &self,
        hall_id: &str,
        day: NaiveDate,
        events: &[TicketEvent],
    ) -> StorageResult<()> {
        let rows = events
            .iter()
            .map(|e| Ok((e.ticket_id.clone(), ts(e.at), serde_json::to_string(e).map_err(backend)?)))
            .collect::<StorageResult<Vec<_>>>()?;
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            {
                let mut st = tx.prepare_cached(INSERT_EVENT).map_err(backend)?;
                for (ticket_id, at, json) in &rows {
                    st.execute(params![hall_id, day.to_string(), ticket_id, at, json]).map_err(backend)?;
                }
            }
            tx.commit().map_err(backend)
        })
        .await
    }

    async fn events(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<TicketEvent>> {
        let hall_id = hall_id.to_owned();
        let jsons: Vec<String> = self
            .with(move |c| {
                let mut st = c
                    .prepare_cached(
                        "SELECT event FROM ticket_events WHERE hall_id = ?1 AND day = ?2 ORDER BY seq",
                    )
                    .map_err(backend)?;
                let rows = st.query_map(params![hall_id, day.to_string()], |r| r.get(0)).map_err(backend)?;
                rows.collect::<rusqlite::Result<_>>().map_err(backend)
            })
            .await?;
        jsons.iter().map(|j| serde_json::from_str(j).map_err(backend)).collect()
    }

    async fn add_rating(&self, rating: &Rating) -> StorageResult<()> {
        let r = rating.clone();
        let reasons = serde_json::to_string(&r.reasons).map_err(backend)?;
        self.with(move |c| {
            // The seq is the AUTOINCREMENT key, handed out inside this write: SQLite has one
            // writer at a time, so a hall's ratings commit in seq order.
            c.execute(
                &format!(
                    "INSERT INTO ratings ({RATING_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                ),
                params![
                    r.id,
                    r.hall_id,
                    r.ticket_id,
                    r.ticket_number,
                    r.window_id,
                    r.matter_id,
                    r.level.as_str(),
                    reasons,
                    r.comment,
                    r.at
                ],
            )
            .map_err(|e| conflict_or(e, &format!("rating for ticket {}", r.ticket_id)))?;
            Ok(())
        })
        .await
    }

    async fn ratings(&self, hall_id: &str, since: DateTime<Utc>) -> StorageResult<Vec<Rating>> {
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            let mut st = c
                .prepare_cached(&format!(
                    "SELECT {RATING_COLUMNS} FROM ratings WHERE hall_id = ?1 AND at >= ?2 ORDER BY at, id"
                ))
                .map_err(backend)?;
            let rows =
                st.query_map(params![hall_id, ts(since)], |r| rating_from_row(r, 0)).map_err(backend)?;
            rows.collect::<rusqlite::Result<_>>().map_err(backend)
        })
        .await
    }

    async fn put_slots(
        &self,
        hall_id: &str,
        matter_id: &str,
        day: NaiveDate,
        slots: &[Slot],
    ) -> StorageResult<SlotsReplaced> {
        let (hall_id, matter_id, slots) = (hall_id.to_owned(), matter_id.to_owned(), slots.to_vec());
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            for used in slot_uses(&tx, &hall_id, &matter_id, day)?.into_iter().filter(|u| u.held > 0) {
                let kept = slots.iter().find(|s| s.start == used.slot.start && s.end == used.slot.end);
                if kept.is_none_or(|s| s.capacity < used.held) {
                    return Ok(SlotsReplaced::InUse(used));
                }
            }
            tx.execute(
                "DELETE FROM appointment_slots WHERE hall_id = ?1 AND matter_id = ?2 AND day = ?3",
                params![hall_id, matter_id, day.to_string()],
            )
            .map_err(backend)?;
            for s in &slots {
                tx.execute(
                    "INSERT INTO appointment_slots (hall_id, matter_id, day, start_time, end_time, capacity)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![hall_id, matter_id, day.to_string(), s.start, s.end, s.capacity],
                )
                .map_err(|e| match e.sqlite_error_code() {
                    Some(rusqlite::ErrorCode::ConstraintViolation) => {
                        StorageError::NotFound(format!("hall {hall_id}"))
                    }
                    _ => backend(e),
                })?;
            }
            tx.commit().map_err(backend)?;
            Ok(SlotsReplaced::Done)
        })
        .await
    }

    async fn slots(&self, hall_id: &str, matter_id: &str, day: NaiveDate) -> StorageResult<Vec<SlotUse>> {
        let (hall_id, matter_id) = (hall_id.to_owned(), matter_id.to_owned());
        self.with(move |c| slot_uses(c, &hall_id, &matter_id, day)).await
    }

    async fn book(&self, appointment: &NewAppointment) -> StorageResult<Booked> {
        let a = appointment.clone();
        self.with(move |c| {
            // Immediate: the count and the insert below cannot interleave with another writer's.
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            let slot: Option<(String, u32)> = tx
                .query_row(
                    "SELECT end_time, capacity FROM appointment_slots
                      WHERE hall_id = ?1 AND matter_id = ?2 AND day = ?3 AND start_time = ?4",
                    params![a.hall_id, a.matter_id, a.day.to_string(), a.start],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(backend)?;
            let Some((end, capacity)) = slot else { return Ok(Booked::NoSuchSlot) };
            let held: u32 = tx
                .query_row(
                    "SELECT count(*) FROM appointments
                      WHERE hall_id = ?1 AND matter_id = ?2 AND day = ?3 AND start_time = ?4
                        AND state <> 'cancelled'",
                    params![a.hall_id, a.matter_id, a.day.to_string(), a.start],
                    |r| r.get(0),
                )
                .map_err(backend)?;
            if held >= capacity {
                return Ok(Booked::Full);
            }
            let booked_at = to_millis(a.booked_at);
            tx.execute(
                &format!(
                    "INSERT INTO appointments ({APPOINTMENT_COLUMNS}, ends_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'booked', ?9, NULL, NULL, NULL, NULL, ?10)"
                ),
                params![
                    a.id,
                    a.hall_id,
                    a.code,
                    a.matter_id,
                    a.day.to_string(),
                    a.start,
                    end,
                    a.phone,
                    ts(booked_at),
                    ts(slot_instant(a.day, &end))
                ],
            )
            .map_err(|e| conflict_or(e, &format!("appointment code {}", a.code)))?;
            tx.commit().map_err(backend)?;
            Ok(Booked::Done(Box::new(Appointment {
                id: a.id,
                hall_id: a.hall_id,
                code: a.code,
                matter_id: a.matter_id,
                day: a.day,
                start: a.start,
                end,
                phone: a.phone,
                state: AppointmentState::Booked,
                booked_at,
                cancelled_at: None,
                checked_in_at: None,
                ticket_id: None,
                no_show_at: None,
            })))
        })
        .await
    }

    async fn appointment(&self, hall_id: &str, code: &str) -> StorageResult<Option<Appointment>> {
        let (hall_id, code) = (hall_id.to_owned(), code.to_owned());
        self.with(move |c| appointment_by_code(c, &hall_id, &code)).await
    }

    async fn appointments(&self, hall_id: &str, day: NaiveDate) -> StorageResult<Vec<Appointment>> {
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            let mut st = c
                .prepare_cached(&format!(
                    "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE hall_id = ?1 AND day = ?2
                      ORDER BY start_time, booked_at, code"
                ))
                .map_err(backend)?;
            let rows =
                st.query_map(params![hall_id, day.to_string()], appointment_from_row).map_err(backend)?;
            rows.collect::<rusqlite::Result<_>>().map_err(backend)
        })
        .await
    }

    async fn cancel_appointment(
        &self,
        hall_id: &str,
        code: &str,
        at: DateTime<Utc>,
    ) -> StorageResult<AppointmentChange> {
        let (hall_id, code) = (hall_id.to_owned(), code.to_owned());
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            let n = tx
                .execute(
                    "UPDATE appointments SET state = 'cancelled', cancelled_at = ?3
                      WHERE hall_id = ?1 AND code = ?2 AND state = 'booked'",
                    params![hall_id, code, ts(at)],
                )
                .map_err(backend)?;
            let now = appointment_by_code(&tx, &hall_id, &code)?;
            tx.commit().map_err(backend)?;
            Ok(changed(n, now))
        })
        .await
    }

    async fn check_in_appointment(
        &self,
        hall_id: &str,
        code: &str,
        day: NaiveDate,
        issued: &TicketEvent,
    ) -> StorageResult<AppointmentChange> {
        let json = serde_json::to_string(issued).map_err(backend)?;
        let (hall_id, code, ticket_id, at) =
            (hall_id.to_owned(), code.to_owned(), issued.ticket_id.clone(), issued.at);
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            let n = tx
                .execute(
                    "UPDATE appointments SET state = 'checked_in', checked_in_at = ?3, ticket_id = ?4
                      WHERE hall_id = ?1 AND code = ?2 AND state = 'booked'",
                    params![hall_id, code, ts(at), ticket_id],
                )
                .map_err(backend)?;
            if n == 1 {
                tx.execute(INSERT_EVENT, params![hall_id, day.to_string(), ticket_id, ts(at), json])
                    .map_err(backend)?;
            }
            let now = appointment_by_code(&tx, &hall_id, &code)?;
            tx.commit().map_err(backend)?;
            Ok(changed(n, now))
        })
        .await
    }

    async fn mark_no_shows(
        &self,
        hall_id: &str,
        ended_before: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StorageResult<u64> {
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            let n = c
                .execute(
                    "UPDATE appointments SET state = 'no_show', no_show_at = ?3
                      WHERE hall_id = ?1 AND state = 'booked' AND ends_at < ?2",
                    params![hall_id, ts(ended_before), ts(at)],
                )
                .map_err(backend)?;
            Ok(n as u64)
        })
        .await
    }

    async fn apply_sync_ops(
        &self,
        hall_id: &str,
        device_id: &str,
        ops: &[SyncOp],
    ) -> StorageResult<PushResponse> {
        let (hall_id, device_id) = (hall_id.to_owned(), device_id.to_owned());
        let mut ops = ops.to_vec();
        ops.sort_by_key(|o| o.seq);
        self.with(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
            tx.execute(
                "INSERT INTO sync_heads (hall_id, last_change_id) VALUES (?1, 0) ON CONFLICT (hall_id) DO NOTHING",
                [&hall_id],
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => StorageError::NotFound(format!("hall {hall_id}")),
                _ => backend(e),
            })?;
            let last: i64 = tx
                .query_row("SELECT last_change_id FROM sync_heads WHERE hall_id = ?1", [&hall_id], |r| r.get(0))
                .map_err(backend)?;
            let mut next_change = last + 1;
            let mut rejected = Vec::new();
            for op in &ops {
                if let Some(r) = apply_sync_op(&tx, &hall_id, &device_id, op, &mut next_change)? {
                    rejected.push(r);
                }
            }
            tx.execute(
                "UPDATE sync_heads SET last_change_id = ?2 WHERE hall_id = ?1",
                params![hall_id, next_change - 1],
            )
            .map_err(backend)?;
            let highest_seq: i64 = tx
                .query_row(
                    "SELECT coalesce(max(seq), 0) FROM sync_ops WHERE hall_id = ?1 AND device_id = ?2",
                    params![hall_id, device_id],
                    |r| r.get(0),
                )
                .map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok(PushResponse { highest_seq, rejected })
        })
        .await
    }

    async fn pull_changes(&self, hall_id: &str, cursor: i64, limit: u32) -> StorageResult<PullResponse> {
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            let mut st = c
                .prepare_cached(
                    "SELECT change_id, entity, entity_key, hlc, change, device_id, seq FROM sync_changes
                      WHERE hall_id = ?1 AND change_id > ?2 ORDER BY change_id LIMIT ?3",
                )
                .map_err(backend)?;
            let rows = st
                .query_map(params![hall_id, cursor, i64::from(limit) + 1], |r| {
                    let change: String = r.get(4)?;
                    Ok(SyncChange {
                        change_id: r.get(0)?,
                        entity: r.get(1)?,
                        key: r.get(2)?,
                        hlc: r.get(3)?,
                        change: serde_json::from_str(&change).map_err(|e| bad_column(4, e.to_string()))?,
                        device_id: r.get(5)?,
                        seq: r.get(6)?,
                    })
                })
                .map_err(backend)?;
            let mut changes = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)?;
            let has_more = changes.len() > limit as usize;
            changes.truncate(limit as usize);
            let next_cursor = changes.last().map_or(cursor, |c| c.change_id);
            Ok(PullResponse { changes, next_cursor, has_more })
        })
        .await
    }

    async fn events_after(&self, hall_id: &str, after: i64, limit: u32) -> StorageResult<EventsPage> {
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            // One statement, one snapshot: SQLite has one writer at a time and `seq` is handed out
            // inside its write, so every event below the newest one seen is already visible.
            let mut st = c.prepare_cached(EVENTS_AFTER).map_err(backend)?;
            let rows = st
                .query_map(params![hall_id, after, i64::from(limit) + 1], |r| {
                    let event: String = r.get(2)?;
                    Ok(TicketEventRecord {
                        seq: r.get(0)?,
                        day: r.get(1)?,
                        event: RawValue::from_string(event).map_err(|e| bad_column(2, e.to_string()))?,
                    })
                })
                .map_err(backend)?;
            let mut events = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)?;
            let has_more = events.len() > limit as usize;
            events.truncate(limit as usize);
            let next_cursor = events.last().map_or(after, |e| e.seq);
            Ok(EventsPage { events, next_cursor, has_more, head: None })
        })
        .await
    }

    async fn ratings_after(&self, hall_id: &str, after: i64, limit: u32) -> StorageResult<RatingsPage> {
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            // One statement, one snapshot, and seqs handed out inside the single writer's
            // transaction: every rating below the newest one seen is already visible.
            let mut st = c.prepare_cached(RATINGS_AFTER).map_err(backend)?;
            let rows = st
                .query_map(params![hall_id, after, i64::from(limit) + 1], |r| {
                    Ok(RatingRecord { seq: r.get(0)?, rating: rating_from_row(r, 1)? })
                })
                .map_err(backend)?;
            let mut ratings = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)?;
            let has_more = ratings.len() > limit as usize;
            ratings.truncate(limit as usize);
            let next_cursor = ratings.last().map_or(after, |r| r.seq);
            Ok(RatingsPage { ratings, next_cursor, has_more, head: None })
        })
        .await
    }

    async fn sync_heads(&self, hall_id: &str) -> StorageResult<SyncHeads> {
        let hall_id = hall_id.to_owned();
        self.with(move |c| {
            c.prepare_cached(
                "SELECT (SELECT coalesce(max(last_change_id), 0) FROM sync_heads WHERE hall_id = ?1),
                        (SELECT coalesce(max(seq), 0) FROM ticket_events WHERE hall_id = ?1),
                        (SELECT coalesce(max(seq), 0) FROM ratings WHERE hall_id = ?1)",
            )
            .map_err(backend)?
            .query_row([hall_id], |r| {
                Ok(SyncHeads { change_id: r.get(0)?, event_seq: r.get(1)?, rating_seq: r.get(2)? })
            })
            .map_err(backend)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cascade's queries must match the indexes' expressions verbatim, or SQLite reads every
    /// binding or seat of the hall instead.
    #[tokio::test]
    async fn dependents_are_found_through_an_index() {
        let storage = SqliteStorage::open_in_memory().unwrap();
        storage.migrate().await.unwrap();
        let deps = [sync::dependents("window", "w-a"), sync::dependents("staff", "s-1")].concat();
        let plans = storage
            .with(move |c| {
                let mut plans = Vec::new();
                for dep in &deps {
                    let (sql, _) = dependents_query(dep).unwrap();
                    let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).map_err(backend)?;
                    let n = st.parameter_count();
                    let detail: Vec<String> = st
                        .query_map(rusqlite::params_from_iter(vec!["x"; n]), |r| r.get::<_, String>(3))
                        .map_err(backend)?
                        .collect::<rusqlite::Result<_>>()
                        .map_err(backend)?;
                    plans.push(detail.join("; "));
                }
                Ok(plans)
            })
            .await
            .unwrap();
        assert_eq!(plans.len(), 3);
        assert!(plans[0].contains("USING INDEX sqlite_autoindex_sync_rows_1"), "{}", plans[0]);
        assert!(plans[1].contains("USING INDEX sync_rows_by_key_tail"), "{}", plans[1]);
        assert!(plans[2].contains("USING INDEX sync_rows_by_staff"), "{}", plans[2]);
        assert_eq!(dependents_query(&sync::dependents("window", "w/a")[0]), None);

        let events = storage
            .with(|c| {
                let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {EVENTS_AFTER}")).map_err(backend)?;
                let detail: Vec<String> = st
                    .query_map(params!["h1", 0, 10], |r| r.get::<_, String>(3))
                    .map_err(backend)?
                    .collect::<rusqlite::Result<_>>()
                    .map_err(backend)?;
                Ok(detail.join("; "))
            })
            .await
            .unwrap();
        assert!(
            events.contains("USING COVERING INDEX ticket_events_by_hall")
                || events.contains("USING INDEX ticket_events_by_hall"),
            "{events}"
        );
        assert!(!events.contains("TEMP B-TREE"), "no sort: {events}");

        let ratings = storage
            .with(|c| {
                let mut st = c.prepare(&format!("EXPLAIN QUERY PLAN {RATINGS_AFTER}")).map_err(backend)?;
                let detail: Vec<String> = st
                    .query_map(params!["h1", 0, 10], |r| r.get::<_, String>(3))
                    .map_err(backend)?
                    .collect::<rusqlite::Result<_>>()
                    .map_err(backend)?;
                Ok(detail.join("; "))
            })
            .await
            .unwrap();
        assert!(ratings.contains("USING INDEX ratings_by_hall"), "{ratings}");
        assert!(!ratings.contains("TEMP B-TREE"), "no sort: {ratings}");
    }
}
