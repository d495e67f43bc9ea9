//! What the shell keeps while it runs: the store, the UI language, who is operating.

use crate::error::{CommandError, DesktopError};
use crate::hall_server::ServerLink;
use hallkeeper_core::proto::Locale;
use hallkeeper_core::{Store, SystemClock};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub struct AppState {
    store: Arc<Store>,
    locale: RwLock<Locale>,
    default_operator: String,
    operator: String,
    started: Instant,
    ready_reported: AtomicBool,
    /// The central server, once connected (the embedded one by default).
    link: std::sync::OnceLock<Arc<ServerLink>>,
}

impl AppState {
    pub fn open(data_dir: &Path, started: Instant) -> Result<Self, DesktopError> {
        let store = Store::open_in_dir(data_dir, Arc::new(SystemClock))?;
        Self::new(store, started)
    }

    pub fn new(store: Store, started: Instant) -> Result<Self, DesktopError> {
        let default_operator = os_user();
        let settings = store.settings(&default_operator)?;
        Ok(Self {
            store: Arc::new(store),
            locale: RwLock::new(settings.locale),
            default_operator,
            operator: settings.operator,
            started,
            ready_reported: AtomicBool::new(false),
            link: std::sync::OnceLock::new(),
        })
    }

    pub fn store(&self) -> Arc<Store> {
        self.store.clone()
    }

    pub fn set_link(&self, link: Arc<ServerLink>) {
        let _ = self.link.set(link);
    }

    pub fn link(&self) -> Option<&Arc<ServerLink>> {
        self.link.get()
    }

    pub fn locale(&self) -> Locale {
        *self.locale.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn set_locale(&self, locale: Locale) {
        *self.locale.write().unwrap_or_else(|e| e.into_inner()) = locale;
    }

    pub fn default_operator(&self) -> &str {
        &self.default_operator
    }

    /// Who the audit log names for changes made here.
    pub fn operator(&self) -> String {
        self.operator.clone()
    }

    /// Runs blocking store work off the async runtime and turns a failure into what the UI
    /// shows, in the current language.
    pub async fn call<T, F>(&self, work: F) -> Result<T, CommandError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, hallkeeper_core::Error> + Send + 'static,
    {
        let store = self.store.clone();
        let outcome = tauri::async_runtime::spawn_blocking(move || work(&store))
            .await
            .map_err(|e| DesktopError::Task(e.to_string()))
            .and_then(|r| r.map_err(DesktopError::from));
        outcome.map_err(|e| {
            tracing::warn!(code = %e.to_body(Locale::EnUs).code, "command refused: {e}");
            CommandError(e.to_body(self.locale()))
        })
    }

    /// The first call reports the time from process start to the UI's first interactive paint.
    pub fn mark_ready(&self) -> Option<Duration> {
        if self.ready_reported.swap(true, Ordering::SeqCst) {
            return None;
        }
        Some(self.started.elapsed())
    }
}

fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "supervisor".to_owned())
}
