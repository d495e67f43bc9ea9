//! The dashboard feed: keeps the UI's 总览 live and raises the queue-alarm desktop notifications.
//!
//! One task for the life of the app recomputes the dashboard (core's `Store::dashboard`, on the
//! blocking pool) when
//! - sync pulled new ticket events or configuration (the sync client's `subscribe_pulled()`),
//! - something was written here (`commands::notify_changed` pokes [`FeedTrigger`]),
//! - or 5 s passed since the last computation (running durations: the ticket at a window, the
//!   longest wait),
//!
//! at most once per 350 ms however many reasons pile up, and never closer than 40× what a
//! computation costs (so it keeps to 2.5 % of one core in a large busy hall; measured by the
//! ignored test `feed_cost_with_200_windows_in_a_busy_hall`). It sends the whole dashboard once
//! (`dashboard`, and again on a new hall day), then only what changed as a person sees it
//! (`dashboard-delta`, core's `dashboard::diff`: durations in whole minutes, the computation
//! instant aside), nothing when nothing did; the charts' data (waiting series, hours) at most
//! every 10 s, as often as the page redraws the charts. A page that holds another picture than a delta's
//! base reads `get_dashboard`, which answers the feed's last one. It runs core's
//! [`AlarmTracker`] on every computation, raising one desktop notification per crossing into
//! alarm (hysteresis and the quiet period are core's) in the UI's language.
//!
//! A click on such a notification (reported by tauri-plugin-notification ≥ 2.6 on Linux through
//! the Desktop Notifications `default` action, on Windows and macOS natively) brings the main
//! window to the front and sends `dashboard-focus` {subject, subjectId}: the UI goes to 总览 and
//! shows that window's tile.

use crate::AppState;
use chrono::Utc;
use hallkeeper_core::dashboard::{diff, AlarmTracker};
use hallkeeper_core::proto::{AlarmNotice, AlertSubject, Dashboard, DashboardDelta, Locale};
use hallkeeper_core::Store;
use hallkeeper_sync_client::PulledTick;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::{watch, Notify};

/// The event carrying the dashboard to the UI.
pub const DASHBOARD: &str = "dashboard";
/// The event carrying what changed since the last `dashboard` or `dashboard-delta`.
pub const DASHBOARD_DELTA: &str = "dashboard-delta";
/// The event asking the UI to show a window's tile (a notification was clicked).
pub const DASHBOARD_FOCUS: &str = "dashboard-focus";

/// No two computations closer than this. The page's cost is per update (8–10 ms of WebKit's time
/// with 200 tiles since the cards lost their shadow; about 20 ms when this was chosen), so this
/// gap trades CPU against latency. At 350 ms the dashboard bench reads event → tile p95
/// 173–183 ms and a busy hall 3.0–3.8 % of one core; 500 ms put p95 at 475–482 ms, too near the
/// 500 ms target (docs/benchmarks.md).
const MIN_GAP: Duration = Duration::from_millis(350);
/// And no closer than this many times what a computation costs, so the feed keeps to 1/40 (2.5 %)
/// of one core however large and busy the hall (200 windows in a very busy hall: ~2 ms, release
/// build). A quiet hall's first event after a pause is computed at once either way.
const COST_FACTOR: u32 = 40;
/// Without any other reason, recompute this often (running durations move).
const TICK: Duration = Duration::from_secs(5);
/// The page redraws its two charts at most this often, so their data (the waiting series, the
/// hours) goes at most this often too; the other parts of a delta go as soon as they change.
const CHARTS_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(10);
/// At most this many notifications for one computation; the rest are summed up in one more.
const MAX_NOTICES_AT_ONCE: usize = 3;

/// How the rest of the shell wakes the feed: a write happened here.
#[derive(Default)]
pub struct FeedTrigger {
    wake: Notify,
    /// The thresholds may have changed: read the quiet period again.
    settings_changed: AtomicBool,
    /// The last dashboard the feed sent.
    latest: Mutex<Option<Dashboard>>,
}

impl FeedTrigger {
    /// The last dashboard the feed sent (None before its first).
    pub fn latest(&self) -> Option<Dashboard> {
        self.latest.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_latest(&self, d: Option<&Dashboard>) {
        *self.latest.lock().unwrap_or_else(|p| p.into_inner()) = d.cloned();
    }

    /// Something was written: recompute soon.
    pub fn poke(&self, settings_changed: bool) {
        if settings_changed {
            self.settings_changed.store(true, Ordering::Release);
        }
        self.wake.notify_one();
    }
}

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

