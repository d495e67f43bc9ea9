//! The central server this desktop works with. By default it is *embedded*: the same server
//! library, started in this process on a loopback port with its own SQLite file in the data
//! folder, so one command runs a whole hall. `--server URL` (with an admin token) points the
//! desktop at a remote server instead.
//!
//! Everything said to the server goes through `hallkeeper-client`: sync keeps the local store and the server's rows the same. The
//! server's queue still takes its configuration as one document, so the desktop also puts the
//! hall's configuration — windows, catalog, bindings — whenever one of them changes, so the
//! kiosk and the callers work with what the supervisor set up.
//!
//! The embedded server sends SMS reminders through the *log* provider: nothing leaves the PC;
//! every message is appended, number masked, as one JSON line to `<data dir>/server/sms.jsonl`
//! ([`SMS_LOG_FILE`]), which is what a demo shows and what the e2e suite reads. The server's usual
//! `HALLKEEPER_SMS_*` environment applies on top (`HALLKEEPER_SMS_PROVIDER=off` turns it off).

use hallkeeper_client::{AdminClient, ClientError, Endpoint, SyncClient, SyncReport};
use hallkeeper_core::proto::{HallConfig, QueueSettings};
use hallkeeper_core::Store;
use hallkeeper_server::sms::config::SmsFileConfig;
use hallkeeper_server::sms::SmsService;
use hallkeeper_server::storage::sqlite::SqliteStorage;
use hallkeeper_server::{start, system_now, AppState as ServerState, Running};
use std::path::Path;
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The hall this desktop runs on its embedded server.
pub const LOCAL_HALL: &str = "local";

/// The embedded server's SMS log (log provider), inside `<data dir>/server/`.
pub const SMS_LOG_FILE: &str = "sms.jsonl";

/// The queue rules the desktop sends until they are editable in settings.
pub fn default_settings() -> QueueSettings {
    hallkeeper_core::store::queue_settings()
}

/// Why the link to a server could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("cannot start the embedded server: {0}")]
    Start(String),
    #[error(transparent)]
    Server(#[from] ClientError),
}

pub struct ServerLink {
    admin: AdminClient,
    /// Asks the pusher to send the configuration again.
    changed: Notify,
    sync: OnceLock<Arc<SyncClient>>,
    _embedded: Option<Running>,
}

impl ServerLink {
    /// Starts the embedded server on 127.0.0.1 with its store in `<data_dir>/server/`, and makes
    /// sure the local hall exists.
    pub async fn embedded(data_dir: &Path) -> Result<Self, LinkError> {
        let server_dir = data_dir.join("server");
        let storage = SqliteStorage::open(&server_dir.join("hallkeeper-server.db"))
            .map_err(|e| LinkError::Start(e.to_string()))?;
        // A fresh admin token each run: only this process knows it. Break-glass for now (issue 17):
        // the desktop's people sign in with sessions (`POST /api/v1/session`) once its sign-in lands.
        let admin_token = hallkeeper_server::auth::new_token();
        let mut state =
            ServerState::new(Arc::new(storage), system_now()).with_break_glass_token(&admin_token);
        let sms_config = SmsFileConfig {
            provider: Some("log".to_owned()),
            log_file: Some(server_dir.join(SMS_LOG_FILE)),
            ..SmsFileConfig::default()
        }
        .with_env(|name| std::env::var(name).ok());
        match SmsService::from_config(&sms_config, &server_dir) {
            Ok(Some(sms)) => state = state.with_sms(Arc::new(sms)),
            Ok(None) => tracing::info!("SMS reminders off on the embedded server"),
            Err(e) => tracing::warn!("SMS reminders off on the embedded server: {e}"),
        }
        let state = Arc::new(state);
        let running =
            start(([127, 0, 0, 1], 0).into(), state).await.map_err(|e| LinkError::Start(e.to_string()))?;
        let link = Self::new(format!("http://{}", running.addr), LOCAL_HALL, &admin_token, Some(running));
        link.admin.ensure_hall(hallkeeper_core::notices::LOCAL_HALL_NAME).await?;
        Ok(link)
    }

    /// A remote server, administered with its admin token.
    pub async fn remote(url: &str, admin_token: &str, hall_id: &str) -> Result<Self, LinkError> {
        let link = Self::new(url.trim_end_matches('/').to_owned(), hall_id, admin_token, None);
        // An unreachable or refusing server is not the end: the desktop works on its store,
        // and sync keeps trying and shows why in its status.
        if let Err(e) = link.admin.ensure_hall(hall_id).await {
            tracing::warn!("the central server is not ready for this hall yet: {e}");
        }
        Ok(link)
    }

