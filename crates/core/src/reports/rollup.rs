//! The incremental path: upserting facts and keeping the rollups equal to the sum of the facts.
//!
//! A batch of facts is folded into in-memory deltas per rollup row first and written once per
//! row at the end, so a sync pull or a bulk load of 100,000 facts touches each day's and month's
//! rows once instead of once per fact. The caller holds the transaction (the store's
//! `BEGIN IMMEDIATE`), so a fact and its rollups land together or not at all.

use super::facts::{level_code, level_from_code, RatingFact, TicketFact, TicketOutcome};
use super::hist;
use super::period::{day_from_number, day_number, month_number};
use super::{dimension_code, Counters, Dimension};
use crate::error::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::HashMap;

pub(crate) const GRAIN_DAY: i64 = 0;
pub(crate) const GRAIN_MONTH: i64 = 1;

/// What a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    pub inserted: u64,
    pub updated: u64,
    /// Upserted as they already were, or removed while absent.
    pub unchanged: u64,
    pub removed: u64,
    /// Rollup rows written (or deleted, having come to zero).
    pub rollup_rows: u64,
}

/// Upserts the facts and moves the rollups with them. Must run inside a write transaction (the
/// store's `write_quietly`, or the caller's own `BEGIN IMMEDIATE`).
pub fn upsert_facts(conn: &Connection, tickets: &[TicketFact], ratings: &[RatingFact]) -> Result<Applied> {
    let mut batch = Batch::default();
    for t in tickets {
        let old = read_ticket(conn, &t.ticket_id)?;
        if old.as_ref() == Some(t) {
            batch.applied.unchanged += 1;
            continue;
        }
        if let Some(old) = &old {
            batch.ticket(old, -1);
        }
        batch.ticket(t, 1);
        write_ticket(conn, t)?;
        if old.is_some() {
            batch.applied.updated += 1
        } else {
            batch.applied.inserted += 1
        }
    }
    for r in ratings {
        let new = normalized(r);
        let old = read_rating(conn, &r.rating_id)?;
        if old.as_ref() == Some(&new) {
            batch.applied.unchanged += 1;
            continue;
        }
        if let Some(old) = &old {
            batch.rating(old, -1);
        }
        batch.rating(&new, 1);
        write_rating(conn, &new)?;
        if old.is_some() {
            batch.applied.updated += 1
        } else {
            batch.applied.inserted += 1
        }
    }
    batch.flush(conn)
}

/// Removes facts (a ticket or rating withdrawn upstream) and their contributions.
pub fn remove_facts(conn: &Connection, ticket_ids: &[&str], rating_ids: &[&str]) -> Result<Applied> {
    let mut batch = Batch::default();
    for id in ticket_ids {
        match read_ticket(conn, id)? {
            Some(old) => {
                batch.ticket(&old, -1);
                conn.prepare_cached("DELETE FROM report_ticket_facts WHERE ticket_id = ?1")?.execute([id])?;
                batch.applied.removed += 1;
            }
            None => batch.applied.unchanged += 1,
        }
    }
    for id in rating_ids {
        match read_rating(conn, id)? {
            Some(old) => {
                batch.rating(&old, -1);
                conn.prepare_cached("DELETE FROM report_rating_facts WHERE rating_id = ?1")?.execute([id])?;
                batch.applied.removed += 1;
            }
            None => batch.applied.unchanged += 1,
        }
    }
    batch.flush(conn)
}

/// A case on a rating that is not poor counts nowhere, and "on time" only with "rectified":
/// stored as counted, so the scan and the rollups cannot read it differently.
fn normalized(r: &RatingFact) -> RatingFact {
    let mut r = r.clone();
    r.case = if r.level.is_poor() {
        r.case.map(|mut c| {
            c.rectified_on_time &= c.rectified;
            c
        })
    } else {
        None
    };
    r
}

#[derive(Default)]
struct Delta {
    counters: Counters,
    /// (bucket, count change), unsorted, possibly repeated.
    wait: Vec<(usize, i64)>,
    service: Vec<(usize, i64)>,
}

#[derive(Default)]
struct Batch {
    deltas: HashMap<(i64, i64, i64, String), Delta>,
    applied: Applied,
}

