//! The central server this desktop works with. By default it is *embedded*: the same server
//! library, started in this process on a loopback port with its own SQLite file in the data
//! folder, so one command runs a whole hall. `--server URL` points the desktop at a remote server
//! instead. Either way every call is made as the person signed in (their session token, in the
//! shared credential); the embedded server has no shared admin token, and its first 系统管理员 is
//! made in-process on a fresh store (the first-run screen).
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

use hallkeeper_client::{AdminClient, ClientError, Credential, Endpoint, SyncClient, SyncReport};
use hallkeeper_core::proto::{ErrorBody, HallConfig, QueueSettings};
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

/// The front-line pages the server serves, one per kind of device.
pub const DEVICE_PAGES: [&str; 4] = ["kiosk", "terminal", "pad", "display"];

/// The hall this desktop runs on its embedded server.
pub const LOCAL_HALL: &str = "local";

/// The embedded server's SMS log (log provider), inside `<data dir>/server/`.
pub const SMS_LOG_FILE: &str = "sms.jsonl";

/// The queue rules the desktop sends until they are editable in settings.
pub fn default_settings() -> QueueSettings {
    hallkeeper_core::store::queue_settings()
}

/// Why the first run was refused, as the UI shows it (`{code, message, field}`: the server's
/// policy errors name their field).
#[derive(Debug, Clone)]
pub struct FirstRunFailure(pub ErrorBody);

impl FirstRunFailure {
    pub fn to_body(&self, locale: hallkeeper_core::proto::Locale) -> ErrorBody {
        let mut body = self.0.clone();
        if body.code == hallkeeper_core::FailureCode::FirstRunDone.as_str() {
            body.message = hallkeeper_core::notices::first_run_done(locale);
        }
        body
    }
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
    /// The hall's admin calls, sent with the signed-in person's session (the shared credential).
    admin: AdminClient,
    credential: Credential,
    /// Asks the pusher to send the configuration again.
    changed: Notify,
    sync: OnceLock<Arc<SyncClient>>,
    _embedded: Option<Running>,
    /// The embedded server's storage, for the first run (made in-process, no HTTP route).
    storage: Option<Arc<SqliteStorage>>,
}

impl ServerLink {
    /// Starts the embedded server on 127.0.0.1:`port` (a busy port falls back to any free one:
    /// a second app on the PC, or a test run, still starts) with its store in
    /// `<data_dir>/server/`, and makes sure the local hall exists.
    pub async fn embedded(data_dir: &Path, port: u16, credential: Credential) -> Result<Self, LinkError> {
        let server_dir = data_dir.join("server");
        let storage = Arc::new(
            SqliteStorage::open(&server_dir.join("hallkeeper-server.db"))
                .map_err(|e| LinkError::Start(e.to_string()))?,
        );
        // No shared admin token: people sign in, and the first 系统管理员 is made in-process.
        let mut state = ServerState::new(storage.clone(), system_now());
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
        // Tried before starting: `start` also migrates and starts the SMS worker, once.
        let port = if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            port
        } else {
            tracing::warn!(port, "the device port is taken: the embedded server listens on another");
            0
        };
        let running =
            start(([127, 0, 0, 1], port).into(), state).await.map_err(|e| LinkError::Start(e.to_string()))?;
        let base = format!("http://{}", running.addr);
        // Printed, not only logged: `scripts/run.sh` shows a person where to open the devices.
        println!("设备页面 device pages (pair each in 设备管理 · Devices):");
        for page in DEVICE_PAGES {
            println!("  {base}/{page}");
        }
        let link = Self::new(base, LOCAL_HALL, credential, Some(running));
        Ok(Self { storage: Some(storage), ..link })
    }

    /// A remote server, spoken to as the person signed in (the credential). An unreachable
    /// server is not the end: the desktop works on its store (people who signed in here lately
    /// sign in offline), and sync keeps trying and shows why in its status.
    pub async fn remote(url: &str, hall_id: &str, credential: Credential) -> Result<Self, LinkError> {
        Ok(Self::new(url.trim_end_matches('/').to_owned(), hall_id, credential, None))
    }

    fn new(base_url: String, hall_id: &str, credential: Credential, embedded: Option<Running>) -> Self {
        // The endpoint's admin token is not used: every client sends the shared credential.
        let endpoint = Endpoint { base_url, hall_id: hall_id.to_owned(), admin_token: String::new() };
        Self {
            admin: AdminClient::with_credential(endpoint, credential.clone()),
            credential,
            changed: Notify::new(),
            sync: OnceLock::new(),
            _embedded: embedded,
            storage: None,
        }
    }

    /// Whether the embedded server has no account yet (a remote server's first administrator
    /// comes from its CLI: never asked here).
    pub async fn first_run_needed(&self) -> Result<bool, FirstRunFailure> {
        let Some(storage) = &self.storage else { return Ok(false) };
        let any = hallkeeper_server::accounts::has_any_account(storage.as_ref()).await.map_err(|e| {
            FirstRunFailure(ErrorBody {
                code: "storage.unavailable".into(),
                message: e.to_string(),
                field: None,
            })
        })?;
        Ok(!any)
    }

    /// The embedded server's first 系统管理员 (refused once any account exists).
    pub async fn create_first_administrator(
        &self,
        login: &str,
        display_name: &str,
        password: &str,
    ) -> Result<hallkeeper_core::proto::Account, FirstRunFailure> {
        use hallkeeper_server::accounts::FirstRunError;
        let Some(storage) = &self.storage else {
            return Err(FirstRunFailure(ErrorBody {
                code: hallkeeper_core::FailureCode::FirstRunDone.as_str().into(),
                message: String::new(),
                field: None,
            }));
        };
        let now = chrono::Utc::now();
        hallkeeper_server::accounts::create_first_administrator(
            storage.as_ref(),
            now,
            login,
            display_name,
            password,
        )
        .await
        .map_err(|e| {
            FirstRunFailure(match e {
                FirstRunError::Invalid(body) => body,
                FirstRunError::AccountsExist => ErrorBody {
                    code: hallkeeper_core::FailureCode::FirstRunDone.as_str().into(),
                    message: String::new(),
                    field: None,
                },
                other => ErrorBody { code: other.code(), message: other.to_string(), field: None },
            })
        })
    }

    /// What a server session starts: the hall made by whoever may make halls (the embedded
    /// server's first administrator, at the first run), the configuration pushed again and sync
    /// woken so what waited in the outbox goes now.
    pub async fn signed_in(&self, person: &hallkeeper_core::access::Person) {
        let may_make_halls = person.may(self.hall_id(), hallkeeper_core::access::Capability::ManageHalls);
        if may_make_halls {
            let name = if self._embedded.is_some() {
                hallkeeper_core::notices::LOCAL_HALL_NAME
            } else {
                self.hall_id()
            };
            if let Err(e) = self.admin.ensure_hall(name).await {
                tracing::warn!("the central server is not ready for this hall yet: {e}");
            }
        }
        self.config_changed();
        if let Some(sync) = self.sync.get() {
            let sync = sync.clone();
            tokio::spawn(async move {
                if let Err(e) = sync.sync_now().await {
                    tracing::warn!("sync after sign-in: {e}");
                }
            });
        }
    }

    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// The token the signed-in person's calls send now (empty when nobody is signed in).
    pub fn session_token(&self) -> String {
        self.credential.token()
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
                let client = SyncClient::with_credential(
                    store,
                    self.admin.endpoint().clone(),
                    self.credential.clone(),
                    self._embedded.is_some(),
                );
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
