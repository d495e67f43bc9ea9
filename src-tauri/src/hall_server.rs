//! The central server this desktop works with. By default it is *embedded*: the same server
//! library, started in this process on a loopback port with its own SQLite file in the data
//! folder, so one command runs a whole hall. `--server URL` (with an admin token) points the
//! desktop at a remote server instead.
//!
//! Sync (`hallkeeper-sync-client`) keeps the local store and the server's rows the same. The
//! server's queue still takes its configuration as one document, so the desktop also puts the
//! hall's configuration — windows, catalog, bindings — whenever one of them changes, so the
//! kiosk and the callers work with what the supervisor set up.
//!
//! The embedded server sends SMS reminders through the *log* provider: nothing leaves the PC;
//! every message is appended, number masked, as one JSON line to `<data dir>/server/sms.jsonl`
//! ([`SMS_LOG_FILE`]), which is what a demo shows and what the e2e suite reads. The server's usual
//! `HALLKEEPER_SMS_*` environment applies on top (`HALLKEEPER_SMS_PROVIDER=off` turns it off).

use hallkeeper_core::proto::{HallConfig, QueueSettings};
use hallkeeper_core::Store;
use hallkeeper_server::sms::config::SmsFileConfig;
use hallkeeper_server::sms::SmsService;
use hallkeeper_server::storage::sqlite::SqliteStorage;
use hallkeeper_server::{start, system_now, AppState as ServerState, Running};
use hallkeeper_sync_client::{Endpoint, SyncClient, SyncError, SyncReport};
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

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("cannot start the embedded server: {0}")]
    Start(String),
    #[error("the central server at {url} answered {status}: {body}")]
    Refused { url: String, status: u16, body: String },
    #[error("cannot reach the central server at {url}: {source}")]
    Unreachable { url: String, source: reqwest::Error },
    #[error("the central server at {url} answered with something unreadable: {detail}")]
    Unreadable { url: String, detail: String },
}

impl LinkError {
    /// The server's own `{code, message, field}` when it refused with one.
    pub fn server_error(&self) -> Option<hallkeeper_core::proto::ErrorBody> {
        match self {
            LinkError::Refused { body, .. } => serde_json::from_str(body).ok(),
            _ => None,
        }
    }
}

pub struct ServerLink {
    pub base_url: String,
    pub hall_id: String,
    admin_token: String,
    http: reqwest::Client,
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
        // A fresh admin token each run: only this process knows it.
        let admin_token = hallkeeper_server::auth::new_token();
        let mut state = ServerState::new(Arc::new(storage), Some(&admin_token), system_now());
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
        let link = Self {
            base_url: format!("http://{}", running.addr),
            hall_id: LOCAL_HALL.to_owned(),
            admin_token,
            http: client(),
            changed: Notify::new(),
            sync: OnceLock::new(),
            _embedded: Some(running),
        };
        link.ensure_hall(hallkeeper_core::notices::LOCAL_HALL_NAME).await?;
        Ok(link)
    }

    /// A remote server, administered with its admin token.
    pub async fn remote(url: &str, admin_token: &str, hall_id: &str) -> Result<Self, LinkError> {
        let link = Self {
            base_url: url.trim_end_matches('/').to_owned(),
            hall_id: hall_id.to_owned(),
            admin_token: admin_token.to_owned(),
            http: client(),
            changed: Notify::new(),
            sync: OnceLock::new(),
            _embedded: None,
        };
        // An unreachable or refusing server is not the end: the desktop works on its store,
        // and sync keeps trying and shows why in its status.
        if let Err(e) = link.ensure_hall(hall_id).await {
            tracing::warn!("the central server is not ready for this hall yet: {e}");
        }
        Ok(link)
    }

    /// `<base>/api/v1/admin/halls/<hall>/<path>`, the hall id escaped (the client crate's one
    /// URL builder).
    fn hall_url(&self, path: &str) -> String {
        hallkeeper_sync_client::hall_address(&self.base_url, &self.hall_id, path)
    }

    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    async fn ensure_hall(&self, name: &str) -> Result<(), LinkError> {
        let url = format!("{}/api/v1/admin/halls", self.base_url);
        let resp = self
            .http
            .post(&url)
            .bearer_auth(&self.admin_token)
            .json(&serde_json::json!({ "id": self.hall_id, "name": name }))
            .send()
            .await
            .map_err(|source| LinkError::Unreachable { url: url.clone(), source })?;
        match resp.status().as_u16() {
            201 | 409 => Ok(()), // created, or there already
            status => Err(LinkError::Refused { url, status, body: resp.text().await.unwrap_or_default() }),
        }
    }

    /// `GET /api/v1/admin/halls/<hall>/<path>` with the admin token, as JSON.
    pub async fn admin_get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, LinkError> {
        let url = self.hall_url(path);
        let sent = self.http.get(&url).bearer_auth(&self.admin_token).send().await;
        Self::read_json(url, sent).await
    }

    /// `POST /api/v1/admin/halls/<hall>/<path>` with the admin token and a JSON body.
    pub async fn admin_post<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, LinkError> {
        let url = self.hall_url(path);
        let sent = self.http.post(&url).bearer_auth(&self.admin_token).json(body).send().await;
        Self::read_json(url, sent).await
    }

    async fn read_json<T: serde::de::DeserializeOwned>(
        url: String,
        sent: Result<reqwest::Response, reqwest::Error>,
    ) -> Result<T, LinkError> {
        let resp = sent.map_err(|source| LinkError::Unreachable { url: url.clone(), source })?;
        let status = resp.status();
        let body =
            resp.bytes().await.map_err(|source| LinkError::Unreachable { url: url.clone(), source })?;
        if !status.is_success() {
            let body = String::from_utf8_lossy(&body).into_owned();
            return Err(LinkError::Refused { url, status: status.as_u16(), body });
        }
        serde_json::from_slice(&body).map_err(|e| LinkError::Unreadable { url, detail: e.to_string() })
    }

    pub async fn push_config(&self, config: &HallConfig) -> Result<(), LinkError> {
        let url = self.hall_url("config");
        let resp = self
            .http
            .put(&url)
            .bearer_auth(&self.admin_token)
            .json(config)
            .send()
            .await
            .map_err(|source| LinkError::Unreachable { url: url.clone(), source })?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(LinkError::Refused {
                url,
                status: resp.status().as_u16(),
                body: resp.text().await.unwrap_or_default(),
            })
        }
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
    fn endpoint(&self) -> Endpoint {
        Endpoint {
            base_url: self.base_url.clone(),
            hall_id: self.hall_id.clone(),
            admin_token: self.admin_token.clone(),
        }
    }

    /// Starts sync between `store` and this server for the life of the app (once; later calls
    /// return the running client).
    pub fn start_sync(&self, store: Arc<Store>) -> Arc<SyncClient> {
        self.sync
            .get_or_init(|| {
                let client = if self._embedded.is_some() {
                    SyncClient::embedded(store, self.endpoint())
                } else {
                    SyncClient::new(store, self.endpoint())
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
    pub async fn sync_now(&self, store: &Arc<Store>) -> Result<SyncReport, SyncError> {
        self.start_sync(store.clone()).sync_now().await
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default()
}
