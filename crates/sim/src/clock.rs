//! Simulated time: hall time (seconds since the hall's midnight) runs `speed` times faster than
//! the wall clock, from a chosen start. The sim sleeps scaled durations; the server still stamps
//! every event with its own clock, so at `--speed 1440` a ten-minute service shows on the server
//! as about 0.4 s.

use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Copy)]
pub struct SimClock {
    origin: Instant,
    start: f64,
    speed: f64,
}

impl SimClock {
    /// Hall time `start` (seconds since midnight) is now.
    pub fn new(start: f64, speed: f64) -> Self {
        Self { origin: Instant::now(), start, speed }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Hall time now.
    pub fn now(&self) -> f64 {
        self.start + self.origin.elapsed().as_secs_f64() * self.speed
    }

    /// Wall time until hall time `t` (zero if past).
    pub fn wall_until(&self, t: f64) -> Duration {
        Duration::from_secs_f64(((t - self.now()) / self.speed).clamp(0.0, 1e9))
    }

    /// Wall time of `secs` of hall time.
    pub fn wall(&self, secs: f64) -> Duration {
        Duration::from_secs_f64((secs / self.speed).clamp(0.0, 1e9))
    }

    /// Sleeps until hall time `t`; false when cancelled first.
    pub async fn sleep_until(&self, t: f64, cancel: &CancellationToken) -> bool {
        let wall = self.wall_until(t);
        if wall.is_zero() {
            return !cancel.is_cancelled();
        }
        tokio::select! {
            _ = tokio::time::sleep(wall) => true,
            _ = cancel.cancelled() => false,
        }
    }

    /// Sleeps `secs` of hall time; false when cancelled first.
    pub async fn sleep(&self, secs: f64, cancel: &CancellationToken) -> bool {
        self.sleep_until(self.now() + secs, cancel).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hall_time_runs_speed_times_faster() {
        let clock = SimClock::new(9.0 * 3600.0, 3600.0);
        let cancel = CancellationToken::new();
        let wall = Instant::now();
        assert!(clock.sleep(60.0, &cancel).await); // a hall minute: about 17 ms
        let took = wall.elapsed();
        assert!(took >= Duration::from_millis(15) && took < Duration::from_millis(500), "{took:?}");
        assert!(clock.now() >= 9.0 * 3600.0 + 60.0);
        cancel.cancel();
        assert!(!clock.sleep(3600.0, &cancel).await);
    }
}
