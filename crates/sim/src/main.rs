//! `hallkeeper-sim`: a day in a hall against a running server, or the server's load bench.
//! Logs go to stderr (`HALLKEEPER_LOG` or `RUST_LOG` filter); the report to stdout.

use hallkeeper_sim::bench::{self, Backend, BenchOptions, BenchReport};
use hallkeeper_sim::curve;
use hallkeeper_sim::sweep::{self, Case, SweepOptions, SweepReport};
use hallkeeper_sim::{run_day, CancellationToken, SimError, SimOptions, SimReport};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

const USAGE: &str = "usage:
  hallkeeper-sim [OPTIONS]               simulate a day in a hall on a running server
  hallkeeper-sim bench [OPTIONS]         load bench of an in-process server
  hallkeeper-sim bench-summary FILE...   one table of bench JSON reports
  hallkeeper-sim sweep [OPTIONS]         the bench's sweep: waiting counts, connections, halls

A day (the hall is set up first if it does not exist):
  --server URL            the server (default http://127.0.0.1:8720)
  --admin-token TOKEN     admin token (or HALLKEEPER_ADMIN_TOKEN); needed to set up and check the hall
  --hall ID               hall id (default hall-sim); --hall-name NAME its name
  --setup                 push the catalog configuration even if the hall already has one
  --windows N             windows of a hall built from the catalog (default 20)
  --catalog FILE          catalog export (CSV, XLSX, JSON; default: the built-in sample catalog)
  --kiosks N              kiosks to register (default 1)
  --state FILE            keep device tokens here and reuse them on the next run
  --speed X               hall seconds per wall second (default 1; 1440 = a day in a minute)
  --tickets-per-hour N    average arrivals per open hour (default 100; a day brings 8x that)
  --start HH:MM|now       hall time to start at (default 9:00; now = the current UTC+8 time)
  --duration D            stop after this much wall time (90s, 10m, 1h)
  --max-tickets N         stop taking tickets after N
  --seed N                random seed (default 1): the same seed makes the same arrivals
  --json FILE             also write the report as JSON

The bench (the server in-process on 127.0.0.1):
  --sqlite PATH | --postgres URL   storage (default: SQLite in a temporary folder)
  --rate N                ticket issues per second (default 200)
  --seconds N             how long to issue (default 30)
  --windows N             windows, each with a caller calling and finishing (default 200)
  --kiosks N              kiosks the tickets come from (default 4)
  --service-ms N          each window's service time, wall clock (default 500)
  --concurrency N         ticket requests in flight at most (default 512)
  --server-threads N      worker threads of the server (default: the CPUs)
  --seed N, --json FILE

The sweep (the server in-process, a fresh store per case; every phase bounded in time):
  --sqlite PATH | --postgres URL   storage (default: SQLite in a temporary folder)
  --cases LIST            of waiting,connections,one,halls (default all)
  --waiting LIST          waiting counts of one hall (default 0,1000,5000,10000,20000)
  --windows N             windows of that hall (default 20)
  --rate N                issues per second while measuring a count, calls at the same rate (default 100)
  --seconds N             how long each open-loop point is measured (default 5)
  --fill-seconds N        time bound of each fill and of the closed-loop cases (default 40)
  --fill-concurrency N    issues in flight while filling (default 16)
  --connections N         clients of the connections case (default 8), growing
  --grow FROM,TO          the queue between these counts (default 2000,4000)
  --one-tickets N         tickets of the one-connection case (default 2000)
  --halls LIST            hall counts (default 1,10,100); --hall-windows N each (default 10)
  --halls-rate N          issues per second over all halls, calls at the same rate (default 200)
  --server-threads N, --seed N, --json FILE

Ctrl-C stops a run (twice: at once). Simulated time only paces the sim: the server stamps
events with its own clock, so an accelerated day's waits look compressed on the server.";

fn init_logs(default: &str) {
    let filter = std::env::var("HALLKEEPER_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| default.into());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("bench") => bench_main(&args[1..]).await,
        Some("bench-summary") => summary_main(&args[1..]),
        Some("sweep") => sweep_main(&args[1..]).await,
        _ => day_main(&args).await,
    };
    std::process::exit(code);
}

fn usage_error(msg: &str) -> i32 {
    eprintln!("hallkeeper-sim: {msg}\n\n{USAGE}");
    2
}

/// Cancelled on the first Ctrl-C; the second exits at once.
fn ctrl_c() -> CancellationToken {
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("hallkeeper-sim: stopping (Ctrl-C again to quit at once)");
            c.cancel();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    cancel
}

fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let (num, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let n: f64 = num.parse().ok().filter(|n: &f64| n.is_finite() && *n > 0.0)?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(secs))
}

