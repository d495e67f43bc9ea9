//! Ratings (一事一评) pulled from the server: a page is stored with its cursor in one
//! transaction, each rating once, with the hall day it belongs to and who sat at its window that
//! day. Poor ratings newly stored are handed back, so their consequences (a rectification case,
//! a notification) follow exactly once per rating.

use super::rating_rows::{from_row, COLUMNS};
use super::StoredRating;
use crate::clock::hall_date;
use crate::error::{Error, Result};
use chrono::DateTime;
use hallkeeper_proto::RatingRecord;
use rusqlite::{params, Connection, OptionalExtension};

/// What storing one pulled page of ratings did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RatingsApplied {
    /// Ratings stored now (a rating already held is not stored again).
    pub applied: u64,
    /// The poor ones (`RatingLevel::is_poor`) among those stored now, in seq order.
    pub poor: Vec<StoredRating>,
    pub cursor: i64,
}

/// One hall day's ratings counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RatingSummary {
    pub count: u32,
    /// 非常满意 and 满意.
    pub good: u32,
    /// 不满意 and 非常不满意.
    pub poor: u32,
}

impl RatingSummary {
    /// Good ratings over all ratings, 0–1; None without ratings (not "0 % satisfied").
    pub fn satisfaction(&self) -> Option<f64> {
        (self.count > 0).then(|| f64::from(self.good) / f64::from(self.count))
    }
}

fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::Corrupt(what.to_string())
}

