//! `hallkeeper-dashboard-bench` (issue 6): the live dashboard in the real app, against a real
//! server on loopback, measured from outside.
//!
//! 1. **Server event → tile**: a quiet hall; the bench takes tickets at the kiosk one by one.
//!    A MutationObserver placed in the page (through WebDriver, before measuring) stamps
//!    `Date.now()` each time the totals strip changes; a ticket's latency is from just before
//!    its kiosk request to the first stamp whose "issued today" count includes it. The path is
//!    the whole product: server log → "pull now" stream → pull → store → dashboard feed →
//!    `dashboard` event → render. Target p95 ≤ 500 ms.
//! 2. **CPU**: a hall of 200 windows kept busy by the simulator (kiosks, callers, rating pads at
//!    `--speed` × real time, in this process), the app showing 总览; the CPU time of the app and
//!    its WebKit processes over `--seconds`, as a share of one core. Target ≤ 5 %. The server
//!    and the simulator run in this process, so their work is not counted.
//!
//! 3. Optional, `--breakdown S`: S seconds per phase with parts of the page hidden (or other
//!    CSS and JS, `--phases FILE`), on live traffic or, with `--replay`, on a recording of it
//!    replayed at a fixed rate. `HALLKEEPER_BENCH_PHASE_LOG=FILE` logs each phase's span on
//!    CLOCK_MONOTONIC, to cut a `perf record -k mono` profile of the run into phases.
//!
//! xvfb-run -a dbus-run-session -- hallkeeper-dashboard-bench [--tickets N] [--seconds S] [--speed X]
//!     [--breakdown S [--phases FILE] [--replay]]

// Shared with the startup bench; this one uses a part of each.
mod cli;
use cli::arg;
#[allow(dead_code)]
mod procfs;
#[allow(dead_code)]
mod stats;

use hallkeeper_client::{Endpoint, SyncClient};
use hallkeeper_core::proto::{PriorityClass, TakeTicket};
use hallkeeper_core::{Store, SystemClock};
use hallkeeper_e2e::Harness;
use hallkeeper_server::storage::sqlite::SqliteStorage;
use hallkeeper_server::{start, system_now, AppState};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const HALL: &str = "bench-hall";
const ADMIN: &str = "bench-admin-token-0123456789";
const WINDOWS: usize = 200;
/// The page side of `--replay` (recording and replaying the feed's updates).
const REPLAY_JS: &str = include_str!("dashboard_replay.js");

fn unix_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Clock ticks of the process tree (user + system), from /proc/<pid>/stat.
fn cpu_ticks(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .filter_map(|stat| {
            // Fields after the parenthesised name; utime and stime are the 14th and 15th.
            let rest = stat.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .sum()
}

fn app_pid(data_dir: &str) -> Option<u32> {
    let entries = std::fs::read_dir("/proc").ok()?;
    entries.flatten().filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok()).find(|pid| {
        std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|c| {
                let args: Vec<&[u8]> = c.split(|b| *b == 0).collect();
                args.first().is_some_and(|a| a.ends_with(b"hallkeeper"))
                    && args.iter().any(|a| *a == data_dir.as_bytes())
            })
            .unwrap_or(false)
    })
}

