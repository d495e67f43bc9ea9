//! What a person does and sees on the app's pages, in terms of the UI contract's test ids.

use anyhow::{anyhow, bail, ensure, Context, Result};
use serde_json::Value;
use std::time::Duration;

use hallkeeper_e2e::{wait_until, wait_until_for, Harness, WebElement};

/// A window as typed into the create dialog.
#[derive(Debug, Clone, Copy)]
pub struct NewWindow<'a> {
    pub number: &'a str,
    pub name: &'a str,
    pub zone: &'a str,
    /// "general" | "dedicated" | "priority"
    pub kind: &'a str,
}

pub const A01: NewWindow<'static> =
    NewWindow { number: "A01", name: "综合受理", zone: "一楼A区", kind: "general" };
pub const B02: NewWindow<'static> =
    NewWindow { number: "B02", name: "不动产登记", zone: "二楼", kind: "dedicated" };
pub const C03: NewWindow<'static> =
    NewWindow { number: "C03", name: "社保医保", zone: "一楼B区", kind: "priority" };

/// One row of the window list as a person sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// `data-number`
    pub number: String,
    /// `data-state`
    pub state: String,
    /// text of `window-number`, `window-name`, `window-zone`, `window-kind`
    pub number_text: String,
    pub name: String,
    pub zone: String,
    pub kind: String,
    /// which of `window-state-open|paused|closed` has `aria-pressed="true"`
    pub pressed: Vec<String>,
}

/// Goes to the windows page through the side navigation.
pub async fn open_windows(h: &Harness) -> Result<()> {
    h.click("nav-windows").await.context("going to the windows page")?;
    wait_until("the windows page (window-list or windows-empty)", || async {
        for id in ["window-list", "windows-empty"] {
            if !h.find_all_visible(id).await?.is_empty() {
                return Ok(());
            }
        }
        bail!("neither window-list nor windows-empty is displayed")
    })
    .await
}

/// The displayed rows, in DOM order.
pub async fn row_elements(h: &Harness) -> Result<Vec<WebElement>> {
    h.find_all_visible("window-row").await
}

/// The `data-number`s of the displayed rows, in DOM order.
pub async fn numbers(h: &Harness) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for r in row_elements(h).await? {
        out.push(r.attr("data-number").await?.unwrap_or_default());
    }
    Ok(out)
}

/// Waits until the list shows exactly these numbers in this order.
pub async fn wait_numbers(h: &Harness, expected: &[&str]) -> Result<()> {
    wait_until(&format!("the window list to be {expected:?}"), || async {
        let seen = numbers(h).await?;
        if seen == expected {
            Ok(())
        } else {
            Err(anyhow!("{seen:?}"))
        }
    })
    .await
}

/// The displayed row whose `data-number` is `number` (waits for it).
pub async fn row(h: &Harness, number: &str) -> Result<WebElement> {
    wait_until(&format!("a row with data-number={number:?}"), || async {
        for r in row_elements(h).await? {
            if r.attr("data-number").await?.as_deref() == Some(number) {
                return Ok(r);
            }
        }
        Err(anyhow!("rows are {:?}", numbers(h).await.unwrap_or_default()))
    })
    .await
}

async fn text_in(h: &Harness, parent: &WebElement, id: &str) -> Result<String> {
    h.text(&h.find_in(parent, id).await?).await
}

/// Reads every displayed row.
pub async fn rows(h: &Harness) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    for r in row_elements(h).await? {
        let mut pressed = Vec::new();
        for s in ["open", "paused", "closed"] {
            let b = h.find_in(&r, &format!("window-state-{s}")).await?;
            if b.attr("aria-pressed").await?.as_deref() == Some("true") {
                pressed.push(s.to_string());
            }
        }
        out.push(Row {
            number: r.attr("data-number").await?.unwrap_or_default(),
            state: r.attr("data-state").await?.unwrap_or_default(),
            number_text: text_in(h, &r, "window-number").await?,
            name: text_in(h, &r, "window-name").await?,
            zone: text_in(h, &r, "window-zone").await?,
            kind: text_in(h, &r, "window-kind").await?,
            pressed,
        });
    }
    Ok(out)
}

/// Opens the create dialog and waits until it has finished opening: its animation is over and
/// it has put the focus into its first field (if it does; typing before that would race it).
pub async fn open_dialog(h: &Harness) -> Result<()> {
    h.click("window-add").await?;
    h.find_visible("window-form").await?;
    h.wait_settled().await?;
    let _ = wait_until_for(Duration::from_secs(2), "the focus to move into the dialog", || async {
        if h.focus_is_in("window-form").await? {
            Ok(())
        } else {
            bail!("the focus is outside the dialog")
        }
    })
    .await;
    Ok(())
}

/// Opens the create dialog and fills it in (does not submit).
pub async fn open_and_fill(h: &Harness, w: NewWindow<'_>) -> Result<()> {
    open_dialog(h).await?;
    h.type_into_id("window-form-number", w.number).await?;
    h.type_into_id("window-form-name", w.name).await?;
    h.type_into_id("window-form-zone", w.zone).await?;
    h.click(&format!("window-form-kind-{}", w.kind)).await?;
    Ok(())
}

