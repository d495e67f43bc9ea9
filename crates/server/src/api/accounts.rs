//! Accounts and the server's audit log (docs/accounts.md). Every route comes twice: under
//! `/api/v1/admin` (系统管理员: every account, any grant) and under `/api/v1/admin/halls/{hallId}`
//! (the hall's 大厅管理员: the hall's accounts, grants of the hall up to their own role). Who may
//! grant what, and manage whom, is `crate::accounts`'s; the guard has already checked the route's
//! capability, and writes the audit entry with the before/after each handler leaves.

use crate::accounts::{
    self, account_not_found, check_display_name, check_grant_change, check_grants, check_login,
    check_may_manage, check_password, check_staff_id, Principal,
};
use crate::api::check_id;
use crate::api::params::{Admin, AdminHall};
use crate::audit::{account_json, AuditDetail};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::storage::accounts::{AccountRecord, AuditFilter};
use crate::storage::{to_millis, StorageError};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hallkeeper_access::AccessError;
use hallkeeper_proto::{
    Account, AccountInput, AccountUpdate, HallRole, PasswordReset, Role, ServerAuditPage,
};
use std::sync::Arc;

/// A response with the audit detail the guard writes.
fn audited(response: impl IntoResponse, detail: AuditDetail) -> Response {
    let mut r = response.into_response();
    r.extensions_mut().insert(detail);
    r
}

async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hallkeeper_access::hash_password(&password))
        .await
        .map_err(|e| ApiError::Access(AccessError::HashFailed { reason: e.to_string() }))?
        .map_err(ApiError::Access)
}

/// Grants checked in shape, their halls existing, and the change from `from` allowed to `who`.
async fn checked_grants(
    state: &AppState,
    who: &Principal,
    scope: Option<&str>,
    from: &[HallRole],
    grants: &[HallRole],
) -> Result<Vec<HallRole>, ApiError> {
    let grants = check_grants(grants)?;
    check_grant_change(&who.grants(), scope, from, &grants)?;
    for (i, g) in grants.iter().enumerate() {
        if let Some(h) = &g.hall_id {
            if state.storage.hall(h).await?.is_none() {
                return Err(ApiError::bad(
                    "account.hall_unknown",
                    &format!("grants[{i}].hallId"),
                    format!("没有大厅 {h}"),
                ));
            }
        }
    }
    Ok(grants)
}

/// Refuses a change that would leave the server without an active 系统管理员.
async fn keep_a_system_admin(state: &AppState, before: &Account, after: &Account) -> Result<(), ApiError> {
    let is_sys = |a: &Account| a.active && a.grants.iter().any(|g| g.role == Role::SystemAdmin);
    if !is_sys(before) || is_sys(after) {
        return Ok(());
    }
    let others = state.storage.accounts().accounts(None).await?;
    if others.iter().any(|a| a.id != before.id && is_sys(a)) {
        Ok(())
    } else {
        Err(ApiError::Conflict {
            code: "account.last_system_admin",
            message: "这是最后一个系统管理员账号，不能停用或收回其角色".into(),
        })
    }
}

async fn list(state: &AppState, scope: Option<&str>) -> Result<Json<Vec<Account>>, ApiError> {
    Ok(Json(state.storage.accounts().accounts(scope).await?))
}

async fn create(
    state: &AppState,
    who: &Principal,
    scope: Option<&str>,
    input: AccountInput,
) -> Result<Response, ApiError> {
    let login = check_login(&input.login)?;
    let name = check_display_name(&input.display_name)?;
    let staff_id = check_staff_id(input.staff_id)?;
    let grants = checked_grants(state, who, scope, &[], &input.grants).await?;
    if let Some(h) = scope {
        if !grants.iter().any(|g| g.hall_id.as_deref() == Some(h)) {
            return Err(ApiError::bad(
                "account.grants_missing",
                "grants",
                format!("须至少授予本大厅（{h}）的一个角色"),
            ));
        }
    }
    check_password(&login, &input.password, "password")?;
    let now = (state.now)();
    let (l, n, p) = (login.clone(), name, input.password);
    // The administrator handed the first password over: the person must choose their own.
    let record =
        tokio::task::spawn_blocking(move || accounts::new_record(now, &l, &n, staff_id, grants, &p, true))
            .await
            .map_err(|e| ApiError::Access(AccessError::HashFailed { reason: e.to_string() }))??;
    state.storage.accounts().create_account(&record).await.map_err(|e| match e {
        StorageError::Conflict(_) => ApiError::Conflict {
            code: "account.login_taken",
            message: format!("登录名 {login} 已被使用"),
        },
        other => other.into(),
    })?;
    let a = record.account;
    let detail = AuditDetail { target: Some(a.id.clone()), before: None, after: Some(account_json(&a)) };
    Ok(audited((StatusCode::CREATED, Json(a)), detail))
}

/// The account a path names, which the caller may manage.
async fn target(
    state: &AppState,
    who: &Principal,
    scope: Option<&str>,
    id: &str,
) -> Result<AccountRecord, ApiError> {
    check_id("accountId", id)?;
    let record = state.storage.accounts().account(id).await?.ok_or_else(|| account_not_found(id))?;
    check_may_manage(&who.grants(), scope, &record.account)?;
    Ok(record)
}

