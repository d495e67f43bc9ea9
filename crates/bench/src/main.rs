//! `hallkeeper-startup-bench`: how long the real app takes from launch to its first interactive
//! paint, and how much memory it holds when idle, against a blank Tauri window on the same
//! machine (the floor).
//!
//! Under the current X display it launches each binary `--runs` times (plus one warm-up run that
//! is not counted), alternating blank window and app. A run is timed from this program's spawn to
//! reading the line `HALLKEEPER_READY <ms>` on the child's stdout (both apps print it when the page
//! calls `ui_ready` after its first paint). Then it waits `--idle` seconds and sums the PSS of the
//! app and all its descendants (WebKitWebProcess, WebKitNetworkProcess), then SIGTERMs the app
//! (SIGKILL after 5 s).
//!
//! xvfb-run -a dbus-run-session -- hallkeeper-startup-bench [--json bench.json]

mod procfs;
mod stats;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const READY_PREFIX: &str = "HALLKEEPER_READY";
/// Target: interactive within a second (warm, median).
const TARGET_READY_MS: f64 = 1000.0;
/// Target: total PSS at most 1.2 × the blank window's.
const TARGET_MEMORY_RATIO: f64 = 1.2;

const USAGE: &str = "\
hallkeeper-startup-bench — time to first interactive paint and idle memory, app vs blank window

USAGE: hallkeeper-startup-bench [OPTIONS]
  (run under an X display with a session bus: xvfb-run -a dbus-run-session -- hallkeeper-startup-bench)

OPTIONS:
  --app PATH      the real app's binary (default: as the e2e harness finds it:
                  $HALLKEEPER_APP_BIN, $CARGO_TARGET_DIR/<profile>/hallkeeper, <workspace>/target/<profile>/hallkeeper)
  --blank PATH    the blank window's binary (default: $HALLKEEPER_BLANK_BIN, then <target>/<profile>/hallkeeper-blank-window)
  --release       look for the default binaries in the release profile instead of debug
  --runs N        counted runs per binary (default 5; one warm-up run more is not counted)
  --idle SECS     idle time before reading PSS (default 3)
  --timeout SECS  longest wait for the ready line (default 60)
  --json PATH     also write the figures as JSON to PATH
  --strict        exit with status 1 when a target is missed (OVER)
  -h, --help      this text";

struct Options {
    app: Option<PathBuf>,
    blank: Option<PathBuf>,
    profile: String,
    runs: usize,
    idle: Duration,
    timeout: Duration,
    json: Option<PathBuf>,
    strict: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        app: None,
        blank: None,
        profile: "debug".into(),
        runs: 5,
        idle: Duration::from_secs(3),
        timeout: Duration::from_secs(60),
        json: None,
        strict: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value\n\n{USAGE}"));
        match a.as_str() {
            "--app" => o.app = Some(PathBuf::from(value("--app")?)),
            "--blank" => o.blank = Some(PathBuf::from(value("--blank")?)),
            "--release" => o.profile = "release".into(),
            "--runs" => o.runs = value("--runs")?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--idle" => {
                o.idle =
                    Duration::from_secs_f64(value("--idle")?.parse().map_err(|e| format!("--idle: {e}"))?)
            }
            "--timeout" => {
                o.timeout = Duration::from_secs_f64(
                    value("--timeout")?.parse().map_err(|e| format!("--timeout: {e}"))?,
                )
            }
            "--json" => o.json = Some(PathBuf::from(value("--json")?)),
            "--strict" => o.strict = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    if o.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    Ok(o)
}

/// What is launched: a label, the binary, and whether it takes `--data-dir`.
struct Subject {
    key: &'static str,
    label: &'static str,
    bin: PathBuf,
    takes_data_dir: bool,
}

/// One measured launch.
#[derive(Debug, Clone)]
struct Run {
    /// From our spawn to reading the ready line.
    ready_ms: f64,
    /// The number on the ready line (the app's own "ms since process start").
    reported_ms: Option<f64>,
    procs: Vec<procfs::Proc>,
    root: u32,
}

impl Run {
    fn pss_total_kib(&self) -> u64 {
        self.procs.iter().map(|p| p.pss_kib).sum()
    }
}

fn sigterm(pid: u32) {
    // SAFETY: kill(2) on a pid this program started (or one of its descendants, checked by name).
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGTERM);
    }
}

fn sigkill(pid: u32) {
    // SAFETY: as above.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGKILL);
    }
}

