//! Latency summaries.

use serde::{Deserialize, Serialize};

/// Round-trip times in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Percentiles {
    pub count: u64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

/// Nearest-rank percentiles of samples in microseconds.
pub fn percentiles(samples_us: &[u32]) -> Percentiles {
    if samples_us.is_empty() {
        return Percentiles::default();
    }
    let mut s = samples_us.to_vec();
    s.sort_unstable();
    let rank = |p: f64| {
        let i = ((p / 100.0) * s.len() as f64).ceil() as usize;
        f64::from(s[i.clamp(1, s.len()) - 1]) / 1000.0
    };
    let sum: f64 = s.iter().map(|&x| f64::from(x)).sum();
    Percentiles {
        count: s.len() as u64,
        mean: sum / s.len() as f64 / 1000.0,
        p50: rank(50.0),
        p90: rank(90.0),
        p99: rank(99.0),
        max: f64::from(s[s.len() - 1]) / 1000.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let samples: Vec<u32> = (1..=100).map(|i| i * 1000).collect();
        let p = percentiles(&samples);
        assert_eq!((p.count, p.p50, p.p90, p.p99, p.max), (100, 50.0, 90.0, 99.0, 100.0));
        assert!((p.mean - 50.5).abs() < 1e-9);
        assert_eq!(percentiles(&[]).count, 0);
        assert_eq!(percentiles(&[7000]).p99, 7.0);
    }
}
