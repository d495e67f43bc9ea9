//! Sync with the central server, as the supervisor sees it: the header's indicator reaches
//! 已同步 with the embedded server, follows an edit back to 已同步 with nothing pending, and the
//! sync drawer's 立即同步 succeeds with no rejected changes. Screenshots of the drawer in both
//! languages go to `$HALLKEEPER_SCREENSHOTS` (scripts/screenshot.sh), else to the artifacts.

use std::time::Duration;

use anyhow::{anyhow, ensure, Context, Result};
use hallkeeper_e2e::{wait_until, wait_until_for, By, Harness, Key};

use crate::pages::*;

/// The embedded server starts in the background after the window: give it longer than a click.
const FIRST_SYNC: Duration = Duration::from_secs(30);

/// What the indicator says now: (data-state, data-pending, label text).
async fn indicator(h: &Harness) -> Result<(String, String, String)> {
    let e = h.find_visible("sync-indicator").await?;
    let state = e.attr("data-state").await?.unwrap_or_default();
    let pending = e.attr("data-pending").await?.unwrap_or_default();
    let label = h.text(&h.find_in(&e, "sync-indicator-label").await?).await?;
    Ok((state, pending, label))
}

/// Waits until the indicator is `synced` with 0 pending and reads `label`.
async fn wait_synced(h: &Harness, timeout: Duration, label: &str) -> Result<()> {
    wait_until_for(timeout, &format!("the sync indicator to read {label:?} with 0 pending"), || async {
        let (state, pending, text) = indicator(h).await?;
        if state == "synced" && pending == "0" && text == label {
            Ok(())
        } else {
            Err(anyhow!("data-state={state:?} data-pending={pending:?} label={text:?}"))
        }
    })
    .await
}

/// Opens the drawer from the keyboard (focus the indicator, Enter) and waits until it is open.
async fn open_drawer_by_keyboard(h: &Harness) -> Result<()> {
    let ind = h.find_visible("sync-indicator").await?;
    ind.focus().await.context("focusing the sync indicator")?;
    ensure!(h.focus_is_in("sync-indicator").await?, "the sync indicator cannot take the keyboard focus");
    h.wd().action_chain().send_keys(Key::Enter).perform().await.context("pressing Enter on the indicator")?;
    h.find_visible("sync-panel").await.context("the sync drawer opening on Enter")?;
    h.wait_settled().await
}

/// Rests the pointer on an empty part of the drawer and takes the focus off the button just
/// pressed, so no button is photographed hovered or focused.
async fn rest_pointer(h: &Harness) -> Result<()> {
    // Two points: a move to where the pointer already was (as far as WebDriver knows: element
    // clicks do not tell it) sends no mouse event, and the button would stay hovered.
    h.wd()
        .action_chain()
        .move_to(990, 690)
        .move_to(1000, 700)
        .perform()
        .await
        .context("moving the pointer aside")?;
    h.wd().execute("document.activeElement?.blur(); return null;", Vec::new()).await?;
    Ok(())
}

async fn close_drawer(h: &Harness) -> Result<()> {
    h.wd().action_chain().send_keys(Key::Escape).perform().await?;
    h.wait_gone("sync-panel").await.context("the sync drawer closing on Escape")?;
    h.wait_settled().await
}

/// In the open drawer: presses 立即同步 and waits for a success message that says `done` (earlier
/// toasts, e.g. "已新增窗口 …", may still be fading); fails with the drawer's error if it shows one.
async fn sync_now(h: &Harness, done: &str) -> Result<()> {
    h.click("sync-now").await.context("pressing 立即同步")?;
    wait_until(&format!("a success message {done:?} after 立即同步"), || async {
        if let Some(e) = h.find_all_visible("sync-now-error").await?.first() {
            let t = h.text(e).await?;
            return Ok(Err(anyhow!("the drawer shows an error: {t:?}")));
        }
        let mut seen = Vec::new();
        for m in h.wd().find_all(By::Css(".el-message--success")).await? {
            if m.is_displayed().await.unwrap_or(false) {
                let t = h.text(&m).await?;
                if t.contains(done) {
                    return Ok(Ok(()));
                }
                seen.push(t);
            }
        }
        Err(anyhow!("success messages displayed: {seen:?}"))
    })
    .await?
}