/// SIGTERM, wait up to 5 s, SIGKILL; then the same for any descendant (recorded earlier) that
/// outlived it.
fn stop(child: &mut Child, descendants: &[(u32, String)]) {
    let grace = Duration::from_secs(5);
    if matches!(child.try_wait(), Ok(None)) {
        sigterm(child.id());
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        if matches!(child.try_wait(), Ok(None)) {
            eprintln!("  (pid {} did not stop within 5 s of SIGTERM: SIGKILL)", child.id());
            let _ = child.kill();
        }
    }
    let _ = child.wait();
    let deadline = Instant::now() + Duration::from_secs(3);
    let left =
        |d: &[(u32, String)]| d.iter().filter(|(p, n)| procfs::alive_as(*p, n)).cloned().collect::<Vec<_>>();
    while Instant::now() < deadline && !left(descendants).is_empty() {
        std::thread::sleep(Duration::from_millis(50));
    }
    for (pid, _) in left(descendants) {
        sigterm(pid);
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline && !left(descendants).is_empty() {
        std::thread::sleep(Duration::from_millis(50));
    }
    for (pid, name) in left(descendants) {
        eprintln!("  ({name} pid {pid} outlived the app: SIGKILL)");
        sigkill(pid);
    }
}

fn parse_ready(line: &str) -> Option<Option<f64>> {
    let rest = line.trim().strip_prefix(READY_PREFIX)?;
    Some(rest.split_whitespace().next().and_then(|n| n.parse().ok()))
}

fn run_once(s: &Subject, o: &Options, log_dir: &Path, n: usize) -> Result<Run, String> {
    let data =
        tempfile::Builder::new().prefix("hallkeeper-bench-data-").tempdir().map_err(|e| e.to_string())?;
    let log_path = log_dir.join(format!("{}-{n}.stderr.log", s.key));
    let log = File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let mut cmd = Command::new(&s.bin);
    if s.takes_data_dir {
        cmd.arg("--data-dir").arg(data.path());
    }
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::from(log));

    let start = Instant::now();
    let mut child = cmd.spawn().map_err(|e| format!("starting {}: {e}", s.bin.display()))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel::<(Instant, Option<f64>)>();
    // Reads (and keeps draining) the child's stdout; reports the ready line with the instant it
    // was read.
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !sent {
                if let Some(ms) = parse_ready(&line) {
                    let _ = tx.send((Instant::now(), ms));
                    sent = true;
                }
            }
        }
    });

    let deadline = start + o.timeout;
    let (ready_at, reported) = loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(r) => break r,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {}
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{} exited with {status} before printing {READY_PREFIX}; stderr in {}:\n{}",
                s.bin.display(),
                log_path.display(),
                tail(&log_path, 20)
            ));
        }
        if Instant::now() > deadline {
            let descendants = procfs::names(&procfs::tree(child.id())[1..]);
            stop(&mut child, &descendants);
            return Err(format!(
                "{} printed no {READY_PREFIX} line within {:?}; stderr in {}:\n{}",
                s.bin.display(),
                o.timeout,
                log_path.display(),
                tail(&log_path, 20)
            ));
        }
    };
    let ready_ms = ready_at.duration_since(start).as_secs_f64() * 1000.0;

    std::thread::sleep(o.idle);
    let root = child.id();
    let procs = procfs::measure(root);
    let descendants: Vec<(u32, String)> = procs.iter().skip(1).map(|p| (p.pid, p.name.clone())).collect();
    stop(&mut child, &descendants);
    Ok(Run { ready_ms, reported_ms: reported, procs, root })
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The figures of one subject's counted runs.
struct Summary {
    ready_median: f64,
    ready_p90: f64,
    ready_min: f64,
    reported_median: Option<f64>,
    pss_median_kib: f64,
    per_role_median_kib: BTreeMap<String, f64>,
}

