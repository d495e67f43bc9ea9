//! The ticket state machine: the queue's state is the fold of its events (event sourcing).
//!
//! [`Ledger::apply`] checks what the events themselves can tell (the ticket exists, the move is
//! allowed from its state, the window holds it, time does not go back, numbers follow) and then
//! changes state; it never reads the configuration, so replaying a log gives the same state
//! whatever the windows' states are now. Configuration rules (a window must be open to call,
//! bindings, the recall limit) are the engine's, checked before it writes an event.
//!
//! ```text
//! issued ─▶ waiting ──called──▶ called ──started──▶ serving ──finished──▶ finished
//!            ▲  │ ▲               │  ▲ recalled        │
//!            │  └─┘ transferred   │  └──────── no_show (from called) ──▶ no_show
//!            └──── transferred ◀──┴── parked ◀─────────┘   (parked ──resumed──▶ called)
//! ```
//!
//! A waiting ticket is transferred by whoever holds it: the window it was transferred to, or,
//! when it waits in its matter's queue, no window at all ([`NO_SENDER`]: the supervisor moved it).

use crate::error::QueueError;
use crate::numbering::{hall_day, ticket_number};
use chrono::NaiveDate;
use hallkeeper_proto::{Ticket, TicketEvent, TicketEventKind, TicketState, TransferTarget};
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

/// The `window_id` of a `Transferred` event that moved a ticket no window held: one waiting in
/// its matter's queue. The proto type names a sender on every transfer; the configuration
/// refuses an empty window id, so this one is never mistaken for a window.
pub const NO_SENDER: &str = "";

/// Every ticket and the indexes the engine's operations need. A ticket's issue order is also
/// its place in `tickets`: inside the engine a ticket is that small integer, its id string is
/// looked up once at the edge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Ledger {
    /// In issue order.
    tickets: Vec<Ticket>,
    /// Ticket id → issue order.
    ids: FxHashMap<String, u64>,
    /// Waiting tickets by issue order: what windows choose from, without scanning the day.
    waiting: BTreeSet<u64>,
    /// Parked tickets by issue order.
    parked: BTreeSet<u64>,
    /// Window → the ticket it has called or is serving (at most one).
    active: FxHashMap<String, u64>,
    /// (hall day, prefix) → last sequence issued.
    last_sequence: FxHashMap<(NaiveDate, String), u32>,
    /// Finished tickets and the sum of their service times, kept as they finish.
    served: Served,
}

/// The day's finished services so far: what a wait estimate divides by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Served {
    pub tickets: u64,
    /// Sum of [`crate::service_time`] over them, in whole seconds.
    pub seconds: i64,
}

impl Ledger {
    pub fn ticket(&self, id: &str) -> Option<&Ticket> {
        self.ids.get(id).and_then(|&order| self.at(order))
    }

    /// The ticket of an issue order.
    pub fn at(&self, order: u64) -> Option<&Ticket> {
        usize::try_from(order).ok().and_then(|i| self.tickets.get(i))
    }

    /// Every ticket, in issue order.
    pub fn tickets(&self) -> impl Iterator<Item = &Ticket> {
        self.tickets.iter()
    }

    /// Waiting tickets in issue order.
    pub fn waiting(&self) -> impl Iterator<Item = &Ticket> {
        self.waiting.iter().filter_map(|&order| self.at(order))
    }

    /// Parked tickets in issue order.
    pub fn parked(&self) -> impl Iterator<Item = &Ticket> {
        self.parked.iter().filter_map(|&order| self.at(order))
    }

    pub fn served(&self) -> Served {
        self.served
    }

    /// The ticket a window has called or is serving.
    pub fn active(&self, window_id: &str) -> Option<&Ticket> {
        self.active.get(window_id).and_then(|&order| self.at(order))
    }

    /// The sequence the next ticket with this prefix gets on this day.
    pub fn next_sequence(&self, day: NaiveDate, prefix: &str) -> u32 {
        let last = self.last_sequence.get(&(day, prefix.to_string())).copied().unwrap_or(0);
        last.saturating_add(1)
    }

