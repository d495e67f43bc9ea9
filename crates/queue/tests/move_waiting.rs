//! The supervisor moves a matter's waiting tickets to another window (整队转移).

mod common;

use common::*;
use hallkeeper_proto::{
    PriorityClass, QueueConfig, TicketEvent, TicketEventKind, TicketState, TransferTarget, WindowKind,
    WindowState,
};
use hallkeeper_queue::{ConfigProblem, HallQueue, QueueError, NO_SENDER};

const LANE: PriorityClass = PriorityClass::PriorityLane;
const APPT: PriorityClass = PriorityClass::Appointment;
const N: PriorityClass = PriorityClass::Normal;

/// A03 takes 不动产登记 (M) and 社保 (S) as primary; A05 takes M as overflow; A07 is idle with
/// its own matter X; B01 (paused) and B02 (closed) take nothing.
fn hall() -> QueueConfig {
    config(
        vec![
            open("A03"),
            open("A05"),
            open("A07"),
            window("B01", WindowKind::General, WindowState::Paused),
            window("B02", WindowKind::General, WindowState::Closed),
        ],
        vec![matter("M", "M"), matter("S", "S"), matter("X", "X")],
        vec![primary("A03", "M"), primary("A03", "S"), overflow("A05", "M"), primary("A07", "X")],
    )
}

/// m1…m6 wait for M in mixed classes with s1, s2 for S and x1 for X among them.
fn busy_morning() -> HallQueue {
    let mut q = HallQueue::new(hall()).unwrap();
    for (i, (id, matter, class)) in [
        ("m1", "M", N),
        ("s1", "S", N),
        ("m2", "M", APPT),
        ("m3", "M", N),
        ("x1", "X", N),
        ("m4", "M", LANE),
        ("s2", "S", LANE),
        ("m5", "M", N),
        ("m6", "M", APPT),
    ]
    .into_iter()
    .enumerate()
    {
        q.issue(id, matter, class, at(i as i64)).unwrap();
    }
    q
}

fn ids(q: &HallQueue, window: &str) -> Vec<String> {
    q.waiting_for(window).unwrap().into_iter().map(|t| t.id.clone()).collect()
}

fn of_matter(ids: &[String], q: &HallQueue, matter: &str) -> Vec<String> {
    ids.iter().filter(|id| q.ticket(id).unwrap().matter_id == matter).cloned().collect()
}

/// Calls and finishes tickets at the window until it has none left; returns them in call order.
fn call_all(q: &mut HallQueue, window: &str, from_min: i64) -> Vec<String> {
    let mut called = Vec::new();
    for min in from_min.. {
        let Ok(e) = q.call_next(window, at(min)) else { break };
        q.finish(window, &e.ticket_id, at(min)).unwrap();
        called.push(e.ticket_id);
    }
    called
}

/// Runs a refused move and checks it changed nothing.
fn refused(q: &mut HallQueue, matter: &str, window: &str, mins: i64) -> QueueError {
    let before = q.clone();
    let err = q.move_waiting(matter, window, at(mins)).unwrap_err();
    assert_eq!(*q, before, "{err}");
    err
}

#[test]
fn the_matters_waiting_tickets_go_to_the_window_and_are_called_there_in_their_order() {
    let mut q = busy_morning();
    let at_a03_before = of_matter(&ids(&q, "A03"), &q, "M");
    assert_eq!(at_a03_before, ["m4", "m2", "m6", "m1", "m3", "m5"], "class, then issue order");
    let before = q.clone();

    let events = q.move_waiting("M", "A07", at(20)).unwrap();

    let moved: Vec<&str> = events.iter().map(|e| e.ticket_id.as_str()).collect();
    assert_eq!(moved, ["m1", "m2", "m3", "m4", "m5", "m6"], "one event each, in issue order");
    let to_a07 = TransferTarget::Window { window_id: "A07".into() };
    for e in &events {
        assert_eq!(e.at, at(20));
        assert_eq!(
            e.kind,
            TicketEventKind::Transferred { window_id: NO_SENDER.into(), target: to_a07.clone() },
            "the caller's transfer event, sent by no window"
        );
        let (was, now) = (before.ticket(&e.ticket_id).unwrap(), q.ticket(&e.ticket_id).unwrap());
        assert_eq!(now.state, TicketState::Waiting);
        assert_eq!(now.target_window_id.as_deref(), Some("A07"));
        assert_eq!(
            (&now.number, now.order, now.class, &now.matter_id, now.issued_at),
            (&was.number, was.order, was.class, &was.matter_id, was.issued_at),
            "a move keeps number, place, class and matter"
        );
        assert_eq!(now.transfer_count, was.transfer_count + 1);
    }
    assert!(of_matter(&ids(&q, "A03"), &q, "M").is_empty(), "A03 no longer calls them");
    assert!(of_matter(&ids(&q, "A05"), &q, "M").is_empty(), "nor does A05's overflow");

    // Everyone else is exactly as before.
    for t in before.tickets().into_iter().filter(|t| !moved.contains(&t.id.as_str())) {
        assert_eq!(q.ticket(&t.id), Some(t), "{} untouched", t.id);
    }
    assert_eq!(ids(&q, "A03"), ["s2", "s1"]);

    // A07 calls the moved tickets in the order A03 would have, its own X ticket among them by
    // class and issue order (a moved ticket counts as primary there).
    assert_eq!(call_all(&mut q, "A07", 30), ["m4", "m2", "m6", "m1", "m3", "x1", "m5"]);
}

