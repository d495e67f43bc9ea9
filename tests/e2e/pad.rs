//! The rating pad (评价器, issue 18) in real chromium against a real central server of its own —
//! no desktop app: the hall is set up over the admin API with an administrator's session, as the
//! desktop's sync would leave it (one window, one matter, a kiosk, the window's caller and its
//! rating pad). The pad page is opened with a pairing code in its URL and pairs itself.
//!
//! Must-show "pad double tap": 满意 tapped twice quickly counts once (the admin API lists one
//! rating for that ticket). Must-show "pad offline queue": the next service finishes, the server
//! stops, 满意 is tapped (twice); the pad thanks the person and says the rating is kept; the server
//! starts again on the same port and database and the pad sends it: exactly one rating for that
//! ticket, none lost, none doubled.

use std::time::{Duration, Instant};

use anyhow::{anyhow, ensure, Context, Result};
use hallkeeper_e2e::{wait_until_for, Browser, BrowserOptions, ADMIN_LOGIN, ADMIN_PASSWORD};
use serde_json::{json, Value};

use crate::device_http::http;
use crate::people::{own_server, session, Server};

const HALL: &str = "hall-pad";
const WINDOW: &str = "w1";
const MATTER: &str = "passport";
/// The key the pad keeps its unsent ratings under (ui/src/devices/pad/logic.ts).
const QUEUE_KEY: &str = "hallkeeper.pad.queue";
/// A pad lies on the counter in landscape.
const PAD_SIZE: (u32, u32) = (1280, 800);
/// The pad flushes its queue every 5 s (POLL_MS) and when its stream opens again.
const BACK_ONLINE: Duration = Duration::from_secs(30);

/// Tokens of the hall's devices and the pad's id.
struct Hall {
    kiosk: String,
    caller: String,
    pad: String,
}

fn api(server: &str, token: &str, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
    http(method, &format!("{server}{path}"), token, body)
}

/// A hall with window 1 serving 护照 and its three devices, made by the administrator.
fn set_up_hall(server: &str, admin: &str) -> Result<Hall> {
    api(
        server,
        admin,
        "POST",
        "/api/v1/admin/halls",
        Some(&json!({ "id": HALL, "name": "评价器测试大厅" })),
    )?;
    let ts = "2026-11-25T00:00:00.000Z";
    let config = json!({
        "windows": [{ "id": WINDOW, "number": "1", "name": "1号窗口", "zone": "", "kind": "general",
                      "state": "open", "position": 0, "createdAt": ts, "updatedAt": ts }],
        "departments": [{ "id": "d-crj", "code": "D-CRJ", "name": "出入境" }],
        "matters": [{ "id": MATTER, "catalogCode": "PASSPORT", "name": "护照", "departmentId": "d-crj",
                      "matterType": "公共服务", "required": true, "timeLimitDays": 0,
                      "ticketPrefix": "A", "state": "active" }],
        "bindings": [{ "windowId": WINDOW, "matterId": MATTER, "priority": "primary" }],
        "settings": { "maxRecalls": 2, "fallbackPrefix": "Z" },
    });
    api(server, admin, "PUT", &format!("/api/v1/admin/halls/{HALL}/config"), Some(&config))?;
    let add = |kind: &str, name: &str, window: Option<&str>| {
        let d = api(
            server,
            admin,
            "POST",
            &format!("/api/v1/admin/halls/{HALL}/devices"),
            Some(&json!({ "kind": kind, "name": name, "windowId": window })),
        )?;
        let token = d["token"].as_str().ok_or_else(|| anyhow!("no token in {d}"))?.to_owned();
        let id = d["device"]["id"].as_str().ok_or_else(|| anyhow!("no device id in {d}"))?.to_owned();
        Ok::<_, anyhow::Error>((id, token))
    };
    let (_, kiosk) = add("kiosk", "1号取号机", None)?;
    let (_, caller) = add("caller", "1号窗口叫号器", Some(WINDOW))?;
    let (pad, _) = add("rating_pad", "1号窗口评价器", Some(WINDOW))?;
    Ok(Hall { kiosk, caller, pad })
}

/// A ticket taken at the kiosk, called to window 1 and finished: the pad is asked to rate it.
/// Answers its (id, number).
fn serve_one(server: &str, hall: &Hall) -> Result<(String, String)> {
    api(server, &hall.kiosk, "POST", "/api/v1/kiosk/tickets", Some(&json!({ "matterId": MATTER })))?;
    let called = api(server, &hall.caller, "POST", "/api/v1/caller/next", None)?;
    let id = called["id"].as_str().ok_or_else(|| anyhow!("no ticket id in {called}"))?.to_owned();
    let number = called["number"].as_str().unwrap_or_default().to_owned();
    api(server, &hall.caller, "POST", &format!("/api/v1/caller/tickets/{id}/finish"), None)?;
    Ok((id, number))
}

/// The hall's ratings, as the administrator reads them.
fn ratings(server: &str, admin: &str) -> Result<Vec<Value>> {
    let r = api(server, admin, "GET", &format!("/api/v1/admin/halls/{HALL}/ratings"), None)?;
    r.as_array().cloned().ok_or_else(|| anyhow!("ratings are not a list: {r}"))
}