impl Batch {
    fn ticket(&mut self, t: &TicketFact, sign: i64) {
        let mut c = Counters { issued: 1, transfers: i64::from(t.transfers), ..Counters::default() };
        match t.outcome {
            TicketOutcome::Served => c.served = 1,
            TicketOutcome::NoShow => c.no_shows = 1,
            TicketOutcome::Cancelled => c.cancelled = 1,
            TicketOutcome::Open => c.open = 1,
        }
        if let Some(w) = t.wait_secs {
            c.wait_sum = i64::from(w);
            c.wait_count = 1;
        }
        if let Some(s) = t.service_secs {
            c.service_sum = i64::from(s);
            c.service_count = 1;
        }
        let keys = [
            "",
            t.window_id.as_deref().unwrap_or(""),
            t.staff_id.as_deref().unwrap_or(""),
            &t.matter_id,
            t.department_id.as_deref().unwrap_or(""),
        ];
        let (wait, service) = (t.wait_secs.map(hist::bucket), t.service_secs.map(hist::bucket));
        self.add(t.hall_day, keys, &c, wait, service, sign);
    }

    fn rating(&mut self, r: &RatingFact, sign: i64) {
        let mut c = Counters::default();
        if r.excluded {
            c.excluded = 1;
        } else {
            c.levels[level_code(r.level) as usize] = 1;
            if let Some(case) = r.case.filter(|_| r.level.is_poor()) {
                c.rectified = i64::from(case.rectified);
                c.rectified_on_time = i64::from(case.rectified && case.rectified_on_time);
                c.called_back = i64::from(case.called_back);
            }
        }
        let keys = [
            "",
            r.window_id.as_str(),
            r.staff_id.as_deref().unwrap_or(""),
            &r.matter_id,
            r.department_id.as_deref().unwrap_or(""),
        ];
        self.add(r.hall_day, keys, &c, None, None, sign);
    }

    fn add(
        &mut self,
        day: chrono::NaiveDate,
        keys: [&str; 5],
        c: &Counters,
        wait: Option<usize>,
        service: Option<usize>,
        sign: i64,
    ) {
        let periods = [(GRAIN_DAY, day_number(day)), (GRAIN_MONTH, month_number(day))];
        for (dim, key) in Dimension::ALL.iter().zip(keys) {
            for (grain, period) in periods {
                let d = self.deltas.entry((dimension_code(*dim), grain, period, key.to_owned())).or_default();
                d.counters.add(c, sign);
                if let Some(b) = wait {
                    d.wait.push((b, sign));
                }
                if let Some(b) = service {
                    d.service.push((b, sign));
                }
            }
        }
    }

    /// Writes each touched rollup row once: read, add the delta, write back (or delete at zero).
    fn flush(self, conn: &Connection) -> Result<Applied> {
        let mut applied = self.applied;
        let mut read = conn.prepare_cached(
            "SELECT counters, wait_hist, service_hist FROM report_rollups
             WHERE dim = ?1 AND grain = ?2 AND period = ?3 AND key = ?4",
        )?;
        let mut write = conn.prepare_cached(
            "INSERT OR REPLACE INTO report_rollups (dim, grain, period, key, counters, wait_hist, service_hist)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut delete = conn.prepare_cached(
            "DELETE FROM report_rollups WHERE dim = ?1 AND grain = ?2 AND period = ?3 AND key = ?4",
        )?;
        for ((dim, grain, period, key), delta) in self.deltas {
            if delta.counters.is_zero() && delta.wait.is_empty() && delta.service.is_empty() {
                continue;
            }
            let mut wait = [0i64; hist::BUCKETS];
            let mut service = [0i64; hist::BUCKETS];
            let stored = read
                .query_row(params![dim, grain, period, key], |r| {
                    let counters = Counters::fields_from_blob(r.get_ref(0)?.as_blob()?);
                    let ok = hist::decode(r.get_ref(1)?.as_blob()?, |b, c| wait[b] = c as i64)
                        && hist::decode(r.get_ref(2)?.as_blob()?, |b, c| service[b] = c as i64);
                    Ok((counters, ok))
                })
                .optional()?;
            let mut counters = match stored {
                Some((_, false)) => {
                    return Err(Error::Corrupt(format!("report rollup {dim}/{key} is damaged")))
                }
                Some((fields, true)) => Counters::from_fields(fields?),
                None => Counters::default(),
            };
            counters.add(&delta.counters, 1);
            for (b, c) in delta.wait {
                wait[b] += c;
            }
            for (b, c) in delta.service {
                service[b] += c;
            }
            if counters.any_negative() || wait.iter().chain(&service).any(|c| *c < 0) {
                return Err(Error::Corrupt(format!(
                    "report rollup {dim}/{grain}/{period}/{key} went below zero: the facts and rollups disagree"
                )));
            }
            applied.rollup_rows += 1;
            if counters.is_zero() {
                delete.execute(params![dim, grain, period, key])?;
                continue;
            }
            let wait = hist::encode(wait.iter().copied().enumerate());
            let service = hist::encode(service.iter().copied().enumerate());
            write.execute(params![dim, grain, period, key, &counters.to_blob()[..], wait, service])?;
        }
        Ok(applied)
    }
}

