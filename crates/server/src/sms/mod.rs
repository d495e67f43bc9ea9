//! SMS reminders (短信提醒), the server's half: phones given at the kiosk, the triggers that fire
//! from the queue and the appointments, the outbox, and the sender.
//!
//! # What goes out, once
//!
//! A reminder is one outbox row, unique per (hall, subject, rule) — the subject is the ticket
//! (`ticket:<id>`), the booking (`appointment:<id>`) or a test message. Triggers may fire as often
//! as they like: a second enqueue of the same (subject, rule) changes nothing. So:
//!
//! - `issued` goes once, when the ticket is issued;
//! - `peopleAhead {n}` goes once per ticket and rule, at the first event after which the ticket's
//!   people ahead (`hallkeeper_queue::people_ahead`, its current matter and target window) are
//!   ≤ n — and only to a ticket that was issued with more than n ahead ("dropped to n"; a ticket
//!   issued with 2 ahead does not also get a "3 ahead" message at the kiosk). A transfer that
//!   puts the ticket further back does not make it fire again;
//! - `called` goes once per ticket and rule: a recall (重呼), a resume after a park, or a call at
//!   another window after a transfer sends nothing more — the citizen already knows, and a
//!   provider counts every repeat against the per-number limits;
//! - `missed` goes once, at the no-show (过号);
//! - `appointmentHeadsUp {m}` goes once per booking and rule, from a periodic task, in the
//!   `m` minutes before the slot's start, to bookings (still booked) with a phone.
//!
//! Only tickets with a phone get reminders; the rules come from the hall's configuration
//! (`HallConfig::sms`), which the desktop PUTs.
//!
//! # Quiet hours and the daily cap
//!
//! Decided when the row is made, at the hall's local time (UTC+8). A queue reminder that falls in
//! quiet hours is stored as `skipped_quiet_hours` — "3 people ahead of you" is useless at the end
//! of the quiet hours. An appointment heads-up is deferred to the end of the quiet hours if that
//! is still before the slot's start, and skipped otherwise. The cap counts the hall day's rows of
//! the same citizen (keyed lookup hash of the number) that went, may have gone or will go
//! (`pending`, `sending`, `sent`, `unknown`), in the same transaction as the insert; over it, the
//! row is `skipped_cap`. Skipped rows keep no sealed number.
//!
//! # Never twice, even across kill -9: the claim protocol
//!
//! 1. **Claim.** The sender moves one due `pending` row to `sending` with a fresh attempt id (and
//!    attempts + 1) in its own transaction, committed before anything else happens.
//! 2. **Send.** The provider call carries the row id as its idempotency key (Alibaba `OutId`,
//!    Tencent `SessionContext`).
//! 3. **Record.** The outcome is written only if the row still has that attempt id.
//!
//! A process killed between 1 and 3 leaves the row `sending`. At the next start, before the
//! sender runs, every `sending` row becomes `unknown` (`sms.interrupted`) — it is **not** sent
//! again: neither provider deduplicates on the idempotency key (it is only echoed in delivery
//! receipts), so a resend could be a second message; an `unknown` row tells the supervisor to
//! check (the key finds it in the provider's console or receipts). A crash thus leaves at most one
//! provider-side send per row. The same holds when the provider's answer is lost (a timeout after
//! the request left, an unreadable body): `unknown`, no retry. Errors that prove the message was
//! not accepted (a 5xx with the provider's error, a refused connection, a rate limit) are retried
//! with backoff (5 s doubling to 5 min, or the provider's `retry_after` if longer) up to
//! `max_attempts`, then `failed`. A permanent error fails the row; an account-wide one (bad
//! credentials, unapproved signature, no balance) also pauses the provider for
//! [`PAUSE_AFTER_ACCOUNT_ERROR`] (the row goes back to `pending`: it is not its fault), shown by
//! `GET …/sms/status`. Pending rows that wait past their usefulness become `expired`.
//!
//! A test hook makes the kill reproducible: with `HALLKEEPER_SMS_CRASH_AFTER_SEND=<file>`, the
//! sender writes `<file>` after the provider call and then stops, before recording — the test
//! kills the process there (`tests/sms_crash.rs`).
//!
//! # Numbers at rest
//!
//! Sealed with `hallkeeper_sms::PhoneCipher` (AES-256-GCM) and hashed with its keyed lookup hash;
//! the clear number is never stored or logged (`Phone` prints masked). After the retention
//! (default 30 days) a periodic purge nulls the sealed numbers and hashes (tickets and outbox;
//! the masked form stays for the outbox view) and the phone of bookings no longer booked.

