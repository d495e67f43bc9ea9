//! The event log (replay, refused events, wire form), derived figures and configuration checks.

mod common;

use chrono::Duration;
use common::*;
use hallkeeper_proto::{
    PriorityClass, TicketCounts, TicketEvent, TicketEventKind, TicketState, TransferTarget, WindowKind,
    WindowState,
};
use hallkeeper_queue::{
    count_states, matter_totals, people_ahead, service_time, wait_time, window_totals, ConfigProblem,
    HallQueue, QueueError,
};

const N: PriorityClass = PriorityClass::Normal;

/// A small day: a1 served with a start, a2 parked, b1 transferred to W1, c1 waiting.
fn day() -> (HallQueue, Vec<TicketEvent>) {
    let mut q = HallQueue::new(two_windows()).unwrap();
    let mut log = vec![
        q.issue("a1", "A", N, at(0)).unwrap(),
        q.issue("a2", "A", N, at(1)).unwrap(),
        q.issue("b1", "B", PriorityClass::PriorityLane, at(2)).unwrap(),
        q.issue("c1", "C", N, at(3)).unwrap(),
        q.call_next("W1", at(10)).unwrap(),
        q.recall("W1", "a1", at(11)).unwrap(),
        q.start("W1", "a1", at(12)).unwrap(),
        q.finish("W1", "a1", at(20)).unwrap(),
        q.call_next("W2", at(21)).unwrap(),
    ];
    log.push(q.transfer("W2", "b1", TransferTarget::Window { window_id: "W1".into() }, at(22)).unwrap());
    log.push(q.call_next("W2", at(23)).unwrap());
    log.push(q.park("W2", "a2", at(24)).unwrap());
    (q, log)
}

#[test]
fn replaying_the_log_gives_the_same_queue() {
    let (q, log) = day();
    let replayed = HallQueue::replay(q.config().clone(), &log).unwrap();
    assert_eq!(replayed, q);
}

#[test]
fn replay_does_not_depend_on_todays_window_states() {
    let (q, log) = day();
    let mut cfg = q.config().clone();
    for w in &mut cfg.windows {
        w.state = WindowState::Closed;
    }
    let replayed = HallQueue::replay(cfg, &log).unwrap();
    assert_eq!(replayed.tickets(), q.tickets());
}

#[test]
fn the_log_survives_json() {
    let (q, log) = day();
    let json = serde_json::to_string(&log).unwrap();
    let back: Vec<TicketEvent> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, log);
    assert_eq!(HallQueue::replay(q.config().clone(), &back).unwrap(), q);
    let transfer = serde_json::to_value(&log[9]).unwrap();
    assert_eq!(
        transfer,
        serde_json::json!({
            "ticketId": "b1", "at": "2024-03-01T01:22:00Z", "kind": "transferred", "windowId": "W2",
            "target": {"to": "window", "windowId": "W1"}
        })
    );
    let issued = serde_json::to_value(&log[2]).unwrap();
    assert_eq!(
        issued,
        serde_json::json!({
            "ticketId": "b1", "at": "2024-03-01T01:02:00Z", "kind": "issued", "matterId": "B",
            "class": "priority_lane", "prefix": "B", "sequence": 1
        })
    );
}

#[test]
fn a_bad_log_is_refused_at_its_first_bad_event() {
    let (q, log) = day();
    let cfg = q.config().clone();
    let mut swapped = log.clone();
    swapped.swap(4, 5); // a recall before the call
    assert_eq!(HallQueue::replay(cfg.clone(), &swapped).unwrap_err().code(), "queue.invalid_transition");
    let mut skipped = log.clone();
    skipped.remove(1); // a2 never issued: its call fails
    assert_eq!(HallQueue::replay(cfg.clone(), &skipped).unwrap_err().code(), "queue.ticket_not_found");
    let mut renumbered = log.clone();
    if let TicketEventKind::Issued { sequence, .. } = &mut renumbered[1].kind {
        *sequence = 5;
    }
    let err = HallQueue::replay(cfg.clone(), &renumbered).unwrap_err();
    assert_eq!(err, QueueError::SequenceMismatch { ticket_id: "a2".into(), expected: 2, got: 5 });
    assert_eq!(err.code(), "queue.sequence_mismatch");
}