fn read_ticket(conn: &Connection, id: &str) -> Result<Option<TicketFact>> {
    let mut st = conn.prepare_cached(
        "SELECT hall_day, window_id, staff_id, matter_id, department_id, outcome, transfers, wait_secs, service_secs
         FROM report_ticket_facts WHERE ticket_id = ?1",
    )?;
    let row = st
        .query_row([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, u32>(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })
        .optional()?;
    let Some((
        day,
        window_id,
        staff_id,
        matter_id,
        department_id,
        outcome,
        transfers,
        wait_secs,
        service_secs,
    )) = row
    else {
        return Ok(None);
    };
    let damaged = || Error::Corrupt(format!("report fact of ticket {id} is damaged"));
    Ok(Some(TicketFact {
        ticket_id: id.to_owned(),
        hall_day: day_from_number(day).ok_or_else(damaged)?,
        window_id,
        staff_id,
        matter_id,
        department_id,
        outcome: TicketOutcome::from_code(outcome).ok_or_else(damaged)?,
        transfers,
        wait_secs,
        service_secs,
    }))
}

fn write_ticket(conn: &Connection, t: &TicketFact) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO report_ticket_facts
         (ticket_id, hall_day, window_id, staff_id, matter_id, department_id, outcome, transfers, wait_secs, service_secs)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        t.ticket_id,
        day_number(t.hall_day),
        t.window_id,
        t.staff_id,
        t.matter_id,
        t.department_id,
        t.outcome.code(),
        t.transfers,
        t.wait_secs,
        t.service_secs
    ])?;
    Ok(())
}

fn read_rating(conn: &Connection, id: &str) -> Result<Option<RatingFact>> {
    let mut st = conn.prepare_cached(
        "SELECT ticket_id, hall_day, window_id, staff_id, matter_id, department_id, level, excluded,
                rectified, rectified_on_time, called_back
         FROM report_rating_facts WHERE rating_id = ?1",
    )?;
    type Raw = (
        String,
        i64,
        String,
        Option<String>,
        String,
        Option<String>,
        i64,
        bool,
        Option<bool>,
        Option<bool>,
        Option<bool>,
    );
    let row: Option<Raw> = st
        .query_row([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
            ))
        })
        .optional()?;
    let Some((
        ticket_id,
        day,
        window_id,
        staff_id,
        matter_id,
        department_id,
        level,
        excluded,
        rect,
        on_time,
        back,
    )) = row
    else {
        return Ok(None);
    };
    let damaged = || Error::Corrupt(format!("report fact of rating {id} is damaged"));
    let case = match (rect, on_time, back) {
        (Some(rectified), Some(rectified_on_time), Some(called_back)) => {
            Some(super::CaseOutcome { rectified, rectified_on_time, called_back })
        }
        (None, None, None) => None,
        _ => return Err(damaged()),
    };
    Ok(Some(RatingFact {
        rating_id: id.to_owned(),
        ticket_id,
        hall_day: day_from_number(day).ok_or_else(damaged)?,
        window_id,
        staff_id,
        matter_id,
        department_id,
        level: level_from_code(level).ok_or_else(damaged)?,
        excluded,
        case,
    }))
}

fn write_rating(conn: &Connection, r: &RatingFact) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO report_rating_facts
         (rating_id, ticket_id, hall_day, window_id, staff_id, matter_id, department_id, level, excluded,
          rectified, rectified_on_time, called_back)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        r.rating_id,
        r.ticket_id,
        day_number(r.hall_day),
        r.window_id,
        r.staff_id,
        r.matter_id,
        r.department_id,
        level_code(r.level),
        r.excluded,
        r.case.map(|c| c.rectified),
        r.case.map(|c| c.rectified_on_time),
        r.case.map(|c| c.called_back),
    ])?;
    Ok(())
}
