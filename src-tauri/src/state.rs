//! What the shell keeps while it runs: the store, the UI language, who is signed in.
//!
//! The signed-in person lives here, in memory only: their account as the server last gave it,
//! whether they signed in through the server or against this PC's verifier (offline), whether the
//! screen is locked, and the shared [`Credential`] the sync client and the hall's admin client
//! send — the person's session token, swapped at sign-in and sign-out. Whether a command may run
//! is core's decision ([`hallkeeper_core::access::authorize`]); [`AppState::authorize`] only asks.

use crate::error::{CommandError, DesktopError};
use crate::hall_server::ServerLink;
use hallkeeper_client::Credential;
use hallkeeper_core::access::{Person, Presence};
use hallkeeper_core::proto::{Account, Locale};
use hallkeeper_core::{Store, SystemClock};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// The person signed in on this PC.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account: Account,
    pub person: Person,
    /// Signed in against this PC's verifier while the server could not be reached: no server
    /// session yet (their changes wait in the outbox, attributed to them).
    pub offline: bool,
}

/// An offline sign-in's password, kept in memory only until a server session is obtained with it
/// (then dropped), so sync resumes without asking again; never written anywhere.
#[derive(Clone)]
pub struct PendingPassword {
    pub login: String,
    pub password: String,
}

pub struct AppState {
    store: Arc<Store>,
    locale: RwLock<Locale>,
    default_operator: String,
    started: Instant,
    ready_reported: AtomicBool,
    /// The central server, once connected (the embedded one by default).
    link: std::sync::OnceLock<Arc<ServerLink>>,
    /// The hall this desktop works in (its grants are read for it).
    hall_id: RwLock<String>,
    /// What every client of the server sends: the person's session token, or nothing.
    credential: Credential,
    session: RwLock<Option<SignedIn>>,
    locked: AtomicBool,
    pending_password: Mutex<Option<PendingPassword>>,
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
            started,
            ready_reported: AtomicBool::new(false),
            link: std::sync::OnceLock::new(),
            hall_id: RwLock::new(crate::hall_server::LOCAL_HALL.to_owned()),
            credential: Credential::new(""),
            session: RwLock::new(None),
            locked: AtomicBool::new(false),
            pending_password: Mutex::new(None),
        })
    }

    pub fn store(&self) -> Arc<Store> {
        self.store.clone()
    }

    pub fn set_link(&self, link: Arc<ServerLink>) {
        self.set_hall_id(link.hall_id());
        let _ = self.link.set(link);
    }

    pub fn link(&self) -> Option<&Arc<ServerLink>> {
        self.link.get()
    }

    pub fn hall_id(&self) -> String {
        self.hall_id.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_hall_id(&self, hall_id: &str) {
        *self.hall_id.write().unwrap_or_else(|e| e.into_inner()) = hall_id.to_owned();
    }

    /// The credential every client of the server shares.
    pub fn credential(&self) -> &Credential {
        &self.credential
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

    /// Who is signed in, if anyone.
    pub fn signed_in(&self) -> Option<SignedIn> {
        self.session.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The person whose changes these are: the signed-in one, or `session.required`.
    pub fn person(&self) -> Result<Person, CommandError> {
        self.signed_in().map(|s| s.person).ok_or_else(|| self.refusal(hallkeeper_core::Code::SessionRequired))
    }

    /// Makes `account` the person signed in here (a sign-in; `token` is the server session's, None
    /// offline). Unlocks; the credential carries the token from now on.
    pub fn sign_in_as(&self, account: Account, token: Option<&str>) {
        self.credential.set(token.unwrap_or(""));
        let signed = SignedIn { person: Person::from_account(&account), offline: token.is_none(), account };
        // What the store writes of its own accord from now on (a case for a pulled poor rating)
        // is this person's: the server refuses an operation without an author.
        self.store.set_signed_in(Some(&signed.person));
        *self.session.write().unwrap_or_else(|e| e.into_inner()) = Some(signed);
        self.locked.store(false, Ordering::SeqCst);
        if token.is_some() {
            self.set_pending_password(None);
        }
    }

    /// Nobody is signed in any more; no token is sent.
    pub fn sign_out_here(&self) {
        self.credential.set("");
        self.store.set_signed_in(None);
        *self.session.write().unwrap_or_else(|e| e.into_inner()) = None;
        self.locked.store(false, Ordering::SeqCst);
        self.set_pending_password(None);
    }

    /// The account as the server says it is now (its grants, the forced change), keeping the
    /// session as it is.
    pub fn update_account(&self, account: Account) {
        if let Some(s) = self.session.write().unwrap_or_else(|e| e.into_inner()).as_mut() {
            s.person = Person::from_account(&account);
            s.account = account;
        }
    }

    pub fn pending_password(&self) -> Option<PendingPassword> {
        self.pending_password.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_pending_password(&self, pending: Option<PendingPassword>) {
        *self.pending_password.lock().unwrap_or_else(|e| e.into_inner()) = pending;
    }

    pub fn lock(&self) {
        self.locked.store(true, Ordering::SeqCst);
    }

    pub fn unlock(&self) {
        self.locked.store(false, Ordering::SeqCst);
    }

    pub fn is_locked(&self) -> bool {
        self.locked.load(Ordering::SeqCst)
    }

    /// Asks core whether `command` may run now; `screen_locked` says whether the lock applies to
    /// the window asking (the hall display keeps showing the stars while the desk is locked).
    pub fn authorize(&self, command: &str, screen_locked: bool) -> Result<(), CommandError> {
        let session = self.session.read().unwrap_or_else(|e| e.into_inner());
        let presence = Presence {
            person: session.as_ref().map(|s| &s.person),
            locked: screen_locked && self.is_locked(),
        };
        hallkeeper_core::access::authorize(presence, &self.hall_id(), command)
            .map_err(|e| CommandError(e.to_body(self.locale())))
    }

    /// A refusal of core's, in the current language.
    pub fn refusal(&self, code: hallkeeper_core::Code) -> CommandError {
        let e = hallkeeper_core::Error::from(hallkeeper_core::Rejection::new(code));
        CommandError(e.to_body(self.locale()))
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