fn main() {
    cli::run("dashboard", run());
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let tickets: usize = arg("--tickets", 60);
    let seconds: u64 = arg("--seconds", 60);
    let speed: f64 = arg("--speed", 20.0);
    let work = tempfile::tempdir()?;

    // The server, in this process.
    let storage = SqliteStorage::open(&work.path().join("server.db"))?;
    let state = Arc::new(AppState::new(Arc::new(storage), system_now()).with_break_glass_token(ADMIN));
    let running = start(([127, 0, 0, 1], 0).into(), state).await?;
    let base = format!("http://{}", running.addr);
    let api = hallkeeper_sim::Api::new(&base)?;
    let setup = hallkeeper_sim::SetupOptions {
        server: base.clone(),
        admin_token: ADMIN.into(),
        hall_id: HALL.into(),
        hall_name: "基准大厅".into(),
        windows: WINDOWS,
        catalog: None,
        kiosks: 1,
        state_file: Some(work.path().join("sim-state.json")),
    };
    let prepared = hallkeeper_sim::setup(&api, &setup).await?;
    // The same hall as the supervisor's rows, synced up from a desktop store, so the app pulls
    // it like any desktop joining a hall.
    {
        let seeder = Arc::new(Store::open_in_dir(&work.path().join("seeder"), Arc::new(SystemClock))?);
        seeder.seed_hall("bench", &prepared.config)?;
        let endpoint = Endpoint { base_url: base.clone(), hall_id: HALL.into(), admin_token: ADMIN.into() };
        SyncClient::new(seeder, endpoint).sync_now().await?;
    }

    // The app, through the e2e harness (tauri-driver + WebKitWebDriver).
    std::env::set_var("HALLKEEPER_ADMIN_TOKEN", ADMIN);
    let h = Harness::start_with_args("dashboard_bench", &["--server", &base, "--hall", HALL]).await;
    let outcome = measure(&h, &api, &prepared, &setup, tickets, seconds, speed).await;
    let report = match outcome {
        Ok(r) => r,
        Err(e) => {
            h.finish(Err(anyhow::anyhow!("{e}"))).await;
            return Err("the bench failed; the harness kept its artifacts".into());
        }
    };
    h.finish(Ok(())).await;
    running.stop().await?;
    println!("{report}");
    Ok(())
}

