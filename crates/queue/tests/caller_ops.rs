//! A window caller's operations on a ticket and their refusals.

mod common;

use common::*;
use hallkeeper_proto::{
    NoShowReason, PriorityClass, TicketEventKind, TicketState, TransferTarget, WindowState,
};
use hallkeeper_queue::{HallQueue, QueueError};

const N: PriorityClass = PriorityClass::Normal;

/// Two windows, tickets a1 (A, appointment), a2, b1 waiting; a1 called by W1 at minute 1.
fn called() -> HallQueue {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("a1", "A", PriorityClass::Appointment, at(0)).unwrap();
    q.issue("a2", "A", N, at(0)).unwrap();
    q.issue("b1", "B", N, at(0)).unwrap();
    q.call_next("W1", at(1)).unwrap();
    q
}

fn state(q: &HallQueue, id: &str) -> TicketState {
    q.ticket(id).unwrap().state
}

/// Runs a refused operation and checks it changed nothing.
fn refused(
    q: &mut HallQueue,
    op: impl FnOnce(&mut HallQueue) -> Result<hallkeeper_proto::TicketEvent, QueueError>,
) -> QueueError {
    let before = q.clone();
    let err = op(q).unwrap_err();
    assert_eq!(*q, before, "{err}");
    err
}

#[test]
fn recall_counts_up_to_the_limit_then_makes_a_no_show() {
    let mut q = called();
    for n in 1..=2 {
        let e = q.recall("W1", "a1", at(1 + n)).unwrap();
        assert_eq!(e.kind, TicketEventKind::Recalled { window_id: "W1".into() });
        assert_eq!(q.ticket("a1").unwrap().recall_count, n as u32);
    }
    let e = q.recall("W1", "a1", at(4)).unwrap();
    assert_eq!(e.kind, TicketEventKind::NoShow { window_id: "W1".into(), reason: NoShowReason::RecallLimit });
    let t = q.ticket("a1").unwrap();
    assert_eq!((t.state, t.recall_count, t.ended_at), (TicketState::NoShow, 2, Some(at(4))));
    assert!(q.current("W1").is_none(), "the window is free again");
}

#[test]
fn with_no_recalls_allowed_the_first_recall_is_a_no_show() {
    let mut cfg = two_windows();
    cfg.settings.max_recalls = 0;
    let mut q = HallQueue::new(cfg).unwrap();
    q.issue("a1", "A", N, at(0)).unwrap();
    q.call_next("W1", at(1)).unwrap();
    let e = q.recall("W1", "a1", at(2)).unwrap();
    assert!(matches!(e.kind, TicketEventKind::NoShow { reason: NoShowReason::RecallLimit, .. }));
}

#[test]
fn recall_is_refused_unless_this_window_called_the_ticket_and_is_open() {
    let mut q = called();
    let err = refused(&mut q, |q| q.recall("W1", "a2", at(2)));
    assert_eq!(err.code(), "queue.invalid_transition");
    assert_eq!(
        err,
        QueueError::InvalidTransition {
            ticket_id: "a2".into(),
            state: TicketState::Waiting,
            action: "recalled"
        }
    );
    let err = refused(&mut q, |q| q.recall("W2", "a1", at(2)));
    assert_eq!(err, QueueError::NotYourTicket { ticket_id: "a1".into(), window_id: "W2".into() });
    assert_eq!(err.code(), "queue.not_your_ticket");
    assert_eq!(refused(&mut q, |q| q.recall("W1", "zz", at(2))).code(), "queue.ticket_not_found");
    assert_eq!(refused(&mut q, |q| q.recall("W9", "a1", at(2))).code(), "queue.window_not_found");
    q.start("W1", "a1", at(2)).unwrap();
    assert_eq!(refused(&mut q, |q| q.recall("W1", "a1", at(3))).code(), "queue.invalid_transition");

    let mut q = called();
    q.set_window_state("W1", WindowState::Paused).unwrap();
    assert_eq!(refused(&mut q, |q| q.recall("W1", "a1", at(2))).code(), "queue.window_closed");
}

