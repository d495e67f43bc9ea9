//! A day in the hall, over the real HTTP API: one kiosk task takes tickets as people arrive, one
//! task per open window plays its caller (叫号器) and rating pad (评价器), a display task polls the
//! hall display, and a progress task logs the hall every simulated hour.
//!
//! A window, when idle, calls the next ticket; the citizen walks up (sometimes only after a
//! recall), or never comes (过号); service takes a log-normal time by matter; a few tickets are
//! transferred (转号) or parked (挂起) while the citizen fetches a document, then resumed; after
//! finishing, the citizen often rates on the pad. A window that goes straight on to the next
//! citizen finishes and calls in one request (完成并叫下一位); one due for a break, or with a
//! parked citizen back, finishes alone. Windows take occasional breaks (paused, then
//! reopened). Arrivals stop at 17:00; windows serve everyone who holds a ticket, then the day
//! ends (at the latest two simulated hours after closing).
//!
//! A failed request is logged and counted, and the actor carries on (resynchronising from the
//! caller's view when it no longer knows where its window stands). Refusals the hall produces
//! in normal operation (nothing waiting, a window on a break) are counted separately.

use crate::arrivals::{schedule, Arrival, Behaviour};
use crate::client::{Action, Api};
use crate::clock::SimClock;
use crate::curve::{self, CLOSE, OPEN};
use crate::error::{Result, SimError};
use crate::model::HallModel;
use crate::random::{lognormal_with_mean, mask_phone, rng_for, uniform};
use crate::rating;
use crate::setup::{need_admin, prepare, SetupOptions};
use crate::state::HallDevices;
use crate::stats::{percentiles, Percentiles};
use hallkeeper_proto::{
    PriorityClass, RatingLevel, TakeTicket, Ticket, TicketCounts, TicketState, TransferTarget, WindowKind,
    WindowState,
};
use rand::rngs::StdRng;
use rand::RngExt;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How long an idle window waits before asking again when nobody tells it a ticket came
/// (hall seconds), and the wall-clock bounds of that wait.
const IDLE_POLL: f64 = 60.0;
const MIN_WAIT: Duration = Duration::from_millis(20);
const MAX_WAIT: Duration = Duration::from_secs(5);
/// The kiosk refreshes its list of matters every two hall minutes (at most 4 times a second).
const KIOSK_REFRESH: f64 = 120.0;
/// The display polls every ten hall seconds (between 4 times a second and every 5 s).
const DISPLAY_POLL: f64 = 10.0;
/// Windows keep serving at most this long after closing.
pub const OVERTIME: f64 = 2.0 * 3600.0;
/// Kiosk requests in flight at once (several kiosks, or a fast run).
const KIOSK_IN_FLIGHT: usize = 16;

/// What to simulate, against which server.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// The server's root URL, e.g. `http://127.0.0.1:8720`.
    pub server: String,
    /// Needed to create or read the hall and register devices.
    pub admin_token: Option<String>,
    pub hall_id: String,
    pub hall_name: String,
    /// Windows, when the sim builds the hall.
    pub windows: usize,
    /// Catalog export to build the hall from; None for the built-in sample catalog.
    pub catalog: Option<PathBuf>,
    pub state_file: Option<PathBuf>,
    /// Push the catalog configuration even if the hall already has one.
    pub force_setup: bool,
    pub kiosks: usize,
    /// Hall seconds per wall second (1 = real time, 1440 = a day in a minute).
    pub speed: f64,
    /// Average tickets per open hour (the day brings 8× that).
    pub tickets_per_hour: f64,
    /// Hall time the run starts at, seconds since midnight (default 9:00).
    pub start: f64,
    /// Wall-clock limit of the run.
    pub duration: Option<Duration>,
    /// Stop taking tickets after this many.
    pub max_tickets: Option<u64>,
    pub seed: u64,
    pub behaviour: Behaviour,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            server: "http://127.0.0.1:8720".into(),
            admin_token: None,
            hall_id: "hall-sim".into(),
            hall_name: "模拟政务服务中心".into(),
            windows: 20,
            catalog: None,
            state_file: None,
            force_setup: false,
            kiosks: 1,
            speed: 1.0,
            tickets_per_hour: 100.0,
            start: OPEN,
            duration: None,
            max_tickets: None,
            seed: 1,
            behaviour: Behaviour::default(),
        }
    }
}

impl SimOptions {
    pub fn validate(&self) -> Result<()> {
        if !(self.speed.is_finite() && self.speed > 0.0) {
            return Err(SimError::Options(format!("speed {} must be a positive number", self.speed)));
        }
        if !(self.tickets_per_hour.is_finite() && self.tickets_per_hour >= 0.0) {
            return Err(SimError::Options(format!("tickets per hour {} must be ≥ 0", self.tickets_per_hour)));
        }
        if !(0.0..CLOSE).contains(&self.start) {
            return Err(SimError::Options(format!(
                "start {} is after the hall closes ({})",
                curve::clock_text(self.start),
                curve::clock_text(CLOSE)
            )));
        }
        if self.windows < 3 {
            return Err(SimError::Options("at least 3 windows".into()));
        }
        Ok(())
    }

    pub fn setup_options(&self, admin: &str) -> SetupOptions {
        SetupOptions {
            server: self.server.clone(),
            admin_token: admin.to_owned(),
            hall_id: self.hall_id.clone(),
            hall_name: self.hall_name.clone(),
            windows: self.windows,
            catalog: self.catalog.clone(),
            kiosks: self.kiosks.max(1),
            state_file: self.state_file.clone(),
        }
    }
}

