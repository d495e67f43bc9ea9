//! A person's session (docs/accounts.md): sign in, who am I, sign out, change my password.
//!
//! Sign-in asks the throttle first (per login and per address, `accounts::Throttles`): while
//! either waits out its delay, the answer is 429 `session.throttled` with `Retry-After`, whatever
//! the password — the right one too, or the delay would tell a guesser when they had found it.
//! The password is checked on a blocking thread (argon2id takes tens of milliseconds of CPU), and
//! an unknown login costs the same work as a known one and gets the same answer. Every attempt,
//! accepted or refused, goes into the audit log.

use crate::accounts::{check_password, normalize_login, SESSION_PREFIX};
use crate::api::params::{peer, write_audit, Person};
use crate::audit;
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::storage::accounts::{AccountRecord, SessionRecord};
use crate::storage::to_millis;
use crate::AppState;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, SecondsFormat, Utc};
use hallkeeper_access::{hash_password, needs_rehash, verify_password, verify_unknown_account, AccessError};
use hallkeeper_proto::{Account, PasswordChange, Session, SignIn};
use serde_json::json;
use std::sync::Arc;

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Runs argon2 work off the async runtime's threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Access(AccessError::HashFailed { reason: e.to_string() }))
}

fn wrong_credentials() -> ApiError {
    ApiError::Unauthorized {
        code: "session.wrong_credentials",
        message: "登录名或密码不正确".into(),
        field: Some("password".into()),
    }
}

/// `POST /api/v1/session`.
pub async fn sign_in(State(state): State<Arc<AppState>>, req: Request) -> Result<Json<Session>, ApiError> {
    // The address before the body: the extensions go with the request into the body's extractor.
    let address = peer(req.extensions());
    let ApiJson(input): ApiJson<SignIn> = ApiJson::from_request(req, &state).await?;
    let now = (state.now)();
    let login = normalize_login(&input.login);
    let refused = |account: Option<&Account>, reason: &str| {
        audit::entry(
            now,
            account.map(|a| a.id.as_str()),
            account.map_or(login.as_str(), |a| a.display_name.as_str()),
            &address,
            None,
            "session.sign_in_refused",
        )
        .target(&login)
        .after(json!({ "reason": reason }))
        .build()
    };
    if let Err(wait) = state.throttles.begin(&login, &address, now) {
        write_audit(&state, refused(None, "throttled")).await;
        return Err(ApiError::Throttled { seconds: wait.seconds });
    }
    let record = state.storage.accounts().account_by_login(&login).await?;
    let password = input.password;
    let (record, verified) = blocking(move || {
        let verified = match &record {
            Some(r) => verify_password(&password, &r.password_hash).map(|ok| ok.then_some(password)),
            None => Ok(verify_unknown_account(&password).then_some(password)),
        };
        (record, verified)
    })
    .await?;
    let password = match verified {
        Ok(Some(p)) => p,
        Ok(None) => {
            state.throttles.failed(&address, now);
            write_audit(&state, refused(record.as_ref().map(|r| &r.account), "wrong_credentials")).await;
            return Err(wrong_credentials());
        }
        Err(e) => {
            // A corrupt stored hash: the person cannot sign in until an administrator resets it.
            tracing::error!(login = %login, "stored password hash unreadable: {e}");
            write_audit(&state, refused(record.as_ref().map(|r| &r.account), e.code())).await;
            return Err(ApiError::Access(e));
        }
    };
    let Some(mut record) = record else { return Err(wrong_credentials()) };
    state.throttles.succeeded(&login);
    if !record.account.active {
        write_audit(&state, refused(Some(&record.account), "account_disabled")).await;
        return Err(ApiError::Forbidden {
            code: "session.account_disabled",
            message: "该账号已停用，请联系管理员".into(),
        });
    }
    if needs_rehash(&record.password_hash) {
        // Stored at an older cost: store it again at today's, now that the password is known.
        if let Ok(hash) = blocking(move || hash_password(&password)).await? {
            record.password_hash = hash;
            record.updated_at = to_millis(now);
            state.storage.accounts().update_account(&record).await?;
        }
    }
    let session = open_session(&state, &record.account, now).await?;
    let entry = audit::entry(
        now,
        Some(&record.account.id),
        &record.account.display_name,
        &address,
        None,
        "session.sign_in",
    )
    .target(&login)
    .after(json!({ "mustChangePassword": record.account.must_change_password }));
    write_audit(&state, entry.build()).await;
    Ok(Json(session))
}

