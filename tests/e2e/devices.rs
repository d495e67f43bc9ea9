//! 设备管理 end to end (issue 17): in the real app, with the embedded server and the simulator's
//! hall (its windows, matters and devices; the simulator barely moving), the supervisor opens
//! 设备管理, adds a kiosk and reads its 8-digit pairing code from the dialog (with its countdown
//! and QR code). The test then plays the kiosk over HTTP: it pairs with the code
//! (`POST /api/v1/devices/pair`), takes a ticket with the token it got, and is listed 在线; the
//! same code a second time is refused. The supervisor renames it, then revokes it in the page (with the
//! confirmation), the row says 已吊销, and the kiosk's next request gets 401. Screenshots of the
//! page and of the code dialog go to `$HALLKEEPER_SCREENSHOTS` (else the artifacts) as
//! devices-zh.png, devices-en.png and devices-code-zh.png.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, ensure, Context, Result};
use hallkeeper_e2e::{wait_until, wait_until_for, Harness};
use serde_json::{json, Value};

use crate::device_http::{exchange, http};

/// Slow enough that the simulated hall issues (almost) nothing of its own during the test.
pub const SPEED: &str = "0.02";
const HALL_UP: Duration = Duration::from_secs(90);
const KIOSK_NAME: &str = "东门自助取号机";
const RENAMED: &str = "东门一号取号机";

/// The device's side, off the async runtime: pair with `code`, take a ticket for any offered
/// matter. Answers the device's id and token, and the ticket's number.
fn play_kiosk(server: &str, code: &str) -> Result<(String, String, String)> {
    let paired = http("POST", &format!("{server}/api/v1/devices/pair"), "", Some(&json!({ "code": code })))?;
    let token = paired["token"].as_str().ok_or_else(|| anyhow!("no token in {paired}"))?.to_owned();
    let id = paired["device"]["id"].as_str().ok_or_else(|| anyhow!("no device in {paired}"))?.to_owned();
    ensure!(paired["device"]["kind"] == "kiosk" && paired["device"]["name"] == KIOSK_NAME, "paired {paired}");
    let departments = http("GET", &format!("{server}/api/v1/kiosk/matters"), &token, None)?;
    let matter = departments
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|d| d["matters"].as_array().cloned().unwrap_or_default())
        .find_map(|m| m["id"].as_str().map(str::to_owned))
        .ok_or_else(|| anyhow!("the kiosk is offered no matter: {departments}"))?;
    let issued = http(
        "POST",
        &format!("{server}/api/v1/kiosk/tickets"),
        &token,
        Some(&json!({ "matterId": matter })),
    )?;
    let number =
        issued["ticket"]["number"].as_str().ok_or_else(|| anyhow!("no ticket in {issued}"))?.to_owned();
    // The code was used up.
    let (status, again) =
        exchange("POST", &format!("{server}/api/v1/devices/pair"), "", Some(&json!({ "code": code })))?;
    ensure!(
        status == 400 && again["code"] == "pairing.code_invalid",
        "a second pairing answered {status}: {again}"
    );
    Ok((id, token, number))
}

async fn presence(h: &Harness, id: &str) -> Result<String> {
    let tag = h.find_visible(&format!("device-status-{id}")).await?;
    Ok(tag.attr("data-presence").await?.unwrap_or_default())
}

/// In 设备管理, adds a device of `kind` (`kiosk`, `caller`, `rating_pad`, `display`: the add
/// dialog's `device-add-kind-<kind>`) named `name`, and answers the 8-digit pairing code the
/// dialog then shows (the dialog is left open).
pub async fn add_device_for_code(h: &Harness, kind: &str, name: &str) -> Result<String> {
    h.click("nav-devices").await.context("going to 设备管理")?;
    h.find_visible("devices-table").await.context("the device list (the simulator's devices)")?;

    h.click("device-add").await?;
    h.find_visible("device-add-name").await.context("the add dialog to open")?;
    h.click(&format!("device-add-kind-{kind}")).await?;
    h.type_into_id("device-add-name", name).await?;
    h.click("device-add-dialog-submit").await?;

    let shown = h.find_visible("pairing-code").await.context("the pairing code dialog")?;
    let code = shown.attr("data-code").await?.unwrap_or_default();
    ensure!(code.len() == 8 && code.bytes().all(|b| b.is_ascii_digit()), "the code reads {code:?}");
    Ok(code)
}

