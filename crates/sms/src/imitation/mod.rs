//! Local imitations of the providers' HTTP APIs.
//!
//! Each is a small axum server on `127.0.0.1:0` that checks a request the way the provider does —
//! it recomputes the canonical request and signature from what arrived, with the shared secret,
//! and checks the required headers, the payload hash and the timestamp skew — then answers with the
//! provider's response shapes and error codes. They keep per-number daily counts so rate limiting
//! can be exercised, accept a script of faults (500s, hangs) for retry tests, and record every
//! accepted message. The server's end-to-end tests use them too, hence a feature and not `cfg(test)`.

pub mod alibaba;
pub mod tencent;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub use alibaba::{AlibabaImitation, AlibabaImitationConfig};
pub use tencent::{TencentImitation, TencentImitationConfig};

/// A scripted misbehaviour for the next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer with a 5xx instead of processing.
    ServerError,
    /// Wait this long before processing — longer than the client's timeout to make it time out.
    Hang(Duration),
}

/// A message the imitation accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedSms {
    /// As it arrived: 11 digits for Alibaba, `+86…` for Tencent.
    pub phone: String,
    pub sign_name: String,
    pub template_id: String,
    /// Alibaba: from the `TemplateParam` object (sorted by name). Tencent: `("1", v1)`, `("2", v2)` ….
    pub params: Vec<(String, String)>,
    /// `OutId` / `SessionContext`.
    pub idempotency_key: String,
    pub message_id: String,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Debug, Default)]
pub(crate) struct Faults(Mutex<VecDeque<Fault>>);

impl Faults {
    pub(crate) fn push(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.0).extend(faults);
    }

    pub(crate) fn next(&self) -> Option<Fault> {
        lock(&self.0).pop_front()
    }
}

/// A running server; stopped when dropped.
#[derive(Debug)]
pub(crate) struct Running {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub(crate) async fn start(router: axum::Router) -> std::io::Result<Running> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::warn!("sms imitation stopped: {e}");
            }
        });
        Ok(Running { addr, task })
    }

    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Plays the next scripted fault: true when the request must be answered with a 5xx.
pub(crate) async fn apply_fault(faults: &Faults) -> bool {
    match faults.next() {
        Some(Fault::ServerError) => true,
        Some(Fault::Hang(d)) => {
            tokio::time::sleep(d).await;
            false
        }
        None => false,
    }
}

pub(crate) fn header<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub(crate) fn request_id() -> String {
    let h = crate::provider::random_hex(16).unwrap_or_else(|_| "0".repeat(32));
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]).to_uppercase()
}

pub(crate) fn is_mainland_mobile(digits: &str) -> bool {
    digits.len() == 11
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.starts_with('1')
        && (b'3'..=b'9').contains(&digits.as_bytes()[1])
}