/// Why the run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Arrivals over, everyone served.
    DayEnded,
    /// Arrivals over, tickets still open when overtime ran out.
    Overtime,
    /// `duration` elapsed.
    Duration,
    /// Cancelled (Ctrl-C).
    Cancelled,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupSummary {
    pub created_hall: bool,
    pub pushed_config: bool,
    pub devices_registered: usize,
    pub windows: usize,
    pub ticketable_matters: usize,
}

/// The hall as the admin API shows it before and after the run.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerView {
    /// Today's tickets by state (the server's hall day).
    pub before: TicketCounts,
    pub after: TicketCounts,
    pub tickets_before: u64,
    pub tickets_after: u64,
    /// Ratings given since the hall day began.
    pub ratings_before: u64,
    pub ratings_after: u64,
}

/// What happened, as the sim counted it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimReport {
    pub hall_id: String,
    pub seed: u64,
    pub speed: f64,
    pub tickets_per_hour: f64,
    /// Hall time at start and end, `h:mm:ss`.
    pub sim_start: String,
    pub sim_end: String,
    pub wall_seconds: f64,
    pub stop: StopReason,
    pub setup: SetupSummary,
    pub arrivals_planned: u64,
    pub tickets_issued: u64,
    pub priority_lane: u64,
    pub with_phone: u64,
    /// People who found their matter not offered at the kiosk (no open window), or refused.
    pub turned_away: u64,
    pub calls: u64,
    pub recalls: u64,
    pub starts: u64,
    pub finished: u64,
    /// Finishes made with the one 完成并叫下一位 request (its calls are in `calls`).
    pub finished_and_called: u64,
    pub no_shows: u64,
    pub transfers: u64,
    pub parks: u64,
    pub resumes: u64,
    /// Parked tickets given up after repeated failures.
    pub abandoned: u64,
    pub ratings: u64,
    pub ratings_by_level: BTreeMap<String, u64>,
    pub poor_ratings: u64,
    pub breaks: u64,
    pub display_polls: u64,
    pub kiosk_refreshes: u64,
    /// Tickets not finished or no-show at the end (including any from before the run).
    pub open_at_end: i64,
    pub requests: u64,
    /// Requests that failed: an unexpected refusal, a server error, no answer.
    pub failures: u64,
    pub failures_by_code: BTreeMap<String, u64>,
    /// Refusals of normal operation, by code (`queue.nothing_waiting` …).
    pub expected_refusals: BTreeMap<String, u64>,
    /// Round trip of every request of the run.
    pub latency_ms: Percentiles,
    pub server: ServerView,
}

#[derive(Default)]
struct Counters {
    planned: AtomicU64,
    issued: AtomicU64,
    priority_lane: AtomicU64,
    with_phone: AtomicU64,
    turned_away: AtomicU64,
    calls: AtomicU64,
    recalls: AtomicU64,
    starts: AtomicU64,
    finished: AtomicU64,
    finished_and_called: AtomicU64,
    no_shows: AtomicU64,
    transfers: AtomicU64,
    parks: AtomicU64,
    resumes: AtomicU64,
    abandoned: AtomicU64,
    ratings: AtomicU64,
    poor_ratings: AtomicU64,
    breaks: AtomicU64,
    display_polls: AtomicU64,
    kiosk_refreshes: AtomicU64,
    by_level: [AtomicU64; 5],
}

