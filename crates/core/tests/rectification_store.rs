//! The rectification ledger as the store keeps it: cases opened with the poor ratings that call
//! for them, steps walked through the state machine, deadlines over the holiday calendar, alerts
//! at fixed clocks, evidence by content hash.

mod common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{at, import, sample_csv, sample_mapping, seat_zhang_san, window, ACTOR};
use hallkeeper_core::calendar::Deadline;
use hallkeeper_core::proto::{Locale, RatingLevel, RatingRecord, WindowState};
use hallkeeper_core::rectification::ProfileExt as _;
use hallkeeper_core::rectification::{Action, AssigneeKind, CaseState, DeadlineProfile, Step};
use hallkeeper_core::store::{CaseSummary, InboxFilter, EVIDENCE_MAX_BYTES};
use hallkeeper_core::{FixedClock, Store};
use std::sync::Arc;

struct Hall {
    store: Store,
    clock: Arc<FixedClock>,
    a01: String,
    a02: String,
    m1: String,
    seq: i64,
    _dir: tempfile::TempDir,
}

/// A01 (张三 seated today) and A02 (nobody), the sample catalog, a file store (evidence needs a
/// data folder), at `now`.
fn hall_at(now: DateTime<Utc>) -> Hall {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now));
    let store = Store::open_in_dir(dir.path(), clock.clone()).unwrap();
    import(&store, &sample_csv(), sample_mapping());
    let m1 = store.catalog().unwrap().matters[0].id.clone();
    let a01 = window(&store, "A01", WindowState::Open);
    let a02 = window(&store, "A02", WindowState::Open);
    seat_zhang_san(&store, &a01);
    Hall { store, clock, a01, a02, m1, seq: 0, _dir: dir }
}

fn hall() -> Hall {
    hall_at(at("2026-11-25T01:30:00Z"))
}

impl Hall {
    fn record(&mut self, ticket: &str, window: &str, level: RatingLevel, at: &str) -> RatingRecord {
        self.seq += 2;
        let mut r = common::rating_record(self.seq, ticket, window, &self.m1, level, at);
        r.rating.reasons = vec!["态度不好".into()];
        r.rating.comment = "等了很久".into();
        r
    }

    fn pull(&mut self, page: &[RatingRecord]) -> u64 {
        let after = self.store.ratings_cursor().unwrap();
        let last = page.last().map_or(after, |r| r.seq);
        self.store.apply_ratings(after, page, last).unwrap().map_or(0, |a| a.applied)
    }

    /// A poor rating at A01 now; returns its case id.
    fn poor_case(&mut self, ticket: &str, at: &str) -> String {
        let r = self.record(ticket, &self.a01.clone(), RatingLevel::VeryDissatisfied, at);
        self.pull(&[r]);
        self.store.case_for_rating(&format!("r-{ticket}")).unwrap().unwrap().id
    }

    fn step(&self, action: Action, note: Option<&str>) -> Step {
        Step {
            action,
            actor: "王主任".into(),
            at: self.clock_now(),
            note: note.map(Into::into),
            attachments: Vec::new(),
        }
    }

    fn clock_now(&self) -> DateTime<Utc> {
        self.store.now()
    }

    fn audit_len(&self) -> usize {
        self.store.list_audit(500, None).unwrap().entries.len()
    }

