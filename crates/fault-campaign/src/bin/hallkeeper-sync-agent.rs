//! `hallkeeper-sync-agent`: one supervisor's desktop as a process, for the fault campaign. It
//! opens the desktop's real store in `--data`, runs the real sync client against `--server` in
//! the background, and makes random edits through the store's API (see
//! `hallkeeper_fault_campaign::edits`). Every edit is reported on stdout as one line:
//!
//! ```text
//! EDIT window.rename ok
//! EDIT window.delete refused window.referenced
//! ```
//!
//! The agent is a person signed in on that PC, as a supervisor is at the desktop: it signs in over
//! HTTP (`POST /api/v1/session`, through the proxy like every other request) as `--login` with
//! the password in `HALLKEEPER_AGENT_PASSWORD` (never argv), syncs with that session's token and
//! makes every edit as that person (`access::Person`), so every outbox operation carries the
//! account's id as its author. A 401 to the token held (expired, revoked) signs in again; a
//! sign-in cut by a fault is retried.
//!
//! It may be SIGKILLed at any instant and restarted on the same folder. With `--final` it makes
//! no edits: it syncs until two syncs in a row push and pull nothing, prints
//! `FINAL syncs=… pushed=… pulled_changes=… pulled_events=… errors=…` and exits 0 (1 if that does
//! not happen within `--final-timeout` seconds).

use hallkeeper_client::{Credential, Endpoint, SyncClient};
use hallkeeper_core::access::Person;
use hallkeeper_core::proto::SignIn;
use hallkeeper_core::{Store, SystemClock};
use hallkeeper_fault_campaign::edits::{random_edit, Outcome};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const USAGE: &str =
    "usage: HALLKEEPER_AGENT_PASSWORD=… hallkeeper-sync-agent --data DIR --server URL --hall ID
       --login LOGIN --seed N [--edits-per-sec R] [--seed-hall CONFIG.json] [--final]
       [--final-timeout SECS]";

/// Where the person's password comes from (an argument would show in `ps`).
const PASSWORD_VAR: &str = "HALLKEEPER_AGENT_PASSWORD";

struct Args {
    data: PathBuf,
    server: String,
    hall: String,
    /// The person's login; the password is in [`PASSWORD_VAR`].
    login: String,
    password: String,
    seed: u64,
    rate: f64,
    seed_hall: Option<PathBuf>,
    final_: bool,
    final_timeout: Duration,
}

