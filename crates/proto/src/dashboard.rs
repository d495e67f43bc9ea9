//! The supervisor's first screen (总览): the hall now, per window and per matter, with the
//! thresholds that colour it and the alerts and suggestions they raise. Computed by core from the
//! local store (windows, bindings, seating, and the ticket events sync keeps up to date).
//! Durations are whole seconds; instants are RFC 3339 (UTC).

use crate::{TicketState, WindowState};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How a figure stands against its thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    Normal,
    Warning,
    Alarm,
}

/// One set of thresholds: people waiting and the longest current wait, each with a warning and
/// an alarm level (alarm ≥ warning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Thresholds {
    pub waiting_warning: u32,
    pub waiting_alarm: u32,
    /// Minutes.
    pub wait_warning_min: u32,
    pub wait_alarm_min: u32,
}

/// Thresholds for one window or one matter, replacing the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThresholdOverride {
    pub subject_id: String,
    pub thresholds: Thresholds,
}

/// Everything the settings page edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThresholdSettings {
    pub window_default: Thresholds,
    pub matter_default: Thresholds,
    pub windows: Vec<ThresholdOverride>,
    pub matters: Vec<ThresholdOverride>,
    /// After a notification for a window or matter, no other for it for this many minutes.
    pub quiet_min: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CurrentTicket {
    pub ticket_id: String,
    /// As printed and announced, e.g. `A012`.
    pub number: String,
    pub matter_id: String,
    pub matter_name: String,
    /// Called or serving.
    pub state: TicketState,
    /// Since when it is at the window (its latest call).
    pub since: String,
    pub for_secs: i64,
}

/// One window's tile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WindowTile {
    pub window_id: String,
    pub number: String,
    pub name: String,
    pub state: WindowState,
    pub position: i64,
    /// Who sits there today.
    pub staff_name: Option<String>,
    pub current: Option<CurrentTicket>,
    /// Waiting tickets this window may call (its matters, primary or overflow, and tickets
    /// transferred to it).
    pub waiting: u32,
    pub longest_wait_secs: Option<i64>,
    pub average_wait_secs: Option<i64>,
    pub served_today: u32,
    pub level: AlertLevel,
}

/// One matter's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MatterQueue {
    pub matter_id: String,
    pub name: String,
    pub department_name: String,
    pub waiting: u32,
    pub longest_wait_secs: Option<i64>,
    pub average_wait_secs: Option<i64>,
    /// Windows bound to it (primary or overflow), in floor order.
    pub window_ids: Vec<String>,
    /// Of those, the ones open now.
    pub open_windows: u32,
    pub level: AlertLevel,
}

/// The hall today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HallTotals {
    pub waiting: u32,
    pub issued_today: u32,
    pub served_today: u32,
    pub no_shows_today: u32,
    /// Issue → first call, over tickets called today.
    pub average_wait_today_secs: Option<i64>,
    /// Good ratings / ratings today, 0–1; None until ratings reach the desktop.
    pub satisfaction_today: Option<f64>,
    pub open_poor_ratings: Option<u32>,
}

/// One hour of the hall day (UTC+8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HourFigures {
    /// 0–23, hall time.
    pub hour: u32,
    pub arrivals: u32,
    pub served: u32,
}

/// People waiting at an instant (the chart of the day, every 10 minutes and now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WaitingPoint {
    pub at: String,
    pub waiting: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    /// A window bound to the matter is paused or closed: open it.
    OpenWindow,
    /// An idle or under-used open window could take the matter as overflow for the rest of the day.
    BindOverflow,
}

/// What the supervisor could do about the longest queues, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub kind: SuggestionKind,
    pub matter_id: String,
    pub matter_name: String,
    pub window_id: String,
    pub window_number: String,
    /// The matter's queue that prompts it.
    pub waiting: u32,
    pub longest_wait_secs: Option<i64>,
    /// What the window is doing now: people waiting for it (0 = idle).
    pub window_waiting: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AlertSubject {
    Window,
    Matter,
}

/// A window or matter above a threshold now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub subject: AlertSubject,
    pub subject_id: String,
    /// Window number or matter name.
    pub label: String,
    pub level: AlertLevel,
    pub waiting: u32,
    pub longest_wait_secs: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// The hall day shown (UTC+8), `YYYY-MM-DD`.
    pub day: String,
    /// When it was computed.
    pub at: String,
    /// The newest ticket event held (None: none today). With sync offline this says how old
    /// the picture is.
    pub last_event_at: Option<String>,
    pub tiles: Vec<WindowTile>,
    pub matters: Vec<MatterQueue>,
    pub totals: HallTotals,
    pub hours: Vec<HourFigures>,
    pub waiting_series: Vec<WaitingPoint>,
    pub alerts: Vec<Alert>,
    pub suggestions: Vec<Suggestion>,
    /// The desktop's dashboard feed numbers the pictures it sends (0: computed on request, not
    /// one of the feed's), so the UI knows which picture a [`DashboardDelta`] applies to.
    #[serde(default)]
    pub seq: u64,
}

/// What changed between two pictures of the feed, as a person sees them (durations in whole
/// minutes): a busy hall of 200 windows moves a few tiles at a time, and sending those alone
/// keeps the page from parsing, comparing and laying out the other 195 several times a second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DashboardDelta {
    /// This picture's number.
    pub seq: u64,
    /// The picture it applies to; a UI holding another one reads the whole dashboard again.
    pub base_seq: u64,
    pub day: String,
    pub at: String,
    pub last_event_at: Option<String>,
    /// Tiles that changed or are new.
    pub tiles: Vec<WindowTile>,
    /// Every window id in floor order, when the set or the order changed.
    pub tile_order: Option<Vec<String>>,
    pub matters: Vec<MatterQueue>,
    /// Every matter id in display order, when the set or the order changed.
    pub matter_order: Option<Vec<String>>,
    pub totals: Option<HallTotals>,
    pub hours: Option<Vec<HourFigures>>,
    pub waiting_series: Option<Vec<WaitingPoint>>,
    pub alerts: Option<Vec<Alert>>,
    pub suggestions: Option<Vec<Suggestion>>,
}

/// A desktop notification to raise: a window or matter crossed into alarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlarmNotice {
    pub subject: AlertSubject,
    pub subject_id: String,
    pub label: String,
    pub waiting: u32,
    pub longest_wait_secs: Option<i64>,
}
