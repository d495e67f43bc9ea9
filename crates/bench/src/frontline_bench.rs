//! `hallkeeper-frontline-bench`: the hall's front line under the server bench's load (issue 18's
//! Must-show bench). The server runs in-process on loopback (its own runtime, as in
//! `hallkeeper-sim bench`), on SQLite or PostgreSQL, with the same 200-window hall set up through
//! the admin API. Background: ticket issues at a fixed `--rate` (open loop, 200 req/s by default,
//! matters drawn by department weight) while the caller of every window but the probe windows
//! calls, serves `--service-ms` and finishes — exactly the server bench's load. Foreground, on
//! `--probes` windows of their own, one device round after another, as a person uses them:
//!
//! - **kiosk tap → ticket**: `POST /api/v1/kiosk/tickets` for a matter the probe window serves
//!   (request sent → answer read; the page draws the ticket from that answer);
//! - **terminal action acknowledged**: `POST /api/v1/caller/next`, then after a short service
//!   `POST /api/v1/caller/tickets/{id}/finish` (each: sent → answered);
//! - **call → on the display**: from sending call-next until a display sees the called number at
//!   that window ([`DisplayWatch`]: `GET /api/v1/display` polled every `--poll-ms` by one display,
//!   as a display without a push channel does; or, with `--display sse`, on the push stream
//!   `GET /api/v1/display/events` as the display page does, see [`DisplayWatch::sse`]);
//! - **rating stored**: `POST /api/v1/pad/ratings` on the probe window's pad (201 = stored).
//!
//! hallkeeper-frontline-bench [--rate 200] [--seconds 30] [--probes 2] [--poll-ms 50]
//!     [--postgres URL] [--display sse|poll] [--json PATH]

mod cli;
mod stats;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hallkeeper_proto::{DisplayFeed, PriorityClass, RatingInput, RatingLevel, TakeTicket};
use hallkeeper_sim::bench::{ticket_input, Backend, BenchServer, ADMIN};
use hallkeeper_sim::client::Action;
use hallkeeper_sim::model::HallModel;
use hallkeeper_sim::random::rng_for;
use hallkeeper_sim::{setup, Api, SetupOptions};
use serde_json::json;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

type BoxError = Box<dyn std::error::Error>;

/// Targets (issue 18).
const KIOSK_P95_MS: f64 = 1000.0;
const ACK_P95_MS: f64 = 300.0;
const DISPLAY_P95_MS: f64 = 1000.0;
const RATING_P99_MS: f64 = 1000.0;

/// A snapshot of the display's feed and when the display had it.
#[derive(Clone)]
struct Seen {
    at: Instant,
    feed: Arc<DisplayFeed>,
}

/// What one display knows of the hall, as it learns it. Probes wait on it for their call.
struct DisplayWatch {
    rx: watch::Receiver<Option<Seen>>,
    /// `GET /api/v1/display` requests the display made.
    reads: Arc<AtomicU64>,
}