#[test]
fn tickets_sent_to_a_window_and_tickets_at_a_window_stay_where_they_are() {
    let mut q = busy_morning();
    // A03 sends m4 on to A05, serves s2, parks m2 and calls m6.
    let call = |q: &mut HallQueue, min: i64| q.call_next("A03", at(min)).unwrap().ticket_id;
    assert_eq!(call(&mut q, 10), "m4");
    q.transfer("A03", "m4", TransferTarget::Window { window_id: "A05".into() }, at(10)).unwrap();
    assert_eq!(call(&mut q, 11), "s2");
    q.finish("A03", "s2", at(11)).unwrap();
    assert_eq!(call(&mut q, 12), "m2");
    q.park("A03", "m2", at(12)).unwrap();
    assert_eq!(call(&mut q, 13), "m6");
    let before = q.clone();

    let moved: Vec<String> =
        q.move_waiting("M", "A07", at(20)).unwrap().into_iter().map(|e| e.ticket_id).collect();

    assert_eq!(moved, ["m1", "m3", "m5"]);
    for id in ["m4", "m2", "m6"] {
        assert_eq!(q.ticket(id), before.ticket(id), "{id} untouched");
    }
    assert_eq!(ids(&q, "A05"), ["m4"], "A05 still has the ticket sent to it");
    assert_eq!(q.current("A03").map(|t| t.id.as_str()), Some("m6"), "A03 keeps its current ticket");
    assert_eq!(q.parked_at("A03").len(), 1);
}

#[test]
fn a_move_to_a_window_that_cannot_call_or_of_nothing_is_refused_and_changes_nothing() {
    let mut q = busy_morning();
    assert_eq!(refused(&mut q, "M", "Z99", 20), QueueError::WindowNotFound("Z99".into()));
    for (w, state) in [("B01", WindowState::Paused), ("B02", WindowState::Closed)] {
        let err = refused(&mut q, "M", w, 20);
        assert_eq!(err, QueueError::WindowClosed { window_id: w.into(), state });
        assert_eq!(err.code(), "queue.window_closed");
    }
    assert_eq!(refused(&mut q, "nope", "A07", 20).code(), "queue.unknown_matter");

    q.move_waiting("M", "A07", at(20)).unwrap();
    let err = refused(&mut q, "M", "A05", 21);
    assert_eq!((err.code(), err), ("queue.nothing_to_move", QueueError::NothingToMove("M".into())));
    assert_eq!(refused(&mut q, "M", "A07", 21).code(), "queue.nothing_to_move");

    // A matter nobody waits for at all.
    let mut empty = HallQueue::new(hall()).unwrap();
    assert_eq!(refused(&mut empty, "S", "A07", 0).code(), "queue.nothing_to_move");
}

#[test]
fn a_move_dated_before_a_tickets_last_event_moves_none_of_them() {
    let mut q = busy_morning(); // m6 was issued at minute 8, the others before 8
    let err = refused(&mut q, "M", "A07", 7);
    assert_eq!(err, QueueError::TimeOutOfOrder("m6".into()));
}

#[test]
fn the_target_window_may_be_bound_to_the_matter_already() {
    let mut q = busy_morning();
    // To A05, its overflow window: they are A05's alone now, and primary there.
    q.move_waiting("M", "A05", at(20)).unwrap();
    assert!(of_matter(&ids(&q, "A03"), &q, "M").is_empty());
    assert_eq!(call_all(&mut q, "A05", 30), ["m4", "m2", "m6", "m1", "m3", "m5"]);
}

