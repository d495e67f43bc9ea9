//! `hallkeeper-fault-campaign`: runs the real server and `--agents` desktop sync agents as
//! processes on 127.0.0.1, a fault-injecting TCP proxy between them, and hall traffic, until
//! `--faults` faults were injected; then lets every desktop converge without faults, stops
//! everything and compares every replica with the server row by row. Prints the counts; exits 0
//! only with nothing lost, nothing duplicated and every replica identical to the server.
//!
//! The binaries it runs (`hallkeeper-server`, `hallkeeper-sync-agent`) are found next to its own
//! executable: `cargo build -p hallkeeper-server -p hallkeeper-fault-campaign`.

use hallkeeper_client::{api_url, session};
use hallkeeper_core::proto::{Account, AccountInput, HallRole, PasswordChange, Role, SignIn};
use hallkeeper_fault_campaign::compare::{self, Replica, Verdict};
use hallkeeper_fault_campaign::proxy::{Dir, Proxy};
use hallkeeper_fault_campaign::traffic::{self, TrafficCounts};
use hallkeeper_sim::{Api, SetupOptions};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};
use tokio_util::sync::CancellationToken;

const USAGE: &str =
    "usage: hallkeeper-fault-campaign [--faults N] [--seed S] [--agents K] [--edits-per-sec R]
                                 [--work DIR] [--keep]

  --faults N          faults to inject (default 1000)
  --seed S            seed of every random choice (default: from the clock; printed)
  --agents K          desktop sync agents (default 2)
  --edits-per-sec R   edits per second per agent (default 5)
  --work DIR          where the server's file, the agents' data folders and the logs go
                      (default: a temporary folder, removed after a passing run)
  --keep              keep the temporary folder after a passing run";

/// The break-glass token (at least 32 characters) the campaign's server runs with: it only sets
/// the hall up (its configuration, devices, the two people's accounts) and drives the hall's
/// traffic; the desktops sign in as their people and sync with those sessions.
const ADMIN_TOKEN: &str = "fault-campaign-break-glass-admin-token";
const HALL: &str = "hall-fault";

struct Args {
    faults: u64,
    seed: u64,
    agents: usize,
    rate: f64,
    work: Option<PathBuf>,
    keep: bool,
}

