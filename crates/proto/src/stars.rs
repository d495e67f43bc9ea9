//! Service stars (服务之星): the rule that ranks the hall's staff each month, and the stars it
//! picked. The ranking itself is `hallkeeper-core`'s (`stars`); only data lives here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A figure of a staff member's month the ranking can sort by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum StarMeasure {
    /// 好评率: good ratings / ratings.
    GoodRate,
    /// Tickets served.
    Served,
    /// Ratings counted (upheld appeals left out).
    Ratings,
    /// 差评 count.
    PoorCount,
    /// 差评率: poor ratings / ratings.
    PoorRate,
    /// 主动评价率: ratings / served.
    RatingRate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortDirection {
    Asc,
    Desc,
}

/// One step of the ranking order: the first decides, the next breaks its ties, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StarCriterion {
    pub measure: StarMeasure,
    pub direction: SortDirection,
}

/// How the month's stars are chosen (settings key `stars.rule`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StarRule {
    /// Only staff who served at least this many tickets in the month can be a star.
    pub min_services: u32,
    /// … and received at least this many ratings (a 100 % good rate on 2 ratings says little).
    pub min_ratings: u32,
    /// The ranking order, e.g. good rate ↓, then served ↓, then poor count ↑.
    pub order: Vec<StarCriterion>,
    /// How many stars a month has (staff tied with the last one are stars too).
    pub top_n: u32,
}

impl Default for StarRule {
    fn default() -> Self {
        let c = |measure, direction| StarCriterion { measure, direction };
        Self {
            min_services: 50,
            min_ratings: 10,
            order: vec![
                c(StarMeasure::GoodRate, SortDirection::Desc),
                c(StarMeasure::Served, SortDirection::Desc),
                c(StarMeasure::PoorCount, SortDirection::Asc),
            ],
            top_n: 3,
        }
    }
}

/// One service star of a month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Star {
    /// 1 for the first; staff tied on every criterion share a rank (1, 1, 3).
    pub rank: u32,
    pub staff_id: String,
    /// The staff member's name; their id when the store no longer knows them.
    pub staff_name: String,
    /// The department's name; None for the hall's own (综窗) staff.
    pub department: Option<String>,
    pub served: u64,
    pub ratings: u64,
    pub poor: u64,
    /// 0.0–1.0.
    pub good_rate: f64,
    /// 工号; None when the store no longer knows them (or a record from before it was kept).
    #[serde(default)]
    pub employee_no: Option<String>,
    /// The window they are seated at today, when they are.
    #[serde(default)]
    pub window_number: Option<String>,
    /// The good rate on a five-star scale (1–5), the grade a rating pad shows (core
    /// `stars::grade`); 0 in a record from before it was kept.
    #[serde(default)]
    pub grade: u32,
}

/// A month's stars as the desktop publishes them to the server (sync entity `star_month`, key
/// `YYYY-MM`, one field `document`), for the browser hall display and the rating pads: the
/// ranking is the desktop's (core `stars::rank`), the server only shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StarMonth {
    /// `YYYY-MM`, the record's key.
    pub month: String,
    pub stars: Vec<Star>,
}

/// A month's stars, as the hall display shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MonthlyStars {
    pub year: i32,
    /// 1–12.
    pub month: u32,
    pub stars: Vec<Star>,
    /// The rule they were ranked with.
    pub rule: StarRule,
}
