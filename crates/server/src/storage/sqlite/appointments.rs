//! Appointment slots and bookings on SQLite; what may be booked or replaced is
//! `crate::appointments`' to decide.

use super::tickets::INSERT_EVENT;
use super::{backend, bad_column, conflict_or, ts, SqliteStorage};
use crate::appointments::{has_place, slot_in_use, slot_instant};
use crate::storage::{
    to_millis, AppointmentChange, Booked, NewAppointment, Slot, SlotUse, SlotsReplaced, StorageError,
    StorageResult,
};
use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::{Appointment, AppointmentState, TicketEvent};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

pub(super) const APPOINTMENT_COLUMNS: &str =
    "id, hall_id, code, matter_id, day, start_time, end_time, phone, state, \
     booked_at, cancelled_at, checked_in_at, ticket_id, no_show_at";

pub(super) fn time_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let s: Option<String> = r.get(i)?;
    s.map(|s| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| bad_column(i, format!("{s:?}: {e}")))
    })
    .transpose()
}

pub(super) fn appointment_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Appointment> {
    let day: String = r.get(4)?;
    let state: String = r.get(8)?;
    Ok(from_columns!(rusqlite::Row::get; r => Appointment {
        id, hall_id, code, matter_id,
        day = day.parse().map_err(|_| bad_column(4, format!("day {day:?}")))?,
        start, end, phone,
        state = AppointmentState::parse(&state).ok_or_else(|| bad_column(8, format!("state {state:?}")))?,
        booked_at = time_at(r, 9)?.ok_or_else(|| bad_column(9, "booked_at is null".into()))?,
        cancelled_at = time_at(r, 10)?,
        checked_in_at = time_at(r, 11)?,
        ticket_id,
        no_show_at = time_at(r, 13)?,
    }))
}

pub(super) fn appointment_by_code(
    c: &Connection,
    hall_id: &str,
    code: &str,
) -> StorageResult<Option<Appointment>> {
    let mut st = c
        .prepare_cached(&format!(
            "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE hall_id = ?1 AND code = ?2"
        ))
        .map_err(backend)?;
    st.query_row(params![hall_id, code], appointment_from_row).optional().map_err(backend)
}

pub(super) fn slot_uses(
    c: &Connection,
    hall_id: &str,
    matter_id: &str,
    day: NaiveDate,
) -> StorageResult<Vec<SlotUse>> {
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

pub(super) async fn put_slots(
    s: &SqliteStorage,
    hall_id: &str,
    matter_id: &str,
    day: NaiveDate,
    slots: &[Slot],
) -> StorageResult<SlotsReplaced> {
    let (hall_id, matter_id, slots) = (hall_id.to_owned(), matter_id.to_owned(), slots.to_vec());
    s.with(move |c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
        if let Some(used) = slot_in_use(slot_uses(&tx, &hall_id, &matter_id, day)?, &slots) {
            return Ok(SlotsReplaced::InUse(used));
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

pub(super) async fn slots(
    s: &SqliteStorage,
    hall_id: &str,
    matter_id: &str,
    day: NaiveDate,
) -> StorageResult<Vec<SlotUse>> {
    let (hall_id, matter_id) = (hall_id.to_owned(), matter_id.to_owned());
    s.with(move |c| slot_uses(c, &hall_id, &matter_id, day)).await
}

pub(super) async fn book(s: &SqliteStorage, appointment: &NewAppointment) -> StorageResult<Booked> {
    let a = appointment.clone();
    s.with(move |c| {
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
        if !has_place(held, capacity) {
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
        Ok(Booked::Done(Box::new(a.booked(end, booked_at))))
    })
    .await
}

pub(super) async fn appointment(
    s: &SqliteStorage,
    hall_id: &str,
    code: &str,
) -> StorageResult<Option<Appointment>> {
    let (hall_id, code) = (hall_id.to_owned(), code.to_owned());
    s.with(move |c| appointment_by_code(c, &hall_id, &code)).await
}

pub(super) async fn appointments(
    s: &SqliteStorage,
    hall_id: &str,
    day: NaiveDate,
) -> StorageResult<Vec<Appointment>> {
    let hall_id = hall_id.to_owned();
    s.with(move |c| {
        let mut st = c
            .prepare_cached(&format!(
                "SELECT {APPOINTMENT_COLUMNS} FROM appointments WHERE hall_id = ?1 AND day = ?2
                  ORDER BY start_time, booked_at, code"
            ))
            .map_err(backend)?;
        let rows = st.query_map(params![hall_id, day.to_string()], appointment_from_row).map_err(backend)?;
        rows.collect::<rusqlite::Result<_>>().map_err(backend)
    })
    .await
}

pub(super) async fn cancel_appointment(
    s: &SqliteStorage,
    hall_id: &str,
    code: &str,
    at: DateTime<Utc>,
) -> StorageResult<AppointmentChange> {
    let (hall_id, code) = (hall_id.to_owned(), code.to_owned());
    s.with(move |c| {
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
        Ok(AppointmentChange::after_update(n == 1, now))
    })
    .await
}

pub(super) async fn check_in_appointment(
    s: &SqliteStorage,
    hall_id: &str,
    code: &str,
    day: NaiveDate,
    issued: &TicketEvent,
) -> StorageResult<AppointmentChange> {
    let json = serde_json::to_string(issued).map_err(backend)?;
    let (hall_id, code, ticket_id, at) =
        (hall_id.to_owned(), code.to_owned(), issued.ticket_id.clone(), issued.at);
    s.with(move |c| {
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
        Ok(AppointmentChange::after_update(n == 1, now))
    })
    .await
}

pub(super) async fn mark_no_shows(
    s: &SqliteStorage,
    hall_id: &str,
    ended_before: DateTime<Utc>,
    at: DateTime<Utc>,
) -> StorageResult<u64> {
    let hall_id = hall_id.to_owned();
    s.with(move |c| {
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