async fn measure(
    h: &Harness,
    api: &hallkeeper_sim::Api,
    prepared: &hallkeeper_sim::Prepared,
    setup: &hallkeeper_sim::SetupOptions,
    tickets: usize,
    seconds: u64,
    speed: f64,
) -> Result<String, Box<dyn std::error::Error>> {
    // The dashboard with every window.
    let started = Instant::now();
    loop {
        let tiles = h.find_all("dashboard-tile").await.map(|t| t.len()).unwrap_or(0);
        if tiles == WINDOWS {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            return Err(format!("the dashboard shows {tiles} tiles, expected {WINDOWS}").into());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // 1. Latency on a quiet hall.
    h.wd()
        .execute(
            r#"window.__stamps = [];
               const el = document.querySelector('[data-testid="dashboard-totals"]');
               window.__stampObserver = new MutationObserver(() => window.__stamps.push([Date.now(), el.innerText]));
               window.__stampObserver.observe(el, { subtree: true, childList: true, characterData: true });"#,
            Vec::new(),
        )
        .await?;
    let kiosk = prepared.devices.kiosks.first().ok_or("no kiosk")?.token.clone();
    let matter = prepared
        .config
        .matters
        .iter()
        .find(|m| prepared.config.bindings.iter().any(|b| b.matter_id == m.id))
        .ok_or("no bound matter")?
        .id
        .clone();
    let mut sent = Vec::with_capacity(tickets);
    for i in 0..tickets {
        let t0 = unix_ms();
        api.take_ticket(
            &kiosk,
            &TakeTicket { matter_id: matter.clone(), class: PriorityClass::Normal, phone: None },
        )
        .await?;
        sent.push((i + 1, t0));
        // 200–600 ms apart, varied so the feed's coalescing is met at every phase.
        tokio::time::sleep(Duration::from_millis(200 + (i as u64 * 137) % 400)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    // The observer reads innerText (a forced layout) on every change: stop it before CPU is
    // measured, or the bench's own probe is counted as the page's cost.
    let stamps =
        h.wd().execute("window.__stampObserver.disconnect(); return window.__stamps;", Vec::new()).await?;
    let stamps: Vec<(f64, String)> = serde_json::from_value(stamps.json().clone())?;
    // "今日取号 N" (zh-CN) or "N tickets today" (en-US) in the totals strip.
    let issued = |text: &str| -> Option<usize> {
        let digits: String = if let Some(at) = text.find("今日取号") {
            text[at..]
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(|c| c.is_ascii_digit())
                .collect()
        } else {
            let at = text.find("tickets today")?;
            let before: String =
                text[..at].trim_end().chars().rev().take_while(|c| c.is_ascii_digit()).collect();
            before.chars().rev().collect()
        };
        digits.parse().ok()
    };
    let mut latencies = Vec::new();
    for (n, t0) in &sent {
        if let Some((at, _)) = stamps.iter().find(|(_, text)| issued(text).is_some_and(|k| k >= *n)) {
            latencies.push(at - t0);
        }
    }
    if latencies.len() != sent.len() {
        return Err(
            format!("{} of {} tickets were seen on the dashboard", latencies.len(), sent.len()).into()
        );
    }

    // 2. CPU under a busy hall.
    let data_dir = h.data_dir().to_string_lossy().into_owned();
    let pid = app_pid(&data_dir).ok_or("the app's process was not found")?;
    // What the dashboard costs with nothing happening (timers, animation loops), for comparison.
    let (cpu_quiet, breakdown_quiet) = cpu_share(pid, 20).await;
    let cancel = hallkeeper_sim::CancellationToken::new();
    let sim = hallkeeper_sim::SimOptions {
        server: setup.server.clone(),
        admin_token: Some(ADMIN.into()),
        hall_id: HALL.into(),
        windows: WINDOWS,
        speed,
        state_file: setup.state_file.clone(),
        ..hallkeeper_sim::SimOptions::default()
    };
    let sim_task = tokio::spawn(hallkeeper_sim::run_day(sim, cancel.clone()));
    tokio::time::sleep(Duration::from_secs(10)).await; // the day under way
    let events_before = h.data_dir().join("hallkeeper.db");
    let count_events = |p: &std::path::Path| -> i64 {
        rusqlite::Connection::open(p)
            .and_then(|c| c.query_row("SELECT count(*) FROM ticket_events", [], |r| r.get(0)))
            .unwrap_or(0)
    };
    let e0 = count_events(&events_before);
    let perf0 = page_perf(h).await?;
    let w0 = Instant::now();
    let (cpu, breakdown) = cpu_share(pid, seconds).await;
    let perf1 = page_perf(h).await?;
    let updates = perf1.0 - perf0.0;
    let render_ms = if updates > 0.0 { (perf1.1 - perf0.1) / updates } else { f64::NAN };
    let wall = w0.elapsed().as_secs_f64();
    let e1 = count_events(&events_before);
    // Optional: what each part of the page costs, each hidden in turn (`display: none` skips its
    // style, layout and paint; Vue still patches it), under the same traffic.
    let mut parts = String::new();
    let part_secs: u64 = arg("--breakdown", 0);
    if part_secs > 0 {
        const TILES: &str = r#"[data-testid="dashboard-tiles"] .tiles"#;
        const HIDE_ALL: &str = r#"[data-testid="dashboard-tiles"] .tiles, [data-testid="dashboard-matters"], [data-testid="chart-waiting"], [data-testid="chart-hours"], [data-testid="dashboard-alerts"], [data-testid="dashboard-suggestions"] { display: none !important; }"#;
        let hide = |selector: &str| format!("{selector} {{ display: none !important; }}");
        // (what, CSS injected, the matter table scrolled into view instead of the top)
        let phases: Vec<(&str, String, bool)> = vec![
            ("nothing hidden", String::new(), false),
            ("tiles hidden", hide(TILES), false),
            (
                "tiles laid out but not painted",
                format!("{TILES} {{ visibility: hidden !important; }}"),
                false,
            ),
            ("tiles scrolled out of view", String::new(), true),
            ("matter table hidden", hide(r#"[data-testid="dashboard-matters"]"#), false),
            ("charts hidden", hide(r#"[data-testid="chart-waiting"], [data-testid="chart-hours"]"#), false),
            (
                "alerts and suggestions hidden",
                hide(r#"[data-testid="dashboard-alerts"], [data-testid="dashboard-suggestions"]"#),
                false,
            ),
            ("all but the totals hidden", HIDE_ALL.to_owned(), false),
        ];
        let phases: Vec<(&str, String, bool, String)> =
            phases.into_iter().map(|(n, c, s)| (n, c, s, String::new())).collect();
        // `--phases FILE`: other phases, one a line: `what<TAB>CSS<TAB>JS` (CSS and JS may be
        // empty; the JS runs in the page as the phase starts, e.g. to stop following the feed).
        let phases = match std::env::args().skip_while(|a| a != "--phases").nth(1) {
            Some(path) => std::fs::read_to_string(&path)?
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let mut f = l.splitn(3, '\t');
                    let name = f.next().unwrap_or_default();
                    let css = f.next().unwrap_or_default();
                    let js = f.next().unwrap_or_default();
                    (&*name.to_owned().leak(), css.to_owned(), false, js.to_owned())
                })
                .collect(),
            None => phases,
        };
        // `--replay`: a first phase records the feed's updates, every phase then runs on a replay
        // of them (2 a second), and a last one with the replay stopped is the floor.
        let phases = if std::env::args().any(|a| a == "--replay") {
            let js = |cmd: &str| format!("const cmd = '{cmd}';\n{REPLAY_JS}");
            std::iter::once(("record (following the feed)", String::new(), false, js("record")))
                .chain(
                    phases
                        .into_iter()
                        .map(|(n, c, s, j)| (n, c, s, if j.is_empty() { js("play") } else { j })),
                )
                .chain(std::iter::once(("replay stopped", String::new(), false, js("stop"))))
                .collect()
        } else {
            phases
        };
        parts.push_str(
            "\n\n| part of the page | CPU | page updates | WebKit per update | events/s | WebKit per event |\n|---|---|---|---|---|---|\n",
        );
        for (name, css, scrolled, js) in phases {
            if !js.is_empty() {
                h.wd().execute(&js, Vec::new()).await?;
            }
            let scroll = if scrolled { "dashboard-matters" } else { "dashboard-view" };
            h.wd()
                .execute(
                    "document.querySelector(`[data-testid=\"${arguments[0]}\"]`).scrollIntoView();
                     let s = document.getElementById('hk-bench-hide');
                     if (!s) { s = document.createElement('style'); s.id = 'hk-bench-hide'; document.head.appendChild(s); }
                     s.textContent = arguments[1];",
                    vec![serde_json::Value::String(scroll.into()), serde_json::Value::String(css)],
                )
                .await?;
            tokio::time::sleep(Duration::from_secs(2)).await;
            let (e0, p0, t0) = (count_events(&events_before), page_perf(h).await?, Instant::now());
            let started = monotonic_secs();
            let (cpu, breakdown, webkit) = cpu_share_split(pid, part_secs).await;
            // `HALLKEEPER_BENCH_PHASE_LOG=FILE`: each phase's span on CLOCK_MONOTONIC (perf's
            // clock with `perf record -k mono`), to read a profile of the whole run phase by phase.
            if let Some(log) = std::env::var_os("HALLKEEPER_BENCH_PHASE_LOG") {
                use std::io::Write;
                if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(log) {
                    let _ = writeln!(f, "{started:.3}\t{:.3}\t{name}", monotonic_secs());
                }
            }
            let (e1, p1, secs) =
                (count_events(&events_before), page_perf(h).await?, t0.elapsed().as_secs_f64());
            let n = p1.0 - p0.0;
            parts.push_str(&format!(
                "| {name} | {cpu:.1} % ({breakdown}) | {:.2}/s, Vue {:.1} ms each | {:.0} ms | {:.1} | {:.1} ms |\n",
                n / secs,
                if n > 0.0 { (p1.1 - p0.1) / n } else { f64::NAN },
                if n > 0.0 { webkit * 10.0 * secs / n } else { f64::NAN },
                (e1 - e0) as f64 / secs,
                if e1 > e0 { webkit * 10.0 * secs / (e1 - e0) as f64 } else { f64::NAN },
            ));
        }
        h.wd().execute("document.getElementById('hk-bench-hide')?.remove()", Vec::new()).await?;
    }
    // The same traffic with another page on screen (settings): what the rest of the app costs
    // (sync, the header's indicator, the feed with nobody listening), so the dashboard's own
    // share can be read off.
    h.wd().execute("location.hash = '#/settings'", Vec::new()).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (cpu_elsewhere, breakdown_elsewhere) = cpu_share(pid, seconds).await;
    cancel.cancel();
    let _ = sim_task.await;

    latencies.sort_by(f64::total_cmp);
    let p = |q| stats::percentile(&latencies, q).unwrap_or(f64::NAN);
    Ok(format!(
        "## Dashboard benchmark ({WINDOWS} windows)\n\n\
         | measure | value | target |\n|---|---|---|\n\
         | kiosk ticket → dashboard re-rendered ({} tickets, quiet hall) | p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms | p95 ≤ 500 ms |\n\
         | app CPU (app + WebKit processes) over {:.0} s, busy hall | {:.1} % of one core ({breakdown}) | ≤ 5 % |\n\
         | the same on a quiet hall (no traffic, 20 s) | {cpu_quiet:.1} % of one core ({breakdown_quiet}) | — |\n\
         | updates the page applied | {updates:.0} ({:.2}/s), Vue render {render_ms:.1} ms each | — |\n\
         | the same with 设置 on screen instead | {cpu_elsewhere:.1} % of one core ({breakdown_elsewhere}) | — |\n\
         | hall traffic during the CPU window | {:.1} ticket events/s reaching the desktop ({} events) | — |{parts}",
        latencies.len(),
        p(50.0),
        p(95.0),
        latencies.last().copied().unwrap_or(f64::NAN),
        wall,
        cpu,
        updates / wall,
        (e1 - e0) as f64 / wall,
        e1 - e0
    ))
}

/// The page's own count of dashboard updates applied and the milliseconds Vue spent on them.
async fn page_perf(h: &Harness) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let v = h
        .wd()
        .execute(
            "const p = window.__hkDashboardPerf || {updates: 0, renderMs: 0}; return [p.updates, p.renderMs];",
            Vec::new(),
        )
        .await?;
    let (n, ms): (f64, f64) = serde_json::from_value(v.json().clone())?;
    Ok((n, ms))
}

/// CPU time of the app and its WebKit processes over `seconds`, as a share of one core, and
/// which process spent it: the app (Rust: sync, dashboard, IPC) or WebKit (the page).
async fn cpu_share(pid: u32, seconds: u64) -> (f64, String) {
    let (total, breakdown, _) = cpu_share_split(pid, seconds).await;
    (total, breakdown)
}

/// [`cpu_share`], and the WebKit processes' part of it on its own.
async fn cpu_share_split(pid: u32, seconds: u64) -> (f64, String, f64) {
    let pids = procfs::tree(pid);
    let c0 = cpu_ticks(&pids);
    let per0: Vec<(u32, u64)> = pids.iter().map(|p| (*p, cpu_ticks(&[*p]))).collect();
    let w0 = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let pids = procfs::tree(pid);
    let c1 = cpu_ticks(&pids);
    let wall = w0.elapsed().as_secs_f64();
    let mut by_name: std::collections::BTreeMap<String, f64> = std::collections::BTreeMap::new();
    for (p, name) in procfs::names(&pids) {
        let before = per0.iter().find(|(q, _)| *q == p).map_or(0, |(_, t)| *t);
        let share = cpu_ticks(&[p]).saturating_sub(before) as f64 / clock_ticks() / wall * 100.0;
        *by_name.entry(name).or_default() += share;
    }
    let breakdown = by_name.iter().map(|(n, s)| format!("{n} {s:.1} %")).collect::<Vec<_>>().join(", ");
    let webkit = by_name.iter().filter(|(n, _)| n.starts_with("WebKit")).map(|(_, s)| s).sum();
    ((c1.saturating_sub(c0)) as f64 / clock_ticks() / wall * 100.0, breakdown, webkit)
}

/// Seconds on CLOCK_MONOTONIC.
fn monotonic_secs() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

/// Clock ticks per second (sysconf).
fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}
