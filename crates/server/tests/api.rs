//! The real server on a loopback port, driven over HTTP as kiosks, callers, rating pads, the
//! display and the administrator would. Every test runs on SQLite, and on PostgreSQL when the
//! test set-up provides one (`HALLKEEPER_TEST_POSTGRES_URL`; required in CI).

mod common;

use common::api::{each_backend, Fixture};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The API says who may call and which hall before it reads a body: a caller without the right
/// token hears `auth.*` and an admin request naming an unknown hall `hall.not_found`, whatever the
/// body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_are_refused_before_the_body_is_read() {
    each_backend(|fx| async move {
        let not_json = "{ this is not json".to_owned();
        let push = format!("/api/v1/admin/halls/{}/sync/push", fx.hall);
        let (s, e) = fx.post_raw(None, &push, not_json.clone()).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("auth.token_missing")), "{e}");
        let kiosk = fx.device("kiosk", None).await;
        let (s, e) = fx.post_raw(Some(&kiosk), &push, not_json.clone()).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("auth.token_invalid")), "{e}");
        let (s, e) = fx.post_raw(Some(&kiosk), "/api/v1/admin/halls", not_json.clone()).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{e}");
        let (s, e) = fx
            .post_raw(
                Some(common::api::ADMIN),
                "/api/v1/admin/halls/no-such-hall/sync/push",
                not_json.clone(),
            )
            .await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("hall.not_found")), "{e}");
        // With the token and a real hall the body is read, and its fault named.
        let (s, e) = fx.post_raw(Some(common::api::ADMIN), &push, not_json.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        // Devices too: no token, a wrong one or another kind's, and the body is never looked at.
        for path in
            ["/api/v1/kiosk/tickets", "/api/v1/caller/next", "/api/v1/pad/ratings", "/api/v1/appointments"]
        {
            let (s, e) = fx.post_raw(None, path, not_json.clone()).await;
            assert_eq!(
                (s, e["code"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("auth.token_missing")),
                "{path}: {e}"
            );
        }
        let (s, e) = fx.post_raw(Some(&kiosk), "/api/v1/pad/ratings", not_json.clone()).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("auth.wrong_device")), "{e}");
        let (s, e) = fx.post_raw(Some(&kiosk), "/api/v1/kiosk/tickets", not_json).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        fx.stop().await;
    })
    .await;
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