impl DisplayWatch {
    /// A display that reads `GET /api/v1/display` every `every` (no push channel).
    fn poll(api: Api, token: String, every: Duration, stop: CancellationToken) -> Self {
        let (tx, rx) = watch::channel(None);
        let reads = Arc::new(AtomicU64::new(0));
        let counter = reads.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !stop.is_cancelled() {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.cancelled() => break,
                }
                if let Ok(feed) = api.display(&token).await {
                    counter.fetch_add(1, Ordering::Relaxed);
                    let _ = tx.send(Some(Seen { at: Instant::now(), feed: Arc::new(feed) }));
                }
            }
        });
        Self { rx, reads }
    }

    /// A display on the push stream: `GET /api/v1/display/events` (server-sent events); on each
    /// `call` event it reads `GET /api/v1/display`, as the display page does. On a server without
    /// the stream the bench says so and stops.
    fn sse(api: Api, token: String, stop: CancellationToken) -> Self {
        let (tx, rx) = watch::channel(None);
        let reads = Arc::new(AtomicU64::new(0));
        let counter = reads.clone();
        tokio::spawn(async move {
            let (events_tx, mut events_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
            let base = api.base().to_owned();
            let t = token.clone();
            let reader = tokio::spawn(async move {
                if let Err(e) = read_sse(&base, &t, events_tx).await {
                    eprintln!("display event stream: {e}");
                }
            });
            loop {
                tokio::select! {
                    ev = events_rx.recv() => { if ev.is_none() { break } }
                    _ = stop.cancelled() => break,
                }
                // Calls that came in while reading are covered by the next read.
                while events_rx.try_recv().is_ok() {}
                if let Ok(feed) = api.display(&token).await {
                    counter.fetch_add(1, Ordering::Relaxed);
                    let _ = tx.send(Some(Seen { at: Instant::now(), feed: Arc::new(feed) }));
                }
            }
            reader.abort();
        });
        Self { rx, reads }
    }

    /// Waits until the display shows `number` at window `window` (its number); answers when
    /// the display had it.
    async fn shown(&self, window: &str, number: &str, give_up: Duration) -> Option<Instant> {
        let mut rx = self.rx.clone();
        let deadline = Instant::now() + give_up;
        loop {
            if let Some(seen) = rx.borrow_and_update().clone() {
                let there = seen
                    .feed
                    .windows
                    .iter()
                    .any(|w| w.number == window && w.current.as_deref() == Some(number));
                if there {
                    return Some(seen.at);
                }
            }
            tokio::select! {
                r = rx.changed() => { if r.is_err() { return None } }
                _ = tokio::time::sleep_until(deadline) => return None,
            }
        }
    }
}

/// Reads the event stream over a plain HTTP/1.1 connection and sends `()` for every `call` event.
async fn read_sse(
    base: &str,
    token: &str,
    out: tokio::sync::mpsc::UnboundedSender<()>,
) -> Result<(), String> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let host = base.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let mut s =
        tokio::net::TcpStream::connect(&host).await.map_err(|e| format!("connecting to {host}: {e}"))?;
    s.set_nodelay(true).map_err(|e| e.to_string())?;
    let req = format!(
        "GET /api/v1/display/events HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut lines = BufReader::new(s).lines();
    let status = lines.next_line().await.map_err(|e| e.to_string())?.unwrap_or_default();
    if !status.contains(" 200") {
        return Err(format!("the server answered {status:?}: no display event stream on this server"));
    }
    while let Some(line) = lines.next_line().await.map_err(|e| e.to_string())? {
        if line.trim() == "event: call" && out.send(()).is_err() {
            break;
        }
    }
    Ok(())
}