fn now_in_hall() -> f64 {
    let t = chrono::Utc::now() + chrono::Duration::hours(8);
    f64::from(chrono::Timelike::num_seconds_from_midnight(&t))
}

struct Args<'a> {
    it: std::slice::Iter<'a, String>,
}

impl<'a> Args<'a> {
    fn value(&mut self, flag: &str) -> Result<&'a str, String> {
        self.it.next().map(String::as_str).ok_or_else(|| format!("{flag} needs a value"))
    }

    fn parse<T: std::str::FromStr>(&mut self, flag: &str) -> Result<T, String> {
        let v = self.value(flag)?;
        v.parse().map_err(|_| format!("{flag}: {v:?} is not valid"))
    }
}

fn parse_day(args: &[String]) -> Result<Option<(SimOptions, Option<PathBuf>)>, String> {
    let mut o =
        SimOptions { admin_token: std::env::var("HALLKEEPER_ADMIN_TOKEN").ok(), ..SimOptions::default() };
    let mut json = None;
    let mut a = Args { it: args.iter() };
    while let Some(flag) = a.it.next() {
        match flag.as_str() {
            "--server" => o.server = a.value(flag)?.to_owned(),
            "--admin-token" => o.admin_token = Some(a.value(flag)?.to_owned()),
            "--hall" => o.hall_id = a.value(flag)?.to_owned(),
            "--hall-name" => o.hall_name = a.value(flag)?.to_owned(),
            "--setup" => o.force_setup = true,
            "--windows" => o.windows = a.parse(flag)?,
            "--catalog" => o.catalog = Some(PathBuf::from(a.value(flag)?)),
            "--kiosks" => o.kiosks = a.parse(flag)?,
            "--state" => o.state_file = Some(PathBuf::from(a.value(flag)?)),
            "--speed" => o.speed = a.parse(flag)?,
            "--tickets-per-hour" => o.tickets_per_hour = a.parse(flag)?,
            "--start" => {
                let v = a.value(flag)?;
                o.start = if v == "now" {
                    now_in_hall()
                } else {
                    curve::parse_clock(v).ok_or_else(|| format!("--start: {v:?} is not HH:MM"))?
                };
            }
            "--duration" => {
                let v = a.value(flag)?;
                o.duration = Some(
                    parse_duration(v).ok_or_else(|| format!("--duration: {v:?} is not like 90s, 10m, 1h"))?,
                );
            }
            "--max-tickets" => o.max_tickets = Some(a.parse(flag)?),
            "--seed" => o.seed = a.parse(flag)?,
            "--json" => json = Some(PathBuf::from(a.value(flag)?)),
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some((o, json)))
}

fn parse_bench(args: &[String]) -> Result<Option<(BenchOptions, Option<PathBuf>)>, String> {
    let mut o = BenchOptions::default();
    let mut json = None;
    let mut a = Args { it: args.iter() };
    while let Some(flag) = a.it.next() {
        match flag.as_str() {
            "--sqlite" => o.backend = Backend::Sqlite(Some(PathBuf::from(a.value(flag)?))),
            "--postgres" => o.backend = Backend::Postgres(a.value(flag)?.to_owned()),
            "--rate" => o.rate = a.parse(flag)?,
            "--seconds" => o.seconds = a.parse(flag)?,
            "--windows" => o.windows = a.parse(flag)?,
            "--kiosks" => o.kiosks = a.parse(flag)?,
            "--service-ms" => o.service_ms = a.parse(flag)?,
            "--concurrency" => o.max_in_flight = a.parse(flag)?,
            "--server-threads" => o.server_threads = a.parse(flag)?,
            "--drain-seconds" => o.drain_seconds = a.parse(flag)?,
            "--seed" => o.seed = a.parse(flag)?,
            "--json" => json = Some(PathBuf::from(a.value(flag)?)),
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some((o, json)))
}

fn parse_list<T: std::str::FromStr>(flag: &str, text: &str) -> Result<Vec<T>, String> {
    text.split(',').map(|v| v.trim().parse().map_err(|_| format!("{flag}: {v:?} is not valid"))).collect()
}

fn parse_sweep(args: &[String]) -> Result<Option<(SweepOptions, Option<PathBuf>)>, String> {
    let mut o = SweepOptions::default();
    let mut json = None;
    let mut a = Args { it: args.iter() };
    while let Some(flag) = a.it.next() {
        match flag.as_str() {
            "--sqlite" => o.backend = Backend::Sqlite(Some(PathBuf::from(a.value(flag)?))),
            "--postgres" => o.backend = Backend::Postgres(a.value(flag)?.to_owned()),
            "--cases" => {
                let v = a.value(flag)?;
                o.cases = v
                    .split(',')
                    .map(|c| Case::parse(c.trim()).ok_or_else(|| format!("--cases: {c:?} is not a case")))
                    .collect::<Result<_, _>>()?;
            }
            "--waiting" => o.waiting = parse_list(flag, a.value(flag)?)?,
            "--windows" => o.windows = a.parse(flag)?,
            "--rate" => o.rate = a.parse(flag)?,
            "--seconds" => o.seconds = a.parse(flag)?,
            "--fill-seconds" => o.fill_seconds = a.parse(flag)?,
            "--fill-concurrency" => o.fill_concurrency = a.parse(flag)?,
            "--connections" => o.connections = a.parse(flag)?,
            "--grow" => match parse_list::<u64>(flag, a.value(flag)?)?[..] {
                [from, to] if from < to => (o.grow_from, o.grow_to) = (from, to),
                _ => return Err("--grow needs FROM,TO with FROM < TO".into()),
            },
            "--one-tickets" => o.one_tickets = a.parse(flag)?,
            "--halls" => o.halls = parse_list(flag, a.value(flag)?)?,
            "--hall-windows" => o.hall_windows = a.parse(flag)?,
            "--halls-rate" => o.halls_rate = a.parse(flag)?,
            "--server-threads" => o.server_threads = a.parse(flag)?,
            "--seed" => o.seed = a.parse(flag)?,
            "--json" => json = Some(PathBuf::from(a.value(flag)?)),
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some((o, json)))
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))
}

async fn day_main(args: &[String]) -> i32 {
    let (opts, json) = match parse_day(args) {
        Ok(Some(x)) => x,
        Ok(None) => return help(),
        Err(e) => return usage_error(&e),
    };
    init_logs("info,tower_http=warn");
    if opts.state_file.is_none() {
        tracing::info!("no --state file: devices registered now are not remembered for the next run");
    }
    finish_report("hallkeeper-sim", run_day(opts, ctrl_c()).await, json, print_day)
}

fn print_day(r: &SimReport) {
    let pct = |n: u64, of: u64| if of == 0 { 0.0 } else { 100.0 * n as f64 / of as f64 };
    println!(
        "hall {} — {} to {} (hall time) in {:.1} s at ×{}, seed {}: {:?}",
        r.hall_id, r.sim_start, r.sim_end, r.wall_seconds, r.speed, r.seed, r.stop
    );
    println!(
        "  tickets   {} issued of {} arrivals ({} priority lane, {} with a phone), {} turned away",
        r.tickets_issued, r.arrivals_planned, r.priority_lane, r.with_phone, r.turned_away
    );
    println!(
        "  windows   {} calls, {} recalls, {} finished, {} no-shows ({:.1} %), {} transfers, {} parked / {} resumed, {} breaks",
        r.calls,
        r.recalls,
        r.finished,
        r.no_shows,
        pct(r.no_shows, r.finished + r.no_shows),
        r.transfers,
        r.parks,
        r.resumes,
        r.breaks
    );
    let levels: Vec<String> = r.ratings_by_level.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!(
        "  ratings   {} ({:.0} % of finished), {} poor; {}",
        r.ratings,
        pct(r.ratings, r.finished),
        r.poor_ratings,
        levels.join(", ")
    );
    println!(
        "  requests  {} ({} display polls), {} failed, latency p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms",
        r.requests, r.display_polls, r.failures, r.latency_ms.p50, r.latency_ms.p99, r.latency_ms.max
    );
    if !r.failures_by_code.is_empty() {
        println!("  failures  {:?}", r.failures_by_code);
    }
    println!(
        "  server    today's tickets {} → {} (finished {}, no-show {}, open {}), ratings {} → {}",
        r.server.tickets_before,
        r.server.tickets_after,
        r.server.after.finished,
        r.server.after.no_show,
        r.server.after.waiting + r.server.after.called + r.server.after.serving + r.server.after.parked,
        r.server.ratings_before,
        r.server.ratings_after
    );
}

async fn bench_main(args: &[String]) -> i32 {
    let (opts, json) = match parse_bench(args) {
        Ok(Some(x)) => x,
        Ok(None) => return help(),
        Err(e) => return usage_error(&e),
    };
    init_logs("warn,hallkeeper_sim=info");
    let backend = opts.backend.name();
    let report = bench::bench(opts, ctrl_c()).await;
    finish_report(&format!("hallkeeper-sim bench ({backend})"), report, json, print_bench)
}

fn help() -> i32 {
    println!("{USAGE}");
    0
}

/// The end of a run: the report printed and, with `--json`, written; 1 when the run (its error
/// said after `run_failed`) or the write failed.
fn finish_report<R: Serialize>(
    run_failed: &str,
    report: Result<R, SimError>,
    json: Option<PathBuf>,
    print: impl FnOnce(&R),
) -> i32 {
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{run_failed}: {e}");
            return 1;
        }
    };
    print(&report);
    if let Some(path) = json {
        if let Err(e) = write_json(&path, &report) {
            eprintln!("hallkeeper-sim: {e}");
            return 1;
        }
    }
    0
}

