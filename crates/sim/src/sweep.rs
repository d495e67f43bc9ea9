//! The server bench's sweep (issue 16): what ticket issue and calling cost as one hall's queue
//! grows and as halls multiply on one server. Each case runs the real server in-process on a store
//! of its own ([`BenchServer`]), sets its halls up through the admin API, and measures client-side
//! round trips:
//! - **waiting**: one hall pre-filled to W waiting tickets (callers idle, many issues at once, not
//!   measured), then for a few seconds tickets issued open loop at a fixed rate while the windows
//!   call at the same rate (call the next ticket, serve it briefly, finish it), so about W keep waiting;
//! - **connections**: N clients, each its own keep-alive connection, issuing back to back while
//!   the queue grows from one count to another (callers idle);
//! - **one connection**: one client, back to back, a fixed number of tickets from an empty queue;
//!   the series is kept in the report (where the tail is);
//! - **halls**: H small halls on one server, a fixed total rate spread over them, callers too.
//!
//! Every phase is bounded in time: a fill that cannot reach its count in its budget is measured
//! where it got to, and the larger counts after it are not tried.

use crate::bench::{ticket_input, Backend, BenchServer, RunInfo, ADMIN};
use crate::client::{Action, Api};
use crate::error::{Result, SimError};
use crate::model::HallModel;
use crate::random::rng_for;
use crate::setup::{setup, SetupOptions};
use crate::stats::{percentiles, Percentiles};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The sweep's cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Waiting,
    Connections,
    OneConnection,
    Halls,
}

impl Case {
    pub const ALL: [Case; 4] = [Case::Waiting, Case::Connections, Case::OneConnection, Case::Halls];

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "waiting" => Some(Self::Waiting),
            "connections" => Some(Self::Connections),
            "one" | "one-connection" => Some(Self::OneConnection),
            "halls" => Some(Self::Halls),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub backend: Backend,
    pub cases: Vec<Case>,
    /// Waiting counts of the waiting sweep, in increasing order.
    pub waiting: Vec<u64>,
    /// Windows of the hall of the waiting, connections and one-connection cases.
    pub windows: usize,
    /// Ticket issues per second (and calls per second) while measuring a waiting count.
    pub rate: f64,
    /// How long each open-loop point is measured.
    pub seconds: f64,
    /// How long a fill (or the connections case's growth) may take at most.
    pub fill_seconds: f64,
    /// Ticket issues in flight while filling.
    pub fill_concurrency: usize,
    /// Clients of the connections case, and the waiting counts it grows between.
    pub connections: usize,
    pub grow_from: u64,
    pub grow_to: u64,
    /// Tickets of the one-connection case.
    pub one_tickets: u64,
    /// Hall counts of the halls sweep, each hall with `hall_windows` windows.
    pub halls: Vec<usize>,
    pub hall_windows: usize,
    /// Ticket issues per second over all halls of a halls point (calls at the same rate).
    pub halls_rate: f64,
    /// Ticket requests in flight at most in an open-loop phase.
    pub max_in_flight: usize,
    /// How long answers are awaited after an open-loop phase (unanswered ones are counted).
    pub grace_seconds: f64,
    pub server_threads: usize,
    pub seed: u64,
}

impl Default for SweepOptions {
    fn default() -> Self {
        Self {
            backend: Backend::Sqlite(None),
            cases: Case::ALL.to_vec(),
            waiting: vec![0, 1_000, 5_000, 10_000, 20_000],
            windows: 20,
            rate: 100.0,
            seconds: 5.0,
            fill_seconds: 40.0,
            fill_concurrency: 16,
            connections: 8,
            grow_from: 2_000,
            grow_to: 4_000,
            one_tickets: 2_000,
            halls: vec![1, 10, 100],
            hall_windows: 10,
            halls_rate: 200.0,
            max_in_flight: 256,
            grace_seconds: 10.0,
            server_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            seed: 1,
        }
    }
}

