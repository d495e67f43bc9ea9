//! The call order of one window.
//!
//! A window calls, among the waiting tickets it may take:
//! 1. at a priority-lane window (绿色通道, `WindowKind::Priority`), priority-lane tickets first,
//!    whatever the tier of their matter there;
//! 2. tickets of its primary bindings before those of its overflow bindings (a ticket
//!    transferred to this window counts as primary: it was sent here on purpose);
//! 3. priority lane, then checked-in appointments, then normal;
//! 4. issue order (first come, first served; a transfer keeps the original place).
//!
//! A window may take a waiting ticket that was transferred to it, or, if the ticket was not
//! transferred to a window, one whose current matter is bound to it.

use crate::config::Hall;
use hallkeeper_proto::{BindingPriority, PriorityClass, QueueWindow, Ticket, WindowKind};

/// Where a waiting ticket stands in one window's order; the smallest is called next.
/// Field order is the rule's order (derived `Ord` compares fields top to bottom).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CallKey {
    /// False first: only a priority-lane window sets it, for tickets outside the lane.
    behind_lane: bool,
    tier: BindingPriority,
    class: PriorityClass,
    pub(crate) order: u64,
}

/// The key of a waiting ticket for a window, or None when the window may not call it.
pub(crate) fn call_key(hall: &Hall, window: &QueueWindow, ticket: &Ticket) -> Option<CallKey> {
    let tier = match &ticket.target_window_id {
        Some(target) if *target == window.id => BindingPriority::Primary,
        Some(_) => return None,
        None => hall.tier(&window.id, &ticket.matter_id)?,
    };
    Some(CallKey {
        behind_lane: window.kind == WindowKind::Priority && ticket.class != PriorityClass::PriorityLane,
        tier,
        class: ticket.class,
        order: ticket.order,
    })
}