pub mod config;
pub mod outbox;
pub mod purge;
pub mod sender;
pub mod triggers;

use crate::error::StartError;
use crate::AppState;
use chrono::{DateTime, Duration as TimeDelta, Utc};
use hallkeeper_proto::SmsServiceStatus;
use hallkeeper_sms::provider::{AlibabaConfig, AlibabaSms, LogProvider, TencentConfig, TencentSms};
use hallkeeper_sms::{Phone, PhoneCipher, SmsProvider};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long an account-wide refusal (credentials, signature, balance) stops all sending.
pub const PAUSE_AFTER_ACCOUNT_ERROR: TimeDelta = TimeDelta::minutes(15);

/// The test hook's environment variable (see the module docs).
pub const CRASH_AFTER_SEND_VAR: &str = "HALLKEEPER_SMS_CRASH_AFTER_SEND";

/// How the service behaves, apart from the provider and the key.
#[derive(Debug, Clone)]
pub struct SmsSettings {
    pub sign_name: String,
    /// Phone numbers are purged this long after they were given.
    pub retention: TimeDelta,
    /// Attempts per message for retryable errors.
    pub max_attempts: u32,
    /// Rule id → the provider's template id; without an entry, the rule id itself (what the log
    /// provider wants).
    pub templates: BTreeMap<String, String>,
    /// Whether the provider needs `templates` (the real ones) or takes the rule id.
    pub templates_required: bool,
    /// Run the sender, heads-up and purge loops from `start` (off in tests that step them).
    pub background: bool,
    /// The sender's idle poll; it is also woken when a row is enqueued.
    pub tick: Duration,
    /// Supervisor test messages per hall: at most one per this interval…
    pub test_interval: TimeDelta,
    /// …and this many per hall day.
    pub tests_per_day: usize,
    pub crash_after_send: Option<PathBuf>,
}

impl Default for SmsSettings {
    fn default() -> Self {
        SmsSettings {
            sign_name: "政务服务中心".to_owned(),
            retention: TimeDelta::days(30),
            max_attempts: 6,
            templates: BTreeMap::new(),
            templates_required: false,
            background: true,
            tick: Duration::from_secs(1),
            test_interval: TimeDelta::seconds(30),
            tests_per_day: 20,
            crash_after_send: None,
        }
    }
}

/// What the status endpoint shows of the provider.
#[derive(Debug, Clone, Default)]
pub(crate) struct ProviderState {
    pub paused_until: Option<DateTime<Utc>>,
    pub last_error: Option<(String, String, DateTime<Utc>)>,
    pub last_sent_at: Option<DateTime<Utc>>,
}

/// The provider, the key, the settings, and what the sender knows of the provider's health.
pub struct SmsService {
    provider: Arc<dyn SmsProvider>,
    cipher: PhoneCipher,
    pub settings: SmsSettings,
    state: Mutex<ProviderState>,
    wake: tokio::sync::Notify,
    tests: Mutex<HashMap<String, VecDeque<DateTime<Utc>>>>,
}

