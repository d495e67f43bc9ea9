//! Property tests: random halls and random days of caller operations.
//!
//! After every operation the queue is checked against a model kept by the test from the events
//! alone (who holds which ticket, the issue order) and against the call order restated naively
//! here. A refused operation must change nothing; the whole log must replay to the same queue.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::t0;
use hallkeeper_proto::{
    Binding, BindingPriority, MatterState, NoShowReason, PriorityClass, QueueConfig, QueueMatter,
    QueueSettings, QueueWindow, Ticket, TicketEvent, TicketEventKind, TicketState, TransferTarget,
    WindowKind, WindowState,
};
use hallkeeper_queue::{
    count_states, matter_totals, people_ahead, service_time, wait_time, HallQueue, QueueError, NO_SENDER,
};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

// ---- random halls ---------------------------------------------------------------------------

fn window_state() -> impl Strategy<Value = WindowState> {
    prop_oneof![6 => Just(WindowState::Open), 1 => Just(WindowState::Paused), 1 => Just(WindowState::Closed)]
}

fn window_kind() -> impl Strategy<Value = WindowKind> {
    prop_oneof![Just(WindowKind::General), Just(WindowKind::Dedicated), Just(WindowKind::Priority)]
}

fn class() -> impl Strategy<Value = PriorityClass> {
    prop_oneof![1 => Just(PriorityClass::PriorityLane), 1 => Just(PriorityClass::Appointment), 3 => Just(PriorityClass::Normal)]
}

fn hall() -> impl Strategy<Value = QueueConfig> {
    (1usize..=4, 1usize..=4)
        .prop_flat_map(|(nw, nm)| {
            (
                prop::collection::vec((window_kind(), window_state(), -3i64..3), nw),
                prop::collection::vec(
                    (prop::sample::select(vec!["A", "B", "", "b"]), prop::bool::weighted(0.15)),
                    nm,
                ),
                prop::collection::vec(
                    prop::option::weighted(
                        0.6,
                        prop_oneof![Just(BindingPriority::Primary), Just(BindingPriority::Overflow)],
                    ),
                    nw * nm,
                ),
                0u32..=3,
            )
        })
        .prop_map(|(windows, matters, bindings, max_recalls)| {
            let nm = matters.len();
            QueueConfig {
                windows: windows
                    .into_iter()
                    .enumerate()
                    .map(|(i, (kind, state, position))| QueueWindow {
                        id: format!("W{i}"),
                        number: format!("A{i:02}"),
                        kind,
                        state,
                        position,
                    })
                    .collect(),
                matters: matters
                    .into_iter()
                    .enumerate()
                    .map(|(i, (prefix, retired))| QueueMatter {
                        id: format!("M{i}"),
                        ticket_prefix: prefix.into(),
                        state: if retired { MatterState::Retired } else { MatterState::Active },
                    })
                    .collect(),
                bindings: bindings
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, p)| {
                        Some(Binding {
                            window_id: format!("W{}", i / nm),
                            matter_id: format!("M{}", i % nm),
                            priority: p?,
                        })
                    })
                    .collect(),
                settings: QueueSettings { max_recalls, fallback_prefix: "Zed".into() },
            }
        })
}

// ---- random days ----------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum Action {
    Recall,
    Start,
    Finish,
    NoShow,
    Park,
}

