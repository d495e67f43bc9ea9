//! People and roles over HTTP (issue 17, docs/accounts.md): the role × route matrix, sign-in and
//! its throttle, accounts, the audit log, the sync author check, break-glass and the first run.
//! Every test runs on SQLite, and on PostgreSQL when the set-up provides it (required in CI).

mod common;

use common::api::{each_backend, Backend, ADMIN, FIRST_PASSWORD, PERSON_PASSWORD};
use hallkeeper_access::Capability as C;
use hallkeeper_server::api::{Need, ADMIN_ROUTES};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Every admin route with what it needs, written out here (not read from the server's table), in
/// the order of `api/mod.rs`. `{hall}` is the fixture's hall; other ids name nothing.
const ROUTES: &[(&str, &str, Option<C>)] = &[
    ("POST", "/api/v1/admin/halls", Some(C::ManageHalls)),
    ("GET", "/api/v1/admin/halls", None),
    ("PUT", "/api/v1/admin/halls/{hall}/config", Some(C::EditWindows)),
    ("GET", "/api/v1/admin/halls/{hall}/config", Some(C::ReadHall)),
    ("POST", "/api/v1/admin/halls/{hall}/devices", Some(C::ManageDevices)),
    ("GET", "/api/v1/admin/halls/{hall}/devices", Some(C::ManageDevices)),
    ("DELETE", "/api/v1/admin/halls/{hall}/devices/d-none", Some(C::ManageDevices)),
    ("PATCH", "/api/v1/admin/halls/{hall}/devices/d-none", Some(C::ManageDevices)),
    ("POST", "/api/v1/admin/halls/{hall}/devices/d-none/pairing", Some(C::ManageDevices)),
    ("POST", "/api/v1/admin/halls/{hall}/pairings", Some(C::ManageDevices)),
    ("GET", "/api/v1/admin/halls/{hall}/tickets", Some(C::ReadDashboard)),
    ("POST", "/api/v1/admin/halls/{hall}/queue/move-waiting", Some(C::MoveWaiting)),
    ("GET", "/api/v1/admin/halls/{hall}/ratings", Some(C::ReadRatings)),
    ("PUT", "/api/v1/admin/halls/{hall}/appointment-slots", Some(C::EditAppointmentSlots)),
    ("GET", "/api/v1/admin/halls/{hall}/appointment-slots", Some(C::ReadAppointments)),
    ("GET", "/api/v1/admin/halls/{hall}/appointments", Some(C::ReadAppointments)),
    ("GET", "/api/v1/admin/halls/{hall}/sms/outbox", Some(C::ReadSms)),
    ("GET", "/api/v1/admin/halls/{hall}/sms/counts", Some(C::ReadSms)),
    ("GET", "/api/v1/admin/halls/{hall}/sms/status", Some(C::ReadSms)),
    ("POST", "/api/v1/admin/halls/{hall}/sms/test", Some(C::SendTestSms)),
    ("POST", "/api/v1/admin/halls/{hall}/sync/push", Some(C::ReadHall)),
    ("GET", "/api/v1/admin/halls/{hall}/sync/pull", Some(C::ReadHall)),
    ("GET", "/api/v1/admin/halls/{hall}/sync/events", Some(C::ReadHall)),
    ("GET", "/api/v1/admin/halls/{hall}/sync/ratings", Some(C::ReadHall)),
    ("GET", "/api/v1/admin/halls/{hall}/sync/stream", Some(C::ReadHall)),
    ("PUT", "/api/v1/admin/halls/{hall}/sync/evidence/0000000000000000000000000000000000000000000000000000000000000000", Some(C::WorkCases)),
    ("GET", "/api/v1/admin/halls/{hall}/sync/evidence/0000000000000000000000000000000000000000000000000000000000000000", Some(C::ReadCases)),
    ("GET", "/api/v1/admin/accounts", Some(C::ManageAllAccounts)),
    ("POST", "/api/v1/admin/accounts", Some(C::ManageAllAccounts)),
    ("PATCH", "/api/v1/admin/accounts/a-none", Some(C::ManageAllAccounts)),
    ("POST", "/api/v1/admin/accounts/a-none/reset", Some(C::ManageAllAccounts)),
    ("GET", "/api/v1/admin/halls/{hall}/accounts", Some(C::ManageAccounts)),
    ("POST", "/api/v1/admin/halls/{hall}/accounts", Some(C::ManageAccounts)),
    ("PATCH", "/api/v1/admin/halls/{hall}/accounts/a-none", Some(C::ManageAccounts)),
    ("POST", "/api/v1/admin/halls/{hall}/accounts/a-none/reset", Some(C::ManageAccounts)),
    ("GET", "/api/v1/admin/halls/{hall}/audit", Some(C::ReadAudit)),
    ("GET", "/api/v1/admin/audit", Some(C::ReadServerAudit)),
];

/// A route's path in axum's syntax, from the test's (`{hall}` → `{hall_id}`, ids → their params).
fn pattern(path: &str) -> String {
    path.replace("{hall}", "{hall_id}")
        .replace("d-none", "{device_id}")
        .replace("a-none", "{account_id}")
        .replace(&"0".repeat(64), "{sha256}")
}

/// The table covers exactly the server's admin routes, with the same capability each — and no
/// admin path is registered in `api/mod.rs` outside the guarded table, so a new route cannot
/// skip the check (nor this test).
#[test]
fn the_table_is_every_admin_route_and_every_admin_route_is_guarded() {
    let mine: Vec<(String, String, Option<C>)> =
        ROUTES.iter().map(|(m, p, c)| (m.to_string(), pattern(p), *c)).collect();
    let theirs: Vec<(String, String, Option<C>)> =
        ADMIN_ROUTES.iter().map(|r| (r.method.to_owned(), r.path.to_owned(), r.need.capability())).collect();
    assert_eq!(mine, theirs);
    for r in ADMIN_ROUTES {
        // A hall's capability on a route without a hall, or the reverse, would check nothing.
        match r.need {
            Need::Hall(_) => assert!(r.path.contains("{hall_id}"), "{} {}", r.method, r.path),
            Need::Server(c) => {
                assert!(!r.path.contains("{hall_id}"), "{} {}", r.method, r.path);
                assert_eq!(c.lowest_role(), hallkeeper_proto::Role::SystemAdmin, "{}", r.path);
            }
            Need::Signed => assert_eq!((r.method, r.path), ("GET", "/api/v1/admin/halls")),
        }
    }
    let source = include_str!("../src/api/mod.rs");
    for line in source.lines().map(str::trim).filter(|l| l.contains("\"/api/v1/admin")) {
        let guarded = ["get ", "post ", "put ", "patch ", "delete "].iter().any(|m| line.starts_with(m))
            && line.contains("\" => ");
        assert!(guarded, "an admin route outside the guarded table: {line}");
    }
}

/// The roles the matrix is run for, each a person in the fixture's hall (系统管理员 server-wide).
const ROLES: [(&str, &str); 5] = [
    ("system_admin", "sys"),
    ("hall_admin", "hadmin"),
    ("shift_lead", "lead"),
    ("supervisor", "watch"),
    ("window_staff", "staff"),
];

fn grants(role: &str, hall: &str) -> Value {
    match role {
        "system_admin" => json!([{ "hallId": null, "role": "system_admin" }]),
        r => json!([{ "hallId": hall, "role": r }]),
    }
}

/// Every admin route × every role: allowed (anything but 401/403) or 403 `access.forbidden`
/// naming the capability, as the matrix says; and 401 without a session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_route_answers_every_role_as_the_matrix_says() {
    each_backend(|fx| async move {
        let mut people = Vec::new();
        for (role, login) in ROLES {
            let (token, _) = fx.person(login, grants(role, &fx.hall)).await;
            people.push((hallkeeper_proto::Role::parse(role).unwrap(), token));
        }
        for (method, path, cap) in ROUTES {
            let path = path.replace("{hall}", &fx.hall);
            let resp = fx.call(method, None, &path).await;
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{method} {path} without a session");
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["code"], "auth.token_missing", "{method} {path}");
            let resp = fx.call(method, Some("hks_not-a-session"), &path).await;
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{method} {path} with a made-up session");
            for (role, token) in &people {
                let allowed = cap.is_none_or(|c| hallkeeper_access::matrix::role_allows(*role, c));
                let resp = fx.call(method, Some(token), &path).await;
                let status = resp.status();
                let body: Value = if status == StatusCode::OK
                    && resp
                        .headers()
                        .get("content-type")
                        .is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream"))
                {
                    Value::Null
                } else {
                    resp.json().await.unwrap_or(Value::Null)
                };
                if allowed {
                    assert!(
                        status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                        "{role:?} {method} {path}: {status} {body}"
                    );
                } else {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} {method} {path}: {body}");
                    assert_eq!(body["code"], "access.forbidden", "{role:?} {method} {path}");
                    let c = cap.unwrap();
                    assert!(body["message"].as_str().unwrap().contains(c.as_str()), "{body}");
                    assert_eq!(body["field"], Value::Null);
                }
            }
        }
        // A role counts only in its own hall.
        let other = fx.second_hall().await;
        let (_, lead) = &people[2];
        let (s, body) = fx.get(lead, &format!("/api/v1/admin/halls/{other}/config")).await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("access.forbidden")));
        // Halls: a person sees the halls they hold a role in; 系统管理员 every hall.
        let (_, list) = fx.get(lead, "/api/v1/admin/halls").await;
        assert_eq!(
            list.as_array().unwrap().iter().map(|h| h["id"].clone()).collect::<Vec<_>>(),
            [json!(fx.hall)]
        );
        let (_, list) = fx.get(&people[0].1, "/api/v1/admin/halls").await;
        assert_eq!(list.as_array().unwrap().len(), 2);
        fx.stop().await;
    })
    .await;
}

