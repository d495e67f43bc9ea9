//! 人员与权限 end to end (issue 17): the first administrator opens the page, creates a 值班长
//! with a first password — a too short one is refused at its field first, the policy shown — and
//! the row says 值班长 and 待改密码. Signed out, the 值班长 signs in with that password, is made
//! to choose their own, and then sees the windows page with its edit actions (a 值班长 may edit
//! windows) but no 人员与权限 or 设备管理 in the navigation; core refuses `list_accounts`
//! invoked from the webview. Screenshots (zh): accounts-zh.png, accounts-create-zh.png and
//! accounts-shift-lead-windows-zh.png in `$HALLKEEPER_SCREENSHOTS` (else the artifacts).

use std::path::PathBuf;

use anyhow::{anyhow, ensure, Context, Result};
use hallkeeper_e2e::{tid, Harness};
use serde_json::json;

use crate::pages::*;

const LOGIN: &str = "zhiban.chen";
const NAME: &str = "陈值班";
const FIRST: &str = "值班长初始口令-2026";
const OWN: &str = "值班长自己的口令-2026";

fn screenshots() -> Result<PathBuf> {
    let dir = std::env::var_os("HALLKEEPER_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| hallkeeper_e2e::paths::artifacts_dir().join("screenshots"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

pub async fn an_administrator_creates_a_shift_lead_who_signs_in(h: &Harness) -> Result<()> {
    let dir = screenshots()?;
    // A window to find on the windows page later.
    open_windows(h).await?;
    create_window(h, A01).await?;

    h.click("nav-accounts").await.context("going to 人员与权限")?;
    // The hall's accounts: the first 系统管理员 is server-wide and holds no role in the hall.
    h.find_visible("accounts-empty").await.context("the empty list, with what to do first")?;

    h.click("accounts-empty-add").await?;
    h.find_visible("account-add-login").await.context("the create dialog to open")?;
    let policy = h.text(&h.find_visible("account-password-policy").await?).await?;
    ensure!(policy.contains("10") && policy.contains("常见"), "the policy reads {policy:?}");
    // Only the hall's roles are offered to grant: no 系统管理员 from a hall's page.
    ensure!(h.find_all_visible("account-add-role-system_admin").await?.is_empty(), "系统管理员 offered");
    h.type_into_id("account-add-login", LOGIN).await?;
    h.type_into_id("account-add-name", NAME).await?;
    h.click("account-add-role-shift_lead").await?;
    h.type_into_id("account-add-password", "短口令").await?;
    h.click("account-add-submit").await?;
    let e = h
        .find_visible_css(r#"[data-testid="account-add-dialog"] .el-form-item__error"#)
        .await
        .context("the server's password refusal at its field")?;
    let said = h.text(&e).await?;
    ensure!(said.contains("10"), "the password field says {said:?}");
    ensure!(h.find_all_visible("account-add-dialog-error").await?.is_empty(), "said at the field, not above");
    crate::screenshot(h, dir.join("accounts-create-zh.png")).await?;

    h.type_into_id("account-add-password", FIRST).await?;
    h.click("account-add-submit").await?;
    h.wait_gone("account-add-login").await.context("the create dialog to close")?;
    let role = h.find_visible(&format!("account-role-{LOGIN}")).await.context("the new row")?;
    ensure!(role.attr("data-role").await?.as_deref() == Some("shift_lead"), "the new row's role");
    ensure!(h.text(&role).await? == "值班长", "the role reads {:?}", h.text(&role).await?);
    h.find_visible(&format!("account-must-change-{LOGIN}")).await.context("待改密码 on the new row")?;
    crate::screenshot(h, dir.join("accounts-zh.png")).await?;

    h.sign_out().await?;
    h.sign_in(LOGIN, FIRST).await?;
    h.find_visible("session-change-password").await.context("the forced password change")?;
    h.type_into_id("session-current", FIRST).await?;
    h.type_into_id("session-password", OWN).await?;
    h.type_into_id("session-confirm", OWN).await?;
    h.click("session-submit").await?;
    h.wait_ready().await?;
    let text = h.text(&h.find_visible("header-person").await?).await?;
    ensure!(text.contains(NAME) && text.contains("值班长"), "header: {text:?}");

    for id in ["nav-accounts", "nav-devices"] {
        ensure!(h.find_all_visible(id).await?.is_empty(), "{id} offered to a 值班长");
    }
    h.find_visible("nav-sms").await.context("a 值班长 keeps the SMS rules")?;
    open_windows(h).await?;
    h.find_visible("window-add").await.context("a 值班长 may add windows")?;
    let r = row(h, "A01").await?;
    ensure!(!r.find_all(tid("window-edit")).await?.is_empty(), "a 值班长 may edit a window");
    crate::screenshot(h, dir.join("accounts-shift-lead-windows-zh.png")).await?;

    let refused =
        invoke(h, "list_accounts", json!({})).await?.err().ok_or_else(|| anyhow!("list_accounts ran"))?;
    ensure!(refused["code"] == "access.forbidden", "{refused}");
    ensure!(refused["message"].as_str().unwrap_or_default().contains("accounts.manage"), "{refused}");
    Ok(())
}