#[test]
fn time_does_not_go_back_for_a_ticket() {
    let (mut q, _) = day();
    let before = q.clone();
    let err = q.resume("W2", "a2", at(23)).unwrap_err();
    assert_eq!(err, QueueError::TimeOutOfOrder("a2".into()));
    assert_eq!(err.code(), "queue.time_out_of_order");
    assert_eq!(q, before);
    let late = TicketEvent {
        ticket_id: "zz".into(),
        at: at(0),
        kind: TicketEventKind::Called { window_id: "W1".into() },
    };
    assert_eq!(q.apply(&late).unwrap_err().code(), "queue.ticket_not_found");
}

#[test]
fn waits_and_service_times_are_measured() {
    let (q, _) = day();
    let a1 = q.ticket("a1").unwrap();
    assert_eq!(wait_time(a1), Some(Duration::minutes(10)));
    assert_eq!(service_time(a1), Some(Duration::minutes(8)), "from the start, not the call");
    let b1 = q.ticket("b1").unwrap();
    assert_eq!(wait_time(b1), Some(Duration::minutes(19)));
    assert_eq!(service_time(b1), None, "not finished");
    assert_eq!(wait_time(q.ticket("c1").unwrap()), None);

    let mut q = q;
    q.call_next("W1", at(30)).unwrap(); // b1, sent to W1
    q.finish("W1", "b1", at(34)).unwrap();
    let b1 = q.ticket("b1").unwrap();
    assert_eq!(service_time(b1), Some(Duration::minutes(4)), "from the call at the finishing window");
    assert_eq!(wait_time(b1), Some(Duration::minutes(19)), "a transfer does not restart the wait");
}

#[test]
fn people_ahead_is_the_shortest_way_to_a_window() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("a1", "A", N, at(0)).unwrap();
    q.issue("b1", "B", N, at(0)).unwrap();
    q.issue("b2", "B", N, at(0)).unwrap();
    q.issue("a2", "A", PriorityClass::Appointment, at(1)).unwrap();
    // W1: a2, a1, b1, b2; W2: b1, b2, a2, a1.
    assert_eq!(people_ahead(&q, "a2"), Some(0));
    assert_eq!(people_ahead(&q, "a1"), Some(1));
    assert_eq!(people_ahead(&q, "b2"), Some(1));
    q.set_window_state("W2", WindowState::Closed).unwrap();
    assert_eq!(people_ahead(&q, "b2"), Some(3), "only W1 is left");
    q.set_window_state("W1", WindowState::Paused).unwrap();
    assert_eq!(people_ahead(&q, "b2"), Some(3), "a paused window still counts");
    q.set_window_state("W1", WindowState::Closed).unwrap();
    assert_eq!(people_ahead(&q, "b2"), None, "no window will call it");
    q.set_window_state("W1", WindowState::Open).unwrap();
    q.call_next("W1", at(2)).unwrap();
    assert_eq!(people_ahead(&q, "a2"), None, "not waiting");
    assert_eq!(people_ahead(&q, "zz"), None);
}

#[test]
fn totals_per_matter_and_window_add_up() {
    let (q, _) = day();
    let by_matter = matter_totals(&q);
    let ids: Vec<&str> = by_matter.iter().map(|m| m.matter_id.as_str()).collect();
    assert_eq!(ids, ["A", "B", "C"]);
    assert_eq!(by_matter[0].counts, TicketCounts { finished: 1, parked: 1, ..Default::default() });
    assert_eq!(by_matter[1].counts, TicketCounts { waiting: 1, ..Default::default() });
    assert_eq!(by_matter[2].counts, TicketCounts { waiting: 1, ..Default::default() });
    assert_eq!(
        count_states(q.tickets()),
        TicketCounts { waiting: 2, parked: 1, finished: 1, ..Default::default() }
    );

    let by_window = window_totals(&q);
    let w1 = &by_window[0];
    assert_eq!((w1.window_id.as_str(), w1.callable, w1.current_ticket_id.clone()), ("W1", 2, None));
    assert_eq!(
        w1.counts,
        TicketCounts { waiting: 1, finished: 1, ..Default::default() },
        "b1 was sent to W1"
    );
    let w2 = &by_window[1];
    assert_eq!((w2.callable, w2.counts), (0, TicketCounts { parked: 1, ..Default::default() }));
}

