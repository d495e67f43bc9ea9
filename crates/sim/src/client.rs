//! The server's HTTP API as the hall's devices and the administrator call it, one method per
//! endpoint, typed with the proto wire types. Every request is counted and timed.

use crate::error::{Result, SimError};
use hallkeeper_proto::{
    CallerView, Device, DeviceCreated, DeviceInput, DisplayFeed, ErrorBody, FinishedAndCalled, Hall,
    HallConfig, HallInput, IssuedTicket, KioskDepartment, Rating, RatingInput, TakeTicket, Ticket,
    TransferRequest, TransferTarget, WindowState, WindowStateRequest,
};
use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long one request may take before it counts as failed.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Requests made and their round-trip times.
#[derive(Debug, Default)]
pub struct Tally {
    requests: AtomicU64,
    latencies_us: Mutex<Vec<u32>>,
}

impl Tally {
    fn record(&self, took: Duration) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let us = u32::try_from(took.as_micros()).unwrap_or(u32::MAX);
        self.latencies_us.lock().unwrap_or_else(|p| p.into_inner()).push(us);
    }

    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn latencies_us(&self) -> Vec<u32> {
        self.latencies_us.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// One server, as seen from the hall's network.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    tally: Arc<Tally>,
}

/// A caller action on a named ticket (`POST /api/v1/caller/tickets/{id}/{action}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Recall,
    Start,
    Finish,
    NoShow,
    Park,
    Resume,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recall => "recall",
            Self::Start => "start",
            Self::Finish => "finish",
            Self::NoShow => "no-show",
            Self::Park => "park",
            Self::Resume => "resume",
        }
    }
}