/// Wrong passwords → 429 with Retry-After, growing; the right password is refused during the
/// delay and accepted after it (the server's clock moved, not waited for).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_is_throttled_and_the_right_password_waits_out_the_delay() {
    each_backend(|fx| async move {
        fx.person("zhang.wei", grants("supervisor", &fx.hall)).await;
        fx.set_clock("2026-11-25T02:00:00Z");
        // Five free failures, then the sixth earns 1 s.
        for i in 0..6 {
            let (s, body, retry) = fx.sign_in("zhang.wei", "wrong password!").await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}: {body}");
            assert_eq!(
                (body["code"].as_str(), body["field"].as_str()),
                (Some("session.wrong_credentials"), Some("password"))
            );
            assert_eq!(retry, None);
        }
        let (s, body, retry) = fx.sign_in("zhang.wei", PERSON_PASSWORD).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "the right password during the delay: {body}");
        assert_eq!(body["code"], "session.throttled");
        assert_eq!(retry.as_deref(), Some("1"));
        // An unknown login is answered as a wrong password (and waits the same way).
        let (s, unknown, _) = fx.sign_in("nobody.here", "wrong password!").await;
        assert_eq!(
            (s, unknown["code"].clone()),
            (StatusCode::UNAUTHORIZED, json!("session.wrong_credentials"))
        );
        // After the delay: one more wrong one doubles it.
        fx.set_clock("2026-11-25T02:00:01.100Z");
        let (s, _, _) = fx.sign_in("zhang.wei", "wrong password!").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, _, retry) = fx.sign_in("zhang.wei", PERSON_PASSWORD).await;
        assert_eq!((s, retry.as_deref()), (StatusCode::TOO_MANY_REQUESTS, Some("2")));
        fx.set_clock("2026-11-25T02:00:03.200Z");
        let (s, session, _) = fx.sign_in("Zhang.Wei ", PERSON_PASSWORD).await;
        assert_eq!(s, StatusCode::OK, "accepted after the delay (login case and spaces ignored): {session}");
        assert!(session["token"].as_str().unwrap().starts_with("hks_"));
        assert_eq!(session["account"]["login"], "zhang.wei");
        // A success makes the failures free again.
        let (s, _, retry) = fx.sign_in("zhang.wei", "wrong password!").await;
        assert_eq!((s, retry), (StatusCode::UNAUTHORIZED, None));
        fx.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_slides_expires_and_signs_out() {
    each_backend(|fx| async move {
        fx.set_clock("2026-11-25T02:00:00Z");
        let (token, id) = fx.person("li.na", grants("supervisor", &fx.hall)).await;
        let (s, me) = fx.get(&token, "/api/v1/session").await;
        assert_eq!((s, me["id"].as_str()), (StatusCode::OK, Some(id.as_str())));
        assert_eq!(me["mustChangePassword"], false);
        // Used every 11 hours, it outlives its 12-hour idle limit…
        for at in ["2026-11-25T13:00:00Z", "2026-11-26T00:00:00Z"] {
            fx.set_clock(at);
            assert_eq!(fx.get(&token, "/api/v1/session").await.0, StatusCode::OK, "{at}");
        }
        // …but not 12 hours unused.
        fx.set_clock("2026-11-26T12:00:01Z");
        let (s, body) = fx.get(&token, "/api/v1/session").await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("auth.session_expired")));
        // Signing out ends the session at once.
        let (s, session, _) = fx.sign_in("li.na", PERSON_PASSWORD).await;
        assert_eq!(s, StatusCode::OK);
        let token = session["token"].as_str().unwrap();
        assert_eq!(fx.delete(token, "/api/v1/session").await.0, StatusCode::NO_CONTENT);
        let (s, body) = fx.get(token, "/api/v1/session").await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("auth.session_expired")));
        // The break-glass token is no session.
        assert_eq!(fx.get(ADMIN, "/api/v1/session").await.0, StatusCode::UNAUTHORIZED);
        fx.stop().await;
    })
    .await;
}

