//! The coverage audit over what the store holds (the rules are in `crate::coverage`).

use super::{bindings, catalog, windows, Store};
use crate::coverage::{self, Hall, Refusal};
use crate::error::Result;
use hallkeeper_proto::CoverageReport;

impl Store {
    /// The audit of the whole hall, findings per rule cut to `coverage::FINDINGS_PER_GROUP`.
    pub fn coverage(&self) -> Result<CoverageReport> {
        self.coverage_with_limit(coverage::FINDINGS_PER_GROUP)
    }

    pub fn coverage_with_limit(&self, limit: usize) -> Result<CoverageReport> {
        let (ws, ds, ms, bs) = self.read(|c| {
            Ok((windows::all(c)?, catalog::departments(c)?, catalog::matters(c)?, bindings::all(c)?))
        })?;
        Ok(coverage::audit(Hall { windows: &ws, departments: &ds, matters: &ms, bindings: &bs }, limit))
    }

    /// Why a ticket for this matter must not be issued now (None: it may be).
    pub fn ticket_refusal(&self, matter_id: &str) -> Result<Option<Refusal>> {
        let (ws, ds, ms, bs) = self.read(|c| {
            Ok((windows::all(c)?, catalog::departments(c)?, catalog::matters(c)?, bindings::all(c)?))
        })?;
        Ok(coverage::refusal(Hall { windows: &ws, departments: &ds, matters: &ms, bindings: &bs }, matter_id))
    }
}
