//! Each hall's live queue: its configuration and a `HallQueue` rebuilt from the day's event log.
//! One lock per hall serialises its operations (a hall's traffic is a few a second); every event
//! is appended to storage before the answer goes out, and a failed append rebuilds the queue
//! from storage so memory never runs ahead of the log. Because appends wait for each other
//! under that lock, one hall's events are stored one at a time, in seq order (what lets a
//! desktop pull them by cursor); each stored event then marks the hall's signal.

use crate::device_events::{DeviceEvent, DeviceHub};
use crate::error::ApiError;
use crate::signals::HallSignals;
use crate::sms::triggers::{AheadWatch, HallView};
use crate::sms::SmsService;
use crate::storage::{AppointmentChange, Storage};
use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::{
    DisplayCall, Hall, HallConfig, QueueConfig, QueueMatter, QueueWindow, TicketEvent, TicketEventKind,
};
use hallkeeper_queue::{hall_day, HallQueue};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use tokio::sync::{watch, Mutex};

/// How many recent calls the hall display shows.
pub const RECENT_CALLS: usize = 10;

/// How many of the day's latest calls are kept for their announcements
/// (`GET /display/announcements/{seq}`): a display that was away longer than this many calls
/// has nothing left to announce worth hearing, and gets 404 for the older ones.
pub const CALLS_KEPT: usize = 100;

/// A call's sequence number: the hall day (YYYYMMDD) times this, plus the call's ordinal in the
/// day's stored event log (1, 2, …). Derived from stored data, not persisted apart: the log is
/// append-only and replayed in order on load, so a restart numbers the day's calls exactly as
/// before, and a new day's numbers are above every earlier day's. At most 999,999 calls a day;
/// the largest, 9999-12-31's, stays below 2⁵³ (a JavaScript number holds it exactly).
pub const CALL_SEQ_PER_DAY: i64 = 1_000_000;

/// The first sequence number of a hall day, minus one (its calls are this plus 1, 2, …).
pub fn call_seq_base(day: NaiveDate) -> i64 {
    use chrono::Datelike;
    let ymd = i64::from(day.year()) * 10_000 + i64::from(day.month()) * 100 + i64::from(day.day());
    ymd * CALL_SEQ_PER_DAY
}

pub struct HallRuntime {
    pub hall: Hall,
    pub config: HallConfig,
    pub queue: HallQueue,
    pub day: NaiveDate,
    /// The day's latest calls, newest first, at most [`CALLS_KEPT`] (the feed shows
    /// [`RECENT_CALLS`] of them).
    pub recent_calls: VecDeque<DisplayCall>,
    /// The day's calls so far (the ordinal of the latest in its sequence number).
    calls_today: i64,
    /// Per window, the ticket its terminal last asked the pad to rate (请评价). In memory only:
    /// after a restart the pad falls back to the window's last finished ticket not yet rated.
    pub rating_asked: HashMap<String, String>,
    /// The displays' and pads' event streams (`device_events`).
    devices: Arc<DeviceHub>,
    /// Marked after each event is stored: the hall's sync streams tell desktops to pull.
    stored: watch::Sender<()>,
    /// Evaluates the hall's SMS rules after each stored event.
    sms: Option<Arc<SmsService>>,
    /// What the people-ahead reminders remember between events.
    ahead_watch: AheadWatch,
}

pub fn queue_config(config: &HallConfig) -> QueueConfig {
    QueueConfig {
        windows: config.windows.iter().map(QueueWindow::from).collect(),
        matters: config.matters.iter().map(QueueMatter::from).collect(),
        bindings: config.bindings.clone(),
        settings: config.settings.clone(),
    }
}

impl HallRuntime {
    async fn load(
        storage: &dyn Storage,
        hall: Hall,
        stored: watch::Sender<()>,
        sms: Option<Arc<SmsService>>,
        devices: Arc<DeviceHub>,
        now: DateTime<Utc>,
    ) -> Result<Self, ApiError> {
        let config =
            storage.config(&hall.id).await?.ok_or_else(|| ApiError::NotConfigured(hall.id.clone()))?;
        let day = hall_day(now);
        let events = storage.events(&hall.id, day).await?;
        let queue = HallQueue::replay(queue_config(&config), events.iter())?;
        let mut rt = Self {
            hall,
            config,
            queue,
            day,
            recent_calls: VecDeque::new(),
            calls_today: 0,
            rating_asked: HashMap::new(),
            devices,
            stored,
            sms,
            ahead_watch: AheadWatch::default(),
        };
        // Replayed without telling the devices: these calls were announced when they were made.
        for e in &events {
            rt.note_call(e);
        }
        Ok(rt)
    }

