//! Feeding the reports (docs/reports.md): ticket facts folded from the ticket events sync
//! appends, rating facts from the ratings it stores and the steps of their cases — each in the
//! same transaction as what it is derived from, so the rollups never drift from the record.
//!
//! A ticket's fact is the fold of its events with the queue's rules (wait = issue → first call,
//! service = start, or call when the window did not mark the start, → finish). A page of events
//! is folded in memory with a map of the tickets it touches; a ticket still open when the page
//! ends keeps its fold in `report_ticket_state` for the next page, and the touched tickets'
//! facts go to the rollups as one batch. Staff is who sat at the ticket's window on its issue day
//! (the seating), department the matter's.

use super::StoredRating;
use crate::clock::hall_date;
use crate::error::{Error, Result};
use crate::reports::{self, CaseOutcome, RatingFact, TicketFact, TicketOutcome};
use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::{TicketEvent, TicketEventKind, TransferTarget};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::Corrupt(format!("report facts: {what}"))
}

/// One ticket's events folded so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TicketFold {
    day: NaiveDate,
    issued_at: DateTime<Utc>,
    matter_id: String,
    window_id: Option<String>,
    first_called_at: Option<DateTime<Utc>>,
    called_at: Option<DateTime<Utc>>,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    transfers: u32,
    outcome: TicketOutcome,
}

fn secs(from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
    u32::try_from((to - from).num_seconds().max(0)).unwrap_or(u32::MAX)
}

impl TicketFold {
    fn issued(at: DateTime<Utc>, matter_id: &str) -> Self {
        Self {
            day: hall_date(at),
            issued_at: at,
            matter_id: matter_id.to_owned(),
            window_id: None,
            first_called_at: None,
            called_at: None,
            started_at: None,
            ended_at: None,
            transfers: 0,
            outcome: TicketOutcome::Open,
        }
    }

    /// The queue's fold (crates/queue/src/events.rs) of what the reports need.
    fn apply(&mut self, at: DateTime<Utc>, kind: &TicketEventKind) {
        use TicketEventKind as K;
        match kind {
            K::Issued { .. } | K::Recalled { .. } => {}
            K::Called { window_id } | K::Resumed { window_id } => {
                self.window_id = Some(window_id.clone());
                self.first_called_at.get_or_insert(at);
                self.called_at = Some(at);
                self.started_at = None;
            }
            K::Started { .. } => self.started_at = Some(at),
            K::Finished { window_id } | K::NoShow { window_id, .. } => {
                self.window_id = Some(window_id.clone());
                self.ended_at = Some(at);
                self.outcome = if matches!(kind, K::Finished { .. }) {
                    TicketOutcome::Served
                } else {
                    TicketOutcome::NoShow
                };
            }
            K::Parked { .. } => {}
            K::Transferred { target, .. } => {
                if let TransferTarget::Matter { matter_id } = target {
                    self.matter_id = matter_id.clone();
                }
                self.window_id = None;
                self.started_at = None;
                self.transfers = self.transfers.saturating_add(1);
            }
        }
    }

    fn ended(&self) -> bool {
        self.outcome != TicketOutcome::Open
    }

    fn fact(&self, ticket_id: &str, lookup: &mut Lookup<'_>) -> Result<TicketFact> {
        let staff_id = match &self.window_id {
            Some(w) => lookup.staff(self.day, w)?,
            None => None,
        };
        let service_secs = match (self.outcome, self.ended_at) {
            (TicketOutcome::Served, Some(end)) => {
                self.started_at.or(self.called_at).map(|from| secs(from, end))
            }
            _ => None,
        };
        Ok(TicketFact {
            ticket_id: ticket_id.to_owned(),
            hall_day: self.day,
            window_id: self.window_id.clone(),
            staff_id,
            department_id: lookup.department(&self.matter_id)?,
            matter_id: self.matter_id.clone(),
            outcome: self.outcome,
            transfers: self.transfers,
            wait_secs: self.first_called_at.map(|c| secs(self.issued_at, c)),
            service_secs,
        })
    }
}

/// Seating and matter departments, read once per batch.
struct Lookup<'c> {
    conn: &'c Connection,
    staff: HashMap<(NaiveDate, String), Option<String>>,
    departments: HashMap<String, Option<String>>,
}

impl<'c> Lookup<'c> {
    fn new(conn: &'c Connection) -> Self {
        Self { conn, staff: HashMap::new(), departments: HashMap::new() }
    }