    /// Computes the dashboard (blocking: run it on the blocking pool), and the quiet period when
    /// `settings` is set.
    pub fn compute(store: &Store, settings: bool) -> hallkeeper_core::Result<(Dashboard, Option<u32>)> {
        let dashboard = store.dashboard()?;
        let quiet = if settings { Some(store.threshold_settings()?.quiet_min) } else { None };
        Ok((dashboard, quiet))
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

/// Waits for the next pull, or forever when there is no sync (or it ended).
async fn next_pull(pulled: &mut Option<watch::Receiver<PulledTick>>) {
    match pulled {
        Some(rx) => {
            if rx.changed().await.is_err() {
                *pulled = None;
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending::<()>().await,
    }
}

/// Waits until the next computation is due: a write here, a pull, or [`TICK`] after the last
/// one; then keeps `gap` after the last one (whatever arrives meanwhile is covered).
async fn next_reason(
    trigger: &FeedTrigger,
    pulled: &mut Option<watch::Receiver<PulledTick>>,
    last_run: Option<Instant>,
    gap: Duration,
) {
    let Some(at) = last_run else { return };
    tokio::select! {
        _ = trigger.wake.notified() => {}
        _ = next_pull(pulled) => {}
        _ = tokio::time::sleep_until((at + TICK).into()) => {}
    }
    let since = at.elapsed();
    if since < gap {
        tokio::time::sleep(gap - since).await;
    }
    if let Some(rx) = pulled.as_mut() {
        rx.borrow_and_update();
    }
}

/// How often the feed says in the log what it cost.
const REPORT_EVERY: Duration = Duration::from_secs(600);

/// Runs the feed for the life of the app. `pulled` is None without a central server (the
/// dashboard still follows local writes and the clock).
pub async fn run<R: Runtime>(
    app: AppHandle<R>,
    store: Arc<Store>,
    trigger: Arc<FeedTrigger>,
    mut pulled: Option<watch::Receiver<PulledTick>>,
) {
    let mut feed = Feed::default();
    let mut last_run: Option<Instant> = None;
    let mut logged_error = false;
    let mut report = (Instant::now(), FeedStats::default());
    loop {
        next_reason(&trigger, &mut pulled, last_run, feed.min_gap()).await;
        last_run = Some(Instant::now());
        let settings = trigger.settings_changed.swap(false, Ordering::AcqRel) || feed.needs_settings();
        let s = store.clone();
        let computed = tauri::async_runtime::spawn_blocking(move || {
            let started = Instant::now();
            Feed::compute(&s, settings).map(|v| (v, started.elapsed()))
        })
        .await;
        let ((dashboard, quiet), took) = match computed {
            Ok(Ok(v)) => {
                logged_error = false;
                v
            }
            Ok(Err(e)) => {
                if !logged_error {
                    tracing::warn!("dashboard not computed: {e}");
                    logged_error = true;
                }
                continue;
            }
            Err(e) => {
                tracing::warn!("dashboard task failed: {e}");
                continue;
            }
        };
        feed.record(took);
        let (send, notices) = feed.take(dashboard, quiet, Utc::now());
        if let Some(update) = send {
            trigger.set_latest(feed.last_sent());
            let sent = match &update {
                Update::Full(d) => app.emit(DASHBOARD, d),
                Update::Delta(d) => app.emit(DASHBOARD_DELTA, d),
            };
            if let Err(e) = sent {
                tracing::warn!("cannot send the dashboard to the UI: {e}");
            }
        }
        if !notices.is_empty() {
            let locale = app.try_state::<AppState>().map_or(Locale::ZhCn, |s| s.locale());
            raise(&app, locale, &notices);
        }
        if report.0.elapsed() >= REPORT_EVERY {
            let (since, before) = report;
            let busy = feed.stats.busy.saturating_sub(before.busy);
            tracing::info!(
                computed = feed.stats.computed - before.computed,
                sent = feed.stats.emitted - before.emitted,
                notices = feed.stats.notices - before.notices,
                busy_ms = busy.as_millis() as u64,
                percent_of_a_core =
                    format!("{:.2}", 100.0 * busy.as_secs_f64() / since.elapsed().as_secs_f64()),
                "dashboard feed"
            );
            report = (Instant::now(), feed.stats);
        }
    }
}

// ---- notifications ------------------------------------------------------------------------------

/// What a click on a notification asks the UI to show.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FocusRequest {
    pub subject: AlertSubject,
    pub subject_id: String,
}

fn minutes(secs: Option<i64>) -> Option<i64> {
    secs.map(|s| s.max(0) / 60).filter(|m| *m > 0)
}

/// The title and body of one notice, in the UI's language.
pub fn notice_text(locale: Locale, n: &AlarmNotice) -> (String, String) {
    let wait = minutes(n.longest_wait_secs);
    match locale {
        Locale::ZhCn => {
            let title = match n.subject {
                AlertSubject::Window => format!("排队告警：{} 窗口", n.label),
                AlertSubject::Matter => format!("排队告警：{}", n.label),
            };
            let body = match wait {
                Some(m) => format!("{} 人等候，最长已等 {m} 分钟", n.waiting),
                None => format!("{} 人等候", n.waiting),
            };
            (title, body)
        }
        Locale::EnUs => {
            let title = match n.subject {
                AlertSubject::Window => format!("Queue alarm: window {}", n.label),
                AlertSubject::Matter => format!("Queue alarm: {}", n.label),
            };
            let people = if n.waiting == 1 { "person" } else { "people" };
            let body = match wait {
                Some(m) => format!("{} {people} waiting, the longest for {m} min", n.waiting),
                None => format!("{} {people} waiting", n.waiting),
            };
            (title, body)
        }
    }
}

/// The one notification that stands for the notices beyond the first few.
fn summary_text(locale: Locale, rest: &[AlarmNotice]) -> (String, String) {
    let labels: Vec<String> = rest
        .iter()
        .take(8)
        .map(|n| match (n.subject, locale) {
            (AlertSubject::Window, Locale::ZhCn) => format!("{} 窗口", n.label),
            (AlertSubject::Window, Locale::EnUs) => format!("window {}", n.label),
            (AlertSubject::Matter, _) => n.label.clone(),
        })
        .collect();
    let more = rest.len().saturating_sub(labels.len());
    match locale {
        Locale::ZhCn => {
            let mut body = labels.join("、");
            if more > 0 {
                body += &format!(" 等 {} 处", rest.len());
            }
            (format!("排队告警：另有 {} 处", rest.len()), body)
        }
        Locale::EnUs => {
            let mut body = labels.join(", ");
            if more > 0 {
                body += &format!(" and {more} more");
            }
            (format!("Queue alarms: {} more", rest.len()), body)
        }
    }
}

/// Raises the notifications of one computation: the first few each on its own (most people
/// waiting first), the rest as one summary (a hall where twenty windows cross together gets four
/// notifications, not twenty).
fn raise<R: Runtime>(app: &AppHandle<R>, locale: Locale, notices: &[AlarmNotice]) {
    let (each, rest) = notices.split_at(notices.len().min(MAX_NOTICES_AT_ONCE));
    for n in each {
        let (title, body) = notice_text(locale, n);
        show(app, &title, &body, Some(n));
    }
    if !rest.is_empty() {
        let (title, body) = summary_text(locale, rest);
        // The summary's click shows the first of them.
        show(app, &title, &body, rest.first());
    }
}

fn show<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str, about: Option<&AlarmNotice>) {
    let mut builder = app.notification().builder().title(title).body(body);
    if let Some(n) = about {
        builder = builder.extra("subject", n.subject).extra("subjectId", &n.subject_id);
    }
    match builder.show() {
        // show() only prepares it: whether a notification daemon took it is not known here.
        Ok(()) => tracing::info!(title, "queue alarm notification raised"),
        Err(e) => tracing::warn!(title, "queue alarm notification not raised: {e}"),
    }
}

/// Registers what a click on a queue-alarm notification does. Must run before the first
/// notification is shown (the plugin offers the click only on notifications shown while a
/// handler exists).
pub fn handle_notification_clicks<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    let registered = app.notification().on_action(move |performed| {
        let Some(n) = performed.notification() else { return };
        // A poor-rating notification opens its case instead of a tile.
        if let Some(case_id) = n.extra().get(crate::poor_ratings::CASE_ID_EXTRA).and_then(|v| v.as_str()) {
            crate::poor_ratings::focus_case(&handle, case_id.to_owned());
            return;
        }
        let subject =
            n.extra().get("subject").and_then(|v| serde_json::from_value::<AlertSubject>(v.clone()).ok());
        let subject_id = n.extra().get("subjectId").and_then(|v| v.as_str()).map(str::to_owned);
        let (Some(subject), Some(subject_id)) = (subject, subject_id) else { return };
        tracing::info!(action = performed.action_id(), %subject_id, "queue alarm notification clicked");
        let app = handle.clone();
        let request = FocusRequest { subject, subject_id };
        // Window calls belong on the main thread; the handler runs on the plugin's D-Bus thread.
        let on_main = app.clone();
        let _ = app.run_on_main_thread(move || {
            if let Some(w) = on_main.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
            if let Err(e) = on_main.emit(DASHBOARD_FOCUS, request) {
                tracing::warn!("cannot ask the UI to show the alarm's tile: {e}");
            }
        });
    });
    if let Err(e) = registered {
        tracing::warn!("clicks on notifications will not be followed: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(subject: AlertSubject, label: &str, waiting: u32, longest: Option<i64>) -> AlarmNotice {
        AlarmNotice {
            subject,
            subject_id: format!("id-{label}"),
            label: label.into(),
            waiting,
            longest_wait_secs: longest,
        }
    }

    #[test]
    fn notices_are_worded_in_the_ui_language() {
        let w = notice(AlertSubject::Window, "A03", 12, Some(25 * 60 + 10));
        assert_eq!(
            notice_text(Locale::ZhCn, &w),
            ("排队告警：A03 窗口".to_owned(), "12 人等候，最长已等 25 分钟".to_owned())
        );
        assert_eq!(
            notice_text(Locale::EnUs, &w),
            ("Queue alarm: window A03".to_owned(), "12 people waiting, the longest for 25 min".to_owned())
        );
        let m = notice(AlertSubject::Matter, "不动产登记", 1, None);
        assert_eq!(notice_text(Locale::ZhCn, &m), ("排队告警：不动产登记".to_owned(), "1 人等候".to_owned()));
        assert_eq!(notice_text(Locale::EnUs, &m).1, "1 person waiting");
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
        let now = Utc::now();
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
        let t0 = Utc::now();
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

    #[test]
    fn many_notices_are_summed_up() {
        let rest: Vec<_> =
            (1..=10).map(|i| notice(AlertSubject::Window, &format!("B{i:02}"), 5, None)).collect();
        let (title, body) = summary_text(Locale::ZhCn, &rest);
        assert_eq!(title, "排队告警：另有 10 处");
        assert!(body.starts_with("B01 窗口、B02 窗口") && body.ends_with(" 等 10 处"), "{body}");
        let (title, body) = summary_text(Locale::EnUs, &rest[..2]);
        assert_eq!((title.as_str(), body.as_str()), ("Queue alarms: 2 more", "window B01, window B02"));
    }

    /// CPU time (user + system) of the calling thread so far, from /proc (Linux).
    fn thread_cpu() -> Duration {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
        // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<&str> = rest.split_whitespace().collect();
        let field = |i: usize| f.get(i).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
        let ticks = field(11) + field(12);
        Duration::from_millis(ticks * 10) // USER_HZ = 100 on Linux
    }

    /// The feed over a busy hall of 200 windows: the embedded server, the simulator (200 windows,
    /// 1,000 tickets an hour, at 60× so a hall hour passes in a minute) and sync, as in the app;
    /// the feed's decisions and its computations on a thread of their own, whose CPU time is
    /// measured, and the JSON the `dashboard` event would carry serialised there too. Prints the
    /// share of one core it used and the age of the newest event when its dashboard was ready.
    ///
    ///   cargo test -p hallkeeper-desktop --lib feed_cost -- --ignored --nocapture
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "a benchmark: a minute of a simulated busy hall"]
    async fn feed_cost_with_200_windows_in_a_busy_hall() {
        use crate::hall_server::{default_settings, ServerLink};
        let windows: usize =
            std::env::var("FEED_BENCH_WINDOWS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
        let secs: u64 = std::env::var("FEED_BENCH_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open_in_dir(dir.path(), Arc::new(hallkeeper_core::SystemClock)).unwrap());
        let link = Arc::new(ServerLink::embedded(dir.path()).await.unwrap());
        let matters = hallkeeper_sim::model::read_catalog(None).unwrap();
        let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let config = hallkeeper_sim::model::hall_config(&matters, windows, &now).unwrap();
        store.seed_hall("bench", &config).unwrap();
        link.push_config(&store.hall_config(default_settings()).unwrap()).await.unwrap();
        let sync = link.start_sync(store.clone());
        let mut pulled = Some(sync.subscribe_pulled());

        let cancel = hallkeeper_sim::CancellationToken::new();
        let opts = hallkeeper_sim::SimOptions {
            server: link.base_url.clone(),
            admin_token: Some(link.admin_token().to_owned()),
            hall_id: link.hall_id.clone(),
            windows,
            speed: 60.0,
            tickets_per_hour: 5.0 * windows as f64,
            state_file: Some(dir.path().join("sim.json")),
            duration: Some(Duration::from_secs(secs + 30)),
            ..hallkeeper_sim::SimOptions::default()
        };
        let sim = tokio::spawn(hallkeeper_sim::run_day(opts, cancel.clone()));

        // The feed's work on one thread: compute, decide, serialise what would be sent.
        let (go, jobs) = std::sync::mpsc::channel::<bool>();
        let (done, results) =
            tokio::sync::mpsc::unbounded_channel::<(Option<i64>, Duration, Duration, Duration)>();
        let worker_store = store.clone();
        let worker = std::thread::spawn(move || {
            let mut feed = Feed::default();
            let cpu0 = thread_cpu();
            let mut bytes = 0usize;
            while let Ok(settings) = jobs.recv() {
                let t0 = Instant::now();
                let (d, quiet) = Feed::compute(&worker_store, settings || feed.needs_settings()).unwrap();
                let computed = t0.elapsed();
                feed.record(computed);
                let now = Utc::now();
                let age = d
                    .last_event_at
                    .as_deref()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| (now - t.with_timezone(&Utc)).num_milliseconds());
                let (send, _notices) = feed.take(d, quiet, now);
                let sent = match &send {
                    Some(Update::Full(d)) => serde_json::to_string(d).map_or(0, |j| j.len()),
                    Some(Update::Delta(d)) => serde_json::to_string(d).map_or(0, |j| j.len()),
                    None => 0,
                };
                bytes += sent;
                let _ = done.send((age, computed, t0.elapsed(), feed.min_gap()));
            }
            (thread_cpu() - cpu0, feed.stats, bytes)
        });
        // Let the hall fill up for a few seconds, then measure.
        tokio::time::sleep(Duration::from_secs(10)).await;
        let trigger = FeedTrigger::default();
        let started = Instant::now();
        let mut last_run = None;
        let mut ages = Vec::new();
        let mut took = Vec::new();
        let mut store_ms = Vec::new();
        let mut results = results;
        let mut gap = MIN_GAP;
        while started.elapsed() < Duration::from_secs(secs) {
            next_reason(&trigger, &mut pulled, last_run, gap).await;
            last_run = Some(Instant::now());
            go.send(false).unwrap();
            if let Some((age, computed, t, next_gap)) = results.recv().await {
                ages.extend(age);
                store_ms.push(computed.as_secs_f64() * 1000.0);
                took.push(t.as_secs_f64() * 1000.0);
                gap = next_gap;
            }
        }
        let wall = started.elapsed();
        drop(go);
        let (cpu, stats, bytes) = worker.join().unwrap();
        cancel.cancel();
        let _ = sim.await;
        let last = store.dashboard().unwrap();
        ages.sort_unstable();
        let p = |q: f64| ages.get(((ages.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(-1);
        took.sort_by(f64::total_cmp);
        store_ms.sort_by(f64::total_cmp);
        let t = |q: f64| took.get(((took.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(-1.0);
        let st = |q: f64| {
            store_ms.get(((store_ms.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(-1.0)
        };
        println!(
            "feed over {windows} windows for {:.0} s: {} computed, {} sent ({} KB of JSON in all, the first whole), \
             CPU {:.0} ms = {:.2} % of one core; one computation p50 {:.1} ms, p95 {:.1} ms (of which \
             Store::dashboard p50 {:.1} ms, p95 {:.1} ms); last gap {} ms; newest \
             event's age when its dashboard was ready: p50 {} ms, p95 {} ms, max {} ms; hall at the \
             end: {} waiting, {} served today",
            wall.as_secs_f64(),
            stats.computed,
            stats.emitted,
            bytes / 1024,
            cpu.as_secs_f64() * 1000.0,
            100.0 * cpu.as_secs_f64() / wall.as_secs_f64(),
            t(0.5),
            t(0.95),
            st(0.5),
            st(0.95),
            gap.as_millis(),
            p(0.5),
            p(0.95),
            p(1.0),
            last.totals.waiting,
            last.totals.served_today,
        );
        assert_eq!(last.tiles.len(), windows);
        assert!(last.totals.issued_today > 100, "the hall was not busy: {:?}", last.totals);
    }
}