#[test]
fn the_configuration_is_checked() {
    type Spoil = fn(&mut hallkeeper_proto::QueueConfig);
    let cases: Vec<(Spoil, ConfigProblem)> = vec![
        (|c| c.windows.push(open("W1")), ConfigProblem::DuplicateWindow("W1".into())),
        (|c| c.matters.push(matter("A", "X")), ConfigProblem::DuplicateMatter("A".into())),
        (
            |c| c.bindings.push(overflow("W1", "A")),
            ConfigProblem::DuplicateBinding { window_id: "W1".into(), matter_id: "A".into() },
        ),
        (|c| c.bindings.push(primary("W9", "A")), ConfigProblem::BindingUnknownWindow("W9".into())),
        (|c| c.bindings.push(primary("W1", "Q")), ConfigProblem::BindingUnknownMatter("Q".into())),
        (
            |c| c.matters[0].ticket_prefix = "AB".into(),
            ConfigProblem::InvalidPrefix { matter_id: "A".into(), prefix: "AB".into() },
        ),
        (
            |c| c.matters[0].ticket_prefix = "甲".into(),
            ConfigProblem::InvalidPrefix { matter_id: "A".into(), prefix: "甲".into() },
        ),
        (|c| c.settings.fallback_prefix = "".into(), ConfigProblem::InvalidFallbackPrefix("".into())),
        (|c| c.settings.fallback_prefix = "1A".into(), ConfigProblem::InvalidFallbackPrefix("1A".into())),
    ];
    for (spoil, problem) in cases {
        let mut cfg = two_windows();
        spoil(&mut cfg);
        let err = HallQueue::new(cfg).unwrap_err();
        assert_eq!(err.code(), "queue.config_invalid");
        assert_eq!(err, QueueError::ConfigInvalid(problem));
    }
}

#[test]
fn a_window_or_matter_in_use_stays_in_the_configuration() {
    let (mut q, _) = day();
    let before = q.clone();
    let mut without_w2 = two_windows();
    without_w2.windows.retain(|w| w.id != "W2");
    without_w2.bindings.retain(|b| b.window_id != "W2");
    let err = q.set_config(without_w2).unwrap_err();
    assert_eq!(err, QueueError::ConfigInvalid(ConfigProblem::WindowInUse("W2".into())), "a2 is parked there");
    let mut without_c = two_windows();
    without_c.matters.retain(|m| m.id != "C");
    without_c.bindings.retain(|b| b.matter_id != "C");
    assert_eq!(
        q.set_config(without_c).unwrap_err(),
        QueueError::ConfigInvalid(ConfigProblem::MatterInUse("C".into()))
    );
    assert_eq!(q, before);
    assert_eq!(q.set_window_state("W9", WindowState::Open).unwrap_err().code(), "queue.window_not_found");
}

#[test]
fn a_finished_tickets_window_may_go() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("b1", "B", N, at(0)).unwrap();
    q.call_next("W2", at(1)).unwrap();
    q.finish("W2", "b1", at(2)).unwrap();
    let mut cfg = two_windows();
    cfg.windows.retain(|w| w.id != "W2");
    cfg.bindings.retain(|b| b.window_id != "W2");
    cfg.windows.push(window("G", WindowKind::Priority, WindowState::Open));
    q.set_config(cfg).unwrap();
    let totals = window_totals(&q);
    let ids: Vec<&str> = totals.iter().map(|w| w.window_id.as_str()).collect();
    assert_eq!(ids, ["W1", "G", "W2"], "a window only the history names comes last");
    assert_eq!(q.ticket("b1").unwrap().state, TicketState::Finished);
}
