//! Report periods: inclusive ranges of hall days. A `Period` is valid by construction (the
//! constructors refuse an end before the start or a month 13), so computing a report cannot fail
//! on its period.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use hallkeeper_proto::ReportPeriod;
pub use hallkeeper_proto::ReportPeriodKind as PeriodKind;

/// A valid period (its fields are private so that only the constructors make one); a report
/// carries it as proto's `ReportPeriod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    kind: PeriodKind,
    start: NaiveDate,
    end: NaiveDate,
}

impl From<Period> for ReportPeriod {
    fn from(p: Period) -> Self {
        ReportPeriod { kind: p.kind, start: p.start, end: p.end }
    }
}

/// Why a period was refused. The lead maps it to a rejection code (`report.period_invalid`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("the period ends ({end}) before it starts ({start})")]
    EndBeforeStart { start: NaiveDate, end: NaiveDate },
    #[error("no such month: {year}-{month}")]
    Month { year: i32, month: u32 },
    #[error("no such quarter: {year} Q{quarter}")]
    Quarter { year: i32, quarter: u32 },
    #[error("year {0} is out of range")]
    Year(i32),
}

impl Period {
    pub fn day(day: NaiveDate) -> Self {
        Self { kind: PeriodKind::Day, start: day, end: day }
    }

    /// The Monday-to-Sunday week holding `day`.
    pub fn week_of(day: NaiveDate) -> Self {
        let start = day.week(Weekday::Mon).first_day();
        let end = day.week(Weekday::Mon).last_day();
        Self { kind: PeriodKind::Week, start, end }
    }

    pub fn month(year: i32, month: u32) -> Result<Self, PeriodError> {
        let start = NaiveDate::from_ymd_opt(year, month, 1).ok_or(PeriodError::Month { year, month })?;
        let end = last_of_month(start).ok_or(PeriodError::Month { year, month })?;
        Ok(Self { kind: PeriodKind::Month, start, end })
    }

    pub fn month_of(day: NaiveDate) -> Self {
        let start = day.with_day(1).unwrap_or(day);
        let end = last_of_month(start).unwrap_or(day);
        Self { kind: PeriodKind::Month, start, end }
    }

    /// Quarter 1 to 4.
    pub fn quarter(year: i32, quarter: u32) -> Result<Self, PeriodError> {
        let bad = PeriodError::Quarter { year, quarter };
        if !(1..=4).contains(&quarter) {
            return Err(bad);
        }
        let start = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1).ok_or(bad.clone())?;
        let end = start.checked_add_months(Months::new(3)).and_then(|d| d.pred_opt()).ok_or(bad)?;
        Ok(Self { kind: PeriodKind::Quarter, start, end })
    }

    pub fn quarter_of(day: NaiveDate) -> Self {
        Self::quarter(day.year(), day.month0() / 3 + 1).unwrap_or(Self::month_of(day))
    }

    pub fn year(year: i32) -> Result<Self, PeriodError> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(PeriodError::Year(year))?;
        let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(PeriodError::Year(year))?;
        Ok(Self { kind: PeriodKind::Year, start, end })
    }

    /// Any inclusive range of hall days.
    pub fn custom(start: NaiveDate, end: NaiveDate) -> Result<Self, PeriodError> {
        if end < start {
            return Err(PeriodError::EndBeforeStart { start, end });
        }
        Ok(Self { kind: PeriodKind::Custom, start, end })
    }

    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The last day, inclusive.
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// What the rollups answer it with: whole months inside it and the days left at either edge.
    pub(crate) fn plan(&self) -> Plan {
        let first_full = if self.start.day() == 1 { Some(self.start) } else { next_month_start(self.start) };
        let last_full_end = if last_of_month(self.end) == Some(self.end) {
            Some(self.end)
        } else {
            self.end.with_day(1).and_then(|d| d.pred_opt())
        };
        match (first_full, last_full_end) {
            (Some(f), Some(l)) if f <= l => {
                let mut days = Vec::new();
                if self.start < f {
                    days.push((day_number(self.start), day_number(f) - 1));
                }
                if l < self.end {
                    days.push((day_number(l) + 1, day_number(self.end)));
                }
                Plan { months: Some((month_number(f), month_number(l))), days }
            }
            _ => Plan { months: None, days: vec![(day_number(self.start), day_number(self.end))] },
        }
    }
}

/// Rollup ranges a report reads (inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub months: Option<(i64, i64)>,
    pub days: Vec<(i64, i64)>,
}

fn last_of_month(day: NaiveDate) -> Option<NaiveDate> {
    next_month_start(day).and_then(|d| d.pred_opt())
}

fn next_month_start(day: NaiveDate) -> Option<NaiveDate> {
    day.with_day(1)?.checked_add_months(Months::new(1))
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a date"),
};

/// Whole days since 1970-01-01: how the store keeps a hall day.
pub(crate) fn day_number(day: NaiveDate) -> i64 {
    (day - EPOCH).num_days()
}

pub(crate) fn day_from_number(n: i64) -> Option<NaiveDate> {
    let days = Days::new(n.unsigned_abs());
    if n >= 0 {
        EPOCH.checked_add_days(days)
    } else {
        EPOCH.checked_sub_days(days)
    }
}

/// `year * 12 + month - 1`: how the store keeps a month.
pub(crate) fn month_number(day: NaiveDate) -> i64 {
    i64::from(day.year()) * 12 + i64::from(day.month0())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_start_on_monday() {
        let w = Period::week_of(d("2026-11-25")); // a Wednesday
        assert_eq!((w.start(), w.end()), (d("2026-11-23"), d("2026-11-29")));
        let w = Period::week_of(d("2026-11-29")); // Sunday
        assert_eq!(w.start(), d("2026-11-23"));
    }

    #[test]
    fn quarters_months_and_years() {
        let q = Period::quarter(2024, 1).unwrap();
        assert_eq!((q.start(), q.end()), (d("2024-01-01"), d("2024-03-31")));
        assert_eq!(Period::quarter_of(d("2024-12-05")).start(), d("2024-10-01"));
        assert_eq!(Period::month(2024, 2).unwrap().end(), d("2024-02-29"));
        assert!(Period::month(2024, 13).is_err());
        assert!(Period::quarter(2024, 0).is_err());
        assert_eq!(Period::year(2025).unwrap().days(), 365);
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        assert!(matches!(
            Period::custom(d("2024-03-02"), d("2024-03-01")),
            Err(PeriodError::EndBeforeStart { .. })
        ));
    }

    #[test]
    fn plans_use_whole_months_and_ragged_days() {
        let p = Period::custom(d("2024-01-15"), d("2024-04-10")).unwrap();
        let plan = p.plan();
        assert_eq!(plan.months, Some((month_number(d("2024-02-01")), month_number(d("2024-03-01")))));
        assert_eq!(
            plan.days,
            vec![
                (day_number(d("2024-01-15")), day_number(d("2024-01-31"))),
                (day_number(d("2024-04-01")), day_number(d("2024-04-10")))
            ]
        );
        let m = Period::month(2024, 2).unwrap().plan();
        assert_eq!(m.months, Some((month_number(d("2024-02-01")), month_number(d("2024-02-01")))));
        assert!(m.days.is_empty());
        // No whole month inside: days only (at most 61 of them).
        let p = Period::custom(d("2024-01-02"), d("2024-02-28")).unwrap().plan();
        assert_eq!(p.months, None);
        assert_eq!(p.days.len(), 1);
        assert_eq!(day_from_number(day_number(d("1969-12-31"))), Some(d("1969-12-31")));
    }
}