fn read_cursor(c: &Connection) -> Result<i64> {
    Ok(c.query_row("SELECT ratings_cursor FROM sync_state WHERE id = 1", [], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

impl crate::Store {
    /// Where the next pull of ratings starts (the last rating seq held).
    pub fn ratings_cursor(&self) -> Result<i64> {
        self.read(read_cursor)
    }

    /// Stores a page of ratings pulled after `after` and moves the cursor to `next_cursor`, in
    /// one transaction. A page pulled from a cursor another pull has since moved is ignored
    /// (None); a rating already held (same id, ticket or seq) is not stored again, so a replayed
    /// page changes nothing and hands back no poor rating twice.
    pub fn apply_ratings(
        &self,
        after: i64,
        ratings: &[RatingRecord],
        next_cursor: i64,
    ) -> Result<Option<RatingsApplied>> {
        // The hall's windows, catalog and seating stay as they were: the dashboard's cached
        // read of them stays good (it reads the day's ratings on every refresh).
        self.write_quietly("sync", |w| {
            w.sync_state()?;
            if read_cursor(&w.tx)? != after {
                return Ok(None);
            }
            let mut seat =
                w.tx.prepare_cached("SELECT staff_id FROM seats WHERE date = ?1 AND window_id = ?2")?;
            let mut insert = w.tx.prepare_cached(&format!(
                "INSERT INTO ratings ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT DO NOTHING"
            ))?;
            let mut out = RatingsApplied::default();
            let mut last = after;
            let mut facts = Vec::new();
            for record in ratings {
                let r = &record.rating;
                if record.seq <= last {
                    return Err(corrupt(format!("rating {} arrived after {last}", record.seq)));
                }
                last = record.seq;
                let at = DateTime::parse_from_rfc3339(&r.at)
                    .map_err(|e| corrupt(format!("rating {}: time {:?}: {e}", record.seq, r.at)))?;
                let hall_day = hall_date(at.with_timezone(&chrono::Utc)).to_string();
                let staff_id: Option<String> =
                    seat.query_row(params![hall_day, r.window_id], |x| x.get(0)).optional()?;
                let reasons = serde_json::to_string(&r.reasons).map_err(corrupt)?;
                let stored = StoredRating {
                    id: r.id.clone(),
                    seq: record.seq,
                    hall_day,
                    ticket_id: r.ticket_id.clone(),
                    ticket_number: r.ticket_number.clone(),
                    window_id: r.window_id.clone(),
                    matter_id: r.matter_id.clone(),
                    staff_id,
                    level: r.level,
                    reasons: r.reasons.clone(),
                    comment: r.comment.clone(),
                    at: r.at.clone(),
                };
                let n = insert.execute(params![
                    stored.id,
                    stored.seq,
                    stored.hall_day,
                    stored.ticket_id,
                    stored.ticket_number,
                    stored.window_id,
                    stored.matter_id,
                    stored.staff_id,
                    stored.level.as_str(),
                    reasons,
                    stored.comment,
                    stored.at,
                ])?;
                if n == 0 {
                    continue;
                }
                out.applied += 1;
                if stored.level.is_poor() {
                    // In the rating's own transaction: a poor rating is never held without its case.
                    super::rectification::open_case(w, &stored)?;
                }
                // The report fact, in this transaction (after its case, whose outcome it carries).
                facts.push(super::rectification::rating_fact_in(&w.tx, &stored)?);
                if stored.level.is_poor() {
                    out.poor.push(stored);
                }
            }
            crate::reports::upsert_facts(&w.tx, &[], &facts)?;
            out.cursor = next_cursor.max(last);
            w.tx.execute(
                "UPDATE sync_state SET ratings_cursor = ?1, last_pull_at = ?2 WHERE id = 1",
                params![out.cursor, w.now_text()],
            )?;
            Ok(Some(out))
        })
    }

    /// One rating by id.
    pub fn rating(&self, id: &str) -> Result<Option<StoredRating>> {
        self.read(|c| super::rating_rows::rating_in(c, id))
    }

    /// Ratings with a seq after `after_seq`, in seq order, at most `limit`: for a consumer that
    /// keeps its own cursor (and catches up after a restart).
    pub fn ratings_since(&self, after_seq: i64, limit: u32) -> Result<Vec<StoredRating>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM ratings WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))?;
            let rows = st.query_map(params![after_seq, limit], from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// A hall day's ratings (`YYYY-MM-DD`), in seq order.
    pub fn ratings_on_day(&self, hall_day: &str) -> Result<Vec<StoredRating>> {
        self.read(|c| {
            let mut st =
                c.prepare_cached(&format!("SELECT {COLUMNS} FROM ratings WHERE hall_day = ?1 ORDER BY seq"))?;
            let rows = st.query_map([hall_day], from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Today's (hall day) ratings counted: all, good, poor.
    pub fn ratings_today_summary(&self) -> Result<RatingSummary> {
        let today = self.hall_today();
        self.read(|c| summary_on(c, &today))
    }
}

pub(crate) fn summary_on(c: &Connection, hall_day: &str) -> Result<RatingSummary> {
    Ok(c.prepare_cached(
        "SELECT count(*),
                count(*) FILTER (WHERE level IN ('very_satisfied', 'satisfied')),
                count(*) FILTER (WHERE level IN ('dissatisfied', 'very_dissatisfied'))
           FROM ratings WHERE hall_day = ?1",
    )?
    .query_row([hall_day], |r| Ok(RatingSummary { count: r.get(0)?, good: r.get(1)?, poor: r.get(2)? }))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store;
    use hallkeeper_proto::{Rating, RatingLevel};

    fn record(seq: i64, ticket: &str, level: RatingLevel, at: &str) -> RatingRecord {
        RatingRecord {
            seq,
            rating: Rating {
                id: format!("r-{ticket}"),
                hall_id: "h1".into(),
                ticket_id: ticket.into(),
                ticket_number: "A001".into(),
                window_id: "w-a".into(),
                matter_id: "m-1".into(),
                level,
                reasons: vec!["等候时间长".into()],
                comment: String::new(),
                at: at.into(),
            },
        }
    }

    #[test]
    fn a_page_is_stored_once_with_its_cursor_and_poor_ones_come_back_once() {
        let (s, _) = store();
        assert_eq!(s.ratings_cursor().unwrap(), 0);
        let page = [
            record(3, "t-1", RatingLevel::VerySatisfied, "2026-11-25T01:40:00.000Z"),
            record(7, "t-2", RatingLevel::Dissatisfied, "2026-11-25T01:41:00.000Z"),
            // 16:30 UTC is half past midnight of the next day in the hall.
            record(9, "t-3", RatingLevel::VeryDissatisfied, "2026-11-25T16:30:00.000Z"),
        ];
        let applied = s.apply_ratings(0, &page, 9).unwrap().unwrap();
        assert_eq!((applied.applied, applied.cursor), (3, 9));
        assert_eq!(applied.poor.iter().map(|r| r.seq).collect::<Vec<_>>(), [7, 9]);
        assert_eq!(s.ratings_cursor().unwrap(), 9);
        assert_eq!(s.rating("r-t-3").unwrap().unwrap().hall_day, "2026-11-26");
        assert_eq!(s.rating("r-t-1").unwrap().unwrap().reasons, ["等候时间长"]);

        // Replayed from the old cursor: ignored whole.
        assert_eq!(s.apply_ratings(0, &page, 9).unwrap(), None);
        // Rows at or below the cursor are a server fault, not a replay: refused, nothing moves.
        let again = s.apply_ratings(9, &page[1..], 9);
        assert!(again.is_err(), "{again:?}");
        assert_eq!(s.ratings_cursor().unwrap(), 9);
        let moved = s.apply_ratings(9, &[], 12).unwrap().unwrap();
        assert_eq!((moved.applied, moved.cursor), (0, 12));
        assert_eq!(s.ratings_since(0, 100).unwrap().len(), 3);
        assert_eq!(s.ratings_since(3, 1).unwrap()[0].seq, 7);
        assert_eq!(s.ratings_on_day("2026-11-25").unwrap().len(), 2);
    }

    #[test]
    fn a_rating_already_held_under_another_seq_is_not_stored_again() {
        let (s, _) = store();
        let first = [record(4, "t-1", RatingLevel::Dissatisfied, "2026-11-25T01:40:00.000Z")];
        assert_eq!(s.apply_ratings(0, &first, 4).unwrap().unwrap().poor.len(), 1);
        let same_ticket = [record(5, "t-1", RatingLevel::Dissatisfied, "2026-11-25T01:40:00.000Z")];
        let applied = s.apply_ratings(4, &same_ticket, 5).unwrap().unwrap();
        assert_eq!((applied.applied, applied.poor.len(), applied.cursor), (0, 0, 5));
    }

    #[test]
    fn a_page_that_goes_backwards_keeps_nothing() {
        let (s, _) = store();
        let page = [
            record(5, "t-1", RatingLevel::Satisfied, "2026-11-25T01:40:00.000Z"),
            record(4, "t-2", RatingLevel::Satisfied, "2026-11-25T01:41:00.000Z"),
        ];
        assert!(s.apply_ratings(0, &page, 5).is_err());
        assert_eq!(s.ratings_cursor().unwrap(), 0);
        assert_eq!(s.ratings_since(0, 10).unwrap(), []);
    }

    #[test]
    fn todays_summary_counts_the_hall_day() {
        let (s, _) = store(); // 2026-11-25 09:30 in the hall
        assert_eq!(s.ratings_today_summary().unwrap(), RatingSummary::default());
        assert_eq!(RatingSummary::default().satisfaction(), None);
        let page = [
            record(1, "t-1", RatingLevel::VerySatisfied, "2026-11-25T01:00:00.000Z"),
            record(2, "t-2", RatingLevel::Satisfied, "2026-11-25T01:05:00.000Z"),
            record(3, "t-3", RatingLevel::Neutral, "2026-11-25T01:10:00.000Z"),
            record(4, "t-4", RatingLevel::VeryDissatisfied, "2026-11-25T01:15:00.000Z"),
            // 23:00 of the 24th in the hall: yesterday.
            record(5, "t-5", RatingLevel::Dissatisfied, "2026-11-24T15:00:00.000Z"),
        ];
        s.apply_ratings(0, &page, 5).unwrap();
        let today = s.ratings_today_summary().unwrap();
        assert_eq!(today, RatingSummary { count: 4, good: 2, poor: 1 });
        assert_eq!(today.satisfaction(), Some(0.5));
    }
}
