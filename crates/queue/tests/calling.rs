//! Call order and calling the next ticket.

mod common;

use common::*;
use hallkeeper_proto::{
    PriorityClass, TicketEventKind, TicketState, TransferTarget, WindowKind, WindowState,
};
use hallkeeper_queue::{HallQueue, QueueError};

const LANE: PriorityClass = PriorityClass::PriorityLane;
const APPT: PriorityClass = PriorityClass::Appointment;
const N: PriorityClass = PriorityClass::Normal;

fn ids(q: &HallQueue, window: &str) -> Vec<String> {
    q.waiting_for(window).unwrap().into_iter().map(|t| t.id.clone()).collect()
}

fn call(q: &mut HallQueue, window: &str, mins: i64) -> String {
    let e = q.call_next(window, at(mins)).unwrap();
    let called = e.ticket_id.clone();
    q.finish(window, &called, at(mins)).unwrap();
    called
}

#[test]
fn primary_before_overflow_then_class_then_issue_order() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    // W1: A primary, B overflow.
    q.issue("b-lane", "B", LANE, at(0)).unwrap();
    q.issue("a-n1", "A", N, at(1)).unwrap();
    q.issue("a-appt", "A", APPT, at(2)).unwrap();
    q.issue("a-lane", "A", LANE, at(3)).unwrap();
    q.issue("a-n2", "A", N, at(4)).unwrap();
    q.issue("b-n", "B", N, at(5)).unwrap();
    let order = ["a-lane", "a-appt", "a-n1", "a-n2", "b-lane", "b-n"];
    assert_eq!(ids(&q, "W1"), order);
    for (i, expected) in order.iter().enumerate() {
        assert_eq!(call(&mut q, "W1", 10 + i as i64), *expected);
    }
}

#[test]
fn each_window_orders_by_its_own_bindings() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("a", "A", N, at(0)).unwrap();
    q.issue("b", "B", N, at(1)).unwrap();
    q.issue("c", "C", N, at(2)).unwrap();
    assert_eq!(ids(&q, "W1"), ["a", "c", "b"]);
    assert_eq!(ids(&q, "W2"), ["b", "a"], "C is not bound to W2");
    assert_eq!(call(&mut q, "W2", 3), "b");
    assert_eq!(ids(&q, "W1"), ["a", "c"], "a ticket called by one window leaves every queue");
}

#[test]
fn a_priority_lane_window_takes_lane_tickets_of_any_bound_matter_first() {
    let cfg = config(
        vec![window("G", WindowKind::Priority, WindowState::Open)],
        vec![matter("A", "A"), matter("B", "B")],
        vec![primary("G", "A"), overflow("G", "B")],
    );
    let mut q = HallQueue::new(cfg).unwrap();
    q.issue("a-n", "A", N, at(0)).unwrap();
    q.issue("a-appt", "A", APPT, at(1)).unwrap();
    q.issue("b-lane", "B", LANE, at(2)).unwrap();
    q.issue("a-lane", "A", LANE, at(3)).unwrap();
    q.issue("b-appt", "B", APPT, at(4)).unwrap();
    // Lane first (primary before overflow inside it), then the usual order.
    assert_eq!(ids(&q, "G"), ["a-lane", "b-lane", "a-appt", "a-n", "b-appt"]);
}

#[test]
fn a_general_window_does_not_lift_overflow_lane_tickets_over_its_primary_ones() {
    let mut cfg = two_windows();
    cfg.windows[0].kind = WindowKind::Dedicated;
    let mut q = HallQueue::new(cfg).unwrap();
    q.issue("b-lane", "B", LANE, at(0)).unwrap();
    q.issue("a-n", "A", N, at(1)).unwrap();
    assert_eq!(ids(&q, "W1"), ["a-n", "b-lane"]);
}

#[test]
fn a_ticket_transferred_to_a_window_waits_for_that_window_only_as_primary() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("a1", "A", N, at(0)).unwrap();
    q.issue("a2", "A", N, at(1)).unwrap();
    q.issue("b1", "B", N, at(2)).unwrap();
    q.call_next("W1", at(3)).unwrap();
    q.transfer("W1", "a1", TransferTarget::Window { window_id: "W2".into() }, at(4)).unwrap();
    assert_eq!(ids(&q, "W1"), ["a2", "b1"], "W1 may not call it back");
    // On W2, A is overflow, but a1 was sent there: it counts as primary and keeps its place.
    assert_eq!(ids(&q, "W2"), ["a1", "b1", "a2"]);
}

#[test]
fn calling_takes_the_head_of_the_queue() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("a1", "A", N, at(0)).unwrap();
    let e = q.call_next("W1", at(5)).unwrap();
    assert_eq!(e.kind, TicketEventKind::Called { window_id: "W1".into() });
    let t = q.ticket("a1").unwrap();
    assert_eq!(t.state, TicketState::Called);
    assert_eq!(t.window_id.as_deref(), Some("W1"));
    assert_eq!((t.first_called_at, t.called_at), (Some(at(5)), Some(at(5))));
    assert_eq!(q.current("W1").map(|t| t.id.as_str()), Some("a1"));
}

#[test]
fn a_window_calls_only_when_open() {
    for state in [WindowState::Paused, WindowState::Closed] {
        let mut q = HallQueue::new(two_windows()).unwrap();
        q.issue("a1", "A", N, at(0)).unwrap();
        q.set_window_state("W1", state).unwrap();
        let before = q.clone();
        let err = q.call_next("W1", at(1)).unwrap_err();
        assert_eq!(err, QueueError::WindowClosed { window_id: "W1".into(), state });
        assert_eq!(err.code(), "queue.window_closed");
        assert_eq!(q, before);
        assert_eq!(ids(&q, "W1"), ["a1"], "a paused or closed window keeps its queue");
    }
}

#[test]
fn a_window_holds_one_ticket_at_a_time() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("a1", "A", N, at(0)).unwrap();
    q.issue("a2", "A", N, at(0)).unwrap();
    q.call_next("W1", at(1)).unwrap();
    let before = q.clone();
    let err = q.call_next("W1", at(2)).unwrap_err();
    assert_eq!(err, QueueError::WindowBusy { window_id: "W1".into(), ticket_id: "a1".into() });
    assert_eq!(err.code(), "queue.window_busy");
    assert_eq!(q, before);
}

#[test]
fn calling_an_empty_queue_or_an_unknown_window_is_refused() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("b1", "B", N, at(0)).unwrap();
    q.call_next("W2", at(0)).unwrap();
    let err = q.call_next("W1", at(1)).unwrap_err();
    assert_eq!(err, QueueError::NothingWaiting("W1".into()));
    assert_eq!(err.code(), "queue.nothing_waiting");
    let err = q.call_next("W7", at(1)).unwrap_err();
    assert_eq!(err.code(), "queue.window_not_found");
    assert_eq!(q.waiting_for("W7").unwrap_err().code(), "queue.window_not_found");
}

#[test]
fn tickets_of_an_unbound_matter_are_not_called() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("c1", "C", N, at(0)).unwrap();
    assert_eq!(q.call_next("W2", at(1)).unwrap_err().code(), "queue.nothing_waiting");
}

#[test]
fn new_bindings_order_the_waiting_tickets_from_now_on() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("a1", "A", N, at(0)).unwrap();
    q.issue("b1", "B", N, at(1)).unwrap();
    let mut cfg = two_windows();
    cfg.bindings.retain(|b| !(b.window_id == "W1" && b.matter_id == "A"));
    q.set_config(cfg).unwrap();
    assert_eq!(ids(&q, "W1"), ["b1"]);
}
