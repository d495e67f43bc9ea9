//! The store's face of [`crate::reports`]: fact upserts in the store's write transaction, and
//! reports read on its connection with names filled in.

use super::Store;
use crate::error::Result;
use crate::reports::{self, Applied, Dimension, Period, RatingFact, Report, ReportTable, TicketFact};

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