#[test]
fn start_then_finish() {
    let mut q = called();
    let e = q.start("W1", "a1", at(2)).unwrap();
    assert_eq!(e.kind, TicketEventKind::Started { window_id: "W1".into() });
    assert_eq!((state(&q, "a1"), q.ticket("a1").unwrap().started_at), (TicketState::Serving, Some(at(2))));
    assert_eq!(q.current("W1").map(|t| t.id.as_str()), Some("a1"));
    let e = q.finish("W1", "a1", at(9)).unwrap();
    assert_eq!(e.kind, TicketEventKind::Finished { window_id: "W1".into() });
    let t = q.ticket("a1").unwrap();
    assert_eq!(
        (t.state, t.ended_at, t.window_id.as_deref()),
        (TicketState::Finished, Some(at(9)), Some("W1"))
    );
    assert!(q.current("W1").is_none());
}

#[test]
fn starting_is_optional() {
    let mut q = called();
    q.finish("W1", "a1", at(3)).unwrap();
    assert_eq!(state(&q, "a1"), TicketState::Finished);
}

#[test]
fn finishing_twice_or_a_ticket_of_another_window_is_refused() {
    let mut q = called();
    q.finish("W1", "a1", at(3)).unwrap();
    let err = refused(&mut q, |q| q.finish("W1", "a1", at(4)));
    assert_eq!(
        err,
        QueueError::InvalidTransition {
            ticket_id: "a1".into(),
            state: TicketState::Finished,
            action: "finished"
        }
    );
    assert_eq!(refused(&mut q, |q| q.finish("W1", "a2", at(4))).code(), "queue.invalid_transition");
    q.call_next("W2", at(5)).unwrap();
    assert_eq!(refused(&mut q, |q| q.finish("W1", "b1", at(6))).code(), "queue.not_your_ticket");
    assert_eq!(refused(&mut q, |q| q.start("W1", "b1", at(6))).code(), "queue.not_your_ticket");
    q.start("W2", "b1", at(6)).unwrap();
    assert_eq!(refused(&mut q, |q| q.start("W2", "b1", at(7))).code(), "queue.invalid_transition");
}

#[test]
fn staff_may_finish_on_a_paused_window() {
    let mut q = called();
    q.set_window_state("W1", WindowState::Closed).unwrap();
    q.finish("W1", "a1", at(3)).unwrap();
}

#[test]
fn no_show_is_for_a_called_ticket_only() {
    let mut q = called();
    let e = q.no_show("W1", "a1", at(3)).unwrap();
    assert_eq!(e.kind, TicketEventKind::NoShow { window_id: "W1".into(), reason: NoShowReason::Manual });
    assert_eq!(state(&q, "a1"), TicketState::NoShow);
    assert!(q.current("W1").is_none());
    assert_eq!(refused(&mut q, |q| q.no_show("W1", "a1", at(4))).code(), "queue.invalid_transition");
    q.call_next("W1", at(5)).unwrap();
    q.start("W1", "a2", at(5)).unwrap();
    let err = refused(&mut q, |q| q.no_show("W1", "a2", at(6)));
    assert_eq!(
        err,
        QueueError::InvalidTransition {
            ticket_id: "a2".into(),
            state: TicketState::Serving,
            action: "no_show"
        }
    );
}

