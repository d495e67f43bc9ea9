//! The dashboard feed's decisions (what keeps the UI's 总览 live): after each computation of the
//! dashboard, whether to send it whole (the first, and the first of a new hall day), only what
//! changed as a person sees it (`diff`), or nothing; the charts' data at most every
//! [`CHARTS_EVERY`]; the alarm notices core's [`AlarmTracker`] raises; and how far apart
//! computations must be ([`Feed::min_gap`]). Pure: the shell computes the dashboard, passes the
//! store's clock in, sends what this decides, and raises the notices.

use super::{diff, AlarmTracker};
use chrono::Utc;
use hallkeeper_proto::{AlarmNotice, Dashboard, DashboardDelta};
use std::time::Duration;

/// No two computations closer than this. The page's cost is per update (8–10 ms of WebKit's time
/// with 200 tiles since the cards lost their shadow; about 20 ms when this was chosen), so this
/// gap trades CPU against latency. At 350 ms the dashboard bench reads event → tile p95
/// 173–183 ms and a busy hall 3.0–3.8 % of one core; 500 ms put p95 at 475–482 ms, too near the
/// 500 ms target (docs/benchmarks.md).
pub const MIN_GAP: Duration = Duration::from_millis(350);
/// And no closer than this many times what a computation costs, so the feed keeps to 1/40 (2.5 %)
/// of one core however large and busy the hall (200 windows in a very busy hall: ~2 ms, release
/// build). A quiet hall's first event after a pause is computed at once either way.
pub const COST_FACTOR: u32 = 40;
/// Without any other reason, recompute this often (running durations move).
pub const TICK: Duration = Duration::from_secs(5);
/// The page redraws its two charts at most this often, so their data (the waiting series, the
/// hours) goes at most this often too; the other parts of a delta go as soon as they change.
pub const CHARTS_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(10);
/// What the feed did, for the log and the benchmark.
#[derive(Debug, Default, Clone, Copy)]
pub struct FeedStats {
    pub computed: u64,
    pub emitted: u64,
    pub notices: u64,
    /// Time spent computing on the blocking pool.
    pub busy: Duration,
}

/// What the UI is sent after a computation.
#[derive(Debug)]
pub enum Update {
    /// The whole dashboard (the first, and the first of a new hall day) as `dashboard`.
    Full(Dashboard),
    /// What changed since the last one sent, as `dashboard-delta`.
    Delta(DashboardDelta),
}

/// The feed's decisions, without Tauri (the benchmark drives it too): what to send, what to
/// notify.
#[derive(Default)]
pub struct Feed {
    tracker: AlarmTracker,
    /// The last dashboard sent (numbered): what the UI holds.
    last_sent: Option<Dashboard>,
    seq: u64,
    quiet_min: Option<u32>,
    /// What a computation costs lately.
    cost: Duration,
    /// When the charts' data last went out.
    charts_sent_at: Option<chrono::DateTime<Utc>>,
    pub stats: FeedStats,
}

impl Feed {
    /// Whether the next computation should read the quiet period too.
    pub fn needs_settings(&self) -> bool {
        self.quiet_min.is_none()
    }

    /// Records what a computation cost (its time on the blocking pool).
    pub fn record(&mut self, took: Duration) {
        self.stats.busy += took;
        // A moving average, so one slow computation (the store busy with a pull) does not stall
        // the feed, and a steady cost is followed within a few computations.
        self.cost = if self.cost.is_zero() { took } else { (self.cost * 3 + took) / 4 };
    }

    /// The least time between two computations now: [`MIN_GAP`], or more for a costly hall.
    pub fn min_gap(&self) -> Duration {
        MIN_GAP.max(self.cost * COST_FACTOR)
    }

    /// Takes a computed dashboard: what to send the UI when something visible changed since the
    /// last one sent, and the alarm notices it calls for.
    pub fn take(
        &mut self,
        mut dashboard: Dashboard,
        quiet: Option<u32>,
        now: chrono::DateTime<Utc>,
    ) -> (Option<Update>, Vec<AlarmNotice>) {
        self.stats.computed += 1;
        if let Some(q) = quiet {
            self.quiet_min = Some(q);
        }
        let notices = self.tracker.observe(&dashboard, self.quiet_min.unwrap_or(0), now);
        self.stats.notices += notices.len() as u64;
        dashboard.seq = self.seq + 1;
        // Charts' data not yet due: the UI keeps (and the next diff compares against) what it
        // has, so the change goes with a later update.
        let charts_due = self.charts_sent_at.is_none_or(|t| now - t >= CHARTS_EVERY);
        if let Some(last) = self.last_sent.as_ref().filter(|l| !charts_due && l.day == dashboard.day) {
            dashboard.waiting_series.clone_from(&last.waiting_series);
            dashboard.hours.clone_from(&last.hours);
        }
        let update = match &self.last_sent {
            Some(last) if last.day == dashboard.day => match diff(last, &dashboard) {
                None => return (None, notices),
                Some(delta) => Update::Delta(delta),
            },
            _ => Update::Full(dashboard.clone()),
        };
        let charts_sent = match &update {
            Update::Full(_) => true,
            Update::Delta(d) => d.waiting_series.is_some() || d.hours.is_some(),
        };
        if charts_sent {
            self.charts_sent_at = Some(now);
        }
        self.seq += 1;
        self.stats.emitted += 1;
        self.last_sent = Some(dashboard);
        (Some(update), notices)
    }

