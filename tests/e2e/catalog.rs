//! The catalog, bindings and coverage audit in the real app: import the sample catalog through
//! the dialog (path, mapping, preview diff, confirm), drag three matters onto a window, watch the
//! audit's red count drop, close the window and see those matters turn amber.

use anyhow::{anyhow, bail, ensure, Context, Result};
use std::time::Duration;

use hallkeeper_e2e::{wait_until, wait_until_for, Harness, Key, WebElement};

use crate::pages::*;

pub fn sample_catalog() -> String {
    let p =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample-catalog/sample-catalog.csv");
    p.canonicalize().expect("the sample catalog exists").to_string_lossy().into_owned()
}

pub async fn open_catalog(h: &Harness) -> Result<()> {
    h.click("nav-catalog").await.context("going to the catalog page")?;
    wait_until("the catalog page (catalog-list or catalog-empty)", || async {
        for id in ["catalog-list", "catalog-empty"] {
            if !h.find_all_visible(id).await?.is_empty() {
                return Ok(());
            }
        }
        bail!("neither catalog-list nor catalog-empty is displayed")
    })
    .await
}

/// The number in an element's text (e.g. a summary count).
pub async fn number_in(h: &Harness, test_id: &str) -> Result<u64> {
    let e = h.find_visible(test_id).await?;
    let text = h.text(&e).await?;
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits.parse().map_err(|_| anyhow!("{test_id} shows no number: {text:?}"))
}

/// The coverage badge's red and amber counts (its data attributes).
pub async fn badge(h: &Harness) -> Result<(u64, u64)> {
    let b = h.find_visible("coverage-badge").await?;
    let get = |name: &'static str| {
        let b = b.clone();
        async move {
            let v = b.attr(name).await?.ok_or_else(|| anyhow!("coverage-badge has no {name}"))?;
            v.parse::<u64>().map_err(|_| anyhow!("coverage-badge {name}={v:?}"))
        }
    };
    Ok((get("data-red").await?, get("data-amber").await?))
}

/// Imports a file through the dialog; returns the preview's (added, changed, retired) counts.
pub async fn import_through_dialog(h: &Harness, path: &str) -> Result<(u64, u64, u64)> {
    let opener = if h.find_all_visible("catalog-empty-import").await?.is_empty() {
        "catalog-import"
    } else {
        "catalog-empty-import"
    };
    h.click(opener).await?;
    h.find_visible("import-dialog").await?;
    h.wait_settled().await?;
    let input = h.find_visible("import-path").await?;
    let input = input_of(h, &input).await?;
    h.type_into(&input, path).await?;
    h.click("import-inspect").await.context("inspecting the file")?;
    // Step 2: the proposed mapping has the three required fields.
    h.find_visible("import-mapping-catalogCode").await.context("the mapping step")?;
    h.find_visible("import-sample").await?;
    h.wait_settled().await?;
    h.click("import-preview").await.context("asking for the preview")?;
    h.find_visible("import-summary-added").await.context("the preview step")?;
    let added = number_in(h, "import-summary-added").await?;
    let changed = number_in(h, "import-summary-changed").await?;
    let retired = number_in(h, "import-summary-retired").await?;
    Ok((added, changed, retired))
}

/// An Element Plus input's `<input>`: the element itself if it is one, else the one inside.
async fn input_of(h: &Harness, e: &WebElement) -> Result<WebElement> {
    let _ = h;
    if e.tag_name().await?.eq_ignore_ascii_case("input") {
        return Ok(e.clone());
    }
    Ok(e.find(thirtyfour::By::Css("input")).await?)
}

pub async fn catalog_rows(h: &Harness) -> Result<Vec<WebElement>> {
    h.find_all_visible("catalog-matter").await
}

pub async fn window_card(h: &Harness, number: &str) -> Result<WebElement> {
    for card in h.find_all_visible("window-card").await? {
        if card.attr("data-number").await?.as_deref() == Some(number) {
            return Ok(card);
        }
    }
    bail!("no window card for {number}")
}