#[test]
fn a_parked_ticket_frees_the_window_and_comes_back_to_it() {
    let mut q = called();
    q.recall("W1", "a1", at(2)).unwrap();
    q.start("W1", "a1", at(2)).unwrap();
    let e = q.park("W1", "a1", at(3)).unwrap();
    assert_eq!(e.kind, TicketEventKind::Parked { window_id: "W1".into() });
    assert_eq!(state(&q, "a1"), TicketState::Parked);
    assert!(q.current("W1").is_none());
    assert_eq!(q.parked_at("W1").iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["a1"]);
    assert!(q.waiting_for("W1").unwrap().iter().all(|t| t.id != "a1"), "parked is not waiting");

    q.call_next("W1", at(4)).unwrap();
    let err = refused(&mut q, |q| q.resume("W1", "a1", at(5)));
    assert_eq!(err, QueueError::WindowBusy { window_id: "W1".into(), ticket_id: "a2".into() });
    q.finish("W1", "a2", at(6)).unwrap();
    assert_eq!(refused(&mut q, |q| q.resume("W2", "a1", at(7))).code(), "queue.not_your_ticket");
    let e = q.resume("W1", "a1", at(7)).unwrap();
    assert_eq!(e.kind, TicketEventKind::Resumed { window_id: "W1".into() });
    let t = q.ticket("a1").unwrap();
    assert_eq!((t.state, t.called_at, t.first_called_at), (TicketState::Called, Some(at(7)), Some(at(1))));
    assert_eq!((t.recall_count, t.started_at), (0, None), "a resume is a new call");
    assert!(q.parked_at("W1").is_empty());
}

#[test]
fn park_and_resume_are_refused_from_the_wrong_state_or_on_a_closed_window() {
    let mut q = called();
    assert_eq!(refused(&mut q, |q| q.park("W1", "a2", at(2))).code(), "queue.invalid_transition");
    assert_eq!(refused(&mut q, |q| q.resume("W1", "a1", at(2))).code(), "queue.invalid_transition");
    assert_eq!(refused(&mut q, |q| q.park("W2", "a1", at(2))).code(), "queue.not_your_ticket");
    q.park("W1", "a1", at(2)).unwrap();
    q.set_window_state("W1", WindowState::Paused).unwrap();
    assert_eq!(refused(&mut q, |q| q.resume("W1", "a1", at(3))).code(), "queue.window_closed");
    assert_eq!(refused(&mut q, |q| q.finish("W1", "a1", at(3))).code(), "queue.invalid_transition");
}

#[test]
fn a_transfer_to_a_window_keeps_number_place_and_class() {
    let mut q = called();
    q.recall("W1", "a1", at(2)).unwrap();
    let target = TransferTarget::Window { window_id: "W2".into() };
    let e = q.transfer("W1", "a1", target.clone(), at(3)).unwrap();
    assert_eq!(e.kind, TicketEventKind::Transferred { window_id: "W1".into(), target });
    let t = q.ticket("a1").unwrap();
    assert_eq!((t.number.as_str(), t.order, t.class), ("A001", 0, PriorityClass::Appointment));
    assert_eq!(
        (t.state, t.window_id.clone(), t.target_window_id.as_deref()),
        (TicketState::Waiting, None, Some("W2"))
    );
    assert_eq!((t.recall_count, t.transfer_count, t.matter_id.as_str()), (0, 1, "A"));
    assert!(q.current("W1").is_none());
    assert_eq!(
        q.call_next("W2", at(4)).unwrap().ticket_id,
        "a1",
        "first: primary there, appointment, oldest"
    );
    assert_eq!(q.ticket("a1").unwrap().first_called_at, Some(at(1)), "the wait is not restarted");
}

#[test]
fn a_transfer_to_a_matter_keeps_place_and_class() {
    let mut q = called();
    // W2 takes B as primary; a1 now queues for B ahead of b1, issued after it.
    q.transfer("W1", "a1", TransferTarget::Matter { matter_id: "B".into() }, at(2)).unwrap();
    let t = q.ticket("a1").unwrap();
    assert_eq!(
        (t.matter_id.as_str(), t.issued_matter_id.as_str(), t.target_window_id.clone()),
        ("B", "A", None)
    );
    let w2: Vec<&str> = q.waiting_for("W2").unwrap().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(w2, ["a1", "b1", "a2"]);
}

#[test]
fn a_parked_ticket_can_be_transferred() {
    let mut q = called();
    q.park("W1", "a1", at(2)).unwrap();
    q.transfer("W1", "a1", TransferTarget::Window { window_id: "W2".into() }, at(3)).unwrap();
    assert!(q.parked_at("W1").is_empty());
    assert_eq!(state(&q, "a1"), TicketState::Waiting);
}