    /// The inbox's cases not closed (nor appeal-upheld).
    fn open_cases(&self) -> Vec<CaseSummary> {
        self.store.poor_rating_inbox(&InboxFilter { open_only: Some(true), ..Default::default() }).unwrap()
    }
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn a_poor_rating_opens_exactly_one_case_and_a_good_one_none() {
    let mut h = hall();
    let a01 = h.a01.clone();
    let a02 = h.a02.clone();
    let page = [
        h.record("t1", &a01, RatingLevel::Satisfied, "2026-11-25T01:00:00.000Z"),
        h.record("t2", &a01, RatingLevel::Dissatisfied, "2026-11-25T01:05:00.000Z"),
        h.record("t3", &a02, RatingLevel::VeryDissatisfied, "2026-11-25T01:10:00.000Z"),
    ];
    assert_eq!(h.pull(&page), 3);
    let inbox = h.store.poor_rating_inbox(&InboxFilter::default()).unwrap();
    assert_eq!(inbox.len(), 2);
    assert!(h.store.case_for_rating("r-t1").unwrap().is_none(), "a good rating opens no case");

    // Replayed page (the old cursor): ignored; a rating held under another seq: not again.
    assert_eq!(h.store.apply_ratings(0, &page, 6).unwrap(), None);
    let mut again = page[1].clone();
    again.seq = 50;
    h.store.apply_ratings(h.store.ratings_cursor().unwrap(), &[again], 50).unwrap();
    assert_eq!(h.store.poor_rating_inbox(&InboxFilter::default()).unwrap().len(), 2);
    assert_eq!(h.store.unread_cases().unwrap(), 2);

    // Who answers: 张三 sat at A01 today; nobody at A02, so the matter's department.
    let t2 = h.store.case_for_rating("r-t2").unwrap().unwrap();
    assert_eq!((t2.assignee.kind, t2.assignee.name.as_str()), (AssigneeKind::Staff, "张三"));
    assert_eq!(t2.window_number.as_deref(), Some("A01"));
    assert_eq!(t2.staff_name.as_deref(), Some("张三"));
    assert!(t2.matter_name.is_some());
    assert_eq!((t2.level, t2.comment.as_str(), t2.reasons.len()), (RatingLevel::Dissatisfied, "等了很久", 1));
    assert_eq!(t2.state, CaseState::New);
    let t3 = h.store.case_for_rating("r-t3").unwrap().unwrap();
    assert_eq!(t3.assignee.kind, AssigneeKind::Department);
    assert_eq!(Some(t3.assignee.name.clone()), t3.department_name);

    h.store.mark_case_read(&t2.id).unwrap();
    h.store.mark_case_read(&t2.id).unwrap();
    assert_eq!(h.store.unread_cases().unwrap(), 1);
    let unread =
        h.store.poor_rating_inbox(&InboxFilter { unread: Some(true), ..Default::default() }).unwrap();
    assert_eq!(unread.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), [t3.id.as_str()]);
    assert_eq!(h.store.mark_case_read("nope").unwrap_err().code(), "rectification.case_not_found");
    let paged = h
        .store
        .poor_rating_inbox(&InboxFilter { offset: Some(1), limit: Some(1), ..Default::default() })
        .unwrap();
    assert_eq!(paged.len(), 1);
    assert_eq!(h.store.rating_case_outcome("r-t1").unwrap(), None);
}

#[test]
fn a_case_walks_to_closed_with_every_step_recorded() {
    let mut h = hall();
    let id = h.poor_case("t1", "2026-11-25T01:05:00.000Z");
    let walk = [
        (Action::Verify, None, CaseState::Verifying),
        (Action::StartRectifying, None, CaseState::Rectifying),
        (Action::MarkRectified, Some("已重新培训窗口人员"), CaseState::Rectified),
        (Action::CallBack { reached: true, satisfied: Some(true) }, None, CaseState::CalledBack),
        (Action::Close, None, CaseState::Closed),
    ];
    for (action, note, want) in walk {
        h.clock.advance(Duration::minutes(10));
        let case = h.store.case_action(ACTOR, &id, h.step(action, note)).unwrap();
        assert_eq!(case.state, want);
    }
    let detail = h.store.case(&id).unwrap();
    assert_eq!(detail.case.state, CaseState::Closed);
    assert_eq!(detail.case.history.len(), 5);
    assert_eq!(detail.case.history[2].step.note.as_deref(), Some("已重新培训窗口人员"));
    assert_eq!((detail.case.history[0].from, detail.case.history[4].to), (CaseState::New, CaseState::Closed));
    assert!(detail.allowed_actions.is_empty());
    assert_eq!(detail.rating.id, "r-t1");
    let outcome = h.store.rating_case_outcome("r-t1").unwrap().unwrap();
    assert!(!outcome.excluded && outcome.rectified && outcome.called_back);
    assert_eq!(outcome.rectified_on_time, Some(true));
    let audit = h.store.list_audit(10, None).unwrap().entries;
    assert_eq!(audit[0].action, "case.step");
    assert_eq!(audit.iter().filter(|e| e.action == "case.step").count(), 5);
    assert!(audit.iter().any(|e| e.action == "case.open"));
    // Closed cases are no longer open on the dashboard.
    assert!(h.open_cases().is_empty());
}