    fn staff(&mut self, day: NaiveDate, window_id: &str) -> Result<Option<String>> {
        if let Some(s) = self.staff.get(&(day, window_id.to_owned())) {
            return Ok(s.clone());
        }
        let s: Option<String> = self
            .conn
            .prepare_cached("SELECT staff_id FROM seats WHERE date = ?1 AND window_id = ?2")?
            .query_row(params![day.to_string(), window_id], |r| r.get(0))
            .optional()?;
        self.staff.insert((day, window_id.to_owned()), s.clone());
        Ok(s)
    }

    fn department(&mut self, matter_id: &str) -> Result<Option<String>> {
        if let Some(d) = self.departments.get(matter_id) {
            return Ok(d.clone());
        }
        let d: Option<String> = self
            .conn
            .prepare_cached("SELECT department_id FROM matters WHERE id = ?1")?
            .query_row([matter_id], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten()
            .filter(|d| !d.is_empty());
        self.departments.insert(matter_id.to_owned(), d.clone());
        Ok(d)
    }
}

/// The tickets a batch of events touched: their folds, and whether a fold was kept before.
#[derive(Default)]
pub(crate) struct EventFold {
    tickets: HashMap<String, (TicketFold, bool)>,
    /// Tickets with no issue event held (their log starts before this store's): left alone.
    unknown: HashSet<String>,
}

impl EventFold {
    /// Folds one event (JSON as the log holds it); an event that cannot be read is skipped, like
    /// the dashboard's fold skips it: the log is the record, the facts follow it where they can.
    pub(crate) fn event(&mut self, conn: &Connection, json: &str) -> Result<()> {
        let Ok(e) = serde_json::from_str::<TicketEvent>(json) else { return Ok(()) };
        if let TicketEventKind::Issued { matter_id, .. } = &e.kind {
            let kept = self.tickets.get(&e.ticket_id).is_some_and(|(_, k)| *k);
            self.tickets.insert(e.ticket_id, (TicketFold::issued(e.at, matter_id), kept));
            return Ok(());
        }
        if !self.tickets.contains_key(&e.ticket_id) {
            if self.unknown.contains(&e.ticket_id) {
                return Ok(());
            }
            let kept: Option<String> = conn
                .prepare_cached("SELECT state FROM report_ticket_state WHERE ticket_id = ?1")?
                .query_row([&e.ticket_id], |r| r.get(0))
                .optional()?;
            match kept {
                None => {
                    self.unknown.insert(e.ticket_id);
                    return Ok(());
                }
                Some(json) => {
                    let fold: TicketFold = serde_json::from_str(&json)
                        .map_err(|err| corrupt(format!("ticket {}: {err}", e.ticket_id)))?;
                    self.tickets.insert(e.ticket_id.clone(), (fold, true));
                }
            }
        }
        if let Some((fold, _)) = self.tickets.get_mut(&e.ticket_id) {
            fold.apply(e.at, &e.kind);
        }
        Ok(())
    }

    /// Writes the touched tickets' facts (one batch) and keeps the folds of those still open.
    pub(crate) fn finish(self, conn: &Connection) -> Result<reports::Applied> {
        let mut lookup = Lookup::new(conn);
        let mut facts = Vec::with_capacity(self.tickets.len());
        let mut keep = conn.prepare_cached(
            "INSERT INTO report_ticket_state (ticket_id, state) VALUES (?1, ?2)
             ON CONFLICT (ticket_id) DO UPDATE SET state = excluded.state",
        )?;
        let mut drop = conn.prepare_cached("DELETE FROM report_ticket_state WHERE ticket_id = ?1")?;
        for (id, (fold, kept)) in &self.tickets {
            facts.push(fold.fact(id, &mut lookup)?);
            if !fold.ended() {
                keep.execute(params![id, serde_json::to_string(fold).map_err(corrupt)?])?;
            } else if *kept {
                drop.execute([id])?;
            }
        }
        reports::upsert_facts(conn, &facts, &[])
    }
}

/// A rating's fact, with what its case means for the statistics (`excluded`: appeal upheld;
/// `case`: None without a case), as the caller read it in the same transaction.
pub(crate) fn rating_fact(
    conn: &Connection,
    rating: &StoredRating,
    excluded: bool,
    case: Option<CaseOutcome>,
) -> Result<RatingFact> {
    let hall_day: NaiveDate =
        rating.hall_day.parse().map_err(|e| corrupt(format!("rating {} day: {e}", rating.id)))?;
    let department_id = Lookup::new(conn).department(&rating.matter_id)?;
    Ok(RatingFact {
        rating_id: rating.id.clone(),
        ticket_id: rating.ticket_id.clone(),
        hall_day,
        window_id: rating.window_id.clone(),
        staff_id: rating.staff_id.clone(),
        matter_id: rating.matter_id.clone(),
        department_id,
        level: rating.level,
        excluded,
        case,
    })
}
