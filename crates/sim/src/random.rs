//! Seeded randomness: one `StdRng` per actor, derived from the run's seed and a stable name, so a
//! run with the same seed draws the same numbers (the arrival schedule is identical; what the
//! server interleaves still depends on timing).

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// FNV-1a: a stable 64-bit hash (std's hasher is randomly keyed per process).
pub fn stable_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The generator of one actor (`"kiosk"`, `"window w-a01"` …) of a run.
pub fn rng_for(seed: u64, name: &str) -> StdRng {
    StdRng::seed_from_u64(seed ^ stable_hash(name).rotate_left(17))
}

/// Uniform in [lo, hi).
pub fn uniform(rng: &mut StdRng, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

/// Standard normal (Box–Muller).
pub fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>(); // (0, 1]: ln is finite
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Log-normal with the given mean (not median) and shape `sigma`.
pub fn lognormal_with_mean(rng: &mut StdRng, mean: f64, sigma: f64) -> f64 {
    mean * (sigma * normal(rng) - sigma * sigma / 2.0).exp()
}

/// Exponential with the given rate (events per unit).
pub fn exponential(rng: &mut StdRng, rate: f64) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    -u.ln() / rate
}

/// A made-up mainland mobile number in the 1380013xxxx test range.
pub fn phone(rng: &mut StdRng) -> String {
    const PREFIXES: [&str; 24] = [
        "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
        "156", "158", "159", "177", "180", "182", "186", "187", "188", "199",
    ];
    // Only the 1380013xxxx test range goes out: a demo wired to a real SMS provider must not
    // text strangers. Both draws are kept so that the arrivals after a phone stay as they were.
    let _prefix = PREFIXES[rng.random_range(0..PREFIXES.len())];
    format!("1380013{:04}", rng.random_range(0..100_000_000u32) % 10_000)
}

/// A phone number as logs may show it (PIPL): 138****5678.
pub fn mask_phone(phone: &str) -> String {
    if phone.len() == 11 && phone.is_ascii() {
        format!("{}****{}", &phone[..3], &phone[7..])
    } else {
        "****".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_valid_mainland_numbers_and_masked_in_logs() {
        let mut rng = rng_for(1, "phones");
        for _ in 0..1000 {
            let p = phone(&mut rng);
            assert!(p.len() == 11 && p.bytes().all(|b| b.is_ascii_digit()), "{p}");
            assert!(p.starts_with('1') && p.as_bytes()[1] >= b'3', "{p}");
            let m = mask_phone(&p);
            assert_eq!((&m[..3], &m[3..7], &m[7..]), (&p[..3], "****", &p[7..]));
        }
    }

    #[test]
    fn lognormal_keeps_its_mean() {
        let mut rng = rng_for(7, "lognormal");
        let n = 200_000;
        let sum: f64 = (0..n).map(|_| lognormal_with_mean(&mut rng, 300.0, 0.55)).sum();
        let mean = sum / n as f64;
        assert!((mean - 300.0).abs() < 3.0, "{mean}");
        let exp_mean: f64 = (0..n).map(|_| exponential(&mut rng, 2.0)).sum::<f64>() / n as f64;
        assert!((exp_mean - 0.5).abs() < 0.01, "{exp_mean}");
    }

    #[test]
    fn the_same_seed_draws_the_same_numbers() {
        let a: Vec<f64> = (0..5)
            .map({
                let mut r = rng_for(42, "x");
                move |_| normal(&mut r)
            })
            .collect();
        let b: Vec<f64> = (0..5)
            .map({
                let mut r = rng_for(42, "x");
                move |_| normal(&mut r)
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(rng_for(42, "x").random::<u64>(), rng_for(42, "y").random::<u64>());
    }
}