fn parse() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let seed_default = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64 % 1_000_000_000)
        .unwrap_or(1);
    let mut a = Args { faults: 1000, seed: seed_default, agents: 2, rate: 5.0, work: None, keep: false };
    while let Some(flag) = it.next() {
        let mut value = |n: &str| it.next().ok_or_else(|| format!("{n} needs a value"));
        let num = |n: &str, v: String| v.parse::<u64>().map_err(|_| format!("{n} must be a whole number"));
        match flag.as_str() {
            "--faults" => a.faults = num("--faults", value("--faults")?)?,
            "--seed" => a.seed = num("--seed", value("--seed")?)?,
            "--agents" => a.agents = num("--agents", value("--agents")?)? as usize,
            "--edits-per-sec" => {
                a.rate = value("--edits-per-sec")?
                    .parse()
                    .ok()
                    .filter(|r: &f64| *r > 0.0 && r.is_finite())
                    .ok_or("--edits-per-sec must be a positive number")?
            }
            "--work" => a.work = Some(PathBuf::from(value("--work")?)),
            "--keep" => a.keep = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if !(1..=8).contains(&a.agents) {
        return Err("--agents must be 1 to 8".into());
    }
    Ok(a)
}

fn main() {
    let args = match parse() {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return;
        }
        Err(e) => {
            eprintln!("hallkeeper-fault-campaign: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let rt = hallkeeper_fault_campaign::runtime();
    let code = rt.block_on(main_async(args));
    // Children are killed on drop; do not wait for stray tasks.
    rt.shutdown_timeout(Duration::from_secs(2));
    std::process::exit(code);
}

async fn main_async(args: Args) -> i32 {
    let (work, temp) = match &args.work {
        Some(w) => {
            if let Err(e) = std::fs::create_dir_all(w) {
                eprintln!("hallkeeper-fault-campaign: {}: {e}", w.display());
                return 2;
            }
            (w.clone(), None)
        }
        None => match tempfile::Builder::new().prefix("hallkeeper-fault-").tempdir() {
            Ok(t) => (t.path().to_owned(), Some(t)),
            Err(e) => {
                eprintln!("hallkeeper-fault-campaign: temporary folder: {e}");
                return 2;
            }
        },
    };
    println!(
        "fault campaign: {} faults, {} agents, seed {} (rerun: --seed {}), work folder {}",
        args.faults,
        args.agents,
        args.seed,
        args.seed,
        work.display()
    );
    // Everything must end by itself: a hang is a failure.
    let limit = Duration::from_secs(150) + Duration::from_millis(600 * args.faults);
    let outcome = match tokio::time::timeout(limit, campaign(&args, &work)).await {
        Ok(Ok(passed)) => passed,
        Ok(Err(e)) => {
            println!("FAILED: {e}");
            false
        }
        Err(_) => {
            println!("FAILED: the campaign did not finish within {} s (hang)", limit.as_secs());
            false
        }
    };
    match temp {
        Some(t) if outcome && !args.keep => drop(t),
        Some(t) => {
            let kept = t.keep();
            println!("work folder kept: {}", kept.display());
        }
        None => {}
    }
    if outcome {
        0
    } else {
        1
    }
}

/// Per kind of edit: made, refused (by code), failed, skipped.
#[derive(Default)]
struct EditStats {
    made: BTreeMap<String, u64>,
    refused: BTreeMap<String, u64>,
    failed: Vec<String>,
    skipped: u64,
    /// Sign-ins again after the server refused a session (401).
    sessions_renewed: u64,
}

/// One person of the campaign: the account an agent signs in as.
#[derive(Clone)]
struct PersonAccount {
    login: String,
    password: String,
    account_id: String,
    display_name: String,
    role: Role,
}

/// Creates agent `i`'s person with the break-glass token: the first a 大厅管理员 (who imports
/// the hall's catalog when seeding it), the others 值班长 (windows, bindings, staff, seats,
/// cases). An administrator's new account must change its password at the first sign-in, so
/// the campaign does that, as the person would, before handing the password to the agent.
async fn create_person(base: &str, agent: &str, i: usize) -> Result<PersonAccount, String> {
    let role = if i == 0 { Role::HallAdmin } else { Role::ShiftLead };
    let login = format!("campaign-{}", agent.to_lowercase());
    let display_name = format!("演练{}-{agent}", if i == 0 { "大厅管理员" } else { "值班长" });
    let first = format!("First-pass-{agent}-{}", 7919 * (i + 3));
    let input = AccountInput {
        login: login.clone(),
        display_name: display_name.clone(),
        staff_id: None,
        grants: vec![HallRole { hall_id: Some(HALL.into()), role }],
        password: first.clone(),
    };
    let url = api_url(base, ["api", "v1", "admin", "accounts"], None).map_err(|e| e.to_string())?;
    let account: Account = hallkeeper_client::Api::new(ADMIN_TOKEN)
        .post(url, &input)
        .await
        .map_err(|e| format!("account {login}: {e}"))?;
    let session = session::sign_in(base, &SignIn { login: login.clone(), password: first.clone() })
        .await
        .map_err(|e| format!("first sign-in of {login}: {e}"))?;
    if !session.account.must_change_password {
        return Err(format!("{login}: a new account should have to change its password"));
    }
    let password = format!("Tongbu-{agent}-mima-{}", 104_729 * (i + 1));
    session::change_password(base, &session.token, &PasswordChange { current: first, new: password.clone() })
        .await
        .map_err(|e| format!("password change of {login}: {e}"))?;
    session::sign_out(base, &session.token).await.map_err(|e| format!("sign-out of {login}: {e}"))?;
    Ok(PersonAccount { login, password, account_id: account.id, display_name, role })
}

#[derive(Clone)]
struct Env {
    bin_dir: PathBuf,
    work: PathBuf,
    server_addr: SocketAddr,
    proxy_url: String,
    server_db: PathBuf,
    hall_json: PathBuf,
    edits: Arc<Mutex<EditStats>>,
    rate: f64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn log_file(work: &Path, name: &str) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().create(true).append(true).open(work.join(name))
}

/// A child that dies with this process (PR_SET_PDEATHSIG) and on drop.
fn command(program: &Path) -> Command {
    let mut c = Command::new(program);
    c.kill_on_drop(true).stdin(Stdio::null());
    #[cfg(target_os = "linux")]
    unsafe {
        c.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    c
}

// ---- the server ----

struct Server {
    child: Option<Child>,
    starts: u32,
}

async fn healthy(addr: SocketAddr) -> bool {
    let Ok(api) = Api::new(&format!("http://{addr}")) else { return false };
    tokio::time::timeout(Duration::from_secs(2), api.health()).await.is_ok_and(|r| r.is_ok())
}

impl Server {
    async fn start(&mut self, env: &Env) -> Result<(), String> {
        let bin = env.bin_dir.join("hallkeeper-server");
        let started = Instant::now();
        loop {
            let log = log_file(&env.work, "server.log").map_err(|e| e.to_string())?;
            let mut child = command(&bin)
                .arg("--listen")
                .arg(env.server_addr.to_string())
                .arg("--sqlite")
                .arg(&env.server_db)
                // Break-glass: the campaign drives the hall as 系统管理员 (issue 17).
                .env("HALLKEEPER_BREAK_GLASS", "1")
                .env("HALLKEEPER_ADMIN_TOKEN", ADMIN_TOKEN)
                .env("HALLKEEPER_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .map_err(|e| format!("{}: {e}", bin.display()))?;
            self.starts += 1;
            loop {
                if healthy(env.server_addr).await {
                    self.child = Some(child);
                    return Ok(());
                }
                if let Ok(Some(status)) = child.try_wait() {
                    // Most likely the port is not free again yet: try again.
                    if started.elapsed() > Duration::from_secs(30) {
                        return Err(format!("the server does not start ({status}); see server.log"));
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    break;
                }
                if started.elapsed() > Duration::from_secs(30) {
                    return Err("the server does not answer /healthz within 30 s; see server.log".into());
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
    }

    async fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill().await; // SIGKILL
        }
    }

    /// SIGTERM, and SIGKILL if it does not stop within 10 s.
    async fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            if let Some(pid) = c.id() {
                unsafe {
                    libc::kill(pid as libc::pid_t, libc::SIGTERM);
                }
            }
            if tokio::time::timeout(Duration::from_secs(10), c.wait()).await.is_err() {
                let _ = c.kill().await;
            }
        }
    }
}

// ---- the agents ----

struct Agent {
    name: String,
    person: PersonAccount,
    dir: PathBuf,
    child: Option<Child>,
    starts: u64,
    kills: u64,
    seed: u64,
}

impl Agent {
    fn spawn(&mut self, env: &Env, final_: bool) -> Result<(), String> {
        let bin = env.bin_dir.join("hallkeeper-sync-agent");
        let log = log_file(&env.work, &format!("agent-{}.log", self.name)).map_err(|e| e.to_string())?;
        let mut c = command(&bin);
        c.arg("--data")
            .arg(&self.dir)
            .arg("--server")
            .arg(&env.proxy_url)
            .arg("--hall")
            .arg(HALL)
            // Two people on two PCs: each agent signs in as its own person, and every operation
            // it makes carries that account's id.
            .arg("--login")
            .arg(&self.person.login)
            .env("HALLKEEPER_AGENT_PASSWORD", &self.person.password)
            .arg("--seed")
            .arg((self.seed.wrapping_mul(1_000_003).wrapping_add(self.starts)).to_string())
            .arg("--edits-per-sec")
            .arg(env.rate.to_string())
            .stdout(Stdio::piped())
            .stderr(log);
        if final_ {
            c.arg("--final").arg("--final-timeout").arg("120");
        } else if self.name == "A" {
            // The first desktop imports the hall; the others get it through sync.
            c.arg("--seed-hall").arg(&env.hall_json);
        }
        let mut child = c.spawn().map_err(|e| format!("{}: {e}", bin.display()))?;
        self.starts += 1;
        if !final_ {
            let out = child.stdout.take().expect("piped stdout");
            let edits = env.edits.clone();
            tokio::spawn(async move {
                let mut lines = tokio::io::BufReader::new(out).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let mut w = line.split_whitespace();
                    match w.next() {
                        Some("EDIT") => {}
                        Some("SESSION") => {
                            lock(&edits).sessions_renewed += 1;
                            continue;
                        }
                        _ => continue,
                    }
                    let kind = w.next().unwrap_or("?").to_owned();
                    let mut e = lock(&edits);
                    match w.next() {
                        Some("ok") => *e.made.entry(kind).or_default() += 1,
                        Some("refused") => {
                            *e.refused.entry(w.next().unwrap_or("?").to_owned()).or_default() += 1
                        }
                        Some("failed") => {
                            e.failed.push(format!("{kind}: {}", w.collect::<Vec<_>>().join(" ")))
                        }
                        _ => e.skipped += 1,
                    }
                }
            });
        }
        self.child = Some(child);
        Ok(())
    }

    async fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill().await;
        }
    }

    /// Runs `--final` to its end; its FINAL line.
    async fn final_sync(&mut self, env: &Env) -> Result<FinalLine, String> {
        self.spawn(env, true)?;
        let mut child = self.child.take().expect("spawned");
        let out = child.stdout.take().expect("piped stdout");
        let mut lines = tokio::io::BufReader::new(out).lines();
        let mut last = None;
        let read = async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("FINAL") {
                    last = Some(line);
                }
            }
            child.wait().await
        };
        let status = tokio::time::timeout(Duration::from_secs(150), read)
            .await
            .map_err(|_| format!("agent {}: --final did not end within 150 s", self.name))?
            .map_err(|e| e.to_string())?;
        let line = last.ok_or_else(|| {
            format!(
                "agent {}: --final exited ({status}) without a FINAL line; see agent-{}.log",
                self.name, self.name
            )
        })?;
        if !status.success() {
            return Err(format!("agent {}: --final failed ({status}): {line}", self.name));
        }
        Ok(FinalLine::parse(&line))
    }
}

