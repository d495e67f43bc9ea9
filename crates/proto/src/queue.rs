//! The queue (排队叫号): tickets, their event log, and the slice of the hall the queue engine
//! (`hallkeeper-queue`) needs. Times are `DateTime<Utc>` (RFC 3339 on the wire, `string` in
//! TypeScript) because the engine subtracts them; the hall's day is UTC+8 and is derived from the
//! issue time, never read from a clock.

use crate::{Binding, Matter, MatterState, Window, WindowKind, WindowState};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Who goes first among tickets a window may call (after the window's primary/overflow tier).
/// Declared best first: the derived order is the call order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PriorityClass {
    /// 绿色通道: elderly, disabled, pregnant, veterans and other priority groups.
    PriorityLane,
    /// 预约: an appointment checked in at the kiosk.
    Appointment,
    Normal,
}

impl PriorityClass {
    pub const ALL: [PriorityClass; 3] = [Self::PriorityLane, Self::Appointment, Self::Normal];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PriorityLane => "priority_lane",
            Self::Appointment => "appointment",
            Self::Normal => "normal",
        }
    }
}

/// Where a ticket is in its life. Finished and no-show are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    Waiting,
    /// Called to a window, the citizen not yet there (or service not marked as started).
    Called,
    Serving,
    /// 挂起: set aside by its window (e.g. the citizen went to fetch a document).
    Parked,
    Finished,
    /// 过号: called and did not come.
    NoShow,
}

impl TicketState {
    pub const ALL: [TicketState; 6] =
        [Self::Waiting, Self::Called, Self::Serving, Self::Parked, Self::Finished, Self::NoShow];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Serving => "serving",
            Self::Parked => "parked",
            Self::Finished => "finished",
            Self::NoShow => "no_show",
        }
    }
}

/// Why a called ticket became a no-show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NoShowReason {
    /// The window pressed 过号.
    Manual,
    /// A recall was asked after the hall's recall limit.
    RecallLimit,
}

/// Where a transfer (转号) sends a ticket. It keeps its number, issue order and class.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "to", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum TransferTarget {
    /// Only this window may call it next, whatever its bindings.
    Window { window_id: String },
    /// It waits in this matter's queue, for any window bound to the matter.
    Matter { matter_id: String },
}

/// What happened to a ticket. A ticket's state is the fold of its events, so waits and service
/// times are measured, never estimated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum TicketEventKind {
    /// Taken at the kiosk. The number is `prefix` + `sequence` (at least 3 digits), counted per
    /// prefix and hall day (the UTC+8 date of the event).
    Issued {
        matter_id: String,
        class: PriorityClass,
        prefix: String,
        sequence: u32,
    },
    Called {
        window_id: String,
    },
    Recalled {
        window_id: String,
    },
    /// Service started (optional: finishing a called ticket is allowed).
    Started {
        window_id: String,
    },
    Finished {
        window_id: String,
    },
    NoShow {
        window_id: String,
        reason: NoShowReason,
    },
    Parked {
        window_id: String,
    },
    /// A parked ticket called back to the window that parked it.
    Resumed {
        window_id: String,
    },
    /// Back to waiting, for another window or matter; `window_id` is the window that sent it.
    Transferred {
        window_id: String,
        target: TransferTarget,
    },
}

impl TicketEventKind {
    /// The wire name of the kind (`issued`, `no_show` …).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Issued { .. } => "issued",
            Self::Called { .. } => "called",
            Self::Recalled { .. } => "recalled",
            Self::Started { .. } => "started",
            Self::Finished { .. } => "finished",
            Self::NoShow { .. } => "no_show",
            Self::Parked { .. } => "parked",
            Self::Resumed { .. } => "resumed",
            Self::Transferred { .. } => "transferred",
        }
    }
}

/// One entry of the queue's event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TicketEvent {
    pub ticket_id: String,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    #[ts(flatten)]
    pub kind: TicketEventKind,
}

