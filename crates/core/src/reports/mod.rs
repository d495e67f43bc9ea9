//! Statistics and reports: queue figures and 好差评 (good/bad review) rates per hall, window,
//! staff, matter and department, for any period of hall days.
//!
//! The old rating pads' reports were slow; these must come back at once whatever the period. So
//! the store keeps **facts** (one row per ticket, one per rating, as last known: see [`facts`])
//! and **rollups**: per dimension key and per day and per month, the counters every figure is
//! made of, and fixed-bucket histograms for the 90th percentile ([`hist`]). A fact upsert takes
//! the fact's old contribution out of the rollups and puts the new one in, in the same
//! transaction ([`rollup::upsert_facts`]), so rollups never drift from the facts. A report
//! ([`Report::compute`]) adds the month rows of the whole months inside the period and the day
//! rows of its ragged edges: at most (months + 61 days) rows per key, whatever the period's
//! length. [`scan::compute_by_scan`] computes the same table from the facts with plain GROUP BYs;
//! the tests check the two agree exactly (percentiles at bucket resolution) and the bench
//! measures how much faster the rollups are. Every figure's formula is in docs/reports.md.
//!
//! Upheld appeals: a rating whose appeal (申诉) was upheld counts in `excluded` and in no other
//! rating figure — not in the rating rate, the level counts, nor the rectification figures.

pub mod facts;
pub mod hist;
pub mod period;
pub mod rollup;
pub mod scan;
pub mod xlsx;

pub use facts::{CaseOutcome, RatingFact, TicketFact, TicketOutcome};
pub use period::{Period, PeriodError, PeriodKind};
pub use rollup::{remove_facts, upsert_facts, Applied};

use crate::error::Result;
use rusqlite::Connection;
use std::collections::BTreeMap;

/// The report's wire types are proto's (the UI's TypeScript is generated from them), under the
/// short names used here.
pub use hallkeeper_proto::{
    ReportDimension as Dimension, ReportLevelCounts as LevelCounts, ReportRow, ReportTable,
};

/// A dimension's number in the rollup tables (stored: never renumber).
pub(crate) fn dimension_code(d: Dimension) -> i64 {
    match d {
        Dimension::Hall => 0,
        Dimension::Window => 1,
        Dimension::Staff => 2,
        Dimension::Matter => 3,
        Dimension::Department => 4,
    }
}

/// Bytes of a rollup row's `counters` column.
pub(crate) const COUNTERS_BLOB_LEN: usize = 19 * 8;

/// The additive counters behind a row: what the rollups store and the scan sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Counters {
    pub issued: i64,
    pub served: i64,
    pub no_shows: i64,
    pub cancelled: i64,
    pub open: i64,
    pub transfers: i64,
    pub wait_sum: i64,
    pub wait_count: i64,
    pub service_sum: i64,
    pub service_count: i64,
    pub levels: [i64; 5],
    pub excluded: i64,
    pub rectified: i64,
    pub rectified_on_time: i64,
    pub called_back: i64,
}

impl Counters {
    pub(crate) fn fields(&self) -> [i64; 19] {
        let l = self.levels;
        [
            self.issued,
            self.served,
            self.no_shows,
            self.cancelled,
            self.open,
            self.transfers,
            self.wait_sum,
            self.wait_count,
            self.service_sum,
            self.service_count,
            l[0],
            l[1],
            l[2],
            l[3],
            l[4],
            self.excluded,
            self.rectified,
            self.rectified_on_time,
            self.called_back,
        ]
    }

    pub(crate) fn from_fields(f: [i64; 19]) -> Self {
        Self {
            issued: f[0],
            served: f[1],
            no_shows: f[2],
            cancelled: f[3],
            open: f[4],
            transfers: f[5],
            wait_sum: f[6],
            wait_count: f[7],
            service_sum: f[8],
            service_count: f[9],
            levels: [f[10], f[11], f[12], f[13], f[14]],
            excluded: f[15],
            rectified: f[16],
            rectified_on_time: f[17],
            called_back: f[18],
        }
    }

    /// The rollups' `counters` column: [`Self::fields`] as 19 big-endian i64.
    pub(crate) fn to_blob(self) -> [u8; COUNTERS_BLOB_LEN] {
        let mut out = [0u8; COUNTERS_BLOB_LEN];
        for (chunk, v) in out.chunks_exact_mut(8).zip(self.fields()) {
            chunk.copy_from_slice(&v.to_be_bytes());
        }
        out
    }