#[derive(Debug, Default)]
struct FinalLine {
    pushed: u64,
    pulled_changes: u64,
    pulled_events: u64,
    syncs: u64,
    errors: u64,
    last_error: String,
}

impl FinalLine {
    fn parse(line: &str) -> Self {
        let mut f = FinalLine::default();
        let (line, last_error) = line.split_once(" last_error=").unwrap_or((line, ""));
        f.last_error = last_error.to_owned();
        for part in line.split_whitespace() {
            if let Some((k, v)) = part.split_once('=') {
                let v = v.parse().unwrap_or(0);
                match k {
                    "pushed" => f.pushed = v,
                    "pulled_changes" => f.pulled_changes = v,
                    "pulled_events" => f.pulled_events = v,
                    "syncs" => f.syncs = v,
                    "errors" => f.errors = v,
                    _ => {}
                }
            }
        }
        f
    }

    fn quiet(&self) -> bool {
        self.pushed == 0 && self.pulled_changes == 0 && self.pulled_events == 0
    }
}

// ---- the campaign ----

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    CutUp,
    CutDown,
    Outage,
    Delay,
    Replay,
    KillAgent,
    KillServer,
}

impl Fault {
    fn name(self) -> &'static str {
        match self {
            Fault::CutUp => "cut client→server",
            Fault::CutDown => "cut server→client",
            Fault::Outage => "outage (connections dropped and refused)",
            Fault::Delay => "delay",
            Fault::Replay => "replayed push",
            Fault::KillAgent => "SIGKILL agent",
            Fault::KillServer => "SIGKILL server",
        }
    }

    fn draw(rng: &mut StdRng) -> Fault {
        match rng.random_range(0..100u32) {
            0..20 => Fault::CutUp,
            20..45 => Fault::CutDown,
            45..53 => Fault::Outage,
            53..63 => Fault::Delay,
            63..84 => Fault::Replay,
            84..96 => Fault::KillAgent,
            _ => Fault::KillServer,
        }
    }
}