    /// The last dashboard sent: what `get_dashboard` answers, so a page that missed a delta
    /// (or just opened) continues from the picture the next delta applies to.
    pub fn last_sent(&self) -> Option<&Dashboard> {
        self.last_sent.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fixed instant: the feed's decisions depend on the instants passed in, never the wall clock.
    fn at(secs: i64) -> chrono::DateTime<Utc> {
        "2026-11-26T02:00:00Z".parse::<chrono::DateTime<Utc>>().unwrap() + chrono::TimeDelta::seconds(secs)
    }

    #[test]
    fn the_first_picture_goes_whole_then_what_changed_and_seconds_alone_send_nothing() {
        let d = |at: &str, longest: i64| {
            let mut d: Dashboard = serde_json::from_value(serde_json::json!({
                "day": "2026-11-26", "at": at, "lastEventAt": null, "tiles": [], "matters": [],
                "totals": {"waiting": 1, "issuedToday": 1, "servedToday": 0, "noShowsToday": 0,
                           "averageWaitTodaySecs": null, "satisfactionToday": null, "openPoorRatings": null},
                "hours": [], "waitingSeries": [], "alerts": [], "suggestions": []
            }))
            .unwrap();
            d.totals.average_wait_today_secs = Some(longest);
            d
        };
        let mut feed = Feed::default();
        let now = at(0);
        let first = feed.take(d("2026-11-26T02:00:00Z", 61), Some(15), now).0;
        assert!(matches!(&first, Some(Update::Full(d)) if d.seq == 1), "{first:?}");
        assert!(feed.take(d("2026-11-26T02:00:05Z", 119), None, now).0.is_none(), "same minute");
        let next = feed.take(d("2026-11-26T02:00:10Z", 120), None, now).0;
        match next {
            Some(Update::Delta(delta)) => {
                assert_eq!((delta.base_seq, delta.seq), (1, 2));
                assert_eq!(delta.totals.and_then(|t| t.average_wait_today_secs), Some(120));
                assert!(delta.tiles.is_empty() && delta.alerts.is_none());
            }
            other => panic!("expected a delta: {other:?}"),
        }
        assert_eq!(feed.last_sent().map(|d| d.seq), Some(2));
        let new_day = {
            let mut x = d("2026-11-27T02:00:00Z", 120);
            x.day = "2026-11-27".into();
            x
        };
        assert!(matches!(feed.take(new_day, None, now).0, Some(Update::Full(d)) if d.seq == 3), "a new day");
        assert_eq!((feed.stats.computed, feed.stats.emitted), (4, 3));
    }

    #[test]
    fn the_charts_data_goes_at_most_every_ten_seconds() {
        let d = |waiting: u32, at_hour: u32| {
            let mut d: Dashboard = serde_json::from_value(serde_json::json!({
                "day": "2026-11-26", "at": "2026-11-26T02:00:00Z", "lastEventAt": null, "tiles": [],
                "matters": [],
                "totals": {"waiting": waiting, "issuedToday": 1, "servedToday": 0, "noShowsToday": 0,
                           "averageWaitTodaySecs": null, "satisfactionToday": null, "openPoorRatings": null},
                "hours": [{"hour": at_hour, "arrivals": waiting, "served": 0}],
                "waitingSeries": [{"at": "2026-11-26T02:00:00Z", "waiting": waiting}],
                "alerts": [], "suggestions": []
            }))
            .unwrap();
            d.totals.waiting = waiting;
            d
        };
        let t0 = at(0);
        let mut feed = Feed::default();
        assert!(matches!(feed.take(d(1, 9), None, t0).0, Some(Update::Full(_))));
        // 3 s later: the totals go at once, the charts' data waits.
        match feed.take(d(2, 9), None, t0 + chrono::TimeDelta::seconds(3)).0 {
            Some(Update::Delta(x)) => {
                assert!(x.waiting_series.is_none() && x.hours.is_none(), "{x:?}");
                assert_eq!(x.totals.map(|t| t.waiting), Some(2));
            }
            other => panic!("expected a delta: {other:?}"),
        }
        // Only the charts changed, still within 10 s: nothing to send.
        assert!(feed.take(d(2, 10), None, t0 + chrono::TimeDelta::seconds(6)).0.is_none());
        // Due: what changed since the last sent goes now, and the picture held matches it.
        match feed.take(d(2, 10), None, t0 + chrono::TimeDelta::seconds(11)).0 {
            Some(Update::Delta(x)) => {
                assert_eq!(x.waiting_series.map(|s| s[0].waiting), Some(2));
                assert_eq!(x.hours.map(|h| h[0].hour), Some(10));
                assert!(x.totals.is_none());
            }
            other => panic!("expected a delta: {other:?}"),
        }
        let held = feed.last_sent().unwrap();
        assert_eq!((held.waiting_series[0].waiting, held.hours[0].hour), (2, 10));
    }
}
