//! The real server on a loopback port, driven over HTTP as kiosks, callers, rating pads, the
//! display and the administrator would. Every test runs on SQLite, and on PostgreSQL when the
//! test set-up provides one (`HALLKEEPER_TEST_POSTGRES_URL`; required in CI).

mod common;

use common::api::{Backend, Fixture};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn each_backend<F, Fut>(f: F)
where
    F: Fn(Fixture) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in Backend::available().await {
        let name = backend.name();
        let fx = Fixture::start(backend).await;
        eprintln!("-- on {name}");
        f(fx).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_from_kiosk_to_rating() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let pad = fx.device("rating_pad", Some(&fx.window_a)).await;

        let listing = fx.get(&kiosk, "/api/v1/kiosk/matters").await;
        assert_eq!(listing.0, StatusCode::OK);
        let names: Vec<&str> = listing.1[0]["matters"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["居民身份证换领", "户口迁入登记"], "only matters with an open window are offered");

        let (s, first) = fx.post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        assert_eq!((first["ticket"]["number"].as_str(), first["ahead"].as_u64()), (Some("A001"), Some(0)));
        let (_, second) = fx.post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-hukou", "phone": "13812345678" })).await;
        assert_eq!((second["ticket"]["number"].as_str(), second["ahead"].as_u64()), (Some("A002"), Some(1)));

        let (s, called) = fx.post(&caller, "/api/v1/caller/next", json!(null)).await;
        assert_eq!(s, StatusCode::OK, "{called}");
        assert_eq!(called["number"], "A001");
        let id = called["id"].as_str().unwrap().to_owned();

        // Rating before the ticket is finished is refused.
        let (s, body) = fx.post(&pad, "/api/v1/pad/ratings", json!({ "ticketId": id, "level": "satisfied" })).await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::CONFLICT, Some("rating.ticket_not_finished")));

        let (s, done) = fx.post(&caller, &format!("/api/v1/caller/tickets/{id}/finish"), json!(null)).await;
        assert_eq!((s, done["state"].as_str()), (StatusCode::OK, Some("finished")));
        let (s, rating) = fx
            .post(&pad, "/api/v1/pad/ratings", json!({ "ticketId": id, "level": "very_dissatisfied", "reasons": ["等候时间长"], "comment": "排了很久" }))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{rating}");
        assert_eq!(rating["ticketNumber"], "A001");
        let (s, body) = fx.post(&pad, "/api/v1/pad/ratings", json!({ "ticketId": id, "level": "satisfied" })).await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::CONFLICT, Some("rating.duplicate")), "一事一评");
        let ratings = fx.admin_get(&format!("/api/v1/admin/halls/{}/ratings", fx.hall)).await;
        assert_eq!(ratings.1.as_array().unwrap().len(), 1);
        assert_eq!(ratings.1[0]["level"], "very_dissatisfied");

        // The display shows the call.
        let display = fx.device("display", None).await;
        let (_, feed) = fx.get(&display, "/api/v1/display").await;
        assert_eq!(feed["recentCalls"][0]["ticketNumber"], "A001");
        assert_eq!(feed["waiting"], 1);
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_valid_token_nothing_changes() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let body = json!({ "matterId": "m-id" });
        for token in [None, Some("hk_not-a-token".to_owned())] {
            let (s, e) = fx.post_raw(token.as_deref(), "/api/v1/kiosk/tickets", body.to_string()).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{e}");
            assert!(e["code"].as_str().unwrap().starts_with("auth."), "{e}");
        }
        // A caller's token does not open the kiosk.
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let (s, e) = fx.post(&caller, "/api/v1/kiosk/tickets", body.clone()).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("auth.wrong_device")));
        // A revoked token is refused.
        let (s, created) = fx
            .admin_post(
                &format!("/api/v1/admin/halls/{}/devices", fx.hall),
                json!({ "kind": "kiosk", "name": "二号机" }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let token = created["token"].as_str().unwrap().to_owned();
        let dev = created["device"]["id"].as_str().unwrap().to_owned();
        let s = fx.admin_delete(&format!("/api/v1/admin/halls/{}/devices/{dev}", fx.hall)).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = fx.post(&token, "/api/v1/kiosk/tickets", body.clone()).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        // The admin API needs the admin token.
        let (s, _) = fx
            .post_raw(
                Some(&kiosk),
                &format!("/api/v1/admin/halls/{}/devices", fx.hall),
                json!({ "kind": "kiosk", "name": "x" }).to_string(),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        // Nothing was issued by any of those.
        let (_, tickets) = fx.admin_get(&format!("/api/v1/admin/halls/{}/tickets", fx.hall)).await;
        assert_eq!(tickets.as_array().unwrap().len(), 0, "{tickets}");
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_the_field_named() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let pad = fx.device("rating_pad", Some(&fx.window_a)).await;
        let cases: Vec<(&str, &str, String, StatusCode, &str, Option<&str>)> = vec![
            (
                "kiosk",
                "/api/v1/kiosk/tickets",
                "{\"matterId\": ".into(),
                StatusCode::BAD_REQUEST,
                "request.malformed_json",
                None,
            ),
            (
                "kiosk",
                "/api/v1/kiosk/tickets",
                json!({ "matterId": "m-id", "colour": "red" }).to_string(),
                StatusCode::BAD_REQUEST,
                "request.invalid_field",
                Some("colour"),
            ),
            (
                "kiosk",
                "/api/v1/kiosk/tickets",
                json!({ "matterId": "m-id", "class": "vip" }).to_string(),
                StatusCode::BAD_REQUEST,
                "request.invalid_field",
                Some("class"),
            ),
            (
                "kiosk",
                "/api/v1/kiosk/tickets",
                json!({ "matterId": 7 }).to_string(),
                StatusCode::BAD_REQUEST,
                "request.invalid_field",
                Some("matterId"),
            ),
            (
                "kiosk",
                "/api/v1/kiosk/tickets",
                json!({ "matterId": "m-id", "phone": "12345" }).to_string(),
                StatusCode::BAD_REQUEST,
                "ticket.phone_invalid",
                Some("phone"),
            ),
            (
                "kiosk",
                "/api/v1/kiosk/tickets",
                json!({ "matterId": "no-such-matter" }).to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "queue.unknown_matter",
                None,
            ),
            (
                "kiosk",
                "/api/v1/kiosk/tickets",
                json!({ "matterId": "m-closed" }).to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "queue.no_open_window",
                None,
            ),
            (
                "kiosk",
                "/api/v1/kiosk/tickets",
                json!({ "matterId": "m-unbound" }).to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "queue.no_window",
                None,
            ),
            (
                "kiosk",
                "/api/v1/kiosk/tickets",
                format!("{{\"matterId\": \"m-id\", \"phone\": \"{}\"}}", "1".repeat(70_000)),
                StatusCode::PAYLOAD_TOO_LARGE,
                "request.too_large",
                None,
            ),
            (
                "pad",
                "/api/v1/pad/ratings",
                json!({ "ticketId": "nope", "level": "great" }).to_string(),
                StatusCode::BAD_REQUEST,
                "request.invalid_field",
                Some("level"),
            ),
            (
                "pad",
                "/api/v1/pad/ratings",
                json!({ "ticketId": "nope", "level": "satisfied" }).to_string(),
                StatusCode::NOT_FOUND,
                "rating.ticket_not_found",
                None,
            ),
        ];
        for (who, path, body, status, code, field) in cases {
            let token = if who == "kiosk" { &kiosk } else { &pad };
            let (s, e) = fx.post_raw(Some(token), path, body.clone()).await;
            let shown: String = body.chars().take(60).collect();
            assert_eq!(s, status, "{shown}: {e}");
            assert_eq!(e["code"].as_str(), Some(code), "{shown}: {e}");
            assert_eq!(e["field"].as_str(), field, "{shown}: {e}");
            assert!(!e["message"].as_str().unwrap_or("").is_empty(), "{shown}: {e}");
        }
        let (_, tickets) = fx.admin_get(&format!("/api/v1/admin/halls/{}/tickets", fx.hall)).await;
        assert_eq!(tickets.as_array().unwrap().len(), 0, "no bad request issued a ticket");
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_survives_a_restart_and_pausing_a_window_stops_its_matters() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        for _ in 0..3 {
            let (s, _) = fx.post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
            assert_eq!(s, StatusCode::CREATED);
        }
        let (_, called) = fx.post(&caller, "/api/v1/caller/next", json!(null)).await;
        assert_eq!(called["number"], "A001");
        let fx = fx.restart().await;
        let (_, view) = fx.get(&caller, "/api/v1/caller").await;
        assert_eq!(view["current"]["number"], "A001", "{view}");
        assert_eq!(view["waiting"], 2);
        let (_, next) = fx.post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
        assert_eq!(next["ticket"]["number"], "A004", "numbering continues after a restart");

        let (s, v) = fx.put(&caller, "/api/v1/caller/window-state", json!({ "state": "paused" })).await;
        assert_eq!((s, v["windowState"].as_str()), (StatusCode::OK, Some("paused")));
        let (s, e) = fx.post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("queue.no_open_window")),
            "{e}"
        );
        assert!(e["message"].as_str().unwrap().contains("窗口"), "the kiosk says why: {e}");
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_sees_only_its_own_hall() {
    each_backend(|fx| async move {
        let kiosk_a = fx.device("kiosk", None).await;
        fx.post(&kiosk_a, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
        let other = fx.second_hall().await;
        let kiosk_b = fx.device_in(&other, "kiosk", None).await;
        let (_, listing) = fx.get(&kiosk_b, "/api/v1/kiosk/matters").await;
        assert_eq!(listing, json!([]), "hall B has no configuration of its own: {listing}");
        let (s, e) = fx.post(&kiosk_b, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (_, b_tickets) = fx.admin_get(&format!("/api/v1/admin/halls/{other}/tickets")).await;
        assert_eq!(b_tickets, json!([]));
        fx.stop().await;
    })
    .await;
}

#[allow(dead_code)]
fn unused(_: Value) {}