pub async fn card_count(h: &Harness, number: &str) -> Result<u64> {
    let card = window_card(h, number).await?;
    Ok(card.find_all(hallkeeper_e2e::tid("binding-chip")).await?.len() as u64)
}

/// Clicks an element with Ctrl held (adds it to the selection).
pub async fn ctrl_click(h: &Harness, e: &WebElement) -> Result<()> {
    h.wd()
        .action_chain()
        .key_down(Key::Control)
        .click_element(e)
        .key_up(Key::Control)
        .perform()
        .await
        .context("Ctrl+click")
}

pub async fn coverage_of(e: &WebElement) -> Result<String> {
    Ok(e.attr("data-coverage").await?.unwrap_or_default())
}

/// The catalog rows with these codes, as currently displayed (searching for each).
pub async fn row_by_code(h: &Harness, code: &str) -> Result<WebElement> {
    let search = h.find_visible("catalog-search").await?;
    let search = input_of(h, &search).await?;
    h.type_into(&search, code).await?;
    wait_until_for(Duration::from_secs(10), &format!("the catalog row {code}"), || async {
        for r in catalog_rows(h).await? {
            if r.attr("data-code").await?.as_deref() == Some(code) {
                return Ok(r);
            }
        }
        bail!("not displayed")
    })
    .await
}

/// The must-show path of issue 3, end to end.
pub async fn import_bind_close(h: &Harness) -> Result<()> {
    open_windows(h).await?;
    create_window(h, A01).await?;
    open_catalog(h).await?;

    let (added, changed, retired) = import_through_dialog(h, &sample_catalog()).await?;
    ensure!(
        (added, changed, retired) == (347, 0, 0),
        "the preview of a first import: {added}/{changed}/{retired}"
    );
    let rows = h.find_all_visible("import-row").await?;
    ensure!(!rows.is_empty(), "the preview's added tab lists matters");
    h.click("import-confirm").await.context("confirming the import")?;
    h.wait_gone("import-dialog").await.context("the dialog closing after the import")?;
    h.find_visible_css(".el-message--success").await.context("the success message")?;

    let rows = wait_until("the imported matters in the catalog list", || async {
        let rows = catalog_rows(h).await?;
        ensure!(rows.len() >= 3, "{} rows displayed", rows.len());
        Ok(rows)
    })
    .await?;
    let (red_before, _) = badge(h).await?;
    ensure!(red_before > 0, "with no bindings the audit has red findings");

    // Select the first three displayed matters (click, Ctrl+click, Ctrl+click) and drag them
    // onto A01's card.
    let mut codes = Vec::new();
    for r in rows.iter().take(3) {
        codes.push(r.attr("data-code").await?.unwrap_or_default());
    }
    h.click_element(&rows[0]).await?;
    ctrl_click(h, &rows[1]).await?;
    ctrl_click(h, &rows[2]).await?;
    wait_until("three selected matters", || async {
        let mut n = 0;
        for r in catalog_rows(h).await? {
            if r.attr("data-selected").await?.as_deref() == Some("true") {
                n += 1;
            }
        }
        ensure!(n == 3, "{n} selected");
        Ok(())
    })
    .await?;
    let card = window_card(h, "A01").await?;
    let drop = h.find_in(&card, "window-card-drop").await?;
    let dr = drop.rect().await?;
    h.drag_to(
        &rows[1],
        (dr.x + dr.width / 2.0) as i64,
        (dr.y + dr.height / 2.0) as i64,
        14,
        Duration::from_millis(40),
    )
    .await?;
    wait_until("A01's card to show the three matters", || async {
        let n = card_count(h, "A01").await?;
        ensure!(n == 3, "A01 shows {n} matters");
        Ok(())
    })
    .await?;
    let (red_after, _) = wait_until("the red count to drop", || async {
        let (red, amber) = badge(h).await?;
        ensure!(red < red_before, "red is still {red} (was {red_before})");
        Ok((red, amber))
    })
    .await?;
    ensure!(red_before - red_after >= 3, "three required matters covered: red {red_before} → {red_after}");

    // Close A01: its three matters turn amber (bound only to a closed window).
    open_windows(h).await?;
    set_state(h, "A01", "closed").await?;
    open_catalog(h).await?;
    for code in &codes {
        let row = row_by_code(h, code).await?;
        let c = coverage_of(&row).await?;
        ensure!(c == "amber", "{code} should be amber after closing A01, is {c:?}");
    }
    let (_, amber) = badge(h).await?;
    ensure!(amber >= 3, "the badge counts the amber findings: {amber}");
    h.click("coverage-badge").await?;
    h.find_visible("coverage-panel").await?;
    let mut amber_subjects = Vec::new();
    for f in h.find_all_visible("coverage-finding").await? {
        if f.attr("data-kind").await?.as_deref() == Some("only_inactive_windows") {
            amber_subjects.push(f.attr("data-subject-id").await?.unwrap_or_default());
        }
    }
    ensure!(
        amber_subjects.len() == 3,
        "the coverage panel lists 3 matters with only inactive windows: {amber_subjects:?}"
    );
    Ok(())
}

