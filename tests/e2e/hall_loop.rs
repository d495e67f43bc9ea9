//! The source text's whole loop (issue 18), as a hall runs it: the real desktop app with its
//! embedded server and the simulator's hall (barely moving), and the four front-line pages in a
//! real chromium. The supervisor seats a clerk at window A01 on the desktop; the clerk signs in
//! at A01's window terminal with 工号 and password; the rating pad at A01 shows the seated
//! clerk. A citizen searches "hz" on the kiosk and takes a 护照 ticket; the clerk calls it with
//! the terminal's F1 key; the hall display shows it within 1 s and speaks it (the announcement
//! is fetched as the display fetches it and measured with sox: 2–8 s, not silent); the clerk
//! starts (F4) and finishes (F5); the pad asks for a rating, the citizen taps 不满意 and a reason;
//! the desktop raises the 差评 notification (seen on the session bus) and the case is open in
//! its inbox. On the way: a reloaded display does not announce the call again.
//!
//! Screenshots of each page at its step go to the artifacts (loop-*.png).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};
use hallkeeper_e2e::{wait_until, wait_until_for, Browser, BrowserOptions, Harness, Key, LANDSCAPE};
use serde_json::{json, Value};

use crate::dashboard::{delivered, DbusMonitor};
use crate::device_http::http;
use crate::pages::invoke;

const HALL_UP: Duration = Duration::from_secs(90);
const WINDOW: &str = "A01";
const CLERK_NO: &str = "1024";
const CLERK_NAME: &str = "张敏";
const CLERK_LOGIN: &str = "zhang.min";
const FIRST_PASSWORD: &str = "窗口初始口令-2026";
const CLERK_PASSWORD: &str = "张敏自己的口令-2026";
const REASON: &str = "等候时间长";

/// A blocking HTTP call off the async runtime.
async fn call(method: &'static str, url: String, token: String, body: Option<Value>) -> Result<Value> {
    tokio::task::spawn_blocking(move || http(method, &url, &token, body.as_ref())).await?
}

/// A device of `kind` (at `window_id` for a caller or pad) added for pairing over the admin
/// API (`POST …/pairings`, as 设备管理 does): its code. The page pairs itself from `?code=`.
async fn pairing_code(
    server: &str,
    admin: &str,
    kind: &str,
    name: &str,
    window_id: Option<&str>,
) -> Result<String> {
    let mut body = json!({ "kind": kind, "name": name });
    if let Some(w) = window_id {
        body["windowId"] = json!(w);
    }
    let made =
        call("POST", format!("{server}/api/v1/admin/halls/local/pairings"), admin.into(), Some(body)).await?;
    made["code"].as_str().map(str::to_owned).ok_or_else(|| anyhow!("no code in {made}"))
}

/// A page in its own chromium, paired with `code` from the address.
async fn device_page(name: &str, size: (u32, u32), server: &str, path: &str, code: &str) -> Result<Browser> {
    let b = Browser::start(name, BrowserOptions { size, ..BrowserOptions::default() }).await?;
    b.goto(&format!("{server}/{path}?code={code}")).await?;
    Ok(b)
}

/// The clerk: a staff record and today's seat at the window, made on the desktop (synced to
/// the server), and a 窗口人员 account linked to it whose first password is already changed.
async fn seat_the_clerk(h: &Harness, server: &str, admin: &str, window_id: &str) -> Result<()> {
    let staff = invoke(h, "create_staff", json!({ "input": { "employeeNo": CLERK_NO, "name": CLERK_NAME } }))
        .await?
        .map_err(|e| anyhow!("create_staff refused: {e}"))?;
    let staff_id = staff["id"].as_str().ok_or_else(|| anyhow!("no staff id in {staff}"))?.to_owned();
    invoke(h, "set_seat", json!({ "input": { "windowId": window_id, "staffId": staff_id } }))
        .await?
        .map_err(|e| anyhow!("set_seat refused: {e}"))?;
    let account = json!({
        "login": CLERK_LOGIN, "displayName": CLERK_NAME, "staffId": staff_id,
        "grants": [{ "hallId": "local", "role": "window_staff" }], "password": FIRST_PASSWORD,
    });
    call("POST", format!("{server}/api/v1/admin/accounts"), admin.into(), Some(account)).await?;
    let session = call(
        "POST",
        format!("{server}/api/v1/session"),
        String::new(),
        Some(json!({ "login": CLERK_LOGIN, "password": FIRST_PASSWORD })),
    )
    .await?;
    let token = session["token"].as_str().ok_or_else(|| anyhow!("no session in {session}"))?.to_owned();
    call(
        "PUT",
        format!("{server}/api/v1/session/password"),
        token,
        Some(json!({ "current": FIRST_PASSWORD, "new": CLERK_PASSWORD })),
    )
    .await?;
    Ok(())
}

