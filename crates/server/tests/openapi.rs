//! The OpenAPI document and the router agree: every documented operation exists on the real
//! server (it does not fall through to "no such endpoint"), and every route the router serves is
//! documented.

mod common;

use common::api::{Backend, Fixture, ADMIN};
use reqwest::Method;

/// (method, path) of every operation in openapi.yaml, read from its indentation.
fn documented() -> Vec<(String, String)> {
    let text = include_str!("../openapi.yaml");
    let mut out = Vec::new();
    let mut in_paths = false;
    let mut path = String::new();
    for line in text.lines() {
        if line == "paths:" {
            in_paths = true;
            continue;
        }
        if !in_paths {
            continue;
        }
        if let Some(p) = line.strip_prefix("  /").and_then(|l| l.strip_suffix(':')) {
            path = format!("/{p}");
        } else if let Some(m) = line.strip_prefix("    ").and_then(|l| l.strip_suffix(':')) {
            if ["get", "post", "put", "patch", "delete"].contains(&m) {
                out.push((m.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// The router's routes, from its source: every `.route("…", get(…).post(…))`, and every line of
/// the admin table (`post "/api/v1/admin/…" => handler, need, "action";`).
fn routed() -> Vec<(String, String)> {
    let text = include_str!("../src/api/mod.rs");
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        let Some((method, rest)) = line.split_once(" \"") else { continue };
        if ["get", "post", "put", "patch", "delete"].contains(&method) && rest.contains("\" => ") {
            out.push((method.to_uppercase(), rest.split('"').next().unwrap().to_owned()));
        }
    }
    for line in text.lines().map(str::trim).filter(|l| l.starts_with(".route(\"")) {
        let path = line.trim_start_matches(".route(\"").split('"').next().unwrap().to_owned();
        for m in ["get", "post", "put", "patch", "delete"] {
            if line.contains(&format!("{m}(")) {
                out.push((m.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

#[test]
fn every_route_is_documented_and_nothing_else() {
    let mut doc = documented();
    let mut routes = routed();
    // The router has one pattern for the five ticket actions.
    routes.retain(|(_, p)| p != "/api/v1/caller/tickets/{ticket_id}/{action}");
    doc.retain(|(_, p)| {
        !["recall", "start", "finish", "no-show", "park", "resume"]
            .iter()
            .any(|a| p.ends_with(&format!("}}/{a}")))
    });
    let norm = |v: &mut Vec<(String, String)>| {
        for (_, p) in v.iter_mut() {
            *p = p
                .replace("{ticketId}", "{ticket_id}")
                .replace("{hallId}", "{hall_id}")
                .replace("{deviceId}", "{device_id}")
                .replace("{accountId}", "{account_id}")
                .replace("{followId}", "{follow_id}");
        }
        v.sort();
    };
    norm(&mut doc);
    norm(&mut routes);
    assert_eq!(doc, routes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_exists_on_the_server() {
    let fx = Fixture::start(Backend::Sqlite(tempfile::tempdir().unwrap())).await;
    for (method, path) in documented() {
        let url = format!(
            "{}{}",
            fx.base,
            path.replace("{hallId}", &fx.hall)
                .replace("{ticketId}", "t-1")
                .replace("{deviceId}", "d-1")
                .replace("{accountId}", "a-1")
                .replace("{code}", "ABCD2345")
        );
        let resp = fx
            .http
            .request(Method::from_bytes(method.as_bytes()).unwrap(), &url)
            .bearer_auth(ADMIN)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = resp.status();
        // A stream (the sync stream) answers at once and never ends: its status is the answer.
        let streaming = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream"));
        let body: serde_json::Value = if streaming {
            serde_json::Value::Null
        } else {
            resp.json().await.unwrap_or(serde_json::Value::Null)
        };
        assert_ne!(body["code"], "request.no_such_endpoint", "{method} {path} is documented but not served");
        assert_ne!(status, reqwest::StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
    }
    fx.stop().await;
}