    /// The fields from a `counters` column; a blob of another length is damage.
    pub(crate) fn fields_from_blob(blob: &[u8]) -> Result<[i64; 19]> {
        if blob.len() != COUNTERS_BLOB_LEN {
            return Err(crate::error::Error::Corrupt(format!(
                "a report rollup's counters are {} bytes, not {COUNTERS_BLOB_LEN}",
                blob.len()
            )));
        }
        let mut f = [0i64; 19];
        for (v, chunk) in f.iter_mut().zip(blob.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *v = i64::from_be_bytes(b);
        }
        Ok(f)
    }

    pub(crate) fn add(&mut self, other: &Counters, sign: i64) {
        let mut f = self.fields();
        for (a, b) in f.iter_mut().zip(other.fields()) {
            *a += sign * b;
        }
        *self = Self::from_fields(f);
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.fields().iter().all(|v| *v == 0)
    }

    pub(crate) fn any_negative(&self) -> bool {
        self.fields().iter().any(|v| *v < 0)
    }

    /// Makes the row: the rates and averages come from the counters alone, so two rows with equal
    /// counters are equal.
    pub(crate) fn into_row(self, key: String, p90_wait: Option<u32>, p90_service: Option<u32>) -> ReportRow {
        let u = |v: i64| u64::try_from(v).unwrap_or(0);
        let ratio = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
        let l = self.levels.map(u);
        let ratings: u64 = l.iter().sum();
        let good = l[0] + l[1];
        let poor = l[3] + l[4];
        let served = u(self.served);
        let (rectified, on_time, called_back) =
            (u(self.rectified), u(self.rectified_on_time), u(self.called_back));
        ReportRow {
            key: (!key.is_empty()).then_some(key),
            label: None,
            issued: u(self.issued),
            served,
            no_shows: u(self.no_shows),
            cancelled: u(self.cancelled),
            open: u(self.open),
            transfers: u(self.transfers),
            wait_count: u(self.wait_count),
            wait_sum_secs: u(self.wait_sum),
            avg_wait_secs: ratio(u(self.wait_sum), u(self.wait_count)),
            p90_wait_secs: p90_wait,
            service_count: u(self.service_count),
            service_sum_secs: u(self.service_sum),
            avg_service_secs: ratio(u(self.service_sum), u(self.service_count)),
            p90_service_secs: p90_service,
            ratings,
            levels: LevelCounts {
                very_satisfied: l[0],
                satisfied: l[1],
                neutral: l[2],
                dissatisfied: l[3],
                very_dissatisfied: l[4],
            },
            good,
            poor,
            excluded: u(self.excluded),
            rectified,
            rectified_on_time: on_time,
            called_back,
            rating_rate: ratio(ratings, served),
            good_rate: ratio(good, ratings),
            poor_rate: ratio(poor, ratings),
            rectification_rate: ratio(rectified, poor),
            on_time_rectification_rate: ratio(on_time, poor),
            call_back_rate: ratio(called_back, poor),
        }
    }
}

/// Reports from the rollups.
pub struct Report;

/// One key's sums while a report is read.
struct Acc {
    counters: [i64; 19],
    wait: hist::Sum,
    service: hist::Sum,
}

impl Acc {
    fn new(counters: [i64; 19]) -> Self {
        Self { counters, wait: hist::Sum::default(), service: hist::Sum::default() }
    }

    /// Adds one rollup row's histograms.
    fn add_hists(&mut self, r: &rusqlite::Row<'_>) -> Result<()> {
        if self.wait.add(sql_blob(r.get_ref(2)?)?) & self.service.add(sql_blob(r.get_ref(3)?)?) {
            Ok(())
        } else {
            Err(damaged_histogram())
        }
    }

    fn into_row(self, key: String) -> Option<ReportRow> {
        let c = Counters::from_fields(self.counters);
        (!c.is_zero()).then(|| c.into_row(key, self.wait.p90(), self.service.p90()))
    }
}

