//! Signing people in and out (issue 17). Through the central server when it answers: the server
//! issues the session (its token kept in memory only, in the shared credential every client of the
//! server sends) and this PC keeps an argon2id verifier of the password for later offline
//! sign-ins. When the server cannot be reached, a person who signed in here within the offline
//! policy's days (7) signs in against that verifier; their changes wait in the outbox attributed
//! to them, and the password stays in memory (never written) until a server session is obtained
//! with it, so sync resumes without asking again ([`crate::session_watch`]). The rules — the
//! verifier, the days, the gate before every command — are core's and `hallkeeper-access`'s.
//!
//! After any change the UI hears `session-changed` (the new [`SessionStatus`]); when the server
//! refuses the session (expired, revoked) the desktop signs out and the UI hears it the same way.

use crate::{AppState, CommandError};
use hallkeeper_core::access::capability_codes;
use hallkeeper_core::proto::{Account, ErrorBody, HallRole, PasswordChange, SignIn};
use hallkeeper_core::{Code, FailureCode};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};

/// The event the UI hears after every sign-in, sign-out, lock and unlock.
pub const SESSION_CHANGED: &str = "session-changed";

/// Who is signed in, for the UI: the header, what to hide, which screen to show.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    pub person: Option<PersonView>,
    /// The capability codes the person holds in this hall (to hide what they may not do; core
    /// checks every command whatever the UI shows).
    pub capabilities: Vec<String>,
    pub offline: bool,
    pub locked: bool,
    pub lock_minutes: u32,
    /// Why the last session ended by itself (`auth.session_expired` …), for the sign-in screen.
    pub ended: Option<ErrorBody>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonView {
    pub account_id: String,
    pub login: String,
    pub display_name: String,
    pub grants: Vec<HallRole>,
    pub must_change_password: bool,
}

pub fn status(state: &AppState, ended: Option<ErrorBody>) -> SessionStatus {
    let signed = state.signed_in();
    let hall = state.hall_id();
    SessionStatus {
        capabilities: signed.as_ref().map(|s| capability_codes(&s.person, &hall)).unwrap_or_default(),
        offline: signed.as_ref().is_some_and(|s| s.offline),
        locked: signed.is_some() && state.is_locked(),
        lock_minutes: state.store().lock_minutes().unwrap_or(hallkeeper_core::store::DEFAULT_LOCK_MINUTES),
        person: signed.map(|s| PersonView {
            account_id: s.account.id.clone(),
            login: s.account.login.clone(),
            display_name: s.account.display_name.clone(),
            grants: s.account.grants.clone(),
            must_change_password: s.account.must_change_password,
        }),
        ended,
    }
}

pub fn notify<R: Runtime>(app: &AppHandle<R>, status: &SessionStatus) {
    if let Err(e) = app.emit(SESSION_CHANGED, status) {
        tracing::warn!("cannot tell the UI the session changed: {e}");
    }
}

fn client_error(state: &AppState, e: &hallkeeper_client::ClientError) -> CommandError {
    match e.server_error() {
        Some(body) => CommandError(hallkeeper_core::notices::server_refusal(body, state.locale())),
        None => CommandError(ErrorBody { code: e.code(), message: e.message(state.locale()), field: None }),
    }
}

#[tauri::command]
pub async fn session_status(state: State<'_, AppState>) -> Result<SessionStatus, CommandError> {
    Ok(status(&state, None))
}

/// Signs `login` in: through the server, or — only when it cannot be reached — offline.
#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    login: String,
    password: String,
) -> Result<SessionStatus, CommandError> {
    let login = login.trim().to_owned();
    if login.is_empty() {
        let e = hallkeeper_core::Error::from(
            hallkeeper_core::Rejection::new(Code::SessionWrongCredentials).field("login"),
        );
        return Err(CommandError(e.to_body(state.locale())));
    }
    online_or_offline(&state, &login, &password).await?;
    let now = status(&state, None);
    notify(&app, &now);
    Ok(now)
}

/// The sign-in itself, for `sign_in` and the first run.
pub(crate) async fn online_or_offline(
    state: &AppState,
    login: &str,
    password: &str,
) -> Result<(), CommandError> {
    let request = SignIn { login: login.to_owned(), password: password.to_owned() };
    let answer = match state.link() {
        Some(link) => Some(hallkeeper_client::session::sign_in(link.base_url(), &request).await),
        None => None,
    };
    match answer {
        Some(Ok(session)) => {
            let account = session.account.clone();
            let (pw, kept) = (password.to_owned(), account.clone());
            // The verifier is argon2id: off the async threads. Not keeping it costs only the
            // offline sign-in, so it does not refuse the online one.
            if let Err(e) = state.call(move |s| s.remember_online_sign_in(&kept, &pw)).await {
                tracing::warn!("offline verifier not kept: {}", e.0.message);
            }
            state.sign_in_as(account, Some(&session.token));
            after_online_sign_in(state).await;
            tracing::info!(login, "signed in through the server");
            Ok(())
        }
        Some(Err(e)) if e.is_refusal() => {
            if e.code() == FailureCode::SessionAccountDisabled.as_str() {
                let l = login.to_owned();
                let _ = state.call(move |s| s.forget_offline_sign_in(&l)).await;
            }
            Err(client_error(state, &e))
        }
        // No server, or it did not answer: the verifier of a recent sign-in here.
        _ => {
            let (l, pw) = (login.to_owned(), password.to_owned());
            let account: Account = state
                .call(move |s| s.offline_sign_in(&l, &pw, hallkeeper_core::access::OfflinePolicy::default()))
                .await?;
            state.sign_in_as(account, None);
            state.set_pending_password(Some(crate::state::PendingPassword {
                login: login.to_owned(),
                password: password.to_owned(),
            }));
            tracing::info!(login, "signed in offline (the server cannot be reached)");
            Ok(())
        }
    }
}

