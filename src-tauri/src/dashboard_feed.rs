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
//! base reads `get_dashboard`, which answers the feed's last one. What to send and which alarms
//! to raise are core's decisions (`hallkeeper_core::dashboard::Feed`, with core's alarm tracker:
//! hysteresis and the quiet period), at the store's clock; this task schedules the computations,
//! sends the events and raises the notifications (`crate::notifications`; a click shows the
//! tile).

use crate::notifications::{self, Target};
use hallkeeper_client::PulledTick;
use hallkeeper_core::dashboard::feed::TICK;
use hallkeeper_core::dashboard::{Feed, FeedStats, Update};
use hallkeeper_core::proto::events::{DASHBOARD, DASHBOARD_DELTA};
use hallkeeper_core::proto::{AlarmNotice, Dashboard};
use hallkeeper_core::{notices, Store};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::{watch, Notify};

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

/// Computes the dashboard (blocking: run it on the blocking pool), and the quiet period when
/// `settings` is set.
fn compute(store: &Store, settings: bool) -> hallkeeper_core::Result<(Dashboard, Option<u32>)> {
    let dashboard = store.dashboard()?;
    let quiet = if settings { Some(store.threshold_settings()?.quiet_min) } else { None };
    Ok((dashboard, quiet))
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
            compute(&s, settings).map(|v| (v, started.elapsed()))
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
        let (send, notices) = feed.take(dashboard, quiet, store.now());
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
        raise(&app, &notices);
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

/// Raises the notifications of one computation, batched and worded by core.
fn raise<R: Runtime>(app: &AppHandle<R>, alarms: &[AlarmNotice]) {
    if alarms.is_empty() {
        return;
    }
    for n in notices::alarm_notices(notifications::locale(app), alarms) {
        let target = Target::Tile { subject: n.about.subject, subject_id: &n.about.subject_id };
        notifications::show(app, "queue alarm", &n.title, &n.body, Some(target));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use hallkeeper_core::dashboard::feed::MIN_GAP;

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
        let link = Arc::new(
            ServerLink::embedded(dir.path(), 0, hallkeeper_client::Credential::new("")).await.unwrap(),
        );
        let matters = hallkeeper_sim::model::read_catalog(None).unwrap();
        let now = store.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let config = hallkeeper_sim::model::hall_config(&matters, windows, &now).unwrap();
        store.seed_hall("bench", &config).unwrap();
        link.push_config(&store.hall_config(default_settings()).unwrap()).await.unwrap();
        let sync = link.start_sync(store.clone());
        let mut pulled = Some(sync.subscribe_pulled());

        let cancel = hallkeeper_sim::CancellationToken::new();
        let opts = hallkeeper_sim::SimOptions {
            server: link.base_url().to_owned(),
            admin_token: Some(link.session_token()),
            hall_id: link.hall_id().to_owned(),
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
                let (d, quiet) = compute(&worker_store, settings || feed.needs_settings()).unwrap();
                let computed = t0.elapsed();
                feed.record(computed);
                let now = worker_store.now();
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
