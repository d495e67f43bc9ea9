//! Service stars (服务之星): each month, the staff who served best by the hall's rule.
//!
//! The rule ([`StarRule`], settings key `stars.rule`) sets the minimums a staff member must reach
//! in the month (tickets served, ratings received) and the ranking order — by default good rate
//! (好评率) descending, then tickets served descending, then poor ratings (差评) ascending — and how
//! many stars a month has. The figures are the month's staff report ([`crate::reports`]), so a
//! rating whose appeal was upheld counts for nothing here either.
//!
//! Ranking: staff equal on every criterion share a rank (1, 1, 3), listed by name; the stars are
//! everyone ranked within `top_n`, so a tie at the last place makes one more star rather than
//! leaving out someone who did exactly as well. The unassigned row (tickets with no staff) never
//! ranks, nor does anyone without a rating (no good rate to compare).

use crate::error::{Code, Rejection};
use crate::reports::{ReportRow, ReportTable};
use std::cmp::Ordering;

pub use hallkeeper_proto::{
    MonthlyStars, SortDirection, Star, StarCriterion, StarMeasure, StarMonth, StarRule,
};

/// The largest minimum a rule may ask for.
pub const MAX_MINIMUM: u32 = 100_000;
/// The most stars a month may have.
pub const MAX_TOP_N: u32 = 20;

/// The rule's first problem, at its field (`minServices`, `minRatings`, `order`, `topN`).
pub fn validate(rule: &StarRule) -> Result<(), Rejection> {
    let invalid = |field: &'static str| Rejection::new(Code::StarRuleInvalid).field(field);
    if rule.min_services > MAX_MINIMUM {
        return Err(invalid("minServices").arg("max", MAX_MINIMUM));
    }
    if rule.min_ratings == 0 || rule.min_ratings > MAX_MINIMUM {
        return Err(invalid("minRatings").arg("max", MAX_MINIMUM));
    }
    if rule.order.is_empty() {
        return Err(invalid("order"));
    }
    for (i, c) in rule.order.iter().enumerate() {
        if rule.order[..i].iter().any(|p| p.measure == c.measure) {
            return Err(Rejection::new(Code::StarRuleInvalid).field(format!("order[{i}].measure")));
        }
    }
    if rule.top_n == 0 || rule.top_n > MAX_TOP_N {
        return Err(invalid("topN").arg("max", MAX_TOP_N));
    }
    Ok(())
}

/// A star's grade, the good rate (0.0–1.0) on a five-star scale (1–5, rounded): 90 % and up
/// is 5, 70 % up to 90 % is 4. What a rating pad shows under the person's name.
pub fn grade(good_rate: f64) -> u32 {
    ((good_rate.clamp(0.0, 1.0) * 5.0).round() as u32).clamp(1, 5)
}

/// A figure of a row; None when its denominator is 0.
fn measure(row: &ReportRow, m: StarMeasure) -> Option<f64> {
    match m {
        StarMeasure::GoodRate => row.good_rate,
        StarMeasure::Served => Some(row.served as f64),
        StarMeasure::Ratings => Some(row.ratings as f64),
        StarMeasure::PoorCount => Some(row.poor as f64),
        StarMeasure::PoorRate => row.poor_rate,
        StarMeasure::RatingRate => row.rating_rate,
    }
}

/// Better first by the rule's order; a missing figure is worse than any.
fn compare(rule: &StarRule, a: &ReportRow, b: &ReportRow) -> Ordering {
    for c in &rule.order {
        let ord = match (measure(a, c.measure), measure(b, c.measure)) {
            (Some(x), Some(y)) => match c.direction {
                SortDirection::Desc => y.total_cmp(&x),
                SortDirection::Asc => x.total_cmp(&y),
            },
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

fn name(row: &ReportRow) -> &str {
    row.label.as_deref().or(row.key.as_deref()).unwrap_or_default()
}

/// The stars of a staff report (one row per staff id), best first. `department`, `employee_no`
/// and `window_number` are left None: the store fills them in. The rule is assumed valid ([`validate`]).
pub fn rank(table: &ReportTable, rule: &StarRule) -> Vec<Star> {
    let mut eligible: Vec<&ReportRow> = table
        .rows
        .iter()
        .filter(|r| r.key.is_some())
        .filter(|r| r.served >= u64::from(rule.min_services))
        .filter(|r| r.ratings >= u64::from(rule.min_ratings).max(1) && r.good_rate.is_some())
        .collect();
    eligible.sort_by(|a, b| {
        compare(rule, a, b).then_with(|| name(a).cmp(name(b))).then_with(|| a.key.cmp(&b.key))
    });
    let mut stars = Vec::new();
    let mut rank = 0u32;
    for (i, row) in eligible.iter().enumerate() {
        if i == 0 || compare(rule, eligible[i - 1], row) != Ordering::Equal {
            rank = i as u32 + 1;
        }
        if rank > rule.top_n {
            break;
        }
        stars.push(Star {
            rank,
            staff_id: row.key.clone().unwrap_or_default(),
            staff_name: name(row).to_owned(),
            department: None,
            served: row.served,
            ratings: row.ratings,
            poor: row.poor,
            good_rate: row.good_rate.unwrap_or_default(),
            employee_no: None,
            window_number: None,
            grade: grade(row.good_rate.unwrap_or_default()),
        });
    }
    stars
}
