//! Ticket events and ratings on SQLite, and the pages desktops pull them by.

use super::{backend, bad_column, conflict_or, ts, SqliteStorage};
use crate::storage::{page, StorageResult};
use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::{
    EventsPage, Rating, RatingLevel, RatingRecord, RatingsPage, TicketEvent, TicketEventRecord,
};
use rusqlite::{params, TransactionBehavior};
use serde_json::value::RawValue;

pub(super) const INSERT_EVENT: &str =
    "INSERT INTO ticket_events (hall_id, day, ticket_id, at, event) VALUES (?1, ?2, ?3, ?4, ?5)";

pub(super) const EVENTS_AFTER: &str =
    "SELECT seq, day, event FROM ticket_events WHERE hall_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";

pub(super) const RATING_COLUMNS: &str =
    "id, hall_id, ticket_id, ticket_number, window_id, matter_id, level, reasons, comment, at";

pub(super) const RATINGS_AFTER: &str =
    "SELECT seq, id, hall_id, ticket_id, ticket_number, window_id, matter_id, level, \
     reasons, comment, at FROM ratings WHERE hall_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";

/// A rating from its columns in [`RATING_COLUMNS`] order, starting at column `from`.
pub(super) fn rating_from_row(r: &rusqlite::Row<'_>, from: usize) -> rusqlite::Result<Rating> {
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

pub(super) async fn append_event(
    s: &SqliteStorage,
    hall_id: &str,
    day: NaiveDate,
    event: &TicketEvent,
) -> StorageResult<()> {
    let json = serde_json::to_string(event).map_err(backend)?;
    let (hall_id, ticket_id, at) = (hall_id.to_owned(), event.ticket_id.clone(), ts(event.at));
    s.with(move |c| {
        let mut st = c.prepare_cached(INSERT_EVENT).map_err(backend)?;
        st.execute(params![hall_id, day.to_string(), ticket_id, at, json]).map_err(backend)?;
        Ok(())
    })
    .await
}

pub(super) async fn append_events(
    s: &SqliteStorage,
    hall_id: &str,
    day: NaiveDate,
    events: &[TicketEvent],
) -> StorageResult<()> {
    let rows = events
        .iter()
        .map(|e| Ok((e.ticket_id.clone(), ts(e.at), serde_json::to_string(e).map_err(backend)?)))
        .collect::<StorageResult<Vec<_>>>()?;
    let hall_id = hall_id.to_owned();
    s.with(move |c| {
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

pub(super) async fn events(
    s: &SqliteStorage,
    hall_id: &str,
    day: NaiveDate,
) -> StorageResult<Vec<TicketEvent>> {
    let hall_id = hall_id.to_owned();
    let jsons: Vec<String> = s
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

pub(super) async fn add_rating(s: &SqliteStorage, rating: &Rating) -> StorageResult<()> {
    let r = rating.clone();
    let reasons = serde_json::to_string(&r.reasons).map_err(backend)?;
    s.with(move |c| {
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

pub(super) async fn ratings(
    s: &SqliteStorage,
    hall_id: &str,
    since: DateTime<Utc>,
) -> StorageResult<Vec<Rating>> {
    let hall_id = hall_id.to_owned();
    s.with(move |c| {
        let mut st = c
            .prepare_cached(&format!(
                "SELECT {RATING_COLUMNS} FROM ratings WHERE hall_id = ?1 AND at >= ?2 ORDER BY at, id"
            ))
            .map_err(backend)?;
        let rows = st.query_map(params![hall_id, ts(since)], |r| rating_from_row(r, 0)).map_err(backend)?;
        rows.collect::<rusqlite::Result<_>>().map_err(backend)
    })
    .await
}

pub(super) async fn events_after(
    s: &SqliteStorage,
    hall_id: &str,
    after: i64,
    limit: u32,
) -> StorageResult<EventsPage> {
    let hall_id = hall_id.to_owned();
    s.with(move |c| {
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
        let rows = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)?;
        let (events, next_cursor, has_more) = page(rows, limit, after, |e| e.seq);
        Ok(EventsPage { events, next_cursor, has_more, head: None })
    })
    .await
}

pub(super) async fn ratings_after(
    s: &SqliteStorage,
    hall_id: &str,
    after: i64,
    limit: u32,
) -> StorageResult<RatingsPage> {
    let hall_id = hall_id.to_owned();
    s.with(move |c| {
        // One statement, one snapshot, and seqs handed out inside the single writer's
        // transaction: every rating below the newest one seen is already visible.
        let mut st = c.prepare_cached(RATINGS_AFTER).map_err(backend)?;
        let rows = st
            .query_map(params![hall_id, after, i64::from(limit) + 1], |r| {
                Ok(RatingRecord { seq: r.get(0)?, rating: rating_from_row(r, 1)? })
            })
            .map_err(backend)?;
        let rows = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)?;
        let (ratings, next_cursor, has_more) = page(rows, limit, after, |r| r.seq);
        Ok(RatingsPage { ratings, next_cursor, has_more, head: None })
    })
    .await
}
