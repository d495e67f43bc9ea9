//! Who comes when: a non-homogeneous Poisson process over the day (rate from [`crate::curve`]),
//! drawn up front from the seed so a run's arrivals are reproducible.

use crate::curve;
use crate::model::HallModel;
use crate::random::{exponential, phone, rng_for};
use hallkeeper_proto::PriorityClass;
use rand::RngExt;

/// How people and staff behave: shares of the day's events.
#[derive(Debug, Clone, PartialEq)]
pub struct Behaviour {
    /// Tickets taken at the 绿色通道 (elderly, disabled, pregnant …).
    pub priority_lane: f64,
    /// Tickets with a phone number for SMS reminders.
    pub phone: f64,
    /// Called and never came (过号 after one recall).
    pub no_show: f64,
    /// Came, but only after a recall.
    pub recall_before_arrival: f64,
    /// Sent to another window or matter during service (转号).
    pub transfer: f64,
    /// Parked to fetch a document, resumed later (挂起).
    pub park: f64,
    /// Finished tickets the citizen rates on the pad.
    pub rating: f64,
    /// Chance that a window takes a break during the day (a second one is rarer).
    pub break_chance: f64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            priority_lane: 0.05,
            phone: 0.40,
            no_show: 0.04,
            recall_before_arrival: 0.12,
            transfer: 0.02,
            park: 0.015,
            rating: 0.70,
            break_chance: 0.6,
        }
    }
}

/// One person arriving at the kiosk.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    /// Seconds since the hall's midnight (simulated).
    pub at: f64,
    pub matter: usize,
    pub class: PriorityClass,
    pub phone: Option<String>,
}

/// The arrivals between `from` and `to` (seconds since midnight) for a hall averaging
/// `tickets_per_hour`, by thinning a homogeneous process at the curve's peak rate.
pub fn schedule(
    model: &HallModel,
    from: f64,
    to: f64,
    tickets_per_hour: f64,
    behaviour: &Behaviour,
    seed: u64,
) -> Vec<Arrival> {
    let mut rng = rng_for(seed, "arrivals");
    let peak = tickets_per_hour / 3600.0 * curve::max_shape();
    let mut out = Vec::new();
    if peak <= 0.0 {
        return out;
    }
    let mut t = from;
    loop {
        t += exponential(&mut rng, peak);
        if t >= to {
            break;
        }
        if rng.random::<f64>() * peak >= curve::rate(t, tickets_per_hour) {
            continue;
        }
        let matter = model.pick_matter(&mut rng);
        let class = if rng.random_bool(behaviour.priority_lane) {
            PriorityClass::PriorityLane
        } else {
            PriorityClass::Normal
        };
        let phone = rng.random_bool(behaviour.phone).then(|| phone(&mut rng));
        out.push(Arrival { at: t, matter, class, phone });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::curve::{CLOSE, OPEN};
    use crate::model::{hall_config, read_catalog};

    fn model() -> HallModel {
        let c = hall_config(&read_catalog(None).unwrap(), 20, "x").unwrap();
        HallModel::from_config(&c, 1).unwrap()
    }

    #[test]
    fn a_day_brings_tickets_per_hour_times_hours_peaking_morning_and_afternoon() {
        let m = model();
        let tph = 1000.0;
        let day = schedule(&m, OPEN, CLOSE, tph, &Behaviour::default(), 17);
        let expected = tph * 8.0;
        // Poisson: standard deviation √8000 ≈ 89; allow 4.
        assert!((day.len() as f64 - expected).abs() < 4.0 * expected.sqrt(), "{}", day.len());
        assert!(
            day.windows(2).all(|w| w[0].at <= w[1].at) && day.iter().all(|a| (OPEN..CLOSE).contains(&a.at))
        );
        let per_hour =
            |h: f64| day.iter().filter(|a| (h * 3600.0..(h + 1.0) * 3600.0).contains(&a.at)).count();
        let (ten, twelve, three, four) = (per_hour(10.0), per_hour(12.0), per_hour(15.0), per_hour(16.0));
        assert!(ten > 2 * twelve && three > 2 * twelve && three > four, "{ten} {twelve} {three} {four}");

        let lane =
            day.iter().filter(|a| a.class == PriorityClass::PriorityLane).count() as f64 / day.len() as f64;
        let phones = day.iter().filter(|a| a.phone.is_some()).count() as f64 / day.len() as f64;
        assert!((lane - 0.05).abs() < 0.01, "{lane}");
        assert!((phones - 0.40).abs() < 0.02, "{phones}");
    }

    #[test]
    fn the_average_over_many_days_matches_the_curve_integral() {
        let m = model();
        let (from, to) = (10.5 * 3600.0, 15.25 * 3600.0);
        let days = 200;
        let total: usize =
            (0..days).map(|s| schedule(&m, from, to, 40.0, &Behaviour::default(), s).len()).sum();
        let mean = total as f64 / days as f64;
        let want = curve::expected(from, to, 40.0);
        assert!((mean - want).abs() < 4.0 * (want / days as f64).sqrt(), "{mean} vs {want}");
    }

    #[test]
    fn the_seed_fixes_the_schedule() {
        let m = model();
        let a = schedule(&m, OPEN, CLOSE, 100.0, &Behaviour::default(), 5);
        let b = schedule(&m, OPEN, CLOSE, 100.0, &Behaviour::default(), 5);
        let c = schedule(&m, OPEN, CLOSE, 100.0, &Behaviour::default(), 6);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
