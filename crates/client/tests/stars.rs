//! The month's 服务之星 from the desktop to the server's hall display: a real store ranks them
//! (core), its sync client publishes them after a pull, and the real server on loopback shows
//! them on `GET /display` — only for a signed-in person whose role the server takes them from.

mod common;

use hallkeeper_client::{Endpoint, SyncClient};
use hallkeeper_core::access::Person;
use hallkeeper_core::proto::{
    AccountInput, DeviceCreated, DeviceInput, DeviceKind, DisplayFeed, HallConfig, HallRole, PairDevice,
    RatingLevel, Role, StaffInput, StarRule,
};
use hallkeeper_core::reports::{RatingFact, TicketFact, TicketOutcome};
use hallkeeper_core::{Store, SystemClock};
use std::sync::Arc;

const ADMIN: &str = "stars-test-admin";
const HALL: &str = "hall-stars";

fn config() -> HallConfig {
    serde_json::from_value(serde_json::json!({
        "windows": [{ "id": "w-a", "number": "A01", "name": "A01窗口", "zone": "", "kind": "general",
                      "state": "open", "position": 0, "createdAt": "2026-11-25T00:00:00.000Z", "updatedAt": "2026-11-25T00:00:00.000Z" }],
        "departments": [], "matters": [], "bindings": [],
        "settings": { "maxRecalls": 2, "fallbackPrefix": "Z" }
    }))
    .unwrap()
}

/// `n` served tickets and `good` very-satisfied ratings of `staff` today (hall time).
fn month_of(staff: &str, n: usize, good: usize) -> (Vec<TicketFact>, Vec<RatingFact>) {
    let today = hallkeeper_core::clock::hall_date(chrono::Utc::now());
    let tickets = (0..n)
        .map(|i| TicketFact {
            ticket_id: format!("{staff}-t{i}"),
            hall_day: today,
            window_id: Some("w-a".into()),
            staff_id: Some(staff.into()),
            matter_id: "m".into(),
            department_id: None,
            outcome: TicketOutcome::Served,
            transfers: 0,
            wait_secs: Some(60),
            service_secs: Some(300),
        })
        .collect();
    let ratings = (0..n)
        .map(|i| RatingFact {
            rating_id: format!("{staff}-r{i}"),
            ticket_id: format!("{staff}-t{i}"),
            hall_day: today,
            window_id: "w-a".into(),
            staff_id: Some(staff.into()),
            matter_id: "m".into(),
            department_id: None,
            level: if i < good { RatingLevel::VerySatisfied } else { RatingLevel::Neutral },
            excluded: false,
            case: None,
        })
        .collect();
    (tickets, ratings)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desktops_ranking_reaches_the_browser_display_after_a_pull() {
    let (_dir, running, base, admin) = common::server(ADMIN, HALL).await;
    admin.ensure_hall("成都市政务服务中心").await.unwrap();
    admin.put_config(&config()).await.unwrap();
    let http = reqwest::Client::new();
    let code = admin
        .add_device_for_pairing(&DeviceInput {
            kind: DeviceKind::Display,
            name: "大屏".into(),
            window_id: None,
        })
        .await
        .unwrap();
    let resp = http
        .post(format!("{base}/api/v1/devices/pair"))
        .json(&PairDevice { code: code.code })
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let display: DeviceCreated = resp.json().await.unwrap();
    let feed = || async {
        let resp =
            http.get(format!("{base}/api/v1/display")).bearer_auth(&display.token).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        resp.json::<DisplayFeed>().await.unwrap()
    };

    let grants = vec![HallRole { hall_id: Some(HALL.into()), role: Role::HallAdmin }];
    let account = admin
        .create_account(&AccountInput {
            login: "guanli.wang".into(),
            display_name: "王管理".into(),
            staff_id: None,
            grants: grants.clone(),
            password: "大厅管理员初始口令-2026".into(),
        })
        .await
        .unwrap();
    let store = Arc::new(Store::open_in_memory(Arc::new(SystemClock)).unwrap());
    let endpoint = Endpoint { base_url: base.clone(), hall_id: HALL.into(), admin_token: ADMIN.into() };
    let client = SyncClient::new(store.clone(), endpoint);

    let staff = store
        .create_staff(
            "test",
            &StaffInput { employee_no: "1024".into(), name: "张敏".into(), department_id: None },
        )
        .unwrap();
    store
        .set_star_rule("test", &StarRule { min_services: 5, min_ratings: 5, ..StarRule::default() })
        .unwrap();
    let (tickets, ratings) = month_of(&staff.id, 10, 10);
    store.upsert_report_facts(&tickets, &ratings).unwrap();

    // Nobody signed in on this PC: the ranking stays here.
    client.sync_now().await.unwrap();
    client.sync_now().await.unwrap();
    assert_eq!(feed().await.stars, None);

    store.set_signed_in(Some(&Person { account_id: account.id.clone(), name: "王管理".into(), grants }));
    // The first sync pulls and publishes; the next pushes what was published.
    client.sync_now().await.unwrap();
    client.sync_now().await.unwrap();
    let status = store.outbox_status().unwrap();
    assert_eq!(status.rejected, 0, "{status:?}");
    let shown = feed().await.stars.expect("the month's stars are on the display");
    let today = hallkeeper_core::clock::hall_date(chrono::Utc::now());
    assert_eq!(shown.month, today.format("%Y-%m").to_string());
    let local = store.monthly_stars(chrono::Datelike::year(&today), chrono::Datelike::month(&today)).unwrap();
    assert_eq!(shown.stars, local.stars, "what the desktop ranked, unchanged");
    assert_eq!(
        shown
            .stars
            .iter()
            .map(|s| (s.rank, s.staff_name.as_str(), s.employee_no.as_deref(), s.grade))
            .collect::<Vec<_>>(),
        [(1, "张敏", Some("1024"), 5)]
    );
    running.stop().await.unwrap();
}