#[derive(Debug, Clone)]
enum Op {
    Issue {
        matter: usize,
        class: PriorityClass,
    },
    Call {
        window: usize,
    },
    /// On the window's current ticket, or (one time in five) any ticket, to provoke refusals.
    Act {
        window: usize,
        action: Action,
        pick: usize,
    },
    Resume {
        window: usize,
        pick: usize,
    },
    Transfer {
        window: usize,
        pick: usize,
        to_window: Option<usize>,
        to_matter: usize,
    },
    /// The supervisor sends a matter's waiting tickets to a window.
    MoveWaiting {
        matter: usize,
        to_window: usize,
    },
    SetState {
        window: usize,
        state: WindowState,
    },
    /// Jumps to the same time of the next day (numbering restarts).
    NextDay,
    /// 完成并叫下一位 on the window's current ticket (or any ticket, to provoke refusals).
    FinishAndNext {
        window: usize,
        pick: usize,
    },
    /// A new configuration mid-day: one binding's tier flipped, or the binding dropped.
    Rebind {
        binding: usize,
        drop: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let action = prop_oneof![
        3 => Just(Action::Recall),
        2 => Just(Action::Start),
        4 => Just(Action::Finish),
        1 => Just(Action::NoShow),
        1 => Just(Action::Park)
    ];
    prop_oneof![
        5 => (0usize..8, class()).prop_map(|(matter, class)| Op::Issue { matter, class }),
        6 => (0usize..8).prop_map(|window| Op::Call { window }),
        6 => (0usize..8, action, any::<usize>()).prop_map(|(window, action, pick)| Op::Act { window, action, pick }),
        2 => (0usize..8, any::<usize>()).prop_map(|(window, pick)| Op::Resume { window, pick }),
        2 => (0usize..8, any::<usize>(), prop::option::of(0usize..8), 0usize..8)
            .prop_map(|(window, pick, to_window, to_matter)| Op::Transfer { window, pick, to_window, to_matter }),
        1 => (0usize..8, 0usize..8).prop_map(|(matter, to_window)| Op::MoveWaiting { matter, to_window }),
        1 => (0usize..8, window_state()).prop_map(|(window, state)| Op::SetState { window, state }),
        1 => Just(Op::NextDay),
        3 => (0usize..8, any::<usize>()).prop_map(|(window, pick)| Op::FinishAndNext { window, pick }),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(binding, drop)| Op::Rebind { binding, drop }),
    ]
}

/// What the test knows from the events alone.
#[derive(Default)]
struct Model {
    log: Vec<TicketEvent>,
    /// Ticket → its place in issue order (index among issued events).
    place: HashMap<String, usize>,
    /// Ticket → window holding it (called, serving or parked).
    holder: HashMap<String, String>,
    /// Window → its called or serving ticket.
    active: HashMap<String, String>,
}

struct Day {
    q: HallQueue,
    m: Model,
    now: DateTime<Utc>,
    next_id: usize,
}

impl Day {
    fn window_id(&self, i: usize) -> String {
        let ws = &self.q.config().windows;
        ws[i % ws.len()].id.clone()
    }

    fn matter_id(&self, i: usize) -> String {
        // Index 7 names an unknown matter.
        let ms = &self.q.config().matters;
        if i == 7 {
            return "nope".into();
        }
        ms[i % ms.len()].id.clone()
    }

    /// The window's current ticket, or any ticket (or an unknown id) to provoke refusals.
    fn pick(&self, window_id: &str, pick: usize, preferred: Vec<&Ticket>) -> String {
        // Four times in five the ticket the window works on; else any ticket or an unknown id.
        let roll = pick % 20;
        if roll >= 4 {
            if let Some(t) = preferred.get(pick % preferred.len().max(1)) {
                return t.id.clone();
            }
            if let Some(t) = self.q.current(window_id) {
                return t.id.clone();
            }
        }
        let all = self.q.tickets();
        if roll == 0 || all.is_empty() {
            return "missing".into();
        }
        all[pick % all.len()].id.clone()
    }