/// (device, path, body, status, code, field) of a refused request.
type Refusal<'a> = (&'a str, &'a str, String, StatusCode, &'a str, Option<&'a str>);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_the_field_named() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let pad = fx.device("rating_pad", Some(&fx.window_a)).await;
        let cases: Vec<Refusal> = vec![
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

// ---- appointments ----

/// The day the appointment tests book, the fixture's day after.
const DAY: &str = "2026-11-26";

/// Hall time (UTC+8) on DAY as the instant the clock takes.
fn at(hhmm: &str) -> String {
    let (h, m) = hhmm.split_once(':').unwrap();
    let minutes = h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap() - 8 * 60;
    let t = chrono::DateTime::parse_from_rfc3339(&format!("{DAY}T00:00:00Z")).unwrap()
        + chrono::Duration::minutes(minutes);
    t.to_rfc3339()
}

async fn book(fx: &Fixture, online: &str, matter: &str, start: &str) -> (StatusCode, Value) {
    fx.post(online, "/api/v1/appointments", json!({ "matterId": matter, "day": DAY, "start": start })).await
}

async fn booked_code(fx: &Fixture, online: &str, matter: &str, start: &str) -> String {
    let (s, body) = book(fx, online, matter, start).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body["code"].as_str().unwrap().to_owned()
}

/// (start, booked, remaining) of each slot.
async fn places(fx: &Fixture, online: &str, matter: &str) -> Vec<(String, u64, u64)> {
    let (s, body) = fx.get(online, &format!("/api/v1/appointments/slots?matterId={matter}&day={DAY}")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["start"].as_str().unwrap().to_owned(),
                x["booked"].as_u64().unwrap(),
                x["remaining"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// code → state of the day's bookings, as the administrator lists them.
async fn listed_states(fx: &Fixture) -> Vec<(String, String)> {
    let (s, body) = fx.admin_get(&format!("/api/v1/admin/halls/{}/appointments?day={DAY}", fx.hall)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|a| (a["code"].as_str().unwrap().to_owned(), a["state"].as_str().unwrap().to_owned()))
        .collect()
}

fn state_of<'a>(listed: &'a [(String, String)], code: &str) -> &'a str {
    &listed.iter().find(|(c, _)| c == code).unwrap().1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_appointment_from_booking_to_a_priority_ticket() {
    each_backend(|fx| async move {
        let online = fx.device("online", None).await;
        let kiosk = fx.device("kiosk", None).await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;

        let (s, set) = fx.put_slots("m-id", DAY, &[("09:30", "10:00", 1), ("09:00", "09:30", 2)]).await;
        assert_eq!(s, StatusCode::OK, "{set}");
        assert_eq!(set.as_array().unwrap().len(), 2);
        assert_eq!(
            set[0],
            json!({ "matterId": "m-id", "day": DAY, "start": "09:00", "end": "09:30", "capacity": 2, "booked": 0, "remaining": 2, "bookable": true }),
            "sorted by start"
        );

        // Booking, until the slot is full.
        let (s, first) = fx
            .post(&online, "/api/v1/appointments", json!({ "matterId": "m-id", "day": DAY, "start": "09:30", "phone": "13812345678" }))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        assert_eq!((first["state"].as_str(), first["end"].as_str()), (Some("booked"), Some("10:00")));
        assert_eq!(first["phone"], "138****5678", "a booking's number is only ever shown masked");
        let late_code = first["code"].as_str().unwrap().to_owned();
        assert_eq!(late_code.len(), 8);
        assert!(late_code.bytes().all(|b| b"23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains(&b)), "{late_code}");
        let (s, e) = book(&fx, &online, "m-id", "09:30").await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("appointment.full")), "{e}");

        let early = booked_code(&fx, &online, "m-id", "09:00").await;
        let dropped = booked_code(&fx, &online, "m-id", "09:00").await;
        assert_ne!(early, dropped);
        assert_eq!(places(&fx, &online, "m-id").await, [("09:00".into(), 2, 0), ("09:30".into(), 1, 0)]);

        // Cancelling frees the place, once.
        let (s, _) = fx.delete(&online, &format!("/api/v1/appointments/{dropped}")).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, e) = fx.delete(&online, &format!("/api/v1/appointments/{dropped}")).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("appointment.cancelled")));
        let (s, e) = fx.delete(&online, "/api/v1/appointments/ZZZZ9999").await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("appointment.not_found")));
        assert_eq!(places(&fx, &online, "m-id").await[0], ("09:00".into(), 1, 1));
        let missed = booked_code(&fx, &online, "m-id", "09:00").await;
        let (s, shown) = fx.get(&online, &format!("/api/v1/appointments/{}", missed.to_lowercase())).await;
        assert_eq!((s, shown["state"].as_str()), (StatusCode::OK, Some("booked")), "codes are read case-blind");

        // Check-in opens 30 minutes before the slot: at 08:00 it is too early, and says when.
        fx.set_clock(&at("08:00"));
        let (s, e) = fx.post(&kiosk, "/api/v1/kiosk/checkins", json!({ "code": early })).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("appointment.too_early")), "{e}");
        assert!(e["message"].as_str().unwrap().contains("08:30"), "{e}");

        // Two walk-in tickets, then the check-in: its ticket is called first.
        fx.set_clock(&at("08:40"));
        for _ in 0..2 {
            let (s, _) = fx.post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
            assert_eq!(s, StatusCode::CREATED);
        }
        let (s, issued) = fx.post(&kiosk, "/api/v1/kiosk/checkins", json!({ "code": format!(" {} ", early.to_lowercase()) })).await;
        assert_eq!(s, StatusCode::CREATED, "{issued}");
        assert_eq!(issued["ticket"]["class"], "appointment");
        assert_eq!(issued["ticket"]["number"], "A003");
        assert_eq!(issued["ahead"], 0, "an appointment goes before earlier normal tickets");
        assert_eq!(issued["matterName"], "居民身份证换领");
        let (s, called) = fx.post(&caller, "/api/v1/caller/next", json!(null)).await;
        assert_eq!((s, called["number"].as_str()), (StatusCode::OK, Some("A003")), "{called}");
        assert_eq!(called["class"], "appointment");

        // Checked in once; and a checked-in booking is not cancelled.
        let (s, e) = fx.post(&kiosk, "/api/v1/kiosk/checkins", json!({ "code": early })).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("appointment.checked_in")));
        let (s, e) = fx.delete(&online, &format!("/api/v1/appointments/{early}")).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("appointment.checked_in")));
        let (s, e) = fx.post(&kiosk, "/api/v1/kiosk/checkins", json!({ "code": dropped })).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("appointment.cancelled")));
        let (_, listed) = fx.admin_get(&format!("/api/v1/admin/halls/{}/appointments?day={DAY}", fx.hall)).await;
        let record = listed.as_array().unwrap().iter().find(|a| a["code"] == early.as_str()).unwrap();
        assert_eq!(record["state"], "checked_in");
        assert_eq!(record["ticketId"], called["id"]);
        assert!(record["checkedInAt"].as_str().unwrap().starts_with("2026-11-26T00:40:00"), "{record}");

        // 15 minutes after its slot's end a booking is too late, and recorded as a no-show.
        fx.set_clock(&at("09:46"));
        let (s, e) = fx.post(&kiosk, "/api/v1/kiosk/checkins", json!({ "code": missed })).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("appointment.too_late")), "{e}");
        let (s, e) = fx.delete(&online, &format!("/api/v1/appointments/{missed}")).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("appointment.no_show")), "{e}");
        let listed = listed_states(&fx).await;
        assert_eq!(state_of(&listed, &missed), "no_show");
        assert_eq!(state_of(&listed, &late_code), "booked", "its window is open until 10:15");
        assert_eq!(state_of(&listed, &dropped), "cancelled");
        assert_eq!(listed.len(), 4);

        // Nobody checks it in: listing after its window records the no-show.
        fx.set_clock(&at("10:16"));
        assert_eq!(state_of(&listed_states(&fx).await, &late_code), "no_show");
        let (_, no_show) = fx.get(&online, &format!("/api/v1/appointments/{late_code}")).await;
        assert!(no_show["noShowAt"].as_str().unwrap().starts_with("2026-11-26T02:16:00"), "{no_show}");
        let (_, tickets) = fx.admin_get(&format!("/api/v1/admin/halls/{}/tickets", fx.hall)).await;
        assert_eq!(tickets.as_array().unwrap().len(), 3, "no ticket for refused check-ins: {tickets}");

        // A restart keeps it all: the appointment ticket is replayed from the log.
        let fx = fx.restart().await;
        let (_, view) = fx.get(&caller, "/api/v1/caller").await;
        assert_eq!((view["current"]["number"].as_str(), view["waiting"].as_u64()), (Some("A003"), Some(2)), "{view}");
        assert_eq!(listed_states(&fx).await.len(), 4);
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appointment_requests_are_checked() {
    each_backend(|fx| async move {
        let online = fx.device("online", None).await;
        let kiosk = fx.device("kiosk", None).await;
        let slots_path = format!("/api/v1/admin/halls/{}/appointment-slots", fx.hall);

        // Slots: times, order, capacity, overlaps, the matter.
        let cases: Vec<(Value, &str, Option<&str>)> = vec![
            (json!({ "matterId": "m-id", "day": DAY, "slots": [{ "start": "9:00", "end": "09:30", "capacity": 1 }] }), "appointment.time_invalid", Some("slots[0].start")),
            (json!({ "matterId": "m-id", "day": DAY, "slots": [{ "start": "08:00", "end": "08:30", "capacity": 1 }, { "start": "09:00", "end": "24:00", "capacity": 1 }] }), "appointment.time_invalid", Some("slots[1].end")),
            (json!({ "matterId": "m-id", "day": DAY, "slots": [{ "start": "09:30", "end": "09:30", "capacity": 1 }] }), "appointment.slot_invalid", Some("slots[0].end")),
            (json!({ "matterId": "m-id", "day": DAY, "slots": [{ "start": "09:00", "end": "09:30", "capacity": 0 }] }), "appointment.capacity_invalid", Some("slots[0].capacity")),
            (json!({ "matterId": "m-id", "day": DAY, "slots": [{ "start": "09:00", "end": "09:30", "capacity": 501 }] }), "appointment.capacity_invalid", Some("slots[0].capacity")),
            (json!({ "matterId": "m-id", "day": DAY, "slots": [{ "start": "09:00", "end": "10:00", "capacity": 1 }, { "start": "09:30", "end": "10:30", "capacity": 1 }] }), "appointment.slots_overlap", Some("slots")),
            (json!({ "matterId": "m-nope", "day": DAY, "slots": [] }), "appointment.matter_invalid", Some("matterId")),
            (json!({ "matterId": "m-id", "day": "2026-11-31", "slots": [] }), "request.invalid_field", Some("day")),
            (json!({ "matterId": "m-id", "day": DAY, "slots": [{ "start": "09:00", "end": "09:30", "capacity": -1 }] }), "request.invalid_field", Some("slots[0].capacity")),
        ];
        for (body, code, field) in cases {
            let (s, e) = fx.admin_put(&slots_path, body.clone()).await;
            assert_eq!((s, e["code"].as_str(), e["field"].as_str()), (StatusCode::BAD_REQUEST, Some(code), field), "{body}: {e}");
        }
        let (_, listed) = fx.admin_get(&format!("{slots_path}?matterId=m-id&day={DAY}")).await;
        assert_eq!(listed, json!([]), "nothing refused was stored");

        // A slot holding bookings keeps its times and at least as many places.
        let (s, _) = fx.put_slots("m-id", DAY, &[("09:00", "09:30", 2), ("10:00", "10:30", 1)]).await;
        assert_eq!(s, StatusCode::OK);
        booked_code(&fx, &online, "m-id", "09:00").await;
        booked_code(&fx, &online, "m-id", "09:00").await;
        for refused in [vec![("10:00", "10:30", 1)], vec![("09:00", "09:45", 2)], vec![("09:00", "09:30", 1)]] {
            let (s, e) = fx.put_slots("m-id", DAY, &refused).await;
            assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("appointment.slot_in_use")), "{refused:?}: {e}");
        }
        let (s, set) = fx.put_slots("m-id", DAY, &[("09:00", "09:30", 3)]).await;
        assert_eq!((s, &set[0]["booked"], &set[0]["remaining"]), (StatusCode::OK, &json!(2), &json!(1)), "{set}");

        // Bookings: fields, the slot, the matter, the past.
        let cases: Vec<(Value, StatusCode, &str, Option<&str>)> = vec![
            (json!({ "matterId": "m-id", "day": DAY, "start": "09:00", "phone": "12345678901" }), StatusCode::BAD_REQUEST, "appointment.phone_invalid", Some("phone")),
            (json!({ "matterId": "m-id", "day": DAY, "start": "9:00" }), StatusCode::BAD_REQUEST, "appointment.time_invalid", Some("start")),
            (json!({ "matterId": "m-id", "day": "26/11/2026", "start": "09:00" }), StatusCode::BAD_REQUEST, "request.invalid_field", Some("day")),
            (json!({ "matterId": "m-id", "day": DAY, "start": "09:00", "seat": 1 }), StatusCode::BAD_REQUEST, "request.invalid_field", Some("seat")),
            (json!({ "matterId": "m-id", "day": DAY, "start": "09:15" }), StatusCode::NOT_FOUND, "appointment.slot_not_found", None),
            (json!({ "matterId": "m-id", "day": "2026-11-27", "start": "09:00" }), StatusCode::NOT_FOUND, "appointment.slot_not_found", None),
            (json!({ "matterId": "m-nope", "day": DAY, "start": "09:00" }), StatusCode::NOT_FOUND, "appointment.matter_unknown", None),
        ];
        for (body, status, code, field) in cases {
            let (s, e) = fx.post(&online, "/api/v1/appointments", body.clone()).await;
            assert_eq!((s, e["code"].as_str(), e["field"].as_str()), (status, Some(code), field), "{body}: {e}");
        }
        for query in ["matterId=m-id", "day=2026-11-26", "matterId=m-id&day=tomorrow"] {
            let (s, e) = fx.get(&online, &format!("/api/v1/appointments/slots?{query}")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{query}: {e}");
        }
        let (s, e) = fx.post(&kiosk, "/api/v1/kiosk/checkins", json!({ "code": "ABC" })).await;
        assert_eq!((s, e["code"].as_str(), e["field"].as_str()), (StatusCode::BAD_REQUEST, Some("appointment.code_invalid"), Some("code")));
        let (s, e) = fx.post(&kiosk, "/api/v1/kiosk/checkins", json!({ "code": "ZZZZ9999" })).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("appointment.not_found")));

        // Once the slot has started it cannot be booked.
        fx.set_clock(&at("09:00"));
        let (_, shown) = fx.get(&online, &format!("/api/v1/appointments/slots?matterId=m-id&day={DAY}")).await;
        assert_eq!(shown[0]["bookable"], false, "{shown}");
        let (s, e) = book(&fx, &online, "m-id", "09:00").await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("appointment.slot_past")), "{e}");

        // Check-in keeps the kiosk's rules: a matter whose windows are all closed is refused with
        // the queue's reason, and the booking stays booked for when one opens.
        fx.set_clock(&at("07:00"));
        let (s, _) = fx.put_slots("m-closed", DAY, &[("10:00", "11:00", 5)]).await;
        assert_eq!(s, StatusCode::OK);
        let code = booked_code(&fx, &online, "m-closed", "10:00").await;
        fx.set_clock(&at("09:40"));
        let (s, e) = fx.post(&kiosk, "/api/v1/kiosk/checkins", json!({ "code": code })).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("queue.no_open_window")), "{e}");
        let (_, shown) = fx.get(&online, &format!("/api/v1/appointments/{code}")).await;
        assert_eq!((shown["state"].as_str(), &shown["ticketId"]), (Some("booked"), &Value::Null), "{shown}");
        let (_, tickets) = fx.admin_get(&format!("/api/v1/admin/halls/{}/tickets", fx.hall)).await;
        assert_eq!(tickets, json!([]));
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_bookings_for_the_last_places() {
    each_backend(|fx| async move {
        let online = fx.device("online", None).await;
        let (s, _) = fx.put_slots("m-id", DAY, &[("09:00", "09:30", 2)]).await;
        assert_eq!(s, StatusCode::OK);
        let attempts = (0..6).map(|_| book(&fx, &online, "m-id", "09:00"));
        let outcomes = futures_join_all(attempts).await;
        let statuses: Vec<StatusCode> = outcomes.iter().map(|(s, _)| *s).collect();
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 2, "{outcomes:?}");
        assert!(
            outcomes
                .iter()
                .filter(|(s, _)| *s != StatusCode::CREATED)
                .all(|(s, e)| *s == StatusCode::CONFLICT && e["code"] == "appointment.full"),
            "{outcomes:?}"
        );
        assert_eq!(places(&fx, &online, "m-id").await, [("09:00".into(), 2, 0)]);
        fx.stop().await;
    })
    .await;
}