impl std::fmt::Debug for SmsService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsService").field("provider", &self.provider.name()).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SmsService {
    pub fn new(provider: Arc<dyn SmsProvider>, cipher: PhoneCipher, settings: SmsSettings) -> Self {
        SmsService {
            provider,
            cipher,
            settings,
            state: Mutex::new(ProviderState::default()),
            wake: tokio::sync::Notify::new(),
            tests: Mutex::new(HashMap::new()),
        }
    }

    /// From the `[sms]` configuration (environment applied); None for `provider = "off"`.
    /// `data_dir` is where `sms.key` is made when no key is configured.
    pub fn from_config(c: &config::SmsFileConfig, data_dir: &Path) -> Result<Option<Self>, StartError> {
        let bad = |m: String| StartError::Config(format!("[sms] {m}"));
        let name = c.provider_name();
        let provider: Arc<dyn SmsProvider> = match name {
            "off" => return Ok(None),
            "log" => Arc::new(match &c.log_file {
                Some(path) => LogProvider::with_file(path),
                None => LogProvider::new(),
            }),
            "alibaba" => {
                let a = &c.alibaba;
                let (Some(id), Some(secret)) = (&a.access_key_id, &a.access_key_secret) else {
                    return Err(bad("alibaba needs access_key_id and access_key_secret".into()));
                };
                let mut cfg = AlibabaConfig::new(id, secret);
                if let Some(e) = &a.endpoint {
                    cfg = cfg.with_endpoint(e);
                }
                check_tls(&cfg.endpoint)?;
                Arc::new(AlibabaSms::new(cfg).map_err(|e| bad(e.to_string()))?)
            }
            "tencent" => {
                let t = &c.tencent;
                let (Some(id), Some(key), Some(app)) = (&t.secret_id, &t.secret_key, &t.sdk_app_id) else {
                    return Err(bad("tencent needs secret_id, secret_key and sdk_app_id".into()));
                };
                let mut cfg = TencentConfig::new(id, key, app);
                if let Some(e) = &t.endpoint {
                    cfg = cfg.with_endpoint(e);
                }
                if let Some(r) = &t.region {
                    cfg.region = r.clone();
                }
                check_tls(&cfg.endpoint)?;
                Arc::new(TencentSms::new(cfg).map_err(|e| bad(e.to_string()))?)
            }
            other => return Err(bad(format!("provider {other:?}: choose log, alibaba, tencent or off"))),
        };
        let key = match (&c.key, &c.key_file) {
            (Some(k), _) => config::parse_key(k)?,
            (None, Some(path)) => config::load_or_create_key(path)?,
            (None, None) => config::load_or_create_key(&data_dir.join("sms.key"))?,
        };
        let cipher = PhoneCipher::new(&key).map_err(|e| bad(e.to_string()))?;
        let defaults = SmsSettings::default();
        let settings = SmsSettings {
            sign_name: c.sign_name.clone().unwrap_or(defaults.sign_name.clone()),
            retention: TimeDelta::days(i64::from(c.retention_days.unwrap_or(30).clamp(1, 3650))),
            max_attempts: c.max_attempts.unwrap_or(defaults.max_attempts).clamp(1, 20),
            templates: c.templates.clone(),
            templates_required: name != "log",
            crash_after_send: std::env::var_os(CRASH_AFTER_SEND_VAR).map(PathBuf::from),
            ..defaults
        };
        tracing::info!(provider = name, "SMS reminders on");
        Ok(Some(SmsService::new(provider, cipher, settings)))
    }

    pub fn provider_name(&self) -> &'static str {
        self.provider.name()
    }

    pub(crate) fn provider(&self) -> &dyn SmsProvider {
        &*self.provider
    }

    pub(crate) fn cipher(&self) -> &PhoneCipher {
        &self.cipher
    }

    /// A booking's phone as it is stored: sealed like a ticket's (never the digits). `None` if it
    /// cannot be sealed (the booking then keeps no number and gets no reminder).
    pub fn seal_booking_phone(&self, phone: &Phone) -> Option<String> {
        match self.cipher.seal(phone) {
            Ok(sealed) => Some(sealed),
            Err(e) => {
                tracing::error!(phone = %phone, "booking phone not sealed, no reminders: {e}");
                None
            }
        }
    }

    /// The number behind a booking's stored phone: sealed, or the digits of a booking stored
    /// before numbers were sealed (the purge removes those after the retention).
    pub fn open_booking_phone(&self, stored: &str) -> Option<Phone> {
        self.cipher.open(stored).ok().or_else(|| Phone::parse(stored).ok())
    }
}

/// A booking's stored phone as every response shows it: `138****5678`. A sealed number needs the
/// service's key; without it (SMS off) the stored form is already masked.
pub fn present_booking_phone(sms: Option<&SmsService>, stored: &str) -> String {
    if let Some(phone) = sms.and_then(|s| s.open_booking_phone(stored)) {
        return phone.masked();
    }
    match Phone::parse(stored) {
        Ok(phone) => phone.masked(),
        Err(_) if stored.contains('*') => stored.to_owned(),
        Err(_) => "****".to_owned(),
    }
}