    /// The events an operation wrote (one, or one per moved ticket), or its refusal.
    fn run(&mut self, op: &Op) -> Option<Result<Vec<TicketEvent>, QueueError>> {
        self.now += Duration::seconds(37);
        let now = self.now;
        if let Op::MoveWaiting { matter, to_window } = op {
            let (m, w) = (self.matter_id(*matter), self.window_id(*to_window));
            return Some(self.q.move_waiting(&m, &w, now));
        }
        if let Op::FinishAndNext { window, pick } = op {
            let w = self.window_id(*window);
            let t = self.pick(&w, *pick, Vec::new());
            return Some(self.q.finish_and_call_next(&w, &t, now));
        }
        if let Op::Rebind { binding, drop } = op {
            let mut config = self.q.config().clone();
            if !config.bindings.is_empty() {
                let i = binding % config.bindings.len();
                if *drop {
                    config.bindings.remove(i);
                } else {
                    let b = &mut config.bindings[i];
                    b.priority = match b.priority {
                        BindingPriority::Primary => BindingPriority::Overflow,
                        BindingPriority::Overflow => BindingPriority::Primary,
                    };
                }
            }
            // Bindings only: no window or matter goes, so nothing can be in use.
            assert!(self.q.set_config(config).is_ok());
            return None;
        }
        let one = match op {
            Op::Issue { matter, class } => {
                self.next_id += 1;
                let id = format!("t{}", self.next_id);
                let matter = self.matter_id(*matter);
                self.q.issue(&id, &matter, *class, now)
            }
            Op::Call { window } => {
                let w = self.window_id(*window);
                self.q.call_next(&w, now)
            }
            Op::Act { window, action, pick } => {
                let w = self.window_id(*window);
                let t = self.pick(&w, *pick, Vec::new());
                match action {
                    Action::Recall => self.q.recall(&w, &t, now),
                    Action::Start => self.q.start(&w, &t, now),
                    Action::Finish => self.q.finish(&w, &t, now),
                    Action::NoShow => self.q.no_show(&w, &t, now),
                    Action::Park => self.q.park(&w, &t, now),
                }
            }
            Op::Resume { window, pick } => {
                let w = self.window_id(*window);
                let t = self.pick(&w, *pick, self.q.parked_at(&w));
                self.q.resume(&w, &t, now)
            }
            Op::Transfer { window, pick, to_window, to_matter } => {
                let w = self.window_id(*window);
                let t = self.pick(&w, *pick, self.q.parked_at(&w));
                let target = match to_window {
                    Some(i) => TransferTarget::Window { window_id: self.window_id(*i) },
                    None => TransferTarget::Matter { matter_id: self.matter_id(*to_matter) },
                };
                self.q.transfer(&w, &t, target, now)
            }
            Op::SetState { window, state } => {
                let w = self.window_id(*window);
                assert!(self.q.set_window_state(&w, *state).is_ok());
                return None;
            }
            Op::NextDay => {
                self.now += Duration::hours(24);
                return None;
            }
            Op::MoveWaiting { .. } | Op::FinishAndNext { .. } | Op::Rebind { .. } => {
                unreachable!("answered above")
            }
        };
        Some(one.map(|e| vec![e]))
    }
}

// ---- the rules, restated naively ------------------------------------------------------------

/// The window's queue: (priority-lane window: lane first), tier, class, place in issue order.
fn naive_queue(q: &HallQueue, m: &Model, w: &QueueWindow) -> Vec<String> {
    let mut keyed: Vec<((u8, u8, u8, usize), String)> = q
        .tickets()
        .into_iter()
        .filter(|t| t.state == TicketState::Waiting)
        .filter_map(|t| {
            let tier = match &t.target_window_id {
                Some(target) if *target == w.id => 0,
                Some(_) => return None,
                None => {
                    let b = q
                        .config()
                        .bindings
                        .iter()
                        .find(|b| b.window_id == w.id && b.matter_id == t.matter_id)?;
                    if b.priority == BindingPriority::Primary {
                        0
                    } else {
                        1
                    }
                }
            };
            let lane = u8::from(w.kind == WindowKind::Priority && t.class != PriorityClass::PriorityLane);
            let class = match t.class {
                PriorityClass::PriorityLane => 0,
                PriorityClass::Appointment => 1,
                PriorityClass::Normal => 2,
            };
            Some(((lane, tier, class, m.place[&t.id]), t.id.clone()))
        })
        .collect();
    keyed.sort();
    keyed.into_iter().map(|(_, id)| id).collect()
}

