//! [`HallQueue`]: the hall's queue for the day. Commands check the configuration's rules, write
//! one event, apply it and return it for the caller to store and broadcast; [`HallQueue::apply`]
//! replays stored events. Ids and instants come from the caller, so the engine is deterministic.
//!
//! Cost, with n the waiting tickets and b the windows that may call a ticket (those bound to its
//! matter, a handful): every command is O(b log n), `call_next` and
//! [`people_ahead`](crate::people_ahead) included, through each window's queue kept in call
//! order ([`crate::index`]); `waiting_for` is O(m log n) for the m it returns; `move_waiting`
//! is O(n + k·b log n) for k moved; a new configuration rebuilds the index, O(n·b log n).

use crate::config::Hall;
use crate::error::{ConfigProblem, QueueError};
use crate::events::{Ledger, Served, NO_SENDER};
use crate::index::WindowQueues;
use crate::numbering::hall_day;
use chrono::{DateTime, Utc};
use hallkeeper_proto::{
    NoShowReason, PriorityClass, QueueConfig, QueueWindow, Ticket, TicketEvent, TicketEventKind,
    TicketRefusal, TicketState, TransferTarget, WindowState,
};
use std::collections::HashMap;

/// The queue of one hall: its configuration and every ticket, as their events leave them.
#[derive(Debug, Clone)]
pub struct HallQueue {
    hall: Hall,
    ledger: Ledger,
    /// Derived from the two above, kept in step by [`log`](Self::log).
    queues: WindowQueues,
}

/// Equal configuration and tickets; the index follows from them.
impl PartialEq for HallQueue {
    fn eq(&self, other: &Self) -> bool {
        self.hall == other.hall && self.ledger == other.ledger
    }
}

impl Eq for HallQueue {}

impl HallQueue {
    /// An empty queue. Refuses a configuration that is not consistent (see [`ConfigProblem`]).
    pub fn new(config: QueueConfig) -> Result<Self, QueueError> {
        let hall = Hall::new(config)?;
        let queues = WindowQueues::build(&hall, std::iter::empty());
        Ok(Self { hall, ledger: Ledger::default(), queues })
    }

