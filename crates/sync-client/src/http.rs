//! The server's sync endpoints, each answer classified: a refusal (4xx) is final, everything
//! else (no connection, 5xx, an unreadable body) is worth retrying.

use crate::error::SyncError;
use hallkeeper_core::proto::{
    ErrorBody, EventsPage, PullResponse, PushRequest, PushResponse, RatingsPage, SyncHeads,
    SYNC_SCHEMA_VERSION, SYNC_VERSION_HEADER,
};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Where the hall's server is and how to speak to it as the hall's administration.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub base_url: String,
    pub hall_id: String,
    pub admin_token: String,
}

pub(crate) struct Http {
    endpoint: Endpoint,
    client: reqwest::Client,
    /// No overall timeout: the stream stays open; a read timeout above the server's 15 s
    /// keep-alive notices a dead connection.
    stream_client: reqwest::Client,
}

fn unreachable(url: &str, e: reqwest::Error) -> SyncError {
    SyncError::Unreachable { url: url.to_owned(), reason: e.to_string() }
}

async fn answer<T: DeserializeOwned>(url: &str, resp: reqwest::Response) -> Result<T, SyncError> {
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| unreachable(url, e))?;
    if status.is_success() {
        return serde_json::from_slice(&body).map_err(|e| SyncError::Server {
            url: url.to_owned(),
            status: status.as_u16(),
            body: format!("unreadable answer: {e}"),
        });
    }
    let text = String::from_utf8_lossy(&body).chars().take(500).collect::<String>();
    if status.is_client_error() {
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(b) => (b.code, b.message),
            Err(_) => (format!("http.{}", status.as_u16()), text),
        };
        return Err(SyncError::Refused { status: status.as_u16(), code, message });
    }
    Err(SyncError::Server { url: url.to_owned(), status: status.as_u16(), body: text })
}

/// The URL of `path` (`sync/pull?cursor=0`, `queue/move-waiting` …) under the hall's admin API:
/// `<base>/api/v1/admin/halls/<hall>/<path>`. The one place these URLs are made: the hall id is
/// the operator's to choose and goes in as one escaped path segment, whatever it holds; `path`
/// and its query are the caller's fixed words (a query value the caller escapes).
pub fn hall_url(base_url: &str, hall_id: &str, path: &str) -> Option<reqwest::Url> {
    let mut url = reqwest::Url::parse(base_url).ok()?;
    let (path, query) = path.split_once('?').map_or((path, None), |(p, q)| (p, Some(q)));
    url.path_segments_mut()
        .ok()?
        .pop_if_empty()
        .extend(["api", "v1", "admin", "halls", hall_id])
        .extend(path.split('/').filter(|s| !s.is_empty()));
    url.set_query(query);
    Some(url)
}

/// [`hall_url`] as text for a request; an address that is not a URL stays as typed, so the
/// request fails as unreachable, naming it.
pub fn hall_address(base_url: &str, hall_id: &str, path: &str) -> String {
    hall_url(base_url, hall_id, path).map_or_else(|| format!("{base_url}/{path}"), String::from)
}

impl Http {
    pub(crate) fn new(endpoint: Endpoint) -> Self {
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
        let base_url = endpoint.base_url.trim_end_matches('/').to_owned();
        Self { endpoint: Endpoint { base_url, ..endpoint }, client, stream_client }
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.endpoint.base_url
    }

    fn url(&self, what: &str) -> String {
        hall_address(&self.endpoint.base_url, &self.endpoint.hall_id, &format!("sync/{what}"))
    }

    /// A request to one of the hall's sync endpoints (`url`), as the hall's administration, naming this
    /// desktop's sync version.
    fn request(
        &self,
        client: &reqwest::Client,
        method: reqwest::Method,
        url: &str,
    ) -> reqwest::RequestBuilder {
        client
            .request(method, url)
            .bearer_auth(&self.endpoint.admin_token)
            .header(SYNC_VERSION_HEADER, SYNC_SCHEMA_VERSION.to_string())
    }

    async fn get<T: DeserializeOwned>(&self, what: &str) -> Result<T, SyncError> {
        let url = self.url(what);
        let resp = self
            .request(&self.client, reqwest::Method::GET, &url)
            .send()
            .await
            .map_err(|e| unreachable(&url, e))?;
        answer(&url, resp).await
    }

    pub(crate) async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        let url = self.url("push");
        let resp = self
            .request(&self.client, reqwest::Method::POST, &url)
            .json(request)
            .send()
            .await
            .map_err(|e| unreachable(&url, e))?;
        answer(&url, resp).await
    }

    pub(crate) async fn pull(&self, cursor: i64, limit: u32) -> Result<PullResponse, SyncError> {
        self.get(&format!("pull?cursor={cursor}&limit={limit}")).await
    }

    pub(crate) async fn events(&self, after: i64, limit: u32) -> Result<EventsPage, SyncError> {
        self.get(&format!("events?after={after}&limit={limit}")).await
    }

    pub(crate) async fn ratings(&self, after: i64, limit: u32) -> Result<RatingsPage, SyncError> {
        self.get(&format!("ratings?after={after}&limit={limit}")).await
    }

    /// Opens the "pull now" stream; the caller reads its `heads` messages with [`next_heads`].
    pub(crate) async fn stream(&self) -> Result<reqwest::Response, SyncError> {
        let url = self.url("stream");
        let resp = self
            .request(&self.stream_client, reqwest::Method::GET, &url)
            .header("accept", "text/event-stream")
            .send()
            .await
            .map_err(|e| unreachable(&url, e))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        // Not a success, so `answer` says why; the Ok arm cannot happen.
        Err(answer::<serde_json::Value>(&url, resp).await.err().unwrap_or(SyncError::Server {
            url,
            status: status.as_u16(),
            body: String::new(),
        }))
    }
}

/// Reads server-sent events from `resp` and returns the next `heads` message; None when the
/// stream ends. `buf` carries a partial message between calls.
pub(crate) async fn next_heads(
    resp: &mut reqwest::Response,
    buf: &mut String,
) -> Result<Option<SyncHeads>, SyncError> {
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
            Err(e) => {
                return Err(SyncError::Unreachable { url: resp.url().to_string(), reason: e.to_string() })
            }
        }
    }
}