fn window<'a>(q: &'a HallQueue, id: &str) -> &'a QueueWindow {
    q.config().windows.iter().find(|w| w.id == id).expect("known window")
}

/// Checks one accepted event against the queue before it and the model, then records it.
fn accept(before: &HallQueue, after: &HallQueue, m: &mut Model, e: &TicketEvent) {
    use TicketEventKind as K;
    let id = &e.ticket_id;
    let was = before.ticket(id);
    let now = after.ticket(id).expect("the ticket exists after its event");
    let max_recalls = before.config().settings.max_recalls;
    match &e.kind {
        K::Issued { matter_id, class, .. } => {
            assert!(was.is_none());
            assert_eq!(before.refusal(matter_id), None, "issued only for a matter a kiosk may ticket");
            assert_eq!((now.state, now.class), (TicketState::Waiting, *class));
            m.place.insert(id.clone(), m.place.len());
        }
        K::Called { window_id } => {
            let w = window(before, window_id);
            assert_eq!(w.state, WindowState::Open, "only an open window calls");
            assert_eq!(naive_queue(before, m, w).first(), Some(id), "the head of the window's queue");
            assert!(!m.holder.contains_key(id), "called twice without a recall or resume");
            assert!(!m.active.contains_key(window_id), "a window calls one ticket at a time");
            m.holder.insert(id.clone(), window_id.clone());
            m.active.insert(window_id.clone(), id.clone());
        }
        K::Resumed { window_id } => {
            assert_eq!(window(before, window_id).state, WindowState::Open);
            assert_eq!(was.map(|t| t.state), Some(TicketState::Parked));
            assert_eq!(m.holder.get(id), Some(window_id), "resumed by the window that parked it");
            assert!(!m.active.contains_key(window_id));
            m.active.insert(window_id.clone(), id.clone());
        }
        K::Recalled { window_id } => {
            assert_eq!(window(before, window_id).state, WindowState::Open);
            let was = was.expect("known");
            assert_eq!((was.state, m.active.get(window_id)), (TicketState::Called, Some(id)));
            assert!(was.recall_count < max_recalls, "recall limit");
            assert_eq!(now.recall_count, was.recall_count + 1);
        }
        K::NoShow { window_id, reason } => {
            let was = was.expect("known");
            assert_eq!((was.state, m.active.get(window_id)), (TicketState::Called, Some(id)));
            if *reason == NoShowReason::RecallLimit {
                assert_eq!(was.recall_count, max_recalls, "no-show only once the recalls are used up");
            }
            m.holder.remove(id);
            m.active.remove(window_id);
        }
        K::Started { window_id } => {
            assert_eq!(m.active.get(window_id), Some(id));
            assert_eq!(was.map(|t| t.state), Some(TicketState::Called));
        }
        K::Finished { window_id } => {
            assert_eq!(m.active.get(window_id), Some(id));
            m.holder.remove(id);
            m.active.remove(window_id);
        }
        K::Parked { window_id } => {
            assert_eq!(m.active.get(window_id), Some(id));
            m.active.remove(window_id);
        }
        K::Transferred { window_id, .. } if window_id == NO_SENDER => {
            let was = was.expect("known");
            assert_eq!(
                (was.state, was.target_window_id.as_deref(), m.holder.get(id)),
                (TicketState::Waiting, None, None),
                "the supervisor moves only tickets waiting in their matter's queue"
            );
            accept_transfer(before, was, now, e);
        }
        K::Transferred { window_id, .. } => {
            let was = was.expect("known");
            assert_eq!(m.holder.get(id), Some(window_id));
            accept_transfer(before, was, now, e);
            m.holder.remove(id);
            if m.active.get(window_id) == Some(id) {
                m.active.remove(window_id);
            }
        }
    }
    m.log.push(e.clone());
}

