//! The people-ahead reminders are looked for only at the front of the queues an event changed
//! (`front_of_changed`); a scan of every waiting ticket with a phone finds the same ones. Random
//! halls (bindings many-to-many, priority-lane windows, windows opening and closing) and random
//! days of issues, calls, transfers and moves; after every operation both ways must give the
//! same reminders, in the same order.

use chrono::{DateTime, Duration, TimeZone, Utc};
use hallkeeper_proto::{
    Binding, BindingPriority, MatterState, PriorityClass, QueueConfig, QueueMatter, QueueSettings,
    QueueWindow, SmsRule, SmsTrigger, TransferTarget, WindowKind, WindowState,
};
use hallkeeper_queue::{people_ahead, HallQueue};
use hallkeeper_server::sms::triggers::{ahead_reminders_due, front_of_changed, AheadDue, AheadWatch};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 1, 0, 0).single().expect("valid instant")
}

fn hall() -> impl Strategy<Value = QueueConfig> {
    (1usize..=4, 1usize..=3).prop_flat_map(|(nw, nm)| {
        (
            prop::collection::vec(
                (
                    prop_oneof![Just(WindowKind::General), Just(WindowKind::Priority)],
                    prop_oneof![4 => Just(WindowState::Open), 1 => Just(WindowState::Paused), 1 => Just(WindowState::Closed)],
                ),
                nw,
            ),
            prop::collection::vec(
                prop::option::weighted(
                    0.6,
                    prop_oneof![Just(BindingPriority::Primary), Just(BindingPriority::Overflow)],
                ),
                nw * nm,
            ),
            Just(nm),
        )
            .prop_map(|(windows, bindings, nm)| QueueConfig {
                windows: windows
                    .into_iter()
                    .enumerate()
                    .map(|(i, (kind, state))| QueueWindow {
                        id: format!("W{i}"),
                        number: format!("A{i:02}"),
                        kind,
                        state,
                        position: i as i64,
                    })
                    .collect(),
                matters: (0..nm)
                    .map(|i| QueueMatter { id: format!("M{i}"), ticket_prefix: "".into(), state: MatterState::Active })
                    .collect(),
                bindings: bindings
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, p)| {
                        Some(Binding { window_id: format!("W{}", i / nm), matter_id: format!("M{}", i % nm), priority: p? })
                    })
                    .collect(),
                settings: QueueSettings { max_recalls: 1, fallback_prefix: "A".into() },
            })
    })
}

fn rules() -> impl Strategy<Value = Vec<SmsRule>> {
    prop::collection::vec((0u32..4, prop::option::of(0usize..3)), 1..=3).prop_map(|rs| {
        rs.into_iter()
            .enumerate()
            .map(|(i, (n, matter))| SmsRule {
                id: format!("r{i}"),
                name: format!("rule {i}"),
                trigger: SmsTrigger::PeopleAhead { n },
                template: "{ticket} {ahead}".into(),
                enabled: true,
                matter_ids: matter.map(|m| vec![format!("M{m}")]).unwrap_or_default(),
            })
            .collect()
    })
}

#[derive(Debug, Clone)]
enum Op {
    Issue { matter: usize, lane: bool, phone: bool },
    Call { window: usize },
    FinishAndNext { window: usize },
    Finish { window: usize },
    NoShow { window: usize },
    TransferToWindow { window: usize, to: usize },
    TransferToMatter { window: usize, to: usize },
    Move { matter: usize, to: usize },
    SetState { window: usize, state: WindowState },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0usize..3, prop::bool::weighted(0.2), prop::bool::weighted(0.6))
            .prop_map(|(matter, lane, phone)| Op::Issue { matter, lane, phone }),
        3 => (0usize..4).prop_map(|window| Op::Call { window }),
        3 => (0usize..4).prop_map(|window| Op::FinishAndNext { window }),
        1 => (0usize..4).prop_map(|window| Op::Finish { window }),
        1 => (0usize..4).prop_map(|window| Op::NoShow { window }),
        1 => (0usize..4, 0usize..4).prop_map(|(window, to)| Op::TransferToWindow { window, to }),
        1 => (0usize..4, 0usize..3).prop_map(|(window, to)| Op::TransferToMatter { window, to }),
        1 => (0usize..3, 0usize..4).prop_map(|(matter, to)| Op::Move { matter, to }),
        1 => (0usize..4, prop_oneof![Just(WindowState::Open), Just(WindowState::Paused), Just(WindowState::Closed)])
            .prop_map(|(window, state)| Op::SetState { window, state }),
    ]
}

