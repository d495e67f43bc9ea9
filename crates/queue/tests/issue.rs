//! Issuing tickets: numbering and the kiosk's refusal.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use hallkeeper_proto::{PriorityClass, TicketEventKind, TicketRefusal, TicketState, WindowKind, WindowState};
use hallkeeper_queue::{hall_day, ticket_number, HallQueue, QueueError};

const N: PriorityClass = PriorityClass::Normal;

fn number(q: &HallQueue, id: &str) -> String {
    q.ticket(id).map(|t| t.number.clone()).unwrap_or_default()
}

#[test]
fn numbers_follow_a_daily_sequence_per_prefix() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("t1", "A", N, at(0)).unwrap();
    q.issue("t2", "B", N, at(1)).unwrap();
    q.issue("t3", "A", N, at(2)).unwrap();
    assert_eq!([number(&q, "t1"), number(&q, "t2"), number(&q, "t3")], ["A001", "B001", "A002"]);
    let t = q.ticket("t3").unwrap();
    assert_eq!((t.prefix.as_str(), t.sequence, t.order, t.state), ("A", 2, 2, TicketState::Waiting));
    assert_eq!(t.day, chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap());
}

#[test]
fn the_event_carries_what_a_replay_needs() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    let e = q.issue("t1", "A", PriorityClass::Appointment, at(0)).unwrap();
    assert_eq!(e.ticket_id, "t1");
    assert_eq!(e.at, at(0));
    assert_eq!(
        e.kind,
        TicketEventKind::Issued {
            matter_id: "A".into(),
            class: PriorityClass::Appointment,
            prefix: "A".into(),
            sequence: 1
        }
    );
}

#[test]
fn a_matter_without_prefix_takes_the_fallbacks_first_letter() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("t1", "C", N, at(0)).unwrap();
    assert_eq!(number(&q, "t1"), "Z001");
}

#[test]
fn prefixes_are_upper_cased() {
    let mut cfg = two_windows();
    cfg.matters[0].ticket_prefix = "a".into();
    cfg.settings.fallback_prefix = "q".into();
    let mut q = HallQueue::new(cfg).unwrap();
    q.issue("t1", "A", N, at(0)).unwrap();
    q.issue("t2", "C", N, at(0)).unwrap();
    assert_eq!([number(&q, "t1"), number(&q, "t2")], ["A001", "Q001"]);
}

#[test]
fn matters_sharing_a_prefix_share_its_sequence() {
    let mut cfg = two_windows();
    cfg.matters[1].ticket_prefix = "A".into();
    let mut q = HallQueue::new(cfg).unwrap();
    q.issue("t1", "A", N, at(0)).unwrap();
    q.issue("t2", "B", N, at(1)).unwrap();
    assert_eq!([number(&q, "t1"), number(&q, "t2")], ["A001", "A002"]);
}

#[test]
fn numbering_restarts_at_the_halls_midnight_not_utcs() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    // 23:59 and 00:00 hall time are 15:59 and 16:00 UTC.
    let before = Utc.with_ymd_and_hms(2024, 3, 1, 15, 59, 0).unwrap();
    q.issue("t1", "A", N, before).unwrap();
    q.issue("t2", "A", N, before + Duration::seconds(59)).unwrap();
    q.issue("t3", "A", N, before + Duration::minutes(1)).unwrap();
    assert_eq!([number(&q, "t1"), number(&q, "t2"), number(&q, "t3")], ["A001", "A002", "A001"]);
    assert_eq!(q.ticket("t3").unwrap().day, chrono::NaiveDate::from_ymd_opt(2024, 3, 2).unwrap());
    assert_eq!(hall_day(before + Duration::minutes(1)), chrono::NaiveDate::from_ymd_opt(2024, 3, 2).unwrap());
}

#[test]
fn numbers_grow_past_999_instead_of_colliding() {
    assert_eq!(ticket_number("A", 7), "A007");
    assert_eq!(ticket_number("A", 999), "A999");
    assert_eq!(ticket_number("A", 1000), "A1000");
    let mut q = HallQueue::new(two_windows()).unwrap();
    for i in 0..1000 {
        q.issue(&format!("t{i}"), "A", N, at(0)).unwrap();
    }
    assert_eq!(number(&q, "t998"), "A999");
    assert_eq!(number(&q, "t999"), "A1000");
}

#[test]
fn an_id_is_used_once() {
    let mut q = HallQueue::new(two_windows()).unwrap();
    q.issue("t1", "A", N, at(0)).unwrap();
    let before = q.clone();
    let err = q.issue("t1", "B", N, at(1)).unwrap_err();
    assert_eq!(err.code(), "queue.ticket_duplicate");
    assert_eq!(q, before);
}

fn refusal_hall() -> HallQueue {
    let cfg = config(
        vec![
            window("W1", WindowKind::General, WindowState::Paused),
            window("W0", WindowKind::General, WindowState::Closed),
            open("W3"),
        ],
        vec![matter("A", "A"), retired("R", "R"), matter("U", "U"), matter("P", "P")],
        vec![primary("W3", "A"), primary("W3", "R"), primary("W1", "P"), overflow("W0", "P")],
    );
    HallQueue::new(cfg).unwrap()
}

#[test]
fn the_kiosk_refuses_for_the_four_reasons_of_the_coverage_audit() {
    let mut q = refusal_hall();
    let before = q.clone();
    let cases = [
        ("nope", TicketRefusal::UnknownMatter, "queue.unknown_matter"),
        ("R", TicketRefusal::Retired, "queue.matter_retired"),
        ("U", TicketRefusal::NoWindow, "queue.no_window"),
        // Floor order: W0 (position 135) before W1 (136).
        (
            "P",
            TicketRefusal::NoOpenWindow { window_ids: vec!["W0".into(), "W1".into()] },
            "queue.no_open_window",
        ),
    ];
    for (matter_id, refusal, code) in cases {
        assert_eq!(q.refusal(matter_id), Some(refusal.clone()), "{matter_id}");
        let err = q.issue("t", matter_id, N, at(0)).unwrap_err();
        assert_eq!(err, QueueError::Refused { matter_id: matter_id.into(), refusal });
        assert_eq!(err.code(), code);
    }
    assert_eq!(q, before, "a refusal changes nothing");
    assert_eq!(q.refusal("A"), None);
}

#[test]
fn opening_a_window_lifts_the_refusal() {
    let mut q = refusal_hall();
    q.set_window_state("W1", WindowState::Open).unwrap();
    assert_eq!(q.refusal("P"), None);
    q.issue("t1", "P", N, at(0)).unwrap();
}