/// What every transfer keeps and where it puts the ticket.
fn accept_transfer(before: &HallQueue, was: &Ticket, now: &Ticket, e: &TicketEvent) {
    let TicketEventKind::Transferred { target, .. } = &e.kind else { unreachable!("a transfer") };
    assert_eq!(now.state, TicketState::Waiting);
    assert_eq!(
        (now.order, now.class, &now.number, now.issued_at, now.first_called_at),
        (was.order, was.class, &was.number, was.issued_at, was.first_called_at),
        "a transfer keeps place, class and number"
    );
    match target {
        TransferTarget::Window { window_id: to } => {
            assert_eq!(window(before, to).state, WindowState::Open);
            assert_eq!(now.target_window_id.as_ref(), Some(to));
        }
        TransferTarget::Matter { matter_id } => {
            assert_eq!(before.refusal(matter_id), None);
            assert_eq!(&now.matter_id, matter_id);
        }
    }
}

/// A whole move: every ticket waiting in the matter's queue went, in issue order, to the window,
/// keeping the order any window of the matter called them in; nothing else changed.
fn accept_move(before: &HallQueue, after: &HallQueue, op: &Op, events: &[TicketEvent]) {
    let moved: Vec<&str> = events.iter().map(|e| e.ticket_id.as_str()).collect();
    let Some(TicketEventKind::Transferred { target: TransferTarget::Window { window_id: to }, .. }) =
        events.first().map(|e| &e.kind)
    else {
        panic!("{op:?} wrote {events:?}")
    };
    let matter = &before.ticket(moved[0]).expect("known").matter_id;
    let in_queue: Vec<&str> = before
        .waiting()
        .filter(|t| &t.matter_id == matter && t.target_window_id.is_none())
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(moved, in_queue, "the matter's whole queue, in issue order");
    for t in before.tickets().into_iter().filter(|t| !moved.contains(&t.id.as_str())) {
        assert_eq!(after.ticket(&t.id), Some(t), "{} is not the matter's to move", t.id);
    }
    let only_moved = |ids: Vec<&Ticket>| -> Vec<String> {
        ids.into_iter().filter(|t| moved.contains(&t.id.as_str())).map(|t| t.id.clone()).collect()
    };
    let at_target = only_moved(after.waiting_for(to).unwrap());
    assert_eq!(at_target.len(), moved.len(), "the window may call each");
    for w in &before.config().windows {
        let there = only_moved(before.waiting_for(&w.id).unwrap());
        if !there.is_empty() {
            assert_eq!(there, at_target, "called at {to} in the order {} would have", w.id);
        }
    }
}