/// Runs one operation; true when it wrote events (what the server evaluates reminders after).
fn run(q: &mut HallQueue, op: &Op, n: &mut usize, now: DateTime<Utc>, watch: &mut AheadWatch) -> bool {
    let (nw, nm) = (q.config().windows.len(), q.config().matters.len());
    let w = |i: usize| format!("W{}", i % nw);
    let m = |i: usize| format!("M{}", i % nm);
    let current = |q: &HallQueue, i: usize| q.current(&w(i)).map(|t| t.id.clone());
    match op {
        Op::Issue { matter, lane, phone } => {
            *n += 1;
            let id = format!("t{n}");
            let class = if *lane { PriorityClass::PriorityLane } else { PriorityClass::Normal };
            let ok = q.issue(&id, &m(*matter), class, now).is_ok();
            if ok && *phone {
                // As the kiosk keeps it: the people ahead when the ticket was issued.
                watch.note_phone(&id, people_ahead(q, &id).unwrap_or(0));
            }
            ok
        }
        Op::Call { window } => q.call_next(&w(*window), now).is_ok(),
        Op::FinishAndNext { window } => {
            current(q, *window).is_some_and(|t| q.finish_and_call_next(&w(*window), &t, now).is_ok())
        }
        Op::Finish { window } => current(q, *window).is_some_and(|t| q.finish(&w(*window), &t, now).is_ok()),
        Op::NoShow { window } => current(q, *window).is_some_and(|t| q.no_show(&w(*window), &t, now).is_ok()),
        Op::TransferToWindow { window, to } => current(q, *window).is_some_and(|t| {
            q.transfer(&w(*window), &t, TransferTarget::Window { window_id: w(*to) }, now).is_ok()
        }),
        Op::TransferToMatter { window, to } => current(q, *window).is_some_and(|t| {
            q.transfer(&w(*window), &t, TransferTarget::Matter { matter_id: m(*to) }, now).is_ok()
        }),
        Op::Move { matter, to } => q.move_waiting(&m(*matter), &w(*to), now).is_ok(),
        Op::SetState { window, state } => {
            assert!(q.set_window_state(&w(*window), *state).is_ok());
            false
        }
    }
}

/// A day: after every operation that wrote events, the reminders found at the front of the
/// changed queues and by the scan; returns every reminder made, in order.
fn day(config: QueueConfig, rules: &[SmsRule], ops: &[Op]) -> Vec<AheadDue> {
    let rules: Vec<(&SmsRule, u32)> = rules
        .iter()
        .map(|r| match r.trigger {
            SmsTrigger::PeopleAhead { n } => (r, n),
            _ => unreachable!("people-ahead rules only"),
        })
        .collect();
    let mut q = HallQueue::new(config).unwrap();
    let mut watch = AheadWatch::new(HashMap::new(), HashSet::new());
    let mut made = Vec::new();
    let mut n = 0;
    let mut now = t0();
    for op in ops {
        now += Duration::seconds(30);
        if !run(&mut q, op, &mut n, now, &mut watch) {
            continue;
        }
        let changed = q.take_changed_windows();
        let incremental = ahead_reminders_due(&q, &rules, &watch, front_of_changed(&q, &rules, &changed));
        let scan = ahead_reminders_due(&q, &rules, &watch, q.waiting().filter(|t| watch.has_phone(&t.id)));
        assert_eq!(incremental, scan, "after {op:?}");
        for due in incremental {
            watch.note_fired(&due.ticket_id, &due.rule_id);
            made.push(due);
        }
    }
    made
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_front_of_the_changed_queues_finds_what_the_scan_finds(
        config in hall(),
        rules in rules(),
        ops in prop::collection::vec(op(), 1..120),
    ) {
        day(config, &rules, &ops);
    }
}

/// The comparison above is not between two empty lists: a plain day makes reminders.
#[test]
fn a_plain_day_makes_each_reminder_once_when_its_ticket_comes_within_n() {
    let config = QueueConfig {
        windows: vec![QueueWindow {
            id: "W0".into(),
            number: "A01".into(),
            kind: WindowKind::General,
            state: WindowState::Open,
            position: 0,
        }],
        matters: vec![QueueMatter { id: "M0".into(), ticket_prefix: "A".into(), state: MatterState::Active }],
        bindings: vec![Binding {
            window_id: "W0".into(),
            matter_id: "M0".into(),
            priority: BindingPriority::Primary,
        }],
        settings: QueueSettings { max_recalls: 1, fallback_prefix: "A".into() },
    };
    let rule = SmsRule {
        id: "two".into(),
        name: "two ahead".into(),
        trigger: SmsTrigger::PeopleAhead { n: 2 },
        template: "{ticket}".into(),
        enabled: true,
        matter_ids: vec![],
    };
    let issue = Op::Issue { matter: 0, lane: false, phone: true };
    let mut ops = vec![issue.clone(); 6];
    ops.extend([Op::Call { window: 0 }, Op::FinishAndNext { window: 0 }, Op::FinishAndNext { window: 0 }]);
    let made = day(config, &[rule], &ops);
    // t4, t5, t6 had 3, 4, 5 ahead; t1..t3 never more than 2. Each call brings the next of them
    // to 2 (and the one before to 1, which already had its reminder).
    let got: Vec<(&str, u32)> = made.iter().map(|d| (d.ticket_id.as_str(), d.ahead)).collect();
    assert_eq!(got, vec![("t4", 2), ("t5", 2), ("t6", 2)]);
}
