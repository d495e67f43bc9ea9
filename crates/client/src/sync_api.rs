//! The server's sync endpoints, each answer read by the one classifier: a refusal (4xx) is
//! final, everything else (no connection, 5xx, an unreadable body) is worth retrying.

use crate::api::{Api, Credential, Method};
use crate::error::{refusal, ClientError};
use crate::url::Endpoint;
use hallkeeper_core::proto::{
    EventsPage, PullResponse, PushRequest, PushResponse, RatingsPage, SyncHeads, SYNC_SCHEMA_VERSION,
    SYNC_VERSION_HEADER,
};
use reqwest::Url;
use serde::de::DeserializeOwned;
use std::time::Duration;

pub(crate) struct SyncApi {
    endpoint: Endpoint,
    api: Api,
    /// No overall timeout: the stream stays open; a read timeout above the server's 15 s
    /// keep-alive notices a dead connection.
    stream_api: Api,
}

impl SyncApi {
    pub(crate) fn new(endpoint: Endpoint, credential: Option<Credential>) -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default();
        let stream_client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .read_timeout(Duration::from_secs(40))
            .build()
            .unwrap_or_default();
        let endpoint = endpoint.trimmed();
        // As the hall's administration, naming this desktop's sync version.
        let credential = credential.unwrap_or_else(|| Credential::new(&endpoint.admin_token));
        let api = |client| {
            Api::with_credential(credential.clone(), client)
                .with_header(SYNC_VERSION_HEADER, SYNC_SCHEMA_VERSION.to_string())
        };
        let (api, stream_api) = (api(client), api(stream_client));
        Self { endpoint, api, stream_api }
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.endpoint.base_url
    }

    fn url(&self, what: &str) -> Result<Url, ClientError> {
        self.endpoint.hall_url(&format!("sync/{what}"))
    }

    async fn get<T: DeserializeOwned>(&self, what: &str) -> Result<T, ClientError> {
        self.api.get(self.url(what)?).await
    }

    pub(crate) async fn push(&self, request: &PushRequest) -> Result<PushResponse, ClientError> {
        self.api.post(self.url("push")?, request).await
    }

    pub(crate) async fn pull(&self, cursor: i64, limit: u32) -> Result<PullResponse, ClientError> {
        self.get(&format!("pull?cursor={cursor}&limit={limit}")).await
    }

    pub(crate) async fn events(&self, after: i64, limit: u32) -> Result<EventsPage, ClientError> {
        self.get(&format!("events?after={after}&limit={limit}")).await
    }

    pub(crate) async fn ratings(&self, after: i64, limit: u32) -> Result<RatingsPage, ClientError> {
        self.get(&format!("ratings?after={after}&limit={limit}")).await
    }

    /// Uploads an evidence file under its hash (the server checks the content against it); an
    /// upload again is harmless (204).
    pub(crate) async fn put_evidence(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), ClientError> {
        let url = self.url(&format!("evidence/{sha256}"))?;
        let resp = self
            .api
            .request(Method::Put, &url)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .map_err(|e| ClientError::unreachable(url.as_str(), e))?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| ClientError::unreachable(url.as_str(), e))?;
        if (200..300).contains(&status) {
            return Ok(());
        }
        Err(refusal(url.as_str(), status, &body))
    }

    /// An evidence file's bytes; None while the server does not hold it (its PC has not
    /// uploaded it yet).
    pub(crate) async fn evidence(&self, sha256: &str) -> Result<Option<Vec<u8>>, ClientError> {
        let url = self.url(&format!("evidence/{sha256}"))?;
        let resp = self
            .api
            .request(Method::Get, &url)
            .send()
            .await
            .map_err(|e| ClientError::unreachable(url.as_str(), e))?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| ClientError::unreachable(url.as_str(), e))?;
        match status {
            200 => Ok(Some(body.to_vec())),
            404 => Ok(None),
            _ => Err(refusal(url.as_str(), status, &body)),
        }
    }

    /// Opens the "pull now" stream; the caller reads its `heads` messages with [`next_heads`].
    pub(crate) async fn stream(&self) -> Result<reqwest::Response, ClientError> {
        let url = self.url("stream")?;
        let resp = self
            .stream_api
            .request(Method::Get, &url)
            .header("accept", "text/event-stream")
            .send()
            .await
            .map_err(|e| ClientError::unreachable(url.as_str(), e))?;
        let status = resp.status().as_u16();
        if resp.status().is_success() {
            return Ok(resp);
        }
        let body = resp.bytes().await.map_err(|e| ClientError::unreachable(url.as_str(), e))?;
        Err(refusal(url.as_str(), status, &body))
    }
}

/// Reads server-sent events from `resp` and returns the next `heads` message; None when the
/// stream ends. `buf` carries a partial message between calls.
pub(crate) async fn next_heads(
    resp: &mut reqwest::Response,
    buf: &mut String,
) -> Result<Option<SyncHeads>, ClientError> {
    loop {
        while let Some(end) = buf.find("\n\n") {
            let message: String = buf.drain(..end + 2).collect();
            let mut event = "message";
            let mut data = String::new();
            for line in message.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim());
                }
            }
            if event == "heads" {
                if let Ok(heads) = serde_json::from_str::<SyncHeads>(&data) {
                    return Ok(Some(heads));
                }
            }
        }
        match resp.chunk().await {
            Ok(Some(bytes)) => buf.push_str(&String::from_utf8_lossy(&bytes).replace("\r\n", "\n")),
            Ok(None) => return Ok(None),
            Err(e) => return Err(ClientError::unreachable(resp.url().as_str(), e)),
        }
    }
}
