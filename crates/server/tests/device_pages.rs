//! The device pages' server side: the kiosk's home answer, the ticket's extra lines (windows,
//! estimated wait, follow id), the follow page's data, and the pages themselves (served when
//! built into the binary, a 503 page when not). Both backends, through the shared fixture.

mod common;

use common::api::{each_backend, Fixture};
use hallkeeper_server::device_pages::{Pages, NOT_BUILT_HTML};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn follow(fx: &Fixture, id: &str) -> (StatusCode, Value) {
    let resp = fx.http.get(format!("{}/api/v1/follow/{id}", fx.base)).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_home_ranks_the_most_taken_matters_and_says_when_the_hall_is_closed() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let (s, home) = fx.get(&kiosk, "/api/v1/kiosk/home").await;
        assert_eq!(s, StatusCode::OK, "{home}");
        assert_eq!(home["hallName"], "成都市政务服务中心");
        assert_eq!(home["open"], true);
        // Nothing taken yet: catalog order; only matters a ticket can be taken for.
        assert_eq!(home["topMatterIds"], json!(["m-id", "m-hukou"]));
        assert_eq!(home["departments"][0]["matters"].as_array().unwrap().len(), 2);

        for _ in 0..2 {
            let (s, t) = fx.post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-hukou" })).await;
            assert_eq!(s, StatusCode::CREATED, "{t}");
        }
        fx.post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
        let (_, home) = fx.get(&kiosk, "/api/v1/kiosk/home").await;
        assert_eq!(home["topMatterIds"], json!(["m-hukou", "m-id"]), "most taken first");

        // Only a kiosk's token opens it.
        let display = fx.device("display", None).await;
        let (s, _) = fx.get(&display, "/api/v1/kiosk/home").await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The hall's one open window closes: the hall takes no tickets.
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let (s, v) = fx.put(&caller, "/api/v1/caller/window-state", json!({ "state": "closed" })).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, home) = fx.get(&kiosk, "/api/v1/kiosk/home").await;
        assert_eq!(home["open"], false);
        let (s, e) = fx.post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
        assert_eq!((s, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("queue.no_open_window")));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_names_its_windows_an_estimated_wait_and_a_follow_id() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let (s, first) = fx.post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        // The wire fields that were there stay.
        assert_eq!(
            (first["ticket"]["number"].as_str(), first["matterName"].as_str()),
            (Some("A001"), Some("居民身份证换领"))
        );
        assert_eq!(first["ahead"], 0);
        assert_eq!(first["windowNumbers"], json!(["A01"]));
        assert_eq!(first["estimatedWaitMinutes"], 0, "nobody ahead");
        let follow_id = first["followId"].as_str().unwrap().to_owned();
        assert_eq!(follow_id.len(), 22);
        assert!(!follow_id.contains(first["ticket"]["id"].as_str().unwrap()));

        // No service finished yet: 5 minutes a person ahead, one open window.
        let (_, second) = fx.post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-hukou" })).await;
        assert_eq!((second["ahead"].as_u64(), second["estimatedWaitMinutes"].as_u64()), (Some(1), Some(5)));

        // A001 is served in 15 minutes: the hall's mean is now 15 minutes (the matter has too few
        // services of its own), so one person ahead is 15 minutes.
        let (_, called) = fx.post(&caller, "/api/v1/caller/next", json!(null)).await;
        let id = called["id"].as_str().unwrap().to_owned();
        fx.set_clock("2026-11-25T01:45:00Z");
        let (s, _) = fx.post(&caller, &format!("/api/v1/caller/tickets/{id}/finish"), json!(null)).await;
        assert_eq!(s, StatusCode::OK);
        let (_, third) = fx
            .post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id", "phone": "13812345678" }))
            .await;
        assert_eq!(third["ahead"], 1);
        let minutes = third["estimatedWaitMinutes"].as_u64().unwrap();
        assert!((14..=16).contains(&minutes), "about the 15 minutes A001 took: {third}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_follow_page_data_follows_the_ticket_without_personal_data() {
    each_backend(|fx| async move {
        let kiosk = fx.device("kiosk", None).await;
        let caller = fx.device("caller", Some(&fx.window_a)).await;
        let (_, a1) = fx.post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-id" })).await;
        let (_, a2) = fx
            .post(&kiosk, "/api/v1/kiosk/tickets", json!({ "matterId": "m-hukou", "phone": "13812345678" }))
            .await;
        let id2 = a2["followId"].as_str().unwrap();

        let (s, v) = follow(&fx, id2).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["number"].as_str(), v["matterName"].as_str()), (Some("A002"), Some("户口迁入登记")));
        assert_eq!((v["state"].as_str(), v["ahead"].as_u64()), (Some("waiting"), Some(1)));
        assert_eq!(v["windowNumbers"], json!(["A01"]));
        assert_eq!(v["hallName"], "成都市政务服务中心");
        let text = v.to_string();
        assert!(!text.contains("138") && !text.contains(a2["ticket"]["id"].as_str().unwrap()), "{text}");

        // Called: it says which window.
        fx.post(&caller, "/api/v1/caller/next", json!(null)).await;
        let (_, v1) = follow(&fx, a1["followId"].as_str().unwrap()).await;
        assert_eq!((v1["state"].as_str(), v1["windowNumbers"].clone()), (Some("called"), json!(["A01"])));
        let (_, v2) = follow(&fx, id2).await;
        assert_eq!(v2["ahead"], 0);

        for bad in ["AAAAAAAAAAAAAAAAAAAAAA", "short", "..%2F..%2Fetc"] {
            let (s, e) = follow(&fx, bad).await;
            assert_eq!((s, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("follow.not_found")), "{bad}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_pages_are_served_when_built_and_a_503_page_says_so_when_not() {
    each_backend(|fx| async move {
        let built = Pages::embedded().built();
        // The hall is there (and the server answering) before the pages are asked for.
        let (s, halls) = fx.admin_get("/api/v1/admin/halls").await;
        assert_eq!(s, StatusCode::OK, "{halls}");
        for path in ["/kiosk", "/terminal", "/pad", "/display", "/q/AAAAAAAAAAAAAAAAAAAAAA"] {
            let resp = fx.http.get(format!("{}{path}", fx.base)).send().await.unwrap();
            let status = resp.status();
            let kind = resp.headers()["content-type"].to_str().unwrap().to_owned();
            let body = resp.text().await.unwrap();
            assert!(kind.starts_with("text/html"), "{path}: {kind}");
            if built {
                assert_eq!(status, StatusCode::OK, "{path}");
                assert!(body.contains("<div id=\"app\">") && body.contains("/devices/assets/"), "{path}");
            } else {
                assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
                assert!(body.contains("设备页面未构建") && body.contains("device pages not built"));
            }
        }
        // The API still answers as before next to the pages.
        let resp = fx.http.get(format!("{}/api/v1/nothing", fx.base)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    })
    .await;
}

/// The same routes over other file sets: none (the 503), and a small build (pages and assets,
/// with their types and caching; nothing outside the build).
#[tokio::test]
async fn pages_come_only_from_the_build() {
    async fn serve(pages: Pages) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, pages.router::<()>()).await.unwrap() });
        format!("http://{addr}")
    }
    let http = reqwest::Client::new();

    let none = serve(Pages::new(&[])).await;
    for path in ["/kiosk", "/display", "/devices/assets/x.js"] {
        let resp = http.get(format!("{none}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(resp.text().await.unwrap(), NOT_BUILT_HTML);
    }

    static FILES: &[(&str, &[u8])] = &[
        ("devices.html", b"<!doctype html><div id=\"app\"></div>"),
        ("assets/devices-abc.js", b"console.log(1)"),
        ("assets/devices-abc.css", b"body{}"),
    ];
    let some = serve(Pages::new(FILES)).await;
    let resp = http.get(format!("{some}/pad")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-cache");
    assert!(resp.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    let resp = http.get(format!("{some}/devices/assets/devices-abc.js")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(resp.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    let resp = http.get(format!("{some}/devices/assets/devices-abc.css")).send().await.unwrap();
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    for path in ["/devices/assets/missing.js", "/devices/../Cargo.toml", "/devices/%2e%2e/Cargo.toml"] {
        let resp = http.get(format!("{some}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
