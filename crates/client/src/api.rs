//! The HTTP transport every call to the server goes through: a bearer token (the hall's admin
//! token, or a device's), a timeout, a JSON body, and the answer read by the one classifier
//! ([`crate::read_answer`]). It is also what tests and tools use to speak to a server as a device.

use crate::error::{is_success, read_answer, refusal, ClientError};
use reqwest::Url;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

/// How long an admin call may take: a hung server does not hold the supervisor's button forever.
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// A call without a body.
pub const NO_BODY: Option<&()> = None;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl From<Method> for reqwest::Method {
    fn from(m: Method) -> Self {
        match m {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

/// One answer as it came: the status and the whole body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub url: String,
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as the JSON `T` when the status is a success ([`read_answer`]).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ClientError> {
        read_answer(&self.url, self.status, &self.body)
    }

    /// A success, whatever its body says (a `204 No Content`).
    pub fn done(&self) -> Result<(), ClientError> {
        if is_success(self.status) {
            Ok(())
        } else {
            Err(refusal(&self.url, self.status, &self.body))
        }
    }
}

/// The bearer a client sends, shared and swappable: the desktop's sign-in puts the person's
/// session token in, sign-out takes it out, and every client made with the same credential (sync,
/// the hall's administration) sends whatever it holds at the time of each request. It also tells
/// its holder when the server refused the token it holds (401: expired, revoked, unknown), which
/// is how a revoked person is signed out at the desktop's next contact.
#[derive(Debug, Clone)]
pub struct Credential(std::sync::Arc<CredentialInner>);

#[derive(Debug)]
struct CredentialInner {
    token: std::sync::RwLock<String>,
    /// Counts the server's 401s to the token held (the holder waits for it to move).
    refused: tokio::sync::watch::Sender<u64>,
}

impl Credential {
    pub fn new(token: &str) -> Self {
        Self(std::sync::Arc::new(CredentialInner {
            token: std::sync::RwLock::new(token.to_owned()),
            refused: tokio::sync::watch::channel(0).0,
        }))
    }

    /// The token sent from now on (empty: none is sent).
    pub fn set(&self, token: &str) {
        *self.0.token.write().unwrap_or_else(|e| e.into_inner()) = token.to_owned();
    }

    pub fn token(&self) -> String {
        self.0.token.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Moves each time the server answers 401 to the token held then.
    pub fn subscribe_refused(&self) -> tokio::sync::watch::Receiver<u64> {
        self.0.refused.subscribe()
    }

    fn refused(&self, sent: &str) {
        // A 401 to a token already replaced (sign-in raced a request) says nothing of the new one.
        if !sent.is_empty() && self.token() == sent {
            self.0.refused.send_modify(|n| *n += 1);
        }
    }
}

/// Calls to one server with one token.
#[derive(Debug, Clone)]
pub struct Api {
    token: Credential,
    http: reqwest::Client,
    /// Sent with every request (sync names its version).
    headers: Vec<(&'static str, String)>,
}

impl Api {
    /// Calls made with `token`, each given up after 10 s.
    pub fn new(token: &str) -> Self {
        let http = reqwest::Client::builder().timeout(CALL_TIMEOUT).build().unwrap_or_default();
        Self::with_client(token, http)
    }

    pub(crate) fn with_client(token: &str, http: reqwest::Client) -> Self {
        Self::with_credential(Credential::new(token), http)
    }

    /// Calls made with whatever `credential` holds at each request.
    pub(crate) fn with_credential(credential: Credential, http: reqwest::Client) -> Self {
        Self { token: credential, http, headers: Vec::new() }
    }

    pub fn credential(&self) -> &Credential {
        &self.token
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// A request to `url` with the token and the headers, for a caller that reads the answer
    /// itself (the sync stream).
    pub(crate) fn request(&self, method: Method, url: &Url) -> reqwest::RequestBuilder {
        self.request_with(method, url, &self.token.token())
    }

    fn request_with(&self, method: Method, url: &Url, token: &str) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method.into(), url.clone());
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        for (name, value) in &self.headers {
            request = request.header(*name, value);
        }
        request
    }

    /// Sends one request and returns the answer as it came; an error only when no whole answer
    /// came ([`ClientError::Unreachable`]).
    pub async fn exchange<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<Answer, ClientError> {
        let token = self.token.token();
        let mut request = self.request_with(method, &url, &token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let url = url.to_string();
        let resp = request.send().await.map_err(|e| ClientError::unreachable(&url, e))?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| ClientError::unreachable(&url, e))?.to_vec();
        if status == 401 {
            self.token.refused(&token);
        }
        Ok(Answer { url, status, body })
    }

    /// `GET url`, read as the JSON `T`.
    pub async fn get<T: DeserializeOwned>(&self, url: Url) -> Result<T, ClientError> {
        self.exchange(Method::Get, url, NO_BODY).await?.json()
    }

    /// `POST url` with a JSON body, read as the JSON `T`.
    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        url: Url,
        body: &B,
    ) -> Result<T, ClientError> {
        self.exchange(Method::Post, url, Some(body)).await?.json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_is_shared_swapped_and_told_of_a_refusal_of_the_token_it_holds() {
        let credential = Credential::new("");
        let api = Api::with_credential(credential.clone(), reqwest::Client::new());
        let mut refused = credential.subscribe_refused();
        credential.set("hks_first");
        assert_eq!(api.credential().token(), "hks_first", "every holder sees the swap");
        // A 401 to a token already replaced says nothing of the new one.
        credential.refused("hks_old");
        credential.refused("");
        assert!(!refused.has_changed().unwrap());
        credential.refused("hks_first");
        assert!(refused.has_changed().unwrap());
        assert_eq!(*refused.borrow_and_update(), 1);
        credential.set("");
        assert_eq!(api.credential().token(), "");
    }
}