    fn new(base_url: String, hall_id: &str, admin_token: &str, embedded: Option<Running>) -> Self {
        let endpoint =
            Endpoint { base_url, hall_id: hall_id.to_owned(), admin_token: admin_token.to_owned() };
        Self {
            admin: AdminClient::new(endpoint),
            changed: Notify::new(),
            sync: OnceLock::new(),
            _embedded: embedded,
        }
    }

    /// The hall's admin calls on this server.
    pub fn admin(&self) -> &AdminClient {
        &self.admin
    }

    pub fn base_url(&self) -> &str {
        &self.admin.endpoint().base_url
    }

    pub fn hall_id(&self) -> &str {
        &self.admin.endpoint().hall_id
    }

    pub fn admin_token(&self) -> &str {
        &self.admin.endpoint().admin_token
    }

    pub async fn push_config(&self, config: &HallConfig) -> Result<(), ClientError> {
        self.admin.put_config(config).await
    }

    /// Tells the pusher the hall's configuration changed.
    pub fn config_changed(&self) {
        self.changed.notify_one();
    }

    /// Pushes the configuration now and after every change (changes within 200 ms are sent
    /// once), and when it changes by itself — a binding made for the day lapses at the hall's
    /// midnight — checked every minute. Runs for the life of the app.
    pub async fn keep_config_pushed(self: Arc<Self>, store: Arc<Store>) {
        // Not before this PC holds what the hall has: a PC joining a hall starts with an empty
        // store, and putting that would take every matter away from the kiosks.
        let sync = self.start_sync(store.clone());
        sync.caught_up().await;
        let mut pulled = sync.subscribe_pulled();
        // Ticket events and ratings are pulled several times a second in a busy hall; only a
        // pulled configuration change (another PC's edit) can change what is sent here.
        let mut seen_changes = pulled.borrow_and_update().changes;
        let mut sent: Option<HallConfig> = None;
        loop {
            let read = {
                let store = store.clone();
                tokio::task::spawn_blocking(move || store.hall_config(default_settings())).await
            };
            match read {
                Ok(Ok(config)) if sent.as_ref() == Some(&config) => {}
                Ok(Ok(config)) => match self.push_config(&config).await {
                    Ok(()) => {
                        tracing::debug!(
                            windows = config.windows.len(),
                            matters = config.matters.len(),
                            "hall configuration sent to the server"
                        );
                        sent = Some(config);
                    }
                    Err(e) => tracing::warn!("hall configuration not sent: {e}"),
                },
                Ok(Err(e)) => tracing::warn!("cannot read the hall configuration: {e}"),
                Err(e) => tracing::warn!("cannot read the hall configuration: {e}"),
            }
            // A local edit, a configuration change pulled from another PC, or the minute check.
            loop {
                tokio::select! {
                    _ = self.changed.notified() => break,
                    moved = pulled.changed() => {
                        if moved.is_err() {
                            // Sync ended: the minute check is left.
                            tokio::time::sleep(Duration::from_secs(60)).await;
                            break;
                        }
                        let changes = pulled.borrow_and_update().changes;
                        if changes != seen_changes {
                            seen_changes = changes;
                            break;
                        }
                    }
                    _ = tokio::time::sleep(Duration::from_secs(60)) => break,
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl ServerLink {
    /// Starts sync between `store` and this server for the life of the app (once; later calls
    /// return the running client).
    pub fn start_sync(&self, store: Arc<Store>) -> Arc<SyncClient> {
        self.sync
            .get_or_init(|| {
                let client = if self._embedded.is_some() {
                    SyncClient::embedded(store, self.admin.endpoint().clone())
                } else {
                    SyncClient::new(store, self.admin.endpoint().clone())
                };
                tokio::spawn(client.clone().run(CancellationToken::new()));
                client
            })
            .clone()
    }

    pub fn sync(&self) -> Option<&Arc<SyncClient>> {
        self.sync.get()
    }

    /// Tells the sync pusher new operations are in the outbox.
    pub fn ops_written(&self) {
        if let Some(sync) = self.sync.get() {
            sync.ops_written();
        }
    }

    /// Pushes everything pending and pulls to the server's head now ("sync now", and tests).
    pub async fn sync_now(&self, store: &Arc<Store>) -> Result<SyncReport, ClientError> {
        self.start_sync(store.clone()).sync_now().await
    }
}