/// What a server session starts: pending changes that name nobody (from before sign-in) taken
/// over by the person, the embedded server's hall made by the one who may, sync woken so what
/// waited in the outbox goes now.
pub(crate) async fn after_online_sign_in(state: &AppState) {
    let (Some(link), Some(signed)) = (state.link().cloned(), state.signed_in()) else { return };
    let person = signed.person.clone();
    match state.call(move |s| s.adopt_unauthored_ops(&person)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(n, "pending changes from before sign-in attributed to the person signed in"),
        Err(e) => tracing::warn!("pending changes not attributed: {}", e.0.message),
    }
    link.signed_in(&signed.person).await;
}

#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<SessionStatus, CommandError> {
    let token = state.credential().token();
    if let (Some(link), false) = (state.link(), token.is_empty()) {
        // Ending the session on the server is a courtesy: signed out here it is, whatever it says.
        if let Err(e) = hallkeeper_client::session::sign_out(link.base_url(), &token).await {
            tracing::warn!("the server did not end the session: {e}");
        }
    }
    state.sign_out_here();
    let now = status(&state, None);
    notify(&app, &now);
    Ok(now)
}

/// The signed-in person's new password (required first after an administrator's reset).
#[tauri::command]
pub async fn change_password<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    current: String,
    new: String,
) -> Result<SessionStatus, CommandError> {
    let Some(link) = state.link().cloned() else {
        return Err(CommandError(hallkeeper_core::notices::not_connected(
            state.locale(),
            FailureCode::ServerNotConnected.as_str(),
        )));
    };
    let token = state.credential().token();
    let change = PasswordChange { current, new: new.clone() };
    hallkeeper_client::session::change_password(link.base_url(), &token, &change)
        .await
        .map_err(|e| client_error(&state, &e))?;
    let account = hallkeeper_client::session::current_account(link.base_url(), &token)
        .await
        .map_err(|e| client_error(&state, &e))?;
    let kept = account.clone();
    if let Err(e) = state.call(move |s| s.remember_online_sign_in(&kept, &new)).await {
        tracing::warn!("offline verifier not renewed: {}", e.0.message);
    }
    state.update_account(account);
    // Until now the server answered every other call `session.password_change_required`: sync
    // and the configuration go now.
    after_online_sign_in(&state).await;
    let now = status(&state, None);
    notify(&app, &now);
    Ok(now)
}

/// Locks the screen now (the UI also calls it after the idle minutes).
#[tauri::command]
pub async fn lock<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<SessionStatus, CommandError> {
    state.lock();
    let now = status(&state, None);
    notify(&app, &now);
    Ok(now)
}

/// Unlocks with the signed-in person's password, checked against this PC's verifier (kept at
/// their sign-in), so the lock works with or without the server.
#[tauri::command]
pub async fn unlock<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    password: String,
) -> Result<SessionStatus, CommandError> {
    let Some(signed) = state.signed_in() else { return Err(state.refusal(Code::SessionRequired)) };
    let login = signed.account.login.clone();
    // The verifier's age does not matter here: the person signed in this session already.
    let policy = hallkeeper_core::access::OfflinePolicy { max_age: chrono::Duration::days(36_500) };
    state.call(move |s| s.offline_sign_in(&login, &password, policy)).await?;
    state.unlock();
    let now = status(&state, None);
    notify(&app, &now);
    Ok(now)
}

#[tauri::command]
pub async fn set_lock_minutes<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    minutes: u32,
) -> Result<SessionStatus, CommandError> {
    state.call(move |s| s.set_lock_minutes(minutes)).await?;
    let now = status(&state, None);
    notify(&app, &now);
    Ok(now)
}

/// Whether the embedded server has no account yet (the first-run screen asks for the first
/// 系统管理员). Always false for a remote server, whose first administrator comes from its CLI.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FirstRunStatus {
    pub needed: bool,
    /// The server is still starting (ask again shortly).
    pub starting: bool,
}

#[tauri::command]
pub async fn first_run_status(state: State<'_, AppState>) -> Result<FirstRunStatus, CommandError> {
    let Some(link) = state.link().cloned() else {
        return Ok(FirstRunStatus { needed: false, starting: true });
    };
    let needed = link.first_run_needed().await.map_err(|e| CommandError(e.to_body(state.locale())))?;
    Ok(FirstRunStatus { needed, starting: false })
}

/// Creates the embedded server's first 系统管理员 (refused once any account exists), then signs
/// them in.
#[tauri::command(rename_all = "camelCase")]
pub async fn create_first_administrator<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    login: String,
    display_name: String,
    password: String,
) -> Result<SessionStatus, CommandError> {
    let Some(link) = state.link().cloned() else {
        return Err(CommandError(hallkeeper_core::notices::not_connected(
            state.locale(),
            FailureCode::ServerNotConnected.as_str(),
        )));
    };
    let account = link
        .create_first_administrator(&login, &display_name, &password)
        .await
        .map_err(|e| CommandError(e.to_body(state.locale())))?;
    online_or_offline(&state, &account.login, &password).await?;
    let now = status(&state, None);
    notify(&app, &now);
    Ok(now)
}
