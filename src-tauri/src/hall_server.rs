//! The central server this desktop works with. By default it is *embedded*: the same server
//! library, started in this process on a loopback port with its own SQLite file in the data
//! folder, so one command runs a whole hall. `--server URL` (with an admin token) points the
//! desktop at a remote server instead.
//!
//! Until sync (issue 5) replaces it, the desktop pushes the hall's configuration — windows,
//! catalog, bindings — to the server over HTTP whenever one of them changes, so the kiosk and
//! the callers work with what the supervisor set up.

use hallkeeper_core::proto::{HallConfig, QueueSettings};
use hallkeeper_core::Store;
use hallkeeper_server::storage::sqlite::SqliteStorage;
use hallkeeper_server::{start, system_now, AppState as ServerState, Running};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The hall this desktop runs on its embedded server.
pub const LOCAL_HALL: &str = "local";

/// The queue rules the desktop sends until they are editable in settings.
pub fn default_settings() -> QueueSettings {
    QueueSettings { max_recalls: 2, fallback_prefix: "A".into() }
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("cannot start the embedded server: {0}")]
    Start(String),
    #[error("the central server at {url} answered {status}: {body}")]
    Refused { url: String, status: u16, body: String },
    #[error("cannot reach the central server at {url}: {source}")]
    Unreachable { url: String, source: reqwest::Error },
}

pub struct ServerLink {
    pub base_url: String,
    pub hall_id: String,
    admin_token: String,
    http: reqwest::Client,
    /// Asks the pusher to send the configuration again.
    changed: Notify,
    /// Asks the sync pusher to send the outbox.
    ops_written: Notify,
    _embedded: Option<Running>,
}

impl ServerLink {
    /// Starts the embedded server on 127.0.0.1 with its store in `<data_dir>/server/`, and makes
    /// sure the local hall exists.
    pub async fn embedded(data_dir: &Path) -> Result<Self, LinkError> {
        let storage = SqliteStorage::open(&data_dir.join("server").join("hallkeeper-server.db"))
            .map_err(|e| LinkError::Start(e.to_string()))?;
        // A fresh admin token each run: only this process knows it.
        let admin_token = hallkeeper_server::auth::new_token();
        let state = Arc::new(ServerState::new(Arc::new(storage), Some(&admin_token), system_now()));
        let running =
            start(([127, 0, 0, 1], 0).into(), state).await.map_err(|e| LinkError::Start(e.to_string()))?;
        let link = Self {
            base_url: format!("http://{}", running.addr),
            hall_id: LOCAL_HALL.to_owned(),
            admin_token,
            http: client(),
            changed: Notify::new(),
            ops_written: Notify::new(),
            _embedded: Some(running),
        };
        link.ensure_hall("本地大厅").await?;
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
            ops_written: Notify::new(),
            _embedded: None,
        };
        link.ensure_hall(hall_id).await?;
        Ok(link)
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

