//! The coverage audit over what the store holds (the rules are in `crate::coverage`).

use super::{bindings, catalog, windows, Store};
use crate::coverage::{self, Hall, Refusal};
use crate::error::Result;
use hallkeeper_proto::{Binding, CoverageReport, Department, Matter, Window};
use rusqlite::Connection;

/// Everything the audit (and the central server) reads of the hall, in one read so the four
/// parts agree with each other.
pub(crate) struct HallRows {
    pub windows: Vec<Window>,
    pub departments: Vec<Department>,
    pub matters: Vec<Matter>,
    pub bindings: Vec<Binding>,
}

impl HallRows {
    /// As on hall day `today` (bindings made for an earlier day have lapsed).
    pub(crate) fn read(c: &Connection, today: &str) -> Result<Self> {
        Ok(Self {
            windows: windows::all(c)?,
            departments: catalog::departments(c)?,
            matters: catalog::matters(c)?,
            bindings: bindings::all(c, today)?,
        })
    }

    fn hall(&self) -> Hall<'_> {
        Hall {
            windows: &self.windows,
            departments: &self.departments,
            matters: &self.matters,
            bindings: &self.bindings,
        }
    }
}

impl Store {
    /// The hall as it stands today.
    pub(crate) fn hall_rows(&self) -> Result<HallRows> {
        let today = self.hall_today();
        self.read(|c| HallRows::read(c, &today))
    }

    /// The audit of the whole hall, findings per rule cut to `coverage::FINDINGS_PER_GROUP`.
    pub fn coverage(&self) -> Result<CoverageReport> {
        self.coverage_with_limit(coverage::FINDINGS_PER_GROUP)
    }

    pub fn coverage_with_limit(&self, limit: usize) -> Result<CoverageReport> {
        Ok(coverage::audit(self.hall_rows()?.hall(), limit))
    }

    /// Why a ticket for this matter must not be issued now (None: it may be).
    pub fn ticket_refusal(&self, matter_id: &str) -> Result<Option<Refusal>> {
        Ok(coverage::refusal(self.hall_rows()?.hall(), matter_id))
    }
}
