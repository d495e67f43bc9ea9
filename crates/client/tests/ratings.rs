//! Ratings from the rating pads reach the desktop's store: the real server on loopback (SQLite in
//! a temporary folder), its devices driven over HTTP by the simulator's client, and the sync
//! client pulling into a real store — at the next pull, promptly when only the stream says so,
//! once however often a page is pulled, and every one of a simulated day's ratings.

use chrono::{DateTime, Utc};
use hallkeeper_client::{AdminClient, Endpoint, PulledTick, SyncClient};
use hallkeeper_core::proto::{
    PriorityClass, Rating, RatingInput, RatingLevel, RatingsPage, TakeTicket, Ticket,
};
use hallkeeper_core::store::StoredRating;
use hallkeeper_core::{Store, SystemClock};
use hallkeeper_server::storage::sqlite::SqliteStorage;
use hallkeeper_server::storage::Storage;
use hallkeeper_server::{start, system_now, AppState, Running};
use hallkeeper_sim::client::Action;
use hallkeeper_sim::{run_day, setup, Api, CancellationToken, Prepared, SetupOptions, SimOptions};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const ADMIN: &str = "ratings-test-admin";

struct Server {
    running: Running,
    base: String,
    storage: Arc<dyn Storage>,
    _dir: tempfile::TempDir,
}

async fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&dir.path().join("server.db")).unwrap());
    let state = Arc::new(AppState::new(storage.clone(), system_now()).with_break_glass_token(ADMIN));
    let running = start("127.0.0.1:0".parse().unwrap(), state).await.unwrap();
    let base = format!("http://{}", running.addr);
    Server { running, base, storage, _dir: dir }
}

/// A desktop of `hall`: an empty store (on the wall clock, as the server's), its sync client,
/// and what the ratings hook was handed.
fn desktop(base: &str, hall: &str) -> (Arc<Store>, Arc<SyncClient>, Arc<Mutex<Vec<StoredRating>>>) {
    let store = Arc::new(Store::open_in_memory(Arc::new(SystemClock)).unwrap());
    let endpoint =
        Endpoint { base_url: base.to_owned(), hall_id: hall.to_owned(), admin_token: ADMIN.to_owned() };
    let client = SyncClient::new(store.clone(), endpoint);
    let poor = Arc::new(Mutex::new(Vec::new()));
    let seen = poor.clone();
    client.set_ratings_hook(Arc::new(move |_store: &Store, applied| {
        seen.lock().unwrap().extend(applied.poor.iter().cloned());
    }));
    (store, client, poor)
}

/// A ticket taken at the kiosk, called at whichever window serves its matter, and finished
/// there; the ticket and that window's pad token.
async fn finished_ticket(api: &Api, hall: &Prepared) -> (Ticket, String) {
    let kiosk = &hall.devices.kiosks[0].token;
    let offered = api.kiosk_matters(kiosk).await.unwrap();
    let matter = offered.iter().flat_map(|d| &d.matters).next().expect("a matter is offered").id.clone();
    let issued = api
        .take_ticket(kiosk, &TakeTicket { matter_id: matter, class: PriorityClass::Normal, phone: None })
        .await
        .unwrap();
    for (window, caller) in &hall.devices.callers {
        let Ok(called) = api.call_next(&caller.token).await else { continue };
        assert_eq!(called.id, issued.ticket.id, "nobody else waits");
        let done = api.act(&caller.token, &called.id, Action::Finish).await.unwrap();
        return (done, hall.devices.pads[window].token.clone());
    }
    panic!("no window called ticket {}", issued.ticket.number);
}

async fn rate(api: &Api, pad: &str, ticket: &Ticket, level: RatingLevel) -> Rating {
    let input = RatingInput {
        ticket_id: ticket.id.clone(),
        level,
        reasons: vec!["等候时间长".into()],
        comment: "排了很久".into(),
    };
    api.rate(pad, &input).await.unwrap()
}

