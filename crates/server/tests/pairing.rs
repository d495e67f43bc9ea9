//! Device enrolment by pairing code over HTTP, on the real server on loopback (SQLite, and
//! PostgreSQL when the test set-up provides it): the administrator adds a device and gets a code,
//! the device exchanges it for its token, pairing again rotates the token, codes are single use,
//! expire and are throttled per address; rename, rebind, last seen and revoke.

mod common;

use common::api::{each_backend, Fixture, ADMIN};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A new device of `kind` by pairing: (device, code, expiresAt).
async fn add_with_code(fx: &Fixture, kind: &str, window: Option<&str>) -> (Value, String, String) {
    let (s, body) = fx
        .admin_post(
            &format!("/api/v1/admin/halls/{}/pairings", fx.hall),
            json!({ "kind": kind, "name": format!("{kind} 配对"), "windowId": window }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let code = body["code"].as_str().unwrap().to_owned();
    (body["device"].clone(), code, body["expiresAt"].as_str().unwrap().to_owned())
}

/// The device's half: (status, body, Retry-After).
async fn pair(fx: &Fixture, code: &str) -> (StatusCode, Value, Option<String>) {
    let resp = fx
        .http
        .post(format!("{}/api/v1/devices/pair", fx.base))
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let retry = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    (status, resp.json().await.unwrap(), retry)
}

async fn patch(fx: &Fixture, device: &str, body: Value) -> (StatusCode, Value) {
    let resp = fx
        .http
        .patch(format!("{}/api/v1/admin/halls/{}/devices/{device}", fx.base, fx.hall))
        .bearer_auth(ADMIN)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn listed(fx: &Fixture, id: &str) -> Value {
    let (s, list) = fx.admin_get(&format!("/api/v1/admin/halls/{}/devices", fx.hall)).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list.as_array().unwrap().iter().find(|d| d["id"] == id).cloned().unwrap_or(Value::Null)
}

fn assert_code_invalid(s: StatusCode, e: &Value) {
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(
        (e["code"].as_str(), e["field"].as_str()),
        (Some("pairing.code_invalid"), Some("code")),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_pairs_takes_a_ticket_and_is_refused_once_revoked() {
    each_backend(|fx| async move {
        let (device, code, expires_at) = add_with_code(&fx, "kiosk", None).await;
        assert!(code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        // The fixture's clock starts at 01:30:00 and moves a millisecond a request.
        assert!(expires_at.starts_with("2026-11-25T01:40:00."), "ten minutes: {expires_at}");
        let id = device["id"].as_str().unwrap().to_owned();
        let before = listed(&fx, &id).await;
        assert_eq!((before["kind"].as_str(), before["lastSeenAt"].clone()), (Some("kiosk"), Value::Null));

        let (s, paired, _) = pair(&fx, &code).await;
        assert_eq!(s, StatusCode::CREATED, "{paired}");
        assert_eq!(paired["device"]["id"], id.as_str());
        let token = paired["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("hk_"));

        let (s, ticket) = fx.post(&token, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
        assert_eq!(s, StatusCode::CREATED, "{ticket}");
        assert!(listed(&fx, &id).await["lastSeenAt"].is_string(), "seen once it called");

        let (s, e, _) = pair(&fx, &code).await;
        assert_code_invalid(s, &e);

        assert_eq!(
            fx.admin_delete(&format!("/api/v1/admin/halls/{}/devices/{id}", fx.hall)).await,
            StatusCode::NO_CONTENT
        );
        let (s, e) = fx.post(&token, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("auth.token_invalid")), "{e}");
        assert!(listed(&fx, &id).await["revokedAt"].is_string());
        // A revoked device gets no new code and is not renamed.
        let (s, e) = fx
            .admin_post(&format!("/api/v1/admin/halls/{}/devices/{id}/pairing", fx.hall), json!(null))
            .await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("device.revoked")), "{e}");
        let (s, e) = patch(&fx, &id, json!({ "name": "新名字" })).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::CONFLICT, Some("device.revoked")), "{e}");
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairing_again_rotates_the_token_and_drops_the_older_code() {
    each_backend(|fx| async move {
        let (device, first_code, _) = add_with_code(&fx, "caller", Some("w-a")).await;
        let id = device["id"].as_str().unwrap().to_owned();
        let (s, paired, _) = pair(&fx, &first_code).await;
        assert_eq!(s, StatusCode::CREATED, "{paired}");
        let old_token = paired["token"].as_str().unwrap().to_owned();
        let (s, _) = fx.get(&old_token, "/api/v1/caller").await;
        assert_eq!(s, StatusCode::OK);

        let repair = format!("/api/v1/admin/halls/{}/devices/{id}/pairing", fx.hall);
        let (s, older) = fx.admin_post(&repair, json!(null)).await;
        assert_eq!(s, StatusCode::OK, "{older}");
        let (s, newer) = fx.admin_post(&repair, json!(null)).await;
        assert_eq!((s, newer["device"]["id"].as_str()), (StatusCode::OK, Some(id.as_str())), "{newer}");
        let (s, _) = fx.get(&old_token, "/api/v1/caller").await;
        assert_eq!(s, StatusCode::OK, "a code alone changes nothing until it is used");

        let (s, e, _) = pair(&fx, older["code"].as_str().unwrap()).await;
        assert_code_invalid(s, &e);
        let (s, paired, _) = pair(&fx, newer["code"].as_str().unwrap()).await;
        assert_eq!(s, StatusCode::CREATED, "{paired}");
        let new_token = paired["token"].as_str().unwrap();
        assert_ne!(new_token, old_token);
        let (s, e) = fx.get(&old_token, "/api/v1/caller").await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("auth.token_invalid")), "{e}");
        let (s, view) = fx.get(new_token, "/api/v1/caller").await;
        assert_eq!((s, view["windowId"].as_str()), (StatusCode::OK, Some("w-a")), "{view}");

        let (s, e) = fx
            .admin_post(&format!("/api/v1/admin/halls/{}/devices/nobody/pairing", fx.hall), json!(null))
            .await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("device.not_found")), "{e}");
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_expired_and_malformed_codes_are_refused_alike() {
    each_backend(|fx| async move {
        let (_, code, _) = add_with_code(&fx, "display", None).await;
        let (_, unknown_body) = {
            let other = if code == "00000000" { "00000001" } else { "00000000" };
            let (s, e, _) = pair(&fx, other).await;
            assert_code_invalid(s, &e);
            (s, e)
        };
        for bad in ["1234", "abcdefgh", "123456789", ""] {
            let (s, e, _) = pair(&fx, bad).await;
            assert_code_invalid(s, &e);
            assert_eq!(e, unknown_body, "{bad:?}");
        }
        fx.set_clock("2026-11-25T01:40:00.500Z");
        let (s, e, _) = pair(&fx, &code).await;
        assert_code_invalid(s, &e);
        assert_eq!(e, unknown_body, "an expired code answers like an unknown one");
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pairing_is_throttled_per_address() {
    each_backend(|fx| async move {
        let (_, code, _) = add_with_code(&fx, "kiosk", None).await;
        let wrong = if code == "99999999" { "99999998" } else { "99999999" };
        for _ in 0..10 {
            let (s, e, _) = pair(&fx, wrong).await;
            assert_code_invalid(s, &e);
        }
        let (s, e, retry) = pair(&fx, &code).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("pairing.throttled")),
            "{e}"
        );
        let secs: u64 = retry.expect("Retry-After").parse().unwrap();
        assert!((1..=60).contains(&secs), "{secs}");
        // After the wait the right code works: the refusal did not spend it.
        fx.set_clock("2026-11-25T01:31:01Z");
        let (s, paired, _) = pair(&fx, &code).await;
        assert_eq!(s, StatusCode::CREATED, "{paired}");
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_are_renamed_and_rebound_with_their_windows_checked() {
    each_backend(|fx| async move {
        let (pad, code, _) = add_with_code(&fx, "rating_pad", Some("w-a")).await;
        let pad = pad["id"].as_str().unwrap().to_owned();
        let (s, d) = patch(&fx, &pad, json!({ "name": "  A01 评价器 " })).await;
        assert_eq!(
            (s, d["name"].as_str(), d["windowId"].as_str()),
            (StatusCode::OK, Some("A01 评价器"), Some("w-a")),
            "{d}"
        );
        let (s, d) = patch(&fx, &pad, json!({ "windowId": "w-b" })).await;
        assert_eq!(
            (s, d["name"].as_str(), d["windowId"].as_str()),
            (StatusCode::OK, Some("A01 评价器"), Some("w-b")),
            "{d}"
        );
        let (s, e) = patch(&fx, &pad, json!({ "windowId": "w-nowhere" })).await;
        assert_eq!(
            (s, e["code"].as_str(), e["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("device.window_unknown"), Some("windowId"))
        );
        let (s, e) = patch(&fx, &pad, json!({ "name": "   " })).await;
        assert_eq!(
            (s, e["code"].as_str(), e["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("device.name_invalid"), Some("name"))
        );
        let (s, e) = patch(&fx, &pad, json!({ "kind": "kiosk" })).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("kind")),
            "unknown fields are refused: {e}"
        );
        assert_eq!(listed(&fx, &pad).await["windowId"], "w-b", "refusals changed nothing");
        // The paired pad rates for its new window's tickets: the binding is the device's.
        let (s, paired, _) = pair(&fx, &code).await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(paired["device"]["windowId"], "w-b");

        let (kiosk, _, _) = add_with_code(&fx, "kiosk", None).await;
        let (s, e) = patch(&fx, kiosk["id"].as_str().unwrap(), json!({ "windowId": "w-a" })).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("device.window_not_applicable")),
            "{e}"
        );
        let (s, e) = patch(&fx, "nobody", json!({ "name": "x" })).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("device.not_found")), "{e}");
        // A caller needs its window at creation, as before.
        let (s, e) = fx
            .admin_post(
                &format!("/api/v1/admin/halls/{}/pairings", fx.hall),
                json!({ "kind": "caller", "name": "叫号器" }),
            )
            .await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("device.window_missing")), "{e}");
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_seen_is_written_at_most_once_a_minute() {
    each_backend(|fx| async move {
        let (device, code, _) = add_with_code(&fx, "kiosk", None).await;
        let id = device["id"].as_str().unwrap().to_owned();
        let (_, paired, _) = pair(&fx, &code).await;
        let token = paired["token"].as_str().unwrap().to_owned();
        fx.set_clock("2026-11-25T02:00:00Z");
        let (s, _) = fx.get(&token, "/api/v1/kiosk/matters").await;
        assert_eq!(s, StatusCode::OK);
        let first = listed(&fx, &id).await["lastSeenAt"].as_str().unwrap().to_owned();
        assert!(first.starts_with("2026-11-25T02:00:00."), "{first}");
        fx.set_clock("2026-11-25T02:00:59Z");
        fx.get(&token, "/api/v1/kiosk/matters").await;
        assert_eq!(
            listed(&fx, &id).await["lastSeenAt"].as_str(),
            Some(first.as_str()),
            "not within the minute"
        );
        fx.set_clock("2026-11-25T02:01:00.500Z");
        fx.get(&token, "/api/v1/kiosk/matters").await;
        let third = listed(&fx, &id).await["lastSeenAt"].as_str().unwrap().to_owned();
        assert!(third.starts_with("2026-11-25T02:01:00."), "{third}");
        fx.stop().await;
    })
    .await;
}