#[derive(Default)]
struct Samples {
    kiosk_us: Vec<f64>,
    ack_us: Vec<f64>,
    display_us: Vec<f64>,
    rating_us: Vec<f64>,
    display_missed: u64,
    nothing_waiting: u64,
    errors: Vec<String>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One probe window's rounds until `stop`: kiosk ticket, call (and display), finish, rating.
#[allow(clippy::too_many_arguments)]
async fn probe(
    api: Api,
    kiosk: String,
    caller: String,
    pad: String,
    window_number: String,
    matter_id: String,
    display: Arc<DisplayWatch>,
    stop: CancellationToken,
) -> Samples {
    let mut s = Samples::default();
    // The pauses between a person's steps vary (100–199 ms here): fixed pauses would lock the
    // probe's calls to one phase of the display's polling and bias the figure.
    let mut seed = window_number
        .bytes()
        .fold(0x9e37_79b9_7f4a_7c15_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let mut pause = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        Duration::from_millis(100 + seed % 100)
    };
    while !stop.is_cancelled() {
        let t = Instant::now();
        let input = TakeTicket { matter_id: matter_id.clone(), class: PriorityClass::Normal, phone: None };
        match api.take_ticket(&kiosk, &input).await {
            Ok(_) => s.kiosk_us.push(ms(t.elapsed())),
            Err(e) => s.errors.push(format!("kiosk: {e}")),
        }
        let t = Instant::now();
        let called = match api.call_next(&caller).await {
            Ok(c) => c,
            // Another window serving the matter called the probe's ticket first: a round with
            // nothing to call (still an acknowledged action, timed like the others).
            Err(e) if e.code() == Some("queue.nothing_waiting") => {
                s.ack_us.push(ms(t.elapsed()));
                s.nothing_waiting += 1;
                tokio::time::sleep(pause()).await;
                continue;
            }
            Err(e) => {
                s.errors.push(format!("call next: {e}"));
                tokio::time::sleep(pause()).await;
                continue;
            }
        };
        s.ack_us.push(ms(t.elapsed()));
        match display.shown(&window_number, &called.number, Duration::from_secs(10)).await {
            Some(at) => s.display_us.push(ms(at.saturating_duration_since(t))),
            None => s.display_missed += 1,
        }
        // A short service, then finish and rate it.
        tokio::time::sleep(pause()).await;
        let t = Instant::now();
        match api.act(&caller, &called.id, Action::Finish).await {
            Ok(_) => s.ack_us.push(ms(t.elapsed())),
            Err(e) => {
                s.errors.push(format!("finish: {e}"));
                continue;
            }
        }
        let rating = RatingInput {
            ticket_id: called.id.clone(),
            level: RatingLevel::Satisfied,
            reasons: Vec::new(),
            comment: String::new(),
        };
        let t = Instant::now();
        match api.rate(&pad, &rating).await {
            Ok(_) => s.rating_us.push(ms(t.elapsed())),
            Err(e) => s.errors.push(format!("rating: {e}")),
        }
        tokio::time::sleep(pause()).await;
    }
    s
}

fn line(what: &str, xs: &[f64], p: f64, target: f64) -> (String, bool) {
    let pick = stats::percentile(xs, p).unwrap_or(f64::NAN);
    let ok = pick <= target;
    (
        format!(
            "| {what} | {} | {:.1} | {:.1} | p{p:.0} {pick:.1} | ≤ {target:.0} | {} |",
            xs.len(),
            stats::median(xs).unwrap_or(f64::NAN),
            stats::percentile(xs, 99.0).unwrap_or(f64::NAN),
            if ok { "ok" } else { "OVER" }
        ),
        ok,
    )
}

async fn bench() -> Result<(), BoxError> {
    let rate: f64 = cli::arg("--rate", 200.0);
    let seconds: f64 = cli::arg("--seconds", 30.0);
    let windows: usize = cli::arg("--windows", 200);
    let probes: usize = cli::arg("--probes", 2);
    let poll_ms: u64 = cli::arg("--poll-ms", 50);
    let service_ms: u64 = cli::arg("--service-ms", 500);
    // Not through cli::arg, which drops `_` (a digit separator there) from the value.
    let args: Vec<String> = std::env::args().collect();
    let postgres = args
        .iter()
        .position(|a| a == "--postgres")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_default();
    let display_mode: String = cli::arg("--display", "poll".to_owned());
    let json_path: String = cli::arg("--json", String::new());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());

