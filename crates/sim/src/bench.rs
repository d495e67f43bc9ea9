//! The server's load bench: the real server in-process on loopback (its own runtime and
//! threads), a hall of 200 windows set up through the admin API, tickets issued at a fixed rate
//! (open loop: each request is sent at its scheduled instant, whatever the previous ones are
//! doing) while every window's caller calls and finishes. Each ticket issue's latency is the
//! client-side round trip of `POST /api/v1/kiosk/tickets` (request sent → answer read).

use crate::client::{Action, Api};
use crate::error::{Result, SimError};
use crate::model::HallModel;
use crate::random::{phone, rng_for};
use crate::setup::{setup, SetupOptions};
use crate::stats::{percentiles, Percentiles};
use hallkeeper_proto::{PriorityClass, TakeTicket};
use hallkeeper_server::storage::{postgres::PostgresStorage, sqlite::SqliteStorage, Storage};
use hallkeeper_server::{start, system_now, AppState};
use rand::rngs::StdRng;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub const ADMIN: &str = "bench-admin-token";

/// Where the in-process server keeps its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A file (None: `server.db` in a temporary folder, removed afterwards).
    Sqlite(Option<PathBuf>),
    /// A PostgreSQL URL. The bench creates a fresh database next to the one named (and drops it
    /// afterwards) when the role may; otherwise it uses the named database with a new hall.
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub backend: Backend,
    /// Ticket issues per second.
    pub rate: f64,
    pub seconds: f64,
    pub windows: usize,
    pub kiosks: usize,
    /// Each window's service time (wall clock) between call and finish.
    pub service_ms: u64,
    /// Ticket requests in flight at most (a request past it waits, and its lag is reported).
    pub max_in_flight: usize,
    /// Worker threads of the server's runtime.
    pub server_threads: usize,
    /// How long callers may keep serving after the last issue.
    pub drain_seconds: f64,
    pub seed: u64,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            backend: Backend::Sqlite(None),
            rate: 200.0,
            seconds: 30.0,
            windows: 200,
            kiosks: 4,
            service_ms: 500,
            max_in_flight: 512,
            server_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            drain_seconds: 10.0,
            seed: 1,
        }
    }
}

/// Where and how a measurement was made: the head of every report (bench and sweep alike), so
/// two reports say whether they can be compared.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunInfo {
    pub backend: String,
    /// When it ran (RFC 3339).
    pub at: String,
    /// `release` or `debug`.
    pub build: String,
    pub cpus: usize,
    pub server_threads: usize,
}