fn free_port() -> Result<SocketAddr, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map_err(|e| e.to_string())
}

async fn campaign(args: &Args, work: &Path) -> Result<bool, String> {
    let t0 = Instant::now();
    let exe = std::env::current_exe().map_err(|e| format!("own executable: {e}"))?;
    let bin_dir = exe.parent().ok_or("own executable has no folder")?.to_owned();
    for b in ["hallkeeper-server", "hallkeeper-sync-agent"] {
        if !bin_dir.join(b).is_file() {
            return Err(format!(
                "{} is missing next to {}: build it with `cargo build -p hallkeeper-server -p hallkeeper-fault-campaign`",
                b,
                exe.display()
            ));
        }
    }
    let cancel = CancellationToken::new();
    let _stop_all = cancel.clone().drop_guard();
    let server_addr = free_port()?;
    let mut env = Env {
        bin_dir,
        work: work.to_owned(),
        server_addr,
        proxy_url: String::new(),
        server_db: work.join("server.db"),
        hall_json: work.join("hall.json"),
        edits: Arc::default(),
        rate: args.rate,
    };
    let mut server = Server { child: None, starts: 0 };
    server.start(&env).await?;

    // The hall: configuration from the sample catalog, a kiosk, callers and pads.
    let base = format!("http://{server_addr}");
    let api = Api::new(&base).map_err(|e| e.to_string())?;
    let mut opts = SetupOptions::new(&base, ADMIN_TOKEN);
    opts.hall_id = HALL.into();
    opts.hall_name = "故障演练大厅".into();
    opts.windows = 6;
    let hall = hallkeeper_sim::setup(&api, &opts).await.map_err(|e| format!("hall set-up: {e}"))?;
    std::fs::write(&env.hall_json, serde_json::to_vec(&hall.config).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;

    let proxy = Proxy::start(server_addr, cancel.clone()).await.map_err(|e| format!("proxy: {e}"))?;
    env.proxy_url = format!("http://{}", proxy.addr);
    println!(
        "server {} (pid {:?}), proxy {}, hall {HALL}: {} windows, {} matters, {} bindings",
        server_addr,
        server.child.as_ref().and_then(Child::id),
        proxy.addr,
        hall.config.windows.len(),
        hall.config.matters.len(),
        hall.config.bindings.len()
    );

    let mut agents: Vec<Agent> = Vec::new();
    for i in 0..args.agents {
        let name = ((b'A' + i as u8) as char).to_string();
        let person = create_person(&base, &name, i).await?;
        println!(
            "PC {name}: signs in as {} ({}, account {}, {:?} in {HALL})",
            person.login, person.display_name, person.account_id, person.role
        );
        agents.push(Agent {
            dir: work.join(format!("desktop-{name}")),
            name,
            person,
            child: None,
            starts: 0,
            kills: 0,
            seed: args.seed + i as u64,
        });
    }
    agents[0].spawn(&env, false)?;
    // The others start a moment later, as a second PC would.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for a in agents.iter_mut().skip(1) {
        a.spawn(&env, false)?;
    }

    let tcounts = Arc::new(TrafficCounts::default());
    let traffic_cancel = cancel.child_token();
    let traffic = tokio::spawn(traffic::run(
        api.clone(),
        hall.clone(),
        args.seed,
        Duration::from_millis(80),
        tcounts.clone(),
        traffic_cancel.clone(),
    ));

    // ---- faults ----
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut done: BTreeMap<Fault, u64> = BTreeMap::new();
    let fired = |p: &Proxy, done: &BTreeMap<Fault, u64>| -> u64 {
        let c = p.counts();
        done.values().sum::<u64>()
            + c.cuts_fired[0].load(Ordering::Relaxed)
            + c.cuts_fired[1].load(Ordering::Relaxed)
    };
    let t_faults = Instant::now();
    let mut last_progress = Instant::now();
    while fired(&proxy, &done) < args.faults {
        tokio::time::sleep(Duration::from_millis(rng.random_range(30..150))).await;
        let fault = Fault::draw(&mut rng);
        match fault {
            Fault::CutUp | Fault::CutDown => {
                let dir = if fault == Fault::CutUp { Dir::ClientToServer } else { Dir::ServerToClient };
                if !proxy.cut_pending(dir) {
                    // Requests and answers are a few hundred bytes to a few hundred kilobytes.
                    let bytes = if rng.random_bool(0.7) {
                        rng.random_range(0..600)
                    } else {
                        rng.random_range(0..20_000)
                    };
                    proxy.arm_cut(dir, bytes);
                }
            }
            Fault::Outage => {
                proxy.outage(Duration::from_millis(rng.random_range(100..1200)));
                *done.entry(fault).or_default() += 1;
            }
            Fault::Delay => {
                proxy.delay(
                    Duration::from_millis(rng.random_range(300..2000)),
                    Duration::from_millis(5),
                    Duration::from_millis(rng.random_range(50..600)),
                );
                *done.entry(fault).or_default() += 1;
            }
            Fault::Replay => {
                if let Some(Ok(_)) = proxy.replay(&mut rng).await {
                    *done.entry(fault).or_default() += 1;
                }
            }
            Fault::KillAgent => {
                let i = rng.random_range(0..agents.len());
                let a = &mut agents[i];
                a.kill().await;
                a.kills += 1;
                *done.entry(fault).or_default() += 1;
                tokio::time::sleep(Duration::from_millis(rng.random_range(0..500))).await;
                a.spawn(&env, false)?;
            }
            Fault::KillServer => {
                server.kill().await;
                *done.entry(fault).or_default() += 1;
                tokio::time::sleep(Duration::from_millis(rng.random_range(0..500))).await;
                server.start(&env).await?;
            }
        }
        if last_progress.elapsed() > Duration::from_secs(10) {
            last_progress = Instant::now();
            let e = lock(&env.edits);
            println!(
                "  … {:>5.1} s: {} faults, {} edits made, {} tickets, {} pushes through the proxy",
                t_faults.elapsed().as_secs_f64(),
                fired(&proxy, &done),
                e.made.values().sum::<u64>(),
                tcounts.tickets.load(Ordering::Relaxed),
                proxy.counts().pushes_seen.load(Ordering::Relaxed),
            );
        }
    }
    let faults_took = t_faults.elapsed();
    proxy.calm();
    let cuts = [
        proxy.counts().cuts_fired[0].load(Ordering::Relaxed),
        proxy.counts().cuts_fired[1].load(Ordering::Relaxed),
    ];
    done.insert(Fault::CutUp, cuts[0]);
    done.insert(Fault::CutDown, cuts[1]);

    // ---- stop the traffic and the edits; converge without faults ----
    traffic_cancel.cancel();
    let _ = traffic.await;
    for a in agents.iter_mut() {
        a.kill().await;
    }
    if server.child.is_none() {
        server.start(&env).await?;
    }
    let t_final = Instant::now();
    let mut rounds = 0;
    let mut finals: Vec<Vec<FinalLine>> = Vec::new();
    loop {
        rounds += 1;
        let mut round = Vec::new();
        for a in agents.iter_mut() {
            round.push(a.final_sync(&env).await?);
        }
        let quiet = round.iter().all(FinalLine::quiet);
        finals.push(round);
        if quiet {
            break;
        }
        if rounds == 5 {
            return Err("the desktops do not converge: 5 rounds of final syncs still push or pull".into());
        }
    }
    let final_took = t_final.elapsed();
    server.stop().await;

    // ---- compare ----
    let t_cmp = Instant::now();
    let replicas: Vec<Replica> = agents
        .iter()
        .map(|a| Replica { name: a.name.clone(), dir: a.dir.clone(), author: a.person.account_id.clone() })
        .collect();
    let db = env.server_db.clone();
    let verdict = tokio::task::spawn_blocking(move || compare::verify(&db, HALL, &replicas))
        .await
        .map_err(|e| e.to_string())??;
    let cmp_took = t_cmp.elapsed();

    // ---- report ----
    let total_faults: u64 = done.values().sum();
    println!();
    println!("faults injected: {total_faults} in {:.1} s", faults_took.as_secs_f64());
    for (f, n) in &done {
        println!("  {:<42} {n:>6}", f.name());
    }
    let kills: Vec<String> = agents.iter().map(|a| format!("{} {}", a.name, a.kills)).collect();
    println!(
        "kills: agents {} ({}), server {} (server started {} times)",
        agents.iter().map(|a| a.kills).sum::<u64>(),
        kills.join(", "),
        done.get(&Fault::KillServer).copied().unwrap_or(0),
        server.starts
    );
    let pc = proxy.counts();
    println!(
        "proxy: {} connections, {} refused in outages, {} B up / {} B down, {} pushes seen, replays answered 2xx {} / other {} / failed {}",
        pc.connections.load(Ordering::Relaxed),
        pc.refused.load(Ordering::Relaxed),
        pc.bytes[0].load(Ordering::Relaxed),
        pc.bytes[1].load(Ordering::Relaxed),
        pc.pushes_seen.load(Ordering::Relaxed),
        pc.replays_ok.load(Ordering::Relaxed),
        pc.replays_refused.load(Ordering::Relaxed),
        pc.replays_failed.load(Ordering::Relaxed),
    );
    {
        let e = lock(&env.edits);
        let made: u64 = e.made.values().sum();
        let refused: u64 = e.refused.values().sum();
        println!(
            "edits: made {made}, refused {refused}, failed {}, nothing to edit {}; sessions renewed after a 401: {}",
            e.failed.len(),
            e.skipped,
            e.sessions_renewed
        );
        println!(
            "  made:    {}",
            e.made.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
        );
        println!(
            "  refused: {}",
            e.refused.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
        );
        for f in &e.failed {
            println!("  failed: {f}");
        }
    }
    print_verdict(&verdict, &tcounts, &agents);
    println!(
        "final sync: {rounds} round(s): {}",
        finals
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let parts: Vec<String> = r
                    .iter()
                    .zip(&agents)
                    .map(|(f, a)| {
                        let error = if f.last_error.is_empty() {
                            String::new()
                        } else {
                            format!(", last: {}", f.last_error)
                        };
                        format!(
                            "{} pushed {} pulled {}+{} ({} syncs, {} errors{error})",
                            a.name, f.pushed, f.pulled_changes, f.pulled_events, f.syncs, f.errors
                        )
                    })
                    .collect();
                format!("[{}: {}]", i + 1, parts.join("; "))
            })
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "time: {:.1} s (faults {:.1} s, final sync {:.1} s, compare {:.1} s)",
        t0.elapsed().as_secs_f64(),
        faults_took.as_secs_f64(),
        final_took.as_secs_f64(),
        cmp_took.as_secs_f64()
    );
    let passed = verdict.ok();
    println!("{}", if passed { "PASSED" } else { "FAILED" });
    Ok(passed)
}

