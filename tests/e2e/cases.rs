//! Poor ratings end to end (issue 8): with the embedded server and the simulator's devices (the
//! simulator barely moving, so this test's ticket is the only poor rating), a ticket is taken at
//! the kiosk, served by its window's caller and rated 非常不满意 on that window's pad, through the
//! server's device API. The desktop pulls the rating and opens a case: the notification reaches
//! the notification daemon (dunst) on the session bus as a `Notify` whose summary starts with
//! 差评, the navigation's badge shows 1, and the case is walked in the inbox from 回访核实 to 办结
//! (a missing note refused at its field on the way). The statistics follow: the dashboard's
//! 差评待整改 goes from 1 to 0. Screenshots of the inbox with the case open, in Chinese and
//! English, go to `$HALLKEEPER_SCREENSHOTS` (else the artifacts) as cases-zh.png / cases-en.png.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, ensure, Context, Result};
use hallkeeper_e2e::{wait_until, wait_until_for, By, Harness};
use serde_json::{json, Value};

use crate::dashboard::{delivered, DbusMonitor};
use crate::device_http::http;

/// Slow enough that the simulated hall issues (almost) nothing of its own during the test.
pub const SPEED: &str = "0.02";
const HALL_UP: Duration = Duration::from_secs(90);
const COMMENT: &str = "等了一个多小时，窗口还说材料不全，请回电 13812345678";

/// The simulator's devices of the hall: (kiosk token, window id → caller token, window id → pad token).
pub(crate) type Devices = (String, Vec<(String, String)>, Vec<(String, String)>);

pub(crate) fn devices(h: &Harness) -> Result<Devices> {
    let path = h.data_dir().join("server").join("simulator.json");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let v: Value = serde_json::from_str(&text)?;
    let hall = v["halls"]
        .as_object()
        .and_then(|m| m.values().next())
        .ok_or_else(|| anyhow!("no hall in {}", path.display()))?;
    let kiosk = hall["kiosks"][0]["token"].as_str().ok_or_else(|| anyhow!("no kiosk yet"))?.to_owned();
    let map = |k: &str| -> Vec<(String, String)> {
        hall[k]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(w, d)| Some((w.clone(), d["token"].as_str()?.to_owned())))
            .collect()
    };
    let (callers, pads) = (map("callers"), map("pads"));
    ensure!(!callers.is_empty() && !pads.is_empty(), "no callers or pads yet");
    Ok((kiosk, callers, pads))
}

/// A ticket taken at the kiosk, served at its window and rated 非常不满意 there. Answers the
/// window's id and the ticket's number.
fn serve_and_rate_poorly(server: &str, (kiosk, callers, pads): &Devices) -> Result<(String, String)> {
    // Any matter some open window serves.
    let departments = http("GET", &format!("{server}/api/v1/kiosk/matters"), kiosk, None)?;
    let matters: Vec<String> = departments
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|d| d["matters"].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m["id"].as_str().map(str::to_owned))
        .collect();
    let mut refusals = Vec::new();
    let mut issued = None;
    for m in &matters {
        match http("POST", &format!("{server}/api/v1/kiosk/tickets"), kiosk, Some(&json!({ "matterId": m })))
        {
            Ok(t) => {
                issued = Some(t);
                break;
            }
            Err(e) => refusals.push(format!("{e:#}")),
        }
    }
    let issued = issued.ok_or_else(|| anyhow!("no ticket issued: {refusals:?}"))?;
    let ticket_id =
        issued["ticket"]["id"].as_str().ok_or_else(|| anyhow!("no ticket id: {issued}"))?.to_owned();
    let number = issued["ticket"]["number"].as_str().unwrap_or_default().to_owned();

    // Its window calls it (or the simulated caller of that window already did).
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let (window, caller) = loop {
        let mut found = None;
        for (w, c) in callers {
            let view = http("GET", &format!("{server}/api/v1/caller"), c, None)?;
            if view["current"]["id"].as_str() == Some(&ticket_id) {
                found = Some((w.clone(), c.clone()));
                break;
            }
            if view["current"].is_null() && view["waiting"].as_u64().unwrap_or(0) > 0 {
                if let Ok(t) = http("POST", &format!("{server}/api/v1/caller/next"), c, None) {
                    if t["id"].as_str() == Some(&ticket_id) {
                        found = Some((w.clone(), c.clone()));
                        break;
                    }
                }
            }
        }
        if let Some(f) = found {
            break f;
        }
        ensure!(std::time::Instant::now() < deadline, "no window called ticket {number} within 60 s");
        std::thread::sleep(Duration::from_millis(500));
    };
    for action in ["start", "finish"] {
        let url = format!("{server}/api/v1/caller/tickets/{ticket_id}/{action}");
        if let Err(e) = http("POST", &url, &caller, None) {
            // The simulated caller may have started it already.
            ensure!(action == "start", "{action} of ticket {number}: {e:#}");
        }
    }
    let pad = pads.iter().find(|(w, _)| *w == window).map(|(_, p)| p.clone());
    let pad = pad.ok_or_else(|| anyhow!("window {window} has no rating pad"))?;
    let rating = json!({
        "ticketId": ticket_id,
        "level": "very_dissatisfied",
        "reasons": ["等候时间长"],
        "comment": COMMENT,
    });
    http("POST", &format!("{server}/api/v1/pad/ratings"), &pad, Some(&rating))
        .context("rating on the pad")?;
    Ok((window, number))
}

