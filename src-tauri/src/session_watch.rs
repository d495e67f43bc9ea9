//! Keeps the signed-in session true to the server, for the life of the app:
//! - **revocation**: when the server answers 401 to the session's token (expired, revoked by an
//!   administrator, its account disabled), the desktop signs the person out at that contact and
//!   the UI goes back to the sign-in screen saying why;
//! - **back online**: a person signed in offline, whose password is still in memory, gets a server
//!   session as soon as the server answers again (then the password is dropped), so sync pushes
//!   what they did meanwhile under their name. If the server refuses (password changed there,
//!   account disabled), the password is dropped too and the person stays signed in offline: their
//!   changes wait, and the header says offline, until they sign in again.

use crate::commands::session::{after_online_sign_in, notify, status};
use crate::AppState;
use hallkeeper_core::proto::ErrorBody;
use hallkeeper_core::FailureCode;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};

/// How often a person signed in offline tries for a server session.
const RETRY_ONLINE_EVERY: Duration = Duration::from_secs(5);

pub(crate) async fn run<R: Runtime>(app: AppHandle<R>) {
    let state = app.state::<AppState>();
    let mut refused = state.credential().subscribe_refused();
    loop {
        tokio::select! {
            moved = refused.changed() => {
                if moved.is_err() { return; }
                if state.signed_in().is_some_and(|s| !s.offline) {
                    tracing::info!("the server refused the session: signed out");
                    state.sign_out_here();
                    let ended = ErrorBody {
                        code: FailureCode::AuthSessionExpired.as_str().to_owned(),
                        message: hallkeeper_core::notices::session_ended(state.locale()),
                        field: None,
                    };
                    notify(&app, &status(&state, Some(ended)));
                }
            }
            () = tokio::time::sleep(RETRY_ONLINE_EVERY) => {
                try_online(&app, &state).await;
            }
        }
    }
}

async fn try_online<R: Runtime>(app: &AppHandle<R>, state: &AppState) {
    let (Some(signed), Some(pending), Some(link)) =
        (state.signed_in(), state.pending_password(), state.link().cloned())
    else {
        return;
    };
    if !signed.offline || signed.account.login != pending.login {
        state.set_pending_password(None);
        return;
    }
    let request =
        hallkeeper_core::proto::SignIn { login: pending.login.clone(), password: pending.password.clone() };
    match hallkeeper_client::session::sign_in(link.base_url(), &request).await {
        Ok(session) => {
            let kept = session.account.clone();
            let pw = pending.password.clone();
            if let Err(e) = state.call(move |s| s.remember_online_sign_in(&kept, &pw)).await {
                tracing::warn!("offline verifier not renewed: {}", e.0.message);
            }
            state.sign_in_as(session.account, Some(&session.token));
            tracing::info!(login = %pending.login, "the server is back: signed in through it");
            after_online_sign_in(state).await;
            notify(app, &status(state, None));
        }
        Err(e) if e.is_refusal() => {
            tracing::warn!(code = %e.code(), "the server refused the offline person's password");
            state.set_pending_password(None);
            if e.code() == FailureCode::SessionAccountDisabled.as_str() {
                let login = pending.login.clone();
                let _ = state.call(move |s| s.forget_offline_sign_in(&login)).await;
            }
        }
        Err(_) => {} // still away
    }
}
