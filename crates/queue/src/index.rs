//! [`WindowQueues`]: every window's queue held in its call order, changed ticket by ticket as
//! events apply, so that the next ticket, a ticket's place and a queue's length cost O(log n)
//! instead of a pass over everyone waiting.
//!
//! A window's queue is the set of [`CallKey`]s of the waiting tickets it may call (see
//! [`crate::ordering`]); a key's `order` names its ticket. The keys depend on the configuration
//! (bindings, window kinds), so a new configuration rebuilds the whole index; a window's state
//! does not enter the key (a paused window keeps its queue).
//!
//! The index also remembers which windows' queues changed since it was last asked
//! ([`WindowQueues::take_changed`]): a ticket's place moves only when one of its windows' queues
//! does, which is what lets the SMS triggers look at a few tickets per event, not all.

use crate::config::Hall;
use crate::ordering::{call_key, CallKey};
use crate::rank::RankSet;
use hallkeeper_proto::Ticket;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WindowQueues {
    /// By window position in the configuration.
    queues: Vec<RankSet<CallKey>>,
    /// Positions of the windows whose queue or state changed since `take_changed`.
    changed: BTreeSet<usize>,
}

impl WindowQueues {
    /// The index of `waiting` under `hall`; every window counts as changed.
    pub fn build<'a>(hall: &Hall, waiting: impl Iterator<Item = &'a Ticket>) -> Self {
        let mut index = Self {
            queues: vec![RankSet::default(); hall.windows().len()],
            changed: (0..hall.windows().len()).collect(),
        };
        for t in waiting {
            index.insert(hall, t);
        }
        index
    }

    /// Adds a waiting ticket to the queue of every window that may call it.
    pub fn insert(&mut self, hall: &Hall, ticket: &Ticket) {
        for w in callers(hall, ticket) {
            if let Some(key) = call_key(hall, &hall.windows()[w], ticket) {
                self.queues[w].insert(key);
                self.changed.insert(w);
            }
        }
    }

    /// Takes a ticket out of every queue it is in; `ticket` as it was when it was inserted.
    pub fn remove(&mut self, hall: &Hall, ticket: &Ticket) {
        for w in callers(hall, ticket) {
            if let Some(key) = call_key(hall, &hall.windows()[w], ticket) {
                self.queues[w].remove(&key);
                self.changed.insert(w);
            }
        }
    }

    /// Notes a window whose state changed (a closed window's tickets count again once it opens).
    pub fn touch(&mut self, window: usize) {
        self.changed.insert(window);
    }

    /// The windows changed since the last call, by position.
    pub fn take_changed(&mut self) -> BTreeSet<usize> {
        std::mem::take(&mut self.changed)
    }

    /// The issue order of the ticket the window would call first.
    pub fn first(&self, window: usize) -> Option<u64> {
        self.queues.get(window)?.first().map(|k| k.order)
    }

    /// How many of the window's queue it calls before `key`.
    pub fn ahead(&self, window: usize, key: &CallKey) -> usize {
        self.queues.get(window).map_or(0, |q| q.rank(key))
    }

    pub fn len(&self, window: usize) -> usize {
        self.queues.get(window).map_or(0, RankSet::len)
    }

    /// The window's queue in call order, as issue orders.
    pub fn in_order(&self, window: usize) -> impl Iterator<Item = u64> + '_ {
        self.queues.get(window).into_iter().flat_map(|q| q.iter().map(|k| k.order))
    }
}

/// The positions of the windows that may call a waiting ticket: the one it was transferred to,
/// or those bound to its matter.
pub(crate) fn callers<'h>(hall: &'h Hall, ticket: &Ticket) -> impl Iterator<Item = usize> + 'h {
    let (target, bound) = match &ticket.target_window_id {
        Some(to) => (hall.window_position(to), &[][..]),
        None => (None, hall.positions_of_matter(&ticket.matter_id)),
    };
    target.into_iter().chain(bound.iter().copied())
}