/// Create and reset force a change; disabling ends the sessions; nobody grants above their own
/// role; the password policy answers at its field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_created_reset_disabled_within_the_granters_reach() {
    each_backend(|fx| async move {
        let hall = fx.hall.clone();
        let (admin, _) = fx.person("hall.admin", grants("hall_admin", &hall)).await;
        let accounts = format!("/api/v1/admin/halls/{hall}/accounts");
        let input = |login: &str, role: &str, password: &str| {
            json!({ "login": login, "displayName": "王丽", "grants": [{ "hallId": hall, "role": role }], "password": password })
        };
        // The policy, at the field.
        let (s, body) = fx.post(&admin, &accounts, input("wang.li", "shift_lead", "1234567890")).await;
        assert_eq!((s, body["code"].as_str(), body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("password.common"), Some("password")));
        let (s, body) = fx.post(&admin, &accounts, input("wang.li", "shift_lead", "short")).await;
        assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("password.too_short"), Some("password")), "{s}");
        // Above one's own role, or in another hall, or 系统管理员: refused.
        let other = fx.second_hall().await;
        for grant in [json!({ "hallId": null, "role": "system_admin" }), json!({ "hallId": other, "role": "supervisor" })] {
            let mut i = input("wang.li", "shift_lead", FIRST_PASSWORD);
            i["grants"] = json!([grant]);
            let (s, body) = fx.post(&admin, &accounts, i).await;
            assert_eq!((s, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("access.grant_forbidden")), "{body}");
        }
        let (lead_token, _) = fx.person("lead.one", grants("shift_lead", &hall)).await;
        let (s, body) = fx.post(&lead_token, &accounts, input("wang.li", "window_staff", FIRST_PASSWORD)).await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("access.forbidden")));

        // Created: must change the password before anything else.
        let (s, created) = fx.post(&admin, &accounts, input("Wang.Li", "shift_lead", FIRST_PASSWORD)).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        assert_eq!((created["login"].as_str(), created["mustChangePassword"].as_bool()), (Some("wang.li"), Some(true)));
        let id = created["id"].as_str().unwrap().to_owned();
        let (s, body) = fx.post(&admin, &accounts, input("wang.li", "supervisor", FIRST_PASSWORD)).await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::CONFLICT, Some("account.login_taken")));
        let (s, session, _) = fx.sign_in("wang.li", FIRST_PASSWORD).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(session["account"]["mustChangePassword"], true);
        let token = session["token"].as_str().unwrap().to_owned();
        let (s, body) = fx.get(&token, &format!("/api/v1/admin/halls/{hall}/config")).await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("session.password_change_required")));
        assert_eq!(fx.get(&token, "/api/v1/session").await.0, StatusCode::OK, "who am I still answers");
        let change = |current: &str, new: &str| json!({ "current": current, "new": new });
        let (s, body) = fx.put(&token, "/api/v1/session/password", change(FIRST_PASSWORD, "wang.li-2026")).await;
        assert_eq!((s, body["code"].as_str(), body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("password.contains_login"), Some("new")));
        let (s, body) = fx.put(&token, "/api/v1/session/password", change("not it at all", PERSON_PASSWORD)).await;
        assert_eq!((s, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("current")), "{body}");
        let (s, _) = fx.put(&token, "/api/v1/session/password", change(FIRST_PASSWORD, PERSON_PASSWORD)).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(fx.get(&token, &format!("/api/v1/admin/halls/{hall}/config")).await.0, StatusCode::OK);

        // A reset: the session ends, and the next sign-in must change the password again.
        let (s, _) = fx.post(&admin, &format!("{accounts}/{id}/reset"), json!({ "password": "Zweites-Kennwort-99" })).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(fx.get(&token, "/api/v1/session").await.1["code"], "auth.session_expired");
        let (_, session, _) = fx.sign_in("wang.li", "Zweites-Kennwort-99").await;
        assert_eq!(session["account"]["mustChangePassword"], true);
        let token = session["token"].as_str().unwrap().to_owned();

        // Changing the role within reach; above it refused.
        let (s, body) = fx.patch(&admin, &format!("{accounts}/{id}"), json!({ "grants": [{ "hallId": hall, "role": "supervisor" }], "displayName": "王丽丽" })).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!((body["displayName"].as_str(), body["grants"][0]["role"].as_str()), (Some("王丽丽"), Some("supervisor")));
        let (s, body) = fx.patch(&admin, &format!("{accounts}/{id}"), json!({ "grants": [{ "hallId": null, "role": "system_admin" }] })).await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("access.grant_forbidden")));
        // Another hall's administrator does not see the account at all.
        let (other_admin, _) = fx.person("other.admin", grants("hall_admin", &other)).await;
        let (s, body) = fx.patch(&other_admin, &format!("/api/v1/admin/halls/{other}/accounts/{id}"), json!({ "active": false })).await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("account.not_found")));

        // Disabled: its sessions end, and it cannot sign in.
        let (s, body) = fx.patch(&admin, &format!("{accounts}/{id}"), json!({ "active": false })).await;
        assert_eq!((s, body["active"].as_bool()), (StatusCode::OK, Some(false)));
        assert_eq!(fx.get(&token, "/api/v1/session").await.1["code"], "auth.session_expired");
        let (s, body, _) = fx.sign_in("wang.li", "Zweites-Kennwort-99").await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("session.account_disabled")));
        let (s, list) = fx.get(&admin, &accounts).await;
        assert_eq!(s, StatusCode::OK);
        let logins: Vec<_> = list.as_array().unwrap().iter().map(|a| a["login"].as_str().unwrap().to_owned()).collect();
        assert_eq!(logins, ["hall.admin", "lead.one", "wang.li"]);
        // Nobody disables themselves.
        let (_, me) = fx.get(&admin, "/api/v1/session").await;
        let (s, body) = fx.patch(&admin, &format!("{accounts}/{}", me["id"].as_str().unwrap()), json!({ "active": false })).await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("account.disable_self")));
        fx.stop().await;
    })
    .await;
}