fn ratings_of(all: &[Value], ticket: &str) -> Vec<Value> {
    all.iter().filter(|r| r["ticketId"] == ticket).cloned().collect()
}

/// How many ratings the pad holds unsent (its localStorage queue).
async fn queued(b: &Browser) -> Result<usize> {
    let r = b
        .wd()
        .execute(
            "return JSON.parse(localStorage.getItem(arguments[0]) ?? '[]').length;",
            vec![Value::String(QUEUE_KEY.into())],
        )
        .await?;
    r.json().as_u64().map(|n| n as usize).ok_or_else(|| anyhow!("queue length {:?}", r.json()))
}

/// Two taps on 满意 in quick succession, as a hurried finger makes them (a WebDriver double click:
/// two presses and releases at the button's place, the second landing wherever the page is by then).
async fn double_tap_satisfied(b: &Browser) -> Result<()> {
    let e = b.find_visible("pad-level-satisfied").await?;
    b.wd().action_chain().double_click_element(&e).perform().await.context("double-tapping 满意")
}

/// The rate screen for `number`.
async fn asked_to_rate(b: &Browser, number: &str) -> Result<()> {
    b.find_visible("pad-rate").await.with_context(|| format!("the pad asking to rate {number}"))?;
    b.wait_text_contains("pad-ticket", number).await?;
    Ok(())
}

pub async fn queues_offline_and_counts_a_double_tap_once() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut server = own_server(dir.path());
    let url = server.url();
    let b = Browser::start("pad", BrowserOptions { size: PAD_SIZE, ..BrowserOptions::default() })
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let outcome = run(&b, &mut server, &url).await;
    let result = b.finish(outcome).await;
    server.stop();
    if let Err(e) = result {
        panic!("{e:#}");
    }
    eprintln!("pad: offline queue and double tap checked in {:.1?}", started.elapsed());
}

async fn run(b: &Browser, server: &mut Server, url: &str) -> Result<()> {
    let (admin, _) = session(url, ADMIN_LOGIN, ADMIN_PASSWORD)?;
    let hall = set_up_hall(url, &admin)?;
    let code =
        api(url, &admin, "POST", &format!("/api/v1/admin/halls/{HALL}/devices/{}/pairing", hall.pad), None)?;
    let code = code["code"].as_str().ok_or_else(|| anyhow!("no code in {code}"))?.to_owned();
    b.goto(&format!("{url}/pad?code={code}")).await?;
    b.find_visible("pad-idle").await.context("the pad, paired from its URL, waiting for a service")?;

    // Double tap, online: one rating.
    let (first, first_no) = serve_one(url, &hall)?;
    asked_to_rate(b, &first_no).await?;
    double_tap_satisfied(b).await?;
    b.find_visible("pad-thanks").await?;
    wait_until_for(BACK_ONLINE, "the double-tapped rating on the server", || async {
        let all = ratings(url, &admin)?;
        ensure!(!ratings_of(&all, &first).is_empty(), "the hall's ratings: {all:?}");
        Ok(())
    })
    .await?;
    wait_until_for(BACK_ONLINE, "the pad's queue to be empty", || async {
        let n = queued(b).await?;
        ensure!(n == 0, "{n} queued");
        Ok(())
    })
    .await?;
    let all = ratings(url, &admin)?;
    let mine = ratings_of(&all, &first);
    ensure!(
        all.len() == 1 && mine.len() == 1 && mine[0]["level"] == "satisfied",
        "a double tap on 满意 should store one satisfied rating for {first_no}; the hall has {all:?}"
    );

    // Offline: the next service finishes, the server goes away, the person taps.
    let (second, second_no) = serve_one(url, &hall)?;
    asked_to_rate(b, &second_no).await?;
    server.stop();
    // Chromium logs the pad's requests while nobody answers, and its event stream cut off by
    // the stop: those, and only those.
    for path in ["/api/v1/pad", "/api/v1/pad/events", "/api/v1/pad/ratings"] {
        b.allow_console_error(&format!("{url}{path} - Failed to load resource: net::ERR_CONNECTION_REFUSED"));
    }
    b.allow_console_error(&format!(
        "{url}/api/v1/pad/events - Failed to load resource: net::ERR_INCOMPLETE_CHUNKED_ENCODING"
    ));
    double_tap_satisfied(b).await?;
    b.find_visible("pad-thanks").await.context("the pad thanks the person without the server")?;
    b.find_visible("pad-queued").await.context("the pad says the rating is kept for later")?;
    let n = queued(b).await?;
    ensure!(n == 1, "the pad should hold exactly one rating while offline, it holds {n}");
    b.save_artifacts("offline-queued").await?;

    server.start()?;
    wait_until_for(BACK_ONLINE, "the pad's queue to be sent after the server came back", || async {
        let n = queued(b).await?;
        ensure!(n == 0, "{n} still queued");
        ensure!(b.find_all_visible("pad-queued").await?.is_empty(), "the kept-for-later note still shows");
        Ok(())
    })
    .await?;
    let all = ratings(url, &admin)?;
    let mine = ratings_of(&all, &second);
    ensure!(
        mine.len() == 1 && mine[0]["level"] == "satisfied",
        "the offline tap should store exactly one satisfied rating for {second_no}; the hall has {all:?}"
    );
    ensure!(all.len() == 2, "two services, two ratings; the hall has {all:?}");
    Ok(())
}