/// Waits until the pulled counters satisfy `done`, at most `wait`.
async fn until(
    ticks: &mut tokio::sync::watch::Receiver<PulledTick>,
    wait: Duration,
    done: impl Fn(&PulledTick) -> bool,
) {
    let reached = tokio::time::timeout(wait, ticks.wait_for(|t| done(t))).await.map(|r| r.is_ok());
    assert_eq!(reached.ok(), Some(true), "not within {wait:?}: {:?}", *ticks.borrow());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pads_rating_reaches_the_desktop_once_and_the_stream_brings_the_next_promptly() {
    let srv = server().await;
    let api = Api::new(&srv.base).unwrap();
    let hall_id = "hall-ratings";
    let opts = SetupOptions { hall_id: hall_id.into(), windows: 4, ..SetupOptions::new(&srv.base, ADMIN) };
    let hall = setup(&api, &opts).await.unwrap();
    let (store, client, poor) = desktop(&srv.base, hall_id);

    // A poor rating: stored at the next pull with its hall day, handed to the hook once.
    let (ticket, pad) = finished_ticket(&api, &hall).await;
    let given = rate(&api, &pad, &ticket, RatingLevel::VeryDissatisfied).await;
    let report = client.sync_now().await.unwrap();
    assert_eq!(report.pulled_ratings, 1);
    let held = store.rating(&given.id).unwrap().expect("the rating is on the desktop");
    let at: DateTime<Utc> = DateTime::parse_from_rfc3339(&given.at).unwrap().with_timezone(&Utc);
    assert_eq!(held.hall_day, hallkeeper_core::clock::hall_date(at).to_string());
    assert_eq!(
        (&held.ticket_id, &held.ticket_number, &held.window_id, &held.matter_id, held.level),
        (&given.ticket_id, &given.ticket_number, &given.window_id, &given.matter_id, given.level)
    );
    assert_eq!((&held.reasons, &held.comment, &held.at), (&given.reasons, &given.comment, &given.at));
    assert_eq!(held.staff_id, None, "nobody is seated on this desktop");
    assert_eq!(poor.lock().unwrap().iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [given.id.as_str()]);
    let summary = store.ratings_today_summary().unwrap();
    assert_eq!((summary.count, summary.poor), (1, 1));
    let ticks = *client.subscribe_pulled().borrow();
    assert_eq!((ticks.ratings, ticks.poor_ratings), (1, 1));

    // Pulled again — by the client, and the same page straight from the server — nothing more.
    assert_eq!(client.sync_now().await.unwrap().pulled_ratings, 0);
    let admin = AdminClient::new(Endpoint {
        base_url: srv.base.clone(),
        hall_id: hall_id.to_owned(),
        admin_token: ADMIN.to_owned(),
    });
    let page: RatingsPage = admin.get("sync/ratings?after=0").await.unwrap();
    assert_eq!(page.ratings.len(), 1);
    assert_eq!(
        store.apply_ratings(0, &page.ratings, page.next_cursor).unwrap(),
        None,
        "an old cursor's page"
    );
    let cursor = store.ratings_cursor().unwrap();
    assert_eq!(cursor, page.next_cursor);
    let replay = store.apply_ratings(cursor, &[], page.next_cursor).unwrap().unwrap();
    assert_eq!((replay.applied, replay.poor.len()), (0, 0));
    assert_eq!(store.ratings_since(0, 100).unwrap().len(), 1);
    assert_eq!(poor.lock().unwrap().len(), 1, "the hook saw it once");

    // With the loops running: once the ticket's events are in, a rating alone moves only the
    // rating head, and the stream brings it long before the 30 s idle pull.
    let cancel = tokio_util::sync::CancellationToken::new();
    let loops = tokio::spawn(client.clone().run(cancel.clone()));
    let mut pulled = client.subscribe_pulled();
    let (ticket, pad) = finished_ticket(&api, &hall).await;
    let finished_seq = srv.storage.sync_heads(hall_id).await.unwrap().event_seq;
    tokio::time::timeout(Duration::from_secs(10), async {
        while store.events_cursor().unwrap() < finished_seq {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the ticket's events arrive");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = *pulled.borrow_and_update();
    let good = rate(&api, &pad, &ticket, RatingLevel::Satisfied).await;
    until(&mut pulled, Duration::from_secs(5), |t| t.ratings > before.ratings).await;
    assert!(store.rating(&good.id).unwrap().is_some());
    assert_eq!(pulled.borrow().poor_ratings, before.poor_ratings, "a good rating is not poor");
    let summary = store.ratings_today_summary().unwrap();
    assert_eq!((summary.count, summary.good, summary.poor), (2, 1, 1));
    assert_eq!(summary.satisfaction(), Some(0.5));
    cancel.cancel();
    loops.await.unwrap();
    srv.running.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_days_ratings_all_arrive_while_the_desktop_follows() {
    let srv = server().await;
    let dir = tempfile::tempdir().unwrap();
    let hall_id = "hall-sim-ratings";
    let opts = SimOptions {
        server: srv.base.clone(),
        admin_token: Some(ADMIN.into()),
        hall_id: hall_id.into(),
        state_file: Some(dir.path().join("sim-state.json")),
        // 8 hall hours in about 2 s of wall time; about 100 tickets.
        speed: 14_400.0,
        tickets_per_hour: 12.5,
        seed: 11,
        ..SimOptions::default()
    };
    // The hall exists before the desktop starts following it while the day runs; then the
    // desktop settles with "sync now".
    setup(&Api::new(&srv.base).unwrap(), &opts.setup_options(ADMIN)).await.unwrap();
    let (store, client, poor) = desktop(&srv.base, hall_id);
    let cancel = tokio_util::sync::CancellationToken::new();
    let loops = tokio::spawn(client.clone().run(cancel.clone()));
    let report = run_day(opts, CancellationToken::new()).await.unwrap();
    assert!(report.ratings > 0, "the sim rated nothing");
    client.sync_now().await.unwrap();
    cancel.cancel();
    loops.await.unwrap();

    let on_server = srv.storage.ratings(hall_id, DateTime::<Utc>::MIN_UTC).await.unwrap();
    assert_eq!(on_server.len() as u64, report.ratings);
    let mut server_ids: Vec<&str> = on_server.iter().map(|r| r.id.as_str()).collect();
    server_ids.sort_unstable();
    let held = store.ratings_since(0, 100_000).unwrap();
    let mut held_ids: Vec<&str> = held.iter().map(|r| r.id.as_str()).collect();
    held_ids.sort_unstable();
    assert_eq!(held_ids, server_ids, "every rating, once");
    assert!(held.windows(2).all(|w| w[0].seq < w[1].seq));
    let poor_on_server = on_server.iter().filter(|r| r.level.is_poor()).count();
    let mut hooked: Vec<String> = poor.lock().unwrap().iter().map(|r| r.id.clone()).collect();
    let hooked_n = hooked.len();
    hooked.sort();
    hooked.dedup();
    assert_eq!(
        (hooked_n, hooked.len()),
        (poor_on_server, poor_on_server),
        "each poor rating to the hook once"
    );
    assert_eq!(
        store.sync_local().unwrap().ratings_cursor,
        srv.storage.sync_heads(hall_id).await.unwrap().rating_seq
    );
    srv.running.stop().await.unwrap();
}