/// Sign-ins (accepted and refused, with the peer address) and administrative writes (with
/// before/after) are in the audit log; a hall's page shows the hall's entries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_and_admin_writes_are_audited() {
    each_backend(|fx| async move {
        let hall = fx.hall.clone();
        let (sys, sys_id) = fx.person("root", grants("system_admin", &hall)).await;
        let (watch, _) = fx.person("watcher", grants("supervisor", &hall)).await;
        let (s, _, _) = fx.sign_in("watcher", "a wrong one!").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, created) = fx
            .post(&sys, &format!("/api/v1/admin/halls/{hall}/accounts"), json!({ "login": "new.one", "displayName": "新人", "grants": [{ "hallId": hall, "role": "window_staff" }], "password": FIRST_PASSWORD }))
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let new_id = created["id"].as_str().unwrap();
        let (s, _) = fx.patch(&sys, &format!("/api/v1/admin/accounts/{new_id}"), json!({ "displayName": "新同事" })).await;
        assert_eq!(s, StatusCode::OK);
        fx.device("kiosk", None).await;

        let (s, page) = fx.get(&sys, "/api/v1/admin/audit?limit=1000").await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let entries = page["entries"].as_array().unwrap();
        let find = |action: &str, pred: &dyn Fn(&Value) -> bool| {
            entries.iter().find(|e| e["action"] == action && pred(e)).cloned().unwrap_or_else(|| panic!("no {action} in {page}"))
        };
        let ok = find("session.sign_in", &|e| e["target"] == "root");
        assert_eq!((ok["accountId"].as_str(), ok["actorName"].as_str(), ok["address"].as_str()), (Some(sys_id.as_str()), Some("root 姓名"), Some("127.0.0.1")));
        let refused = find("session.sign_in_refused", &|e| e["target"] == "watcher");
        assert_eq!(refused["after"]["reason"], "wrong_credentials");
        assert_eq!(refused["address"], "127.0.0.1");
        let create = find("account.create", &|e| e["target"] == new_id);
        assert_eq!((create["hallId"].as_str(), create["actorName"].as_str()), (Some(hall.as_str()), Some("root 姓名")));
        assert_eq!(create["after"]["login"], "new.one");
        assert!(!create.to_string().contains("argon2"), "no password hash in the log: {create}");
        let update = find("account.update", &|e| e["target"] == new_id);
        assert_eq!((update["before"]["displayName"].as_str(), update["after"]["displayName"].as_str()), (Some("新人"), Some("新同事")));
        let device = find("device.add", &|_| true);
        assert_eq!((device["actorName"].as_str(), device["accountId"].as_str()), (Some("break-glass"), None));
        // Newest first, paged.
        let seqs: Vec<i64> = entries.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert!(seqs.windows(2).all(|w| w[0] > w[1]));
        let (_, first) = fx.get(&sys, "/api/v1/admin/audit?limit=2").await;
        let before = first["nextBefore"].as_i64().unwrap();
        let (_, second) = fx.get(&sys, &format!("/api/v1/admin/audit?limit=2&before={before}")).await;
        assert_eq!(second["entries"][0]["seq"].as_i64().unwrap(), seqs[2]);

        // A supervisor reads the hall's entries, not the server's.
        let (s, hall_page) = fx.get(&watch, &format!("/api/v1/admin/halls/{hall}/audit")).await;
        assert_eq!(s, StatusCode::OK);
        let hall_entries = hall_page["entries"].as_array().unwrap();
        assert!(hall_entries.iter().all(|e| e["hallId"] == json!(hall)));
        assert!(hall_entries.iter().any(|e| e["action"] == "config.put"), "the fixture's config write");
        assert_eq!(fx.get(&watch, "/api/v1/admin/audit").await.0, StatusCode::FORBIDDEN);
        // A refused admin request is audited too.
        let (s, _) = fx.get(&watch, &format!("/api/v1/admin/halls/{hall}/devices")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, page) = fx.get(&sys, &format!("/api/v1/admin/halls/{hall}/audit?limit=1")).await;
        assert_eq!(page["entries"][0]["action"], "access.forbidden");
        assert_eq!(page["entries"][0]["actorName"], "watcher 姓名");
        fx.stop().await;
    })
    .await;
}

