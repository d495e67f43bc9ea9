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

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
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

/// What an imitation remembers between requests: the day's count per number (keyed as the
/// provider limits: Alibaba per signature, template and number; Tencent per number), every message
/// it accepted, how many requests arrived, and the provider's own memory in `extra` (Alibaba's
/// seen nonces, Tencent's last content per number).
#[derive(Debug)]
pub struct Books<K, X> {
    pub(crate) per_number: HashMap<K, u32>,
    pub(crate) accepted: Vec<AcceptedSms>,
    pub(crate) requests: usize,
    pub(crate) serial: u64,
    pub(crate) extra: X,
}

impl<K, X: Default> Default for Books<K, X> {
    fn default() -> Self {
        Books {
            per_number: HashMap::new(),
            accepted: Vec::new(),
            requests: 0,
            serial: 0,
            extra: X::default(),
        }
    }
}

/// The state a running imitation's handler shares with its handle.
#[derive(Debug)]
pub struct Shared<C, B> {
    pub(crate) config: Mutex<C>,
    pub(crate) books: Mutex<B>,
    pub(crate) faults: Faults,
}

/// A running imitation of one provider (`AlibabaImitation`, `TencentImitation`); stops when dropped.
#[derive(Debug)]
pub struct Imitation<C, B> {
    running: Running,
    shared: Arc<Shared<C, B>>,
}

impl<C, K: Eq + Hash, X: Default> Imitation<C, Books<K, X>> {
    /// Serves `router(shared state)` on a loopback port.
    pub(crate) async fn serve(
        config: C,
        router: impl FnOnce(Arc<Shared<C, Books<K, X>>>) -> axum::Router,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            config: Mutex::new(config),
            books: Mutex::new(Books::default()),
            faults: Faults::default(),
        });
        Ok(Imitation { running: Running::start(router(shared.clone())).await?, shared })
    }

    /// The endpoint to give the adapter's config (`with_endpoint`).
    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    pub fn accepted(&self) -> Vec<AcceptedSms> {
        lock(&self.shared.books).accepted.clone()
    }

    /// Every request that reached the handler, refused ones included.
    pub fn requests(&self) -> usize {
        lock(&self.shared.books).requests
    }

    pub fn fail_next(&self, faults: impl IntoIterator<Item = Fault>) {
        self.shared.faults.push(faults);
    }

    pub(crate) fn config(&self) -> MutexGuard<'_, C> {
        lock(&self.shared.config)
    }

    pub(crate) fn books(&self) -> MutexGuard<'_, Books<K, X>> {
        lock(&self.shared.books)
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