fn summarize(runs: &[Run]) -> Summary {
    let ready: Vec<f64> = runs.iter().map(|r| r.ready_ms).collect();
    let reported: Vec<f64> = runs.iter().filter_map(|r| r.reported_ms).collect();
    let pss: Vec<f64> = runs.iter().map(|r| r.pss_total_kib() as f64).collect();
    let mut roles: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let per_run: Vec<BTreeMap<String, u64>> =
        runs.iter().map(|r| procfs::per_role(&r.procs, r.root)).collect();
    for m in &per_run {
        for k in m.keys() {
            roles.entry(k.clone()).or_default();
        }
    }
    for (role, values) in roles.iter_mut() {
        // A run without this role counts as 0 for it.
        *values = per_run.iter().map(|m| m.get(role).copied().unwrap_or(0) as f64).collect();
    }
    Summary {
        ready_median: stats::median(&ready).unwrap_or(f64::NAN),
        ready_p90: stats::percentile(&ready, 90.0).unwrap_or(f64::NAN),
        ready_min: stats::min(&ready).unwrap_or(f64::NAN),
        reported_median: stats::median(&reported),
        pss_median_kib: stats::median(&pss).unwrap_or(f64::NAN),
        per_role_median_kib: roles.into_iter().map(|(k, v)| (k, stats::median(&v).unwrap_or(0.0))).collect(),
    }
}

fn mib(kib: f64) -> f64 {
    kib / 1024.0
}