    let backend = if postgres.is_empty() { Backend::Sqlite(None) } else { Backend::Postgres(postgres) };
    let server = BenchServer::start(&backend, threads).await?;
    let outcome = run(&server, rate, seconds, windows, probes, poll_ms, service_ms, &display_mode).await;
    server.stop().await;
    let (table, report, ok) = outcome?;
    println!("{table}");
    if !json_path.is_empty() {
        if let Some(dir) = std::path::Path::new(&json_path).parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&json_path, serde_json::to_string_pretty(&report)?)?;
    }
    if std::env::args().any(|a| a == "--strict") && !ok {
        return Err("a target was missed".into());
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn run(
    server: &BenchServer,
    rate: f64,
    seconds: f64,
    windows: usize,
    probes: usize,
    poll_ms: u64,
    service_ms: u64,
    display_mode: &str,
) -> Result<(String, serde_json::Value, bool), BoxError> {
    let base = format!("http://{}", server.addr);
    let admin = Api::new(&base)?;
    admin.health().await?;
    let mut so = SetupOptions::new(&base, ADMIN);
    so.hall_id = server.hall_id("hall-frontline");
    so.hall_name = "前台压力测试大厅".into();
    so.windows = windows;
    so.kiosks = 4;
    let prepared = setup(&admin, &so).await?;
    let model = Arc::new(HallModel::from_config(&prepared.config, 1)?);
    let display_token = prepared.devices.display.as_ref().ok_or("the hall has no display")?.token.clone();

    // Probe windows: the last dedicated windows that serve a matter of their own.
    let mut probe_windows: Vec<usize> = (0..model.windows.len())
        .rev()
        .filter(|&w| {
            !model.windows[w].matters.is_empty() && prepared.devices.pads.contains_key(&model.windows[w].id)
        })
        .take(probes.max(1))
        .collect();
    probe_windows.sort_unstable();

    let stop_load = CancellationToken::new();
    let mut load = JoinSet::new();
    // Background callers (every window but the probes), as the server bench's.
    let caller_api = Api::new(&base)?;
    let wake: Arc<Vec<Notify>> = Arc::new((0..model.windows.len()).map(|_| Notify::new()).collect());
    for (w, win) in model.windows.iter().enumerate() {
        if probe_windows.contains(&w) {
            continue;
        }
        let Some(token) = prepared.devices.callers.get(&win.id).map(|t| t.token.clone()) else { continue };
        let (api, wake, stop) = (caller_api.clone(), wake.clone(), stop_load.clone());
        let service = Duration::from_millis(service_ms);
        load.spawn(async move {
            while !stop.is_cancelled() {
                match api.call_next(&token).await {
                    Ok(t) => {
                        tokio::select! { _ = tokio::time::sleep(service) => {} _ = stop.cancelled() => break }
                        let _ = api.act(&token, &t.id, Action::Finish).await;
                    }
                    Err(_) => {
                        tokio::select! {
                            _ = wake[w].notified() => {}
                            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                            _ = stop.cancelled() => break,
                        }
                    }
                }
            }
        });
    }
    // Background kiosks: one issue per scheduled instant (open loop).
    let kiosk_api = Api::new(&base)?;
    let kiosks: Vec<String> = prepared.devices.kiosks.iter().map(|k| k.token.clone()).collect();
    let issued = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    {
        let (api, kiosks, model, wake, stop) =
            (kiosk_api.clone(), kiosks.clone(), model.clone(), wake.clone(), stop_load.clone());
        let (issued, failed) = (issued.clone(), failed.clone());
        load.spawn(async move {
            let mut rng = rng_for(1, "frontline background kiosk");
            let t0 = Instant::now();
            let mut sent = JoinSet::new();
            for i in 0u64.. {
                let at = t0 + Duration::from_secs_f64(i as f64 / rate);
                tokio::select! { _ = tokio::time::sleep_until(at) => {} _ = stop.cancelled() => break }
                let (m, input) = ticket_input(&model, &mut rng);
                let (api, token, model, wake) =
                    (api.clone(), kiosks[i as usize % kiosks.len()].clone(), model.clone(), wake.clone());
                let (issued, failed) = (issued.clone(), failed.clone());
                sent.spawn(async move {
                    if api.take_ticket(&token, &input).await.is_ok() {
                        issued.fetch_add(1, Ordering::Relaxed);
                        for &w in &model.windows_of_matter[m] {
                            wake[w].notify_one();
                        }
                    } else {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                });
                while sent.try_join_next().is_some() {}
            }
            while sent.join_next().await.is_some() {}
        });
    }

    // The display and the probes.
    let display_api = Api::new(&base)?;
    let display = Arc::new(match display_mode {
        "sse" => DisplayWatch::sse(display_api, display_token, stop_load.clone()),
        _ => {
            DisplayWatch::poll(display_api, display_token, Duration::from_millis(poll_ms), stop_load.clone())
        }
    });
    // Let the load settle (callers busy, queues filling) before measuring.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let stop_probes = CancellationToken::new();
    let mut probing = JoinSet::new();
    let probe_api = Api::new(&base)?;
    for &w in &probe_windows {
        let win = &model.windows[w];
        let caller =
            prepared.devices.callers.get(&win.id).ok_or("probe window without a caller")?.token.clone();
        let pad = prepared.devices.pads.get(&win.id).ok_or("probe window without a pad")?.token.clone();
        let matter_id = model.matters[win.matters[0]].id.clone();
        probing.spawn(probe(
            probe_api.clone(),
            kiosks[0].clone(),
            caller,
            pad,
            win.number.clone(),
            matter_id,
            display.clone(),
            stop_probes.clone(),
        ));
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    stop_probes.cancel();
    let mut all = Samples::default();
    while let Some(s) = probing.join_next().await {
        let s = s?;
        all.kiosk_us.extend(s.kiosk_us);
        all.ack_us.extend(s.ack_us);
        all.display_us.extend(s.display_us);
        all.rating_us.extend(s.rating_us);
        all.display_missed += s.display_missed;
        all.nothing_waiting += s.nothing_waiting;
        all.errors.extend(s.errors);
    }
    let took = started.elapsed().as_secs_f64() + 2.0;
    stop_load.cancel();
    while load.join_next().await.is_some() {}

    let background_rate = issued.load(Ordering::Relaxed) as f64 / took;
    let background_ack: Vec<f64> =
        caller_api.tally().latencies_us().iter().map(|&us| f64::from(us) / 1000.0).collect();
    let rows = [
        line("kiosk tap → ticket (POST /kiosk/tickets)", &all.kiosk_us, 95.0, KIOSK_P95_MS),
        line("terminal action acknowledged (call next, finish)", &all.ack_us, 95.0, ACK_P95_MS),
        line(
            &format!(
                "call → on the display ({})",
                if display_mode == "sse" {
                    "event stream + GET".to_owned()
                } else {
                    format!("GET /display every {poll_ms} ms")
                }
            ),
            &all.display_us,
            95.0,
            DISPLAY_P95_MS,
        ),
        line("rating stored (POST /pad/ratings)", &all.rating_us, 99.0, RATING_P99_MS),
        line("background callers' actions, all other windows", &background_ack, 95.0, ACK_P95_MS),
    ];
    let ok = rows.iter().all(|(_, ok)| *ok) && all.display_missed == 0;
    let mut table = format!(
        "front line under load: {} windows, background {rate:.0} req/s target ({background_rate:.1} achieved, {} refused), \
         {} probe windows, {} display reads, build {}\n\n\
         | what | n | p50 ms | p99 ms | measured | target | |\n|---|---|---|---|---|---|---|\n",
        model.windows.len(),
        failed.load(Ordering::Relaxed),
        probe_windows.len(),
        display.reads.load(Ordering::Relaxed),
        if cfg!(debug_assertions) { "debug" } else { "release" },
    );
    for (r, _) in &rows {
        table.push_str(r);
        table.push('\n');
    }
    if all.display_missed > 0 {
        table.push_str(&format!("\n{} calls never seen on the display within 10 s\n", all.display_missed));
    }
    if all.nothing_waiting > 0 {
        table.push_str(&format!(
            "\n{} probe rounds found nothing to call (another window had called the ticket)\n",
            all.nothing_waiting
        ));
    }
    if !all.errors.is_empty() {
        table.push_str(&format!("\n{} probe errors, first: {}\n", all.errors.len(), all.errors[0]));
    }
    let p = |xs: &[f64], q: f64| stats::percentile(xs, q);
    let report = json!({
        "at": chrono::Utc::now().to_rfc3339(),
        "build": if cfg!(debug_assertions) { "debug" } else { "release" },
        "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "windows": model.windows.len(),
        "rateTarget": rate,
        "backgroundRate": background_rate,
        "display": display_mode,
        "pollMs": poll_ms,
        "kioskMs": { "n": all.kiosk_us.len(), "p50": p(&all.kiosk_us, 50.0), "p95": p(&all.kiosk_us, 95.0), "p99": p(&all.kiosk_us, 99.0) },
        "ackMs": { "n": all.ack_us.len(), "p50": p(&all.ack_us, 50.0), "p95": p(&all.ack_us, 95.0), "p99": p(&all.ack_us, 99.0) },
        "displayMs": { "n": all.display_us.len(), "p50": p(&all.display_us, 50.0), "p95": p(&all.display_us, 95.0), "p99": p(&all.display_us, 99.0), "missed": all.display_missed },
        "ratingMs": { "n": all.rating_us.len(), "p50": p(&all.rating_us, 50.0), "p95": p(&all.rating_us, 95.0), "p99": p(&all.rating_us, 99.0) },
        "backgroundCallerMs": { "n": background_ack.len(), "p50": p(&background_ack, 50.0), "p95": p(&background_ack, 95.0), "p99": p(&background_ack, 99.0) },
        "kioskMinMs": stats::min(&all.kiosk_us),
        "nothingWaiting": all.nothing_waiting,
        "probeErrors": all.errors.len(),
        "ok": ok,
    });
    Ok((table, report, ok))
}

fn main() {
    cli::run("front-line", bench());
}