    pub async fn push_config(&self, config: &HallConfig) -> Result<(), LinkError> {
        let url = format!("{}/api/v1/admin/halls/{}/config", self.base_url, self.hall_id);
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
    /// once). Runs for the life of the app.
    pub async fn keep_config_pushed(self: Arc<Self>, store: Arc<Store>) {
        loop {
            let read = {
                let store = store.clone();
                tokio::task::spawn_blocking(move || store.hall_config(default_settings())).await
            };
            match read {
                Ok(Ok(config)) => match self.push_config(&config).await {
                    Ok(()) => tracing::debug!(
                        windows = config.windows.len(),
                        matters = config.matters.len(),
                        "hall configuration sent to the server"
                    ),
                    Err(e) => tracing::warn!("hall configuration not sent: {e}"),
                },
                Ok(Err(e)) => tracing::warn!("cannot read the hall configuration: {e}"),
                Err(e) => tracing::warn!("cannot read the hall configuration: {e}"),
            }
            self.changed.notified().await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Why a push did not go through.
#[derive(Debug)]
enum PushError {
    /// Network trouble or a server error: try again later.
    Retry(String),
    /// The server refused the batch itself (e.g. another schema version): keep the operations,
    /// say why, and wait for a change before trying again.
    Refused(String),
}

/// Operations per push.
const PUSH_BATCH: usize = 500;
const BACKOFF_START: Duration = Duration::from_millis(500);
const BACKOFF_CAP: Duration = Duration::from_secs(30);

impl ServerLink {
    /// Tells the sync pusher new operations are in the outbox.
    pub fn ops_written(&self) {
        self.ops_written.notify_one();
    }

    /// Sends one batch of the outbox; Ok(true) when more are waiting.
    async fn push_once(&self, store: &Arc<Store>) -> Result<bool, PushError> {
        let s = store.clone();
        let (ops, device) = tokio::task::spawn_blocking(move || {
            Ok::<_, hallkeeper_core::Error>((s.pending_ops(PUSH_BATCH)?, s.sync_device_id()?))
        })
        .await
        .map_err(|e| PushError::Retry(e.to_string()))?
        .map_err(|e| PushError::Retry(e.to_string()))?;
        let (Some(device), false) = (device, ops.is_empty()) else { return Ok(false) };
        let more = ops.len() == PUSH_BATCH;
        let body = hallkeeper_core::proto::PushRequest {
            device_id: device,
            schema_version: hallkeeper_core::proto::SYNC_SCHEMA_VERSION,
            ops: ops
                .into_iter()
                .map(|o| hallkeeper_core::proto::SyncOp {
                    seq: o.seq,
                    op_id: o.op_id,
                    hlc: o.hlc,
                    entity: o.entity,
                    key: o.key,
                    change: o.change,
                })
                .collect(),
        };
        let url = format!("{}/api/v1/admin/halls/{}/sync/push", self.base_url, self.hall_id);
        let resp = self
            .http
            .post(&url)
            .bearer_auth(&self.admin_token)
            .json(&body)
            .send()
            .await
            .map_err(|e| PushError::Retry(format!("{url}: {e}")))?;
        let status = resp.status();
        if status.is_server_error() {
            return Err(PushError::Retry(format!("{url} answered {status}")));
        }
        if !status.is_success() {
            return Err(PushError::Refused(format!(
                "{url} answered {status}: {}",
                resp.text().await.unwrap_or_default()
            )));
        }
        let answer: hallkeeper_core::proto::PushResponse =
            resp.json().await.map_err(|e| PushError::Retry(format!("{url}: unreadable answer: {e}")))?;
        let rejected: Vec<(i64, String, String)> =
            answer.rejected.iter().map(|r| (r.seq, r.code.clone(), r.message.clone())).collect();
        for r in &answer.rejected {
            tracing::warn!(seq = r.seq, code = %r.code, "the server rejected a change: {}", r.message);
        }
        let s = store.clone();
        tokio::task::spawn_blocking(move || s.record_push_result(answer.highest_seq, &rejected))
            .await
            .map_err(|e| PushError::Retry(e.to_string()))?
            .map_err(|e| PushError::Retry(e.to_string()))?;
        Ok(more)
    }

    /// Pushes everything pending now ("sync now"); the error says why it stopped.
    pub async fn sync_now(&self, store: &Arc<Store>) -> Result<(), String> {
        loop {
            match self.push_once(store).await {
                Ok(true) => continue,
                Ok(false) => return Ok(()),
                Err(PushError::Retry(why) | PushError::Refused(why)) => return Err(why),
            }
        }
    }

    /// Pushes the outbox for the life of the app: at once after every write, every 30 s
    /// otherwise, and after a failure with exponential backoff and jitter (capped at 30 s) —
    /// a failed push is retried without waiting for the next edit.
    pub async fn keep_pushing(self: Arc<Self>, store: Arc<Store>) {
        let mut backoff = BACKOFF_START;
        loop {
            match self.push_once(&store).await {
                Ok(true) => continue,
                Ok(false) => {
                    backoff = BACKOFF_START;
                    tokio::select! {
                        _ = self.ops_written.notified() => {}
                        _ = tokio::time::sleep(BACKOFF_CAP) => {}
                    }
                }
                Err(PushError::Retry(why)) => {
                    tracing::debug!("push failed, retrying in {backoff:?}: {why}");
                    tokio::time::sleep(backoff + jitter(backoff)).await;
                    backoff = (backoff * 2).min(BACKOFF_CAP);
                }
                Err(PushError::Refused(why)) => {
                    tracing::warn!("the server refused the pending changes (kept, not sent): {why}");
                    self.ops_written.notified().await;
                }
            }
        }
    }
}

/// Up to half of `base`, so desktops that lost the server together do not return together.
fn jitter(base: Duration) -> Duration {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let half = (base.as_millis() as u64 / 2).max(1);
    Duration::from_millis(u64::from(nanos) % half)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default()
}
