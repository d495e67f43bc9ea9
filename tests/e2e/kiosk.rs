//! The kiosk page (取号机, issue 18) in a real browser next to the real desktop app: the app runs
//! its embedded server with the simulator's hall (the simulator barely moving); the supervisor
//! adds a kiosk in 设备管理 and reads its pairing code; a headless chromium, portrait 1080×1920,
//! opens `<server>/kiosk`, is paired by tapping the code on the page's keypad, searches "hz" with
//! the letter keys and finds 护照, and takes a ticket in two taps from the result (the matter,
//! 直接取号). The ticket shows its number, matter, windows, people ahead and wait, and its QR
//! code's follow page (`GET /api/v1/follow/<id>`) agrees with it: the ticket is the server's.
//!
//! The refusals (no open window, retired matter, hall closed) are covered by the page's unit
//! tests and the server's kiosk tests: closing the matter's windows here raced the simulated
//! hall reopening them (a failure in about half the runs), so that step is not in this test.
//! The 60 s idle return is not waited for (the page has no test knob, and a test does not sleep
//! a minute): the footer's countdown is checked to run instead.
//!
//! Screenshots (the browser's own) go to the artifacts: kiosk-pairing, kiosk-search-hz,
//! kiosk-ticket.

use std::time::Duration;

use anyhow::{anyhow, ensure, Context, Result};
use hallkeeper_e2e::{wait_until_for, Browser, Harness};

use crate::device_http::http;

const HALL_UP: Duration = Duration::from_secs(90);
const KIOSK_NAME: &str = "浏览器自助取号机";

/// The kiosk page, paired, on its home screen. Answers the browser.
async fn paired_kiosk(h: &Harness, server: &str) -> Result<Browser> {
    let code = crate::devices::add_device_for_code(h, "kiosk", KIOSK_NAME).await?;
    h.click("pairing-close").await?;
    h.wait_gone("pairing-code").await.context("the code dialog to close")?;

    let b = Browser::kiosk_portrait("kiosk").await?;
    let outcome = async {
        b.goto(&format!("{server}/kiosk")).await?;
        b.find_visible("pairing-page").await.context("an unpaired kiosk shows the pairing page")?;
        b.tap_keys("pairing-keypad", &code).await?;
        let shown: String = b.text_of("pairing-code").await?.chars().filter(|c| c.is_ascii_digit()).collect();
        ensure!(shown == code, "the code cells show {shown:?} after tapping {code:?}");
        b.screenshot(&b.artifacts().join("kiosk-pairing.png")).await?;
        b.click("pairing-submit").await?;
        b.find_visible("kiosk-home-screen").await.context("the kiosk's home after pairing")?;
        let hall = b.wait_text_matching("kiosk-hall", "to name the hall", |t| t.chars().count() > 2).await?;
        eprintln!("kiosk paired: {hall}");
        // Touch targets ≥ 48 px (issue 18) on the home screen.
        let (w, hgt) = b.smallest_box("[data-testid=kiosk-top-matter], [data-testid=kiosk-search], [data-testid=kiosk-department], [data-testid=kiosk-checkin]").await?;
        ensure!(w >= 48.0 && hgt >= 48.0, "the smallest home button is {w}×{hgt} px");
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => Ok(b),
        Err(e) => Err(b.finish(Err(e)).await.unwrap_err()),
    }
}

/// Search "hz" on the letter keys; answers the first result naming 护照 (id, name).
async fn search_hz(b: &Browser) -> Result<(String, String)> {
    b.click("kiosk-search").await?;
    b.find_visible("kiosk-search-screen").await?;
    b.tap_keys("kiosk-letters", "hz").await?;
    let q = b.find_visible("kiosk-search-input").await?.prop("value").await?.unwrap_or_default();
    ensure!(q == "hz", "the search field holds {q:?} after tapping h, z");
    wait_until_for(hallkeeper_e2e::WAIT, "a search result naming 护照", || async {
        for r in b.find_all_visible("kiosk-search-result").await? {
            let name = b.text(&r).await?;
            if name.contains("护照") {
                let id = r.attr("data-matter-id").await?.unwrap_or_default();
                let first_line = name.lines().next().unwrap_or_default().trim().to_owned();
                return Ok((id, first_line));
            }
        }
        Err(anyhow!("results: {:?}", b.text_of("kiosk-search-results").await.unwrap_or_default()))
    })
    .await
}