/// Requests of one kind in a phase.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requests {
    /// Answered 2xx.
    pub ok: u64,
    pub errors: u64,
    pub errors_by_code: BTreeMap<String, u64>,
    /// Round trips of the answered ones (refusals included).
    pub latency_ms: Percentiles,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenLoop {
    pub rate_target: f64,
    pub seconds: f64,
    pub sent: u64,
    /// Issued tickets per second, from the first scheduled send to the last answer.
    pub achieved_rate: f64,
    /// Sent but not answered within the grace period (given up).
    pub unanswered: u64,
    /// How late the worst request was sent against its schedule.
    pub max_send_lag_ms: f64,
    pub issue: Requests,
    /// `POST /api/v1/caller/next` that called a ticket.
    pub call: Requests,
    /// `POST /api/v1/caller/tickets/{id}/finish`.
    pub finish: Requests,
    /// Call attempts that found nothing to call (`queue.nothing_waiting`, not in `call`).
    pub empty_calls: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fill {
    pub target: u64,
    pub reached: u64,
    pub seconds: f64,
    pub tickets_per_second: f64,
    pub errors: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitingPoint {
    pub target: u64,
    pub fill: Fill,
    /// Waiting tickets (client-side count: issued − called) when the measure started and ended.
    pub waiting_start: u64,
    pub waiting_end: u64,
    pub measure: OpenLoop,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClosedLoop {
    pub clients: usize,
    pub fill: Option<Fill>,
    pub waiting_start: u64,
    pub waiting_end: u64,
    pub seconds: f64,
    pub tickets_per_second: f64,
    /// The phase hit its time bound before its goal (count or waiting).
    pub stopped_by_time: bool,
    pub issue: Requests,
    /// Each answered request's round trip in µs, in the order answered (one-connection case).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub series_us: Vec<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HallsPoint {
    pub halls: usize,
    pub windows_per_hall: usize,
    pub setup_seconds: f64,
    pub waiting_end: u64,
    pub measure: OpenLoop,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    #[serde(flatten)]
    pub run: RunInfo,
    pub windows: usize,
    pub waiting: Vec<WaitingPoint>,
    /// Waiting counts not tried because an earlier fill did not reach its count in time.
    pub waiting_skipped: Vec<u64>,
    pub connections: Option<ClosedLoop>,
    pub one_connection: Option<ClosedLoop>,
    pub halls: Vec<HallsPoint>,
}

// ---- a hall under test ----

struct BenchHall {
    model: HallModel,
    kiosks: Vec<String>,
    /// Caller token per window of the model that has one.
    callers: Vec<String>,
    /// Waiting tickets as the client counts them: issued − called.
    waiting: AtomicI64,
}

impl BenchHall {
    fn waiting(&self) -> u64 {
        u64::try_from(self.waiting.load(Ordering::Relaxed)).unwrap_or(0)
    }
}

async fn prepare_hall(api: &Api, id: String, windows: usize, kiosks: usize, seed: u64) -> Result<BenchHall> {
    let mut o = SetupOptions::new(api.base(), ADMIN);
    o.hall_name = format!("压力测试大厅 {id}");
    o.hall_id = id;
    o.windows = windows;
    o.kiosks = kiosks;
    let prepared = setup(api, &o).await?;
    let model = HallModel::from_config(&prepared.config, seed)?;
    let callers = model
        .windows
        .iter()
        .filter_map(|w| prepared.devices.callers.get(&w.id).map(|t| t.token.clone()))
        .collect();
    let kiosks = prepared.devices.kiosks.iter().map(|k| k.token.clone()).collect();
    Ok(BenchHall { model, kiosks, callers, waiting: AtomicI64::new(0) })
}

/// Samples of one kind of request.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    ok: u64,
    errors: BTreeMap<String, u64>,
}

impl Tally {
    fn add(&mut self, took: Duration, outcome: std::result::Result<(), &SimError>) {
        match outcome {
            Ok(()) => self.ok += 1,
            Err(e) => *self.errors.entry(e.tally_key()).or_default() += 1,
        }
        if !matches!(outcome, Err(SimError::Transport { .. })) {
            self.latencies_us.push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
        }
    }

    fn merge(&mut self, other: Tally) {
        self.latencies_us.extend(other.latencies_us);
        self.ok += other.ok;
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
    }

    fn summary(&self) -> Requests {
        Requests {
            ok: self.ok,
            errors: self.errors.values().sum(),
            errors_by_code: self.errors.clone(),
            latency_ms: percentiles(&self.latencies_us),
        }
    }
}

/// One ticket issue, timed; a ticket issued counts as waiting.
async fn issue(
    api: &Api,
    hall: &BenchHall,
    kiosk: usize,
    rng: &mut rand::rngs::StdRng,
) -> (Duration, Result<()>) {
    let (_, input) = ticket_input(&hall.model, rng);
    let token = &hall.kiosks[kiosk % hall.kiosks.len()];
    let sent = Instant::now();
    let result = api.take_ticket(token, &input).await;
    let took = sent.elapsed();
    if result.is_ok() {
        hall.waiting.fetch_add(1, Ordering::Relaxed);
    }
    (took, result.map(|_| ()))
}

// ---- closed loop: clients issuing back to back ----

struct Goal {
    /// Stop when the hall has this many waiting.
    waiting: Option<u64>,
    /// Stop after this many tickets (requests started).
    tickets: Option<u64>,
    deadline: Instant,
}

struct ClosedRun {
    tally: Tally,
    /// (answered at, round trip) in the order answered.
    series: Vec<(Instant, u32)>,
    seconds: f64,
    stopped_by_time: bool,
}

/// `apis.len()` clients, each issuing back to back through its own `Api` (its own keep-alive
/// connection when each is a separate client), until the goal or its deadline.
async fn closed_loop(apis: Vec<Api>, hall: &Arc<BenchHall>, goal: Goal, seed: u64, name: &str) -> ClosedRun {
    let started = Instant::now();
    let claimed = Arc::new(AtomicU64::new(0));
    let goal = Arc::new(goal);
    let mut clients = JoinSet::new();
    for (i, api) in apis.into_iter().enumerate() {
        let (hall, claimed, goal) = (hall.clone(), claimed.clone(), goal.clone());
        let mut rng = rng_for(seed, &format!("{name} client {i}"));
        clients.spawn(async move {
            let mut tally = Tally::default();
            let mut series = Vec::new();
            loop {
                if Instant::now() >= goal.deadline || goal.waiting.is_some_and(|w| hall.waiting() >= w) {
                    break;
                }
                if goal.tickets.is_some_and(|n| claimed.fetch_add(1, Ordering::Relaxed) >= n) {
                    break;
                }
                let (took, result) = issue(&api, &hall, i, &mut rng).await;
                tally.add(took, result.as_ref().map(|_| ()));
                if !matches!(result, Err(SimError::Transport { .. })) {
                    series.push((Instant::now(), u32::try_from(took.as_micros()).unwrap_or(u32::MAX)));
                }
            }
            (tally, series)
        });
    }
    let mut tally = Tally::default();
    let mut series = Vec::new();
    while let Some(joined) = clients.join_next().await {
        if let Ok((t, s)) = joined {
            tally.merge(t);
            series.extend(s);
        }
    }
    series.sort_by_key(|s| s.0);
    let done = goal.waiting.is_some_and(|w| hall.waiting() >= w)
        || goal.tickets.is_some_and(|n| tally.ok + tally.errors.values().sum::<u64>() >= n);
    ClosedRun { tally, series, seconds: started.elapsed().as_secs_f64(), stopped_by_time: !done }
}

/// Fills `hall` to `target` waiting (many requests at once from one client, not measured).
async fn fill(api: &Api, hall: &Arc<BenchHall>, target: u64, opts: &SweepOptions) -> Fill {
    let from = hall.waiting();
    let goal =
        Goal { waiting: Some(target), tickets: None, deadline: Instant::now() + secs(opts.fill_seconds) };
    let apis = vec![api.clone(); opts.fill_concurrency.max(1)];
    let run = closed_loop(apis, hall, goal, opts.seed, &format!("fill {target}")).await;
    let reached = hall.waiting();
    tracing::info!(target, reached, seconds = run.seconds, "filled");
    Fill {
        target,
        reached,
        seconds: run.seconds,
        tickets_per_second: if run.seconds > 0.0 {
            reached.saturating_sub(from) as f64 / run.seconds
        } else {
            0.0
        },
        errors: run.tally.errors.values().sum(),
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

// ---- open loop: tickets at a fixed rate while the windows call ----

#[derive(Default)]
struct CallerTallies {
    call: Tally,
    finish: Tally,
    empty: u64,
}

/// Every window of `halls` calls at its share of `rate` calls a second (the total), staggered:
/// at each of its instants it calls the next ticket, serves it, and finishes it.
fn spawn_callers(
    api: &Api,
    halls: &[Arc<BenchHall>],
    rate: f64,
    stop: &CancellationToken,
) -> JoinSet<CallerTallies> {
    let windows: Vec<(Arc<BenchHall>, String)> =
        halls.iter().flat_map(|h| h.callers.iter().map(move |c| (h.clone(), c.clone()))).collect();
    let period = Duration::from_secs_f64(windows.len() as f64 / rate);
    let start = Instant::now();
    let mut set = JoinSet::new();
    for (k, (hall, token)) in windows.into_iter().enumerate() {
        let (api, stop) = (api.clone(), stop.clone());
        let first = start + Duration::from_secs_f64(k as f64 / rate);
        set.spawn(async move {
            let mut t = CallerTallies::default();
            let mut ticks = tokio::time::interval_at(first, period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // Serving takes half the window's period (at most a second), so that calls and
            // finishes are both measured however long the period.
            let service = (period / 2).min(Duration::from_secs(1));
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    _ = stop.cancelled() => break,
                }
                let sent = Instant::now();
                let id = match api.call_next(&token).await {
                    Ok(ticket) => {
                        t.call.add(sent.elapsed(), Ok(()));
                        hall.waiting.fetch_sub(1, Ordering::Relaxed);
                        ticket.id
                    }
                    Err(e) if e.code() == Some("queue.nothing_waiting") => {
                        t.empty += 1;
                        continue;
                    }
                    Err(e) => {
                        t.call.add(sent.elapsed(), Err(&e));
                        continue;
                    }
                };
                // Stopped while serving: finished all the same (not measured), so that the next
                // phase's callers find the window free.
                let stopped = tokio::select! {
                    _ = tokio::time::sleep(service) => false,
                    _ = stop.cancelled() => true,
                };
                let sent = Instant::now();
                let r = api.act(&token, &id, Action::Finish).await;
                if stopped {
                    break;
                }
                t.finish.add(sent.elapsed(), r.as_ref().map(|_| ()));
            }
            t
        });
    }
    set
}

/// Tickets at `rate` for `seconds` (spread over `halls` in turn) while every window calls at
/// the same total rate.
async fn open_loop(
    api: &Api,
    halls: &[Arc<BenchHall>],
    rate: f64,
    opts: &SweepOptions,
    name: &str,
) -> OpenLoop {
    let stop = CancellationToken::new();
    let mut callers = spawn_callers(api, halls, rate, &stop);
    let total = (rate * opts.seconds).round().max(1.0) as u64;
    let limit = Arc::new(Semaphore::new(opts.max_in_flight.max(1)));
    let mut rng = rng_for(opts.seed, &format!("{name} kiosk"));
    let mut in_flight = JoinSet::new();
    let t0 = Instant::now() + Duration::from_millis(50);
    let mut max_lag = Duration::ZERO;
    let mut answers = Answers { tally: Tally::default(), last: t0 };
    for i in 0..total {
        let at = t0 + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(at).await;
        let Ok(permit) = limit.clone().acquire_owned().await else { break };
        max_lag = max_lag.max(Instant::now().saturating_duration_since(at));
        let hall = halls[i as usize % halls.len()].clone();
        let api = api.clone();
        let mut rng = rng_for(rng_seed(&mut rng), "ticket");
        let kiosk = i as usize / halls.len();
        in_flight.spawn(async move {
            let (took, result) = issue(&api, &hall, kiosk, &mut rng).await;
            drop(permit);
            (took, result.map_err(|e| e.tally_key()), Instant::now())
        });
        while let Some(joined) = in_flight.try_join_next() {
            answers.absorb(joined);
        }
    }
    let grace = tokio::time::sleep(secs(opts.grace_seconds));
    tokio::pin!(grace);
    loop {
        tokio::select! {
            joined = in_flight.join_next() => match joined {
                Some(joined) => answers.absorb(joined),
                None => break,
            },
            _ = &mut grace => break,
        }
    }
    let (tally, last) = (answers.tally, answers.last);
    let unanswered = in_flight.len() as u64;
    in_flight.abort_all();
    stop.cancel();
    let mut calls = CallerTallies::default();
    let wait_callers = async {
        while let Some(joined) = callers.join_next().await {
            if let Ok(t) = joined {
                calls.call.merge(t.call);
                calls.finish.merge(t.finish);
                calls.empty += t.empty;
            }
        }
    };
    if tokio::time::timeout(secs(opts.grace_seconds), wait_callers).await.is_err() {
        callers.abort_all();
    }
    let issuing = last.saturating_duration_since(t0).as_secs_f64();
    OpenLoop {
        rate_target: rate,
        seconds: opts.seconds,
        sent: total,
        achieved_rate: if issuing > 0.0 { tally.ok as f64 / issuing } else { 0.0 },
        unanswered,
        max_send_lag_ms: max_lag.as_secs_f64() * 1000.0,
        issue: tally.summary(),
        call: calls.call.summary(),
        finish: calls.finish.summary(),
        empty_calls: calls.empty,
    }
}

/// The open loop's answers as they come.
struct Answers {
    tally: Tally,
    last: Instant,
}

type Answer = (Duration, std::result::Result<(), String>, Instant);

impl Answers {
    fn absorb(&mut self, joined: std::result::Result<Answer, tokio::task::JoinError>) {
        let Ok((took, outcome, at)) = joined else { return };
        self.last = self.last.max(at);
        match outcome {
            Ok(()) => self.tally.ok += 1,
            Err(code) if code.starts_with("transport.") => {
                *self.tally.errors.entry(code).or_default() += 1;
                return;
            }
            Err(code) => *self.tally.errors.entry(code).or_default() += 1,
        }
        self.tally.latencies_us.push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
    }
}

fn rng_seed(rng: &mut rand::rngs::StdRng) -> u64 {
    rand::RngExt::random(rng)
}

// ---- the cases ----

async fn waiting_case(opts: &SweepOptions, report: &mut SweepReport) -> Result<()> {
    let server = BenchServer::start(&opts.backend, opts.server_threads).await?;
    let result = async {
        let api = Api::new(&format!("http://{}", server.addr))?;
        api.health().await?;
        let hall =
            Arc::new(prepare_hall(&api, server.hall_id("hall-sweep"), opts.windows, 4, opts.seed).await?);
        for (i, &target) in opts.waiting.iter().enumerate() {
            let fill = fill(&api, &hall, target, opts).await;
            let short = fill.reached < target;
            let waiting_start = hall.waiting();
            tracing::info!(target, waiting = waiting_start, "measuring");
            let measure = open_loop(&api, std::slice::from_ref(&hall), opts.rate, opts, "waiting").await;
            let point = WaitingPoint { target, fill, waiting_start, waiting_end: hall.waiting(), measure };
            tracing::info!(target, issue_p99 = point.measure.issue.latency_ms.p99, "measured");
            report.waiting.push(point);
            if short {
                report.waiting_skipped = opts.waiting[i + 1..].to_vec();
                break;
            }
        }
        Ok(())
    }
    .await;
    server.stop().await;
    result
}

/// A closed-loop case on a fresh server: `clients` connections, from `from` waiting (filled
/// first) to `to` waiting or `tickets` tickets.
async fn closed_case(
    opts: &SweepOptions,
    clients: usize,
    from: u64,
    goal_waiting: Option<u64>,
    tickets: Option<u64>,
    keep_series: bool,
) -> Result<ClosedLoop> {
    let server = BenchServer::start(&opts.backend, opts.server_threads).await?;
    let result = async {
        let base = format!("http://{}", server.addr);
        let api = Api::new(&base)?;
        api.health().await?;
        let hall =
            Arc::new(prepare_hall(&api, server.hall_id("hall-sweep"), opts.windows, 1, opts.seed).await?);
        let fill = if from > 0 { Some(fill(&api, &hall, from, opts).await) } else { None };
        let waiting_start = hall.waiting();
        let apis = (0..clients.max(1)).map(|_| Api::new(&base)).collect::<Result<Vec<_>>>()?;
        let goal =
            Goal { waiting: goal_waiting, tickets, deadline: Instant::now() + secs(opts.fill_seconds) };
        tracing::info!(clients, waiting = waiting_start, "measuring");
        let run = closed_loop(apis, &hall, goal, opts.seed, &format!("closed {clients}")).await;
        let issued = hall.waiting().saturating_sub(waiting_start);
        Ok(ClosedLoop {
            clients,
            fill,
            waiting_start,
            waiting_end: hall.waiting(),
            seconds: run.seconds,
            tickets_per_second: if run.seconds > 0.0 { issued as f64 / run.seconds } else { 0.0 },
            stopped_by_time: run.stopped_by_time,
            issue: run.tally.summary(),
            series_us: if keep_series { run.series.iter().map(|s| s.1).collect() } else { Vec::new() },
        })
    }
    .await;
    server.stop().await;
    result
}

async fn halls_case(opts: &SweepOptions, halls: usize) -> Result<HallsPoint> {
    let server = BenchServer::start(&opts.backend, opts.server_threads).await?;
    let result = async {
        let api = Api::new(&format!("http://{}", server.addr))?;
        api.health().await?;
        let started = Instant::now();
        let mut ready = Vec::with_capacity(halls);
        // A few at a time: set-up is many small admin requests.
        for chunk in (0..halls).collect::<Vec<_>>().chunks(4) {
            let mut set = JoinSet::new();
            for &h in chunk {
                let (api, id) = (api.clone(), server.hall_id(&format!("hall-{h:03}")));
                let (windows, seed) = (opts.hall_windows, opts.seed + h as u64);
                set.spawn(async move { prepare_hall(&api, id, windows, 1, seed).await });
            }
            while let Some(joined) = set.join_next().await {
                let hall = joined.map_err(|e| SimError::Options(format!("hall set-up task: {e}")))??;
                ready.push(Arc::new(hall));
            }
        }
        let setup_seconds = started.elapsed().as_secs_f64();
        tracing::info!(halls, setup_seconds, "measuring");
        let measure = open_loop(&api, &ready, opts.halls_rate, opts, &format!("halls {halls}")).await;
        Ok(HallsPoint {
            halls,
            windows_per_hall: opts.hall_windows,
            setup_seconds,
            waiting_end: ready.iter().map(|h| h.waiting()).sum(),
            measure,
        })
    }
    .await;
    server.stop().await;
    result
}

/// Runs the cases asked for, one fresh server each (the waiting sweep one for all its counts).
pub async fn sweep(opts: SweepOptions) -> Result<SweepReport> {
    let valid = |x: f64| x > 0.0 && x.is_finite();
    if !(valid(opts.rate) && valid(opts.halls_rate) && valid(opts.seconds)) || opts.windows < 3 {
        return Err(SimError::Options("rates and seconds must be positive, windows at least 3".into()));
    }
    let mut report = SweepReport {
        run: RunInfo::now(&opts.backend, opts.server_threads),
        windows: opts.windows,
        ..SweepReport::default()
    };
    for case in &opts.cases {
        tracing::info!(backend = opts.backend.name(), ?case, "case");
        match case {
            Case::Waiting => waiting_case(&opts, &mut report).await?,
            Case::Connections => {
                report.connections = Some(
                    closed_case(&opts, opts.connections, opts.grow_from, Some(opts.grow_to), None, false)
                        .await?,
                );
            }
            Case::OneConnection => {
                report.one_connection =
                    Some(closed_case(&opts, 1, 0, None, Some(opts.one_tickets), true).await?);
            }
            Case::Halls => {
                for &h in &opts.halls {
                    report.halls.push(halls_case(&opts, h.max(1)).await?);
                }
            }
        }
    }
    Ok(report)
}

// ---- the tables ----

fn ms(p: &Percentiles) -> String {
    if p.count == 0 {
        "—".into()
    } else {
        format!("{:.2} / {:.2}", p.p50, p.p99)
    }
}

/// The report as Markdown tables (one per case that ran).
pub fn tables(r: &SweepReport) -> String {
    let mut out = format!(
        "sweep — {} ({} build, {} CPUs, {} server threads, {} windows)\n",
        r.run.backend, r.run.build, r.run.cpus, r.run.server_threads, r.windows
    );
    if !r.waiting.is_empty() {
        out.push_str(
            "\n| waiting (target) | fill /s | waiting start → end | issue req/s | issue p50 / p99 ms | issue max ms | call p50 / p99 ms | finish p50 / p99 ms | errors | unanswered |\n\
             |---|---|---|---|---|---|---|---|---|---|\n",
        );
        for p in &r.waiting {
            let m = &p.measure;
            out.push_str(&format!(
                "| {}{} | {:.0} | {} → {} | {:.1} | {} | {:.1} | {} | {} | {} | {} |\n",
                p.target,
                if p.fill.reached < p.target {
                    format!(" (reached {})", p.fill.reached)
                } else {
                    String::new()
                },
                p.fill.tickets_per_second,
                p.waiting_start,
                p.waiting_end,
                m.achieved_rate,
                ms(&m.issue.latency_ms),
                m.issue.latency_ms.max,
                ms(&m.call.latency_ms),
                ms(&m.finish.latency_ms),
                m.issue.errors + m.call.errors + m.finish.errors,
                m.unanswered,
            ));
        }
        if !r.waiting_skipped.is_empty() {
            out.push_str(&format!(
                "\nnot tried (the fill before ran out of time): {:?}\n",
                r.waiting_skipped
            ));
        }
    }
    let closed: Vec<(&str, &ClosedLoop)> =
        [("connections", &r.connections), ("one connection", &r.one_connection)]
            .into_iter()
            .filter_map(|(n, c)| c.as_ref().map(|c| (n, c)))
            .collect();
    if !closed.is_empty() {
        out.push_str(
            "\n| closed loop | clients | waiting start → end | tickets/s | p50 ms | p90 ms | p99 ms | max ms | errors | time-bound |\n\
             |---|---|---|---|---|---|---|---|---|---|\n",
        );
        for (name, c) in closed {
            let l = &c.issue.latency_ms;
            out.push_str(&format!(
                "| {name} | {} | {} → {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.1} | {} | {} |\n",
                c.clients,
                c.waiting_start,
                c.waiting_end,
                c.tickets_per_second,
                l.p50,
                l.p90,
                l.p99,
                l.max,
                c.issue.errors,
                if c.stopped_by_time { "yes" } else { "no" }
            ));
        }
    }
    if !r.halls.is_empty() {
        out.push_str(
            "\n| halls × windows | set-up s | issue req/s | issue p50 / p99 ms | call p50 / p99 ms | finish p50 / p99 ms | waiting at end | errors | unanswered |\n\
             |---|---|---|---|---|---|---|---|---|\n",
        );
        for p in &r.halls {
            let m = &p.measure;
            out.push_str(&format!(
                "| {} × {} | {:.1} | {:.1} | {} | {} | {} | {} | {} | {} |\n",
                p.halls,
                p.windows_per_hall,
                p.setup_seconds,
                m.achieved_rate,
                ms(&m.issue.latency_ms),
                ms(&m.call.latency_ms),
                ms(&m.finish.latency_ms),
                p.waiting_end,
                m.issue.errors + m.call.errors + m.finish.errors,
                m.unanswered,
            ));
        }
    }
    out
}