/// Waits until `window-form-error` is displayed with some text, and returns the text.
pub async fn form_error(h: &Harness) -> Result<String> {
    wait_until("window-form-error to show a message", || async {
        for e in h.find_all_visible("window-form-error").await? {
            let t = h.text(&e).await?;
            if !t.is_empty() {
                return Ok(t);
            }
        }
        bail!("no displayed window-form-error with text")
    })
    .await
}

/// Creates a window through the dialog and waits until the dialog has closed and its row is
/// listed. If the dialog shows an error instead, fails with that error.
pub async fn create_window(h: &Harness, w: NewWindow<'_>) -> Result<()> {
    open_and_fill(h, w).await.with_context(|| format!("filling in the create dialog for {}", w.number))?;
    h.click("window-form-submit").await?;
    wait_until(&format!("the dialog to close after creating {}", w.number), || async {
        if let Some(e) = h.find_all_visible("window-form-error").await?.first() {
            let t = h.text(e).await?;
            if !t.is_empty() {
                // Not "not yet": the app refused. Report it as what was seen.
                return Ok(Err(anyhow!("the dialog shows an error: {t:?}")));
            }
        }
        if h.find_all_visible("window-form").await?.is_empty() {
            Ok(Ok(()))
        } else {
            bail!("the dialog is still open")
        }
    })
    .await??;
    row(h, w.number).await?;
    Ok(())
}

/// Checks that a row shows what was typed for `w` (kind as its label in Chinese).
pub fn check_row_shows(row: &Row, w: NewWindow<'_>) -> Result<()> {
    let kind_label = match w.kind {
        "general" => "综合",
        "dedicated" => "专窗",
        "priority" => "绿色通道",
        other => bail!("unknown kind {other}"),
    };
    ensure!(row.number == w.number, "row data-number: expected {:?}, saw {:?}", w.number, row.number);
    ensure!(
        row.number_text.contains(w.number),
        "window-number of {}: expected {:?}, saw {:?}",
        w.number,
        w.number,
        row.number_text
    );
    ensure!(row.name == w.name, "window-name of {}: expected {:?}, saw {:?}", w.number, w.name, row.name);
    ensure!(row.zone == w.zone, "window-zone of {}: expected {:?}, saw {:?}", w.number, w.zone, row.zone);
    ensure!(
        row.kind.contains(kind_label),
        "window-kind of {}: expected a label containing {kind_label:?} ({}), saw {:?}",
        w.number,
        w.kind,
        row.kind
    );
    Ok(())
}

/// Clicks the one-click state switch `window-state-<state>` of a row and waits until the row's
/// `data-state` and the switch's `aria-pressed` follow.
pub async fn set_state(h: &Harness, number: &str, state: &str) -> Result<()> {
    let r = row(h, number).await?;
    h.click_element(&h.find_in(&r, &format!("window-state-{state}")).await?).await?;
    wait_until(&format!("row {number} to be {state} (data-state and aria-pressed)"), || async {
        let r = row(h, number).await?;
        let ds = r.attr("data-state").await?.unwrap_or_default();
        let pressed = h.find_in(&r, &format!("window-state-{state}")).await?.attr("aria-pressed").await?;
        if ds == state && pressed.as_deref() == Some("true") {
            Ok(())
        } else {
            Err(anyhow!("data-state={ds:?}, window-state-{state} aria-pressed={pressed:?}"))
        }
    })
    .await
}

/// Whether a text has any CJK ideograph.
pub fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
            || ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
    })
}

/// Goes to the audit page and returns (data-action, text) of each displayed row, in DOM order.
pub async fn audit_rows(h: &Harness) -> Result<Vec<(String, String)>> {
    h.click("nav-audit").await.context("going to the audit page")?;
    let rows = wait_until("audit rows (audit-row) to be listed", || async {
        let rows = h.find_all_visible("audit-row").await?;
        if rows.is_empty() {
            bail!(
                "no audit-row displayed (audit-empty displayed: {})",
                !h.find_all_visible("audit-empty").await?.is_empty()
            )
        }
        Ok(rows)
    })
    .await?;
    let mut out = Vec::new();
    for r in rows {
        out.push((r.attr("data-action").await?.unwrap_or_default(), h.text(&r).await?));
    }
    Ok(out)
}

/// What `window.__TAURI_INTERNALS__.invoke(command, args)` answers in the app's webview: the
/// value, or the refusal `{code, message, field}` as `Err`.
pub async fn invoke(h: &Harness, command: &str, args: Value) -> Result<std::result::Result<Value, Value>> {
    let script = format!(
        "return window.__TAURI_INTERNALS__.invoke({command:?}, {args}).then(v => ({{ ok: v }}), e => ({{ err: e }}));"
    );
    let out = h.wd().execute(&script, Vec::new()).await?.json().clone();
    Ok(match out.get("ok") {
        Some(v) => Ok(v.clone()),
        None => Err(out.get("err").cloned().unwrap_or(Value::Null)),
    })
}