#[test]
fn a_transfer_back_to_its_own_matter_returns_it_to_the_queue_at_its_place() {
    let mut q = called();
    q.transfer("W1", "a1", TransferTarget::Matter { matter_id: "A".into() }, at(2)).unwrap();
    assert_eq!(q.waiting_for("W1").unwrap()[0].id, "a1");
}

#[test]
fn transfers_are_refused_to_unknown_or_unusable_targets() {
    let mut q = called();
    let to_window = |id: &str| TransferTarget::Window { window_id: id.into() };
    let to_matter = |id: &str| TransferTarget::Matter { matter_id: id.into() };
    let err = refused(&mut q, |q| q.transfer("W1", "a1", to_window("W1"), at(2)));
    assert_eq!(err, QueueError::TransferSameTarget("a1".into()));
    assert_eq!(err.code(), "queue.transfer_same_target");
    assert_eq!(
        refused(&mut q, |q| q.transfer("W1", "a1", to_window("W9"), at(2))).code(),
        "queue.window_not_found"
    );
    assert_eq!(
        refused(&mut q, |q| q.transfer("W1", "a1", to_matter("Z"), at(2))).code(),
        "queue.unknown_matter"
    );
    assert_eq!(
        refused(&mut q, |q| q.transfer("W1", "a2", to_window("W2"), at(2))).code(),
        "queue.invalid_transition"
    );
    assert_eq!(
        refused(&mut q, |q| q.transfer("W2", "a1", to_window("W2"), at(2))).code(),
        "queue.not_your_ticket"
    );
    q.set_window_state("W2", WindowState::Paused).unwrap();
    assert_eq!(
        refused(&mut q, |q| q.transfer("W1", "a1", to_window("W2"), at(2))).code(),
        "queue.window_closed"
    );
    // B's only window is W2 (paused): a kiosk would refuse B, so does a transfer.
    let mut cfg = q.config().clone();
    cfg.bindings.retain(|b| !(b.window_id == "W1" && b.matter_id == "B"));
    q.set_config(cfg).unwrap();
    assert_eq!(
        refused(&mut q, |q| q.transfer("W1", "a1", to_matter("B"), at(2))).code(),
        "queue.no_open_window"
    );
}

#[test]
fn a_transfer_to_a_retired_matter_is_refused() {
    let mut cfg = two_windows();
    cfg.matters[1] = retired("B", "B");
    let mut q = HallQueue::new(cfg).unwrap();
    q.issue("a1", "A", N, at(0)).unwrap();
    q.call_next("W1", at(1)).unwrap();
    let err =
        refused(&mut q, |q| q.transfer("W1", "a1", TransferTarget::Matter { matter_id: "B".into() }, at(2)));
    assert_eq!(err.code(), "queue.matter_retired");
}

#[test]
fn finish_and_call_next_ends_the_service_and_calls_the_next_in_one_operation() {
    let mut q = called();
    let events = q.finish_and_call_next("W1", "a1", at(2)).unwrap();
    let kinds: Vec<_> = events.iter().map(|e| (e.ticket_id.as_str(), e.kind.clone())).collect();
    assert_eq!(
        kinds,
        vec![
            ("a1", TicketEventKind::Finished { window_id: "W1".into() }),
            ("a2", TicketEventKind::Called { window_id: "W1".into() }),
        ]
    );
    assert_eq!(state(&q, "a1"), TicketState::Finished);
    assert_eq!(q.current("W1").map(|t| t.id.as_str()), Some("a2"));
    // The same events, replayed, give the same queue: a log of two ordinary events.
    let mut log = vec![];
    let mut r = HallQueue::new(two_windows()).unwrap();
    log.push(r.issue("a1", "A", PriorityClass::Appointment, at(0)).unwrap());
    log.push(r.issue("a2", "A", N, at(0)).unwrap());
    log.push(r.issue("b1", "B", N, at(0)).unwrap());
    log.push(r.call_next("W1", at(1)).unwrap());
    log.extend(events);
    assert_eq!(HallQueue::replay(two_windows(), log.iter()).unwrap(), q);
}