impl Api {
    /// `base` is the server's root URL, e.g. `http://127.0.0.1:8720`.
    pub fn new(base: &str) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| SimError::Options(format!("HTTP client: {e}")))?;
        Ok(Self { http, base: base.trim_end_matches('/').to_owned(), tally: Arc::default() })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn tally(&self) -> &Arc<Tally> {
        &self.tally
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends, times, and returns the status and body; a transport failure is an error.
    async fn exchange(
        &self,
        method: &'static str,
        path: &str,
        req: RequestBuilder,
    ) -> Result<(StatusCode, Vec<u8>)> {
        let started = Instant::now();
        let transport = |source| SimError::Transport { method, path: path.to_owned(), source };
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status();
        let body = resp.bytes().await.map_err(transport)?;
        self.tally.record(started.elapsed());
        Ok((status, body.to_vec()))
    }

    /// A 2xx answer decoded as `T`, or the server's refusal.
    async fn call<T: DeserializeOwned>(
        &self,
        method: &'static str,
        path: &str,
        req: RequestBuilder,
    ) -> Result<T> {
        let (status, body) = self.exchange(method, path, req).await?;
        if !status.is_success() {
            return Err(refusal(method, path, status, &body));
        }
        serde_json::from_slice(&body).map_err(|e| SimError::Decode {
            method,
            path: path.to_owned(),
            status: status.as_u16(),
            detail: e.to_string(),
        })
    }

    /// A 2xx answer whose body does not matter (204 No Content).
    async fn call_empty(&self, method: &'static str, path: &str, req: RequestBuilder) -> Result<()> {
        let (status, body) = self.exchange(method, path, req).await?;
        if !status.is_success() {
            return Err(refusal(method, path, status, &body));
        }
        Ok(())
    }

    fn get(&self, path: &str, token: &str) -> RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(token)
    }

    fn post(&self, path: &str, token: &str) -> RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(token)
    }

    fn put(&self, path: &str, token: &str) -> RequestBuilder {
        self.http.put(self.url(path)).bearer_auth(token)
    }

    /// `GET /healthz`; a server that does not answer is [`SimError::Unreachable`].
    pub async fn health(&self) -> Result<()> {
        let resp = self
            .http
            .get(self.url("/healthz"))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|source| SimError::Unreachable { url: self.base.clone(), source })?;
        if !resp.status().is_success() {
            return Err(SimError::Decode {
                method: "GET",
                path: "/healthz".into(),
                status: resp.status().as_u16(),
                detail: "the server is not healthy".into(),
            });
        }
        Ok(())
    }

    // ---- admin ----

    pub async fn halls(&self, admin: &str) -> Result<Vec<Hall>> {
        let path = "/api/v1/admin/halls";
        self.call("GET", path, self.get(path, admin)).await
    }

    pub async fn create_hall(&self, admin: &str, input: &HallInput) -> Result<Hall> {
        let path = "/api/v1/admin/halls";
        self.call("POST", path, self.post(path, admin).json(input)).await
    }

    pub async fn put_config(&self, admin: &str, hall_id: &str, config: &HallConfig) -> Result<()> {
        let path = format!("/api/v1/admin/halls/{hall_id}/config");
        self.call_empty("PUT", &path, self.put(&path, admin).json(config)).await
    }

    pub async fn config(&self, admin: &str, hall_id: &str) -> Result<HallConfig> {
        let path = format!("/api/v1/admin/halls/{hall_id}/config");
        self.call("GET", &path, self.get(&path, admin)).await
    }

    pub async fn add_device(&self, admin: &str, hall_id: &str, input: &DeviceInput) -> Result<DeviceCreated> {
        let path = format!("/api/v1/admin/halls/{hall_id}/devices");
        self.call("POST", &path, self.post(&path, admin).json(input)).await
    }

    pub async fn devices(&self, admin: &str, hall_id: &str) -> Result<Vec<Device>> {
        let path = format!("/api/v1/admin/halls/{hall_id}/devices");
        self.call("GET", &path, self.get(&path, admin)).await
    }

    /// Today's tickets of the hall (the server's hall day, UTC+8).
    pub async fn tickets(&self, admin: &str, hall_id: &str) -> Result<Vec<Ticket>> {
        let path = format!("/api/v1/admin/halls/{hall_id}/tickets");
        self.call("GET", &path, self.get(&path, admin)).await
    }

    /// Ratings given at or after `since` (RFC 3339), or all.
    pub async fn ratings(&self, admin: &str, hall_id: &str, since: Option<&str>) -> Result<Vec<Rating>> {
        let path = format!("/api/v1/admin/halls/{hall_id}/ratings");
        let query = since
            .map(|s| format!("?since={}", s.replace(':', "%3A").replace('+', "%2B")))
            .unwrap_or_default();
        self.call("GET", &path, self.get(&format!("{path}{query}"), admin)).await
    }

    // ---- kiosk ----

    pub async fn kiosk_matters(&self, kiosk: &str) -> Result<Vec<KioskDepartment>> {
        let path = "/api/v1/kiosk/matters";
        self.call("GET", path, self.get(path, kiosk)).await
    }

    pub async fn take_ticket(&self, kiosk: &str, input: &TakeTicket) -> Result<IssuedTicket> {
        let path = "/api/v1/kiosk/tickets";
        self.call("POST", path, self.post(path, kiosk).json(input)).await
    }

    // ---- caller ----

    pub async fn caller_view(&self, caller: &str) -> Result<CallerView> {
        let path = "/api/v1/caller";
        self.call("GET", path, self.get(path, caller)).await
    }

    pub async fn call_next(&self, caller: &str) -> Result<Ticket> {
        let path = "/api/v1/caller/next";
        self.call("POST", path, self.post(path, caller)).await
    }

    pub async fn act(&self, caller: &str, ticket_id: &str, action: Action) -> Result<Ticket> {
        let path = format!("/api/v1/caller/tickets/{ticket_id}/{}", action.as_str());
        self.call("POST", &path, self.post(&path, caller)).await
    }

    /// 完成并叫下一位: finishes the window's ticket and calls the next one in one request
    /// (`called` is None when nobody was waiting).
    pub async fn finish_and_call_next(&self, caller: &str, ticket_id: &str) -> Result<FinishedAndCalled> {
        let path = format!("/api/v1/caller/tickets/{ticket_id}/finish-and-next");
        self.call("POST", &path, self.post(&path, caller)).await
    }

    pub async fn transfer(&self, caller: &str, ticket_id: &str, target: TransferTarget) -> Result<Ticket> {
        let path = format!("/api/v1/caller/tickets/{ticket_id}/transfer");
        self.call("POST", &path, self.post(&path, caller).json(&TransferRequest { target })).await
    }

    pub async fn window_state(&self, caller: &str, state: WindowState) -> Result<CallerView> {
        let path = "/api/v1/caller/window-state";
        self.call("PUT", path, self.put(path, caller).json(&WindowStateRequest { state })).await
    }

    // ---- rating pad and display ----

    pub async fn rate(&self, pad: &str, input: &RatingInput) -> Result<Rating> {
        let path = "/api/v1/pad/ratings";
        self.call("POST", path, self.post(path, pad).json(input)).await
    }

    pub async fn display(&self, display: &str) -> Result<DisplayFeed> {
        let path = "/api/v1/display";
        self.call("GET", path, self.get(path, display)).await
    }
}

fn refusal(method: &'static str, path: &str, status: StatusCode, body: &[u8]) -> SimError {
    let (code, message) = match serde_json::from_slice::<ErrorBody>(body) {
        Ok(b) => (b.code, b.message),
        Err(_) => (String::new(), String::from_utf8_lossy(body).chars().take(200).collect()),
    };
    SimError::Refused { method, path: path.to_owned(), status: status.as_u16(), code, message }
}
