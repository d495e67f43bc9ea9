//! The real server in-process on loopback, driven by the sim over HTTP through a short
//! accelerated day: on SQLite in a temporary folder, and also on PostgreSQL (a fresh database,
//! dropped afterwards) when `HALLKEEPER_TEST_POSTGRES_URL` is set.

use hallkeeper_proto::{PriorityClass, TakeTicket, TicketState, WindowState};
use hallkeeper_server::storage::{postgres::PostgresStorage, sqlite::SqliteStorage, Storage};
use hallkeeper_server::{start, system_now, AppState, Running};
use hallkeeper_sim::{
    run_day, setup, Api, CancellationToken, SetupOptions, SimError, SimOptions, StopReason,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ADMIN: &str = "sim-test-admin";
const HALL: &str = "hall-sim-test";

/// Refusals the hall gives in normal operation; anything else is a failure.
const EXPECTED: [&str; 4] =
    ["queue.nothing_waiting", "queue.window_closed", "queue.no_open_window", "queue.transfer_same_target"];

async fn server(dir: &tempfile::TempDir) -> (Running, String) {
    serve(Arc::new(SqliteStorage::open(&dir.path().join("server.db")).unwrap())).await
}

async fn serve(storage: Arc<dyn Storage>) -> (Running, String) {
    let state = Arc::new(AppState::new(storage, system_now()).with_break_glass_token(ADMIN));
    let running = start("127.0.0.1:0".parse().unwrap(), state).await.unwrap();
    let base = format!("http://{}", running.addr);
    (running, base)
}

fn options(base: &str, dir: &tempfile::TempDir) -> SimOptions {
    SimOptions {
        server: base.to_owned(),
        admin_token: Some(ADMIN.into()),
        hall_id: HALL.into(),
        state_file: Some(dir.path().join("sim-state.json")),
        // 8 hall hours in 6 s of wall time; about 100 tickets. (At 2 s a loaded machine's
        // request times were hall minutes and the day ran into overtime.)
        speed: 4_800.0,
        tickets_per_hour: 12.5,
        seed: 7,
        ..SimOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_accelerated_day_matches_what_the_server_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (running, base) = server(&dir).await;
    a_day(&dir, running, base).await;
    if let Ok(url) = std::env::var("HALLKEEPER_TEST_POSTGRES_URL") {
        eprintln!("-- on postgres");
        let name = format!("hallkeeper_sim_test_{}", std::process::id());
        let fresh = hallkeeper_sim::bench::create_database(&url, &name).await.unwrap();
        let storage = Arc::new(PostgresStorage::connect(&fresh).await.unwrap());
        let (running, base) = serve(storage).await;
        let dir = tempfile::tempdir().unwrap();
        a_day(&dir, running, base).await;
        hallkeeper_sim::bench::drop_database(&url, &name).await.unwrap();
    }
}

async fn a_day(dir: &tempfile::TempDir, running: Running, base: String) {
    let wall = Instant::now();
    let r = run_day(options(&base, dir), CancellationToken::new()).await.unwrap();
    eprintln!("{}", serde_json::to_string_pretty(&r).unwrap());
    assert!(wall.elapsed() < Duration::from_secs(60), "took {:?}", wall.elapsed());

    assert!(r.setup.created_hall && r.setup.pushed_config);
    assert_eq!(
        r.setup.devices_registered,
        1 + 1 + 2 * 20,
        "a kiosk, the display, a caller and a pad per window"
    );
    assert_eq!(r.stop, StopReason::DayEnded);
    assert!((60..=140).contains(&r.tickets_issued), "about 100 tickets: {}", r.tickets_issued);
    assert_eq!(r.tickets_issued + r.turned_away, r.arrivals_planned);
    assert_eq!(r.finished + r.no_shows, r.tickets_issued, "everyone was served or missed their call");
    assert!(r.finished > r.tickets_issued / 2);
    assert!(r.ratings > 0 && r.ratings <= r.finished);
    assert_eq!(r.ratings_by_level.values().sum::<u64>(), r.ratings);
    assert_eq!(r.open_at_end, 0);
    assert!(r.calls >= r.tickets_issued);
    // Windows going straight on to the next citizen finish and call in one request.
    assert!(
        r.finished_and_called > 0 && r.finished_and_called <= r.finished,
        "{} of {} finishes called the next",
        r.finished_and_called,
        r.finished
    );
    assert_eq!(r.failures, 0, "failures: {:?}", r.failures_by_code);
    for code in r.expected_refusals.keys() {
        assert!(EXPECTED.contains(&code.as_str()), "unexpected refusal {code}");
    }

    // The admin API shows what the sim counted.
    let api = Api::new(&base).unwrap();
    let tickets = api.tickets(ADMIN, HALL).await.unwrap();
    let count = |s: TicketState| tickets.iter().filter(|t| t.state == s).count() as u64;
    assert_eq!(tickets.len() as u64, r.tickets_issued);
    assert_eq!(count(TicketState::Finished), r.finished);
    assert_eq!(count(TicketState::NoShow), r.no_shows);
    assert_eq!(tickets.iter().map(|t| u64::from(t.transfer_count)).sum::<u64>(), r.transfers);
    assert_eq!(
        tickets.iter().filter(|t| t.class == hallkeeper_proto::PriorityClass::PriorityLane).count() as u64,
        r.priority_lane
    );
    let ratings = api.ratings(ADMIN, HALL, None).await.unwrap();
    assert_eq!(ratings.len() as u64, r.ratings, "every rating was accepted");
    assert_eq!(ratings.iter().filter(|x| x.level.is_poor()).count() as u64, r.poor_ratings);
    assert!(ratings.iter().filter(|x| x.level.is_poor()).all(|x| !x.reasons.is_empty()));
    assert_eq!((r.server.tickets_after, r.server.ratings_after), (r.tickets_issued, r.ratings));
    let devices = api.devices(ADMIN, HALL).await.unwrap().len();

    // A second run reuses the hall and the devices of the state file.
    let mut again = options(&base, dir);
    again.start = 16.0 * 3600.0;
    again.tickets_per_hour = 60.0;
    again.max_tickets = Some(10);
    let r2 = run_day(again, CancellationToken::new()).await.unwrap();
    assert!(!r2.setup.created_hall && !r2.setup.pushed_config);
    assert_eq!(r2.setup.devices_registered, 0);
    assert_eq!(api.devices(ADMIN, HALL).await.unwrap().len(), devices);
    assert!(r2.tickets_issued <= 10);
    assert_eq!(r2.failures, 0, "failures: {:?}", r2.failures_by_code);
    assert_eq!(r2.server.tickets_after, r.tickets_issued + r2.tickets_issued);
    assert_eq!(r2.server.after.finished as u64, r.finished + r2.finished);

    running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_time_run_stops_on_cancel_and_reopens_its_windows() {
    let dir = tempfile::tempdir().unwrap();
    let (running, base) = server(&dir).await;
    let mut opts = options(&base, &dir);
    opts.speed = 60.0; // a hall minute a second: a break (10–25 min) would outlast the run
    opts.start = 10.0 * 3600.0;
    opts.tickets_per_hour = 600.0;
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        c.cancel();
    });
    let wall = Instant::now();
    let r = run_day(opts, cancel).await.unwrap();
    assert!(wall.elapsed() < Duration::from_secs(15), "stopped promptly: {:?}", wall.elapsed());
    assert_eq!(r.stop, StopReason::Cancelled);
    assert!(r.tickets_issued > 0);
    assert_eq!(r.failures, 0, "failures: {:?}", r.failures_by_code);
    // No window is left paused.
    let api = Api::new(&base).unwrap();
    let config = api.config(ADMIN, HALL).await.unwrap();
    assert!(config.windows.iter().all(|w| w.state == hallkeeper_proto::WindowState::Open));
    running.stop().await.unwrap();
}

/// The caller's 完成并叫下一位 through the sim's client: the ticket finishes and the next is
/// called; a second press naming the same ticket is refused; with nobody waiting it only finishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_callers_one_request_finishes_and_calls_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let (running, base) = server(&dir).await;
    let api = Api::new(&base).unwrap();
    let mut opts = SetupOptions::new(&base, ADMIN);
    opts.hall_id = HALL.into();
    let hall = setup(&api, &opts).await.unwrap();
    let kiosk = &hall.devices.kiosks[0].token;
    // A matter the kiosk offers, and an open window serving it.
    let offered = api.kiosk_matters(kiosk).await.unwrap();
    let matter = offered[0].matters[0].id.clone();
    let window = hall
        .config
        .bindings
        .iter()
        .filter(|b| b.matter_id == matter)
        .find_map(|b| {
            hall.config.windows.iter().find(|w| w.id == b.window_id && w.state == WindowState::Open)
        })
        .unwrap();
    let caller = &hall.devices.callers[&window.id].token;
    let take = || TakeTicket { matter_id: matter.clone(), class: PriorityClass::Normal, phone: None };
    let first = api.take_ticket(kiosk, &take()).await.unwrap().ticket;
    let second = api.take_ticket(kiosk, &take()).await.unwrap().ticket;
    assert_eq!(api.call_next(caller).await.unwrap().id, first.id);

    let done = api.finish_and_call_next(caller, &first.id).await.unwrap();
    assert_eq!((done.finished.id.as_str(), done.finished.state), (first.id.as_str(), TicketState::Finished));
    let called = done.called.unwrap();
    assert_eq!((called.id.as_str(), called.state), (second.id.as_str(), TicketState::Called));
    assert_eq!(called.window_id.as_deref(), Some(window.id.as_str()));

    let again = api.finish_and_call_next(caller, &first.id).await.unwrap_err();
    assert_eq!(again.code(), Some("queue.invalid_transition"), "{again}");
    let view = api.caller_view(caller).await.unwrap();
    assert_eq!(view.current.map(|t| t.id), Some(second.id.clone()), "the second press changed nothing");

    let last = api.finish_and_call_next(caller, &second.id).await.unwrap();
    assert_eq!((last.finished.state, last.called), (TicketState::Finished, None));
    let tickets = api.tickets(ADMIN, HALL).await.unwrap();
    assert!(tickets.iter().all(|t| t.state == TicketState::Finished), "{tickets:?}");
    running.stop().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_server_stops_the_run_at_once() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let opts = SimOptions {
        server: format!("http://127.0.0.1:{port}"),
        admin_token: Some(ADMIN.into()),
        ..SimOptions::default()
    };
    let err = run_day(opts, CancellationToken::new()).await.unwrap_err();
    assert!(matches!(err, SimError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains("unreachable"), "{err}");
}
