//! Statistics and reports (统计报表) as the UI asks for and reads them. The figures are computed
//! by `hallkeeper-core` (`reports`, formulas in docs/reports.md), which returns these types.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportPeriodKind {
    Day,
    /// Monday to Sunday.
    Week,
    Month,
    Quarter,
    Year,
    Custom,
}

/// The period the UI asks for: `day` and `week` take `date` (any day of the week), `month`
/// takes `year` and `month` (or `date`), `quarter` takes `year` and `quarter` (1–4, or `date`),
/// `year` takes `year`, `custom` takes `start` and `end` (inclusive hall days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportPeriodInput {
    pub kind: ReportPeriodKind,
    #[serde(default)]
    #[ts(optional)]
    pub date: Option<NaiveDate>,
    #[serde(default)]
    #[ts(optional)]
    pub year: Option<i32>,
    #[serde(default)]
    #[ts(optional)]
    pub month: Option<u32>,
    #[serde(default)]
    #[ts(optional)]
    pub quarter: Option<u32>,
    #[serde(default)]
    #[ts(optional)]
    pub start: Option<NaiveDate>,
    #[serde(default)]
    #[ts(optional)]
    pub end: Option<NaiveDate>,
}

/// A computed period: inclusive hall days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportPeriod {
    pub kind: ReportPeriodKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// What a report's rows are per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportDimension {
    /// One row: the whole hall.
    Hall,
    Window,
    Staff,
    Matter,
    Department,
}

impl ReportDimension {
    pub const ALL: [ReportDimension; 5] =
        [Self::Hall, Self::Window, Self::Staff, Self::Matter, Self::Department];
}

/// Ratings per level, upheld appeals left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportLevelCounts {
    pub very_satisfied: u64,
    pub satisfied: u64,
    pub neutral: u64,
    pub dissatisfied: u64,
    pub very_dissatisfied: u64,
}

/// One dimension key over the period. Rates are fractions (0–1), null when their denominator is
/// 0 (nothing to rate is not 0 %).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportRow {
    /// The window/staff/matter/department id; null for the hall row, and for tickets no window,
    /// staff or department was known for (e.g. still waiting).
    pub key: Option<String>,
    /// A name for the key (window number and name, staff name…), when the store knows it.
    pub label: Option<String>,
    pub issued: u64,
    pub served: u64,
    pub no_shows: u64,
    pub cancelled: u64,
    pub open: u64,
    pub transfers: u64,
    pub wait_count: u64,
    pub wait_sum_secs: u64,
    pub avg_wait_secs: Option<f64>,
    /// At bucket resolution (core's `reports::hist`).
    pub p90_wait_secs: Option<u32>,
    pub service_count: u64,
    pub service_sum_secs: u64,
    pub avg_service_secs: Option<f64>,
    pub p90_service_secs: Option<u32>,
    /// Ratings counted (upheld appeals left out).
    pub ratings: u64,
    pub levels: ReportLevelCounts,
    /// 非常满意 + 满意.
    pub good: u64,
    /// 不满意 + 非常不满意.
    pub poor: u64,
    /// Ratings left out because an appeal was upheld.
    pub excluded: u64,
    pub rectified: u64,
    pub rectified_on_time: u64,
    pub called_back: u64,
    /// 主动评价率 = ratings / served.
    pub rating_rate: Option<f64>,
    /// 好评率 = good / ratings.
    pub good_rate: Option<f64>,
    /// 差评率 = poor / ratings.
    pub poor_rate: Option<f64>,
    /// 差评整改率 = rectified / poor.
    pub rectification_rate: Option<f64>,
    /// 按期整改率 = rectified on time / poor.
    pub on_time_rectification_rate: Option<f64>,
    /// 回访率 = called back / poor.
    pub call_back_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportTable {
    pub period: ReportPeriod,
    pub dimension: ReportDimension,
    /// Ordered by key, the unassigned (null) row first; only keys with a ticket or a rating in
    /// the period.
    pub rows: Vec<ReportRow>,
}