#[test]
fn finish_and_call_next_with_nobody_waiting_only_finishes() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("a1", "A", N, at(0)).unwrap();
    q.call_next("W1", at(1)).unwrap();
    let events = q.finish_and_call_next("W1", "a1", at(2)).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, TicketEventKind::Finished { window_id: "W1".into() });
    assert!(q.current("W1").is_none());
}

#[test]
fn finish_and_call_next_refused_changes_nothing() {
    let mut q = called();
    let before = q.clone();
    // A second press naming the ticket already finished: refused, the next one stays called.
    q.finish_and_call_next("W1", "a1", at(2)).unwrap();
    let after_first = q.clone();
    let err = q.finish_and_call_next("W1", "a1", at(3)).unwrap_err();
    assert!(matches!(err, QueueError::InvalidTransition { .. }), "{err}");
    assert_eq!(q, after_first);
    // Another window's ticket, and a paused window: refused before anything applies.
    let mut q = before.clone();
    let err = q.finish_and_call_next("W2", "a1", at(2)).unwrap_err();
    assert!(matches!(err, QueueError::NotYourTicket { .. }), "{err}");
    assert_eq!(q, before);
    q.set_window_state("W1", WindowState::Paused).unwrap();
    let paused = q.clone();
    let err = q.finish_and_call_next("W1", "a1", at(2)).unwrap_err();
    assert!(matches!(err, QueueError::WindowClosed { .. }), "{err}");
    assert_eq!(q, paused);
    // The next ticket's own check (its last event later than this one) refuses both.
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("x1", "A", N, at(0)).unwrap();
    q.issue("x2", "B", N, at(0)).unwrap();
    q.call_next("W1", at(1)).unwrap();
    q.call_next("W2", at(1)).unwrap();
    q.transfer("W2", "x2", TransferTarget::Window { window_id: "W1".into() }, at(9)).unwrap();
    let before = q.clone();
    let err = q.finish_and_call_next("W1", "x1", at(5)).unwrap_err();
    assert!(matches!(err, QueueError::TimeOutOfOrder(ref id) if id == "x2"), "{err}");
    assert_eq!(q, before);
}

#[test]
fn a_chosen_waiting_ticket_is_called_out_of_order_only_from_the_windows_own_queue() {
    // D is W2's alone.
    let cfg = config(
        vec![open("W1"), open("W2")],
        vec![matter("A", "A"), matter("D", "D")],
        vec![primary("W1", "A"), primary("W2", "D")],
    );
    let mut q = HallQueue::new(cfg).unwrap();
    q.issue("a1", "A", N, at(0)).unwrap();
    q.issue("a2", "A", N, at(0)).unwrap();
    q.issue("d1", "D", N, at(0)).unwrap();
    // a2 is called before a1, who came first.
    let e = q.call_chosen("W1", "a2", at(1)).unwrap();
    assert_eq!(e.kind, TicketEventKind::Called { window_id: "W1".into() });
    assert_eq!((state(&q, "a2"), state(&q, "a1")), (TicketState::Called, TicketState::Waiting));
    // Busy: nothing else is called over the open ticket.
    let err = refused(&mut q, |q| q.call_chosen("W1", "a1", at(2)));
    assert!(matches!(err, QueueError::WindowBusy { .. }), "{err}");
    q.finish("W1", "a2", at(3)).unwrap();
    // Not in W1's queue, or not waiting: refused, nothing changed.
    let err = refused(&mut q, |q| q.call_chosen("W1", "d1", at(4)));
    assert!(matches!(err, QueueError::NotYourTicket { .. }), "{err}");
    let err = refused(&mut q, |q| q.call_chosen("W1", "a2", at(4)));
    assert!(matches!(err, QueueError::InvalidTransition { .. }), "{err}");
    q.set_window_state("W1", WindowState::Paused).unwrap();
    let err = refused(&mut q, |q| q.call_chosen("W1", "a1", at(4)));
    assert!(matches!(err, QueueError::WindowClosed { .. }), "{err}");
}