impl RunInfo {
    /// This run, now, on this machine.
    pub fn now(backend: &Backend, server_threads: usize) -> RunInfo {
        RunInfo {
            backend: backend.name().to_owned(),
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            build: if cfg!(debug_assertions) { "debug" } else { "release" }.into(),
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            server_threads,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BenchReport {
    #[serde(flatten)]
    pub run: RunInfo,
    pub windows: usize,
    pub kiosks: usize,
    pub rate_target: f64,
    pub seconds: f64,
    pub service_ms: u64,
    /// Ticket issues answered 201.
    pub issued: u64,
    pub errors: u64,
    pub errors_by_code: BTreeMap<String, u64>,
    /// Issued tickets per second, from the first scheduled send to the last answer.
    pub achieved_rate: f64,
    /// Round trip of each ticket issue (answered ones, refused included).
    pub latency_ms: Percentiles,
    /// How late the worst request was sent against its schedule (a client that cannot keep up).
    pub max_send_lag_ms: f64,
    pub calls: u64,
    pub finished: u64,
    pub caller_errors: u64,
    /// Round trips of the callers' requests (call next, finish).
    pub caller_latency_ms: Percentiles,
    pub waiting_at_end: u64,
}

// ---- the server on its own runtime ----

struct ServerThread {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

enum StorageChoice {
    Sqlite(PathBuf),
    Postgres(String),
}

impl ServerThread {
    /// Starts the server on 127.0.0.1 (a free port) in a runtime of its own, so that the
    /// client's tasks do not run on the server's worker threads.
    async fn start(choice: StorageChoice, threads: usize) -> Result<Self> {
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Result<SocketAddr>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("hallkeeper-server".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(threads.max(1))
                    .thread_name("hallkeeper-server-worker")
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(SimError::io("server runtime", e)));
                        return;
                    }
                };
                rt.block_on(async move {
                    let storage: Arc<dyn Storage> = match choice {
                        StorageChoice::Sqlite(path) => match SqliteStorage::open(&path) {
                            Ok(s) => Arc::new(s),
                            Err(e) => {
                                let _ = ready_tx.send(Err(e.into()));
                                return;
                            }
                        },
                        StorageChoice::Postgres(url) => match PostgresStorage::connect(&url).await {
                            Ok(s) => Arc::new(s),
                            Err(e) => {
                                let _ = ready_tx.send(Err(e.into()));
                                return;
                            }
                        },
                    };
                    let state = Arc::new(AppState::new(storage, system_now()).with_break_glass_token(ADMIN));
                    let running = match start(SocketAddr::from(([127, 0, 0, 1], 0)), state).await {
                        Ok(r) => r,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e.into()));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(running.addr));
                    let _ = stop_rx.await;
                    if let Err(e) = running.stop().await {
                        tracing::warn!("stopping the server: {e}");
                    }
                });
            })
            .map_err(|e| SimError::io("server thread", e))?;
        let addr = ready_rx
            .await
            .map_err(|_| SimError::Options("the server thread ended before starting".into()))??;
        Ok(Self { addr, stop: Some(stop_tx), thread: Some(thread) })
    }

    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            if tokio::task::spawn_blocking(move || t.join()).await.is_err() {
                tracing::warn!("the server thread did not end cleanly");
            }
        }
    }
}

// ---- PostgreSQL: a database of its own ----

/// The URL with its database name replaced.
pub fn with_database(url: &str, name: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let authority = path.split('/').next().filter(|a| !a.is_empty())?;
    Some(format!("{scheme}://{authority}/{name}{}", query.map(|q| format!("?{q}")).unwrap_or_default()))
}

async fn pg_execute(url: &str, sql: &str) -> Result<()> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| SimError::Postgres(format!("connecting: {e}")))?;
    let conn = tokio::spawn(conn);
    let out = client.batch_execute(sql).await.map_err(|e| {
        let detail = e.as_db_error().map(|d| d.message().to_owned()).unwrap_or_else(|| e.to_string());
        SimError::Postgres(detail)
    });
    drop(client);
    let _ = conn.await;
    out
}

/// Creates database `name` on the server of `url` (the role needs CREATEDB) and returns its URL.
/// `name` must be a plain identifier (letters, digits, underscores).
pub async fn create_database(url: &str, name: &str) -> Result<String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(SimError::Options(format!("{name:?} is not a plain database name")));
    }
    let fresh = with_database(url, name).ok_or_else(|| SimError::Options("not a postgres:// URL".into()))?;
    pg_execute(url, &format!("CREATE DATABASE {name}")).await?;
    Ok(fresh)
}

/// Drops a database made by [`create_database`], closing its connections.
pub async fn drop_database(url: &str, name: &str) -> Result<()> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(SimError::Options(format!("{name:?} is not a plain database name")));
    }
    pg_execute(url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await
}

// ---- the bench ----

/// A server started for a bench run on a store of its own (a temporary SQLite file, a fresh
/// PostgreSQL database), removed again by [`BenchServer::stop`]. Public for the other benches
/// that load the same server (crates/bench's front-line bench); its admin token is [`ADMIN`].
pub struct BenchServer {
    pub addr: SocketAddr,
    server: ServerThread,
    _tmp: tempfile::TempDir,
    drop_after: Option<(String, String)>,
    /// The store may hold earlier runs' halls (a named SQLite file, the named PostgreSQL
    /// database): hall ids then carry this run's stamp.
    shared: bool,
    stamp: String,
}

