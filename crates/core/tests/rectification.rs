//! The poor-rating case machine: every (state, action) pair against a table, so changing the
//! machine breaks a test; the content each step needs; deadlines and flags from the calendar and
//! profile; and a property test that no sequence of steps reaches an inconsistent case.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use hallkeeper_core::calendar::{Calendar, Deadline, EMBEDDED_JSON};
use hallkeeper_core::proto::Locale;
use hallkeeper_core::rectification::{
    apply, target, Action, ActionKind, Assignee, AssigneeKind, Attachment, Case, CaseState, DeadlineProfile,
    NewCase, Step, TransitionError,
};
use hallkeeper_core::rectification::{CaseExt as _, CaseStateExt as _, ProfileExt as _};
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// 09:00 hall time (UTC+8) on a date.
fn at(s: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d(s).and_hms_opt(1, 0, 0).unwrap())
}

fn dept(id: &str) -> Assignee {
    Assignee { kind: AssigneeKind::Department, id: id.into(), name: format!("{id} 部门") }
}

fn open_with(real_name: bool, profile: &DeadlineProfile, opened: &str) -> Case {
    Case::open(
        NewCase { rating_id: "R-1".into(), real_name, assignee: dept("D-HR"), opened_at: at(opened) },
        profile,
        Calendar::builtin(),
    )
    .unwrap()
}

fn open(real_name: bool) -> Case {
    open_with(real_name, &DeadlineProfile::national_default(), "2025-01-20")
}

/// A well-formed step of each kind: whatever is refused is refused for the case, not the content.
fn good(kind: ActionKind, actor: &str, when: DateTime<Utc>) -> Step {
    let (action, note) = match kind {
        ActionKind::Verify => (Action::Verify, None),
        ActionKind::StartRectifying => (Action::StartRectifying, None),
        ActionKind::MarkRectified => (Action::MarkRectified, Some("窗口增设引导员，已培训")),
        ActionKind::CallBack => (Action::CallBack { reached: true, satisfied: Some(true) }, None),
        ActionKind::Close => (Action::Close, Some("办结")),
        ActionKind::Appeal => (Action::Appeal { reason: "恶意差评：评价时段无办件记录".into() }, None),
        ActionKind::UpholdAppeal => (Action::UpholdAppeal { reason: "核实无办件记录".into() }, None),
        ActionKind::RejectAppeal => (Action::RejectAppeal { reason: "录像显示确有推诿".into() }, None),
        ActionKind::Reassign => (Action::Reassign { assignee: dept("D-OTHER") }, None),
    };
    Step { action, actor: actor.into(), at: when, note: note.map(Into::into), attachments: vec![] }
}

fn step(case: &Case, kind: ActionKind) -> Case {
    let when = case.history.last().map_or(case.opened_at, |t| t.step.at) + Duration::hours(1);
    let actor = if matches!(kind, ActionKind::UpholdAppeal | ActionKind::RejectAppeal) {
        "值班长"
    } else {
        "张三"
    };
    apply(case, &good(kind, actor, when)).unwrap_or_else(|e| panic!("{kind:?} on {:?}: {e}", case.state))
}

fn path(case: Case, kinds: &[ActionKind]) -> Case {
    kinds.iter().fold(case, |c, k| step(&c, *k))
}

/// Fixtures: a case in each state, and the variants whose guards differ.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fixture {
    Plain(CaseState),
    AnonymousRectified,
    WaivedRectified,
    DissatisfiedCalledBack,
}

