//! A person's session on the central server (docs/accounts.md): sign in, ask who the session is
//! (which also slides its expiry), sign out, change one's password. Each call takes the base URL
//! and, once signed in, the session token; the answers are read by the one classifier, so the
//! server's `{code, message, field}` (a wrong password names `password`) reaches the UI as sent.

use crate::api::{Api, Method, NO_BODY};
use crate::error::ClientError;
use crate::url::api_url;
use hallkeeper_core::proto::{Account, PasswordChange, Session, SignIn};

const SESSION: [&str; 3] = ["api", "v1", "session"];

/// `POST /api/v1/session`: the session the server issues for `login` and `password`.
pub async fn sign_in(base_url: &str, request: &SignIn) -> Result<Session, ClientError> {
    Api::new("").post(api_url(base_url, SESSION, None)?, request).await
}

/// `GET /api/v1/session`: the account the session belongs to (as it is now on the server).
pub async fn current_account(base_url: &str, token: &str) -> Result<Account, ClientError> {
    Api::new(token).get(api_url(base_url, SESSION, None)?).await
}

/// `DELETE /api/v1/session`: ends the session on the server.
pub async fn sign_out(base_url: &str, token: &str) -> Result<(), ClientError> {
    Api::new(token).exchange(Method::Delete, api_url(base_url, SESSION, None)?, NO_BODY).await?.done()
}

/// `PUT /api/v1/session/password`: the signed-in person's new password (policy errors name `new`).
pub async fn change_password(
    base_url: &str,
    token: &str,
    change: &PasswordChange,
) -> Result<(), ClientError> {
    let url = api_url(base_url, SESSION.into_iter().chain(["password"]), None)?;
    Api::new(token).exchange(Method::Put, url, Some(change)).await?.done()
}
