//! The engine's one error type. Every variant has a stable `code()`: devices and the UI key on it,
//! so never rename one.

use hallkeeper_proto::{TicketRefusal, TicketState, WindowState};

/// Why an operation (or an event being replayed) was refused. A refused operation changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueError {
    #[error("no ticket {0}")]
    TicketNotFound(String),
    #[error("ticket {0} already exists")]
    TicketDuplicate(String),
    #[error("no window {0}")]
    WindowNotFound(String),
    /// Calling (call, recall, resume) or transferring to a window needs it open.
    #[error("window {window_id} is {} and cannot call", state.as_str())]
    WindowClosed { window_id: String, state: WindowState },
    /// A window holds one called or serving ticket at a time.
    #[error("window {window_id} already has ticket {ticket_id}")]
    WindowBusy { window_id: String, ticket_id: String },
    #[error("no ticket is waiting for window {0}")]
    NothingWaiting(String),
    /// The ticket is not held by (or, for a call, not directed to) this window.
    #[error("ticket {ticket_id} is not at window {window_id}")]
    NotYourTicket { ticket_id: String, window_id: String },
    #[error("ticket {ticket_id} is {} and cannot be {action}", state.as_str())]
    InvalidTransition { ticket_id: String, state: TicketState, action: &'static str },
    #[error("ticket {0} is already there")]
    TransferSameTarget(String),
    /// Moving a matter's queue to a window when no ticket waits in that queue (all called, or
    /// each already sent to a window of its own).
    #[error("no ticket waits in the queue of matter {0}")]
    NothingToMove(String),
    /// The kiosk (or a transfer) may not put a ticket in this matter's queue.
    #[error("tickets for matter {matter_id} are refused: {refusal:?}")]
    Refused { matter_id: String, refusal: TicketRefusal },
    /// Replay: an issue whose sequence does not follow the day's last one for its prefix.
    #[error("ticket {ticket_id} has sequence {got} where {expected} was next")]
    SequenceMismatch { ticket_id: String, expected: u32, got: u32 },
    /// An event earlier than the ticket's previous one.
    #[error("event of ticket {0} is earlier than its previous event")]
    TimeOutOfOrder(String),
    #[error("queue configuration refused: {0}")]
    ConfigInvalid(ConfigProblem),
}

/// What is wrong with a [`hallkeeper_proto::QueueConfig`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigProblem {
    #[error("window {0} is listed twice")]
    DuplicateWindow(String),
    #[error("matter {0} is listed twice")]
    DuplicateMatter(String),
    #[error("window {window_id} is bound to matter {matter_id} twice")]
    DuplicateBinding { window_id: String, matter_id: String },
    #[error("a binding names unknown window {0}")]
    BindingUnknownWindow(String),
    #[error("a binding names unknown matter {0}")]
    BindingUnknownMatter(String),
    #[error("matter {matter_id} has ticket prefix {prefix:?}; it must be one letter A–Z or empty")]
    InvalidPrefix { matter_id: String, prefix: String },
    #[error("the fallback prefix {0:?} does not start with a letter A–Z")]
    InvalidFallbackPrefix(String),
    #[error("a window has an empty id")]
    EmptyWindowId,
    /// Removing a window that holds tickets, or that waiting tickets were transferred to.
    #[error("window {0} still has tickets")]
    WindowInUse(String),
    /// Removing a matter that tickets are waiting for.
    #[error("matter {0} still has waiting tickets")]
    MatterInUse(String),
}

impl QueueError {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TicketNotFound(_) => "queue.ticket_not_found",
            Self::TicketDuplicate(_) => "queue.ticket_duplicate",
            Self::WindowNotFound(_) => "queue.window_not_found",
            Self::WindowClosed { .. } => "queue.window_closed",
            Self::WindowBusy { .. } => "queue.window_busy",
            Self::NothingWaiting(_) => "queue.nothing_waiting",
            Self::NotYourTicket { .. } => "queue.not_your_ticket",
            Self::InvalidTransition { .. } => "queue.invalid_transition",
            Self::TransferSameTarget(_) => "queue.transfer_same_target",
            Self::NothingToMove(_) => "queue.nothing_to_move",
            Self::Refused { refusal, .. } => match refusal {
                TicketRefusal::UnknownMatter => "queue.unknown_matter",
                TicketRefusal::Retired => "queue.matter_retired",
                TicketRefusal::NoWindow => "queue.no_window",
                TicketRefusal::NoOpenWindow { .. } => "queue.no_open_window",
            },
            Self::SequenceMismatch { .. } => "queue.sequence_mismatch",
            Self::TimeOutOfOrder(_) => "queue.time_out_of_order",
            Self::ConfigInvalid(_) => "queue.config_invalid",
        }
    }
}

impl From<ConfigProblem> for QueueError {
    fn from(p: ConfigProblem) -> Self {
        Self::ConfigInvalid(p)
    }
}
