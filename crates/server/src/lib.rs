//! Hallkeeper's central server: what the hall's kiosks, window callers, rating pads and display
//! talk to, and the sync peer of every supervisor desktop (docs/sync.md). It owns the queue: each
//! hall's queue lives in memory as a `hallkeeper_queue::HallQueue`, rebuilt at start by replaying
//! the day's events from storage, and every change is appended to storage before it is answered.
//!
//! The API is documented for device makers in `openapi.yaml` (a test keeps it in step with the
//! router). `serve` runs it; the desktop embeds the same library on loopback.

pub mod accounts;
pub mod api;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod device_events;
pub mod device_pages;
pub mod error;
pub mod halls;
pub mod ids;
pub mod json;
pub mod kiosk_ticket;
pub mod pairing;
pub mod seating;
pub mod signals;
pub mod sms;
pub mod storage;
pub mod sync;
pub mod terminal;

use chrono::{DateTime, Utc};
use std::net::SocketAddr;
use std::sync::Arc;
use storage::Storage;

/// Time is passed in: tests run the server at a fixed or advancing instant.
pub type Now = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub halls: halls::Halls,
    /// Per hall: new changes or ticket events are stored (the sync stream's "pull now").
    pub signals: Arc<signals::HallSignals>,
    /// SHA-256 of the shared admin token, set only when break-glass is on (`break_glass = true`
    /// in the configuration, or `HALLKEEPER_BREAK_GLASS=1`); None: only people's sessions open the
    /// admin API. The token then acts as 系统管理员 and every use is audited as `break-glass`.
    pub break_glass_token_hash: Option<String>,
    /// How long a person's session lives (idle, absolute).
    pub session_lifetime: hallkeeper_access::SessionLifetime,
    /// Failed sign-ins per login and per address (in memory: `accounts::Throttles` says why).
    pub throttles: accounts::Throttles,
    pub now: Now,
    /// Becomes true when the server stops: streams that would never end on their own (sync
    /// streams) end then, so a graceful shutdown does not wait for their clients to leave.
    pub stopping: tokio::sync::watch::Sender<bool>,
    /// SMS reminders; None when the server sends none (phones given at the kiosk are dropped).
    pub sms: Option<Arc<sms::SmsService>>,
    /// Pairing-code exchanges per address (`POST /api/v1/devices/pair`).
    pub pairing_throttle: pairing::PairingThrottle,
    /// What the displays' and pads' event streams are told (`device_events`).
    pub device_events: Arc<device_events::DeviceHub>,
    /// The clip pack announcements are built from (`HALLKEEPER_VOICE_PACK`, else the built-in
    /// one), loaded once here; a folder that does not load is refused by `start`.
    pub voice: Result<Arc<hallkeeper_voice::Pack>, Arc<hallkeeper_voice::VoiceError>>,
    /// Who is signed in at which window terminal (`crate::terminal`, in memory).
    pub terminals: terminal::TerminalSessions,
    /// Whether the caller routes require a terminal session (`terminal_sign_in_required`).
    pub terminal_sign_in: terminal::SignInRule,
}

impl AppState {
    /// A server whose admin API only people's sessions open (break-glass off).
    pub fn new(storage: Arc<dyn Storage>, now: Now) -> Self {
        let signals = Arc::new(signals::HallSignals::default());
        let device_events = Arc::new(device_events::DeviceHub::default());
        Self {
            storage,
            halls: halls::Halls::new(signals.clone(), device_events.clone()),
            signals,
            break_glass_token_hash: None,
            session_lifetime: hallkeeper_access::SessionLifetime::default(),
            throttles: accounts::Throttles::default(),
            now,
            stopping: tokio::sync::watch::channel(false).0,
            sms: None,
            pairing_throttle: pairing::PairingThrottle::default(),
            device_events,
            voice: hallkeeper_voice::Pack::from_env().map(Arc::new).map_err(Arc::new),
            terminals: terminal::TerminalSessions::default(),
            // Off by default so hardware callers and the simulator keep working; the server
            // binary turns it on from its configuration.
            terminal_sign_in: terminal::SignInRule::Optional,
        }
    }

    /// Turns break-glass on with this shared admin token (before `start`): it then acts as
    /// 系统管理员, audited as `break-glass`. The server binary calls it only when `break_glass`
    /// is set; tests and the desktop's embedded server (for now) call it directly.
    pub fn with_break_glass_token(mut self, token: &str) -> Self {
        self.break_glass_token_hash = Some(auth::hash_token(token));
        self
    }

    /// Makes every caller request carry a signed-in person's terminal session (before `start`).
    pub fn with_terminal_sign_in_required(mut self) -> Self {
        self.terminal_sign_in = terminal::SignInRule::Required;
        self
    }

    /// Turns SMS reminders on (before `start`).
    pub fn with_sms(mut self, sms: Arc<sms::SmsService>) -> Self {
        self.halls.set_sms(sms.clone());
        self.sms = Some(sms);
        self
    }
}

pub fn system_now() -> Now {
    Arc::new(Utc::now)
}

/// The router with its layers: request tracing.
pub fn app(state: Arc<AppState>) -> axum::Router {
    api::router(state).layer(tower_http::trace::TraceLayer::new_for_http())
}

/// A running server: its address and a handle that stops it gracefully.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, and waits.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.task.await.map_err(std::io::Error::other)?
    }
}

/// Migrates storage and serves on `addr` (port 0 picks a free one) until stopped.
pub async fn start(addr: SocketAddr, state: Arc<AppState>) -> Result<Running, error::StartError> {
    if let Err(e) = &state.voice {
        return Err(error::StartError::Config(format!("voice pack (HALLKEEPER_VOICE_PACK): {e}")));
    }
    state.storage.migrate().await?;
    sms::start_background(&state).await?;
    let listener =
        tokio::net::TcpListener::bind(addr).await.map_err(|e| error::StartError::Bind { addr, source: e })?;
    let addr = listener.local_addr().map_err(|e| error::StartError::Bind { addr, source: e })?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let stopping = state.stopping.clone();
    let app = app(state);
    let task = tokio::spawn(async move {
        // With the peer's address, for the throttles (sign-in, pairing) and the audit log.
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = rx.await;
                stopping.send_replace(true);
            })
            .await
    });
    tracing::info!(%addr, "hallkeeper server listening");
    Ok(Running { addr, stop: Some(tx), task })
}