fn print_bench(r: &BenchReport) {
    println!(
        "server bench — {} ({} build, {} CPUs, {} server threads) — {} windows, {} kiosks, {:.0} tickets/s for {:.0} s",
        r.run.backend, r.run.build, r.run.cpus, r.run.server_threads, r.windows, r.kiosks, r.rate_target, r.seconds
    );
    println!("  ticket issue (POST /api/v1/kiosk/tickets), client-side round trip:");
    println!(
        "    p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   max {:.1} ms   mean {:.2} ms",
        r.latency_ms.p50, r.latency_ms.p90, r.latency_ms.p99, r.latency_ms.max, r.latency_ms.mean
    );
    println!(
        "    {} issued, {:.1} req/s achieved, {} errors{}, worst send lag {:.1} ms",
        r.issued,
        r.achieved_rate,
        r.errors,
        if r.errors_by_code.is_empty() { String::new() } else { format!(" {:?}", r.errors_by_code) },
        r.max_send_lag_ms
    );
    println!(
        "  callers: {} calls, {} finished, {} errors, {} left waiting; call/finish p50 {:.2} ms, p99 {:.2} ms",
        r.calls, r.finished, r.caller_errors, r.waiting_at_end, r.caller_latency_ms.p50, r.caller_latency_ms.p99
    );
}