fn op(seq: i64, entity: &str, key: &str, fields: Value, author: Option<&str>) -> Value {
    let mut op = json!({ "seq": seq, "opId": format!("op-{seq}"), "hlc": format!("{:018}-00000-pc9", 1_900_000_000_000i64 + seq),
                         "entity": entity, "key": key, "change": { "kind": "upsert", "fields": fields } });
    if let Some(a) = author {
        op["author"] = json!(a);
    }
    op
}

/// Each pushed operation is checked against its author: the others still apply.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_rechecks_each_operations_author() {
    each_backend(|fx| async move {
        let hall = fx.hall.clone();
        let (lead, lead_id) = fx.person("lead", grants("shift_lead", &hall)).await;
        let (_, watch_id) = fx.person("watch", grants("supervisor", &hall)).await;
        let (_, gone_id) = fx.person("gone", grants("shift_lead", &hall)).await;
        let (s, _) = fx.patch(ADMIN, &format!("/api/v1/admin/accounts/{gone_id}"), json!({ "active": false })).await;
        assert_eq!(s, StatusCode::OK);
        let window = json!({ "number": "C01", "name": "C01窗口", "zone": "", "kind": "general", "state": "open", "position": 5 });
        let ops = vec![
            op(1, "window", "w-c1", window.clone(), Some(&lead_id)),
            op(2, "window", "w-c2", window.clone(), Some(&watch_id)),
            op(3, "window", "w-c3", window.clone(), Some(&gone_id)),
            op(4, "window", "w-c4", window.clone(), None),
            op(5, "window", "w-c5", window.clone(), Some("no-such-account")),
            op(6, "matter", "m-x", json!({ "name": "新事项" }), Some(&lead_id)),
        ];
        let push = json!({ "deviceId": "pc9", "schemaVersion": hallkeeper_proto::SYNC_SCHEMA_VERSION, "ops": ops });
        let (s, answer) = fx.post(&lead, &format!("/api/v1/admin/halls/{hall}/sync/push"), push.clone()).await;
        assert_eq!(s, StatusCode::OK, "{answer}");
        assert_eq!(answer["highestSeq"], 6);
        let codes: Vec<(i64, String)> = answer["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["seq"].as_i64().unwrap(), r["code"].as_str().unwrap().to_owned()))
            .collect();
        let want = [(2, "access.forbidden"), (3, "access.author_disabled"), (4, "access.author_missing"), (5, "access.author_disabled"), (6, "access.forbidden")];
        assert_eq!(codes, want.map(|(s, c)| (s, c.to_owned())));
        let (_, pull) = fx.get(&lead, &format!("/api/v1/admin/halls/{hall}/sync/pull")).await;
        let keys: Vec<_> = pull["changes"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap().to_owned()).collect();
        assert_eq!(keys, ["w-c1"]);
        // The audit log names who pushed and whose changes the push carried.
        let (_, log) = fx.get(ADMIN, "/api/v1/admin/audit?limit=50").await;
        let push_entry = log["entries"].as_array().unwrap().iter().find(|e| e["action"] == "sync.push").cloned().unwrap();
        assert_eq!((push_entry["actorName"].as_str(), push_entry["target"].as_str()), (Some("lead 姓名"), Some("pc9")));
        assert_eq!((push_entry["after"]["ops"].as_i64(), push_entry["after"]["rejected"].as_i64()), (Some(6), Some(5)));
        let mut authors = vec![lead_id.clone(), watch_id.clone(), gone_id.clone(), "no-such-account".to_owned()];
        authors.sort();
        assert_eq!(push_entry["after"]["authors"], json!(authors));
        // Pushed again after the author is enabled: the first answer stands (applied once, or not).
        fx.patch(ADMIN, &format!("/api/v1/admin/accounts/{gone_id}"), json!({ "active": true })).await;
        let (_, again) = fx.post(&lead, &format!("/api/v1/admin/halls/{hall}/sync/push"), push).await;
        assert_eq!(again["rejected"], answer["rejected"]);
        fx.stop().await;
    })
    .await;
}

