//! Appointment slots and bookings on PostgreSQL; what may be booked or replaced is
//! `crate::appointments`' to decide.

use super::tickets::{lock_events, INSERT_EVENT};
use super::{backend, col, conflict_or, is_constraint_violation, PostgresStorage, SLOT_LOCK_CLASS};
use crate::appointments::{has_place, slot_in_use, slot_instant};
use crate::storage::{
    slot_lock_key, to_millis, AppointmentChange, Booked, NewAppointment, Slot, SlotUse, SlotsReplaced,
    StorageError, StorageResult,
};
use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::{Appointment, AppointmentState, TicketEvent};
use tokio_postgres::types::Json;
use tokio_postgres::Row;

pub(super) const APPOINTMENT_COLUMNS: &str =
    "id, hall_id, code, matter_id, day, start_time, end_time, phone, state, \
     booked_at, cancelled_at, checked_in_at, ticket_id, no_show_at";

pub(super) fn appointment_from_row(r: &Row) -> StorageResult<Appointment> {
    let state: String = r.try_get(8).map_err(backend)?;
    Ok(from_columns!(col; r => Appointment {
        id, hall_id, code, matter_id, day, start, end, phone,
        state = AppointmentState::parse(&state)
            .ok_or_else(|| StorageError::Backend(format!("appointment state {state:?}")))?,
        booked_at, cancelled_at, checked_in_at, ticket_id, no_show_at,
    }))
}

pub(super) async fn appointment_by_code(
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

pub(super) async fn slot_uses(
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
pub(super) async fn lock_slots(
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

pub(super) async fn put_slots(
    s: &PostgresStorage,
    hall_id: &str,
    matter_id: &str,
    day: NaiveDate,
    slots: &[Slot],
) -> StorageResult<SlotsReplaced> {
    let mut c = s.client().await?;
    let tx = c.transaction().await.map_err(backend)?;
    lock_slots(&tx, hall_id, matter_id, day).await?;
    if let Some(used) = slot_in_use(slot_uses(&tx, hall_id, matter_id, day).await?, &slots) {
        return Ok(SlotsReplaced::InUse(used));
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
        tx.execute(&st, &[&hall_id, &matter_id, &day, &s.start, &s.end, &capacity]).await.map_err(|e| {
            if is_constraint_violation(&e) {
                StorageError::NotFound(format!("hall {hall_id}"))
            } else {
                backend(e)
            }
        })?;
    }
    tx.commit().await.map_err(backend)?;
    Ok(SlotsReplaced::Done)
}

pub(super) async fn slots(
    s: &PostgresStorage,
    hall_id: &str,
    matter_id: &str,
    day: NaiveDate,
) -> StorageResult<Vec<SlotUse>> {
    let c = s.client().await?;
    slot_uses(&c, hall_id, matter_id, day).await
}

pub(super) async fn book(s: &PostgresStorage, a: &NewAppointment) -> StorageResult<Booked> {
    let mut c = s.client().await?;
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
    if !has_place(u32::try_from(held).map_err(backend)?, u32::try_from(capacity).map_err(backend)?) {
        return Ok(Booked::Full);
    }
    let booked_at = to_millis(a.booked_at);
    let ends_at = slot_instant(a.day, &end);
    tx.execute(
        &format!(
            "INSERT INTO appointments ({APPOINTMENT_COLUMNS}, ends_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, NULL, NULL, NULL, NULL, $10)"
        ),
        &[&a.id, &a.hall_id, &a.code, &a.matter_id, &a.day, &a.start, &end, &a.phone, &booked_at, &ends_at],
    )
    .await
    .map_err(|e| conflict_or(e, &format!("appointment code {}", a.code)))?;
    tx.commit().await.map_err(backend)?;
    Ok(Booked::Done(Box::new(a.booked(end, booked_at))))
}

pub(super) async fn appointment(
    s: &PostgresStorage,
    hall_id: &str,
    code: &str,
) -> StorageResult<Option<Appointment>> {
    let c = s.client().await?;
    appointment_by_code(&c, hall_id, code).await
}

pub(super) async fn appointments(
    s: &PostgresStorage,
    hall_id: &str,
    day: NaiveDate,
) -> StorageResult<Vec<Appointment>> {
    let c = s.client().await?;
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

pub(super) async fn cancel_appointment(
    s: &PostgresStorage,
    hall_id: &str,
    code: &str,
    at: DateTime<Utc>,
) -> StorageResult<AppointmentChange> {
    let mut c = s.client().await?;
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
    Ok(AppointmentChange::after_update(n == 1, now))
}

pub(super) async fn check_in_appointment(
    s: &PostgresStorage,
    hall_id: &str,
    code: &str,
    day: NaiveDate,
    issued: &TicketEvent,
) -> StorageResult<AppointmentChange> {
    let mut c = s.client().await?;
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
    Ok(AppointmentChange::after_update(n == 1, now))
}

pub(super) async fn mark_no_shows(
    s: &PostgresStorage,
    hall_id: &str,
    ended_before: DateTime<Utc>,
    at: DateTime<Utc>,
) -> StorageResult<u64> {
    let c = s.client().await?;
    let st = c
        .prepare_cached(
            "UPDATE appointments SET state = 'no_show', no_show_at = $3
              WHERE hall_id = $1 AND state = 'booked' AND ends_at < $2",
        )
        .await
        .map_err(backend)?;
    c.execute(&st, &[&hall_id, &ended_before, &to_millis(at)]).await.map_err(backend)
}
