//! 人员与权限: the hall's accounts on the central server (capability `accounts.manage`). Thin
//! adapters over the link's [`AdminClient`], called with the signed-in person's session: the
//! server decides who may grant what (never above one's own), the login and password rules, and
//! its refusals come back with their code and field. The page speaks of one role in this hall;
//! here it becomes the account's grants, the grants of other halls kept as they are.

use super::devices::{link, said};
use crate::{AppState, CommandError};
use hallkeeper_client::ClientError;
use hallkeeper_core::proto::{
    Account, AccountInput, AccountUpdate, ErrorBody, HallRole, PasswordReset, Role,
};
use tauri::State;

/// The grants with `role` as the one role in `hall`: this hall's earlier role replaced, other
/// halls' grants and a server-wide 系统管理员 kept (a hall's page does not take those away).
pub fn with_hall_role(grants: &[HallRole], hall: &str, role: Role) -> Vec<HallRole> {
    let mut out: Vec<HallRole> =
        grants.iter().filter(|g| g.hall_id.as_deref() != Some(hall)).cloned().collect();
    if role != Role::SystemAdmin {
        out.push(HallRole { hall_id: Some(hall.to_owned()), role });
    }
    out
}

/// The server names a refused grant `grants[i]`; the page has one role picker, so the refusal is
/// shown there.
pub fn at_page_field(mut body: ErrorBody) -> ErrorBody {
    if body.field.as_deref().is_some_and(|f| f == "grants" || f.starts_with("grants[")) {
        body.field = Some("role".into());
    }
    body
}

fn refused(e: ClientError, state: &AppState) -> CommandError {
    CommandError(at_page_field(said(e, state.locale()).0))
}

/// The hall's accounts with the hall's id, so the page can tell this hall's role among a
/// person's grants (the shell's shape, not the wire's).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HallAccounts {
    pub hall_id: String,
    pub accounts: Vec<Account>,
}

/// The accounts holding a role in this hall.
#[tauri::command]
pub async fn list_accounts(state: State<'_, AppState>) -> Result<HallAccounts, CommandError> {
    let link = link(&state)?;
    let accounts = link.admin().accounts().await.map_err(|e| refused(e, &state))?;
    Ok(HallAccounts { hall_id: link.hall_id().to_owned(), accounts })
}

/// A new account with a first password and one role in this hall; the person changes the
/// password at their first sign-in.
#[tauri::command(rename_all = "camelCase")]
pub async fn create_account(
    state: State<'_, AppState>,
    login: String,
    display_name: String,
    staff_id: Option<String>,
    role: Role,
    password: String,
) -> Result<Account, CommandError> {
    let link = link(&state)?;
    let input = AccountInput {
        login: login.trim().to_owned(),
        display_name: display_name.trim().to_owned(),
        staff_id: staff_id.filter(|s| !s.is_empty()),
        grants: with_hall_role(&[], link.hall_id(), role),
        password,
    };
    let account = link.admin().create_account(&input).await.map_err(|e| refused(e, &state))?;
    tracing::info!(account = %account.id, role = role.as_str(), "account created");
    Ok(account)
}

/// Changes an account: its role in this hall, its staff link (`""` unlinks; absent leaves it),
/// or whether it may sign in (disabling ends its sessions). Absent arguments stay as they are.
#[tauri::command(rename_all = "camelCase")]
pub async fn update_account(
    state: State<'_, AppState>,
    account_id: String,
    role: Option<Role>,
    staff_id: Option<String>,
    active: Option<bool>,
) -> Result<Account, CommandError> {
    let link = link(&state)?;
    let admin = link.admin();
    let grants = match role {
        None => None,
        Some(role) => {
            // The grants as the server has them now, so another hall's are not lost.
            let accounts = admin.accounts().await.map_err(|e| refused(e, &state))?;
            let current =
                accounts.iter().find(|a| a.id == account_id).map(|a| a.grants.clone()).unwrap_or_default();
            Some(with_hall_role(&current, link.hall_id(), role))
        }
    };
    let update = AccountUpdate {
        display_name: None,
        staff_id: staff_id.map(|s| Some(s).filter(|s| !s.is_empty())),
        grants,
        active,
    };
    let account = admin.update_account(&account_id, &update).await.map_err(|e| refused(e, &state))?;
    tracing::info!(account = %account_id, ?role, ?active, "account updated");
    Ok(account)
}

/// A temporary password: the person must choose their own at the next sign-in.
#[tauri::command(rename_all = "camelCase")]
pub async fn reset_account_password(
    state: State<'_, AppState>,
    account_id: String,
    password: String,
) -> Result<(), CommandError> {
    let link = link(&state)?;
    let reset = PasswordReset { password };
    link.admin().reset_account_password(&account_id, &reset).await.map_err(|e| refused(e, &state))?;
    tracing::info!(account = %account_id, "account password reset");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(hall: Option<&str>, role: Role) -> HallRole {
        HallRole { hall_id: hall.map(str::to_owned), role }
    }

    #[test]
    fn a_role_in_this_hall_replaces_only_this_halls() {
        let before = [grant(Some("h1"), Role::Supervisor), grant(Some("h2"), Role::HallAdmin)];
        assert_eq!(
            with_hall_role(&before, "h1", Role::ShiftLead),
            vec![grant(Some("h2"), Role::HallAdmin), grant(Some("h1"), Role::ShiftLead)]
        );
        assert_eq!(with_hall_role(&[], "h1", Role::WindowStaff), vec![grant(Some("h1"), Role::WindowStaff)]);
        // A 系统管理员 keeps the server-wide grant; the page never makes one in a hall.
        let admin = [grant(None, Role::SystemAdmin)];
        assert_eq!(with_hall_role(&admin, "h1", Role::SystemAdmin), admin.to_vec());
    }

    #[test]
    fn a_refused_grant_is_shown_at_the_role_picker() {
        let body = |field: Option<&str>| ErrorBody {
            code: "access.grant_forbidden".into(),
            message: "x".into(),
            field: field.map(str::to_owned),
        };
        assert_eq!(at_page_field(body(Some("grants[0]"))).field.as_deref(), Some("role"));
        assert_eq!(at_page_field(body(Some("grants[0].hallId"))).field.as_deref(), Some("role"));
        assert_eq!(at_page_field(body(Some("password"))).field.as_deref(), Some("password"));
        assert_eq!(at_page_field(body(None)).field, None);
    }
}