impl Report {
    /// The report of `dimension` over `period`, from the rollups: whole months plus ragged days.
    pub fn compute(conn: &Connection, period: Period, dimension: Dimension) -> Result<ReportTable> {
        let plan = period.plan();
        let mut ranges: Vec<(i64, i64, i64)> = Vec::with_capacity(3);
        if let Some((a, b)) = plan.months {
            ranges.push((rollup::GRAIN_MONTH, a, b));
        }
        ranges.extend(plan.days.iter().map(|&(a, b)| (rollup::GRAIN_DAY, a, b)));
        let mut st = conn.prepare_cached(
            "SELECT key, counters, wait_hist, service_hist FROM report_rollups
             WHERE dim = ?1 AND grain = ?2 AND period BETWEEN ?3 AND ?4",
        )?;
        let rows = match ranges[..] {
            [(grain, from, to)] if from == to => Self::one_row_per_key(&mut st, dimension, grain, from)?,
            _ => Self::sum_ranges(&mut st, dimension, &ranges)?,
        };
        Ok(ReportTable { period: period.into(), dimension, rows })
    }

    /// One day or one whole month: one row per key, already in key order (the primary key's), so
    /// each row becomes a report row as it is read, its histograms read in place.
    fn one_row_per_key(
        st: &mut rusqlite::CachedStatement<'_>,
        dimension: Dimension,
        grain: i64,
        period: i64,
    ) -> Result<Vec<ReportRow>> {
        let mut out = Vec::new();
        let mut rows = st.query(rusqlite::params![dimension_code(dimension), grain, period, period])?;
        while let Some(r) = rows.next()? {
            let c = Counters::from_fields(Counters::fields_from_blob(sql_blob(r.get_ref(1)?)?)?);
            if c.is_zero() {
                continue;
            }
            let wait = hist::p90_of(sql_blob(r.get_ref(2)?)?).ok_or_else(damaged_histogram)?;
            let service = hist::p90_of(sql_blob(r.get_ref(3)?)?).ok_or_else(damaged_histogram)?;
            out.push(c.into_row(sql_text(r.get_ref(0)?)?.to_owned(), wait, service));
        }
        Ok(out)
    }

    /// Several rows per key (months and days, or a run of days): summed per key, in key order.
    fn sum_ranges(
        st: &mut rusqlite::CachedStatement<'_>,
        dimension: Dimension,
        ranges: &[(i64, i64, i64)],
    ) -> Result<Vec<ReportRow>> {
        let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
        for &(grain, from, to) in ranges {
            let mut rows = st.query(rusqlite::params![dimension_code(dimension), grain, from, to])?;
            while let Some(r) = rows.next()? {
                let key = sql_text(r.get_ref(0)?)?;
                let fields = Counters::fields_from_blob(sql_blob(r.get_ref(1)?)?)?;
                let entry = match acc.get_mut(key) {
                    Some(e) => {
                        for (v, f) in e.counters.iter_mut().zip(fields) {
                            *v += f;
                        }
                        e
                    }
                    None => acc.entry(key.to_owned()).or_insert_with(|| Acc::new(fields)),
                };
                entry.add_hists(r)?;
            }
        }
        Ok(acc.into_iter().filter_map(|(key, a)| a.into_row(key)).collect())
    }

    /// Fills in each row's label from the store's windows, staff, matters and departments.
    pub fn label(conn: &Connection, table: &mut ReportTable) -> Result<()> {
        let sql = match table.dimension {
            Dimension::Hall => return Ok(()),
            Dimension::Window => "SELECT number || ' ' || name FROM windows WHERE id = ?1",
            Dimension::Staff => "SELECT name FROM staff WHERE id = ?1",
            Dimension::Matter => "SELECT name FROM matters WHERE id = ?1",
            Dimension::Department => "SELECT name FROM departments WHERE id = ?1",
        };
        let mut st = conn.prepare_cached(sql)?;
        for row in &mut table.rows {
            if let Some(key) = &row.key {
                let mut found = st.query([key])?;
                row.label = found.next()?.map(|r| r.get(0)).transpose()?;
            }
        }
        Ok(())
    }
}

fn damaged_histogram() -> crate::error::Error {
    crate::error::Error::Corrupt("a report rollup's histogram is damaged".into())
}

/// A TEXT column borrowed without a copy; the schema guarantees the type, so a mismatch is damage.
pub(crate) fn sql_text(v: rusqlite::types::ValueRef<'_>) -> Result<&str> {
    v.as_str().map_err(|e| crate::error::Error::Corrupt(format!("report table: {e}")))
}

pub(crate) fn sql_blob(v: rusqlite::types::ValueRef<'_>) -> Result<&[u8]> {
    v.as_blob().map_err(|e| crate::error::Error::Corrupt(format!("report table: {e}")))
}