fn fixture(f: Fixture) -> Case {
    use ActionKind as A;
    let to_rectified = [A::Verify, A::StartRectifying, A::MarkRectified];
    match f {
        Fixture::Plain(s) => match s {
            CaseState::New => open(true),
            CaseState::Verifying => path(open(true), &[A::Verify]),
            CaseState::Rectifying => path(open(true), &[A::Verify, A::StartRectifying]),
            CaseState::Rectified => path(open(true), &to_rectified),
            CaseState::CalledBack => {
                path(open(true), &[A::Verify, A::StartRectifying, A::MarkRectified, A::CallBack])
            }
            CaseState::Closed => {
                path(open(true), &[A::Verify, A::StartRectifying, A::MarkRectified, A::CallBack, A::Close])
            }
            CaseState::Appealed => path(open(true), &[A::Appeal]),
            CaseState::AppealUpheld => path(open(true), &[A::Appeal, A::UpholdAppeal]),
        },
        Fixture::AnonymousRectified => path(open(false), &to_rectified),
        Fixture::WaivedRectified => {
            let p =
                DeadlineProfile { close_requires_call_back: false, ..DeadlineProfile::national_default() };
            path(open_with(true, &p, "2025-01-20"), &to_rectified)
        }
        Fixture::DissatisfiedCalledBack => {
            let c = path(open(true), &to_rectified);
            let when = c.history.last().unwrap().step.at + Duration::hours(1);
            let s = Step {
                action: Action::CallBack { reached: true, satisfied: Some(false) },
                ..good(ActionKind::CallBack, "张三", when)
            };
            apply(&c, &s).unwrap()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    To(CaseState),
    Refused(&'static str),
}

const ILLEGAL: Expect = Expect::Refused("rectification.illegal_transition");

/// The machine, row by row. Plain fixtures cover every (state, action) pair exactly once.
fn table() -> Vec<(Fixture, ActionKind, Expect)> {
    use ActionKind as A;
    use CaseState as S;
    use Expect::*;
    use Fixture::*;
    let mut t = Vec::new();
    let mut row = |s: S, a: [Expect; 9]| {
        for (kind, e) in A::ALL.into_iter().zip(a) {
            t.push((Plain(s), kind, e));
        }
    };
    //            Verify         StartRectifying   MarkRectified   CallBack        Close
    //            Appeal         UpholdAppeal      RejectAppeal    Reassign
    row(
        S::New,
        [To(S::Verifying), ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL, To(S::Appealed), ILLEGAL, ILLEGAL, To(S::New)],
    );
    row(
        S::Verifying,
        [
            ILLEGAL,
            To(S::Rectifying),
            ILLEGAL,
            ILLEGAL,
            ILLEGAL,
            To(S::Appealed),
            ILLEGAL,
            ILLEGAL,
            To(S::Verifying),
        ],
    );
    row(
        S::Rectifying,
        [ILLEGAL, ILLEGAL, To(S::Rectified), ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL, ILLEGAL, To(S::Rectifying)],
    );
    row(
        S::Rectified,
        [
            ILLEGAL,
            ILLEGAL,
            ILLEGAL,
            To(S::CalledBack),
            Refused("rectification.call_back_required"),
            ILLEGAL,
            ILLEGAL,
            ILLEGAL,
            To(S::Rectified),
        ],
    );
    row(
        S::CalledBack,
        [
            ILLEGAL,
            Refused("rectification.reopen_not_allowed"),
            ILLEGAL,
            To(S::CalledBack),
            To(S::Closed),
            ILLEGAL,
            ILLEGAL,
            ILLEGAL,
            To(S::CalledBack),
        ],
    );
    row(S::Closed, [ILLEGAL; 9]);
    row(
        S::Appealed,
        [
            ILLEGAL,
            ILLEGAL,
            ILLEGAL,
            ILLEGAL,
            ILLEGAL,
            ILLEGAL,
            To(S::AppealUpheld),
            To(S::Rectifying),
            To(S::Appealed),
        ],
    );
    row(S::AppealUpheld, [ILLEGAL; 9]);
    // Guards that depend on the case, not on the state alone.
    t.push((AnonymousRectified, A::Close, To(S::Closed)));
    t.push((WaivedRectified, A::Close, To(S::Closed)));
    t.push((DissatisfiedCalledBack, A::StartRectifying, To(S::Rectifying)));
    t.push((DissatisfiedCalledBack, A::Close, To(S::Closed)));
    t
}

/// Fails to compile when a state or action is added, pointing here to extend the table.
#[allow(dead_code)]
fn table_must_be_extended_for(s: CaseState, a: ActionKind) {
    match s {
        CaseState::New
        | CaseState::Verifying
        | CaseState::Rectifying
        | CaseState::Rectified
        | CaseState::CalledBack
        | CaseState::Closed
        | CaseState::Appealed
        | CaseState::AppealUpheld => {}
    }
    match a {
        ActionKind::Verify
        | ActionKind::StartRectifying
        | ActionKind::MarkRectified
        | ActionKind::CallBack
        | ActionKind::Close
        | ActionKind::Appeal
        | ActionKind::UpholdAppeal
        | ActionKind::RejectAppeal
        | ActionKind::Reassign => {}
    }
}

#[test]
fn every_state_and_action_pair_is_in_the_table_once() {
    let t = table();
    for s in CaseState::ALL {
        for a in ActionKind::ALL {
            let n = t.iter().filter(|(f, k, _)| *f == Fixture::Plain(s) && *k == a).count();
            assert_eq!(n, 1, "({s:?}, {a:?}) appears {n} times");
        }
    }
}

#[test]
fn every_state_and_action_pair_behaves_as_the_table_says() {
    for (f, kind, expect) in table() {
        let case = fixture(f);
        if let Fixture::Plain(s) = f {
            assert_eq!(case.state, s, "fixture {f:?}");
        }
        let when = case.history.last().map_or(case.opened_at, |t| t.step.at) + Duration::hours(1);
        let actor = if matches!(kind, ActionKind::UpholdAppeal | ActionKind::RejectAppeal) {
            "值班长"
        } else {
            "张三"
        };
        let got = apply(&case, &good(kind, actor, when));
        match (expect, &got) {
            (Expect::To(s), Ok(next)) => {
                assert_eq!(next.state, s, "{f:?} + {kind:?}");
                assert_eq!(next.history.len(), case.history.len() + 1);
                assert_eq!(case.allowed_actions().contains(&kind), true, "{f:?} should offer {kind:?}");
            }
            (Expect::Refused(code), Err(e)) => {
                assert_eq!(e.code(), code, "{f:?} + {kind:?}: {e}");
                assert!(!case.allowed_actions().contains(&kind), "{f:?} should not offer {kind:?}");
                if code == "rectification.illegal_transition" {
                    assert_eq!(*e, TransitionError::Illegal { state: case.state, action: kind });
                    assert_eq!(target(case.state, kind), None);
                }
            }
            _ => panic!("{f:?} + {kind:?}: expected {expect:?}, got {got:?}"),
        }
    }
}

#[test]
fn an_illegal_transition_names_the_state_and_action() {
    let closed = fixture(Fixture::Plain(CaseState::Closed));
    let e = apply(&closed, &good(ActionKind::Verify, "张三", at("2025-03-01"))).unwrap_err();
    assert_eq!(e.code(), "rectification.illegal_transition");
    assert_eq!(e.args(), vec![("state", "closed".to_string()), ("action", "verify".to_string())]);
    assert_eq!(e.message(Locale::ZhCn), "该差评件处于“已办结”状态，不能执行“核实”");
    assert_eq!(e.message(Locale::EnUs), "a case in state \"closed\" cannot take the action \"verify\"");
}

fn refused(case: &Case, s: Step) -> TransitionError {
    apply(case, &s).expect_err("should be refused")
}

#[test]
fn each_step_requires_its_content() {
    let when = at("2025-02-01");
    let rectifying = fixture(Fixture::Plain(CaseState::Rectifying));
    // The measure must be described.
    let e = refused(&rectifying, Step { note: None, ..good(ActionKind::MarkRectified, "张三", when) });
    assert_eq!((e.code(), e.field()), ("rectification.field_required", Some("note".into())));
    assert!(e.message(Locale::ZhCn).contains("整改措施说明"), "{}", e.message(Locale::ZhCn));
    let e = refused(
        &rectifying,
        Step { note: Some("  ".into()), ..good(ActionKind::MarkRectified, "张三", when) },
    );
    assert_eq!(e.field(), Some("note".into()));
    // Someone must do it.
    let e = refused(&rectifying, good(ActionKind::MarkRectified, " ", when));
    assert_eq!((e.code(), e.field()), ("rectification.field_required", Some("actor".into())));

    // An appeal and its decision need reasons; the appellant cannot decide it.
    let new = fixture(Fixture::Plain(CaseState::New));
    let e = refused(
        &new,
        Step { action: Action::Appeal { reason: "".into() }, ..good(ActionKind::Appeal, "张三", when) },
    );
    assert_eq!((e.code(), e.field()), ("rectification.field_required", Some("action.reason".into())));
    let appealed = fixture(Fixture::Plain(CaseState::Appealed));
    let e = refused(
        &appealed,
        Step {
            action: Action::RejectAppeal { reason: " ".into() },
            ..good(ActionKind::RejectAppeal, "值班长", when)
        },
    );
    assert_eq!(e.field(), Some("action.reason".into()));
    let e = refused(&appealed, good(ActionKind::UpholdAppeal, "张三", when));
    assert_eq!(e.code(), "rectification.appeal_self_decided");

    // A return visit: satisfaction only when reached, and then required.
    let rectified = fixture(Fixture::Plain(CaseState::Rectified));
    let e = refused(
        &rectified,
        Step {
            action: Action::CallBack { reached: true, satisfied: None },
            ..good(ActionKind::CallBack, "张三", when)
        },
    );
    assert_eq!((e.code(), e.field()), ("rectification.field_required", Some("action.satisfied".into())));
    let e = refused(
        &rectified,
        Step {
            action: Action::CallBack { reached: false, satisfied: Some(true) },
            ..good(ActionKind::CallBack, "张三", when)
        },
    );
    assert_eq!((e.code(), e.field()), ("rectification.field_invalid", Some("action.satisfied".into())));
    // An unreached citizen is still a return-visit record: the case can then be closed.
    let tried = apply(
        &rectified,
        &Step {
            action: Action::CallBack { reached: false, satisfied: None },
            ..good(ActionKind::CallBack, "张三", when)
        },
    )
    .unwrap();
    assert_eq!(tried.state, CaseState::CalledBack);
    assert_eq!(tried.call_back.as_ref().map(|c| c.reached), Some(false));
    assert_eq!(apply(&tried, &good(ActionKind::Close, "张三", when)).unwrap().state, CaseState::Closed);

    // Closing over a dissatisfied citizen needs a written reason.
    let unhappy = fixture(Fixture::DissatisfiedCalledBack);
    let e = refused(&unhappy, Step { note: None, ..good(ActionKind::Close, "张三", when) });
    assert_eq!((e.code(), e.field()), ("rectification.field_required", Some("note".into())));

    // Reassigning to the same department is a mistake, not a step.
    let e = refused(
        &new,
        Step {
            action: Action::Reassign { assignee: dept("D-HR") },
            ..good(ActionKind::Reassign, "张三", when)
        },
    );
    assert_eq!(e.code(), "rectification.assignee_unchanged");
    let e = refused(
        &new,
        Step {
            action: Action::Reassign { assignee: dept(" ") }, ..good(ActionKind::Reassign, "张三", when)
        },
    );
    assert_eq!(e.field(), Some("action.assignee.id".into()));
}

#[test]
fn steps_cannot_go_back_in_time_and_content_is_bounded() {
    let verifying = fixture(Fixture::Plain(CaseState::Verifying));
    let last = verifying.history.last().unwrap().step.at;
    let e = refused(&verifying, good(ActionKind::StartRectifying, "张三", last - Duration::seconds(1)));
    assert_eq!(e.code(), "rectification.time_went_backwards");
    // The same instant is fine (two clicks within a second).
    assert!(apply(&verifying, &good(ActionKind::StartRectifying, "张三", last)).is_ok());

    let when = last + Duration::hours(1);
    let long = "字".repeat(2001);
    let e = refused(&verifying, Step { note: Some(long), ..good(ActionKind::StartRectifying, "张三", when) });
    assert_eq!((e.code(), e.field()), ("rectification.field_invalid", Some("note".into())));
    let bad = Attachment { name: "整改照片.jpg".into(), sha256: "ABC".into(), size: 10 };
    let e = refused(
        &verifying,
        Step { attachments: vec![bad], ..good(ActionKind::StartRectifying, "张三", when) },
    );
    assert_eq!((e.code(), e.field()), ("rectification.field_invalid", Some("attachments[0].sha256".into())));
    let ok = Attachment { name: "整改照片.jpg".into(), sha256: "a".repeat(64), size: 10 };
    let next = apply(
        &verifying,
        &Step { attachments: vec![ok.clone()], ..good(ActionKind::StartRectifying, "张三", when) },
    )
    .unwrap();
    assert_eq!(next.history.last().unwrap().step.attachments, vec![ok]);
}

#[test]
fn the_deadline_comes_from_the_profile_and_the_calendar() {
    // 15 working days from Mon 2025-01-20 across 春节 (see tests/calendar.rs): Fri 2025-02-14.
    let c = open(true);
    assert_eq!(c.deadline, Deadline::Known { date: d("2025-02-14") });
    assert_eq!(c.rules.rectify_working_days, 15);
    // 德州, 5 working days from Fri 2025-01-24: 01-26 Sun 调休, 01-27, 02-05, 02-06, 02-07.
    let dz = open_with(true, &DeadlineProfile::dezhou(), "2025-01-24");
    assert_eq!(dz.deadline, Deadline::Known { date: d("2025-02-07") });
    assert_eq!(dz.rules.profile, "德州市");
    // A rating at 01:30 hall time on Tuesday is opened on Tuesday, not on Monday (UTC).
    let late = Case::open(
        NewCase {
            rating_id: "R-2".into(),
            real_name: true,
            assignee: dept("D-HR"),
            opened_at: Utc.with_ymd_and_hms(2025, 1, 20, 17, 30, 0).unwrap(),
        },
        &DeadlineProfile::dezhou(),
        Calendar::builtin(),
    )
    .unwrap();
    // From Tue 01-21: 01-22, 01-23, 01-24, 01-26 Sun 调休, 01-27.
    assert_eq!(late.deadline, Deadline::Known { date: d("2025-01-27") });
    // An invalid profile cannot open a case.
    let bad = DeadlineProfile { rectify_working_days: 0, ..DeadlineProfile::national_default() };
    let e = Case::open(
        NewCase {
            rating_id: "R-3".into(),
            real_name: true,
            assignee: dept("D-HR"),
            opened_at: at("2025-01-20"),
        },
        &bad,
        Calendar::builtin(),
    )
    .unwrap_err();
    assert_eq!(
        (e.code(), e.field()),
        ("rectification.profile_out_of_range", Some("profile.rectifyWorkingDays".into()))
    );
}

#[test]
fn overdue_due_soon_and_on_time() {
    let cal = Calendar::builtin();
    let c = fixture(Fixture::Plain(CaseState::Rectifying)); // deadline Fri 2025-02-14, due soon at 3 left
    assert_eq!(c.working_days_left(d("2025-02-10"), cal), Some(4)); // 02-11 … 02-14
    assert_eq!(c.due_soon(d("2025-02-10"), cal), Some(false));
    assert_eq!(c.due_soon(d("2025-02-11"), cal), Some(true));
    assert_eq!(c.due_soon(d("2025-02-14"), cal), Some(true)); // due today
    assert_eq!(c.overdue(d("2025-02-14")), Some(false));
    assert_eq!(c.overdue(d("2025-02-15")), Some(true));
    assert_eq!(c.due_soon(d("2025-02-17"), cal), Some(false), "overdue is not due soon");
    assert_eq!(c.working_days_left(d("2025-02-17"), cal), Some(-1));
    assert_eq!(c.on_time(), None, "not rectified yet");

    let rectify_on = |day: &str| {
        apply(&c, &Step { at: at(day), ..good(ActionKind::MarkRectified, "张三", at(day)) }).unwrap()
    };
    let in_time = rectify_on("2025-02-14");
    assert_eq!((in_time.on_time(), in_time.overdue(d("2025-03-01"))), (Some(true), Some(false)));
    assert_eq!(in_time.due_soon(d("2025-02-14"), cal), Some(false));
    let late = rectify_on("2025-02-17");
    assert_eq!(late.on_time(), Some(false));

    // An upheld appeal is out of the statistics and never overdue; its reasons are kept.
    let upheld = fixture(Fixture::Plain(CaseState::AppealUpheld));
    assert!(upheld.excluded_from_statistics());
    assert_eq!(upheld.overdue(d("2025-06-01")), Some(false));
    let appeal = upheld.appeal.as_ref().unwrap();
    assert_eq!(appeal.reason, "恶意差评：评价时段无办件记录");
    assert_eq!(
        appeal.decision.as_ref().map(|x| (x.upheld, x.reason.as_str())),
        Some((true, "核实无办件记录"))
    );
    // A pending appeal does not stop the clock.
    let appealed = fixture(Fixture::Plain(CaseState::Appealed));
    assert_eq!(appealed.overdue(d("2025-02-17")), Some(true));
    // A rejected appeal goes back to rectifying, with the rejection on record.
    let rejected = step(&appealed, ActionKind::RejectAppeal);
    assert_eq!(rejected.state, CaseState::Rectifying);
    assert!(!rejected.excluded_from_statistics());
    assert_eq!(rejected.appeal.as_ref().and_then(|a| a.decision.as_ref()).map(|x| x.upheld), Some(false));
}

#[test]
fn a_deadline_in_an_unpublished_year_is_flagged_until_the_notice_is_loaded() {
    // Opened Thu 2026-12-10: 12 working days to 12-28, then 2027 (see tests/calendar.rs).
    let c = open_with(true, &DeadlineProfile::national_default(), "2026-12-10");
    assert_eq!(
        c.deadline,
        Deadline::Unpublished { year: 2027, counted: 12, required: 15, earliest: d("2026-12-31") }
    );
    assert_eq!(c.deadline.date(), None);
    assert_eq!(c.overdue(d("2026-12-20")), Some(false));
    assert_eq!(c.overdue(d("2027-01-05")), None, "cannot say before the 2027 notice");
    // Working days owed are still exact while today is known: 15 - 9 (12-11 … 12-23) = 6.
    assert_eq!(c.working_days_left(d("2026-12-23"), Calendar::builtin()), Some(6));
    assert_eq!(c.due_soon(d("2026-12-23"), Calendar::builtin()), Some(false));
    assert_eq!(c.due_soon(d("2026-12-28"), Calendar::builtin()), Some(true)); // 3 left
    assert_eq!(c.due_soon(d("2027-01-04"), Calendar::builtin()), None);

    // A newer file with a (hypothetical, test-only) 2027 notice settles it.
    let mut doc: serde_json::Value = serde_json::from_str(EMBEDDED_JSON).unwrap();
    for y in doc["years"].as_array_mut().unwrap() {
        if y["year"] == 2027 {
            *y = serde_json::json!({
                "year": 2027, "published": true, "notice": { "title": "测试用假设通知（非真实）" },
                "holidays": [{ "name": "元旦", "start": "2027-01-01", "end": "2027-01-03" }]
            });
        }
    }
    let newer = Calendar::from_json(&doc.to_string()).unwrap();
    let settled = c.with_calendar(&newer).unwrap();
    assert_eq!(settled.deadline, Deadline::Known { date: d("2026-12-31") });
    assert_eq!(settled.history, c.history);
}

#[test]
fn a_dissatisfied_citizen_reopens_the_work() {
    let unhappy = fixture(Fixture::DissatisfiedCalledBack);
    let first_rectified = unhappy.rectified_at;
    assert!(first_rectified.is_some());
    let redo = step(&unhappy, ActionKind::StartRectifying);
    assert_eq!(
        (redo.state, redo.rectified_at, redo.called_back_at, redo.call_back.clone()),
        (CaseState::Rectifying, None, None, None)
    );
    // A real-name case must be called back again before it closes.
    let again = step(&redo, ActionKind::MarkRectified);
    assert_eq!(
        refused(&again, good(ActionKind::Close, "张三", at("2025-03-01"))).code(),
        "rectification.call_back_required"
    );
    let done = path(again, &[ActionKind::CallBack, ActionKind::Close]);
    assert_eq!(done.state, CaseState::Closed);
    assert!(done.rectified_at > first_rectified);
    assert_eq!(done.history.len(), 8);
}

#[test]
fn cases_and_actions_serialize_for_the_ui() {
    let a = serde_json::to_value(Action::CallBack { reached: true, satisfied: Some(false) }).unwrap();
    assert_eq!(a, serde_json::json!({ "type": "call_back", "reached": true, "satisfied": false }));
    let r = serde_json::to_value(Action::Reassign { assignee: dept("D-1") }).unwrap();
    assert_eq!(r["type"], "reassign");
    assert_eq!(r["assignee"]["kind"], "department");
    let c = fixture(Fixture::Plain(CaseState::CalledBack));
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["state"], "called_back");
    assert_eq!(v["deadline"], serde_json::json!({ "status": "known", "date": "2025-02-14" }));
    assert!(v["calledBackAt"].is_string());
    assert_eq!(v["history"][0]["from"], "new");
    assert_eq!(v["history"][0]["step"]["action"]["type"], "verify");
    let back: Case = serde_json::from_value(v).unwrap();
    assert_eq!(back, c);
}

// ---- property test ----------------------------------------------------------------------------

fn arb_step() -> impl Strategy<Value = (Step, i64)> {
    let action = prop_oneof![
        Just(Action::Verify),
        Just(Action::StartRectifying),
        Just(Action::MarkRectified),
        (any::<bool>(), prop::option::of(any::<bool>()))
            .prop_map(|(reached, satisfied)| Action::CallBack { reached, satisfied }),
        Just(Action::Close),
        prop_oneof![Just(""), Just("恶意差评")].prop_map(|r| Action::Appeal { reason: r.into() }),
        prop_oneof![Just(""), Just("属实")].prop_map(|r| Action::UpholdAppeal { reason: r.into() }),
        prop_oneof![Just(""), Just("不属实")].prop_map(|r| Action::RejectAppeal { reason: r.into() }),
        prop_oneof![Just("D-HR"), Just("D-POL")].prop_map(|id| Action::Reassign { assignee: dept(id) }),
    ];
    let actor = prop_oneof![Just("张三"), Just("值班长"), Just("")];
    let note = prop::option::of(prop_oneof![Just(""), Just("已整改：调整窗口引导")]);
    // Mostly forward in time, sometimes backwards.
    let minutes = prop_oneof![9 => 0i64..600, 1 => -600i64..0];
    (action, actor, note, minutes).prop_map(|(action, actor, note, minutes)| {
        (
            Step {
                action,
                actor: actor.into(),
                at: at("2025-01-20"),
                note: note.map(Into::into),
                attachments: vec![],
            },
            minutes,
        )
    })
}

fn check_consistent(c: &Case, accepted: usize) -> Result<(), TestCaseError> {
    use CaseState as S;
    prop_assert_eq!(c.history.len(), accepted);
    prop_assert_eq!(c.history.last().map_or(S::New, |t| t.to), c.state);
    let mut prev = S::New;
    let mut prev_at = c.opened_at;
    for t in &c.history {
        prop_assert_eq!(t.from, prev);
        prop_assert_eq!(target(t.from, t.step.action.kind()), Some(t.to));
        prop_assert!(t.step.at >= prev_at);
        prev = t.to;
        prev_at = t.step.at;
    }
    prop_assert_eq!(c.closed_at.is_some(), c.state == S::Closed);
    if c.state == S::Closed {
        prop_assert!(c.called_back_at.is_some() || !c.call_back_required(), "closed without a return visit");
        prop_assert!(c.rectified_at.is_some());
    }
    if matches!(c.state, S::Rectified | S::CalledBack | S::Closed) {
        prop_assert!(c.rectified_at.is_some());
    }
    if matches!(c.state, S::New | S::Verifying | S::Rectifying | S::Appealed | S::AppealUpheld) {
        prop_assert!(c.rectified_at.is_none() && c.called_back_at.is_none());
    }
    prop_assert_eq!(c.called_back_at, c.call_back.as_ref().map(|x| x.at));
    if c.state == S::CalledBack {
        prop_assert!(c.call_back.is_some());
    }
    if let Some(cb) = &c.call_back {
        prop_assert_eq!(cb.satisfied.is_some(), cb.reached);
    }
    match c.state {
        S::Appealed => prop_assert!(c.appeal.as_ref().is_some_and(|a| a.decision.is_none())),
        S::AppealUpheld => {
            prop_assert!(c.excluded_from_statistics());
            prop_assert!(c.appeal.as_ref().and_then(|a| a.decision.as_ref()).is_some_and(|x| x.upheld));
        }
        _ => prop_assert!(!c.excluded_from_statistics()),
    }
    if let Some(a) = &c.appeal {
        prop_assert!(!a.reason.trim().is_empty());
        if let Some(x) = &a.decision {
            prop_assert!(x.by != a.filed_by && !x.reason.trim().is_empty());
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_sequence_of_steps_reaches_an_inconsistent_case(
        real_name in any::<bool>(),
        waived in any::<bool>(),
        steps in prop::collection::vec(arb_step(), 0..40),
    ) {
        let profile = DeadlineProfile { close_requires_call_back: !waived, ..DeadlineProfile::national_default() };
        let mut case = open_with(real_name, &profile, "2025-01-20");
        let mut accepted = 0;
        let mut clock = case.opened_at;
        for (mut s, minutes) in steps {
            clock += Duration::minutes(minutes);
            s.at = clock;
            match apply(&case, &s) {
                Ok(next) => {
                    prop_assert!(!case.state.is_terminal(), "a terminal case moved");
                    accepted += 1;
                    case = next;
                }
                Err(e) => {
                    prop_assert!(e.code().starts_with("rectification."), "{}", e.code());
                    prop_assert!(!e.message(Locale::ZhCn).is_empty() && !e.message(Locale::EnUs).is_empty());
                }
            }
            check_consistent(&case, accepted)?;
        }
    }
}