/// Presses one key on the page (the terminal's function keys).
async fn press(b: &Browser, key: Key) -> Result<()> {
    b.wd().action_chain().send_keys(key).perform().await.context("pressing a key")?;
    Ok(())
}

/// The paired device's token as the page keeps it (`hallkeeper.device.<page>`).
async fn page_token(b: &Browser, page: &str) -> Result<String> {
    let script = format!(
        "return JSON.parse(localStorage.getItem('hallkeeper.device.{page}') || 'null')?.token ?? null;"
    );
    let v = b.wd().execute(&script, Vec::new()).await?.json().clone();
    v.as_str().map(str::to_owned).ok_or_else(|| anyhow!("the {page} page keeps no token: {v}"))
}

/// Duration (s) and RMS amplitude of a WAV file, as sox reads them.
fn sox_measure(wav: &Path) -> Result<(f64, f64)> {
    let out = Command::new("sox").arg("--i").arg("-D").arg(wav).output().context("running sox --i")?;
    ensure!(out.status.success(), "sox --i: {}", String::from_utf8_lossy(&out.stderr));
    let seconds: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().context("sox's duration")?;
    let out = Command::new("sox").arg(wav).args(["-n", "stat"]).output().context("running sox stat")?;
    let stat = String::from_utf8_lossy(&out.stderr);
    let rms = stat
        .lines()
        .find(|l| l.starts_with("RMS     amplitude"))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .ok_or_else(|| anyhow!("no RMS amplitude in sox stat: {stat}"))?;
    Ok((seconds, rms))
}

/// The announcement the display plays for call `seq`, fetched as the display fetches it.
async fn announcement(server: &str, token: &str, seq: &str, to: &Path) -> Result<(f64, f64)> {
    let (url, token, to_file) =
        (format!("{server}/api/v1/display/announcements/{seq}"), token.to_owned(), to.to_owned());
    tokio::task::spawn_blocking(move || -> Result<(f64, f64)> {
        let out = Command::new("curl")
            .args(["-sS", "-f", "-H", &format!("Authorization: Bearer {token}"), "-o"])
            .arg(&to_file)
            .arg(&url)
            .output()
            .context("running curl")?;
        ensure!(out.status.success(), "GET {url}: {}", String::from_utf8_lossy(&out.stderr));
        sox_measure(&to_file)
    })
    .await?
}