fn parse() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let (mut data, mut server, mut hall, mut login, mut seed) = (None, None, None, None, None);
    let mut rate = 5.0;
    let mut seed_hall = None;
    let mut final_ = false;
    let mut final_timeout = Duration::from_secs(120);
    while let Some(a) = it.next() {
        let mut value = |n: &str| it.next().ok_or_else(|| format!("{n} needs a value"));
        match a.as_str() {
            "--data" => data = Some(PathBuf::from(value("--data")?)),
            "--server" => server = Some(value("--server")?),
            "--hall" => hall = Some(value("--hall")?),
            "--login" => login = Some(value("--login")?),
            "--seed" => seed = Some(value("--seed")?.parse().map_err(|_| "--seed must be a number")?),
            "--edits-per-sec" => {
                rate = value("--edits-per-sec")?.parse().map_err(|_| "--edits-per-sec must be a number")?
            }
            "--seed-hall" => seed_hall = Some(PathBuf::from(value("--seed-hall")?)),
            "--final" => final_ = true,
            "--final-timeout" => {
                let s: u64 =
                    value("--final-timeout")?.parse().map_err(|_| "--final-timeout must be seconds")?;
                final_timeout = Duration::from_secs(s);
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args {
        data: need(data, "--data")?,
        server: need(server, "--server")?,
        hall: need(hall, "--hall")?,
        login: need(login, "--login")?,
        password: std::env::var(PASSWORD_VAR).map_err(|_| format!("{PASSWORD_VAR} is not set"))?,
        seed: need(seed, "--seed")?,
        rate,
        seed_hall,
        final_,
        final_timeout,
    })
}

fn need<T>(v: Option<T>, n: &str) -> Result<T, String> {
    v.ok_or_else(|| format!("{n} is required"))
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn main() {
    let filter = std::env::var("HALLKEEPER_LOG").unwrap_or_else(|_| "warn".to_owned());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            if e.is_empty() {
                println!("{USAGE}");
                std::process::exit(0);
            }
            eprintln!("hallkeeper-sync-agent: {e}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let rt = hallkeeper_fault_campaign::runtime();
    std::process::exit(rt.block_on(run(args)));
}

async fn run(args: Args) -> i32 {
    let store = match Store::open_in_dir(&args.data, Arc::new(SystemClock)) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("hallkeeper-sync-agent: {e}");
            return 1;
        }
    };
    let sign_in = SignIn { login: args.login.clone(), password: args.password.clone() };
    let Some(session) = sign_in_retrying(&args.server, &sign_in, Duration::from_secs(60)).await else {
        return 1;
    };
    // The person this PC's edits are made as: its account id goes into every outbox operation.
    let person = Person::from_account(&session.account);
    let credential = Credential::new(&session.token);
    drop(session);
    // As the desktop does at sign-in: what this PC writes of its own accord from now on (a case
    // for a poor rating it pulls) is this person's, and what a kill left unattributed (written
    // before the last sign-in) is taken over.
    store.set_signed_in(Some(&person));
    if let Err(e) = store.adopt_unauthored_ops(&person) {
        eprintln!("hallkeeper-sync-agent: {e}");
        return 1;
    }
    // Sessions live in the server's database, so a server kill does not end them; one that
    // expired or was revoked is answered 401, and the person signs in again.
    tokio::spawn(keep_signed_in(args.server.clone(), sign_in, credential.clone()));
    let endpoint =
        Endpoint { base_url: args.server.clone(), hall_id: args.hall.clone(), admin_token: String::new() };
    let client = SyncClient::with_credential(store.clone(), endpoint, credential, false);
    if args.final_ {
        return final_sync(&client, args.final_timeout).await;
    }

    if let Some(path) = &args.seed_hall {
        if store.is_empty_hall().unwrap_or(false) {
            let config = std::fs::read(path).map_err(|e| e.to_string()).and_then(|b| {
                serde_json::from_slice::<hallkeeper_proto::HallConfig>(&b).map_err(|e| e.to_string())
            });
            match config {
                Ok(c) => match store.seed_hall(&person, &c) {
                    Ok(()) => say("EDIT hall.seed ok"),
                    Err(e @ hallkeeper_core::Error::Rejected(_)) => {
                        say(&format!("EDIT hall.seed refused {}", e.code()))
                    }
                    Err(e) => say(&format!("EDIT hall.seed failed {}", e.code())),
                },
                Err(e) => {
                    eprintln!("hallkeeper-sync-agent: {}: {e}", path.display());
                    return 1;
                }
            }
            client.ops_written();
        }
    }

    let cancel = CancellationToken::new();
    let runner = tokio::spawn(client.clone().run(cancel.clone()));

    // Edits on their own thread: the store is synchronous.
    let editor = {
        let (store, client) = (store.clone(), client.clone());
        let (seed, rate, person) = (args.seed, args.rate, person.clone());
        std::thread::spawn(move || {
            let mut rng = StdRng::seed_from_u64(seed);
            let mean = Duration::from_secs_f64(1.0 / rate.max(0.01));
            loop {
                std::thread::sleep(mean.mul_f64(rng.random_range(0.2..1.8)));
                let (kind, outcome) = random_edit(&store, &mut rng, &person);
                match outcome {
                    Outcome::Done => {
                        say(&format!("EDIT {kind} ok"));
                        client.ops_written();
                    }
                    Outcome::Refused(code) => say(&format!("EDIT {kind} refused {code}")),
                    Outcome::Failed(why) => say(&format!("EDIT {kind} failed {}", why.replace('\n', " "))),
                    Outcome::Skipped => say(&format!("EDIT {kind} skipped")),
                }
            }
        })
    };
    // Runs until killed; if the sync loop ever returns, that is a fault of its own.
    let _ = runner.await;
    eprintln!("hallkeeper-sync-agent: the sync loop stopped");
    drop(editor);
    3
}

/// Signs in, retrying what a fault cut (no answer, a 5xx) until `limit`; a refusal (a wrong
/// password, a disabled account) ends the agent: retrying would not help.
async fn sign_in_retrying(
    server: &str,
    request: &SignIn,
    limit: Duration,
) -> Option<hallkeeper_core::proto::Session> {
    let started = Instant::now();
    loop {
        match tokio::time::timeout(
            Duration::from_secs(15),
            hallkeeper_client::session::sign_in(server, request),
        )
        .await
        {
            Ok(Ok(session)) => return Some(session),
            Ok(Err(hallkeeper_client::ClientError::Refused { status, code, message, .. }))
                if (400..500).contains(&status) && status != 429 =>
            {
                eprintln!("hallkeeper-sync-agent: sign-in refused ({status} {code:?}): {message}");
                return None;
            }
            Ok(Err(e)) => eprintln!("hallkeeper-sync-agent: sign-in: {e}"),
            Err(_) => eprintln!("hallkeeper-sync-agent: sign-in took over 15 s"),
        }
        if started.elapsed() > limit {
            eprintln!("hallkeeper-sync-agent: no session within {} s", limit.as_secs());
            return None;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Signs in again each time the server refuses the token held (401).
async fn keep_signed_in(server: String, request: SignIn, credential: Credential) {
    let mut refused = credential.subscribe_refused();
    while refused.changed().await.is_ok() {
        match sign_in_retrying(&server, &request, Duration::from_secs(600)).await {
            Some(session) => {
                say("SESSION renewed");
                credential.set(&session.token);
            }
            None => std::process::exit(1),
        }
    }
}

async fn final_sync(client: &Arc<SyncClient>, limit: Duration) -> i32 {
    let started = Instant::now();
    let (mut syncs, mut quiet, mut errors) = (0u64, 0u32, 0u64);
    let (mut pushed, mut changes, mut events) = (0u64, 0u64, 0u64);
    let mut last_error = String::new();
    while quiet < 2 {
        if started.elapsed() > limit {
            say(&format!(
                "FINAL timeout syncs={syncs} pushed={pushed} pulled_changes={changes} pulled_events={events} errors={errors} last_error={last_error}"
            ));
            return 1;
        }
        match tokio::time::timeout(Duration::from_secs(30), client.sync_now()).await {
            Ok(Ok(r)) => {
                syncs += 1;
                pushed += r.pushed;
                changes += r.pulled_changes;
                events += r.pulled_events;
                if r.pushed == 0 && r.pulled_changes == 0 && r.pulled_events == 0 {
                    quiet += 1;
                } else {
                    quiet = 0;
                }
            }
            Ok(Err(e)) => {
                errors += 1;
                quiet = 0;
                last_error = e.to_string().replace('\n', " ");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(_) => {
                errors += 1;
                quiet = 0;
                last_error = "sync_now took over 30 s".into();
            }
        }
    }
    say(&format!(
        "FINAL ok syncs={syncs} pushed={pushed} pulled_changes={changes} pulled_events={events} errors={errors} last_error={last_error}"
    ));
    0
}