async fn sweep_main(args: &[String]) -> i32 {
    let (opts, json) = match parse_sweep(args) {
        Ok(Some(x)) => x,
        Ok(None) => return help(),
        Err(e) => return usage_error(&e),
    };
    init_logs("warn,hallkeeper_sim=info");
    let backend = opts.backend.name();
    let cancel = ctrl_c();
    let report: Result<SweepReport, SimError> = tokio::select! {
        r = sweep::sweep(opts) => r,
        _ = cancel.cancelled() => return 130,
    };
    finish_report(&format!("hallkeeper-sim sweep ({backend})"), report, json, |r| {
        print!("{}", sweep::tables(r))
    })
}

fn summary_main(files: &[String]) -> i32 {
    if files.is_empty() {
        return usage_error("bench-summary needs JSON files");
    }
    let mut reports = Vec::new();
    for f in files {
        match std::fs::read_to_string(f)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str::<BenchReport>(&t).map_err(|e| e.to_string()))
        {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!("hallkeeper-sim: {f}: {e}");
                return 1;
            }
        }
    }
    print!("{}", bench::table(&reports));
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_flags_parse() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
        assert_eq!(parse_duration("x"), None);
        assert_eq!(parse_duration("5d"), None);
        let args: Vec<String> = ["--speed", "1440", "--start", "10:30", "--windows", "30", "--setup"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (o, _) = parse_day(&args).unwrap().unwrap();
        assert_eq!((o.speed, o.start, o.windows, o.force_setup), (1440.0, 10.5 * 3600.0, 30, true));
        assert!(parse_day(&["--bogus".to_string()]).unwrap_err().contains("--bogus"));
        assert!(parse_day(&["--speed".to_string()]).unwrap_err().contains("needs a value"));
        let (b, _) =
            parse_bench(&["--postgres".into(), "postgres://x/y".into(), "--rate".into(), "50".into()])
                .unwrap()
                .unwrap();
        assert_eq!((b.backend, b.rate), (Backend::Postgres("postgres://x/y".into()), 50.0));
    }
}