#[test]
fn an_illegal_step_is_refused_with_its_code_and_writes_nothing() {
    let mut h = hall();
    let id = h.poor_case("t1", "2026-11-25T01:05:00.000Z");
    let audit_before = h.audit_len();
    let e = h.store.case_action(ACTOR, &id, h.step(Action::Close, None)).unwrap_err();
    assert_eq!(e.code(), "rectification.illegal_transition");
    assert!(e.message(Locale::ZhCn).contains("待核实") && e.message(Locale::ZhCn).contains("办结"), "{e}");
    assert!(e.message(Locale::EnUs).contains("\"new\"") && e.message(Locale::EnUs).contains("\"close\""));
    assert_eq!(h.audit_len(), audit_before);
    assert!(h.store.case(&id).unwrap().case.history.is_empty());

    // A refused step's field reaches the UI.
    h.store.case_action(ACTOR, &id, h.step(Action::Verify, None)).unwrap();
    h.store.case_action(ACTOR, &id, h.step(Action::StartRectifying, None)).unwrap();
    let e = h.store.case_action(ACTOR, &id, h.step(Action::MarkRectified, None)).unwrap_err();
    assert_eq!(e.code(), "rectification.field_required");
    assert_eq!(e.to_body(Locale::ZhCn).field.as_deref(), Some("note"));
    assert!(e.message(Locale::ZhCn).contains("整改措施说明"));
    assert_eq!(h.store.case(&id).unwrap().case.history.len(), 2);
    let e = h.store.case_action(ACTOR, "nope", h.step(Action::Verify, None)).unwrap_err();
    assert_eq!(e.code(), "rectification.case_not_found");
}

#[test]
fn an_upheld_appeal_excludes_the_rating_with_its_reason() {
    let mut h = hall();
    let id = h.poor_case("t1", "2026-11-25T01:05:00.000Z");
    let mut appeal = h.step(Action::Appeal { reason: "群众误评，监控可证".into() }, None);
    appeal.actor = "张三".into();
    h.store.case_action(ACTOR, &id, appeal).unwrap();
    let uphold = h.step(Action::UpholdAppeal { reason: "监控显示办理正常".into() }, None);
    let case = h.store.case_action(ACTOR, &id, uphold).unwrap();
    assert_eq!(case.state, CaseState::AppealUpheld);
    let s = h.store.case(&id).unwrap().summary;
    assert!(s.excluded);
    assert_eq!(s.exclusion_reason.as_deref(), Some("监控显示办理正常"));
    let outcome = h.store.rating_case_outcome("r-t1").unwrap().unwrap();
    assert!(outcome.excluded && !outcome.rectified);
    assert!(h.open_cases().is_empty());
}

#[test]
fn deadlines_follow_the_profile_over_the_spring_festival() {
    // Opened Thursday 2026-02-12 (hall time). Counting starts the next day: 13 (Fri), 14 (Sat,
    // 调休上班), then 春节 15–23, then 24, 25, 26, 27, 28 (Sat, 调休上班), 3-02 … 3-06, 3-09,
    // 3-10, 3-11: the 15th working day.
    let mut h = hall_at(at("2026-02-12T03:00:00Z"));
    let id = h.poor_case("t1", "2026-02-12T02:00:00.000Z");
    assert_eq!(h.store.case(&id).unwrap().case.deadline, Deadline::Known { date: d("2026-03-11") });
    assert_eq!(h.store.deadline_profile().unwrap(), DeadlineProfile::national_default());

    // 德州 (5 working days): 13, 14, 24, 25, 26. A running case keeps its deadline.
    h.store.set_deadline_profile(ACTOR, &DeadlineProfile::dezhou()).unwrap();
    let id2 = h.poor_case("t2", "2026-02-12T02:10:00.000Z");
    assert_eq!(h.store.case(&id2).unwrap().case.deadline, Deadline::Known { date: d("2026-02-26") });
    assert_eq!(h.store.case(&id2).unwrap().case.rules.profile, "德州市");
    assert_eq!(h.store.case(&id).unwrap().case.deadline, Deadline::Known { date: d("2026-03-11") });
    assert_eq!(h.store.deadline_profile().unwrap().name, "德州市");

    // A refused profile names its field and keeps the old one.
    let bad = DeadlineProfile { rectify_working_days: 0, ..DeadlineProfile::sichuan() };
    let e = h.store.set_deadline_profile(ACTOR, &bad).unwrap_err();
    assert_eq!(e.code(), "rectification.profile_out_of_range");
    assert_eq!(e.to_body(Locale::EnUs).field.as_deref(), Some("rectifyWorkingDays"));
    assert!(e.message(Locale::ZhCn).contains("整改时限"));
    assert_eq!(h.store.deadline_profile().unwrap().name, "德州市");
}