async fn case_state(h: &Harness) -> Result<String> {
    let e = h.find_visible("case-detail-state").await?;
    Ok(e.attr("data-state").await?.unwrap_or_default())
}

async fn wait_state(h: &Harness, state: &str) -> Result<()> {
    wait_until(&format!("the case to be {state}"), || async {
        let s = case_state(h).await?;
        ensure!(s == state, "it is {s:?}");
        Ok(())
    })
    .await
}

/// Clicks an allowed step's button, fills the form with `fill`, submits, waits for `to`.
async fn step(h: &Harness, action: &str, to: &str) -> Result<()> {
    h.click(&format!("case-action-{action}")).await.with_context(|| format!("the {action} button"))?;
    h.find_visible("case-form-submit").await?;
    h.wait_settled().await?;
    match action {
        "mark_rectified" => {
            // The note is required: refused at its field first.
            h.click("case-form-submit").await?;
            let err = h.find_visible("case-form-error").await.context("an empty note should be refused")?;
            ensure!(err.attr("data-field").await?.as_deref() == Some("note"), "the error is not at the note");
            h.type_into_id("case-form-note", "已约谈窗口人员，增派一名导办员，材料清单一次告知").await?;
        }
        "call_back" => {
            h.click("case-callback-reached-yes").await?;
            h.click("case-callback-satisfied-yes").await?;
        }
        _ => {}
    }
    h.click("case-form-submit").await?;
    h.wait_gone("case-form-submit").await.with_context(|| format!("the {action} form to close"))?;
    wait_state(h, to).await
}

async fn open_poor_total(h: &Harness) -> Result<String> {
    h.text(&h.find_visible("totals-poor-ratings").await?).await
}