impl SmsService {
    /// Tells the sender there is work (after an enqueue).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) fn paused_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        lock(&self.state).paused_until.filter(|t| *t > now)
    }

    pub(crate) fn note_error(&self, code: &str, message: &str, at: DateTime<Utc>, pause: bool) {
        let mut s = lock(&self.state);
        s.last_error = Some((code.to_owned(), message.to_owned(), at));
        if pause {
            s.paused_until = Some(at + PAUSE_AFTER_ACCOUNT_ERROR);
        }
    }

    pub(crate) fn note_sent(&self, at: DateTime<Utc>) {
        let mut s = lock(&self.state);
        s.last_sent_at = Some(at);
        // A message went through: whatever paused the provider has been fixed.
        s.paused_until = None;
    }

    /// The provider's template for a rule, or None when a real provider has none configured.
    pub(crate) fn template_id(&self, rule_id: &str) -> Option<String> {
        match self.settings.templates.get(rule_id) {
            Some(t) => Some(t.clone()),
            None if self.settings.templates_required => None,
            None => Some(rule_id.to_owned()),
        }
    }

    /// Admits a supervisor's test message for the hall now, or says when the next may go.
    pub(crate) fn admit_test(&self, hall_id: &str, now: DateTime<Utc>) -> Result<(), String> {
        let mut tests = lock(&self.tests);
        let sent = tests.entry(hall_id.to_owned()).or_default();
        let today = crate::appointments::hall_day(now);
        sent.retain(|t| crate::appointments::hall_day(*t) == today);
        if let Some(last) = sent.back() {
            let next = *last + self.settings.test_interval;
            if now < next {
                return Err(format!(
                    "测试短信发送过于频繁，请在 {} 秒后再试",
                    (next - now).num_seconds().max(1)
                ));
            }
        }
        if sent.len() >= self.settings.tests_per_day {
            return Err(format!("本大厅今天已发送 {} 条测试短信，已达上限", sent.len()));
        }
        sent.push_back(now);
        Ok(())
    }

    pub(crate) fn status(&self, now: DateTime<Utc>) -> SmsServiceStatus {
        let s = lock(&self.state).clone();
        let ts = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let paused_until = s.paused_until.filter(|t| *t > now);
        SmsServiceStatus {
            enabled: true,
            provider: self.provider.name().to_owned(),
            paused: paused_until.is_some(),
            paused_until: paused_until.map(ts),
            last_error_code: s.last_error.as_ref().map(|e| e.0.clone()),
            last_error: s.last_error.as_ref().map(|e| e.1.clone()),
            last_error_at: s.last_error.as_ref().map(|e| ts(e.2)),
            last_sent_at: s.last_sent_at.map(ts),
            pending: 0,
            unknown: 0,
            enabled_rules: 0,
        }
    }
}

fn check_tls(endpoint: &str) -> Result<(), StartError> {
    if endpoint.starts_with("https:") && !cfg!(feature = "sms-tls") {
        return Err(StartError::Config(format!(
            "[sms] endpoint {endpoint} needs HTTPS: build hallkeeper-server with the sms-tls feature"
        )));
    }
    Ok(())
}

/// At start: declares rows a previous run left `sending` as `unknown` (never resent), then runs
/// the sender, heads-up and purge loops until the server stops (when `settings.background`).
pub(crate) async fn start_background(state: &Arc<AppState>) -> Result<(), StartError> {
    let Some(sms) = state.sms.clone() else { return Ok(()) };
    let now = (state.now)();
    let n = state.storage.sms().recover_interrupted(now).await?;
    if n > 0 {
        tracing::warn!(rows = n, "SMS messages interrupted by the last stop marked unknown (not resent)");
    }
    if !sms.settings.background {
        return Ok(());
    }
    tokio::spawn(sender::run(state.clone(), sms.clone()));
    tokio::spawn(every(state.clone(), Duration::from_secs(30), |state| async move {
        triggers::appointment_heads_up(&state, (state.now)()).await
    }));
    tokio::spawn(every(state.clone(), Duration::from_secs(3600), |state| async move {
        purge::run_once(&state, (state.now)()).await.map(|_| ())
    }));
    Ok(())
}

/// Runs `f` now and then every `period` until the server stops; errors are logged.
async fn every<F, Fut>(state: Arc<AppState>, period: Duration, f: F)
where
    F: Fn(Arc<AppState>) -> Fut,
    Fut: std::future::Future<Output = Result<(), crate::storage::StorageError>>,
{
    let mut stopping = state.stopping.subscribe();
    loop {
        if *stopping.borrow() {
            return;
        }
        if let Err(e) = f(state.clone()).await {
            tracing::error!("SMS periodic task: {e}");
        }
        tokio::select! {
            _ = tokio::time::sleep(period) => {}
            _ = stopping.changed() => {}
        }
    }
}