/// A ticket as its events leave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    pub id: String,
    /// What is printed and announced, e.g. `A012` (`A1000` after `A999`).
    pub number: String,
    pub prefix: String,
    pub sequence: u32,
    /// The hall day (UTC+8) it was issued on.
    pub day: NaiveDate,
    /// Issue order in the hall, 0-based: first come, first served. Transfers keep it.
    pub order: u64,
    /// The matter it was taken for; the current matter differs after a transfer to another one.
    pub issued_matter_id: String,
    pub matter_id: String,
    pub class: PriorityClass,
    pub state: TicketState,
    /// The window holding it (called, serving, parked) or that ended it (finished, no-show);
    /// None while waiting.
    pub window_id: Option<String>,
    /// Set by a transfer to a window: while waiting, only that window may call it.
    pub target_window_id: Option<String>,
    /// Recalls since it was last called.
    pub recall_count: u32,
    pub transfer_count: u32,
    pub issued_at: DateTime<Utc>,
    pub first_called_at: Option<DateTime<Utc>>,
    /// The latest call (or resume).
    pub called_at: Option<DateTime<Utc>>,
    /// Service start after the latest call, if the window marked it.
    pub started_at: Option<DateTime<Utc>>,
    /// Finished or no-show.
    pub ended_at: Option<DateTime<Utc>>,
    /// Time of its latest event.
    pub updated_at: DateTime<Utc>,
}

/// A window as the queue sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueWindow {
    pub id: String,
    pub number: String,
    pub kind: WindowKind,
    pub state: WindowState,
    /// Floor order; refusals list windows in it.
    pub position: i64,
}

impl From<&Window> for QueueWindow {
    fn from(w: &Window) -> Self {
        Self {
            id: w.id.clone(),
            number: w.number.clone(),
            kind: w.kind,
            state: w.state,
            position: w.position,
        }
    }
}

/// A matter as the queue sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueMatter {
    pub id: String,
    /// One letter, or empty to use the hall's fallback.
    pub ticket_prefix: String,
    pub state: MatterState,
}

impl From<&Matter> for QueueMatter {
    fn from(m: &Matter) -> Self {
        Self { id: m.id.clone(), ticket_prefix: m.ticket_prefix.clone(), state: m.state }
    }
}

/// The hall's queue rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueSettings {
    /// Recalls allowed per call (重呼); one more makes the ticket a no-show.
    pub max_recalls: u32,
    /// Its first letter prefixes tickets of matters without a prefix of their own.
    pub fallback_prefix: String,
}

/// Everything the queue engine reads of the hall besides its own events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueConfig {
    pub windows: Vec<QueueWindow>,
    pub matters: Vec<QueueMatter>,
    pub bindings: Vec<Binding>,
    pub settings: QueueSettings,
}

/// Why the kiosk refuses a ticket: the same four reasons as the coverage audit's refusal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "reason", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum TicketRefusal {
    UnknownMatter,
    Retired,
    NoWindow,
    /// Bound only to these windows (floor order), none of them open.
    NoOpenWindow {
        window_ids: Vec<String>,
    },
}

/// Tickets by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TicketCounts {
    pub waiting: u32,
    pub called: u32,
    pub serving: u32,
    pub parked: u32,
    pub finished: u32,
    pub no_show: u32,
}

/// The queue of one matter: its tickets (by current matter) by state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MatterQueueTotals {
    pub matter_id: String,
    pub counts: TicketCounts,
}

/// The queue of one window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct WindowQueueTotals {
    pub window_id: String,
    /// Waiting tickets this window may call (its queue length on the hall display).
    pub callable: u32,
    /// Tickets at this window: waiting ones transferred to it, the one it holds, those it
    /// parked, and those it finished or marked no-show.
    pub counts: TicketCounts,
    /// The ticket it has called or is serving.
    pub current_ticket_id: Option<String>,
}
