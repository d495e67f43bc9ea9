//! Ticket events and ratings on PostgreSQL, and the pages desktops pull them by.

use super::{backend, col, conflict_or, parse_ts, ts, PostgresStorage, EVENT_LOCK_CLASS, RATING_LOCK_CLASS};
use crate::storage::{page, StorageError, StorageResult};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use hallkeeper_proto::{
    EventsPage, Rating, RatingLevel, RatingRecord, RatingsPage, TicketEvent, TicketEventRecord,
};
use serde_json::value::RawValue;
use tokio_postgres::types::Json;
use tokio_postgres::Row;

/// A lower bound for a `>=` comparison: at the millisecond precision SQLite compares at, and
/// no earlier than PostgreSQL's earliest time (4713 BC), which no stored time precedes (callers
/// pass `DateTime::<Utc>::MIN_UTC` for "since ever").
pub(super) fn since_bound(t: DateTime<Utc>) -> DateTime<Utc> {
    let earliest =
        NaiveDate::from_ymd_opt(-4712, 11, 24).unwrap_or(NaiveDate::MIN).and_time(NaiveTime::MIN).and_utc();
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t).max(earliest)
}

pub(super) fn rating_from_row(r: &Row) -> StorageResult<Rating> {
    let level: String = r.try_get(6).map_err(backend)?;
    let Json(reasons): Json<Vec<String>> = r.try_get(7).map_err(backend)?;
    let at: DateTime<Utc> = r.try_get(9).map_err(backend)?;
    Ok(from_columns!(col; r => Rating {
        id, hall_id, ticket_id, ticket_number, window_id, matter_id,
        level = RatingLevel::parse(&level)
            .ok_or_else(|| StorageError::Backend(format!("rating level {level:?}")))?,
        reasons = reasons,
        comment,
        at = ts(at),
    }))
}

pub(super) const INSERT_EVENT: &str =
    "INSERT INTO ticket_events (hall_id, day, ticket_id, at, event) VALUES ($1, $2, $3, $4, $5)";

/// Takes the hall's event lock ([`EVENT_LOCK_CLASS`]) for the rest of the transaction.
pub(super) async fn lock_events(tx: &deadpool_postgres::Transaction<'_>, hall_id: &str) -> StorageResult<()> {
    let st = tx.prepare_cached("SELECT pg_advisory_xact_lock($1, hashtext($2))").await.map_err(backend)?;
    tx.execute(&st, &[&EVENT_LOCK_CLASS, &hall_id]).await.map_err(backend)?;
    Ok(())
}

pub(super) async fn append_event(
    s: &PostgresStorage,
    hall_id: &str,
    day: NaiveDate,
    event: &TicketEvent,
) -> StorageResult<()> {
    // One statement, one round trip: the row is formed (and its seq drawn) only after the
    // subquery has taken the hall's event lock, which the statement's own transaction holds
    // until it commits — the same order guarantee as `append_events`, a busy hall's every
    // ticket without three extra round trips.
    let c = s.client().await?;
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

pub(super) async fn append_events(
    s: &PostgresStorage,
    hall_id: &str,
    day: NaiveDate,
    events: &[TicketEvent],
) -> StorageResult<()> {
    let mut c = s.client().await?;
    let tx = c.transaction().await.map_err(backend)?;
    lock_events(&tx, hall_id).await?;
    let st = tx.prepare_cached(INSERT_EVENT).await.map_err(backend)?;
    for e in events {
        tx.execute(&st, &[&hall_id, &day, &e.ticket_id, &e.at, &Json(e)]).await.map_err(backend)?;
    }
    tx.commit().await.map_err(backend)?;
    Ok(())
}

pub(super) async fn events(
    s: &PostgresStorage,
    hall_id: &str,
    day: NaiveDate,
) -> StorageResult<Vec<TicketEvent>> {
    let c = s.client().await?;
    let st = c
        .prepare_cached("SELECT event FROM ticket_events WHERE hall_id = $1 AND day = $2 ORDER BY seq")
        .await
        .map_err(backend)?;
    let rows = c.query(&st, &[&hall_id, &day]).await.map_err(backend)?;
    rows.iter().map(|r| r.try_get::<_, Json<TicketEvent>>(0).map(|Json(e)| e).map_err(backend)).collect()
}

pub(super) async fn add_rating(s: &PostgresStorage, rating: &Rating) -> StorageResult<()> {
    let r = rating;
    let at = parse_ts("rating at", &r.at)?;
    let c = s.client().await?;
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

pub(super) async fn ratings(
    s: &PostgresStorage,
    hall_id: &str,
    since: DateTime<Utc>,
) -> StorageResult<Vec<Rating>> {
    let c = s.client().await?;
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

pub(super) async fn events_after(
    s: &PostgresStorage,
    hall_id: &str,
    after: i64,
    limit: u32,
) -> StorageResult<EventsPage> {
    let c = s.client().await?;
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
    let rows = rows
        .iter()
        .map(|r| {
            let day: NaiveDate = r.try_get(1).map_err(backend)?;
            let Json(event): Json<Box<RawValue>> = r.try_get(2).map_err(backend)?;
            Ok(TicketEventRecord { seq: r.try_get(0).map_err(backend)?, day: day.to_string(), event })
        })
        .collect::<StorageResult<Vec<_>>>()?;
    let (events, next_cursor, has_more) = page(rows, limit, after, |e| e.seq);
    Ok(EventsPage { events, next_cursor, has_more, head: None })
}

pub(super) async fn ratings_after(
    s: &PostgresStorage,
    hall_id: &str,
    after: i64,
    limit: u32,
) -> StorageResult<RatingsPage> {
    let c = s.client().await?;
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
    let rows = rows
        .iter()
        .map(|r| Ok(RatingRecord { seq: r.try_get(10).map_err(backend)?, rating: rating_from_row(r)? }))
        .collect::<StorageResult<Vec<_>>>()?;
    let (ratings, next_cursor, has_more) = page(rows, limit, after, |r| r.seq);
    Ok(RatingsPage { ratings, next_cursor, has_more, head: None })
}