impl BenchServer {
    pub async fn start(backend: &Backend, threads: usize) -> Result<Self> {
        let tmp = tempfile::tempdir().map_err(|e| SimError::io("temporary folder", e))?;
        let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S%3f").to_string();
        let mut drop_after: Option<(String, String)> = None;
        let mut shared = false;
        let choice = match backend {
            Backend::Sqlite(None) => StorageChoice::Sqlite(tmp.path().join("server.db")),
            Backend::Sqlite(Some(p)) => {
                shared = true;
                StorageChoice::Sqlite(p.clone())
            }
            Backend::Postgres(url) => {
                let name = format!("hallkeeper_bench_{stamp}");
                match create_database(url, &name).await {
                    Ok(fresh) => {
                        drop_after = Some((url.clone(), name));
                        StorageChoice::Postgres(fresh)
                    }
                    Err(e) => {
                        tracing::warn!("no fresh database ({e}); using the one named, with a new hall");
                        shared = true;
                        StorageChoice::Postgres(url.clone())
                    }
                }
            }
        };
        match ServerThread::start(choice, threads).await {
            Ok(server) => Ok(Self { addr: server.addr, server, _tmp: tmp, drop_after, shared, stamp }),
            Err(e) => {
                drop_fresh(drop_after).await;
                Err(e)
            }
        }
    }

    /// A hall id for this run: `name` on a store of its own, `name-<stamp>` on a shared one.
    pub fn hall_id(&self, name: &str) -> String {
        if self.shared {
            format!("{name}-{}", self.stamp)
        } else {
            name.to_owned()
        }
    }

    pub async fn stop(self) {
        self.server.stop().await;
        drop_fresh(self.drop_after).await;
    }
}

async fn drop_fresh(made: Option<(String, String)>) {
    if let Some((url, name)) = made {
        if let Err(e) = drop_database(&url, &name).await {
            tracing::warn!("could not drop the bench database {name}: {e}");
        }
    }
}

/// Runs the bench and stops by itself (or when `cancel` is cancelled, with what was measured).
pub async fn bench(opts: BenchOptions, cancel: CancellationToken) -> Result<BenchReport> {
    if !(opts.rate > 0.0 && opts.rate.is_finite() && opts.seconds > 0.0 && opts.seconds.is_finite()) {
        return Err(SimError::Options("rate and seconds must be positive".into()));
    }
    let server = BenchServer::start(&opts.backend, opts.server_threads).await?;
    let hall_id = server.hall_id("hall-bench");
    let result = run(&opts, server.addr, &hall_id, cancel).await;
    server.stop().await;
    result
}

/// A kiosk's request: a matter drawn by department weight, 5 % priority lane, 40 % with a phone.
pub fn ticket_input(model: &HallModel, rng: &mut StdRng) -> (usize, TakeTicket) {
    let m = model.pick_matter(rng);
    let input = TakeTicket {
        matter_id: model.matters[m].id.clone(),
        class: if rng.random_bool(0.05) { PriorityClass::PriorityLane } else { PriorityClass::Normal },
        phone: rng.random_bool(0.4).then(|| phone(rng)),
    };
    (m, input)
}

#[derive(Default)]
struct CallerCounts {
    calls: AtomicU64,
    finished: AtomicU64,
    errors: AtomicU64,
}

struct Sample {
    latency_us: u32,
    lag_us: u64,
    outcome: std::result::Result<(), String>,
}

