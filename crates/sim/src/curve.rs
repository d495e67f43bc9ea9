//! The intraday arrival curve of a government service hall open 9:00–17:00: people come early
//! (a morning peak 9:30–10:30), few come over lunch (12:00–13:30, when many halls run a reduced
//! staff), and a second, slightly lower peak falls 14:30–15:30; the last hour is quiet.
//!
//! The curve is piecewise linear through half-hour points and normalised so that its mean over
//! the open hours is 1: the arrival rate at time t is `tickets_per_hour × shape(t)`, and a whole
//! day brings `tickets_per_hour × 8` tickets on average. Times are seconds since the hall's
//! midnight (UTC+8).

/// Hall hours, in seconds since midnight.
pub const OPEN: f64 = 9.0 * 3600.0;
pub const CLOSE: f64 = 17.0 * 3600.0;
/// Open hours in a day.
pub const HOURS: f64 = (CLOSE - OPEN) / 3600.0;

/// Relative weights at each half hour (hour of day, weight), before normalisation.
const POINTS: [(f64, f64); 17] = [
    (9.0, 0.70),
    (9.5, 1.40),
    (10.0, 1.75),
    (10.5, 1.70),
    (11.0, 1.30),
    (11.5, 0.95),
    (12.0, 0.55),
    (12.5, 0.40),
    (13.0, 0.45),
    (13.5, 0.70),
    (14.0, 1.15),
    (14.5, 1.45),
    (15.0, 1.50),
    (15.5, 1.30),
    (16.0, 0.95),
    (16.5, 0.55),
    (17.0, 0.20),
];

/// The raw (unnormalised) curve at `hour`, 0 outside the open hours.
fn raw(hour: f64) -> f64 {
    if !(POINTS[0].0..=POINTS[POINTS.len() - 1].0).contains(&hour) {
        return 0.0;
    }
    for pair in POINTS.windows(2) {
        let ((h0, w0), (h1, w1)) = (pair[0], pair[1]);
        if hour <= h1 {
            return w0 + (w1 - w0) * (hour - h0) / (h1 - h0);
        }
    }
    POINTS[POINTS.len() - 1].1
}

/// Integral of the raw curve over [a, b] hours: exact (trapezoids over the linear pieces).
fn raw_integral(a: f64, b: f64) -> f64 {
    let mut total = 0.0;
    for pair in POINTS.windows(2) {
        let (lo, hi) = (pair[0].0.max(a), pair[1].0.min(b));
        if hi > lo {
            total += (raw(lo) + raw(hi)) / 2.0 * (hi - lo);
        }
    }
    total
}

/// The factor that makes the curve's mean over the open hours 1.
fn norm() -> f64 {
    HOURS / raw_integral(OPEN / 3600.0, CLOSE / 3600.0)
}

/// The curve at `t` seconds since midnight: 1 is the day's average; 0 when the hall is closed.
pub fn shape(t: f64) -> f64 {
    raw(t / 3600.0) * norm()
}

/// The curve's highest value (the thinning bound of the Poisson sampler).
pub fn max_shape() -> f64 {
    POINTS.iter().map(|p| p.1).fold(0.0, f64::max) * norm()
}

/// Arrivals per second at `t` for a hall averaging `tickets_per_hour`.
pub fn rate(t: f64, tickets_per_hour: f64) -> f64 {
    tickets_per_hour / 3600.0 * shape(t)
}

/// Expected arrivals between `from` and `to` (seconds since midnight).
pub fn expected(from: f64, to: f64, tickets_per_hour: f64) -> f64 {
    tickets_per_hour * raw_integral(from / 3600.0, to / 3600.0) * norm()
}

/// `h:mm:ss` of seconds since midnight.
pub fn clock_text(t: f64) -> String {
    let s = t.max(0.0).round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// Parses `H:MM` or `H:MM:SS` into seconds since midnight.
pub fn parse_clock(text: &str) -> Option<f64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let nums: Vec<u32> = parts.iter().map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let (h, m, s) = (nums[0], nums[1], nums.get(2).copied().unwrap_or(0));
    (h < 24 && m < 60 && s < 60).then(|| f64::from(h * 3600 + m * 60 + s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: f64) -> f64 {
        shape(h * 3600.0)
    }

    #[test]
    fn peaks_fall_in_the_morning_and_afternoon_windows() {
        let step = 60.0;
        let argmax = |from: f64, to: f64| {
            let mut best = (from, 0.0);
            let mut t = from;
            while t <= to {
                if shape(t) > best.1 {
                    best = (t, shape(t));
                }
                t += step;
            }
            best
        };
        let (morning, m_peak) = argmax(OPEN, 12.0 * 3600.0);
        let (afternoon, a_peak) = argmax(13.0 * 3600.0, CLOSE);
        assert!((9.0 * 3600.0..=11.0 * 3600.0).contains(&morning), "morning peak at {}", clock_text(morning));
        assert!(
            (14.0 * 3600.0..=16.0 * 3600.0).contains(&afternoon),
            "afternoon peak at {}",
            clock_text(afternoon)
        );
        // The day's highest point is the morning peak; lunch is well below both peaks.
        let (day_peak, _) = argmax(OPEN, CLOSE);
        assert_eq!(day_peak, morning);
        for lunch in [12.25, 12.5, 12.75, 13.0] {
            assert!(at(lunch) < 0.5 * a_peak && at(lunch) < 0.5 * m_peak, "lunch at {lunch}: {}", at(lunch));
        }
        assert!(at(9.0) < at(10.0) && at(16.9) < at(15.0));
        assert_eq!(shape(OPEN - 1.0), 0.0);
        assert_eq!(shape(CLOSE + 1.0), 0.0);
        assert!((max_shape() - m_peak).abs() < 1e-9);
    }

    #[test]
    fn the_day_integrates_to_tickets_per_hour_times_hours() {
        for tph in [12.5, 150.0, 10_000.0] {
            let exact = expected(OPEN, CLOSE, tph);
            assert!((exact - tph * HOURS).abs() < 1e-6 * tph, "{tph}: {exact}");
            // A numerical integral of `rate` agrees with the closed form.
            let dt = 1.0;
            let mut sum = 0.0;
            let mut t = OPEN;
            while t < CLOSE {
                sum += rate(t + dt / 2.0, tph) * dt;
                t += dt;
            }
            assert!((sum - tph * HOURS).abs() / (tph * HOURS) < 1e-3, "{tph}: {sum}");
        }
        // Half the day's traffic comes before about 12:30 (a morning-heavy hall).
        let morning = expected(OPEN, 12.5 * 3600.0, 100.0) / expected(OPEN, CLOSE, 100.0);
        assert!((0.45..0.6).contains(&morning), "{morning}");
    }

    #[test]
    fn clock_texts_round_trip() {
        assert_eq!(parse_clock("9:00"), Some(OPEN));
        assert_eq!(parse_clock("17:00:00"), Some(CLOSE));
        assert_eq!(parse_clock("24:00"), None);
        assert_eq!(parse_clock("9"), None);
        assert_eq!(clock_text(OPEN + 61.0), "9:01:01");
    }
}
