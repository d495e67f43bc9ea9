//! 窗口叫号 (docs/devices.md): staff sign in at a caller device with 工号 and password, only at
//! the window the day's seating plan seats them at (值班长 and above anywhere in their hall); the
//! caller's routes then carry the terminal session, and every action is audited under the person.
//! Each action the terminal's keys run (F1–F10) is exercised here through the API.

mod common;

use common::api::{each_backend, Fixture, ADMIN, AUTHOR, FIRST_PASSWORD, PERSON_PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

const SESSION: &str = "x-terminal-session";

/// A request from the terminal: the device token, and the person's session when given.
async fn term(
    fx: &Fixture,
    device: &str,
    session: Option<&str>,
    method: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let get = method == reqwest::Method::GET;
    let mut req = fx.http.request(method, format!("{}{path}", fx.base)).bearer_auth(device);
    if let Some(s) = session {
        req = req.header(SESSION, s);
    }
    if !get {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
}

fn hlc(seq: i64) -> String {
    format!("{:018}-00000-pc1", 1_900_000_000_001i64 + seq)
}

fn op(seq: i64, entity: &str, key: &str, fields: Value) -> Value {
    json!({ "seq": seq + 1, "opId": format!("op-{seq}"), "hlc": hlc(seq), "entity": entity, "key": key,
            "change": { "kind": "upsert", "fields": fields }, "author": AUTHOR })
}

/// Staff 1001 张三 (seated at A01 today), 1002 李四 (seated nowhere), 1003 王五 (a 值班长, seated
/// nowhere), 1004 赵六 (seated at A01 yesterday only); the fixture's hall day is 2026-11-25.
async fn staff_and_seating(fx: &Fixture) {
    // The desktop syncs its window too: a seat needs the window's row alive.
    let window = json!({ "number": "A01", "name": "A01窗口", "zone": "", "kind": "general", "state": "open", "position": 0 });
    let ops = vec![
        op(0, "window", "w-a", window),
        op(1, "staff", "s-1", json!({ "employeeNo": "1001", "name": "张三" })),
        op(2, "staff", "s-2", json!({ "employeeNo": "1002", "name": "李四" })),
        op(3, "staff", "s-3", json!({ "employeeNo": "1003", "name": "王五" })),
        op(4, "staff", "s-4", json!({ "employeeNo": "1004", "name": "赵六" })),
        op(5, "seat", "2026-11-25/w-a", json!({ "staffId": "s-1" })),
        op(6, "seat", "2026-11-24/w-a", json!({ "staffId": "s-4" })),
    ];
    let push =
        json!({ "deviceId": "pc1", "schemaVersion": hallkeeper_proto::SYNC_SCHEMA_VERSION, "ops": ops });
    let (s, answer) = fx.admin_post(&format!("/api/v1/admin/halls/{}/sync/push", fx.hall), push).await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["rejected"], json!([]), "{answer}");
}

/// An account with one role in the hall, linked to a staff record, its first password changed.
async fn account(fx: &Fixture, login: &str, role: &str, staff: &str) -> String {
    let grants = json!([{ "hallId": fx.hall, "role": role }]);
    let (_, id) = fx.person(login, grants).await;
    let (s, body) =
        fx.patch(ADMIN, &format!("/api/v1/admin/accounts/{id}"), json!({ "staffId": staff })).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    id
}

async fn sign_in(fx: &Fixture, device: &str, no: &str, password: &str) -> (StatusCode, Value) {
    term(
        fx,
        device,
        None,
        "POST",
        "/api/v1/terminal/session",
        json!({ "employeeNo": no, "password": password }),
    )
    .await
}

async fn take(fx: &Fixture, kiosk: &str, matter: &str) -> String {
    let (s, body) = fx.post(kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": matter })).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    body["ticket"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_follows_the_seating_plan_and_refuses_plainly() {
    each_backend(|fx| async move {
        staff_and_seating(&fx).await;
        account(&fx, "zhang", "window_staff", "s-1").await;
        account(&fx, "li", "window_staff", "s-2").await;
        account(&fx, "wang", "shift_lead", "s-3").await;
        account(&fx, "zhao", "window_staff", "s-4").await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let kiosk = fx.device("kiosk", None).await;

        // Before anyone signs in, the screen names its window (sign-in optional on this server).
        let (s, w) = term(&fx, &caller, None, "GET", "/api/v1/terminal/window", Value::Null).await;
        assert_eq!(s, StatusCode::OK, "{w}");
        assert_eq!(
            (w["windowNumber"].as_str(), w["hallName"].as_str(), w["signInRequired"].as_bool()),
            (Some("A01"), Some("成都市政务服务中心"), Some(false))
        );
        // Wrong password and unknown 工号: the same answer, at the password field.
        for (no, pw) in [("1001", "nicht-das-Kennwort"), ("9999", PERSON_PASSWORD)] {
            let (s, e) = sign_in(&fx, &caller, no, pw).await;
            assert_eq!(
                (s, e["code"].as_str(), e["field"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("terminal.wrong_credentials"), Some("password")),
                "{no}"
            );
        }
        let (s, e) = sign_in(&fx, &caller, "  ", PERSON_PASSWORD).await;
        assert_eq!((s, e["field"].as_str()), (StatusCode::BAD_REQUEST, Some("employeeNo")), "{e}");
        // Not seated here today (nowhere, or only yesterday).
        for no in ["1002", "1004"] {
            let (s, e) = sign_in(&fx, &caller, no, PERSON_PASSWORD).await;
            assert_eq!(
                (s, e["code"].as_str()),
                (StatusCode::FORBIDDEN, Some("terminal.not_seated")),
                "{no}: {e}"
            );
        }
        // A kiosk is not a terminal.
        assert_eq!(sign_in(&fx, &kiosk, "1001", PERSON_PASSWORD).await.0, StatusCode::FORBIDDEN);

        // The 值班长 may cover an unseated window.
        let (s, lead) = sign_in(&fx, &caller, "1003", PERSON_PASSWORD).await;
        assert_eq!(s, StatusCode::OK, "{lead}");
        assert_eq!(
            (lead["person"]["role"].as_str(), lead["person"]["seated"].as_bool()),
            (Some("shift_lead"), Some(false))
        );
        let lead_token = lead["token"].as_str().unwrap().to_owned();
        assert!(lead_token.starts_with("hkt_"));
        // 张三 is seated here: signing in replaces the lead (one person per terminal).
        let (s, zhang) = sign_in(&fx, &caller, "1001", PERSON_PASSWORD).await;
        assert_eq!(s, StatusCode::OK, "{zhang}");
        assert_eq!(
            (zhang["person"]["displayName"].as_str(), zhang["person"]["seated"].as_bool()),
            (Some("zhang 姓名"), Some(true))
        );
        // Signed in at 09:30 hall time: 12 h on (21:30), before the day's end; the test clock
        // moves a millisecond a request.
        let expires = zhang["person"]["expiresAt"].as_str().unwrap();
        assert!(expires.starts_with("2026-11-25T13:30:00."), "{expires}");
        let token = zhang["token"].as_str().unwrap().to_owned();
        let (s, e) =
            term(&fx, &caller, Some(&lead_token), "GET", "/api/v1/terminal/session", Value::Null).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("terminal.session_expired")));
        let (s, me) = term(&fx, &caller, Some(&token), "GET", "/api/v1/terminal/session", Value::Null).await;
        assert_eq!((s, me["employeeNo"].as_str()), (StatusCode::OK, Some("1001")));
        // Another caller device does not accept this terminal's session.
        let other = fx.device("caller", Some(&fx.window_a)).await;
        assert_eq!(
            term(&fx, &other, Some(&token), "GET", "/api/v1/caller", Value::Null).await.0,
            StatusCode::UNAUTHORIZED
        );

        // Every attempt is in the hall's audit log.
        let (_, log) = fx.admin_get(&format!("/api/v1/admin/halls/{}/audit?limit=50", fx.hall)).await;
        let actions: Vec<(&str, &str)> = log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"].as_str().unwrap().starts_with("terminal.sign_in"))
            .map(|e| (e["action"].as_str().unwrap(), e["after"]["reason"].as_str().unwrap_or("")))
            .collect();
        assert!(actions.contains(&("terminal.sign_in_refused", "not_seated")), "{actions:?}");
        assert!(actions.contains(&("terminal.sign_in_refused", "wrong_credentials")), "{actions:?}");
        assert_eq!(actions.iter().filter(|a| a.0 == "terminal.sign_in").count(), 2);

        // Sign out: the session is gone; signing out again is refused.
        let (s, _) =
            term(&fx, &caller, Some(&token), "DELETE", "/api/v1/terminal/session", Value::Null).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(
            term(&fx, &caller, Some(&token), "GET", "/api/v1/caller/terminal", Value::Null).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            term(&fx, &caller, Some(&token), "DELETE", "/api/v1/terminal/session", Value::Null).await.0,
            StatusCode::UNAUTHORIZED
        );
        fx.stop().await;
    })
    .await;
}

/// A person who must change their password, or whose account is disabled, cannot work a terminal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_password_change_or_a_disabled_account_keeps_the_person_out() {
    each_backend(|fx| async move {
        staff_and_seating(&fx).await;
        let id = account(&fx, "zhang", "window_staff", "s-1").await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let (s, body) = sign_in(&fx, &caller, "1001", PERSON_PASSWORD).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let token = body["token"].as_str().unwrap().to_owned();
        // Disabled while signed in: the next request is refused, the session ended.
        fx.patch(ADMIN, &format!("/api/v1/admin/accounts/{id}"), json!({ "active": false })).await;
        let (s, e) = term(&fx, &caller, Some(&token), "GET", "/api/v1/caller/terminal", Value::Null).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("terminal.session_expired")));
        let (s, e) = sign_in(&fx, &caller, "1001", PERSON_PASSWORD).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::FORBIDDEN, Some("session.account_disabled")));
        // Enabled again, then reset by an administrator: the desktop first.
        fx.patch(ADMIN, &format!("/api/v1/admin/accounts/{id}"), json!({ "active": true })).await;
        let (s, _) = fx
            .admin_post(&format!("/api/v1/admin/accounts/{id}/reset"), json!({ "password": FIRST_PASSWORD }))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, e) = sign_in(&fx, &caller, "1001", FIRST_PASSWORD).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("terminal.password_change_required")),
            "{e}"
        );
        fx.stop().await;
    })
    .await;
}

