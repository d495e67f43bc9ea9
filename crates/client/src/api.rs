//! The HTTP transport every call to the server goes through: a bearer token (the hall's admin
//! token, or a device's), a timeout, a JSON body, and the answer read by the one classifier
//! ([`crate::read_answer`]). It is also what tests and tools use to speak to a server as a device.

use crate::error::{is_success, read_answer, refusal, ClientError};
use reqwest::Url;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

/// How long an admin call may take: a hung server does not hold the supervisor's button forever.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

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

/// Calls to one server with one token.
#[derive(Debug, Clone)]
pub struct Api {
    token: String,
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
        Self { token: token.to_owned(), http, headers: Vec::new() }
    }

    pub(crate) fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// A request to `url` with the token and the headers, for a caller that reads the answer
    /// itself (the sync stream).
    pub(crate) fn request(&self, method: Method, url: &Url) -> reqwest::RequestBuilder {
        let mut request = self.http.request(method.into(), url.clone()).bearer_auth(&self.token);
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
        let mut request = self.request(method, &url);
        if let Some(body) = body {
            request = request.json(body);
        }
        let url = url.to_string();
        let resp = request.send().await.map_err(|e| ClientError::unreachable(&url, e))?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| ClientError::unreachable(&url, e))?.to_vec();
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