/// The keyboard alternative to the drags, and what the pages look like in both languages.
/// Screenshots go to `$HALLKEEPER_SCREENSHOTS` when set (scripts/screenshot.sh), else to the
/// artifacts.
pub async fn keyboard_and_screenshots(h: &Harness) -> Result<()> {
    let dir = std::env::var_os("HALLKEEPER_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| hallkeeper_e2e::paths::artifacts_dir().join("screenshots"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let shot = |name: &'static str| crate::screenshot(h, dir.join(name));

    open_windows(h).await?;
    for w in [A01, B02, C03] {
        create_window(h, w).await?;
    }
    open_catalog(h).await?;
    import_through_dialog(h, &sample_catalog()).await?;
    shot("import-preview-zh.png").await?;
    h.click("import-confirm").await?;
    h.wait_gone("import-dialog").await?;

    // Keyboard: search, ↓ into the list, Space selects, ↓ Space selects the next, Enter opens
    // the bind dialog; choose B02 with the keyboard and confirm.
    let search = h.find_visible("catalog-search").await?;
    let search = input_of(h, &search).await?;
    h.type_into(&search, "不动产").await?;
    wait_until("the search to narrow the list", || async {
        let n = number_in(h, "catalog-count").await?;
        ensure!(n > 2 && n < 100, "catalog-count {n}");
        Ok(())
    })
    .await?;
    search.send_keys(Key::Down).await?;
    for keys in [" ", "\u{E015}", " "] {
        // U+E015 is WebDriver's ArrowDown.
        h.wd().action_chain().send_keys(keys).perform().await?;
    }
    wait_until("two matters selected with the keyboard", || async {
        let n = number_in(h, "catalog-selection-count").await?;
        ensure!(n == 2, "{n} selected");
        Ok(())
    })
    .await?;
    h.wd().action_chain().send_keys(Key::Enter).perform().await?;
    choose_window_and_bind(h, "B02").await?;
    wait_until("B02's card to show the two matters", || async {
        let n = card_count(h, "B02").await?;
        ensure!(n == 2, "B02 shows {n}");
        Ok(())
    })
    .await?;

    // A focused chip is removed with Delete.
    let card = window_card(h, "B02").await?;
    let chip = h.find_in(&card, "binding-chip").await?;
    let code = chip.attr("data-code").await?.unwrap_or_default();
    chip.focus().await?;
    h.wd().action_chain().send_keys(Key::Delete).perform().await?;
    wait_until("the chip removed with the Delete key", || async {
        let n = card_count(h, "B02").await?;
        ensure!(n == 1, "B02 shows {n}");
        Ok(())
    })
    .await
    .with_context(|| format!("after Delete on the chip {code}"))?;

    // A bulk bind: every matter matching 登记 to A01 (select all of the filtered list, Enter).
    h.type_into(&search, "登记").await?;
    wait_until("the search for 登记", || async {
        let n = number_in(h, "catalog-count").await?;
        ensure!(n > 20 && n < 347, "catalog-count {n}");
        Ok(())
    })
    .await?;
    h.click("catalog-select-all").await?;
    h.click("catalog-bind").await?;
    choose_window_and_bind(h, "A01").await?;
    wait_until("A01's card to fill", || async {
        let n = number_in(h, "window-card-count").await?;
        ensure!(n > 20, "A01 shows {n}");
        Ok(())
    })
    .await?;
    h.type_into(&search, "").await?;
    wait_until("the whole catalog listed again", || async {
        let n = number_in(h, "catalog-count").await?;
        ensure!(n == 347, "catalog-count {n}");
        Ok(())
    })
    .await?;
    shot("catalog-zh.png").await?;
    h.click("coverage-badge").await?;
    h.find_visible("coverage-panel").await?;
    shot("coverage-zh.png").await?;
    h.wd().action_chain().send_keys(Key::Escape).perform().await?;
    h.wait_gone("coverage-panel").await.ok();
    h.click("lang-switch").await?;
    h.wait_text("nav-catalog", "Matters & bindings").await.ok();
    shot("catalog-en.png").await?;
    h.click("lang-switch").await?;

    // Staff: two people through the form (a repeated 工号 is refused at its field), one seated.
    h.click("nav-staff").await?;
    for (no, name) in [("zw-001", "张晓燕"), ("ZW-002", "李娜"), ("ZW-001", "王强")] {
        h.click("staff-add").await?;
        h.find_visible("staff-form").await?;
        h.wait_settled().await?;
        let no_input = input_of(h, &h.find_visible("staff-form-employee-no").await?).await?;
        h.type_into(&no_input, no).await?;
        let name_input = input_of(h, &h.find_visible("staff-form-name").await?).await?;
        h.type_into(&name_input, name).await?;
        h.click("staff-form-submit").await?;
        if name == "王强" {
            let err = h.find_visible("staff-form-error").await?;
            let msg = h.text(&err).await?;
            ensure!(
                msg.contains("ZW-001") && msg.contains("张晓燕"),
                "the duplicate 工号 error reads {msg:?}"
            );
            h.click("staff-form-cancel").await?;
        }
        h.wait_gone("staff-form").await?;
    }
    wait_until("two staff rows", || async {
        let n = h.find_all_visible("staff-row").await?.len();
        ensure!(n == 2, "{n} rows");
        Ok(())
    })
    .await?;
    let seat = wait_until("A01's seat", || async {
        for r in h.find_all_visible("roster-seat").await? {
            if r.attr("data-window-number").await?.as_deref() == Some("A01") {
                return Ok(r);
            }
        }
        bail!("no roster-seat for A01")
    })
    .await?;
    h.click_element(&h.find_in(&seat, "roster-seat-staff").await?).await?;
    let option = wait_until("张晓燕 in the seat list", || async {
        for o in h.find_all_visible("roster-seat-option").await? {
            if o.attr("data-employee-no").await?.as_deref() == Some("ZW-001") {
                return Ok(o);
            }
        }
        bail!("not displayed")
    })
    .await?;
    h.click_element(&option).await?;
    wait_until("A01 seated", || async {
        let text = h.text(&seat).await?;
        ensure!(text.contains("张晓燕"), "A01's seat reads {text:?}");
        Ok(())
    })
    .await?;
    shot("staff-zh.png").await?;
    Ok(())
}

/// In the open bind dialog: choose the window, keep "primary", confirm.
async fn choose_window_and_bind(h: &Harness, number: &str) -> Result<()> {
    h.find_visible("bind-dialog").await?;
    h.wait_settled().await?;
    h.click("bind-dialog-window").await?;
    let option = wait_until(&format!("the {number} option"), || async {
        for o in h.find_all_visible("bind-dialog-window-option").await? {
            if o.attr("data-number").await?.as_deref() == Some(number) {
                return Ok(o);
            }
        }
        bail!("not displayed")
    })
    .await?;
    h.click_element(&option).await?;
    h.click("bind-dialog-ok").await?;
    h.wait_gone("bind-dialog").await
}
