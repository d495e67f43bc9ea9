//! The store's face of [`crate::reports`]: fact upserts in the store's write transaction,
//! reports read on its connection with names filled in, and the one-off backfill of the facts
//! from the record (ticket events folded by `report_facts`, ratings with their cases' outcomes).

use super::rating_rows::rating_in;
use super::rectification::rating_fact_in;
use super::{report_facts, Store, Write};
use crate::error::Result;
use crate::reports::{self, Applied, Dimension, Period, RatingFact, Report, ReportTable, TicketFact};
use rusqlite::{Connection, OptionalExtension};

const BACKFILL_KEY: &str = "reports.backfill_pending";

impl Store {
    /// Upserts ticket and rating facts and moves the rollups with them, in one transaction. Facts
    /// are derived data (the server holds the record), so they go neither to the audit log nor
    /// to the outbox, and do not invalidate what was read of the hall's configuration.
    pub fn upsert_report_facts(&self, tickets: &[TicketFact], ratings: &[RatingFact]) -> Result<Applied> {
        self.write_quietly("reports", |w| reports::upsert_facts(&w.tx, tickets, ratings))
    }

    /// Takes facts (and their contributions) out, e.g. a ticket withdrawn upstream.
    pub fn remove_report_facts(&self, ticket_ids: &[&str], rating_ids: &[&str]) -> Result<Applied> {
        self.write_quietly("reports", |w| reports::remove_facts(&w.tx, ticket_ids, rating_ids))
    }

    /// The report from the rollups, each key labelled with its window, staff, matter or
    /// department name where this store knows it.
    pub fn report(&self, period: Period, dimension: Dimension) -> Result<ReportTable> {
        self.read(|c| {
            let mut table = Report::compute(c, period, dimension)?;
            Report::label(c, &mut table)?;
            Ok(table)
        })
    }
}

fn backfill(w: &Write<'_>) -> Result<()> {
    let c: &Connection = &w.tx;
    c.execute("DELETE FROM report_ticket_state", [])?;
    let mut fold = report_facts::EventFold::default();
    {
        let mut st = c.prepare("SELECT event FROM ticket_events ORDER BY seq")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let json: String = r.get(0)?;
            fold.event(c, &json)?;
        }
    }
    fold.finish(c)?;
    let ids: Vec<String> = {
        let mut st = c.prepare("SELECT id FROM ratings ORDER BY seq")?;
        let ids = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        ids
    };
    let mut facts = Vec::with_capacity(ids.len());
    for id in &ids {
        if let Some(rating) = rating_in(c, id)? {
            facts.push(rating_fact_in(c, &rating)?);
        }
    }
    reports::upsert_facts(c, &[], &facts)?;
    c.execute("DELETE FROM settings WHERE key = ?1", [BACKFILL_KEY])?;
    Ok(())
}

impl Store {
    /// Folds every ticket event and rating the store holds into report facts, once, for a store
    /// that held them before facts were fed (the migration marks it). Idempotent: the facts are
    /// recomputed from the record and an unchanged fact writes nothing. Returns whether it ran.
    pub fn backfill_report_facts(&self) -> Result<bool> {
        let pending = self.read(|c| {
            Ok(c.query_row("SELECT 1 FROM settings WHERE key = ?1", [BACKFILL_KEY], |_| Ok(()))
                .optional()?
                .is_some())
        })?;
        if !pending {
            return Ok(false);
        }
        self.write_quietly("reports", backfill)?;
        Ok(true)
    }

    /// Recomputes every fact from the record regardless of the mark (a repair, and for tests).
    pub fn rebuild_report_facts(&self) -> Result<()> {
        self.write_quietly("reports", backfill)
    }
}
