//! Figures derived from the events: measured, never estimated.

use crate::engine::HallQueue;
use crate::index::callers;
use crate::ordering::call_key;
use hallkeeper_proto::{
    MatterQueueTotals, Ticket, TicketCounts, TicketState, WindowQueueTotals, WindowState,
};
use std::collections::{BTreeMap, HashMap};

/// How many tickets will be called before this waiting one: the fewest ahead of it in the queue
/// of any window that may call it and is not closed (a paused window comes back). None when it
/// is not waiting or no such window exists. O(b log n) for b windows that may call it.
pub fn people_ahead(queue: &HallQueue, ticket_id: &str) -> Option<u32> {
    let ticket = queue.ticket(ticket_id).filter(|t| t.state == TicketState::Waiting)?;
    let hall = queue.hall();
    callers(hall, ticket)
        .filter(|&w| hall.windows()[w].state != WindowState::Closed)
        .filter_map(|w| {
            let key = call_key(hall, &hall.windows()[w], ticket)?;
            Some(u32::try_from(queue.queues().ahead(w, &key)).unwrap_or(u32::MAX))
        })
        .min()
}

/// Tickets per matter (by their current matter): the configuration's matters in its order, then
/// any other matter tickets name, by id.
pub fn matter_totals(queue: &HallQueue) -> Vec<MatterQueueTotals> {
    let mut counts: HashMap<&str, TicketCounts> = HashMap::new();
    for t in queue.ledger().tickets() {
        bump(counts.entry(t.matter_id.as_str()).or_default(), t.state);
    }
    let mut out: Vec<MatterQueueTotals> = Vec::with_capacity(counts.len());
    for m in &queue.config().matters {
        let c = counts.remove(m.id.as_str()).unwrap_or_default();
        out.push(MatterQueueTotals { matter_id: m.id.clone(), counts: c });
    }
    let rest: BTreeMap<&str, TicketCounts> = counts.into_iter().collect();
    out.extend(rest.into_iter().map(|(id, c)| MatterQueueTotals { matter_id: id.to_string(), counts: c }));
    out
}

/// Tickets per window: the configuration's windows in its order, then any other window tickets
/// name, by id. O(total tickets + w).
pub fn window_totals(queue: &HallQueue) -> Vec<WindowQueueTotals> {
    let mut counts: HashMap<&str, TicketCounts> = HashMap::new();
    for t in queue.ledger().tickets() {
        let at = if t.state == TicketState::Waiting {
            t.target_window_id.as_deref()
        } else {
            t.window_id.as_deref()
        };
        if let Some(w) = at {
            bump(counts.entry(w).or_default(), t.state);
        }
    }
    let hall = queue.hall();
    let totals = |id: &str, counts: TicketCounts, callable: usize| WindowQueueTotals {
        window_id: id.to_string(),
        callable: u32::try_from(callable).unwrap_or(u32::MAX),
        counts,
        current_ticket_id: queue.current(id).map(|t| t.id.clone()),
    };
    let mut out = Vec::with_capacity(hall.windows().len());
    for (i, w) in hall.windows().iter().enumerate() {
        let callable = queue.queues().len(i);
        out.push(totals(&w.id, counts.remove(w.id.as_str()).unwrap_or_default(), callable));
    }
    let rest: BTreeMap<&str, TicketCounts> = counts.into_iter().collect();
    out.extend(rest.into_iter().map(|(id, c)| totals(id, c, 0)));
    out
}

/// Counts of a set of tickets by state.
pub fn count_states<'a>(tickets: impl IntoIterator<Item = &'a Ticket>) -> TicketCounts {
    let mut c = TicketCounts::default();
    for t in tickets {
        bump(&mut c, t.state);
    }
    c
}

fn bump(c: &mut TicketCounts, state: TicketState) {
    let slot = match state {
        TicketState::Waiting => &mut c.waiting,
        TicketState::Called => &mut c.called,
        TicketState::Serving => &mut c.serving,
        TicketState::Parked => &mut c.parked,
        TicketState::Finished => &mut c.finished,
        TicketState::NoShow => &mut c.no_show,
    };
    *slot = slot.saturating_add(1);
}
