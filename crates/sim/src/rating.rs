//! What the citizen presses on the rating pad (评价器) after a service: the five levels with the
//! distribution real halls report (好评率 around 97–98 %), reasons for poor ratings from the list
//! the pads offer, and now and then a short comment.

use crate::random::uniform;
use hallkeeper_proto::{RatingInput, RatingLevel};
use rand::rngs::StdRng;
use rand::RngExt;

/// Share of each level among the ratings given.
pub const LEVELS: [(RatingLevel, f64); 5] = [
    (RatingLevel::VerySatisfied, 0.78),
    (RatingLevel::Satisfied, 0.16),
    (RatingLevel::Neutral, 0.03),
    (RatingLevel::Dissatisfied, 0.02),
    (RatingLevel::VeryDissatisfied, 0.01),
];

/// The pad's reasons for a poor rating, with how often each is chosen: the tags the server's
/// pads offer until a hall edits its list (server api/pad.rs `DEFAULT_REASON_TAGS`), since the
/// server refuses a reason that is not in the hall's list.
pub const POOR_REASONS: [(&str, f64); 6] = [
    ("等候时间长", 0.34),
    ("办理效率低", 0.18),
    ("材料要求不明确", 0.16),
    ("服务态度差", 0.12),
    ("解释不清楚", 0.12),
    ("环境设施不便", 0.08),
];

const POOR_COMMENTS: [&str; 8] = [
    "排了一个多小时才办上",
    "材料清单和网上写的不一样，白跑一趟",
    "工作人员态度冷淡，问了两遍才回答",
    "系统一直卡，等了很久",
    "希望能一次性告知需要的材料",
    "叫号后窗口迟迟不办理",
    "同一个事项让我跑了三个窗口",
    "取号机上找不到要办的事项",
];

const NEUTRAL_REASONS: [&str; 3] = ["等候时间长", "办理效率低", "环境设施不便"];

const GOOD_COMMENTS: [&str; 6] = [
    "办事效率高，点赞",
    "工作人员很耐心，讲解清楚",
    "一次就办好了，谢谢",
    "服务热情周到",
    "比以前快多了",
    "绿色通道很贴心",
];

fn level(rng: &mut StdRng) -> RatingLevel {
    let mut x: f64 = rng.random();
    for (level, p) in LEVELS {
        if x < p {
            return level;
        }
        x -= p;
    }
    RatingLevel::VerySatisfied
}

fn poor_reason(rng: &mut StdRng, waited_long: bool) -> &'static str {
    // A long wait makes 等候时间长 three times as likely.
    let weight = |r: &str, p: f64| if waited_long && r == "等候时间长" { p * 3.0 } else { p };
    let total: f64 = POOR_REASONS.iter().map(|(r, p)| weight(r, *p)).sum();
    let mut x = uniform(rng, 0.0, total);
    for (r, p) in POOR_REASONS {
        let w = weight(r, p);
        if x < w {
            return r;
        }
        x -= w;
    }
    POOR_REASONS[0].0
}

/// One rating for a ticket whose citizen waited `waited_minutes` (simulated).
pub fn draw(rng: &mut StdRng, ticket_id: &str, waited_minutes: f64) -> RatingInput {
    let level = level(rng);
    let waited_long = waited_minutes > 30.0;
    let mut reasons: Vec<String> = Vec::new();
    let mut comment = String::new();
    match level {
        RatingLevel::Dissatisfied | RatingLevel::VeryDissatisfied => {
            let count = if rng.random_bool(0.35) { 2 } else { 1 };
            while reasons.len() < count {
                let r = poor_reason(rng, waited_long);
                if !reasons.iter().any(|x| x == r) {
                    reasons.push(r.to_owned());
                }
            }
            if rng.random_bool(0.45) {
                comment = POOR_COMMENTS[rng.random_range(0..POOR_COMMENTS.len())].to_owned();
            }
        }
        RatingLevel::Neutral => {
            if rng.random_bool(0.4) {
                let r = if waited_long { 0 } else { rng.random_range(0..NEUTRAL_REASONS.len()) };
                reasons.push(NEUTRAL_REASONS[r].to_owned());
            }
        }
        RatingLevel::VerySatisfied | RatingLevel::Satisfied => {
            if rng.random_bool(0.04) {
                comment = GOOD_COMMENTS[rng.random_range(0..GOOD_COMMENTS.len())].to_owned();
            }
        }
    }
    RatingInput { ticket_id: ticket_id.to_owned(), level, reasons, comment }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::rng_for;
    use std::collections::HashMap;

    #[test]
    fn levels_follow_the_hall_distribution() {
        let mut rng = rng_for(2026, "pad");
        let n = 100_000;
        let mut counts: HashMap<RatingLevel, usize> = HashMap::new();
        let mut poor_with_comment = 0;
        for i in 0..n {
            let r = draw(&mut rng, &format!("t{i}"), 10.0);
            *counts.entry(r.level).or_default() += 1;
            if r.level.is_poor() {
                assert!(!r.reasons.is_empty() && r.reasons.len() <= 2, "{r:?}");
                poor_with_comment += usize::from(!r.comment.is_empty());
            }
            // What the server accepts: ≤ 10 reasons of 1–20 characters, a comment ≤ 500.
            assert!(r.reasons.len() <= 10 && r.reasons.iter().all(|x| (1..=20).contains(&x.chars().count())));
            assert!(r.comment.chars().count() <= 500);
        }
        for (level, p) in LEVELS {
            let got = counts.get(&level).copied().unwrap_or(0) as f64 / n as f64;
            // Within 4 standard deviations of a binomial share.
            let tolerance = 4.0 * (p * (1.0 - p) / n as f64).sqrt();
            assert!((got - p).abs() < tolerance, "{level:?}: {got} vs {p}");
        }
        let poor = counts[&RatingLevel::Dissatisfied] + counts[&RatingLevel::VeryDissatisfied];
        let share = poor_with_comment as f64 / poor as f64;
        assert!((0.35..0.55).contains(&share), "{share}");
    }

    #[test]
    fn a_long_wait_is_the_usual_complaint() {
        let mut rng = rng_for(5, "pad");
        let mut long = 0;
        let mut poor = 0;
        for i in 0..50_000 {
            let r = draw(&mut rng, &format!("t{i}"), 45.0);
            if r.level.is_poor() {
                poor += 1;
                long += usize::from(r.reasons.iter().any(|x| x == "等候时间长"));
            }
        }
        assert!(long as f64 / poor as f64 > 0.5, "{long}/{poor}");
    }

    #[test]
    fn the_same_seed_rates_the_same_way() {
        let a: Vec<RatingInput> = {
            let mut rng = rng_for(11, "pad");
            (0..50).map(|i| draw(&mut rng, &i.to_string(), 5.0)).collect()
        };
        let mut rng = rng_for(11, "pad");
        let b: Vec<RatingInput> = (0..50).map(|i| draw(&mut rng, &i.to_string(), 5.0)).collect();
        assert_eq!(a, b);
    }
}