/// Runs the futures at once (on the test's runtime) and gives their outputs in order.
async fn futures_join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_online_channel_and_the_kiosk_keep_to_their_own_endpoints() {
    each_backend(|fx| async move {
        let online = fx.device("online", None).await;
        let kiosk = fx.device("kiosk", None).await;
        let (s, _) = fx.put_slots("m-id", DAY, &[("09:00", "09:30", 5)]).await;
        assert_eq!(s, StatusCode::OK);
        let code = booked_code(&fx, &online, "m-id", "09:00").await;
        let booking = json!({ "matterId": "m-id", "day": DAY, "start": "09:00" });

        // An online token takes no tickets and checks nothing in; a kiosk books nothing.
        for (path, body) in [
            ("/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })),
            ("/api/v1/kiosk/checkins", json!({ "code": code })),
        ] {
            let (s, e) = fx.post(&online, path, body).await;
            assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("auth.wrong_device")), "{path}");
        }
        let (s, _) = fx.post(&kiosk, "/api/v1/appointments", booking.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = fx.get(&kiosk, &format!("/api/v1/appointments/slots?matterId=m-id&day={DAY}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = fx.delete(&kiosk, &format!("/api/v1/appointments/{code}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let (s, _) = fx.get(&caller, &format!("/api/v1/appointments/{code}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // No token, an unknown one, the admin's, a revoked one: 401.
        for token in [None, Some("hk_not-a-token"), Some(common::api::ADMIN)] {
            let (s, e) = fx.post_raw(token, "/api/v1/appointments", booking.to_string()).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{token:?}: {e}");
        }
        let (s, created) = fx
            .admin_post(
                &format!("/api/v1/admin/halls/{}/devices", fx.hall),
                json!({ "kind": "online", "name": "网上大厅" }),
            )
            .await;
        assert_eq!((s, created["device"]["kind"].as_str()), (StatusCode::CREATED, Some("online")));
        let revoked = created["token"].as_str().unwrap().to_owned();
        let id = created["device"]["id"].as_str().unwrap();
        assert_eq!(
            fx.admin_delete(&format!("/api/v1/admin/halls/{}/devices/{id}", fx.hall)).await,
            StatusCode::NO_CONTENT
        );
        let (s, _) = fx.post(&revoked, "/api/v1/appointments", booking.clone()).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, _) = fx.delete(&revoked, &format!("/api/v1/appointments/{code}")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        // Another hall's channel and kiosk do not see this hall's bookings.
        let other = fx.second_hall().await;
        let other_online = fx.device_in(&other, "online", None).await;
        let other_kiosk = fx.device_in(&other, "kiosk", None).await;
        let (s, _) = fx.get(&other_online, &format!("/api/v1/appointments/{code}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = fx.delete(&other_online, &format!("/api/v1/appointments/{code}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = fx.post(&other_kiosk, "/api/v1/kiosk/checkins", json!({ "code": code })).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, e) = fx.post(&other_online, "/api/v1/appointments", booking.clone()).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("appointment.matter_unknown")),
            "{e}"
        );

        let (_, shown) = fx.get(&online, &format!("/api/v1/appointments/{code}")).await;
        assert_eq!(shown["state"], "booked", "nothing above changed it");
        assert_eq!(places(&fx, &online, "m-id").await, [("09:00".into(), 1, 4)]);
        fx.stop().await;
    })
    .await;
}

// ---- sync ----

/// An operation authored by the fixture's 系统管理员 (sync schema 2: every op names its author,
/// and the server re-checks the author's role when it receives it).
fn sync_op(seq: i64, device: &str, millis: i64, entity: &str, key: &str, change: Value) -> Value {
    json!({ "seq": seq, "opId": format!("{device}-{seq}"), "hlc": format!("{millis:018}-00000-{device}"),
            "entity": entity, "key": key, "change": change, "author": common::api::AUTHOR })
}

fn push_body(device: &str, ops: Vec<Value>) -> Value {
    json!({ "deviceId": device, "schemaVersion": hallkeeper_proto::SYNC_SCHEMA_VERSION, "ops": ops })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_push_then_pull() {
    each_backend(|fx| async move {
        let push = format!("/api/v1/admin/halls/{}/sync/push", fx.hall);
        let pull = format!("/api/v1/admin/halls/{}/sync/pull", fx.hall);
        let ops = vec![
            sync_op(
                1,
                "pc1",
                10,
                "window",
                "w-x",
                json!({ "kind": "upsert", "fields": { "number": "C01", "name": "综合受理" } }),
            ),
            sync_op(
                2,
                "pc1",
                11,
                "matter",
                "m-x",
                json!({ "kind": "upsert", "fields": { "name": "社保卡申领" } }),
            ),
            sync_op(
                3,
                "pc1",
                12,
                "binding",
                "w-x/m-x",
                json!({ "kind": "upsert", "fields": { "priority": "primary" } }),
            ),
        ];
        let (s, first) = fx.admin_post(&push, push_body("pc1", ops.clone())).await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert_eq!(first, json!({ "highestSeq": 3, "rejected": [] }));

        let (s, page) = fx.admin_get(&pull).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert_eq!((page["nextCursor"].as_i64(), page["hasMore"].as_bool()), (Some(3), Some(false)));
        let changes = page["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 3);
        assert_eq!(changes[0]["changeId"], 1);
        assert_eq!(changes[0]["change"], ops[0]["change"]);
        assert_eq!(
            (changes[2]["key"].as_str(), changes[2]["deviceId"].as_str(), changes[2]["seq"].as_i64()),
            (Some("w-x/m-x"), Some("pc1"), Some(3))
        );

        // Replayed: the same answer, nothing new to pull.
        let (s, again) = fx.admin_post(&push, push_body("pc1", ops)).await;
        assert_eq!((s, &again), (StatusCode::OK, &first));
        let (_, after) = fx.admin_get(&format!("{pull}?cursor=3")).await;
        assert_eq!(after, json!({ "changes": [], "nextCursor": 3, "hasMore": false }));

        // Paging.
        let (_, one) = fx.admin_get(&format!("{pull}?cursor=1&limit=1")).await;
        assert_eq!(
            (one["changes"][0]["changeId"].as_i64(), one["nextCursor"].as_i64(), one["hasMore"].as_bool()),
            (Some(2), Some(2), Some(true))
        );
        fx.stop().await;
    })
    .await;
}

/// Evidence files (docs/sync.md, "Records"): stored only under their own SHA-256, within the
/// limit, idempotently, and read back as they were sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_files_are_stored_under_their_hash() {
    each_backend(|fx| async move {
        let url = |sha: &str| format!("{}/api/v1/admin/halls/{}/sync/evidence/{sha}", fx.base, fx.hall);
        let sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"; // "hello\n"
        let put = |sha: String, body: Vec<u8>| {
            let (http, u) = (fx.http.clone(), url(&sha));
            async move {
                let resp = http.put(u).bearer_auth(common::api::ADMIN).body(body).send().await.unwrap();
                let status = resp.status().as_u16();
                let body: serde_json::Value = resp.json().await.unwrap_or(serde_json::Value::Null);
                (status, body["code"].as_str().map(str::to_owned))
            }
        };
        let get = |sha: String| {
            let (http, u) = (fx.http.clone(), url(&sha));
            async move {
                let resp = http.get(u).bearer_auth(common::api::ADMIN).send().await.unwrap();
                (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
            }
        };
        assert_eq!(get(sha.into()).await.0, 404, "not uploaded yet");
        assert_eq!(put(sha.into(), b"hello".to_vec()).await, (400, Some("evidence.hash_mismatch".into())));
        assert_eq!(
            put("ABC".into(), b"hello\n".to_vec()).await,
            (400, Some("evidence.sha256_invalid".into()))
        );
        assert_eq!(put(sha.into(), b"hello\n".to_vec()).await.0, 201);
        assert_eq!(put(sha.into(), b"hello\n".to_vec()).await.0, 204, "again: already held");
        assert_eq!(get(sha.into()).await, (200, b"hello\n".to_vec()));
        let big = vec![0u8; hallkeeper_proto::EVIDENCE_MAX_BYTES as usize + 1];
        assert_eq!(put("0".repeat(64), big).await, (413, Some("request.too_large".into())));
        let resp = fx.http.get(url(sha)).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 401, "only with the hall's credentials");
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_requests_are_checked() {
    each_backend(|fx| async move {
        let push = format!("/api/v1/admin/halls/{}/sync/push", fx.hall);
        let pull = format!("/api/v1/admin/halls/{}/sync/pull", fx.hall);
        let window = |seq, millis| {
            sync_op(
                seq,
                "pc1",
                millis,
                "window",
                "w-x",
                json!({ "kind": "upsert", "fields": { "name": "x" } }),
            )
        };

        // Another sync schema version: refused whole, saying which side is older.
        for (version, older) in [(0, "桌面端"), (hallkeeper_proto::SYNC_SCHEMA_VERSION + 1, "服务器")] {
            let (s, e) = fx
                .admin_post(
                    &push,
                    json!({ "deviceId": "pc1", "schemaVersion": version, "ops": [window(1, 10)] }),
                )
                .await;
            assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("sync.schema_mismatch")), "{e}");
            assert!(e["message"].as_str().unwrap().starts_with(older), "{e}");
        }
        let (_, page) = fx.admin_get(&pull).await;
        assert_eq!(page["changes"], json!([]), "nothing applied");
        // Pulls name their version in a header: another version gets no rows it would misread.
        let events = format!("/api/v1/admin/halls/{}/sync/events", fx.hall);
        let ratings = format!("/api/v1/admin/halls/{}/sync/ratings", fx.hall);
        for path in [&pull, &events, &ratings] {
            let v = hallkeeper_proto::SYNC_SCHEMA_VERSION;
            let versions = [
                (v.to_string(), 200),
                ((v + 1).to_string(), 409),
                ((v - 1).to_string(), 409),
                ("one".into(), 400),
            ];
            for (version, want) in versions {
                let resp = fx
                    .http
                    .get(format!("{}{path}", fx.base))
                    .bearer_auth(common::api::ADMIN)
                    .header(hallkeeper_proto::SYNC_VERSION_HEADER, &version)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status().as_u16(), want, "{path} with version {version}");
            }
        }

        // Bad operations in a readable batch are rejected one by one; the rest applies.
        let mut bad_hlc = window(2, 11);
        bad_hlc["hlc"] = json!("yesterday");
        let ops = vec![
            sync_op(1, "pc1", 10, "ticket", "t-1", json!({ "kind": "upsert", "fields": {} })),
            bad_hlc,
            sync_op(
                3,
                "pc1",
                12,
                "binding",
                "w-gone/m-id",
                json!({ "kind": "upsert", "fields": { "priority": "primary" } }),
            ),
            window(4, 13),
        ];
        let (s, r) = fx.admin_post(&push, push_body("pc1", ops)).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["highestSeq"], 4);
        let codes: Vec<(i64, &str)> = r["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["seq"].as_i64().unwrap(), x["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            codes,
            [(1, "sync.unknown_entity"), (2, "sync.hlc_invalid"), (3, "sync.reference_deleted")]
        );
        let (_, page) = fx.admin_get(&pull).await;
        assert_eq!(page["changes"].as_array().unwrap().len(), 1);

        // A batch that cannot be read is refused whole (400), as are bad ids and paging.
        let mut unknown_field = window(5, 14);
        unknown_field["extra"] = json!(1);
        let (s, e) = fx.admin_post(&push, push_body("pc1", vec![unknown_field])).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("request.invalid_field")), "{e}");
        let (s, e) = fx.admin_post(&push, push_body("pc 1", vec![])).await;
        assert_eq!((s, e["field"].as_str()), (StatusCode::BAD_REQUEST, Some("deviceId")), "{e}");
        for q in ["limit=0", "limit=5001", "cursor=-1", "cursor=x"] {
            let (s, e) = fx.admin_get(&format!("{pull}?{q}")).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{q}: {e}");
        }
        let (s, _) = fx.admin_get(&format!("{pull}?limit=5000")).await;
        assert_eq!(s, StatusCode::OK);
        let (s, e) =
            fx.admin_post("/api/v1/admin/halls/no-such-hall/sync/push", push_body("pc1", vec![])).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("hall.not_found")));
        let kiosk = fx.device("kiosk", None).await;
        let (s, _) = fx.post(&kiosk, &push, push_body("pc1", vec![window(9, 20)])).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, _) = fx.get(&kiosk, &pull).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_a_deleted_window_takes_the_binding_another_pc_just_made() {
    each_backend(|fx| async move {
        let push = format!("/api/v1/admin/halls/{}/sync/push", fx.hall);
        let pull = format!("/api/v1/admin/halls/{}/sync/pull", fx.hall);
        let upsert = |fields: Value| json!({ "kind": "upsert", "fields": fields });
        let setup = vec![
            sync_op(1, "pc-a", 10, "window", "w-x", upsert(json!({ "number": "C01" }))),
            sync_op(2, "pc-a", 11, "matter", "m-x", upsert(json!({ "name": "社保卡申领" }))),
            // PC A binds; PC B, which has not pulled it, deletes the window.
            sync_op(3, "pc-a", 30, "binding", "w-x/m-x", upsert(json!({ "priority": "primary" }))),
        ];
        let (s, r) = fx.admin_post(&push, push_body("pc-a", setup)).await;
        assert_eq!((s, &r["rejected"]), (StatusCode::OK, &json!([])), "{r}");
        let deleted = vec![sync_op(1, "pc-b", 20, "window", "w-x", json!({ "kind": "delete" }))];
        let (s, r) = fx.admin_post(&push, push_body("pc-b", deleted)).await;
        assert_eq!((s, &r["rejected"]), (StatusCode::OK, &json!([])), "{r}");

        let (_, page) = fx.admin_get(&format!("{pull}?cursor=3")).await;
        let changes: Vec<(i64, &str, &str, &str, i64)> = page["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["changeId"].as_i64().unwrap(),
                    c["entity"].as_str().unwrap(),
                    c["key"].as_str().unwrap(),
                    c["deviceId"].as_str().unwrap(),
                    c["seq"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(changes, [(4, "window", "w-x", "pc-b", 1), (5, "binding", "w-x/m-x", "server", 0)]);
        assert_eq!(page["changes"][1]["change"], json!({ "kind": "delete" }));
        assert_eq!(
            page["changes"][1]["hlc"], "000000000000000030-00001-server",
            "after the binding's own edit"
        );

        // PC A binds the matter to the deleted window again: refused, nothing dangles.
        let late =
            vec![sync_op(4, "pc-a", 40, "binding", "w-x/m-x", upsert(json!({ "priority": "overflow" })))];
        let (s, r) = fx.admin_post(&push, push_body("pc-a", late)).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["rejected"][0]["code"], "sync.reference_deleted", "{r}");
        let (_, page) = fx.admin_get(&format!("{pull}?cursor=5")).await;
        assert_eq!(page["changes"], json!([]));
        fx.stop().await;
    })
    .await;
}

/// Takes a ticket for m-id at a kiosk of the hall.
async fn take_ticket(fx: &Fixture, kiosk: &str) -> Value {
    let (s, body) = fx.post(kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_ticket_events_are_pulled_by_cursor() {
    each_backend(|fx| async move {
        let events = format!("/api/v1/admin/halls/{}/sync/events", fx.hall);
        let (s, empty) = fx.admin_get(&events).await;
        assert_eq!(s, StatusCode::OK, "{empty}");
        assert_eq!(empty, json!({ "events": [], "nextCursor": 0, "hasMore": false }));

        let kiosk = fx.device("kiosk", None).await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let other = fx.second_hall().await;
        let (s, _) =
            fx.admin_put(&format!("/api/v1/admin/halls/{other}/config"), common::api::hall_config()).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let other_kiosk = fx.device_in(&other, "kiosk", None).await;
        let mut tickets = Vec::new();
        for _ in 0..3 {
            tickets.push(take_ticket(&fx, &kiosk).await["ticket"]["id"].as_str().unwrap().to_owned());
            take_ticket(&fx, &other_kiosk).await;
        }
        let (s, called) = fx.post(&caller, "/api/v1/caller/next", json!(null)).await;
        assert_eq!(s, StatusCode::OK, "{called}");

        // Pages of two from the start, each from the last one's cursor.
        let (mut after, mut seen, mut more) = (0, Vec::new(), Vec::new());
        loop {
            let (s, page) = fx.admin_get(&format!("{events}?after={after}&limit=2")).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            for e in page["events"].as_array().unwrap() {
                assert!(e["seq"].as_i64().unwrap() > after);
                assert_eq!(e["day"], "2026-11-25");
                seen.push(e.clone());
            }
            assert_eq!(page["nextCursor"], seen.last().map_or(json!(after), |e| e["seq"].clone()));
            more.push(page["hasMore"].as_bool().unwrap());
            after = page["nextCursor"].as_i64().unwrap();
            if !more.last().unwrap() {
                break;
            }
        }
        assert_eq!(more, [true, false]);
        let what: Vec<(&str, &str)> = seen
            .iter()
            .map(|e| (e["event"]["kind"].as_str().unwrap(), e["event"]["ticketId"].as_str().unwrap()))
            .collect();
        assert_eq!(
            what,
            [
                ("issued", &*tickets[0]),
                ("issued", &*tickets[1]),
                ("issued", &*tickets[2]),
                ("called", &*tickets[0])
            ],
            "this hall's events only, in order"
        );
        // The event is the stored TicketEvent.
        let first: hallkeeper_proto::TicketEvent = serde_json::from_value(seen[0]["event"].clone()).unwrap();
        assert_eq!(first.ticket_id, tickets[0]);
        let seqs: Vec<i64> = seen.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));

        // The default page holds them all; after the last there is nothing.
        let (_, all) = fx.admin_get(&events).await;
        assert_eq!(all["events"].as_array().unwrap().len(), 4);
        assert_eq!(all["hasMore"], false);
        let (_, end) = fx.admin_get(&format!("{events}?after={after}")).await;
        assert_eq!(end, json!({ "events": [], "nextCursor": after, "hasMore": false }));
        let (_, rest) = fx.admin_get(&format!("{events}?after={}", seqs[1])).await;
        assert_eq!(rest["events"].as_array().unwrap().len(), 2);
        let (s, _) = fx.admin_get(&format!("{events}?limit=10000")).await;
        assert_eq!(s, StatusCode::OK);
        let (_, theirs) = fx.admin_get(&format!("/api/v1/admin/halls/{other}/sync/events")).await;
        assert_eq!(theirs["events"].as_array().unwrap().len(), 3);

        for (q, field) in [
            ("after=-1", "after"),
            ("after=x", "after"),
            ("limit=0", "limit"),
            ("limit=10001", "limit"),
            ("limit=many", "limit"),
        ] {
            let (s, e) = fx.admin_get(&format!("{events}?{q}")).await;
            assert_eq!(
                (s, e["code"].as_str(), e["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("request.invalid_field"), Some(field)),
                "{q}: {e}"
            );
        }
        let (s, _) = fx.get(&kiosk, &events).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, e) = fx.admin_get("/api/v1/admin/halls/no-such-hall/sync/events").await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("hall.not_found")));
        fx.stop().await;
    })
    .await;
}

/// A client's end of the sync stream.
struct SyncStream {
    resp: reqwest::Response,
    buf: String,
}

impl SyncStream {
    async fn open(fx: &Fixture, hall: &str) -> SyncStream {
        let resp = fx
            .http
            .get(format!("{}/api/v1/admin/halls/{hall}/sync/stream", fx.base))
            .bearer_auth(common::api::ADMIN)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let kind = resp.headers().get(reqwest::header::CONTENT_TYPE).unwrap().to_str().unwrap();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        SyncStream { resp, buf: String::new() }
    }

    /// The data of the next `heads` message, waiting at most `wait`; None if none came.
    async fn next_heads_within(&mut self, wait: std::time::Duration) -> Option<Value> {
        tokio::time::timeout(wait, async {
            loop {
                if let Some(end) = self.buf.find("\n\n") {
                    let frame: String = self.buf.drain(..end + 2).collect();
                    let (mut event, mut data) = (None, String::new());
                    for line in frame.lines() {
                        if let Some(e) = line.strip_prefix("event:") {
                            event = Some(e.trim().to_owned());
                        } else if let Some(d) = line.strip_prefix("data:") {
                            data.push_str(d.trim_start());
                        }
                    }
                    if event.as_deref() == Some("heads") {
                        return serde_json::from_str(&data).unwrap();
                    }
                    continue;
                }
                let chunk = self.resp.chunk().await.unwrap().expect("the stream ended");
                self.buf.push_str(std::str::from_utf8(&chunk).unwrap());
            }
        })
        .await
        .ok()
    }

    async fn next_heads(&mut self) -> Value {
        self.next_heads_within(std::time::Duration::from_secs(5)).await.expect("no heads within 5 s")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_stream_says_pull_now() {
    each_backend(|fx| async move {
        let push = format!("/api/v1/admin/halls/{}/sync/push", fx.hall);
        let mut stream = SyncStream::open(&fx, &fx.hall).await;
        assert_eq!(
            stream.next_heads().await,
            json!({ "changeId": 0, "eventSeq": 0, "ratingSeq": 0 }),
            "at once, on connect"
        );

        let window = |seq: i64, name: &str| {
            sync_op(
                seq,
                "pc1",
                10 + seq,
                "window",
                "w-x",
                json!({ "kind": "upsert", "fields": { "name": name } }),
            )
        };
        let (s, _) = fx.admin_post(&push, push_body("pc1", vec![window(1, "综合受理")])).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(stream.next_heads().await, json!({ "changeId": 1, "eventSeq": 0, "ratingSeq": 0 }));

        let kiosk = fx.device("kiosk", None).await;
        take_ticket(&fx, &kiosk).await;
        let heads = stream.next_heads().await;
        assert_eq!(heads["changeId"], 1);
        let first_event = heads["eventSeq"].as_i64().unwrap();
        assert!(first_event > 0, "{heads}");
        let (_, page) = fx.admin_get(&format!("/api/v1/admin/halls/{}/sync/events", fx.hall)).await;
        assert_eq!(page["nextCursor"], first_event, "the head is the newest event");

        // A replayed push changes nothing: no message. Another hall's ticket is not this hall's.
        let (s, _) = fx.admin_post(&push, push_body("pc1", vec![window(1, "综合受理")])).await;
        assert_eq!(s, StatusCode::OK);
        let other = fx.second_hall().await;
        let (s, _) =
            fx.admin_put(&format!("/api/v1/admin/halls/{other}/config"), common::api::hall_config()).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        take_ticket(&fx, &fx.device_in(&other, "kiosk", None).await).await;
        assert_eq!(stream.next_heads_within(std::time::Duration::from_millis(800)).await, None);

        // A burst: the stream catches up with its last ticket without a message per ticket.
        for _ in 0..5 {
            take_ticket(&fx, &kiosk).await;
        }
        let (_, page) =
            fx.admin_get(&format!("/api/v1/admin/halls/{}/sync/events?after={first_event}", fx.hall)).await;
        let newest = page["nextCursor"].as_i64().unwrap();
        let mut messages = 0;
        loop {
            let heads = stream.next_heads().await;
            messages += 1;
            if heads["eventSeq"] == newest {
                break;
            }
        }
        assert!(messages <= 5, "{messages} messages for 5 tickets");

        // Two streams of one hall both hear a push.
        let mut second = SyncStream::open(&fx, &fx.hall).await;
        second.next_heads().await;
        let (s, _) = fx.admin_post(&push, push_body("pc1", vec![window(2, "不动产登记")])).await;
        assert_eq!(s, StatusCode::OK);
        for st in [&mut stream, &mut second] {
            assert_eq!(st.next_heads().await, json!({ "changeId": 2, "eventSeq": newest, "ratingSeq": 0 }));
        }

        // Only the admin, only a hall that exists.
        let url = format!("{}/api/v1/admin/halls/{}/sync/stream", fx.base, fx.hall);
        let resp = fx.http.get(&url).bearer_auth(&kiosk).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let (s, e) = fx.admin_get("/api/v1/admin/halls/no-such-hall/sync/stream").await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("hall.not_found")));

        // Open streams do not hold the server up when it stops; they end.
        tokio::time::timeout(std::time::Duration::from_secs(10), fx.stop())
            .await
            .expect("the server did not stop with sync streams open");
        let ended = tokio::time::timeout(std::time::Duration::from_secs(5), async {
            while let Ok(Some(_)) = stream.resp.chunk().await {}
        })
        .await;
        assert!(ended.is_ok(), "the stream did not end with the server");
    })
    .await;
}

/// Takes a ticket at the kiosk, calls and finishes it at A01; its id.
async fn finished_ticket(fx: &Fixture, kiosk: &str, caller: &str) -> String {
    take_ticket(fx, kiosk).await;
    let (s, called) = fx.post(caller, "/api/v1/caller/next", json!(null)).await;
    assert_eq!(s, StatusCode::OK, "{called}");
    let id = called["id"].as_str().unwrap().to_owned();
    let (s, done) = fx.post(caller, &format!("/api/v1/caller/tickets/{id}/finish"), json!(null)).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_ratings_are_pulled_by_cursor_and_wake_the_stream() {
    each_backend(|fx| async move {
        let ratings = format!("/api/v1/admin/halls/{}/sync/ratings", fx.hall);
        let (s, empty) = fx.admin_get(&ratings).await;
        assert_eq!(s, StatusCode::OK, "{empty}");
        assert_eq!(empty, json!({ "ratings": [], "nextCursor": 0, "hasMore": false }));

        let kiosk = fx.device("kiosk", None).await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let pad = fx.device("rating_pad", Some(&fx.window_a)).await;
        let mut stream = SyncStream::open(&fx, &fx.hall).await;
        let first = stream.next_heads().await;
        assert_eq!(first["ratingSeq"], 0);

        let mut given = Vec::new();
        for level in ["very_dissatisfied", "satisfied", "very_satisfied"] {
            let id = finished_ticket(&fx, &kiosk, &caller).await;
            let (s, r) = fx
                .post(
                    &pad,
                    "/api/v1/pad/ratings",
                    json!({ "ticketId": id, "level": level, "reasons": ["等候时间长"] }),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{r}");
            given.push(r);
        }
        // The stream says so: its rating head reaches the newest rating.
        let (_, all) = fx.admin_get(&ratings).await;
        let newest = all["nextCursor"].clone();
        let mut heads = stream.next_heads().await;
        while heads["ratingSeq"] != newest {
            heads = stream.next_heads().await;
        }
        let records = all["ratings"].as_array().unwrap();
        assert_eq!(
            records.iter().map(|r| r["rating"].clone()).collect::<Vec<_>>(),
            given,
            "as the pad was answered"
        );
        let seqs: Vec<i64> = records.iter().map(|r| r["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]));

        // Pages of two, with the head while there is more.
        let (_, page) = fx.admin_get(&format!("{ratings}?limit=2")).await;
        assert_eq!((page["ratings"].as_array().unwrap().len(), &page["hasMore"]), (2, &json!(true)));
        assert_eq!((&page["nextCursor"], &page["head"]), (&json!(seqs[1]), &json!(seqs[2])));
        let (_, rest) = fx.admin_get(&format!("{ratings}?after={}&limit=2", seqs[1])).await;
        assert_eq!(rest["ratings"][0]["seq"], seqs[2]);
        assert_eq!((&rest["hasMore"], rest.get("head")), (&json!(false), None));
        let (_, end) = fx.admin_get(&format!("{ratings}?after={}", seqs[2])).await;
        assert_eq!(end, json!({ "ratings": [], "nextCursor": seqs[2], "hasMore": false }));

        // A refused rating (the same ticket again) stores nothing and moves no head.
        let again = given[0]["ticketId"].as_str().unwrap();
        let (s, _) =
            fx.post(&pad, "/api/v1/pad/ratings", json!({ "ticketId": again, "level": "satisfied" })).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (_, same) = fx.admin_get(&ratings).await;
        assert_eq!(same["nextCursor"], newest);

        for (q, field) in
            [("after=-1", "after"), ("after=x", "after"), ("limit=0", "limit"), ("limit=5001", "limit")]
        {
            let (s, e) = fx.admin_get(&format!("{ratings}?{q}")).await;
            assert_eq!(
                (s, e["code"].as_str(), e["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("request.invalid_field"), Some(field)),
                "{q}: {e}"
            );
        }
        let (s, _) = fx.admin_get(&format!("{ratings}?limit=5000")).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = fx.get(&pad, &ratings).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, e) = fx.admin_get("/api/v1/admin/halls/no-such-hall/sync/ratings").await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("hall.not_found")));
        fx.stop().await;
    })
    .await;
}

/// The fixture's hall with two more windows bound to nothing: C01 open (idle) and D01 paused.
async fn hall_with_an_idle_window(fx: &Fixture) {
    let mut config = common::api::hall_config();
    let windows = config["windows"].as_array_mut().unwrap();
    for (id, number, state, position) in [("w-c", "C01", "open", 2), ("w-d", "D01", "paused", 3)] {
        windows.push(json!({ "id": id, "number": number, "name": format!("{number}窗口"), "zone": "", "kind": "general",
                             "state": state, "position": position, "createdAt": "2026-11-25T00:00:00.000Z", "updatedAt": "2026-11-25T00:00:00.000Z" }));
    }
    let (s, body) = fx.admin_put(&format!("/api/v1/admin/halls/{}/config", fx.hall), config).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
}

async fn take(fx: &Fixture, kiosk: &str, matter: &str, class: &str) -> String {
    let (s, body) =
        fx.post(kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": matter, "class": class })).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body["ticket"]["id"].as_str().unwrap().to_owned()
}

/// Calls and finishes at the caller's window until nobody is left; the numbers in call order.
async fn call_all(fx: &Fixture, caller: &str) -> Vec<String> {
    let mut numbers = Vec::new();
    loop {
        let (s, t) = fx.post(caller, "/api/v1/caller/next", json!(null)).await;
        if s != StatusCode::OK {
            assert_eq!(
                (s, t["code"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("queue.nothing_waiting"))
            );
            return numbers;
        }
        let (s, _) = fx
            .post(
                caller,
                &format!("/api/v1/caller/tickets/{}/finish", t["id"].as_str().unwrap()),
                json!(null),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        numbers.push(t["number"].as_str().unwrap().to_owned());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supervisor_moves_a_matters_waiting_tickets_to_an_idle_window() {
    each_backend(|fx| async move {
        hall_with_an_idle_window(&fx).await;
        let kiosk = fx.device("kiosk", None).await;
        let a01 = fx.device("caller", Some(&fx.window_a)).await;
        let c01 = fx.device("caller", Some("w-c")).await;
        let move_path = format!("/api/v1/admin/halls/{}/queue/move-waiting", fx.hall);

        // A001 (身份证) is at A01's counter; A002 (户口), A003, A004 (lane), A005 wait.
        take(&fx, &kiosk, "m-id", "normal").await;
        let (s, first) = fx.post(&a01, "/api/v1/caller/next", json!(null)).await;
        assert_eq!((s, first["number"].as_str()), (StatusCode::OK, Some("A001")));
        let hukou = take(&fx, &kiosk, "m-hukou", "normal").await;
        let mut waiting = Vec::new();
        for class in ["normal", "priority_lane", "normal"] {
            waiting.push(take(&fx, &kiosk, "m-id", class).await);
        }
        let (_, before) = fx.admin_get(&format!("/api/v1/admin/halls/{}/tickets", fx.hall)).await;
        let (_, page) = fx.admin_get(&format!("/api/v1/admin/halls/{}/sync/events", fx.hall)).await;
        let cursor = page["nextCursor"].as_i64().unwrap();
        let mut stream = SyncStream::open(&fx, &fx.hall).await;
        assert_eq!(stream.next_heads().await["eventSeq"], cursor);

        let (s, moved) = fx.admin_post(&move_path, json!({ "matterId": "m-id", "toWindowId": "w-c" })).await;
        assert_eq!(s, StatusCode::OK, "{moved}");
        assert_eq!(moved, json!({ "moved": 3, "ticketIds": waiting }), "the waiting ones, in issue order");

        // Every event was stored before the answer, and the hall's desktops are told to pull.
        let (_, page) = fx.admin_get(&format!("/api/v1/admin/halls/{}/sync/events?after={cursor}", fx.hall)).await;
        let events: Vec<&Value> = page["events"].as_array().unwrap().iter().map(|r| &r["event"]).collect();
        let expected: Vec<Value> = waiting
            .iter()
            .map(|id| json!({ "ticketId": id, "kind": "transferred", "windowId": "", "target": { "to": "window", "windowId": "w-c" } }))
            .collect();
        for (e, x) in events.iter().zip(&expected) {
            let mut e = (*e).clone();
            e.as_object_mut().unwrap().remove("at");
            assert_eq!(&e, x);
        }
        assert_eq!(events.len(), 3);
        let newest = page["nextCursor"].clone();
        let mut heads = stream.next_heads().await;
        while heads["eventSeq"] != newest {
            heads = stream.next_heads().await;
        }

        // The moved tickets kept their numbers and places; the others did not change.
        let (_, after) = fx.admin_get(&format!("/api/v1/admin/halls/{}/tickets", fx.hall)).await;
        for (b, a) in before.as_array().unwrap().iter().zip(after.as_array().unwrap()) {
            if waiting.iter().any(|id| b["id"] == *id.as_str()) {
                assert_eq!((&a["number"], &a["order"], &a["matterId"]), (&b["number"], &b["order"], &b["matterId"]));
                assert_eq!((a["state"].as_str(), a["targetWindowId"].as_str()), (Some("waiting"), Some("w-c")));
            } else {
                assert_eq!(a, b);
            }
        }
        let (_, view) = fx.get(&c01, "/api/v1/caller").await;
        assert_eq!(view["waiting"], 3);

        // C01 calls them in the order they stood: the lane first, then by issue.
        assert_eq!(call_all(&fx, &c01).await, ["A004", "A003", "A005"]);
        // A01 finishes its own and goes on with 户口, untouched by the move.
        let (s, _) = fx.post(&a01, &format!("/api/v1/caller/tickets/{}/finish", first["id"].as_str().unwrap()), json!(null)).await;
        assert_eq!(s, StatusCode::OK);
        let (_, next) = fx.post(&a01, "/api/v1/caller/next", json!(null)).await;
        assert_eq!(next["id"], hukou.as_str());

        // The log replays after a restart: the state is what the answers said.
        let (_, live) = fx.admin_get(&format!("/api/v1/admin/halls/{}/tickets", fx.hall)).await;
        let fx = fx.restart().await;
        let (_, replayed) = fx.admin_get(&format!("/api/v1/admin/halls/{}/tickets", fx.hall)).await;
        assert_eq!(replayed, live);
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_is_refused_with_the_field_named_and_changes_nothing() {
    each_backend(|fx| async move {
        hall_with_an_idle_window(&fx).await;
        let kiosk = fx.device("kiosk", None).await;
        let move_path = format!("/api/v1/admin/halls/{}/queue/move-waiting", fx.hall);
        take(&fx, &kiosk, "m-id", "normal").await;
        take(&fx, &kiosk, "m-id", "normal").await;
        let tickets = format!("/api/v1/admin/halls/{}/tickets", fx.hall);
        let (_, before) = fx.admin_get(&tickets).await;
        let body = |matter: &str, window: &str| json!({ "matterId": matter, "toWindowId": window });

        let cases = [
            (
                body("m-id", "w-d"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "queue.window_closed",
                Some("toWindowId"),
            ),
            (
                body("m-id", "w-b"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "queue.window_closed",
                Some("toWindowId"),
            ),
            (body("m-id", "w-nope"), StatusCode::NOT_FOUND, "queue.window_not_found", Some("toWindowId")),
            (
                body("m-nope", "w-c"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "queue.unknown_matter",
                Some("matterId"),
            ),
            (
                body("m-hukou", "w-c"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "queue.nothing_to_move",
                Some("matterId"),
            ),
            (body("", "w-c"), StatusCode::BAD_REQUEST, "request.invalid_field", Some("matterId")),
            (json!({ "matterId": "m-id" }), StatusCode::BAD_REQUEST, "request.invalid_field", None),
            (
                json!({ "matterId": "m-id", "toWindowId": "w-c", "keepOrder": false }),
                StatusCode::BAD_REQUEST,
                "request.invalid_field",
                Some("keepOrder"),
            ),
        ];
        for (req, status, code, field) in cases {
            let (s, e) = fx.admin_post(&move_path, req.clone()).await;
            assert_eq!((s, e["code"].as_str()), (status, Some(code)), "{req}: {e}");
            if field.is_some() {
                assert_eq!(e["field"].as_str(), field, "{req}: {e}");
            }
            assert!(!e["message"].as_str().unwrap().is_empty());
        }
        let (_, e) = fx.admin_post(&move_path, body("m-id", "w-d")).await;
        assert_eq!(e["message"], "窗口 D01 已暂停，不能把排队的群众转过去");

        // The admin token only: none, a device's, a wrong one.
        let req = body("m-id", "w-c").to_string();
        for token in [None, Some(kiosk.as_str()), Some("not-the-admin-token")] {
            let (s, e) = fx.post_raw(token, &move_path, req.clone()).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{e}");
        }
        let (s, e) =
            fx.admin_post("/api/v1/admin/halls/no-such-hall/queue/move-waiting", body("m-id", "w-c")).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("hall.not_found")));
        let (_, after) = fx.admin_get(&tickets).await;
        assert_eq!(after, before, "no refusal moved anyone");

        // Once moved, the same move has nothing left to move.
        let (s, _) = fx.admin_post(&move_path, body("m-id", "w-c")).await;
        assert_eq!(s, StatusCode::OK);
        let (s, e) = fx.admin_post(&move_path, body("m-id", "w-a")).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("queue.nothing_to_move"))
        );
        fx.stop().await;
    })
    .await;
}

/// The events stored after `cursor`, each without its time, and the times they share.
async fn events_after(fx: &Fixture, cursor: i64) -> (Vec<Value>, Vec<Value>) {
    let (s, page) =
        fx.admin_get(&format!("/api/v1/admin/halls/{}/sync/events?after={cursor}", fx.hall)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let mut times = Vec::new();
    let events = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut e = r["event"].clone();
            times.push(e.as_object_mut().unwrap().remove("at").unwrap());
            e
        })
        .collect();
    (events, times)
}

/// 完成并叫下一位 in one request: the window's ticket finishes and the next is called, both
/// events stored; a refusal (another window's caller, a second press, a paused window) changes
/// nothing; with nobody waiting the ticket only finishes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finish_and_call_next_is_one_request_and_a_second_press_finishes_nothing_more() {
    each_backend(|fx| async move {
        hall_with_an_idle_window(&fx).await;
        let kiosk = fx.device("kiosk", None).await;
        let a01 = fx.device("caller", Some(&fx.window_a)).await;
        let c01 = fx.device("caller", Some("w-c")).await;
        let tickets = format!("/api/v1/admin/halls/{}/tickets", fx.hall);
        let path = |id: &str| format!("/api/v1/caller/tickets/{id}/finish-and-next");
        let first = take(&fx, &kiosk, "m-id", "normal").await;
        let second = take(&fx, &kiosk, "m-hukou", "normal").await;
        let (s, called) = fx.post(&a01, "/api/v1/caller/next", json!(null)).await;
        assert_eq!((s, called["id"].as_str()), (StatusCode::OK, Some(first.as_str())), "{called}");
        let (_, page) = fx.admin_get(&format!("/api/v1/admin/halls/{}/sync/events", fx.hall)).await;
        let cursor = page["nextCursor"].as_i64().unwrap();
        let (_, before) = fx.admin_get(&tickets).await;

        // Another window's caller, and a device that is no caller: refused, nothing changed.
        let (s, e) = fx.post(&c01, &path(&first), json!(null)).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("queue.not_your_ticket"))
        );
        assert_eq!(e["message"], "该号码不在本窗口");
        let (s, e) = fx.post(&kiosk, &path(&first), json!(null)).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("auth.wrong_device")));
        let (s, e) = fx.post(&a01, &path("no-such-ticket"), json!(null)).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("queue.ticket_not_found")));
        assert_eq!(fx.admin_get(&tickets).await.1, before);
        assert_eq!(events_after(&fx, cursor).await.0, Vec::<Value>::new());

        // One request: A001 finished, A002 called to A01, two events at one time.
        let (s, done) = fx.post(&a01, &path(&first), json!(null)).await;
        assert_eq!(s, StatusCode::OK, "{done}");
        assert_eq!(
            (done["finished"]["id"].as_str(), done["finished"]["state"].as_str()),
            (Some(first.as_str()), Some("finished"))
        );
        assert_eq!(
            (done["called"]["id"].as_str(), done["called"]["state"].as_str()),
            (Some(second.as_str()), Some("called"))
        );
        assert_eq!(done["called"]["windowId"], "w-a");
        let (events, times) = events_after(&fx, cursor).await;
        assert_eq!(
            events,
            [
                json!({ "ticketId": first, "kind": "finished", "windowId": "w-a" }),
                json!({ "ticketId": second, "kind": "called", "windowId": "w-a" }),
            ]
        );
        assert_eq!(times[0], times[1], "{times:?}");
        let (_, view) = fx.get(&a01, "/api/v1/caller").await;
        assert_eq!((view["current"]["id"].as_str(), &view["waiting"]), (Some(second.as_str()), &json!(0)));

        // A second press naming A001 again finishes nothing more and calls nobody.
        let (_, before) = fx.admin_get(&tickets).await;
        let (s, e) = fx.post(&a01, &path(&first), json!(null)).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("queue.invalid_transition")),
            "{e}"
        );
        assert_eq!(e["message"], "该号码当前状态不允许此操作");
        assert_eq!(fx.admin_get(&tickets).await.1, before);

        // A paused window calls nobody: refused whole, A002 stays at the window.
        let third = take(&fx, &kiosk, "m-id", "normal").await;
        let (s, _) = fx.put(&a01, "/api/v1/caller/window-state", json!({ "state": "paused" })).await;
        assert_eq!(s, StatusCode::OK);
        let (_, before) = fx.admin_get(&tickets).await;
        let (s, e) = fx.post(&a01, &path(&second), json!(null)).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("queue.window_closed")),
            "{e}"
        );
        assert!(!e["message"].as_str().unwrap().is_empty());
        assert_eq!(fx.admin_get(&tickets).await.1, before);
        assert_eq!(events_after(&fx, cursor).await.0.len(), 3, "two events and the third ticket's issue");
        let (s, _) = fx.put(&a01, "/api/v1/caller/window-state", json!({ "state": "open" })).await;
        assert_eq!(s, StatusCode::OK);

        // Open again: A002 finishes and A003 is called; then, nobody waiting, A003 only finishes.
        let (s, done) = fx.post(&a01, &path(&second), json!(null)).await;
        assert_eq!((s, done["called"]["id"].as_str()), (StatusCode::OK, Some(third.as_str())), "{done}");
        let (s, done) = fx.post(&a01, &path(&third), json!(null)).await;
        assert_eq!(s, StatusCode::OK, "{done}");
        assert_eq!(done["finished"]["state"], "finished");
        assert_eq!(done["called"], Value::Null);
        let (events, _) = events_after(&fx, cursor).await;
        assert_eq!(events.len(), 6);
        assert_eq!(events[5], json!({ "ticketId": third, "kind": "finished", "windowId": "w-a" }));
        let (_, view) = fx.get(&a01, "/api/v1/caller").await;
        assert_eq!((&view["current"], &view["waiting"]), (&Value::Null, &json!(0)));

        // The log replays after a restart: the state is what the answers said.
        let (_, live) = fx.admin_get(&tickets).await;
        let fx = fx.restart().await;
        assert_eq!(fx.admin_get(&tickets).await.1, live);
        fx.stop().await;
    })
    .await;
}