/// Break-glass is off unless asked for; the first administrator is made once, on a fresh store,
/// and signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_break_glass_only_people_open_the_admin_api_and_the_first_run_makes_one_administrator() {
    for backend in Backend::available().await {
        let storage = backend.open().await;
        let state = std::sync::Arc::new(hallkeeper_server::AppState::new(
            storage.clone(),
            hallkeeper_server::system_now(),
        ));
        let running = hallkeeper_server::start("127.0.0.1:0".parse().unwrap(), state).await.unwrap();
        let base = format!("http://{}", running.addr);
        let http = reqwest::Client::new();
        let resp = http.get(format!("{base}/api/v1/admin/halls")).bearer_auth(ADMIN).send().await.unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::UNAUTHORIZED,
            "the admin token opens nothing without break-glass"
        );

        assert!(!hallkeeper_server::accounts::has_any_account(&*storage).await.unwrap());
        let now = chrono::Utc::now();
        let err = hallkeeper_server::accounts::create_first_administrator(
            &*storage,
            now,
            "admin",
            "管理员",
            "admin",
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "password.too_short");
        let admin = hallkeeper_server::accounts::create_first_administrator(
            &*storage,
            now,
            " Admin ",
            "管理员",
            PERSON_PASSWORD,
        )
        .await
        .unwrap();
        assert_eq!((admin.login.as_str(), admin.must_change_password), ("admin", false));
        assert_eq!(
            admin.grants,
            [hallkeeper_proto::HallRole { hall_id: None, role: hallkeeper_proto::Role::SystemAdmin }]
        );
        assert!(hallkeeper_server::accounts::has_any_account(&*storage).await.unwrap());
        let again = hallkeeper_server::accounts::create_first_administrator(
            &*storage,
            now,
            "second",
            "二号",
            PERSON_PASSWORD,
        )
        .await;
        assert_eq!(again.unwrap_err().code(), "account.first_exists");

        let resp = http
            .post(format!("{base}/api/v1/session"))
            .json(&json!({ "login": "admin", "password": PERSON_PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let session: Value = resp.json().await.unwrap();
        let token = session["token"].as_str().unwrap();
        let resp = http
            .post(format!("{base}/api/v1/admin/halls"))
            .bearer_auth(token)
            .json(&json!({ "id": "h-first", "name": "第一大厅" }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        running.stop().await.unwrap();
    }
}

/// The configuration is pushed whole: each part it changes needs its own capability, so a 值班长
/// edits windows and bindings through it but not the catalog (大厅管理员's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_push_needs_the_capability_of_each_part_it_changes() {
    each_backend(|fx| async move {
        let path = format!("/api/v1/admin/halls/{}/config", fx.hall);
        let (lead, _) = fx.person("lead", grants("shift_lead", &fx.hall)).await;
        let (admin, _) = fx.person("hadmin", grants("hall_admin", &fx.hall)).await;
        let (s, mut config) = fx.get(&lead, &path).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(fx.put(&lead, &path, config.clone()).await.0, StatusCode::NO_CONTENT, "no change at all");
        config["windows"][1]["name"] = json!("B01 综合窗口");
        assert_eq!(fx.put(&lead, &path, config.clone()).await.0, StatusCode::NO_CONTENT, "a window");
        config["matters"][0]["name"] = json!("居民身份证换领（新）");
        let (s, body) = fx.put(&lead, &path, config.clone()).await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("access.forbidden")));
        assert!(body["message"].as_str().unwrap().contains("catalog.edit"), "{body}");
        assert_eq!(
            fx.put(&admin, &path, config.clone()).await.0,
            StatusCode::NO_CONTENT,
            "the hall's administrator may"
        );
        let (_, now) = fx.get(&lead, &path).await;
        assert_eq!(now["matters"][0]["name"], "居民身份证换领（新）");
        fx.stop().await;
    })
    .await;
}