/// What must hold after every operation.
fn invariants(q: &HallQueue, m: &Model) {
    let tickets = q.tickets();
    let max_recalls = q.config().settings.max_recalls;
    assert_eq!(tickets.len(), m.place.len(), "no ticket lost or invented");
    let counts = count_states(tickets.iter().copied());
    let sum =
        counts.waiting + counts.called + counts.serving + counts.parked + counts.finished + counts.no_show;
    assert_eq!(sum as usize, tickets.len());
    let by_matter: u32 = matter_totals(q)
        .iter()
        .map(|m| m.counts)
        .map(|c| c.waiting + c.called + c.serving + c.parked + c.finished + c.no_show)
        .sum();
    assert_eq!(by_matter as usize, tickets.len(), "every ticket counted under exactly one matter");

    let waiting: Vec<&str> = q.waiting().map(|t| t.id.as_str()).collect();
    let expected: Vec<&str> =
        tickets.iter().filter(|t| t.state == TicketState::Waiting).map(|t| t.id.as_str()).collect();
    assert_eq!(waiting, expected, "the waiting index is the waiting tickets, in issue order");

    let mut numbers = HashSet::new();
    for (i, t) in tickets.iter().enumerate() {
        assert_eq!(t.order as usize, i);
        assert_eq!(m.place[&t.id], i, "issue order is the order of the issue events");
        assert!(numbers.insert((t.day, t.number.clone())), "{} issued twice on {}", t.number, t.day);
        assert!(t.recall_count <= max_recalls, "recall limit");
        let held = m.holder.get(&t.id);
        match t.state {
            TicketState::Called | TicketState::Serving => {
                let w = t.window_id.as_deref().expect("held");
                assert_eq!(q.current(w).map(|c| c.id.as_str()), Some(t.id.as_str()));
                assert_eq!(held.map(String::as_str), Some(w));
                assert_eq!(m.active.get(w), Some(&t.id));
            }
            TicketState::Parked => {
                let w = t.window_id.as_deref().expect("held");
                assert!(q.parked_at(w).iter().any(|p| p.id == t.id));
                assert_eq!(held.map(String::as_str), Some(w));
            }
            TicketState::Waiting => assert!(t.window_id.is_none() && held.is_none()),
            TicketState::Finished | TicketState::NoShow => {
                assert!(held.is_none() && t.ended_at.is_some() && t.window_id.is_some());
            }
        }
    }
    let by_window = q.waiting_by_window();
    let naive: Vec<Vec<String>> = q.config().windows.iter().map(|w| naive_queue(q, m, w)).collect();
    for t in q.waiting() {
        // Today's rule, as the scan over every waiting ticket computed it before the index: the
        // fewest ahead in any window's queue that may call it, closed windows left out.
        let scan = q
            .config()
            .windows
            .iter()
            .zip(&naive)
            .filter(|(w, _)| w.state != WindowState::Closed)
            .filter_map(|(_, queue)| queue.iter().position(|id| *id == t.id))
            .min();
        assert_eq!(people_ahead(q, &t.id), scan.map(|n| n as u32), "people ahead of {}", t.id);
    }
    for (w, queue) in q.config().windows.iter().zip(&naive) {
        assert_eq!(q.queue_len(&w.id).unwrap(), queue.len(), "length of {}'s queue", w.id);
    }
    for w in &q.config().windows {
        if let Some(c) = q.current(&w.id) {
            assert_eq!(c.window_id.as_deref(), Some(w.id.as_str()));
        }
        let queue: Vec<String> = q.waiting_for(&w.id).unwrap().iter().map(|t| t.id.clone()).collect();
        assert_eq!(queue, naive_queue(q, m, w), "call order of {}", w.id);
        // The dashboard's one-pass grouping holds the same people as each window's queue.
        let mut grouped: Vec<String> = by_window
            .get(w.id.as_str())
            .map(|v| v.iter().map(|t| t.id.clone()).collect())
            .unwrap_or_default();
        let mut queue = queue;
        grouped.sort();
        queue.sort();
        assert_eq!(grouped, queue, "waiting_by_window for {}", w.id);
    }
}

/// Each window's state and queue, by window id.
fn window_queues(q: &HallQueue) -> HashMap<String, (WindowState, Vec<String>)> {
    q.config()
        .windows
        .iter()
        .map(|w| {
            let queue = q.waiting_for(&w.id).unwrap().iter().map(|t| t.id.clone()).collect();
            (w.id.clone(), (w.state, queue))
        })
        .collect()
}

