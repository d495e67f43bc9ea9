//! A ticket's own durations, from its fields alone (no queue): what the ledger sums as services
//! finish and what the figures in `derived` report.

use chrono::Duration;
use hallkeeper_proto::{Ticket, TicketState};

/// Wait: from issue to the first call (a recall or a transfer does not restart it). None until
/// it is called.
pub fn wait_time(t: &Ticket) -> Option<Duration> {
    Some(t.first_called_at? - t.issued_at)
}

/// Service: from the start of service (or, if the window did not mark it, the call) to the
/// finish, at the window that finished it. Time at an earlier window before a transfer or a park
/// is not counted. None unless finished (a no-show was not served).
pub fn service_time(t: &Ticket) -> Option<Duration> {
    if t.state != TicketState::Finished {
        return None;
    }
    Some(t.ended_at? - t.started_at.or(t.called_at)?)
}