pub async fn poor_rating_to_closed_case(h: &Harness, monitor: &DbusMonitor) -> Result<()> {
    let server = wait_until_for(HALL_UP, "the app to log the central server's address", || async {
        h.server_url().ok_or_else(|| anyhow!("not logged yet"))
    })
    .await?;
    let devs = wait_until_for(HALL_UP, "the simulator's devices", || async { devices(h) }).await?;

    // Before: no poor rating, nothing unread, the inbox empty.
    h.click("nav-ratings").await?;
    h.find_visible("cases-empty").await.context("a new hall has no poor ratings")?;
    ensure!(h.find_all_visible("nav-ratings-unread").await?.is_empty(), "no unread badge at first");

    let (window, number) = {
        let server = server.clone();
        tokio::task::spawn_blocking(move || serve_and_rate_poorly(&server, &devs)).await??
    };
    eprintln!("ticket {number} at window {window} rated very dissatisfied");

    let shown = wait_until_for(Duration::from_secs(60), "a 差评 notification delivered to dunst", || async {
        let all = delivered(&monitor.messages(), "差评");
        all.into_iter().next().ok_or_else(|| anyhow!("none yet"))
    })
    .await?;
    eprintln!("delivered: {shown:?}");
    ensure!(shown.body.starts_with("非常不满意"), "the notification's body reads {:?}", shown.body);
    ensure!(shown.body.contains("138****5678"), "the phone number should be masked: {:?}", shown.body);

    // The badge counts it; the inbox lists it, unread and bold.
    h.wait_text("nav-ratings-unread", "1").await.context("the nav badge should show 1 unread")?;
    let row = wait_until("the case's row in the inbox", || async {
        let rows = h.find_all_visible("case-row").await?;
        ensure!(rows.len() == 1, "{} rows", rows.len());
        Ok(rows.into_iter().next().unwrap())
    })
    .await?;
    ensure!(row.attr("data-unread").await?.as_deref() == Some("true"), "the row should be unread");
    ensure!(row.attr("data-ticket").await?.as_deref() == Some(number.as_str()), "the row's ticket");
    let deadline = h.find_in(&row, "case-deadline").await?;
    let tone = deadline.attr("data-tone").await?.unwrap_or_default();
    ensure!(
        ["normal", "dueSoon", "unpublished"].contains(&tone.as_str()),
        "a new case's deadline tone is {tone:?}"
    );

    // Before the walk: the dashboard counts one open poor rating.
    h.click("nav-dashboard").await?;
    wait_until_for(Duration::from_secs(30), "总览's 差评待整改 to read 1", || async {
        let v = open_poor_total(h).await?;
        ensure!(v == "1", "it reads {v:?}");
        Ok(())
    })
    .await?;

    // Opening it marks it read.
    h.click("nav-ratings").await?;
    // (WebKitWebDriver does not click a table row itself: its ticket cell.)
    h.click("case-row-ticket").await.context("opening the case from the inbox")?;
    wait_until("the case to load", || async {
        let s = h.find_visible("case-detail").await?.attr("data-status").await?.unwrap_or_default();
        ensure!(s == "ready", "data-status={s:?}");
        Ok(())
    })
    .await?;
    h.wait_gone("nav-ratings-unread").await.context("opening the case should clear the badge")?;
    ensure!(case_state(h).await? == "new", "a new case");
    let comment = h.text(&h.find_visible("case-detail-comment").await?).await?;
    // The whole comment, with the phone number the citizen typed masked (personal data).
    ensure!(
        comment == COMMENT.replace("13812345678", "138****5678"),
        "the detail shows the comment masked, not {comment:?}"
    );

    step(h, "verify", "verifying").await?;
    step(h, "start_rectifying", "rectifying").await?;
    step(h, "mark_rectified", "rectified").await?;
    step(h, "call_back", "called_back").await?;

    // The zh-CN picture, the case open and nearly done.
    let dir = std::env::var_os("HALLKEEPER_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| hallkeeper_e2e::paths::artifacts_dir().join("screenshots"));
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    crate::screenshot(h, dir.join("cases-zh.png")).await?;

    step(h, "close", "closed").await?;
    let state = h.text(&h.find_visible("case-detail-state").await?).await?;
    ensure!(state == "已办结", "the state reads {state:?}");
    let steps = h.find_all_visible("case-step").await?;
    ensure!(steps.len() == 5, "the timeline should have 5 steps, it has {}", steps.len());
    h.find_visible("case-no-actions").await.context("a closed case has no more steps")?;
    let row_state =
        h.wd().find(By::Css(r#"[data-testid="case-row"] [data-testid="case-row-state"]"#.to_owned())).await?;
    wait_until("the row to say 已办结", || async {
        let t = h.text(&row_state).await?;
        ensure!(t == "已办结", "it reads {t:?}");
        Ok(())
    })
    .await?;

    h.click("lang-switch").await?;
    h.wait_text("nav-ratings", "Poor ratings").await?;
    let state = h.text(&h.find_visible("case-detail-state").await?).await?;
    ensure!(state == "Closed", "in English the state reads {state:?}");
    crate::screenshot(h, dir.join("cases-en.png")).await?;
    h.click("lang-switch").await?;
    h.wait_text("nav-ratings", "差评整改").await?;

    // The statistics: nothing open any more.
    h.click("nav-dashboard").await?;
    wait_until_for(Duration::from_secs(60), "总览's 差评待整改 to read 0", || async {
        let v = open_poor_total(h).await?;
        if v == "0" {
            return Ok(());
        }
        bail!("it reads {v:?}")
    })
    .await?;
    Ok(())
}