/// Every action of the terminal's keys, with sign-in required: F1 call next, F2 recall, F3
/// no-show, F4 start, F5 finish, F6 transfer (to a matter, to a window), F7 park (and resume),
/// F8 pause/reopen, F10 a chosen ticket out of order; each audited under the person.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_terminal_key_action_works_with_the_persons_session() {
    each_backend(|fx| async move {
        // B01 open too (a window to transfer to), serving 出入境证件 alone.
        let mut config = common::api::hall_config();
        config["windows"][1]["state"] = json!("open");
        let (s, _) = fx.admin_put(&format!("/api/v1/admin/halls/{}/config", fx.hall), config).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        staff_and_seating(&fx).await;
        account(&fx, "zhang", "window_staff", "s-1").await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let kiosk = fx.device("kiosk", None).await;
        let fx = fx.restart_with(|s| s.with_terminal_sign_in_required()).await;
        let t1 = take(&fx, &kiosk, "m-id").await;
        let t2 = take(&fx, &kiosk, "m-id").await;
        let t3 = take(&fx, &kiosk, "m-hukou").await;
        let elsewhere = take(&fx, &kiosk, "m-closed").await;

        // Required: the device token alone is refused, and the device stays paired.
        let (_, w) = term(&fx, &caller, None, "GET", "/api/v1/terminal/window", Value::Null).await;
        assert_eq!(w["signInRequired"], true);
        let (s, e) = term(&fx, &caller, None, "GET", "/api/v1/caller", Value::Null).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("terminal.sign_in_required")));
        let (s, e) = term(&fx, &caller, None, "POST", "/api/v1/caller/next", Value::Null).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("terminal.sign_in_required")));
        let (s, body) = sign_in(&fx, &caller, "1001", PERSON_PASSWORD).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let token = body["token"].as_str().unwrap().to_owned();
        let me = Some(token.as_str());
        let act = |path: String, body: Value| {
            let (fx, caller) = (&fx, &caller);
            async move { term(fx, caller, me, "POST", &path, body).await }
        };
        let ticket = |id: &str, action: &str| format!("/api/v1/caller/tickets/{id}/{action}");

        let (s, v) = term(&fx, &caller, me, "GET", "/api/v1/caller/terminal", Value::Null).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            (v["windowNumber"].as_str(), v["waiting"].as_u64(), v["maxRecalls"].as_u64()),
            (Some("A01"), Some(3), Some(2))
        );
        let listed: Vec<&str> =
            v["waitingList"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
        assert_eq!(listed, [t1.as_str(), t2.as_str(), t3.as_str()]);
        assert_eq!(v["person"]["employeeNo"], "1001");

        // F10: t3 out of order; one of another window's queue is refused.
        let (s, e) = act(ticket(&elsewhere, "call"), Value::Null).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("queue.not_your_ticket")),
            "{e}"
        );
        let (s, called) = act(ticket(&t3, "call"), Value::Null).await;
        assert_eq!((s, called["state"].as_str()), (StatusCode::OK, Some("called")), "{called}");
        // F2 twice, counted against the limit in both views.
        let (_, r) = act(ticket(&t3, "recall"), Value::Null).await;
        assert_eq!(r["recallCount"], 1);
        let (_, v) = term(&fx, &caller, me, "GET", "/api/v1/caller/terminal", Value::Null).await;
        assert_eq!(
            (v["current"]["id"].as_str(), v["current"]["recallCount"].as_u64()),
            (Some(t3.as_str()), Some(1))
        );
        assert_eq!(v["matterNames"]["m-hukou"], "户口迁入登记");
        let (_, plain) = term(&fx, &caller, me, "GET", "/api/v1/caller", Value::Null).await;
        assert_eq!(plain["maxRecalls"], 2);
        // F4 start, F7 park: the window is free, t3 parked.
        assert_eq!(act(ticket(&t3, "start"), Value::Null).await.1["state"], "serving");
        assert_eq!(act(ticket(&t3, "park"), Value::Null).await.1["state"], "parked");
        let (_, v) = term(&fx, &caller, me, "GET", "/api/v1/caller/terminal", Value::Null).await;
        assert_eq!((v["current"].clone(), v["parked"][0]["id"].as_str()), (Value::Null, Some(t3.as_str())));
        // F1 calls t1 (first come); F5 finishes it.
        let (_, next) = act("/api/v1/caller/next".into(), Value::Null).await;
        assert_eq!(next["id"].as_str(), Some(t1.as_str()));
        assert_eq!(act(ticket(&t1, "finish"), Value::Null).await.1["state"], "finished");
        // Resume the parked t3, F6 transfer it to a matter; F1 t2, F6 to window B01.
        assert_eq!(act(ticket(&t3, "resume"), Value::Null).await.1["state"], "called");
        let (s, tr) =
            act(ticket(&t3, "transfer"), json!({ "target": { "to": "matter", "matterId": "m-id" } })).await;
        assert_eq!((s, tr["matterId"].as_str()), (StatusCode::OK, Some("m-id")), "{tr}");
        let (s, targets) =
            term(&fx, &caller, me, "GET", "/api/v1/caller/transfer-targets?q=b01", Value::Null).await;
        assert_eq!(s, StatusCode::OK, "{targets}");
        assert_eq!(
            (targets["matters"].as_array().unwrap().len(), targets["windows"][0]["id"].as_str()),
            (0, Some("w-b"))
        );
        let (_, all) = term(&fx, &caller, me, "GET", "/api/v1/caller/transfer-targets", Value::Null).await;
        let names: Vec<&str> =
            all["matters"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["居民身份证换领", "户口迁入登记", "出入境证件"], "what a kiosk would ticket");
        assert_eq!(all["matters"][0]["departmentName"], "成都市公安局");
        assert!(all["windows"].as_array().unwrap().iter().all(|w| w["id"] != "w-a"), "not its own window");
        let (_, next) = act("/api/v1/caller/next".into(), Value::Null).await;
        assert_eq!(next["id"].as_str(), Some(t2.as_str()));
        let (s, tr) =
            act(ticket(&t2, "transfer"), json!({ "target": { "to": "window", "windowId": "w-b" } })).await;
        assert_eq!((s, tr["targetWindowId"].as_str()), (StatusCode::OK, Some("w-b")), "{tr}");
        // F8 pause: nothing is called; reopen; F1 t3 again, F3 no-show.
        let (s, v) =
            term(&fx, &caller, me, "PUT", "/api/v1/caller/window-state", json!({ "state": "paused" })).await;
        assert_eq!((s, v["windowState"].as_str()), (StatusCode::OK, Some("paused")));
        let (s, e) = act("/api/v1/caller/next".into(), Value::Null).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("queue.window_closed")));
        let (_, v) = term(&fx, &caller, me, "GET", "/api/v1/caller/terminal", Value::Null).await;
        assert_eq!(v["windowState"], "paused");
        term(&fx, &caller, me, "PUT", "/api/v1/caller/window-state", json!({ "state": "open" })).await;
        let (_, next) = act("/api/v1/caller/next".into(), Value::Null).await;
        assert_eq!(next["id"].as_str(), Some(t3.as_str()));
        assert_eq!(act(ticket(&t3, "no-show"), Value::Null).await.1["state"], "no_show");
        // F9 请评价 on the ticket finished first: the pad is told to rate it.
        let (s, asked) = act(ticket(&t1, "ask-rating"), Value::Null).await;
        assert_eq!((s, asked["ticketId"].as_str()), (StatusCode::OK, Some(t1.as_str())), "{asked}");

        // The audit log names the person for every action.
        let (_, log) = fx.admin_get(&format!("/api/v1/admin/halls/{}/audit?limit=100", fx.hall)).await;
        let mine: Vec<&Value> = log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e["action"].as_str().unwrap().starts_with("terminal.") && e["action"] != "terminal.sign_in"
            })
            .collect();
        let mut actions: Vec<&str> = mine.iter().map(|e| e["action"].as_str().unwrap()).collect();
        actions.sort();
        actions.dedup();
        assert_eq!(
            actions,
            [
                "terminal.ask-rating",
                "terminal.call",
                "terminal.finish",
                "terminal.next",
                "terminal.no-show",
                "terminal.park",
                "terminal.recall",
                "terminal.resume",
                "terminal.start",
                "terminal.transfer",
                "terminal.window-state"
            ]
        );
        assert!(
            mine.iter().all(|e| e["actorName"] == "zhang 姓名" && e["after"]["employeeNo"] == "1001"),
            "{mine:?}"
        );
        let parked = mine.iter().find(|e| e["action"] == "terminal.park").unwrap();
        assert_eq!(parked["target"].as_str(), Some(t3.as_str()));
        fx.stop().await;
    })
    .await;
}