fn inc(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

/// What every task of a run shares.
struct Shared {
    api: Api,
    clock: SimClock,
    model: HallModel,
    devices: HallDevices,
    behaviour: Behaviour,
    seed: u64,
    /// Cancelled on Ctrl-C or when `duration` ran out: everyone stops now.
    stop: CancellationToken,
    close: f64,
    overtime_end: f64,
    counters: Counters,
    expected: Mutex<BTreeMap<String, u64>>,
    failures: Mutex<BTreeMap<String, u64>>,
    /// Per window: a ticket it may call was issued or transferred (wakes an idle caller).
    wake: Vec<Notify>,
    on_break: Vec<AtomicBool>,
    /// Tickets not yet ended: those open before the run, plus issued, minus ended.
    open_tickets: AtomicI64,
    kiosk_done: AtomicBool,
    /// Hall time each ticket of the run was issued at (for the wait a rating reflects).
    issued_at: Mutex<HashMap<String, f64>>,
    /// The display's latest count of waiting tickets.
    last_waiting: AtomicU64,
}

impl Shared {
    fn expected_refusal(&self, e: &SimError) {
        *self.expected.lock().unwrap_or_else(|p| p.into_inner()).entry(e.tally_key()).or_default() += 1;
    }

    fn failed(&self, what: &str, e: &SimError) {
        *self.failures.lock().unwrap_or_else(|p| p.into_inner()).entry(e.tally_key()).or_default() += 1;
        tracing::warn!(at = %curve::clock_text(self.clock.now()), "{what} failed: {e}");
    }

    fn day_over(&self) -> bool {
        self.kiosk_done.load(Ordering::SeqCst) && self.open_tickets.load(Ordering::SeqCst) <= 0
    }

    fn wake_all(&self) {
        for n in &self.wake {
            n.notify_one();
        }
    }

    fn wake_matter(&self, matter: usize) {
        for &w in &self.model.windows_of_matter[matter] {
            self.wake[w].notify_one();
        }
    }

    /// A ticket reached a final state (finished, no-show) or was given up.
    fn ended(&self, ticket_id: &str) {
        self.issued_at.lock().unwrap_or_else(|p| p.into_inner()).remove(ticket_id);
        self.open_tickets.fetch_sub(1, Ordering::SeqCst);
        if self.day_over() {
            self.wake_all();
        }
    }

    fn waited_minutes(&self, ticket_id: &str) -> f64 {
        let at = self.issued_at.lock().unwrap_or_else(|p| p.into_inner()).get(ticket_id).copied();
        at.map_or(0.0, |t| (self.clock.now() - t) / 60.0)
    }

    async fn sleep(&self, secs: f64) -> bool {
        self.clock.sleep(secs, &self.stop).await
    }
}

/// The start of the hall day (UTC+8) of `now`.
fn hall_midnight(now: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    let local = (now + chrono::Duration::hours(8)).date_naive();
    local.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::hours(8)
}

fn count_states(tickets: &[Ticket]) -> TicketCounts {
    let mut c = TicketCounts::default();
    for t in tickets {
        match t.state {
            TicketState::Waiting => c.waiting += 1,
            TicketState::Called => c.called += 1,
            TicketState::Serving => c.serving += 1,
            TicketState::Parked => c.parked += 1,
            TicketState::Finished => c.finished += 1,
            TicketState::NoShow => c.no_show += 1,
        }
    }
    c
}

fn open_count(c: &TicketCounts) -> i64 {
    i64::from(c.waiting) + i64::from(c.called) + i64::from(c.serving) + i64::from(c.parked)
}

fn level_index(level: RatingLevel) -> usize {
    RatingLevel::ALL.iter().position(|l| *l == level).unwrap_or(0)
}

/// Simulates the hall's day on a running server until the day ends, `duration` runs out, or
/// `cancel` is cancelled. Sets the hall up first if it does not exist (or `force_setup`).
/// Fails only if the run cannot start (server unreachable, set-up refused); failures during the
/// day are counted in the report.
pub async fn run_day(opts: SimOptions, cancel: CancellationToken) -> Result<SimReport> {
    opts.validate()?;
    let wall_start = Instant::now();
    let api = Api::new(&opts.server)?;
    api.health().await?;
    let admin = need_admin(opts.admin_token.as_deref(), &opts.hall_id)?;
    let prepared = prepare(&api, &opts.setup_options(&admin), opts.force_setup).await?;
    let model = HallModel::from_config(&prepared.config, opts.seed)?;
    let before = api.tickets(&admin, &opts.hall_id).await?;
    // Today's ratings (hall day, UTC+8, by this machine's clock), as the tickets are today's.
    let since = hall_midnight(chrono::Utc::now()).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let ratings_before = api.ratings(&admin, &opts.hall_id, Some(&since)).await?.len() as u64;
    let before_counts = count_states(&before);
    let arrivals = schedule(&model, opts.start, CLOSE, opts.tickets_per_hour, &opts.behaviour, opts.seed);
    let setup = SetupSummary {
        created_hall: prepared.created_hall,
        pushed_config: prepared.pushed_config,
        devices_registered: prepared.registered,
        windows: prepared.config.windows.len(),
        ticketable_matters: model.matters.len(),
    };
    tracing::info!(
        hall = %opts.hall_id,
        arrivals = arrivals.len(),
        expected = format!("{:.0}", curve::expected(opts.start, CLOSE, opts.tickets_per_hour)),
        speed = opts.speed,
        seed = opts.seed,
        open_before = open_count(&before_counts),
        "day starts at {}",
        curve::clock_text(opts.start)
    );

    let stop = cancel.child_token();
    let duration_hit = Arc::new(AtomicBool::new(false));
    let timer = opts.duration.map(|d| {
        let (stop, hit) = (stop.clone(), duration_hit.clone());
        tokio::spawn(async move {
            tokio::select! {
                _ = tokio::time::sleep(d) => {
                    hit.store(true, Ordering::SeqCst);
                    stop.cancel();
                }
                _ = stop.cancelled() => {}
            }
        })
    });

    let n_windows = model.windows.len();
    let shared = Arc::new(Shared {
        api: api.clone(),
        clock: SimClock::new(opts.start, opts.speed),
        devices: prepared.devices.clone(),
        behaviour: opts.behaviour.clone(),
        seed: opts.seed,
        stop: stop.clone(),
        close: CLOSE,
        overtime_end: CLOSE + OVERTIME,
        counters: Counters::default(),
        expected: Mutex::default(),
        failures: Mutex::default(),
        wake: (0..n_windows).map(|_| Notify::new()).collect(),
        on_break: (0..n_windows).map(|_| AtomicBool::new(false)).collect(),
        open_tickets: AtomicI64::new(open_count(&before_counts)),
        kiosk_done: AtomicBool::new(false),
        issued_at: Mutex::default(),
        last_waiting: AtomicU64::new(u64::from(before_counts.waiting)),
        model,
    });
    shared.counters.planned.store(arrivals.len() as u64, Ordering::Relaxed);

    let mut desks = JoinSet::new();
    for (w, win) in shared.model.windows.iter().enumerate() {
        if win.state == WindowState::Closed {
            continue;
        }
        let Some(caller) = shared.devices.callers.get(&win.id) else { continue };
        let desk = Desk::new(shared.clone(), w, caller.token.clone(), opts.start);
        desks.spawn(desk.run());
    }
    if desks.is_empty() {
        return Err(SimError::Config("the hall has no window that is not closed".into()));
    }
    let kiosk = tokio::spawn(kiosk(shared.clone(), arrivals, opts.max_tickets));
    let done = CancellationToken::new();
    let display = tokio::spawn(display(shared.clone(), done.clone()));
    let progress = tokio::spawn(progress(shared.clone(), done.clone()));

    if let Err(e) = kiosk.await {
        tracing::error!("the kiosk task stopped: {e}");
        shared.kiosk_done.store(true, Ordering::SeqCst);
        shared.wake_all();
    }
    while let Some(r) = desks.join_next().await {
        if let Err(e) = r {
            tracing::error!("a window task stopped: {e}");
        }
    }
    done.cancel();
    for t in [display, progress] {
        if let Err(e) = t.await {
            tracing::error!("a background task stopped: {e}");
        }
    }
    if let Some(t) = timer {
        t.abort();
    }
    let sim_end = shared.clock.now();

    // The server's view after the run (best effort: the run happened either way).
    let mut server = ServerView {
        before: before_counts,
        tickets_before: before.len() as u64,
        ratings_before,
        ..ServerView::default()
    };
    match api.tickets(&admin, &opts.hall_id).await {
        Ok(after) => {
            server.after = count_states(&after);
            server.tickets_after = after.len() as u64;
        }
        Err(e) => shared.failed("reading the tickets after the run", &e),
    }
    match api.ratings(&admin, &opts.hall_id, Some(&since)).await {
        Ok(r) => server.ratings_after = r.len() as u64,
        Err(e) => shared.failed("reading the ratings after the run", &e),
    }

    let stop_reason = if cancel.is_cancelled() {
        StopReason::Cancelled
    } else if duration_hit.load(Ordering::SeqCst) {
        StopReason::Duration
    } else if shared.open_tickets.load(Ordering::SeqCst) > 0 {
        StopReason::Overtime
    } else {
        StopReason::DayEnded
    };
    let c = &shared.counters;
    let failures = shared.failures.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let report = SimReport {
        hall_id: opts.hall_id.clone(),
        seed: opts.seed,
        speed: opts.speed,
        tickets_per_hour: opts.tickets_per_hour,
        sim_start: curve::clock_text(opts.start),
        sim_end: curve::clock_text(sim_end),
        wall_seconds: wall_start.elapsed().as_secs_f64(),
        stop: stop_reason,
        setup,
        arrivals_planned: get(&c.planned),
        tickets_issued: get(&c.issued),
        priority_lane: get(&c.priority_lane),
        with_phone: get(&c.with_phone),
        turned_away: get(&c.turned_away),
        calls: get(&c.calls),
        recalls: get(&c.recalls),
        starts: get(&c.starts),
        finished: get(&c.finished),
        finished_and_called: get(&c.finished_and_called),
        no_shows: get(&c.no_shows),
        transfers: get(&c.transfers),
        parks: get(&c.parks),
        resumes: get(&c.resumes),
        abandoned: get(&c.abandoned),
        ratings: get(&c.ratings),
        ratings_by_level: RatingLevel::ALL
            .iter()
            .map(|l| (l.as_str().to_owned(), get(&c.by_level[level_index(*l)])))
            .collect(),
        poor_ratings: get(&c.poor_ratings),
        breaks: get(&c.breaks),
        display_polls: get(&c.display_polls),
        kiosk_refreshes: get(&c.kiosk_refreshes),
        open_at_end: shared.open_tickets.load(Ordering::SeqCst),
        requests: api.tally().requests(),
        failures: failures.values().sum(),
        failures_by_code: failures,
        expected_refusals: shared.expected.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        latency_ms: percentiles(&api.tally().latencies_us()),
        server,
    };
    tracing::info!(
        issued = report.tickets_issued,
        finished = report.finished,
        no_shows = report.no_shows,
        ratings = report.ratings,
        failures = report.failures,
        "day over at {} ({:?})",
        report.sim_end,
        report.stop
    );
    Ok(report)
}

// ---- the kiosk ----

/// Takes a ticket for each arrival at its time, for the matters the kiosk offers.
async fn kiosk(sh: Arc<Shared>, arrivals: Vec<Arrival>, max_tickets: Option<u64>) {
    let limit = Arc::new(Semaphore::new(KIOSK_IN_FLIGHT));
    let mut in_flight = JoinSet::new();
    let mut offered: Option<HashSet<String>> = None;
    let mut refreshed: Option<(f64, Instant)> = None;
    let mut attempts = 0u64;
    for (i, a) in arrivals.into_iter().enumerate() {
        if !sh.clock.sleep_until(a.at, &sh.stop).await {
            break;
        }
        if max_tickets.is_some_and(|m| attempts >= m) {
            break;
        }
        let stale = refreshed.is_none_or(|(sim, wall)| {
            sh.clock.now() - sim >= KIOSK_REFRESH && wall.elapsed() >= Duration::from_millis(250)
        });
        if stale {
            let token = &sh.devices.kiosks[0].token;
            match sh.api.kiosk_matters(token).await {
                Ok(list) => {
                    inc(&sh.counters.kiosk_refreshes);
                    offered = Some(list.into_iter().flat_map(|d| d.matters).map(|m| m.id).collect());
                }
                Err(e) => sh.failed("kiosk: listing matters", &e),
            }
            refreshed = Some((sh.clock.now(), Instant::now()));
        }
        let matter = &sh.model.matters[a.matter];
        if offered.as_ref().is_some_and(|o| !o.contains(&matter.id)) {
            // The kiosk does not offer it now (its windows are all paused): the person asks
            // the guide and leaves.
            inc(&sh.counters.turned_away);
            continue;
        }
        attempts += 1;
        let Ok(permit) = limit.clone().acquire_owned().await else { break };
        let sh2 = sh.clone();
        let kiosk = sh.devices.kiosks[i % sh.devices.kiosks.len()].token.clone();
        in_flight.spawn(async move {
            take_ticket(&sh2, &kiosk, a).await;
            drop(permit);
        });
        while in_flight.try_join_next().is_some() {}
    }
    while in_flight.join_next().await.is_some() {}
    sh.kiosk_done.store(true, Ordering::SeqCst);
    sh.wake_all();
    tracing::info!(at = %curve::clock_text(sh.clock.now()), issued = get(&sh.counters.issued), "the kiosk closes");
}

async fn take_ticket(sh: &Shared, kiosk: &str, a: Arrival) {
    let matter = &sh.model.matters[a.matter];
    let input = TakeTicket { matter_id: matter.id.clone(), class: a.class, phone: a.phone.clone() };
    match sh.api.take_ticket(kiosk, &input).await {
        Ok(issued) => {
            let c = &sh.counters;
            inc(&c.issued);
            if a.class == PriorityClass::PriorityLane {
                inc(&c.priority_lane);
            }
            if a.phone.is_some() {
                inc(&c.with_phone);
            }
            sh.issued_at.lock().unwrap_or_else(|p| p.into_inner()).insert(issued.ticket.id.clone(), a.at);
            sh.open_tickets.fetch_add(1, Ordering::SeqCst);
            tracing::debug!(
                number = %issued.ticket.number,
                matter = %issued.matter_name,
                ahead = issued.ahead,
                phone = %a.phone.as_deref().map(mask_phone).unwrap_or_default(),
                "ticket issued"
            );
            sh.wake_matter(a.matter);
        }
        Err(e)
            if matches!(
                e.code(),
                Some("queue.no_open_window" | "queue.no_window" | "queue.matter_retired")
            ) =>
        {
            sh.expected_refusal(&e);
            inc(&sh.counters.turned_away);
        }
        Err(e) => sh.failed("kiosk: taking a ticket", &e),
    }
}

// ---- the display and progress ----

async fn display(sh: Arc<Shared>, done: CancellationToken) {
    let Some(token) = sh.devices.display.as_ref().map(|d| d.token.clone()) else { return };
    let every = sh.clock.wall(DISPLAY_POLL).clamp(Duration::from_millis(250), MAX_WAIT);
    loop {
        match sh.api.display(&token).await {
            Ok(feed) => {
                inc(&sh.counters.display_polls);
                sh.last_waiting.store(u64::from(feed.waiting), Ordering::Relaxed);
            }
            Err(e) => sh.failed("display: polling", &e),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = done.cancelled() => return,
            _ = sh.stop.cancelled() => return,
        }
    }
}

/// Logs the hall every hall hour.
async fn progress(sh: Arc<Shared>, done: CancellationToken) {
    let mut hour = (sh.clock.now() / 3600.0).floor() + 1.0;
    loop {
        tokio::select! {
            ok = sh.clock.sleep_until(hour * 3600.0, &sh.stop) => if !ok { return },
            _ = done.cancelled() => return,
        }
        let c = &sh.counters;
        tracing::info!(
            issued = get(&c.issued),
            waiting = sh.last_waiting.load(Ordering::Relaxed),
            finished = get(&c.finished),
            no_shows = get(&c.no_shows),
            ratings = get(&c.ratings),
            poor = get(&c.poor_ratings),
            "{}",
            curve::clock_text(hour * 3600.0)
        );
        hour += 1.0;
    }
}

// ---- a window: its caller and rating pad ----

struct Parked {
    id: String,
    matter_id: String,
    /// Hall time the citizen is back with the document.
    back_at: f64,
    /// Service left.
    remaining: f64,
    waited: f64,
    attempts: u32,
}

/// Whether a window finishing now would call the next citizen at once, in `Desk::run`'s order
/// of things: not when a break is due (one due after closing is skipped), a parked citizen is
/// back, or overtime is over.
fn goes_on_at_once(
    now: f64,
    (close, overtime_end): (f64, f64),
    breaks: &VecDeque<(f64, f64)>,
    parked: &[Parked],
) -> bool {
    let break_due = breaks.front().is_some_and(|&(at, _)| now >= at && now < close);
    now < overtime_end && !break_due && !parked.iter().any(|p| p.back_at <= now)
}

struct Desk {
    sh: Arc<Shared>,
    w: usize,
    number: String,
    caller: String,
    pad: Option<String>,
    rng: StdRng,
    parked: Vec<Parked>,
    /// The ticket the last finish called in the same request, to serve next.
    next: Option<Ticket>,
    /// Planned breaks (start, length), hall time, in order.
    breaks: VecDeque<(f64, f64)>,
}

impl Desk {
    fn new(sh: Arc<Shared>, w: usize, caller: String, start: f64) -> Self {
        let win = &sh.model.windows[w];
        let mut rng = rng_for(sh.seed, &format!("window {}", win.id));
        let mut breaks = Vec::new();
        // The priority lane stays staffed; other windows take a break now and then.
        if win.kind != WindowKind::Priority {
            let chance = sh.behaviour.break_chance;
            for p in [chance, chance / 4.0] {
                if rng.random_bool(p.clamp(0.0, 1.0)) {
                    breaks.push((
                        uniform(&mut rng, 10.0 * 3600.0, 16.0 * 3600.0),
                        uniform(&mut rng, 600.0, 1500.0),
                    ));
                }
            }
        }
        breaks.retain(|b| b.0 >= start);
        breaks.sort_by(|a, b| a.0.total_cmp(&b.0));
        let pad = sh.devices.pads.get(&win.id).map(|t| t.token.clone());
        Self {
            number: win.number.clone(),
            sh,
            w,
            caller,
            pad,
            rng,
            parked: Vec::new(),
            next: None,
            breaks: breaks.into(),
        }
    }

    async fn run(mut self) {
        self.resync().await;
        loop {
            if self.sh.stop.is_cancelled() {
                break;
            }
            // Called already, by the finish before: the citizen is on the way to the window.
            if let Some(t) = self.next.take() {
                self.called(t).await;
                continue;
            }
            let now = self.sh.clock.now();
            if now >= self.sh.overtime_end || (self.sh.day_over() && self.parked.is_empty()) {
                break;
            }
            if let Some(&(at, len)) = self.breaks.front() {
                if now >= at {
                    self.breaks.pop_front();
                    if now < self.sh.close {
                        self.take_break(len).await;
                    }
                    continue;
                }
            }
            if let Some(i) = self.parked.iter().position(|p| p.back_at <= now) {
                let p = self.parked.remove(i);
                self.resume(p).await;
                continue;
            }
            match self.sh.api.call_next(&self.caller).await {
                Ok(t) => {
                    inc(&self.sh.counters.calls);
                    self.called(t).await;
                }
                Err(e) if e.code() == Some("queue.nothing_waiting") => {
                    self.sh.expected_refusal(&e);
                    self.idle().await;
                }
                Err(e) if e.code() == Some("queue.window_closed") => {
                    self.sh.expected_refusal(&e);
                    self.reopen().await;
                }
                Err(e) => {
                    self.sh.failed(&format!("window {}: calling the next ticket", self.number), &e);
                    self.backoff().await;
                    self.resync().await;
                }
            }
        }
        if !self.parked.is_empty() && !self.sh.stop.is_cancelled() {
            tracing::warn!(window = %self.number, parked = self.parked.len(), "overtime over with parked tickets");
        }
    }

    /// Waits until a ticket may have come for this window, a parked citizen is due back, a
    /// break is due, or the poll interval passed.
    async fn idle(&self) {
        let mut next = self.sh.clock.now() + IDLE_POLL;
        for p in &self.parked {
            next = next.min(p.back_at);
        }
        if let Some(&(at, _)) = self.breaks.front() {
            next = next.min(at);
        }
        let wait = self.sh.clock.wall_until(next).clamp(MIN_WAIT, MAX_WAIT);
        tokio::select! {
            _ = self.sh.wake[self.w].notified() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = self.sh.stop.cancelled() => {}
        }
    }

    async fn backoff(&self) {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            _ = self.sh.stop.cancelled() => {}
        }
    }

    /// Learns from the server what the window holds: reopens it if an earlier run left it
    /// paused, finishes a ticket left at it, and takes over tickets it parked.
    async fn resync(&mut self) {
        let view = match self.sh.api.caller_view(&self.caller).await {
            Ok(v) => v,
            Err(e) => {
                self.sh.failed(&format!("window {}: reading the caller", self.number), &e);
                return;
            }
        };
        if view.window_state == WindowState::Paused && !self.sh.on_break[self.w].load(Ordering::SeqCst) {
            self.reopen().await;
        }
        let now = self.sh.clock.now();
        for p in view.parked {
            if !self.parked.iter().any(|x| x.id == p.id) {
                self.parked.push(Parked {
                    id: p.id,
                    matter_id: p.matter_id,
                    back_at: now + 60.0,
                    remaining: 120.0,
                    waited: 0.0,
                    attempts: 0,
                });
            }
        }
        if let Some(cur) = view.current {
            match self.sh.api.act(&self.caller, &cur.id, Action::Finish).await {
                Ok(_) => {
                    inc(&self.sh.counters.finished);
                    self.sh.ended(&cur.id);
                }
                Err(e) => self.sh.failed(&format!("window {}: finishing {}", self.number, cur.number), &e),
            }
        }
    }

    async fn called(&mut self, t: Ticket) {
        let sh = self.sh.clone();
        let waited = sh.waited_minutes(&t.id);
        tracing::debug!(window = %self.number, number = %t.number, waited = format!("{waited:.0} min"), "called");
        let b = &sh.behaviour;
        if self.rng.random_bool(b.no_show) {
            // Gone to the tea shop and not back: one recall, then 过号.
            if !sh.sleep(uniform(&mut self.rng, 45.0, 75.0)).await {
                return;
            }
            match self.recall(&t).await {
                Some(TicketState::Called) => {}
                _ => return,
            }
            if !sh.sleep(uniform(&mut self.rng, 45.0, 75.0)).await {
                return;
            }
            match sh.api.act(&self.caller, &t.id, Action::NoShow).await {
                Ok(_) => {
                    inc(&sh.counters.no_shows);
                    sh.ended(&t.id);
                }
                Err(e) => {
                    sh.failed(&format!("window {}: no-show of {}", self.number, t.number), &e);
                    self.resync().await;
                }
            }
            return;
        }
        if self.rng.random_bool(b.recall_before_arrival) {
            if !sh.sleep(60.0).await {
                return;
            }
            match self.recall(&t).await {
                Some(TicketState::Called) => {}
                _ => return,
            }
            if !sh.sleep(uniform(&mut self.rng, 20.0, 90.0)).await {
                return;
            }
        } else if !sh.sleep(uniform(&mut self.rng, 10.0, 50.0)).await {
            return;
        }
        match sh.api.act(&self.caller, &t.id, Action::Start).await {
            Ok(_) => inc(&sh.counters.starts),
            Err(e) => {
                sh.failed(&format!("window {}: starting {}", self.number, t.number), &e);
                self.resync().await;
                return;
            }
        }
        let mean = sh.model.matter(&t.matter_id).map_or(420.0, |m| sh.model.matters[m].service_mean);
        let total = lognormal_with_mean(&mut self.rng, mean, 0.55).clamp(30.0, 4.0 * mean);
        self.serve(t.id, t.number, t.matter_id, total, waited, t.transfer_count == 0, true).await;
    }

    /// 重呼; the state it leaves the ticket in (a no-show past the hall's recall limit), or None
    /// when it failed.
    async fn recall(&mut self, t: &Ticket) -> Option<TicketState> {
        match self.sh.api.act(&self.caller, &t.id, Action::Recall).await {
            Ok(after) => {
                inc(&self.sh.counters.recalls);
                if after.state == TicketState::NoShow {
                    inc(&self.sh.counters.no_shows);
                    self.sh.ended(&t.id);
                }
                Some(after.state)
            }
            Err(e) => {
                self.sh.failed(&format!("window {}: recalling {}", self.number, t.number), &e);
                self.resync().await;
                None
            }
        }
    }

    /// Serves a started ticket for `total` hall seconds, unless it is transferred or parked on
    /// the way; then finishes it and lets the citizen rate.
    #[allow(clippy::too_many_arguments)]
    async fn serve(
        &mut self,
        id: String,
        number: String,
        matter_id: String,
        total: f64,
        waited: f64,
        may_transfer: bool,
        may_park: bool,
    ) {
        let sh = self.sh.clone();
        let r: f64 = self.rng.random();
        let (transfer, park) = (sh.behaviour.transfer, sh.behaviour.park);
        if (may_transfer && r < transfer) || (may_park && (transfer..transfer + park).contains(&r)) {
            let part = total * uniform(&mut self.rng, 0.2, 0.5);
            if !sh.sleep(part).await {
                return;
            }
            if r < transfer {
                if self.transfer(&id, &number, &matter_id).await {
                    return;
                }
            } else {
                match sh.api.act(&self.caller, &id, Action::Park).await {
                    Ok(_) => {
                        inc(&sh.counters.parks);
                        let back_at = sh.clock.now() + uniform(&mut self.rng, 300.0, 1200.0);
                        tracing::debug!(window = %self.number, %number, "parked until {}", curve::clock_text(back_at));
                        self.parked.push(Parked {
                            id,
                            matter_id,
                            back_at,
                            remaining: total - part,
                            waited,
                            attempts: 0,
                        });
                        return;
                    }
                    Err(e) => sh.failed(&format!("window {}: parking {number}", self.number), &e),
                }
            }
            if !sh.sleep(total - part).await {
                return;
            }
        } else if !sh.sleep(total).await {
            return;
        }
        if self.finish_and_call_next(&id, &number, waited).await {
            return;
        }
        match sh.api.act(&self.caller, &id, Action::Finish).await {
            Ok(_) => {
                inc(&sh.counters.finished);
                sh.ended(&id);
                self.rate(&id, waited).await;
            }
            Err(e) => {
                sh.failed(&format!("window {}: finishing {number}", self.number), &e);
                self.resync().await;
            }
        }
    }

    /// 完成并叫下一位, when the window would call the next citizen at once anyway (no break
    /// due, no parked citizen back, the hall still serving), then the rating; the ticket it
    /// called, if anyone waited, is served next by `run`. False when the ticket is left for a
    /// plain finish (not this moment, or the window was paused meanwhile).
    async fn finish_and_call_next(&mut self, id: &str, number: &str, waited: f64) -> bool {
        let sh = self.sh.clone();
        if sh.stop.is_cancelled()
            || !goes_on_at_once(sh.clock.now(), (sh.close, sh.overtime_end), &self.breaks, &self.parked)
        {
            return false;
        }
        match sh.api.finish_and_call_next(&self.caller, id).await {
            Ok(done) => {
                inc(&sh.counters.finished);
                inc(&sh.counters.finished_and_called);
                sh.ended(id);
                if let Some(t) = done.called {
                    inc(&sh.counters.calls);
                    self.next = Some(t);
                }
                self.rate(id, waited).await;
                true
            }
            Err(e) if e.code() == Some("queue.window_closed") => {
                sh.expected_refusal(&e);
                false
            }
            Err(e) => {
                sh.failed(&format!("window {}: finishing {number} and calling the next", self.number), &e);
                self.resync().await;
                true
            }
        }
    }

    /// 转号: to another matter of the same department (the citizen needs a different service)
    /// or to a window that handles the department. False when it did not happen.
    async fn transfer(&mut self, id: &str, number: &str, matter_id: &str) -> bool {
        let sh = self.sh.clone();
        let model = &sh.model;
        let Some(m) = model.matter(matter_id) else { return false };
        let d = model.matters[m].department;
        let other_matters: Vec<usize> =
            model.departments[d].matters.iter().copied().filter(|&x| x != m).collect();
        let other_windows: Vec<usize> = (0..model.windows.len())
            .filter(|&w| {
                let win = &model.windows[w];
                w != self.w
                    && win.state == WindowState::Open
                    && win.kind != WindowKind::Priority
                    && !sh.on_break[w].load(Ordering::SeqCst)
                    && (win.departments.contains(&d) || win.matters.contains(&m))
            })
            .collect();
        let to_matter = !other_matters.is_empty() && (other_windows.is_empty() || self.rng.random_bool(0.5));
        let (target, wake): (TransferTarget, Vec<usize>) = if to_matter {
            let m2 = other_matters[self.rng.random_range(0..other_matters.len())];
            (
                TransferTarget::Matter { matter_id: model.matters[m2].id.clone() },
                model.windows_of_matter[m2].clone(),
            )
        } else if !other_windows.is_empty() {
            let w2 = other_windows[self.rng.random_range(0..other_windows.len())];
            (TransferTarget::Window { window_id: model.windows[w2].id.clone() }, vec![w2])
        } else {
            return false;
        };
        match sh.api.transfer(&self.caller, id, target.clone()).await {
            Ok(_) => {
                inc(&sh.counters.transfers);
                tracing::debug!(window = %self.number, %number, ?target, "transferred");
                for w in wake {
                    sh.wake[w].notify_one();
                }
                true
            }
            Err(e)
                if matches!(
                    e.code(),
                    Some("queue.window_closed" | "queue.no_open_window" | "queue.transfer_same_target")
                ) =>
            {
                sh.expected_refusal(&e);
                false
            }
            Err(e) => {
                sh.failed(&format!("window {}: transferring {number}", self.number), &e);
                false
            }
        }
    }

    /// The citizen is back with the document: resume, start, serve the rest.
    async fn resume(&mut self, mut p: Parked) {
        let sh = self.sh.clone();
        match sh.api.act(&self.caller, &p.id, Action::Resume).await {
            Ok(t) => {
                inc(&sh.counters.resumes);
                match sh.api.act(&self.caller, &p.id, Action::Start).await {
                    Ok(_) => inc(&sh.counters.starts),
                    Err(e) => sh.failed(&format!("window {}: starting {}", self.number, t.number), &e),
                }
                self.serve(p.id, t.number, p.matter_id, p.remaining, p.waited, false, false).await;
            }
            Err(e) => {
                if e.code() == Some("queue.window_closed") {
                    sh.expected_refusal(&e);
                } else {
                    sh.failed(&format!("window {}: resuming a parked ticket", self.number), &e);
                    p.attempts += 1;
                }
                if p.attempts >= 3 {
                    tracing::warn!(window = %self.number, "giving up a parked ticket after 3 failures");
                    inc(&sh.counters.abandoned);
                    sh.ended(&p.id);
                } else {
                    p.back_at = sh.clock.now() + 60.0;
                    self.parked.push(p);
                }
            }
        }
    }

    /// 一事一评 on the window's pad.
    async fn rate(&mut self, ticket_id: &str, waited: f64) {
        let sh = self.sh.clone();
        let Some(pad) = self.pad.clone() else { return };
        if !self.rng.random_bool(sh.behaviour.rating) {
            return;
        }
        if !sh.sleep(uniform(&mut self.rng, 3.0, 12.0)).await {
            return;
        }
        let input = rating::draw(&mut self.rng, ticket_id, waited);
        match sh.api.rate(&pad, &input).await {
            Ok(r) => {
                let c = &sh.counters;
                inc(&c.ratings);
                inc(&c.by_level[level_index(r.level)]);
                if r.level.is_poor() {
                    inc(&c.poor_ratings);
                    tracing::info!(
                        window = %self.number,
                        number = %r.ticket_number,
                        level = r.level.as_str(),
                        reasons = %r.reasons.join("、"),
                        comment = %r.comment,
                        "poor rating"
                    );
                }
            }
            Err(e) => sh.failed(&format!("window {}: rating", self.number), &e),
        }
    }

    /// Pauses the window for a break, then reopens it.
    async fn take_break(&mut self, len: f64) {
        let sh = self.sh.clone();
        match sh.api.window_state(&self.caller, WindowState::Paused).await {
            Ok(_) => {
                inc(&sh.counters.breaks);
                sh.on_break[self.w].store(true, Ordering::SeqCst);
                tracing::info!(window = %self.number, "on a break until {}", curve::clock_text(sh.clock.now() + len));
                sh.sleep(len).await;
                self.reopen().await;
            }
            Err(e) => sh.failed(&format!("window {}: pausing", self.number), &e),
        }
    }

    /// Opens the window (after a break, also when the run is being cancelled).
    async fn reopen(&mut self) {
        for attempt in 0..3 {
            match self.sh.api.window_state(&self.caller, WindowState::Open).await {
                Ok(_) => {
                    self.sh.on_break[self.w].store(false, Ordering::SeqCst);
                    return;
                }
                Err(e) => {
                    self.sh.failed(&format!("window {}: reopening", self.number), &e);
                    if attempt < 2 {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_hall_day_starts_at_midnight_utc_plus_8() {
        let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&chrono::Utc);
        assert_eq!(
            hall_midnight(at("2026-11-25T15:59:59Z")),
            chrono::Utc.with_ymd_and_hms(2026, 11, 24, 16, 0, 0).unwrap()
        );
        assert_eq!(
            hall_midnight(at("2026-11-25T16:00:00Z")),
            chrono::Utc.with_ymd_and_hms(2026, 11, 25, 16, 0, 0).unwrap()
        );
    }

    /// A window finishing goes straight on to the next citizen (完成并叫下一位) unless its break
    /// is due, a parked citizen is back, or overtime is over; then it finishes alone.
    #[test]
    fn a_window_finishes_and_calls_in_one_request_only_when_it_goes_straight_on() {
        let hours = (CLOSE, CLOSE + OVERTIME);
        let at = 11.0 * 3600.0;
        let none = VecDeque::new();
        assert!(goes_on_at_once(at, hours, &none, &[]));
        let later: VecDeque<_> = [(at + 600.0, 900.0)].into();
        assert!(goes_on_at_once(at, hours, &later, &[]), "a break still to come");
        let due: VecDeque<_> = [(at - 1.0, 900.0)].into();
        assert!(!goes_on_at_once(at, hours, &due, &[]), "the break is due: finish alone");
        assert!(goes_on_at_once(CLOSE + 60.0, hours, &due, &[]), "no break after closing");
        let parked = |back_at| Parked {
            id: "t".into(),
            matter_id: "m".into(),
            back_at,
            remaining: 60.0,
            waited: 0.0,
            attempts: 0,
        };
        assert!(goes_on_at_once(at, hours, &none, &[parked(at + 60.0)]));
        assert!(!goes_on_at_once(at, hours, &none, &[parked(at)]), "the parked citizen is back first");
        assert!(!goes_on_at_once(CLOSE + OVERTIME, hours, &none, &[]), "overtime is over");
    }
}