pub async fn enrol_a_kiosk_and_revoke_it(h: &Harness) -> Result<()> {
    let server = wait_until_for(HALL_UP, "the app to log the central server's address", || async {
        h.server_url().ok_or_else(|| anyhow!("not logged yet"))
    })
    .await?;
    // The simulator's hall: its configuration (windows, matters) is on the server once its
    // devices are written down.
    wait_until_for(HALL_UP, "the simulator's devices", || async {
        let path = h.data_dir().join("server").join("simulator.json");
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let v: Value = serde_json::from_str(&text)?;
        ensure!(v.to_string().contains("\"kiosks\""), "no kiosks yet");
        Ok(())
    })
    .await?;

    let code = add_device_for_code(h, "kiosk", KIOSK_NAME).await?;
    let shown = h.find_visible("pairing-code").await?;
    let text: String = h.text(&shown).await?.chars().filter(|c| !c.is_whitespace()).collect();
    ensure!(text == code, "the dialog shows {text:?} for the code {code:?}");
    let left: u32 =
        h.find_visible("pairing-countdown").await?.attr("data-left").await?.unwrap_or_default().parse()?;
    ensure!((570..=600).contains(&left), "a fresh code has about ten minutes left, the dialog says {left} s");
    let countdown = h.text(&h.find_visible("pairing-countdown").await?).await?;
    ensure!(countdown.contains("后失效"), "the countdown reads {countdown:?}");
    h.wd()
        .find(thirtyfour::By::Css(r#"[data-testid="pairing-qr"] svg"#.to_owned()))
        .await
        .context("the QR code (an SVG) in the dialog")?;

    let dir = std::env::var_os("HALLKEEPER_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| hallkeeper_e2e::paths::artifacts_dir().join("screenshots"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    crate::screenshot(h, dir.join("devices-code-zh.png")).await?;

    let (id, token, number) = {
        let (server, code) = (server.clone(), code.clone());
        tokio::task::spawn_blocking(move || play_kiosk(&server, &code)).await??
    };
    eprintln!("kiosk {id} paired and took ticket {number}");

    h.click("pairing-close").await?;
    h.wait_gone("pairing-code").await.context("the code dialog to close")?;
    let name = h.text(&h.find_visible(&format!("device-name-{id}")).await?).await?;
    ensure!(name == KIOSK_NAME, "the new row is named {name:?}");
    wait_until("the kiosk to be listed 在线 once it called", || async {
        h.click("devices-reload").await?;
        let p = presence(h, &id).await?;
        ensure!(p == "online", "it is {p:?}");
        let label = h.text(&h.find_visible(&format!("device-status-{id}")).await?).await?;
        ensure!(label == "在线", "the tag reads {label:?}");
        Ok(())
    })
    .await?;
    crate::screenshot(h, dir.join("devices-zh.png")).await?;

    // Renamed in the page: the server answers the new name, and the list shows it.
    h.click(&format!("device-edit-{id}")).await?;
    h.type_into_id("device-edit-name", RENAMED).await?;
    h.click("device-edit-dialog-submit").await?;
    h.wait_gone("device-edit-name").await.context("the edit dialog to close")?;
    h.wait_text(&format!("device-name-{id}"), RENAMED).await.context("the new name in the list")?;

    // The page in English, for the docs.
    h.click("lang-switch").await?;
    h.wait_text(&format!("device-status-{id}"), "Online").await.context("the list in English")?;
    crate::screenshot(h, dir.join("devices-en.png")).await?;
    h.click("lang-switch").await?;
    h.wait_text(&format!("device-status-{id}"), "在线").await.context("back in Chinese")?;

    h.click(&format!("device-revoke-{id}")).await?;
    h.find_visible("confirm-ok").await.context("the revoke confirmation")?;
    h.click("confirm-ok").await?;
    wait_until("the row to say 已吊销", || async {
        let p = presence(h, &id).await?;
        ensure!(p == "revoked", "it is {p:?}");
        Ok(())
    })
    .await?;
    ensure!(h.find_all_visible(&format!("device-revoke-{id}")).await?.is_empty(), "no revoke button left");

    let (status, body) = {
        let url = format!("{server}/api/v1/kiosk/matters");
        tokio::task::spawn_blocking(move || exchange("GET", &url, &token, None)).await??
    };
    ensure!(status == 401 && body["code"] == "auth.token_invalid", "the revoked kiosk got {status}: {body}");
    crate::screenshot(h, h.artifacts().join("devices-revoked-zh.png")).await?;
    Ok(())
}
