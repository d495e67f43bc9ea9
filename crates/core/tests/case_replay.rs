//! A case's state is a pure function of its steps (docs/sync.md, "Cases"): the same steps in any
//! order of arrival replay to the same case, and no step is dropped — a step the state machine
//! refuses at its place is kept, marked not effective.

use chrono::{DateTime, Duration, Utc};
use hallkeeper_core::calendar::Calendar;
use hallkeeper_core::rectification::{
    replay, Action, Assignee, AssigneeKind, Case, CaseExt as _, CaseState, DeadlineProfile, NewCase,
    ProfileExt as _, Step, SyncedStep,
};
use proptest::prelude::*;

fn opened() -> Case {
    let new = NewCase {
        rating_id: "r1".into(),
        real_name: false,
        assignee: Assignee { kind: AssigneeKind::Department, id: "d1".into(), name: "税务".into() },
        opened_at: DateTime::parse_from_rfc3339("2026-11-25T01:30:00Z").unwrap().with_timezone(&Utc),
    };
    Case::open(new, &DeadlineProfile::national_default(), Calendar::builtin()).unwrap()
}

fn action(n: u8) -> Action {
    match n % 7 {
        0 => Action::Verify,
        1 => Action::StartRectifying,
        2 => Action::MarkRectified,
        3 => Action::CallBack { reached: false, satisfied: None },
        4 => Action::Close,
        5 => Action::Appeal { reason: "恶意差评".into() },
        _ => Action::RejectAppeal { reason: "理由不足".into() },
    }
}

/// Steps by two people on two PCs: HLCs from two devices, wall times that may disagree with them.
fn steps() -> impl Strategy<Value = Vec<SyncedStep>> {
    prop::collection::vec((any::<u8>(), 0..2u8, 0..400i64, -50..50i64), 0..14).prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(i, (a, who, millis, skew))| {
                let device = ["pc1", "pc2"][who as usize];
                SyncedStep {
                    hlc: format!("{:018}-{:05}-{device}", 1_764_034_200_000 + millis, i % 3),
                    id: format!("s{i:03}"),
                    step: Step {
                        action: action(a),
                        actor: ["王主任", "李值班长"][who as usize].into(),
                        at: opened().opened_at + Duration::milliseconds(millis + skew + 100),
                        note: Some("已整改".into()),
                        attachments: Vec::new(),
                    },
                }
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn any_order_of_arrival_gives_the_same_case_and_keeps_every_step(
        steps in steps(),
        seed in any::<u64>(),
    ) {
        let a = replay(&opened(), steps.clone());
        let mut shuffled = steps.clone();
        // A deterministic shuffle from the seed (proptest shrinks the seed with the steps).
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let b = replay(&opened(), shuffled);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.steps.len(), steps.len(), "no step dropped");
        let effective = a.steps.iter().filter(|s| s.effective).count();
        prop_assert_eq!(a.case.history.len(), effective);
        prop_assert!(a.steps.windows(2).all(|p| (&p[0].step.hlc, &p[0].step.id) < (&p[1].step.hlc, &p[1].step.id)));
    }
}

#[test]
fn the_second_of_two_concurrent_verifies_is_kept_but_does_not_move_the_case() {
    let step = |hlc: &str, id: &str, who: &str| SyncedStep {
        hlc: hlc.into(),
        id: id.into(),
        step: Step {
            action: Action::Verify,
            actor: who.into(),
            at: opened().opened_at + Duration::seconds(5),
            note: None,
            attachments: Vec::new(),
        },
    };
    let r = replay(
        &opened(),
        vec![
            step("000001764034205000-00000-pc2", "b", "李值班长"),
            step("000001764034205000-00000-pc1", "a", "王主任"),
        ],
    );
    assert_eq!(r.case.state, CaseState::Verifying);
    assert_eq!(
        r.steps.iter().map(|s| (s.step.id.as_str(), s.effective)).collect::<Vec<_>>(),
        [("a", true), ("b", false)]
    );
    assert_eq!((r.steps[1].from, r.steps[1].to), (CaseState::Verifying, CaseState::Verifying));
}