    /// Whether the event may be applied now.
    pub fn check(&self, e: &TicketEvent) -> Result<(), QueueError> {
        use TicketEventKind as K;
        use TicketState as S;
        if let K::Issued { prefix, sequence, .. } = &e.kind {
            if self.ids.contains_key(&e.ticket_id) {
                return Err(QueueError::TicketDuplicate(e.ticket_id.clone()));
            }
            let expected = self.next_sequence(hall_day(e.at), prefix);
            if *sequence != expected {
                return Err(QueueError::SequenceMismatch {
                    ticket_id: e.ticket_id.clone(),
                    expected,
                    got: *sequence,
                });
            }
            return Ok(());
        }
        let t = self.ticket(&e.ticket_id).ok_or_else(|| QueueError::TicketNotFound(e.ticket_id.clone()))?;
        let (window_id, allowed): (&str, &[S]) = match &e.kind {
            K::Issued { .. } => return Ok(()),
            K::Called { window_id } => (window_id, &[S::Waiting]),
            K::Recalled { window_id } | K::Started { window_id } | K::NoShow { window_id, .. } => {
                (window_id, &[S::Called])
            }
            K::Finished { window_id } | K::Parked { window_id } => (window_id, &[S::Called, S::Serving]),
            K::Resumed { window_id } => (window_id, &[S::Parked]),
            K::Transferred { window_id, .. } => (window_id, &[S::Waiting, S::Called, S::Serving, S::Parked]),
        };
        if !allowed.contains(&t.state) {
            return Err(QueueError::InvalidTransition {
                ticket_id: t.id.clone(),
                state: t.state,
                action: e.kind.name(),
            });
        }
        // A waiting ticket is held by no window; a call may still be reserved for one.
        let holder =
            if t.state == S::Waiting { t.target_window_id.as_deref() } else { t.window_id.as_deref() };
        // Anyone may call an untargeted waiting ticket, but only "nobody" sends one elsewhere:
        // a window naming itself as the sender of a ticket it never held would falsify the log.
        let sender_of_untargeted =
            t.state == S::Waiting && matches!(e.kind, K::Transferred { .. }) && window_id != NO_SENDER;
        if holder.is_some_and(|h| h != window_id) || (holder.is_none() && sender_of_untargeted) {
            return Err(QueueError::NotYourTicket {
                ticket_id: t.id.clone(),
                window_id: window_id.to_string(),
            });
        }
        if e.at < t.updated_at {
            return Err(QueueError::TimeOutOfOrder(t.id.clone()));
        }
        match &e.kind {
            K::Called { .. } | K::Resumed { .. } => {
                if let Some(busy) = self.active(window_id) {
                    return Err(QueueError::WindowBusy {
                        window_id: window_id.to_string(),
                        ticket_id: busy.id.clone(),
                    });
                }
            }
            K::Transferred { target: TransferTarget::Window { window_id: to }, .. } if to == window_id => {
                return Err(QueueError::TransferSameTarget(t.id.clone()));
            }
            _ => {}
        }
        Ok(())
    }

    /// Applies an event [`check`](Self::check) passed.
    pub fn commit(&mut self, e: &TicketEvent) {
        use TicketEventKind as K;
        if let K::Issued { matter_id, class, prefix, sequence } = &e.kind {
            let day = hall_day(e.at);
            let order = self.tickets.len() as u64;
            self.last_sequence.insert((day, prefix.clone()), *sequence);
            self.waiting.insert(order);
            self.ids.insert(e.ticket_id.clone(), order);
            self.tickets.push(Ticket {
                id: e.ticket_id.clone(),
                number: ticket_number(prefix, *sequence),
                prefix: prefix.clone(),
                sequence: *sequence,
                day,
                order,
                issued_matter_id: matter_id.clone(),
                matter_id: matter_id.clone(),
                class: *class,
                state: TicketState::Waiting,
                window_id: None,
                target_window_id: None,
                recall_count: 0,
                transfer_count: 0,
                issued_at: e.at,
                first_called_at: None,
                called_at: None,
                started_at: None,
                ended_at: None,
                updated_at: e.at,
            });
            return;
        }
        let Some(t) = self.ids.get(&e.ticket_id).and_then(|&o| self.tickets.get_mut(o as usize)) else {
            return;
        };
        t.updated_at = e.at;
        match &e.kind {
            K::Issued { .. } => {}
            K::Called { window_id } | K::Resumed { window_id } => {
                self.waiting.remove(&t.order);
                self.parked.remove(&t.order);
                self.active.insert(window_id.clone(), t.order);
                t.state = TicketState::Called;
                t.window_id = Some(window_id.clone());
                t.target_window_id = None;
                t.first_called_at.get_or_insert(e.at);
                t.called_at = Some(e.at);
                t.started_at = None;
                t.recall_count = 0;
            }
            K::Recalled { .. } => t.recall_count = t.recall_count.saturating_add(1),
            K::Started { .. } => {
                t.state = TicketState::Serving;
                t.started_at = Some(e.at);
            }
            K::Finished { window_id } | K::NoShow { window_id, .. } => {
                self.active.remove(window_id);
                t.state = if matches!(e.kind, K::Finished { .. }) {
                    TicketState::Finished
                } else {
                    TicketState::NoShow
                };
                t.ended_at = Some(e.at);
                if let Some(service) = crate::times::service_time(t) {
                    self.served.tickets += 1;
                    self.served.seconds += service.num_seconds();
                }
            }
            K::Parked { window_id } => {
                self.active.remove(window_id);
                self.parked.insert(t.order);
                t.state = TicketState::Parked;
            }
            K::Transferred { window_id, target } => {
                match t.state {
                    TicketState::Parked => {
                        self.parked.remove(&t.order);
                    }
                    TicketState::Called | TicketState::Serving => {
                        self.active.remove(window_id);
                    }
                    // Already in the waiting index, and its sender (if a window) holds another
                    // ticket as its active one, which must stay.
                    TicketState::Waiting | TicketState::Finished | TicketState::NoShow => {}
                }
                self.waiting.insert(t.order);
                match target {
                    TransferTarget::Window { window_id } => t.target_window_id = Some(window_id.clone()),
                    TransferTarget::Matter { matter_id } => {
                        t.matter_id = matter_id.clone();
                        t.target_window_id = None;
                    }
                }
                t.state = TicketState::Waiting;
                t.window_id = None;
                t.started_at = None;
                t.recall_count = 0;
                t.transfer_count = t.transfer_count.saturating_add(1);
            }
        }
    }
}