#[test]
fn a_retired_matters_queue_can_be_emptied_by_a_move() {
    let mut q = busy_morning();
    let mut cfg = hall();
    cfg.matters[0] = retired("M", "M");
    q.set_config(cfg).unwrap();
    assert_eq!(q.move_waiting("M", "A07", at(20)).unwrap().len(), 6);
}

#[test]
fn the_window_keeps_moved_tickets_from_being_removed_from_the_hall() {
    let mut q = busy_morning();
    q.move_waiting("M", "A07", at(20)).unwrap();
    let mut cfg = hall();
    cfg.windows.retain(|w| w.id != "A07");
    cfg.bindings.retain(|b| b.window_id != "A07");
    assert_eq!(q.set_config(cfg).unwrap_err(), ConfigProblem::WindowInUse("A07".into()).into());
}

#[test]
fn a_caller_still_cannot_pass_on_a_waiting_ticket() {
    let mut q = busy_morning();
    q.move_waiting("M", "A07", at(20)).unwrap();
    let before = q.clone();
    for (window, ticket) in [("A07", "m1"), ("A03", "s1")] {
        let to = TransferTarget::Window { window_id: "A05".into() };
        let err = q.transfer(window, ticket, to, at(21)).unwrap_err();
        assert_eq!(err.code(), "queue.invalid_transition", "{window} {ticket}");
    }
    assert_eq!(q, before);
}

#[test]
fn the_log_replays_to_the_same_queue_and_refuses_a_waiting_transfer_a_window_did_not_hold() {
    let mut q = HallQueue::new(hall()).unwrap();
    let mut log: Vec<TicketEvent> = Vec::new();
    for (i, id) in ["m1", "m2", "s1"].into_iter().enumerate() {
        let matter = if id.starts_with('m') { "M" } else { "S" };
        log.push(q.issue(id, matter, N, at(i as i64)).unwrap());
    }
    log.extend(q.move_waiting("M", "A07", at(5)).unwrap());
    log.push(q.call_next("A07", at(6)).unwrap());

    let json = serde_json::to_string(&log).unwrap();
    let back: Vec<TicketEvent> = serde_json::from_str(&json).unwrap();
    assert_eq!(HallQueue::replay(hall(), &back).unwrap(), q);
    assert!(
        json.contains(r#""kind":"transferred","windowId":"","target":{"to":"window","windowId":"A07"}"#),
        "{json}"
    );

    // From the log's point of view: a waiting ticket in its matter's queue is sent by nobody,
    // one sent to a window by that window.
    let transfer = |ticket: &str, from: &str, to: &str| TicketEvent {
        ticket_id: ticket.into(),
        at: at(7),
        kind: TicketEventKind::Transferred {
            window_id: from.into(),
            target: TransferTarget::Window { window_id: to.into() },
        },
    };
    let mut r = q.clone();
    for (e, code) in [
        (transfer("s1", "A03", "A07"), "queue.not_your_ticket"),
        (transfer("m2", NO_SENDER, "A05"), "queue.not_your_ticket"),
        (transfer("m2", "A03", "A05"), "queue.not_your_ticket"),
        (transfer("m2", "A07", "A07"), "queue.transfer_same_target"),
    ] {
        assert_eq!(r.apply(&e).unwrap_err().code(), code, "{e:?}");
        assert_eq!(r, q);
    }
    r.apply(&transfer("m2", "A07", "A05")).unwrap();
    assert_eq!(r.ticket("m2").unwrap().target_window_id.as_deref(), Some("A05"));
    assert_eq!(r.current("A07").map(|t| t.id.as_str()), Some("m1"), "the sender keeps its own ticket");
}

#[test]
fn a_window_may_not_have_an_empty_id() {
    let mut cfg = hall();
    cfg.windows[0].id = String::new();
    cfg.bindings.retain(|b| b.window_id != "A03");
    assert_eq!(HallQueue::new(cfg).unwrap_err(), ConfigProblem::EmptyWindowId.into());
}

#[test]
fn a_moved_ticket_counts_at_its_window() {
    let mut q = busy_morning();
    q.move_waiting("M", "A07", at(20)).unwrap();
    let totals = hallkeeper_queue::window_totals(&q);
    let a07 = totals.iter().find(|w| w.window_id == "A07").unwrap();
    assert_eq!((a07.callable, a07.counts.waiting), (7, 6), "its own x1 and the six moved");
    let people_ahead: Vec<Option<u32>> =
        ["m4", "m1"].iter().map(|id| hallkeeper_queue::people_ahead(&q, id)).collect();
    assert_eq!(people_ahead, [Some(0), Some(3)]);
}