/// A new session for `account`, stored hashed.
async fn open_session(state: &AppState, account: &Account, now: DateTime<Utc>) -> Result<Session, ApiError> {
    let token = format!("{SESSION_PREFIX}{}", hallkeeper_access::new_session_token()?.token);
    let now = to_millis(now);
    let life = state.session_lifetime;
    let record = SessionRecord {
        token_hash: hallkeeper_access::token_hash(&token),
        account_id: account.id.clone(),
        created_at: now,
        last_used_at: now,
        idle_expires_at: life.expires_at(now, now),
        absolute_expires_at: now + life.absolute,
        revoked_at: None,
    };
    state.storage.accounts().create_session(&record).await?;
    Ok(Session {
        token,
        account: account.clone(),
        idle_expires_at: ts(record.idle_expires_at),
        absolute_expires_at: ts(record.absolute_expires_at),
    })
}

/// `GET /api/v1/session`: the caller's account as it is now (the session slid by the check).
pub async fn me(person: Person) -> Json<Account> {
    Json(person.account)
}

/// `DELETE /api/v1/session`: sign out (this session only).
pub async fn sign_out(State(state): State<Arc<AppState>>, person: Person) -> Result<StatusCode, ApiError> {
    let now = (state.now)();
    state.storage.accounts().revoke_session(&person.session_hash, to_millis(now)).await?;
    let p = &person.principal;
    let entry = audit::entry(now, p.account_id(), p.actor_name(), &p.address, None, "session.sign_out")
        .target(&person.account.login);
    write_audit(&state, entry.build()).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/v1/session/password`: the current password again (throttled like a sign-in), then
/// the new one against the policy (`password.*` at `new`). Clears a pending forced change and
/// signs the person out everywhere else.
pub async fn change_password(
    State(state): State<Arc<AppState>>,
    person: Person,
    ApiJson(input): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let now = (state.now)();
    let p = &person.principal;
    let login = person.account.login.clone();
    if let Err(wait) = state.throttles.begin(&login, &p.address, now) {
        return Err(ApiError::Throttled { seconds: wait.seconds });
    }
    let store = state.storage.accounts();
    let mut record: AccountRecord =
        store.account(&person.account.id).await?.ok_or(ApiError::SessionExpired)?;
    let stored = record.password_hash.clone();
    let current = input.current.clone();
    if !blocking(move || verify_password(&current, &stored)).await?? {
        state.throttles.failed(&p.address, now);
        return Err(ApiError::bad("password.current_wrong", "current", "当前密码不正确"));
    }
    state.throttles.succeeded(&login);
    check_password(&login, &input.new, "new")?;
    if input.new == input.current {
        // After a reset the point is a password only the person knows.
        return Err(ApiError::bad("password.unchanged", "new", "新密码不能与当前密码相同"));
    }
    let new = input.new;
    record.password_hash = blocking(move || hash_password(&new)).await??;
    record.account.must_change_password = false;
    record.updated_at = to_millis(now);
    store.update_account(&record).await?;
    let revoked =
        store.revoke_sessions_of(&record.account.id, Some(&person.session_hash), to_millis(now)).await?;
    let entry =
        audit::entry(now, p.account_id(), p.actor_name(), &p.address, None, "session.password_change")
            .target(&record.account.id)
            .after(json!({ "otherSessionsRevoked": revoked }));
    write_audit(&state, entry.build()).await;
    Ok(StatusCode::NO_CONTENT)
}