    /// A new hall day starts with an empty queue (yesterday's tickets stay in the log).
    async fn roll_day(&mut self, storage: &dyn Storage, now: DateTime<Utc>) -> Result<(), ApiError> {
        if hall_day(now) != self.day {
            *self = Self::load(
                storage,
                self.hall.clone(),
                self.stored.clone(),
                self.sms.clone(),
                self.devices.clone(),
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// Persists an event the queue has already applied; on failure, rebuilds from storage.
    pub async fn record(
        &mut self,
        storage: &dyn Storage,
        event: TicketEvent,
    ) -> Result<TicketEvent, ApiError> {
        if let Err(e) = storage.append_event(&self.hall.id, self.day, &event).await {
            tracing::error!(hall = %self.hall.id, "event not stored, rebuilding the queue from storage: {e}");
            self.rebuild(storage, event.at).await;
            return Err(e.into());
        }
        self.stored.send_modify(|_| ());
        self.tell_devices(&event);
        self.remind(storage, std::slice::from_ref(&event)).await;
        Ok(event)
    }

    /// Persists the events of one operation the queue has already applied (a supervisor's move of
    /// a whole queue) in one storage transaction, then marks the hall's signal once; on failure
    /// none is stored, and the queue is rebuilt from storage, so memory never keeps half a move.
    pub async fn record_all(
        &mut self,
        storage: &dyn Storage,
        events: Vec<TicketEvent>,
    ) -> Result<Vec<TicketEvent>, ApiError> {
        let Some(at) = events.last().map(|e| e.at) else { return Ok(events) };
        if let Err(e) = storage.append_events(&self.hall.id, self.day, &events).await {
            tracing::error!(hall = %self.hall.id, "events not stored, rebuilding the queue from storage: {e}");
            self.rebuild(storage, at).await;
            return Err(e.into());
        }
        self.stored.send_modify(|_| ());
        for e in &events {
            self.tell_devices(e);
        }
        self.remind(storage, &events).await;
        Ok(events)
    }

    /// Persists an appointment's check-in: the `Issued` event the queue has already applied and
    /// the booking's change to checked in, in one storage transaction. When the booking did not
    /// change (it was cancelled or checked in meanwhile) or storage failed, the event was not
    /// stored either, and the queue is rebuilt from storage.
    pub async fn record_check_in(
        &mut self,
        storage: &dyn Storage,
        code: &str,
        event: TicketEvent,
    ) -> Result<AppointmentChange, ApiError> {
        let result = storage.check_in_appointment(&self.hall.id, code, self.day, &event).await;
        match &result {
            Ok(AppointmentChange::Done(_)) => {
                self.stored.send_modify(|_| ());
                self.tell_devices(&event);
                self.remind(storage, std::slice::from_ref(&event)).await;
            }
            Ok(_) => self.rebuild(storage, event.at).await,
            Err(e) => {
                tracing::error!(hall = %self.hall.id, "check-in not stored, rebuilding the queue from storage: {e}");
                self.rebuild(storage, event.at).await;
            }
        }
        Ok(result?)
    }

    /// SMS reminders due after stored events (see `crate::sms`); never fails the operation.
    async fn remind(&mut self, storage: &dyn Storage, events: &[TicketEvent]) {
        let changed = self.queue.take_changed_windows();
        if let Some(sms) = &self.sms {
            let view = HallView { hall: &self.hall, config: &self.config, queue: &self.queue, day: self.day };
            let watch = &mut self.ahead_watch;
            crate::sms::triggers::after_events(sms, storage, &view, watch, &changed, events).await;
        }
    }

    /// Keeps the phone given with a ticket the queue has just issued (sealed), for its reminders;
    /// nothing when the server sends no SMS.
    pub async fn keep_ticket_phone(
        &mut self,
        storage: &dyn Storage,
        ticket_id: &str,
        phone: &hallkeeper_sms::Phone,
        now: DateTime<Utc>,
    ) -> crate::storage::StorageResult<()> {
        let Some(sms) = &self.sms else { return Ok(()) };
        let view = HallView { hall: &self.hall, config: &self.config, queue: &self.queue, day: self.day };
        let watch = &mut self.ahead_watch;
        crate::sms::triggers::register_ticket_phone(sms, storage, &view, watch, ticket_id, phone, now).await
    }

    /// Replaces memory with what storage holds, after a change memory has and storage has not.
    async fn rebuild(&mut self, storage: &dyn Storage, now: DateTime<Utc>) {
        match Self::load(
            storage,
            self.hall.clone(),
            self.stored.clone(),
            self.sms.clone(),
            self.devices.clone(),
            now,
        )
        .await
        {
            Ok(fresh) => *self = fresh,
            Err(reload) => tracing::error!(hall = %self.hall.id, "rebuild failed too: {reload}"),
        }
    }

    /// After a stored event: notes a call and tells the displays, or tells the window's pad a
    /// ticket finished there.
    fn tell_devices(&mut self, e: &TicketEvent) {
        if let Some(seq) = self.note_call(e) {
            self.devices.send(&self.hall.id, DeviceEvent::Call { seq });
        } else if let TicketEventKind::Finished { window_id } = &e.kind {
            let (window_id, ticket_id) = (window_id.clone(), e.ticket_id.clone());
            self.devices.send(&self.hall.id, DeviceEvent::RateNow { window_id, ticket_id });
        }
    }

    /// Tells the hall's devices something that is not a ticket event (a window paused).
    pub fn tell(&self, event: DeviceEvent) {
        self.devices.send(&self.hall.id, event);
    }

    /// Counts a call (a first call, a recall, or a parked ticket called back: each is heard in
    /// the hall as a call, so each gets its own number) and keeps it; its sequence number.
    fn note_call(&mut self, e: &TicketEvent) -> Option<i64> {
        let (window_id, recall) = match &e.kind {
            TicketEventKind::Called { window_id, .. } | TicketEventKind::Resumed { window_id, .. } => {
                (window_id, false)
            }
            TicketEventKind::Recalled { window_id, .. } => (window_id, true),
            _ => return None,
        };
        // Counted before the ticket is looked up, so the numbering depends on the log alone.
        self.calls_today += 1;
        let seq = call_seq_base(self.day) + self.calls_today;
        let ticket = self.queue.ticket(&e.ticket_id)?;
        let window_number = self
            .config
            .windows
            .iter()
            .find(|w| &w.id == window_id)
            .map(|w| w.number.clone())
            .unwrap_or_default();
        self.recent_calls.push_front(DisplayCall {
            ticket_number: ticket.number.clone(),
            window_number,
            at: e.at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            seq,
            recall,
            ticket_id: ticket.id.clone(),
            window_id: window_id.clone(),
        });
        self.recent_calls.truncate(CALLS_KEPT);
        Some(seq)
    }
}

/// The halls this server runs, loaded on first use.
pub struct Halls {
    loaded: std::sync::Mutex<HashMap<String, Arc<Mutex<Option<HallRuntime>>>>>,
    signals: Arc<HallSignals>,
    sms: std::sync::OnceLock<Arc<SmsService>>,
    devices: Arc<DeviceHub>,
}

impl Halls {
    pub fn new(signals: Arc<HallSignals>, devices: Arc<DeviceHub>) -> Self {
        Self { loaded: Default::default(), signals, sms: std::sync::OnceLock::new(), devices }
    }

    /// Turns SMS reminders on for halls loaded from now on (set once, before serving).
    pub fn set_sms(&self, sms: Arc<SmsService>) {
        if self.sms.set(sms).is_err() {
            tracing::warn!("SMS service already set; the first one stays");
        }
    }

    fn slot(&self, hall_id: &str) -> Arc<Mutex<Option<HallRuntime>>> {
        let mut map = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(hall_id.to_owned()).or_default().clone()
    }

    /// Runs `f` with the hall's live queue, loading it (or rolling it to today) first.
    pub async fn with<T>(
        &self,
        storage: &dyn Storage,
        hall_id: &str,
        now: DateTime<Utc>,
        f: impl AsyncFnOnce(&mut HallRuntime) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let slot = self.slot(hall_id);
        let mut guard = slot.lock().await;
        match guard.as_mut() {
            Some(rt) => rt.roll_day(storage, now).await?,
            None => {
                let hall = storage.hall(hall_id).await?.ok_or_else(|| ApiError::NotFound {
                    code: "hall.not_found",
                    what: format!("大厅 {hall_id}"),
                })?;
                let stored = self.signals.sender(hall_id);
                *guard = Some(
                    HallRuntime::load(
                        storage,
                        hall,
                        stored,
                        self.sms.get().cloned(),
                        self.devices.clone(),
                        now,
                    )
                    .await?,
                );
            }
        }
        let rt = guard.as_mut().ok_or_else(|| ApiError::NotConfigured(hall_id.to_owned()))?;
        f(rt).await
    }

    /// Forgets a hall's live state so the next request reloads it (after a new configuration).
    pub async fn invalidate(&self, hall_id: &str) {
        let slot = self.slot(hall_id);
        *slot.lock().await = None;
    }
}