pub async fn whole_loop(h: &Harness, monitor: &DbusMonitor) -> Result<()> {
    let server = wait_until_for(HALL_UP, "the app to log the central server's address", || async {
        h.server_url().ok_or_else(|| anyhow!("not logged yet"))
    })
    .await?;
    let (_, sim_callers, _) =
        wait_until_for(HALL_UP, "the simulator's devices", || async { crate::cases::devices(h) }).await?;
    let session = call(
        "POST",
        format!("{server}/api/v1/session"),
        String::new(),
        Some(json!({ "login": hallkeeper_e2e::ADMIN_LOGIN, "password": hallkeeper_e2e::ADMIN_PASSWORD })),
    )
    .await?;
    let admin = session["token"].as_str().ok_or_else(|| anyhow!("no admin session: {session}"))?.to_owned();

    // Window A01 on the desktop; the simulator's caller there opens it (its clerk is ours now).
    let windows = invoke(h, "list_windows", json!({})).await?.map_err(|e| anyhow!("list_windows: {e}"))?;
    let window_id = windows
        .as_array()
        .into_iter()
        .flatten()
        .find(|w| w["number"] == WINDOW)
        .and_then(|w| w["id"].as_str().map(str::to_owned))
        .ok_or_else(|| anyhow!("no window {WINDOW} on the desktop: {windows}"))?;
    let (_, sim_caller) = sim_callers
        .iter()
        .find(|(w, _)| *w == window_id)
        .ok_or_else(|| anyhow!("the simulator has no caller at {window_id}"))?;
    call(
        "PUT",
        format!("{server}/api/v1/caller/window-state"),
        sim_caller.clone(),
        Some(json!({ "state": "open" })),
    )
    .await
    .context("opening A01")?;
    // The simulator's terminal and pad at A01 are revoked: the clerk's terminal and the pad
    // paired below are the window's own (two terminals at one window would serve one ticket
    // twice: the simulated clerk finishes whatever its window calls).
    let devices =
        call("GET", format!("{server}/api/v1/admin/halls/local/devices"), admin.clone(), None).await?;
    for d in devices.as_array().into_iter().flatten() {
        if d["windowId"].as_str() == Some(window_id.as_str()) && d["revokedAt"].is_null() {
            let id = d["id"].as_str().ok_or_else(|| anyhow!("a device without id: {d}"))?;
            call("DELETE", format!("{server}/api/v1/admin/halls/local/devices/{id}"), admin.clone(), None)
                .await
                .with_context(|| format!("revoking the simulator's {d}"))?;
        }
    }
    seat_the_clerk(h, &server, &admin, &window_id).await?;

    // The four pages, each paired once.
    let kiosk_code = pairing_code(&server, &admin, "kiosk", "一楼自助取号机", None).await?;
    let terminal_code = pairing_code(&server, &admin, "caller", "A01窗口叫号终端", Some(&window_id)).await?;
    let pad_code = pairing_code(&server, &admin, "rating_pad", "A01评价器", Some(&window_id)).await?;
    let display_code = pairing_code(&server, &admin, "display", "大厅显示屏", None).await?;
    let display = device_page("loop_display", LANDSCAPE, &server, "display", &display_code).await?;
    let pad = device_page("loop_pad", (1280, 800), &server, "pad", &pad_code).await?;
    let terminal = device_page("loop_terminal", (1280, 800), &server, "terminal", &terminal_code).await?;
    let kiosk =
        device_page("loop_kiosk", hallkeeper_e2e::KIOSK_PORTRAIT, &server, "kiosk", &kiosk_code).await?;
    let outcome = async {
        // The pad shows who serves at its window, once the desktop's seating reached the server.
        pad.find_visible("pad-idle").await.context("the pad's idle screen")?;
        wait_until_for(Duration::from_secs(60), "the pad to show the seated clerk", || async {
            pad.wait_text("pad-staff-name", CLERK_NAME).await
        })
        .await?;
        let shown_no = pad.text_of("pad-employee-no").await?;
        ensure!(shown_no.contains(CLERK_NO), "the pad's 工号 reads {shown_no:?}");
        pad.screenshot(&pad.artifacts().join("loop-pad-idle.png")).await?;

        // The clerk signs in at the terminal.
        terminal.find_visible("terminal-login-no").await.context("the terminal's sign-in")?;
        let no = terminal.find_visible("terminal-login-no").await?;
        no.send_keys(CLERK_NO).await?;
        terminal.find_visible("terminal-login-password").await?.send_keys(CLERK_PASSWORD).await?;
        terminal.click("terminal-login-submit").await?;
        terminal.find_visible("terminal-call-next").await.context("the terminal after signing in")?;
        display.find_visible("display-page").await.context("the display page")?;
        wait_until("the display to be ready", || async {
            let s = display.attr_of("display-view", "data-status").await?;
            ensure!(s == "ready", "data-status={s:?}");
            Ok(())
        })
        .await?;

        // The kiosk: "hz" → 护照, two taps to a ticket.
        kiosk.find_visible("kiosk-home-screen").await.context("the kiosk's home")?;
        kiosk.click("kiosk-search").await?;
        kiosk.tap_keys("kiosk-letters", "hz").await?;
        let result = wait_until("a search result naming 护照", || async {
            for r in kiosk.find_all_visible("kiosk-search-result").await? {
                if kiosk.text(&r).await?.contains("护照") {
                    return Ok(r);
                }
            }
            bail!("none yet")
        })
        .await?;
        kiosk.click_element(&result).await.context("tap 1: the matter")?;
        kiosk.click("kiosk-take-now").await.context("tap 2: 直接取号")?;
        kiosk.find_visible("kiosk-ticket").await?;
        let number = kiosk.text_of("kiosk-ticket-number").await?;
        let windows = kiosk.text_of("kiosk-ticket-windows").await?;
        ensure!(windows.contains(WINDOW), "the ticket's windows {windows:?} do not name {WINDOW}");
        kiosk.screenshot(&kiosk.artifacts().join("loop-kiosk-ticket.png")).await?;
        eprintln!("kiosk ticket {number} ({windows})");

        // F1 calls it: the terminal shows it as its current ticket (the server's answer), and the
        // display shows it within a second of that.
        press(&terminal, Key::F1).await?;
        let pressed = Instant::now();
        terminal
            .wait_text("terminal-current-number", &number)
            .await
            .context("the terminal's current ticket")?;
        let acknowledged = Instant::now();
        wait_until_for(Duration::from_secs(10), "the display to show the call", || async {
            let t = display.attr_of("display-latest", "data-ticket").await?;
            ensure!(t == number, "the latest call is {t:?}");
            Ok(())
        })
        .await?;
        let on_display = acknowledged.elapsed();
        eprintln!(
            "F1 → terminal shows it: {} ms; → on the display {} ms later",
            (acknowledged - pressed).as_millis(),
            on_display.as_millis()
        );
        ensure!(
            on_display <= Duration::from_secs(1),
            "the display showed the call {on_display:?} after the terminal"
        );
        let seq = display.attr_of("display-latest", "data-seq").await?;
        display.screenshot(&display.artifacts().join("loop-display-call.png")).await?;

        // The display speaks it to its end; the sound itself is 2–8 s and not silent.
        wait_until_for(Duration::from_secs(30), "the display to finish the announcement", || async {
            let spoken = display.attr_of("display-page", "data-spoken").await?;
            ensure!(spoken == seq, "spoken up to {spoken:?}, the call is {seq}");
            Ok(())
        })
        .await?;
        let token = page_token(&display, "display").await?;
        let wav = display.artifacts().join("loop-announcement.wav");
        let (seconds, rms) = announcement(&server, &token, &seq, &wav).await?;
        eprintln!("announcement {seq}: {seconds:.2} s, RMS {rms:.3}");
        ensure!((2.0..=8.0).contains(&seconds), "the announcement lasts {seconds} s");
        ensure!(rms > 0.05, "the announcement is (nearly) silent: RMS {rms}");

        // A reconnect (the page reloaded) shows the call again but does not speak it again.
        display.goto(&format!("{server}/display")).await?;
        wait_until("the display to be ready again", || async {
            let t = display.attr_of("display-latest", "data-ticket").await?;
            ensure!(t == number, "the latest call is {t:?}");
            Ok(())
        })
        .await?;
        let quiet_until = Instant::now() + Duration::from_secs(3);
        while Instant::now() < quiet_until {
            let speaking = display.attr_of("display-page", "data-speaking").await?;
            ensure!(speaking.is_empty(), "the reloaded display announces {speaking:?} again");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // F4 starts, F5 finishes: the pad asks for a rating.
        press(&terminal, Key::F4).await?;
        terminal.wait_text("terminal-current-state", "办理中").await.context("serving after F4")?;
        terminal.screenshot(&terminal.artifacts().join("loop-terminal-serving.png")).await?;
        press(&terminal, Key::F5).await?;
        pad.find_visible("pad-rate").await.context("the pad to ask for a rating after F5")?;
        let rated_ticket = pad.text_of("pad-ticket").await?;
        ensure!(rated_ticket.contains(&number), "the pad rates {rated_ticket:?}, not {number}");
        pad.click("pad-level-dissatisfied").await?;
        pad.find_visible("pad-reasons").await.context("不满意 asks for reasons")?;
        pad.click(&format!("pad-reason-{REASON}")).await?;
        pad.screenshot(&pad.artifacts().join("loop-pad-reasons.png")).await?;
        pad.click("pad-submit").await?;
        pad.find_visible("pad-thanks").await.context("the pad's thanks")?;

        // The desktop: the 差评 notification, and the case open in the inbox.
        let shown =
            wait_until_for(Duration::from_secs(60), "a 差评 notification delivered to dunst", || async {
                delivered(&monitor.messages(), "差评").into_iter().next().ok_or_else(|| anyhow!("none yet"))
            })
            .await?;
        ensure!(shown.body.starts_with("不满意"), "the notification's body reads {:?}", shown.body);
        h.click("nav-ratings").await?;
        let row = wait_until("the case's row in the inbox", || async {
            for r in h.find_all_visible("case-row").await? {
                if r.attr("data-ticket").await?.as_deref() == Some(number.as_str()) {
                    return Ok(r);
                }
            }
            bail!("no row for {number}")
        })
        .await?;
        h.click_element(&h.find_in(&row, "case-row-ticket").await?).await?;
        let state = h.find_visible("case-detail-state").await?.attr("data-state").await?.unwrap_or_default();
        ensure!(state == "new", "the case is {state:?}, not open (new)");
        h.save_artifacts("loop-case").await?;
        Ok(())
    }
    .await;
    // Each browser fails on its unexpected console errors and keeps its artifacts on failure.
    let outcome = kiosk.finish(outcome).await;
    let outcome = terminal.finish(outcome).await;
    let outcome = pad.finish(outcome).await;
    display.finish(outcome).await
}