fn summary_json(s: &Subject, runs: &[Run], sum: &Summary) -> Value {
    json!({
        "binary": s.bin.display().to_string(),
        "runs": runs.iter().map(|r| json!({
            "ready_ms": r.ready_ms,
            "reported_ms": r.reported_ms,
            "pss_total_kib": r.pss_total_kib(),
            "processes": r.procs.iter().map(|p| json!({
                "pid": p.pid, "ppid": p.ppid, "name": p.name, "pss_kib": p.pss_kib,
                "role": if p.pid == r.root { "main process".to_string() } else { p.name.clone() },
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "ready_ms": { "median": sum.ready_median, "p90": sum.ready_p90, "min": sum.ready_min },
        "reported_ms_median": sum.reported_median,
        "pss_kib": { "median_total": sum.pss_median_kib, "median_per_process": sum.per_role_median_kib },
    })
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if std::env::var("DISPLAY").map(|d| d.trim().is_empty()).unwrap_or(true) {
        eprintln!(
            "DISPLAY is not set: the benchmark launches real windows. Run it under an X display with a session bus, e.g.\n    \
             xvfb-run -a dbus-run-session -- hallkeeper-startup-bench"
        );
        return ExitCode::from(2);
    }
    let find = |given: &Option<PathBuf>, found: Result<PathBuf, String>| -> Result<PathBuf, String> {
        match given {
            Some(p) if p.is_file() => Ok(fs::canonicalize(p).unwrap_or_else(|_| p.clone())),
            Some(p) => Err(format!("{} does not exist", p.display())),
            None => found,
        }
    };
    let blank = find(&o.blank, hallkeeper_e2e::paths::blank_binary(&o.profile));
    let app = find(&o.app, hallkeeper_e2e::paths::app_binary_for(&o.profile));
    let (blank, app) = match (blank, app) {
        (Ok(b), Ok(a)) => (b, a),
        (b, a) => {
            for e in [b.err(), a.err()].into_iter().flatten() {
                eprintln!("{e}");
            }
            return ExitCode::from(2);
        }
    };
    let subjects = [
        Subject { key: "blank", label: "blank window", bin: blank, takes_data_dir: false },
        Subject { key: "app", label: "hallkeeper", bin: app, takes_data_dir: true },
    ];
    // The children's stderr: removed at the end, kept when a run fails.
    let log_tmp = match tempfile::Builder::new().prefix("hallkeeper-bench-logs-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot create a log directory: {e}");
            return ExitCode::from(2);
        }
    };
    let log_dir = log_tmp.path().to_path_buf();

    println!(
        "Hallkeeper startup benchmark: {} counted runs each (+1 warm-up), alternating; idle {:?} before PSS; {} cores",
        o.runs,
        o.idle,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    for s in &subjects {
        println!("  {:<13} {}", s.label, s.bin.display());
    }

    let mut results: Vec<Vec<Run>> = vec![Vec::new(), Vec::new()];
    for round in 0..=o.runs {
        for (i, s) in subjects.iter().enumerate() {
            let tag = if round == 0 { "warm-up".to_string() } else { format!("run {round}/{}", o.runs) };
            match run_once(s, &o, &log_dir, round) {
                Ok(r) => {
                    println!(
                        "  {:<13} {:<9} ready {:>7.0} ms (self-reported {:>5}), PSS {:>6.1} MiB in {} processes",
                        s.label,
                        tag,
                        r.ready_ms,
                        r.reported_ms.map(|m| format!("{m:.0}")).unwrap_or_else(|| "?".into()),
                        mib(r.pss_total_kib() as f64),
                        r.procs.len()
                    );
                    if round > 0 {
                        results[i].push(r);
                    }
                }
                Err(e) => {
                    let kept = log_tmp.keep();
                    eprintln!(
                        "{} {tag} failed: {e}\n(children's stderr kept in {})",
                        s.label,
                        kept.display()
                    );
                    return ExitCode::from(1);
                }
            }
            let _ = std::io::stdout().flush();
        }
    }

    let sums: Vec<Summary> = results.iter().map(|r| summarize(r)).collect();
    let (b, a) = (&sums[0], &sums[1]);
    let ratio = |x: f64, y: f64| if y > 0.0 { x / y } else { f64::NAN };

    println!();
    println!("{:<34} {:>14} {:>14} {:>10}", "", subjects[0].label, subjects[1].label, "app/blank");
    let row = |name: &str, x: f64, y: f64| {
        println!("{:<34} {:>14.1} {:>14.1} {:>9.2}x", name, x, y, ratio(y, x));
    };
    row("ready median (ms, spawn -> line)", b.ready_median, a.ready_median);
    row("ready p90 (ms)", b.ready_p90, a.ready_p90);
    row("ready min (ms)", b.ready_min, a.ready_min);
    row(
        "self-reported median (ms)",
        b.reported_median.unwrap_or(f64::NAN),
        a.reported_median.unwrap_or(f64::NAN),
    );
    row("PSS total median (MiB)", mib(b.pss_median_kib), mib(a.pss_median_kib));
    let mut roles: Vec<&String> = b.per_role_median_kib.keys().chain(a.per_role_median_kib.keys()).collect();
    roles.sort();
    roles.dedup();
    for role in roles {
        let x = b.per_role_median_kib.get(role).copied().unwrap_or(0.0);
        let y = a.per_role_median_kib.get(role).copied().unwrap_or(0.0);
        row(&format!("  {role} (MiB)"), mib(x), mib(y));
    }

    let ready_ratio = ratio(a.ready_median, b.ready_median);
    let memory_ratio = ratio(a.pss_median_kib, b.pss_median_kib);
    let ready_pass = a.ready_median <= TARGET_READY_MS;
    let memory_pass = memory_ratio <= TARGET_MEMORY_RATIO;
    let verdict = |p: bool| if p { "PASS" } else { "OVER" };
    println!();
    println!("ratios app/blank: ready median {ready_ratio:.2}x, PSS median {memory_ratio:.2}x");
    println!(
        "target interactive <= {TARGET_READY_MS:.0} ms (warm, median): {:.0} ms  {}",
        a.ready_median,
        verdict(ready_pass)
    );
    println!(
        "target memory <= {TARGET_MEMORY_RATIO:.1}x blank window (median PSS): {memory_ratio:.2}x ({:.1} / {:.1} MiB)  {}",
        mib(a.pss_median_kib),
        mib(b.pss_median_kib),
        verdict(memory_pass)
    );

    if let Some(path) = &o.json {
        let doc = json!({
            "runs": o.runs,
            "warmup_runs": 1,
            "idle_s": o.idle.as_secs_f64(),
            "profile": o.profile,
            "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "subjects": {
                "blank": summary_json(&subjects[0], &results[0], b),
                "app": summary_json(&subjects[1], &results[1], a),
            },
            "ratios": { "ready_median": ready_ratio, "pss_median": memory_ratio },
            "targets": {
                "ready_ms_max": TARGET_READY_MS,
                "ready": verdict(ready_pass),
                "memory_ratio_max": TARGET_MEMORY_RATIO,
                "memory": verdict(memory_pass),
            },
        });
        let text = serde_json::to_string_pretty(&doc).expect("json");
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = fs::create_dir_all(dir);
        }
        if let Err(e) = fs::write(path, text + "\n") {
            eprintln!("writing {}: {e}", path.display());
            return ExitCode::from(1);
        }
        println!("figures written to {}", path.display());
    }

    if o.strict && !(ready_pass && memory_pass) {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_line_is_recognised() {
        assert_eq!(parse_ready("HALLKEEPER_READY 734"), Some(Some(734.0)));
        assert_eq!(parse_ready("HALLKEEPER_READY"), Some(None));
        assert_eq!(parse_ready("something else"), None);
    }
}