/// Taps the result with this matter id.
async fn tap_result(b: &Browser, matter_id: &str) -> Result<()> {
    for r in b.find_all_visible("kiosk-search-result").await? {
        if r.attr("data-matter-id").await?.as_deref() == Some(matter_id) {
            return b.click_element(&r).await;
        }
    }
    Err(anyhow!("no result for matter {matter_id}"))
}

async fn kiosk_flow(b: &Browser, server: &str) -> Result<()> {
    // Search by pinyin initials, then two taps from the result to the ticket.
    let (matter_id, matter_name) = search_hz(b).await?;
    b.screenshot(&b.artifacts().join("kiosk-search-hz.png")).await?;
    tap_result(b, &matter_id).await.context("tap 1: the matter")?;
    b.wait_text("kiosk-chosen-matter", &matter_name).await?;
    b.click("kiosk-take-now").await.context("tap 2: 直接取号")?;
    b.find_visible("kiosk-ticket").await.context("the ticket after two taps")?;

    let number = b.text_of("kiosk-ticket-number").await?;
    ensure!(
        number.len() >= 2
            && number.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && number[1..].chars().all(|c| c.is_ascii_digit()),
        "the ticket number reads {number:?}"
    );
    let shown_matter = b.text_of("kiosk-ticket-matter").await?;
    ensure!(shown_matter == matter_name, "the ticket names {shown_matter:?}, the result was {matter_name:?}");
    let windows = b.text_of("kiosk-ticket-windows").await?;
    ensure!(windows.ends_with("号窗口") && windows != "—", "the windows read {windows:?}");
    let ahead = b.text_of("kiosk-ticket-ahead").await?;
    ensure!(
        ahead.ends_with(" 人") && ahead.trim_end_matches(" 人").parse::<u32>().is_ok(),
        "people ahead read {ahead:?}"
    );
    let wait = b.text_of("kiosk-ticket-wait").await?;
    ensure!(
        wait == "即将叫号" || (wait.starts_with('约') && wait.ends_with("分钟")),
        "the wait reads {wait:?}"
    );
    b.screenshot(&b.artifacts().join("kiosk-ticket.png")).await?;

    // The QR code's page follows the same ticket on the server.
    let follow_url = b.attr_of("kiosk-ticket-qr", "data-url").await?;
    let follow_id = follow_url.rsplit('/').next().unwrap_or_default().to_owned();
    ensure!(
        follow_url.starts_with(&format!("{server}/q/")) && !follow_id.is_empty(),
        "the QR code says {follow_url:?}"
    );
    let follow = {
        let url = format!("{server}/api/v1/follow/{follow_id}");
        tokio::task::spawn_blocking(move || http("GET", &url, "", None)).await??
    };
    ensure!(
        follow["number"] == number.as_str() && follow["matterName"] == matter_name.as_str(),
        "the follow page says {follow}, the kiosk showed {number} {matter_name}"
    );
    let numbers: Vec<String> = follow["windowNumbers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect();
    ensure!(!numbers.is_empty(), "no window serves {matter_name}: {follow}");
    eprintln!("ticket {number} for {matter_name} at windows {numbers:?}: {ahead} ahead, {wait}");

    // The idle return runs (60 s; not waited for): the countdown counts down.
    let left = |t: String| t.split_whitespace().next().and_then(|n| n.parse::<u32>().ok());
    let first = left(b.wait_text_contains("kiosk-idle", "秒后返回首页").await?)
        .ok_or_else(|| anyhow!("no seconds"))?;
    ensure!((50..=60).contains(&first), "the countdown starts at {first} s");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let later = left(b.text_of("kiosk-idle").await?).ok_or_else(|| anyhow!("no seconds"))?;
    ensure!(later < first, "the countdown did not run: {first} s, then {later} s");

    Ok(())
}

pub async fn kiosk_takes_a_ticket(h: &Harness) -> Result<()> {
    let server = wait_until_for(HALL_UP, "the app to log the central server's address", || async {
        h.server_url().ok_or_else(|| anyhow!("not logged yet"))
    })
    .await?;
    wait_until_for(HALL_UP, "the simulator's devices", || async { crate::cases::devices(h) }).await?;
    let b = paired_kiosk(h, &server).await?;
    let outcome = kiosk_flow(&b, &server).await;
    b.finish(outcome).await
}