fn print_verdict(v: &Verdict, t: &TrafficCounts, agents: &[Agent]) {
    let who = |account: &str| {
        agents
            .iter()
            .find(|a| a.person.account_id == account)
            .map(|a| format!("{} ({}, PC {})", a.person.display_name, a.person.login, a.name))
            .unwrap_or_else(|| account.to_owned())
    };
    let ops: u64 = v.replicas.iter().map(|r| r.ops).sum();
    let acked: u64 = v.replicas.iter().map(|r| r.acked).sum();
    let rejected: u64 = v.replicas.iter().map(|r| r.rejected).sum();
    let pending: u64 = v.replicas.iter().map(|r| r.pending).sum();
    println!(
        "operations: {ops} made (in the outboxes), {acked} acknowledged, {rejected} rejected, {pending} pending; server: {} recorded ({} rejected), {} changes in its log",
        v.server_ops, v.server_ops_rejected, v.server_changes
    );
    println!(
        "rectification: {} ratings ({} poor); on the server {} cases, {} steps ({} took effect, the rest kept as concurrent), {} evidence records; steps by author: {}",
        t.ratings.load(Ordering::Relaxed),
        t.poor_ratings.load(Ordering::Relaxed),
        v.server_cases,
        v.server_steps,
        v.server_steps_effective,
        v.server_evidence,
        v.steps_by_author.iter().map(|(k, n)| format!("{} {n}", who(k))).collect::<Vec<_>>().join(", ")
    );
    println!(
        "hall traffic: {} tickets issued, {} called, {} finished, {} no-shows ({} refused, {} failed requests); {} ticket events on the server",
        t.tickets.load(Ordering::Relaxed),
        t.calls.load(Ordering::Relaxed),
        t.finished.load(Ordering::Relaxed),
        t.no_shows.load(Ordering::Relaxed),
        t.refused.load(Ordering::Relaxed),
        t.failed.load(Ordering::Relaxed),
        v.server_events,
    );
    println!(
        "server rows: {} shown ({} stored, deletes included); rows compared: {}",
        v.server_rows, v.server_rows_stored, v.rows_compared
    );
    for r in &v.replicas {
        let person = agents.iter().find(|a| a.name == r.name).map(|a| who(&a.person.account_id));
        println!(
            "  replica {}: device {}, {} ops ({} by {}), ({} acked, {} rejected, {} pending), {} rows, {} ticket events, {} evidence files, {} differing rows",
            r.name,
            r.device_id.as_deref().unwrap_or("—"),
            r.ops,
            r.authored,
            person.as_deref().unwrap_or("?"),
            r.acked,
            r.rejected,
            r.pending,
            r.rows,
            r.events,
            r.evidence_files,
            r.differing_rows
        );
    }
    if !v.rejections.is_empty() {
        let mut by_code: BTreeMap<&str, u64> = BTreeMap::new();
        for r in &v.rejections {
            let code = r.rsplit_once("): ").map(|(_, x)| x).unwrap_or(r).split(':').next().unwrap_or("?");
            *by_code.entry(code).or_default() += 1;
        }
        println!(
            "rejected operations (kept in their outbox with the reason, not lost): {}",
            by_code.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
        );
        for r in &v.rejections {
            println!("  rejected: {r}");
        }
    }
    for d in &v.differences {
        println!("  DIFFERENT: {d}");
    }
    for e in &v.event_mismatches {
        println!("  EVENTS DIFFER: {e}");
    }
    for l in &v.lost {
        println!("  LOST: {l}");
    }
    for d in &v.duplicated {
        println!("  DUPLICATED: {d}");
    }
    for w in &v.wrong_authors {
        println!("  WRONG AUTHOR: {w}");
    }
    println!("authors: {} operations not by their desktop's person", v.wrong_authors.len());
    println!("lost: {}", v.lost.len());
    println!("duplicated: {}", v.duplicated.len());
    println!(
        "identical: {} ({} differing rows, {} replicas with other ticket events)",
        if v.identical() { "yes" } else { "no" },
        v.differences.len(),
        v.event_mismatches.len()
    );
}