async fn update(
    state: &AppState,
    who: &Principal,
    scope: Option<&str>,
    id: &str,
    input: AccountUpdate,
) -> Result<Response, ApiError> {
    let mut record = target(state, who, scope, id).await?;
    let before = record.account.clone();
    let a = &mut record.account;
    if let Some(name) = &input.display_name {
        a.display_name = check_display_name(name)?;
    }
    if let Some(staff) = input.staff_id {
        a.staff_id = check_staff_id(staff)?;
    }
    if let Some(grants) = &input.grants {
        a.grants = checked_grants(state, who, scope, &before.grants, grants).await?;
    }
    if let Some(active) = input.active {
        if !active && who.account_id() == Some(before.id.as_str()) {
            return Err(ApiError::bad("account.disable_self", "active", "不能停用自己的账号"));
        }
        a.active = active;
    }
    keep_a_system_admin(state, &before, &record.account).await?;
    let now = to_millis((state.now)());
    record.updated_at = now;
    if !state.storage.accounts().update_account(&record).await? {
        return Err(account_not_found(id));
    }
    if before.active && !record.account.active {
        // Disabled: every session ends now (the desktop signs out at its next contact).
        state.storage.accounts().revoke_sessions_of(id, None, now).await?;
    }
    let detail = AuditDetail {
        target: Some(id.to_owned()),
        before: Some(account_json(&before)),
        after: Some(account_json(&record.account)),
    };
    Ok(audited(Json(record.account), detail))
}

async fn reset(
    state: &AppState,
    who: &Principal,
    scope: Option<&str>,
    id: &str,
    input: PasswordReset,
) -> Result<Response, ApiError> {
    let mut record = target(state, who, scope, id).await?;
    check_password(&record.account.login, &input.password, "password")?;
    let before = account_json(&record.account);
    record.password_hash = hash(input.password).await?;
    record.account.must_change_password = true;
    let now = to_millis((state.now)());
    record.updated_at = now;
    if !state.storage.accounts().update_account(&record).await? {
        return Err(account_not_found(id));
    }
    let revoked = state.storage.accounts().revoke_sessions_of(id, None, now).await?;
    let mut after = account_json(&record.account);
    after["sessionsRevoked"] = revoked.into();
    let detail = AuditDetail { target: Some(id.to_owned()), before: Some(before), after: Some(after) };
    Ok(audited(StatusCode::NO_CONTENT, detail))
}

// ---- the server-wide routes (系统管理员) ----

pub async fn list_all(State(state): State<Arc<AppState>>, _: Admin) -> Result<Json<Vec<Account>>, ApiError> {
    list(&state, None).await
}

pub async fn create_any(
    State(state): State<Arc<AppState>>,
    Admin(who): Admin,
    ApiJson(input): ApiJson<AccountInput>,
) -> Result<Response, ApiError> {
    create(&state, &who, None, input).await
}

pub async fn update_any(
    State(state): State<Arc<AppState>>,
    Admin(who): Admin,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AccountUpdate>,
) -> Result<Response, ApiError> {
    update(&state, &who, None, &id, input).await
}

pub async fn reset_any(
    State(state): State<Arc<AppState>>,
    Admin(who): Admin,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PasswordReset>,
) -> Result<Response, ApiError> {
    reset(&state, &who, None, &id, input).await
}

// ---- a hall's routes (大厅管理员) ----

pub async fn list_hall(
    State(state): State<Arc<AppState>>,
    h: AdminHall,
) -> Result<Json<Vec<Account>>, ApiError> {
    list(&state, Some(&h.id)).await
}

pub async fn create_in_hall(
    State(state): State<Arc<AppState>>,
    h: AdminHall,
    ApiJson(input): ApiJson<AccountInput>,
) -> Result<Response, ApiError> {
    create(&state, &h.who, Some(&h.id), input).await
}

pub async fn update_in_hall(
    State(state): State<Arc<AppState>>,
    h: AdminHall,
    Path((_, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<AccountUpdate>,
) -> Result<Response, ApiError> {
    update(&state, &h.who, Some(&h.id), &id, input).await
}

pub async fn reset_in_hall(
    State(state): State<Arc<AppState>>,
    h: AdminHall,
    Path((_, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<PasswordReset>,
) -> Result<Response, ApiError> {
    reset(&state, &h.who, Some(&h.id), &id, input).await
}

// ---- the audit log ----

/// Entries a page holds unless asked otherwise, and at most.
pub const AUDIT_LIMIT_DEFAULT: u32 = 100;
pub const AUDIT_LIMIT_MAX: u32 = 1000;

#[derive(Debug, serde::Deserialize)]
pub struct AuditQuery {
    before: Option<i64>,
    limit: Option<u32>,
}

async fn audit_page(
    state: &AppState,
    hall_id: Option<String>,
    q: AuditQuery,
) -> Result<Json<ServerAuditPage>, ApiError> {
    let limit = q.limit.unwrap_or(AUDIT_LIMIT_DEFAULT);
    if !(1..=AUDIT_LIMIT_MAX).contains(&limit) {
        return Err(ApiError::bad(
            "request.invalid_field",
            "limit",
            format!("limit 应为 1–{AUDIT_LIMIT_MAX}"),
        ));
    }
    let filter = AuditFilter { hall_id, before: q.before, limit };
    let entries = state.storage.accounts().audit(&filter).await?;
    let next_before = (entries.len() == limit as usize).then(|| entries.last().map(|e| e.seq)).flatten();
    Ok(Json(ServerAuditPage { entries, next_before }))
}

/// `GET /api/v1/admin/halls/{hallId}/audit?before=&limit=`: the hall's entries, newest first.
pub async fn hall_audit(
    State(state): State<Arc<AppState>>,
    h: AdminHall,
    Query(q): Query<AuditQuery>,
) -> Result<Json<ServerAuditPage>, ApiError> {
    audit_page(&state, Some(h.id), q).await
}

/// `GET /api/v1/admin/audit?before=&limit=`: every entry of the server.
pub async fn server_audit(
    State(state): State<Arc<AppState>>,
    _: Admin,
    Query(q): Query<AuditQuery>,
) -> Result<Json<ServerAuditPage>, ApiError> {
    audit_page(&state, None, q).await
}