    /// The queue a stored log leaves, applying events in order; stops at the first bad one.
    pub fn replay<'a>(
        config: QueueConfig,
        events: impl IntoIterator<Item = &'a TicketEvent>,
    ) -> Result<Self, QueueError> {
        let mut queue = Self::new(config)?;
        for e in events {
            queue.apply(e)?;
        }
        Ok(queue)
    }

    /// Applies an event from the log (or from another node). It checks what the events alone can
    /// tell, not the configuration: a window closed now does not make yesterday's call invalid.
    pub fn apply(&mut self, event: &TicketEvent) -> Result<(), QueueError> {
        self.log(event)
    }

    pub fn config(&self) -> &QueueConfig {
        self.hall.config()
    }

    /// Replaces the configuration (windows, matters, bindings, settings). Tickets stay where they
    /// are; the new bindings order them from now on. Refuses to drop a window that holds a
    /// ticket or that a waiting ticket was transferred to, or a matter tickets wait for.
    pub fn set_config(&mut self, config: QueueConfig) -> Result<(), QueueError> {
        let hall = Hall::new(config)?;
        for t in self.ledger.tickets() {
            let live = matches!(t.state, TicketState::Called | TicketState::Serving | TicketState::Parked);
            let held_by = if live { t.window_id.as_deref() } else { None };
            for w in held_by.into_iter().chain(t.target_window_id.as_deref()) {
                if hall.window(w).is_none() {
                    return Err(ConfigProblem::WindowInUse(w.to_string()).into());
                }
            }
            if t.state == TicketState::Waiting && hall.matter(&t.matter_id).is_none() {
                return Err(ConfigProblem::MatterInUse(t.matter_id.clone()).into());
            }
        }
        self.queues = WindowQueues::build(&hall, self.ledger.waiting());
        self.hall = hall;
        Ok(())
    }

    /// Opens, pauses or closes a window. A paused or closed window keeps its current ticket
    /// (staff finish what they started) and its queue, but calls nobody.
    pub fn set_window_state(&mut self, window_id: &str, state: WindowState) -> Result<(), QueueError> {
        if self.hall.set_window_state(window_id, state) {
            if let Some(w) = self.hall.window_position(window_id) {
                self.queues.touch(w);
            }
            Ok(())
        } else {
            Err(QueueError::WindowNotFound(window_id.to_string()))
        }
    }

    /// Why the kiosk must refuse a ticket for this matter, if it must.
    pub fn refusal(&self, matter_id: &str) -> Option<TicketRefusal> {
        self.hall.refusal(matter_id)
    }

    // ---- commands -------------------------------------------------------------------------

    /// 取号: a ticket for a matter, numbered `prefix` + the day's next sequence for that prefix.
    pub fn issue(
        &mut self,
        ticket_id: &str,
        matter_id: &str,
        class: PriorityClass,
        at: DateTime<Utc>,
    ) -> Result<TicketEvent, QueueError> {
        if let Some(refusal) = self.hall.refusal(matter_id) {
            return Err(QueueError::Refused { matter_id: matter_id.to_string(), refusal });
        }
        let prefix = self
            .hall
            .prefix(matter_id)
            .ok_or_else(|| QueueError::Refused {
                matter_id: matter_id.to_string(),
                refusal: TicketRefusal::UnknownMatter,
            })?
            .to_string();
        let sequence = self.ledger.next_sequence(hall_day(at), &prefix);
        let kind = TicketEventKind::Issued { matter_id: matter_id.to_string(), class, prefix, sequence };
        self.commit(TicketEvent { ticket_id: ticket_id.to_string(), at, kind })
    }

    /// 叫号: calls the first ticket of the window's queue (see [`crate::ordering`]).
    pub fn call_next(&mut self, window_id: &str, at: DateTime<Utc>) -> Result<TicketEvent, QueueError> {
        self.open_window(window_id)?;
        if let Some(busy) = self.ledger.active(window_id) {
            return Err(QueueError::WindowBusy {
                window_id: window_id.to_string(),
                ticket_id: busy.id.clone(),
            });
        }
        let next = self
            .next_for(window_id)
            .map(|t| t.id.clone())
            .ok_or_else(|| QueueError::NothingWaiting(window_id.to_string()))?;
        let kind = TicketEventKind::Called { window_id: window_id.to_string() };
        self.commit(TicketEvent { ticket_id: next, at, kind })
    }

    /// 选号: calls a chosen ticket of the window's queue out of order (a citizen who must be
    /// served now: an interpreter arrived, a form was fetched). Only a ticket this window would
    /// call at some point may be chosen: one in its queue, not another window's or matter's.
    pub fn call_chosen(
        &mut self,
        window_id: &str,
        ticket_id: &str,
        at: DateTime<Utc>,
    ) -> Result<TicketEvent, QueueError> {
        self.open_window(window_id)?;
        let e =
            self.event(window_id, ticket_id, at, TicketEventKind::Called { window_id: window_id.into() })?;
        // The ledger's check covers state, holder and a busy window; the queue membership is
        // what it cannot see (a waiting ticket of a matter this window is not bound to).
        self.ledger.check(&e)?;
        let ours = self.queue_of(window_id)?.any(|t| t.id == ticket_id);
        if !ours {
            return Err(QueueError::NotYourTicket {
                ticket_id: ticket_id.to_string(),
                window_id: window_id.to_string(),
            });
        }
        self.commit(e)
    }

    /// 重呼: announces the called ticket again. Past the hall's recall limit the ticket becomes
    /// a no-show instead (the returned event says which).
    pub fn recall(
        &mut self,
        window_id: &str,
        ticket_id: &str,
        at: DateTime<Utc>,
    ) -> Result<TicketEvent, QueueError> {
        let recalled =
            self.event(window_id, ticket_id, at, TicketEventKind::Recalled { window_id: window_id.into() })?;
        self.ledger.check(&recalled)?;
        self.open_window(window_id)?;
        let used = self.ledger.ticket(ticket_id).map_or(0, |t| t.recall_count);
        if used < self.hall.max_recalls() {
            return self.commit(recalled);
        }
        let reason = NoShowReason::RecallLimit;
        self.commit(TicketEvent {
            kind: TicketEventKind::NoShow { window_id: window_id.into(), reason },
            ..recalled
        })
    }

    /// The citizen is at the window (optional: a called ticket may be finished directly).
    pub fn start(
        &mut self,
        window_id: &str,
        ticket_id: &str,
        at: DateTime<Utc>,
    ) -> Result<TicketEvent, QueueError> {
        self.window_step(window_id, ticket_id, at, |window_id| TicketEventKind::Started { window_id })
    }

    /// Service done (the rating pad takes over).
    pub fn finish(
        &mut self,
        window_id: &str,
        ticket_id: &str,
        at: DateTime<Utc>,
    ) -> Result<TicketEvent, QueueError> {
        self.window_step(window_id, ticket_id, at, |window_id| TicketEventKind::Finished { window_id })
    }

    /// 完成并叫下一位: finishes the window's ticket and calls the next one, as one operation (the
    /// one button of a busy window; "call next" alone is refused while a ticket is open). The
    /// ticket is named so that a second press, on a screen that has not caught up, finishes
    /// nothing more than the first did. The window must be open: a paused one finishes with
    /// [`finish`](Self::finish) and calls nobody. Returns the `Finished` event, then the `Called`
    /// one when anyone is waiting; all applied, or none when the finish is refused.
    pub fn finish_and_call_next(
        &mut self,
        window_id: &str,
        ticket_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<TicketEvent>, QueueError> {
        let finished =
            self.event(window_id, ticket_id, at, TicketEventKind::Finished { window_id: window_id.into() })?;
        self.ledger.check(&finished)?;
        self.open_window(window_id)?;
        let called = self.next_for(window_id).map(|next| TicketEvent {
            ticket_id: next.id.clone(),
            at,
            kind: TicketEventKind::Called { window_id: window_id.into() },
        });
        if let Some(called) = &called {
            // Checked before anything applies; the window is busy only with the ticket the
            // finish frees, so that one refusal is the one to pass over.
            match self.ledger.check(called) {
                Err(QueueError::WindowBusy { ticket_id: busy, .. }) if busy == ticket_id => {}
                other => other?,
            }
        }
        self.log(&finished)?;
        let mut events = vec![finished];
        if let Some(called) = called {
            events.push(self.commit(called)?);
        }
        Ok(events)
    }

    /// 过号: the called citizen did not come.
    pub fn no_show(
        &mut self,
        window_id: &str,
        ticket_id: &str,
        at: DateTime<Utc>,
    ) -> Result<TicketEvent, QueueError> {
        self.window_step(window_id, ticket_id, at, |window_id| TicketEventKind::NoShow {
            window_id,
            reason: NoShowReason::Manual,
        })
    }

    /// 挂起: sets the ticket aside at this window, which may then call the next one.
    pub fn park(
        &mut self,
        window_id: &str,
        ticket_id: &str,
        at: DateTime<Utc>,
    ) -> Result<TicketEvent, QueueError> {
        self.window_step(window_id, ticket_id, at, |window_id| TicketEventKind::Parked { window_id })
    }

    /// Calls a ticket this window parked back to it (the window must be open and free).
    pub fn resume(
        &mut self,
        window_id: &str,
        ticket_id: &str,
        at: DateTime<Utc>,
    ) -> Result<TicketEvent, QueueError> {
        let e =
            self.event(window_id, ticket_id, at, TicketEventKind::Resumed { window_id: window_id.into() })?;
        self.ledger.check(&e)?;
        self.open_window(window_id)?;
        self.commit(e)
    }

    /// 转号: sends a called, serving or parked ticket back to waiting, for another window (only
    /// that window may call it, bound to its matter or not) or another matter (any window bound
    /// to it). It keeps its number, its issue order and its class, so it is not sent to the back.
    /// The target must be able to call it: an open window, or a matter a kiosk would ticket.
    /// Transferring to its own matter returns it to that matter's queue.
    pub fn transfer(
        &mut self,
        window_id: &str,
        ticket_id: &str,
        target: TransferTarget,
        at: DateTime<Utc>,
    ) -> Result<TicketEvent, QueueError> {
        let kind = TicketEventKind::Transferred { window_id: window_id.into(), target: target.clone() };
        let e = self.event(window_id, ticket_id, at, kind)?;
        // The log lets a waiting ticket's holder pass it on (see `move_waiting`); a window passes
        // on only what it has called, so a person is never sent on before anyone spoke to them.
        if let Some(t) = self.ledger.ticket(ticket_id).filter(|t| t.state == TicketState::Waiting) {
            return Err(QueueError::InvalidTransition {
                ticket_id: t.id.clone(),
                state: t.state,
                action: e.kind.name(),
            });
        }
        self.ledger.check(&e)?;
        match &target {
            TransferTarget::Window { window_id: to } => {
                self.open_window(to)?;
            }
            TransferTarget::Matter { matter_id } => {
                if let Some(refusal) = self.hall.refusal(matter_id) {
                    return Err(QueueError::Refused { matter_id: matter_id.clone(), refusal });
                }
            }
        }
        self.commit(e)
    }

    /// 整队转移: sends every ticket waiting in a matter's queue to one window, e.g. the 14 people
    /// waiting for 不动产登记 to the idle window A07. Each gets a `Transferred` event (sender
    /// [`NO_SENDER`]: no window held it; target the window), so from then on only that window
    /// calls it, bound to the matter or not, as after a caller's transfer. Each keeps its number,
    /// issue order and class, so at the window they line up among its primary tickets by class
    /// and issue order, as they stood in the matter's queue.
    ///
    /// Moved: waiting tickets whose current matter this is and that no transfer sent to a window.
    /// Left alone: tickets a caller sent to a window (someone chose that window for them, and the
    /// target window already shows them), and called, serving or parked ones. A retired matter's
    /// queue may be moved too: that is one way to empty it.
    ///
    /// Refused, changing nothing: the window is unknown or not open; the matter is unknown; or
    /// nothing is left to move (`queue.nothing_to_move`: the supervisor acted on a count that
    /// the callers have since emptied, and should hear so rather than "moved 0").
    ///
    /// Returns the events in issue order, all at `at`. O(n) for n waiting tickets, plus
    /// O(k log n) to apply the k moved.
    pub fn move_waiting(
        &mut self,
        matter_id: &str,
        to_window_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<TicketEvent>, QueueError> {
        let target = TransferTarget::Window { window_id: self.open_window(to_window_id)?.id.clone() };
        if self.hall.matter(matter_id).is_none() {
            return Err(QueueError::Refused {
                matter_id: matter_id.to_string(),
                refusal: TicketRefusal::UnknownMatter,
            });
        }
        let events: Vec<TicketEvent> = self
            .ledger
            .waiting()
            .filter(|t| t.matter_id == matter_id && t.target_window_id.is_none())
            .map(|t| TicketEvent {
                ticket_id: t.id.clone(),
                at,
                kind: TicketEventKind::Transferred { window_id: NO_SENDER.into(), target: target.clone() },
            })
            .collect();
        if events.is_empty() {
            return Err(QueueError::NothingToMove(matter_id.to_string()));
        }
        // All or nothing: moving one waiting ticket changes no other ticket's check, so once
        // every event has passed (an `at` before a ticket's last event fails one), all apply.
        for e in &events {
            self.ledger.check(e)?;
        }
        for e in &events {
            self.log(e)?;
        }
        Ok(events)
    }

    /// The ticket the window would call now.
    fn next_for(&self, window_id: &str) -> Option<&Ticket> {
        let first = self.queues.first(self.hall.window_position(window_id)?)?;
        self.ledger.at(first)
    }

    /// Checks and applies an event, and moves its ticket in the windows' queues: out of those
    /// it waited in, into those it waits in now.
    fn log(&mut self, e: &TicketEvent) -> Result<(), QueueError> {
        self.ledger.check(e)?;
        if let Some(t) = self.ledger.ticket(&e.ticket_id).filter(|t| t.state == TicketState::Waiting) {
            self.queues.remove(&self.hall, t);
        }
        self.ledger.commit(e);
        if let Some(t) = self.ledger.ticket(&e.ticket_id).filter(|t| t.state == TicketState::Waiting) {
            self.queues.insert(&self.hall, t);
        }
        Ok(())
    }

    /// An event of a window's operation on a ticket, once the window is known.
    fn event(
        &self,
        window_id: &str,
        ticket_id: &str,
        at: DateTime<Utc>,
        kind: TicketEventKind,
    ) -> Result<TicketEvent, QueueError> {
        self.window(window_id)?;
        Ok(TicketEvent { ticket_id: ticket_id.to_string(), at, kind })
    }

    /// A window's step on a ticket that the ledger alone decides (start, finish, no-show, park):
    /// the event of `kind` at that window, checked and applied.
    fn window_step(
        &mut self,
        window_id: &str,
        ticket_id: &str,
        at: DateTime<Utc>,
        kind: fn(String) -> TicketEventKind,
    ) -> Result<TicketEvent, QueueError> {
        let e = self.event(window_id, ticket_id, at, kind(window_id.into()))?;
        self.commit(e)
    }

    fn commit(&mut self, e: TicketEvent) -> Result<TicketEvent, QueueError> {
        self.log(&e)?;
        Ok(e)
    }

    fn window(&self, window_id: &str) -> Result<&QueueWindow, QueueError> {
        self.hall.window(window_id).ok_or_else(|| QueueError::WindowNotFound(window_id.to_string()))
    }

    fn open_window(&self, window_id: &str) -> Result<&QueueWindow, QueueError> {
        let w = self.window(window_id)?;
        if w.state != WindowState::Open {
            return Err(QueueError::WindowClosed { window_id: window_id.to_string(), state: w.state });
        }
        Ok(w)
    }

    // ---- queries --------------------------------------------------------------------------

    pub fn ticket(&self, ticket_id: &str) -> Option<&Ticket> {
        self.ledger.ticket(ticket_id)
    }

    /// Every ticket, in issue order.
    pub fn tickets(&self) -> Vec<&Ticket> {
        self.ledger.tickets().collect()
    }

    /// Waiting tickets in issue order (whoever may call them).
    pub fn waiting(&self) -> impl Iterator<Item = &Ticket> {
        self.ledger.waiting()
    }

    /// The window's queue in the order it would call it, whether or not it is open now (the
    /// supervisor watches the queues of paused windows too).
    pub fn waiting_for(&self, window_id: &str) -> Result<Vec<&Ticket>, QueueError> {
        Ok(self.queue_of(window_id)?.collect())
    }

    /// The window's queue in call order, lazily: the first few cost O(log n) each.
    pub fn queue_of<'a>(
        &'a self,
        window_id: &str,
    ) -> Result<impl Iterator<Item = &'a Ticket> + 'a, QueueError> {
        self.window(window_id)?;
        let w = self.hall.window_position(window_id);
        Ok(w.into_iter().flat_map(|w| self.queues.in_order(w)).filter_map(|o| self.ledger.at(o)))
    }

    /// How many wait in the window's queue. O(1).
    pub fn queue_len(&self, window_id: &str) -> Result<usize, QueueError> {
        self.window(window_id)?;
        Ok(self.hall.window_position(window_id).map_or(0, |w| self.queues.len(w)))
    }

    /// The window's queue in no particular order: for counting and waits, without
    /// [`waiting_for`](Self::waiting_for)'s sort (the dashboard asks for 200 windows at a time).
    pub fn waiting_for_unordered<'a>(
        &'a self,
        window_id: &str,
    ) -> Result<impl Iterator<Item = &'a Ticket> + 'a, QueueError> {
        self.queue_of(window_id)
    }

    /// The windows whose queue (or state) changed since the last call: only in them can a
    /// waiting ticket's place have moved. After a replay or a new configuration, every window.
    pub fn take_changed_windows(&mut self) -> Vec<String> {
        let changed = self.queues.take_changed();
        changed.into_iter().filter_map(|w| self.hall.windows().get(w)).map(|w| w.id.clone()).collect()
    }

    /// Every window's queue at once, each in no particular order: what
    /// [`waiting_for_unordered`](Self::waiting_for_unordered) gives window by window, in one pass
    /// over the waiting tickets (a ticket goes to its target window, or to every window bound to
    /// its matter) instead of one pass per window. Windows nobody waits for are absent.
    pub fn waiting_by_window(&self) -> HashMap<&str, Vec<&Ticket>> {
        let mut out: HashMap<&str, Vec<&Ticket>> = HashMap::new();
        for t in self.ledger.waiting() {
            match &t.target_window_id {
                Some(target) => {
                    if let Some(w) = self.hall.window(target) {
                        out.entry(w.id.as_str()).or_default().push(t);
                    }
                }
                None => {
                    for w in self.hall.windows_of_matter(&t.matter_id) {
                        out.entry(w.id.as_str()).or_default().push(t);
                    }
                }
            }
        }
        out
    }

    /// The day's finished services: how many, and their total time. O(1).
    pub fn served(&self) -> Served {
        self.ledger.served()
    }

    /// How many windows bound to the matter are open now.
    pub fn open_windows_of(&self, matter_id: &str) -> usize {
        self.hall.windows_of_matter(matter_id).filter(|w| w.state == WindowState::Open).count()
    }

    /// The ticket the window has called or is serving.
    pub fn current(&self, window_id: &str) -> Option<&Ticket> {
        self.ledger.active(window_id)
    }

    /// Tickets the window parked, in issue order.
    pub fn parked_at(&self, window_id: &str) -> Vec<&Ticket> {
        self.ledger.parked().filter(|t| t.window_id.as_deref() == Some(window_id)).collect()
    }

    pub(crate) fn hall(&self) -> &Hall {
        &self.hall
    }

    pub(crate) fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub(crate) fn queues(&self) -> &WindowQueues {
        &self.queues
    }
}