async fn run(
    opts: &BenchOptions,
    addr: SocketAddr,
    hall_id: &str,
    cancel: CancellationToken,
) -> Result<BenchReport> {
    let base = format!("http://{addr}");
    let admin_api = Api::new(&base)?;
    admin_api.health().await?;
    let mut setup_opts = SetupOptions::new(&base, ADMIN);
    setup_opts.hall_id = hall_id.to_owned();
    setup_opts.hall_name = "压力测试大厅".into();
    setup_opts.windows = opts.windows;
    setup_opts.kiosks = opts.kiosks.max(1);
    let prepared = setup(&admin_api, &setup_opts).await?;
    let model = Arc::new(HallModel::from_config(&prepared.config, opts.seed)?);
    tracing::info!(
        backend = opts.backend.name(),
        windows = model.windows.len(),
        matters = model.matters.len(),
        rate = opts.rate,
        seconds = opts.seconds,
        "bench hall ready"
    );

    // Callers: call, serve `service_ms`, finish; when nothing waits, wait to be woken.
    let caller_api = Api::new(&base)?;
    let wake: Arc<Vec<Notify>> = Arc::new((0..model.windows.len()).map(|_| Notify::new()).collect());
    let counts = Arc::new(CallerCounts::default());
    let stop_callers = CancellationToken::new();
    let mut callers = JoinSet::new();
    for (w, win) in model.windows.iter().enumerate() {
        let Some(token) = prepared.devices.callers.get(&win.id).map(|t| t.token.clone()) else { continue };
        let (api, wake, counts, stop) =
            (caller_api.clone(), wake.clone(), counts.clone(), stop_callers.clone());
        let service = Duration::from_millis(opts.service_ms);
        callers.spawn(async move {
            while !stop.is_cancelled() {
                match api.call_next(&token).await {
                    Ok(t) => {
                        counts.calls.fetch_add(1, Ordering::Relaxed);
                        tokio::select! {
                            _ = tokio::time::sleep(service) => {}
                            _ = stop.cancelled() => break,
                        }
                        match api.act(&token, &t.id, Action::Finish).await {
                            Ok(_) => counts.finished.fetch_add(1, Ordering::Relaxed),
                            Err(_) => counts.errors.fetch_add(1, Ordering::Relaxed),
                        };
                    }
                    Err(e) if e.code() == Some("queue.nothing_waiting") => {
                        tokio::select! {
                            _ = wake[w].notified() => {}
                            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                            _ = stop.cancelled() => break,
                        }
                    }
                    Err(_) => {
                        counts.errors.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        });
    }

    // The kiosks: one request per scheduled instant.
    let kiosk_api = Api::new(&base)?;
    let kiosks: Vec<String> = prepared.devices.kiosks.iter().map(|k| k.token.clone()).collect();
    let total = (opts.rate * opts.seconds).round().max(1.0) as u64;
    let limit = Arc::new(Semaphore::new(opts.max_in_flight.max(1)));
    let samples: Arc<Mutex<Vec<Sample>>> = Arc::new(Mutex::new(Vec::with_capacity(total as usize)));
    let last_answer = Arc::new(Mutex::new(None::<Instant>));
    let mut rng = rng_for(opts.seed, "bench kiosk");
    let mut in_flight = JoinSet::new();
    let t0 = Instant::now() + Duration::from_millis(100);
    for i in 0..total {
        let at = t0 + Duration::from_secs_f64(i as f64 / opts.rate);
        tokio::select! {
            _ = tokio::time::sleep_until(at) => {}
            _ = cancel.cancelled() => break,
        }
        let Ok(permit) = limit.clone().acquire_owned().await else { break };
        let (m, input) = ticket_input(&model, &mut rng);
        let (api, token) = (kiosk_api.clone(), kiosks[i as usize % kiosks.len()].clone());
        let (samples, last_answer, wake, model) =
            (samples.clone(), last_answer.clone(), wake.clone(), model.clone());
        in_flight.spawn(async move {
            let sent = Instant::now();
            let result = api.take_ticket(&token, &input).await;
            let answered = Instant::now();
            let outcome = match &result {
                Ok(_) => {
                    for &w in &model.windows_of_matter[m] {
                        wake[w].notify_one();
                    }
                    Ok(())
                }
                Err(e) => Err(e.tally_key()),
            };
            let answered_at_all = !matches!(result, Err(SimError::Transport { .. }));
            let latency_us = if answered_at_all {
                u32::try_from((answered - sent).as_micros()).unwrap_or(u32::MAX)
            } else {
                u32::MAX
            };
            let lag_us = u64::try_from((sent - at).as_micros()).unwrap_or(u64::MAX);
            samples.lock().unwrap_or_else(|p| p.into_inner()).push(Sample { latency_us, lag_us, outcome });
            let mut last = last_answer.lock().unwrap_or_else(|p| p.into_inner());
            if last.is_none_or(|l| answered > l) {
                *last = Some(answered);
            }
            drop(permit);
        });
        while in_flight.try_join_next().is_some() {}
    }
    while in_flight.join_next().await.is_some() {}
    let issuing = last_answer
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .map_or(Duration::ZERO, |l| l.saturating_duration_since(t0));

    let samples = std::mem::take(&mut *samples.lock().unwrap_or_else(|p| p.into_inner()));
    let issued = samples.iter().filter(|s| s.outcome.is_ok()).count() as u64;
    // Let the callers serve what is left, for a while.
    let drain_until = Instant::now() + Duration::from_secs_f64(opts.drain_seconds.max(0.0));
    while Instant::now() < drain_until
        && counts.finished.load(Ordering::Relaxed) < issued
        && !cancel.is_cancelled()
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop_callers.cancel();
    while callers.join_next().await.is_some() {}

    let mut errors_by_code: BTreeMap<String, u64> = BTreeMap::new();
    for s in &samples {
        if let Err(code) = &s.outcome {
            *errors_by_code.entry(code.clone()).or_default() += 1;
        }
    }
    let answered: Vec<u32> = samples.iter().map(|s| s.latency_us).filter(|&l| l != u32::MAX).collect();
    let finished = counts.finished.load(Ordering::Relaxed);
    Ok(BenchReport {
        run: RunInfo::now(&opts.backend, opts.server_threads),
        windows: model.windows.len(),
        kiosks: kiosks.len(),
        rate_target: opts.rate,
        seconds: opts.seconds,
        service_ms: opts.service_ms,
        issued,
        errors: errors_by_code.values().sum(),
        errors_by_code,
        achieved_rate: if issuing.is_zero() { 0.0 } else { issued as f64 / issuing.as_secs_f64() },
        latency_ms: percentiles(&answered),
        max_send_lag_ms: samples.iter().map(|s| s.lag_us).max().unwrap_or(0) as f64 / 1000.0,
        calls: counts.calls.load(Ordering::Relaxed),
        finished,
        caller_errors: counts.errors.load(Ordering::Relaxed),
        caller_latency_ms: percentiles(&caller_api.tally().latencies_us()),
        waiting_at_end: issued.saturating_sub(finished),
    })
}

/// The report as a table row: `| backend | target | achieved | p50 | p90 | p99 | max | errors |`.
pub fn table(reports: &[BenchReport]) -> String {
    let mut out = String::from(
        "| backend | build | windows | target req/s | achieved req/s | p50 ms | p90 ms | p99 ms | max ms | errors | finished |\n\
         |---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in reports {
        out.push_str(&format!(
            "| {} | {} | {} | {:.0} | {:.1} | {:.2} | {:.2} | {:.2} | {:.1} | {} | {}/{} |\n",
            r.run.backend,
            r.run.build,
            r.windows,
            r.rate_target,
            r.achieved_rate,
            r.latency_ms.p50,
            r.latency_ms.p90,
            r.latency_ms.p99,
            r.latency_ms.max,
            r.errors,
            r.finished,
            r.issued
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_replaced_in_urls() {
        let f = |u: &str| with_database(u, "fresh");
        assert_eq!(
            f("postgres://u:p@127.0.0.1:5432/hk_test").as_deref(),
            Some("postgres://u:p@127.0.0.1:5432/fresh")
        );
        assert_eq!(
            f("postgresql://h/db?sslmode=disable").as_deref(),
            Some("postgresql://h/fresh?sslmode=disable")
        );
        assert_eq!(f("postgres://h:5432").as_deref(), Some("postgres://h:5432/fresh"));
        assert_eq!(f("host=/tmp dbname=x"), None);
    }
}