#[test]
fn a_late_december_case_waits_for_next_years_notice() {
    // 2026-12-22 (Tue): 23, 24, 25, 28 count; 12-29 on depends on the 2027 notice.
    let mut h = hall_at(at("2026-12-22T03:00:00Z"));
    let id = h.poor_case("t1", "2026-12-22T02:00:00.000Z");
    let s = h.store.case(&id).unwrap().summary;
    match s.deadline {
        Deadline::Unpublished { year, counted, required, earliest } => {
            assert_eq!((year, counted, required), (2027, 4, 15));
            assert_eq!(earliest, d("2027-01-08"));
        }
        other => panic!("expected an unpublished deadline, got {other:?}"),
    }
    assert_eq!(s.overdue, Some(false));
    // Past the earliest possible date only the notice can tell.
    let later = h.store.case_alerts(d("2027-01-20")).unwrap();
    assert!(later.is_empty(), "{later:?}");
}

#[test]
fn overdue_and_due_soon_alerts_at_a_fixed_clock_once_a_day() {
    // Monday 2026-11-02: due the 23rd (15 working days); 德州 profile for the second: due the 9th.
    let mut h = hall_at(at("2026-11-02T02:00:00Z"));
    let long = h.poor_case("t1", "2026-11-02T01:00:00.000Z");
    h.store.set_deadline_profile(ACTOR, &DeadlineProfile::dezhou()).unwrap();
    let short = h.poor_case("t2", "2026-11-02T01:10:00.000Z");
    assert_eq!(h.store.case(&long).unwrap().case.deadline, Deadline::Known { date: d("2026-11-23") });
    assert_eq!(h.store.case(&short).unwrap().case.deadline, Deadline::Known { date: d("2026-11-09") });

    // On the 18th: 3 working days left on the long one (19, 20, 23) — due soon; the short overdue.
    let a = h.store.case_alerts(d("2026-11-18")).unwrap();
    assert_eq!(a.overdue.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), [short.as_str()]);
    assert_eq!(a.due_soon.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), [long.as_str()]);
    assert_eq!(a.due_soon[0].working_days_left, Some(3));
    // On the 17th the long one has 4 left: not yet.
    assert!(h.store.case_alerts(d("2026-11-17")).unwrap().due_soon.is_empty());

    h.clock.set(at("2026-11-18T01:00:00Z"));
    let overdue =
        h.store.poor_rating_inbox(&InboxFilter { overdue: Some(true), ..Default::default() }).unwrap();
    assert_eq!(overdue.len(), 1);
    let soon =
        h.store.poor_rating_inbox(&InboxFilter { due_soon: Some(true), ..Default::default() }).unwrap();
    assert_eq!(soon[0].id, long);

    // Taken once per hall day.
    assert_eq!(h.store.take_case_alerts(d("2026-11-18")).unwrap().overdue.len(), 1);
    assert!(h.store.take_case_alerts(d("2026-11-18")).unwrap().is_empty());
    assert_eq!(h.store.take_case_alerts(d("2026-11-19")).unwrap().overdue.len(), 1);

    // Rectified: no longer overdue, rectified late.
    h.clock.set(at("2026-11-19T02:00:00Z"));
    h.store.case_action(ACTOR, &short, h.step(Action::Verify, None)).unwrap();
    h.store.case_action(ACTOR, &short, h.step(Action::StartRectifying, None)).unwrap();
    h.store.case_action(ACTOR, &short, h.step(Action::MarkRectified, Some("已整改"))).unwrap();
    assert!(h.store.case_alerts(d("2026-11-19")).unwrap().overdue.is_empty());
    assert_eq!(h.store.rating_case_outcome("r-t2").unwrap().unwrap().rectified_on_time, Some(false));
}