/// Waits, service times and people ahead against the log and the naive queues.
fn figures(q: &HallQueue, m: &Model) {
    let services: Vec<i64> =
        q.tickets().into_iter().filter_map(service_time).map(|d| d.num_seconds()).collect();
    assert_eq!(q.served().tickets as usize, services.len(), "finished services counted as they finish");
    assert_eq!(q.served().seconds, services.iter().sum::<i64>());
    for t in q.tickets() {
        let events: Vec<&TicketEvent> = m.log.iter().filter(|e| e.ticket_id == t.id).collect();
        let first_call =
            events.iter().find(|e| matches!(e.kind, TicketEventKind::Called { .. })).map(|e| e.at);
        assert_eq!(wait_time(t), first_call.map(|c| c - t.issued_at));
        let service = (t.state == TicketState::Finished).then(|| {
            let last_call = events
                .iter()
                .rposition(|e| {
                    matches!(e.kind, TicketEventKind::Called { .. } | TicketEventKind::Resumed { .. })
                })
                .expect("called");
            let start = events[last_call..]
                .iter()
                .find(|e| matches!(e.kind, TicketEventKind::Started { .. }))
                .unwrap_or(&events[last_call]);
            events.last().expect("finished").at - start.at
        });
        assert_eq!(service_time(t), service);
        let ahead = (t.state == TicketState::Waiting)
            .then(|| {
                q.config()
                    .windows
                    .iter()
                    .filter(|w| w.state != WindowState::Closed)
                    .filter_map(|w| naive_queue(q, m, w).iter().position(|id| *id == t.id))
                    .min()
            })
            .flatten();
        assert_eq!(people_ahead(q, &t.id), ahead.map(|n| n as u32));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_random_day_keeps_every_rule(config in hall(), ops in prop::collection::vec(op(), 1..160)) {
        let mut day = Day { q: HallQueue::new(config.clone()).unwrap(), m: Model::default(), now: t0(), next_id: 0 };
        day.q.take_changed_windows();
        for op in &ops {
            let before = day.q.clone();
            let queues_before = window_queues(&day.q);
            match day.run(op) {
                None => {}
                Some(Ok(events)) => {
                    prop_assert!(!events.is_empty());
                    if matches!(op, Op::MoveWaiting { .. }) {
                        accept_move(&before, &day.q, op, &events);
                    }
                    for e in &events {
                        accept(&before, &day.q, &mut day.m, e);
                    }
                }
                Some(Err(err)) => {
                    prop_assert_eq!(&day.q, &before, "refused {:?} ({}) changed the queue", op, err.code());
                    prop_assert!(err.code().starts_with("queue."));
                }
            }
            invariants(&day.q, &day.m);
            // A ticket's place can move only in a window the queue says changed.
            let changed: HashSet<String> = day.q.take_changed_windows().into_iter().collect();
            for (w, queue) in window_queues(&day.q) {
                if queues_before.get(&w) != Some(&queue) {
                    prop_assert!(changed.contains(&w), "{:?} changed {}'s queue unannounced", op, w);
                }
            }
        }
        figures(&day.q, &day.m);

        // Replay from scratch, straight and through JSON, gives the identical queue.
        let replayed = HallQueue::replay(day.q.config().clone(), &day.m.log).unwrap();
        prop_assert_eq!(&replayed, &day.q);
        let json = serde_json::to_string(&day.m.log).unwrap();
        let back: Vec<TicketEvent> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&HallQueue::replay(day.q.config().clone(), &back).unwrap(), &day.q);
        // The configuration is not in the log: replaying against the starting one gives the
        // same tickets.
        let from_start = HallQueue::replay(config, &day.m.log).unwrap();
        prop_assert_eq!(from_start.tickets(), day.q.tickets());
    }

    #[test]
    fn replaying_a_prefix_of_the_log_gives_the_queue_at_that_point(
        config in hall(),
        ops in prop::collection::vec(op(), 1..80),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut day = Day { q: HallQueue::new(config.clone()).unwrap(), m: Model::default(), now: t0(), next_id: 0 };
        let mut snapshots = vec![day.q.clone()];
        for op in &ops {
            let before = day.q.clone();
            if let Some(Ok(events)) = day.run(op) {
                // A move's events are applied together; the queue after each is rebuilt here.
                let mut step = before.clone();
                for e in &events {
                    accept(&before, &day.q, &mut day.m, e);
                    step.apply(e).unwrap();
                    snapshots.push(step.clone());
                }
                prop_assert_eq!(&step, &day.q);
            }
        }
        let n = cut.index(day.m.log.len() + 1);
        let replayed = HallQueue::replay(config, &day.m.log[..n]).unwrap();
        prop_assert_eq!(replayed.tickets(), snapshots[n].tickets());
    }
}