/// The drawer's facts after a successful sync: online, the embedded server, nothing pending,
/// a last sync time, no rejected change (the empty state says so in `empty_text`).
async fn check_drawer_clean(h: &Harness, empty_text: &str) -> Result<()> {
    wait_until("the drawer to show online, 0 pending and no rejected change", || async {
        let conn =
            h.find_visible("sync-connection").await?.attr("data-connection").await?.unwrap_or_default();
        ensure!(conn == "online", "sync-connection data-connection={conn:?}");
        let pending = h.find_visible("sync-pending").await?.attr("data-pending").await?.unwrap_or_default();
        ensure!(pending == "0", "sync-pending data-pending={pending:?}");
        let count = h.text(&h.find_visible("sync-rejected-count").await?).await?;
        ensure!(count == "0", "sync-rejected-count reads {count:?}");
        ensure!(h.find_all_visible("sync-rejected").await?.is_empty(), "rejected changes are listed");
        let empty = h.text(&h.find_visible("sync-rejected-empty").await?).await?;
        ensure!(empty.contains(empty_text), "sync-rejected-empty reads {empty:?}, expected {empty_text:?}");
        Ok(())
    })
    .await?;
    let url = h.text(&h.find_visible("sync-server-url").await?).await?;
    ensure!(url.starts_with("http://127.0.0.1:"), "the embedded server's address reads {url:?}");
    h.find_visible("sync-embedded").await.context("the embedded server is named as such")?;
    let last = h.text(&h.find_visible("sync-last-sync").await?).await?;
    ensure!(last.chars().any(|c| c.is_ascii_digit()), "the last sync time reads {last:?}");
    ensure!(
        h.find_all_visible("sync-last-error").await?.is_empty(),
        "a last error is shown after a good sync"
    );
    Ok(())
}

/// The indicator reaches 已同步 with the embedded server; an edit goes up and it is back at
/// 已同步 with 0 pending; in the drawer (opened from the keyboard) 立即同步 succeeds and no
/// change is rejected. Then the drawer is photographed in Chinese and English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_indicator_and_sync_now() {
    let h = Harness::start("sync_indicator_and_sync_now").await;
    let outcome = async {
        wait_synced(&h, FIRST_SYNC, "已同步").await.context("with the embedded server")?;
        let ind = h.find_visible("sync-indicator").await?;
        let title = ind.attr("title").await?.unwrap_or_default();
        ensure!(
            title.starts_with("上次同步 ") && title.contains(':'),
            "the indicator's tooltip should give the last sync time; it reads {title:?}"
        );
        let aria = ind.attr("aria-label").await?.unwrap_or_default();
        ensure!(aria.contains("已同步"), "the indicator's aria-label reads {aria:?}");

        // An edit made through the UI goes up: the indicator comes back to 已同步, 0 pending.
        open_windows(&h).await?;
        create_window(&h, A01).await?;
        create_window(&h, B02).await?;
        set_state(&h, "B02", "paused").await?;
        wait_synced(&h, FIRST_SYNC, "已同步").await.context("after creating A01 and B02 and pausing B02")?;

        open_drawer_by_keyboard(&h).await?;
        sync_now(&h, "同步完成").await?;
        check_drawer_clean(&h, "没有被拒绝的修改").await?;
        let label = h.text(&h.find_visible("sync-state-label").await?).await?;
        ensure!(label == "已同步", "the drawer's state reads {label:?}");
        let explain = h.text(&h.find_visible("sync-explain").await?).await?;
        ensure!(has_cjk(&explain) && !explain.is_empty(), "the drawer's explanation reads {explain:?}");

        let dir = std::env::var_os("HALLKEEPER_SCREENSHOTS")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| hallkeeper_e2e::paths::artifacts_dir().join("screenshots"));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        rest_pointer(&h).await?;
        crate::screenshot(&h, dir.join("sync-zh.png")).await?;

        // English: the same drawer, every word translated.
        close_drawer(&h).await?;
        h.click("lang-switch").await?;
        h.wait_text("nav-windows", "Windows").await?;
        wait_synced(&h, Duration::from_secs(10), "Synced").await.context("in English")?;
        open_drawer_by_keyboard(&h).await?;
        sync_now(&h, "Sync complete").await?;
        check_drawer_clean(&h, "No rejected changes").await?;
        let panel_text = h.text(&h.find_visible("sync-panel").await?).await?;
        ensure!(!has_cjk(&panel_text), "the English drawer still has Chinese text: {panel_text:?}");
        rest_pointer(&h).await?;
        crate::screenshot(&h, dir.join("sync-en.png")).await?;
        Ok::<(), anyhow::Error>(())
    }
    .await;
    h.finish(outcome).await;
}