#[test]
fn evidence_is_kept_by_content_hash_and_large_files_are_refused() {
    let mut h = hall();
    let id = h.poor_case("t1", "2026-11-25T01:05:00.000Z");
    let src = tempfile::tempdir().unwrap();
    let photo = src.path().join("整改照片.jpg");
    std::fs::write(&photo, b"fixed sign").unwrap();
    let a = h.store.attach_evidence(ACTOR, &id, &photo).unwrap();
    assert_eq!((a.name.as_str(), a.size), ("整改照片.jpg", 10));
    assert_eq!(a.sha256.len(), 64);
    let kept = h.store.evidence_dir().unwrap().join(&a.sha256);
    assert_eq!(std::fs::read(&kept).unwrap(), b"fixed sign");
    // The same content again: one file.
    let copy = src.path().join("copy.jpg");
    std::fs::write(&copy, b"fixed sign").unwrap();
    assert_eq!(h.store.attach_evidence(ACTOR, &id, &copy).unwrap().sha256, a.sha256);
    assert_eq!(std::fs::read_dir(h.store.evidence_dir().unwrap()).unwrap().count(), 1);

    let big = src.path().join("录像.mp4");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(EVIDENCE_MAX_BYTES + 1).unwrap();
    let e = h.store.attach_evidence(ACTOR, &id, &big).unwrap_err();
    assert_eq!(e.code(), "rectification.evidence_too_large");
    assert!(e.message(Locale::ZhCn).contains("录像.mp4"), "{}", e.message(Locale::ZhCn));
    assert!(e.message(Locale::EnUs).contains("20 MB"));
    let e = h.store.attach_evidence(ACTOR, &id, &src.path().join("missing.png")).unwrap_err();
    assert_eq!(e.code(), "rectification.evidence_unreadable");
    assert!(e.message(Locale::EnUs).contains("missing.png"));

    // A step cites evidence attached to its case, and only that.
    h.store.case_action(ACTOR, &id, h.step(Action::Verify, None)).unwrap();
    h.store.case_action(ACTOR, &id, h.step(Action::StartRectifying, None)).unwrap();
    let mut forged = h.step(Action::MarkRectified, Some("已更换指示牌"));
    forged.attachments = vec![hallkeeper_core::rectification::Attachment {
        name: "x.jpg".into(),
        sha256: "0".repeat(64),
        size: 1,
    }];
    assert_eq!(h.store.case_action(ACTOR, &id, forged).unwrap_err().code(), "rectification.evidence_unknown");
    let mut step = h.step(Action::MarkRectified, Some("已更换指示牌"));
    step.attachments = vec![a.clone()];
    h.store.case_action(ACTOR, &id, step).unwrap();
    let detail = h.store.case(&id).unwrap();
    assert_eq!(detail.case.history[2].step.attachments, std::slice::from_ref(&a));
    assert_eq!(detail.evidence.len(), 1);
    // The UI's filter, with fields left out, is what the store reads.
    let filter = hallkeeper_core::proto::InboxFilter { due_soon: Some(true), ..Default::default() };
    let read: InboxFilter = serde_json::from_value(serde_json::to_value(&filter).unwrap()).unwrap();
    assert_eq!(read, InboxFilter { due_soon: Some(true), ..Default::default() });
}

/// Evidence files fetched from the server (docs/sync.md, "Records") are kept only under their
/// own hash: a damaged download is refused, never stored under a name it does not match.
#[test]
fn a_fetched_evidence_file_is_kept_only_if_it_is_the_file_its_hash_names() {
    let h = hall();
    let sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"; // "hello\n"
    assert_eq!(h.store.evidence_file(sha).unwrap(), None);
    assert!(h.store.save_evidence_file(sha, b"hello").is_err(), "other content");
    assert_eq!(h.store.evidence_file(sha).unwrap(), None, "nothing kept from a refused file");
    h.store.save_evidence_file(sha, b"hello\n").unwrap();
    assert_eq!(h.store.evidence_file(sha).unwrap().as_deref(), Some(&b"hello\n"[..]));
    assert!(h.store.missing_evidence_files().unwrap().is_empty());
}
