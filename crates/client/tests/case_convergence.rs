//! Rectification cases between supervisor PCs (issue 17, docs/sync.md "Cases"), with real
//! stores and the real server storage in process: each PC pulls the same poor ratings (each
//! opens its own case for them, as a PC does before it has heard of the other's), two people on
//! two PCs act on the same cases at once, pushes lose answers and pulls come in small pages;
//! once everything is pushed and pulled every replica shows the server's cases and steps, the
//! same state, and every step anyone made.

use chrono::Duration;
use hallkeeper_core::proto::{
    CaseAction, CaseActionKind, CaseAssignee, CaseAssigneeKind, CaseState, CaseStep, DeadlineProfile, Rating,
    RatingLevel, RatingRecord,
};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

#[path = "common/replicas.rs"]
mod replicas;
use replicas::{Replicas, HALL};

const PEOPLE: [(&str, &str); 2] = [("acc-wang", "王主任"), ("acc-li", "李值班长")];

struct World {
    sync: Replicas,
    /// The poor ratings the hall's pads gave, which every PC pulls.
    ratings: Vec<RatingRecord>,
}

/// The harness's pushes, pulls and stores, on the world that adds the ratings feed.
impl std::ops::Deref for World {
    type Target = Replicas;
    fn deref(&self) -> &Replicas {
        &self.sync
    }
}

impl World {
    fn new(skews_ms: &[i64], cases: usize) -> World {
        // Cases come from ratings alone: no refusal is expected of any push.
        let sync = Replicas { refuse_nothing: true, ..Replicas::new(skews_ms) };
        let ratings = (0..cases)
            .map(|i| RatingRecord {
                seq: i as i64 + 1,
                rating: Rating {
                    id: format!("r-{i}"),
                    hall_id: HALL.into(),
                    ticket_id: format!("t-{i}"),
                    ticket_number: format!("A{:03}", i + 1),
                    window_id: "w-gone".into(),
                    matter_id: "m-unknown".into(),
                    level: RatingLevel::VeryDissatisfied,
                    reasons: vec!["态度不好".into()],
                    comment: "等了很久".into(),
                    at: "2026-11-25T01:00:00.000Z".into(),
                },
            })
            .collect();
        World { sync, ratings }
    }

    /// The ratings feed: every PC receives the same poor ratings (each opens a case).
    fn ratings_arrive(&self, r: usize) {
        let s = self.store(r);
        let after = s.ratings_cursor().unwrap();
        let last = self.ratings.last().map_or(after, |x| x.seq);
        if after < last {
            s.apply_ratings(after, &self.ratings, last).unwrap();
        }
    }

    /// Person `who` takes one of the actions the case allows now on replica `r`.
    fn act(&self, r: usize, who: usize, case: usize, pick: u8) {
        let (s, clock) = &self.replicas[r];
        clock.advance(Duration::milliseconds(1 + i64::from(pick % 5)));
        let Some(summary) = s.case_for_rating(&format!("r-{case}")).unwrap() else { return };
        let detail = s.case(&summary.id).unwrap();
        let allowed = detail.allowed_actions;
        if allowed.is_empty() {
            return;
        }
        let kind = allowed[pick as usize % allowed.len()];
        let action = match kind {
            CaseActionKind::Verify => CaseAction::Verify,
            CaseActionKind::StartRectifying => CaseAction::StartRectifying,
            CaseActionKind::MarkRectified => CaseAction::MarkRectified,
            CaseActionKind::CallBack => CaseAction::CallBack { reached: false, satisfied: None },
            CaseActionKind::Close => CaseAction::Close,
            CaseActionKind::Appeal => CaseAction::Appeal { reason: "恶意差评".into() },
            CaseActionKind::UpholdAppeal => CaseAction::UpholdAppeal { reason: "核实为恶意".into() },
            CaseActionKind::RejectAppeal => CaseAction::RejectAppeal { reason: "理由不足".into() },
            CaseActionKind::Reassign => CaseAction::Reassign {
                assignee: CaseAssignee {
                    kind: CaseAssigneeKind::Department,
                    id: format!("d{}", pick % 3),
                    name: ["税务", "社保", "公安"][pick as usize % 3].into(),
                },
            },
        };
        let (id, name) = PEOPLE[who];
        let step = CaseStep {
            action,
            actor: name.into(),
            at: s.now(),
            note: Some("已与当事窗口谈话并整改".into()),
            attachments: Vec::new(),
        };
        // A refusal (the other person decided the appeal they filed …) is part of the game.
        let _ = s.case_action(&person(id, name), &summary.id, step);
    }

    /// Every step key any replica made, from the outboxes' operations.
    fn steps_made(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (s, _) in &self.replicas {
            for entity_key in s.outbox_keys("case_step").unwrap() {
                out.insert(entity_key);
            }
        }
        out
    }

    fn assert_converged(&self) {
        let server = self.server_rows();
        let made = self.steps_made();
        let on_server: BTreeSet<String> =
            server.get("case_step").map(|m| m.keys().cloned().collect()).unwrap_or_default();
        assert_eq!(on_server, made, "every step made is on the server, once");
        for r in 0..self.replicas.len() {
            let s = self.store(r);
            assert_eq!(s.outbox_status().unwrap().pending, 0, "replica {r} still has pending operations");
            let mine = s.replica_snapshot().unwrap();
            for entity in [
                "case",
                "case_step",
                "case_evidence",
                "deadline_profile",
                "star_rule",
                "thresholds",
                "sms_rules",
            ] {
                let empty = BTreeMap::new();
                let (a, b) = (server.get(entity).unwrap_or(&empty), mine.get(entity).unwrap_or(&empty));
                for key in a.keys().chain(b.keys()) {
                    assert_eq!(a.get(key), b.get(key), "replica {r}: {entity} {key} differs from the server");
                }
            }
        }
    }
}

#[test]
fn two_people_verifying_one_case_at_once_both_keep_their_step_and_agree_on_the_state() {
    let w = World::new(&[0, 40], 1);
    w.ratings_arrive(0);
    w.ratings_arrive(1);
    let verify = |r: usize, who: usize| {
        let s = w.store(r);
        let id = s.case_for_rating("r-0").unwrap().unwrap().id;
        let (acc, name) = PEOPLE[who];
        let step = CaseStep {
            action: CaseAction::Verify,
            actor: name.into(),
            at: s.now(),
            note: None,
            attachments: vec![],
        };
        s.case_action(&person(acc, name), &id, step).unwrap();
    };
    verify(0, 0);
    verify(1, 1);
    w.settle();
    w.assert_converged();
    for r in 0..2 {
        let s = w.store(r);
        let id = s.case_for_rating("r-0").unwrap().unwrap().id;
        let case = s.case(&id).unwrap();
        assert_eq!(case.case.state, CaseState::Verifying);
        assert_eq!(case.case.history.len(), 1, "one verify took effect");
    }
    let steps = w.server_rows()["case_step"].clone();
    assert_eq!(steps.len(), 2, "both people's steps are kept");
    let who: BTreeSet<&str> = steps.values().map(|f| f["actorId"].as_str().unwrap()).collect();
    assert_eq!(who, BTreeSet::from(["acc-li", "acc-wang"]));
    assert_eq!(steps.values().filter(|f| f["effective"] == true).count(), 1);
    // The person whose step did not take effect is told so on their PC.
    let told: usize = (0..2)
        .map(|r| {
            let entries = w.store(r).list_audit(100, None).unwrap().entries;
            entries.iter().filter(|e| e.action == "sync.superseded" && e.summary.contains("未生效")).count()
        })
        .sum();
    assert_eq!(told, 1, "the displaced step's maker, and only they, learn of it");
}

#[test]
fn a_case_pulled_before_its_rating_waits_for_it_and_keeps_its_steps() {
    let w = World::new(&[0, 0], 1);
    w.ratings_arrive(0);
    let s = w.store(0);
    let id = s.case_for_rating("r-0").unwrap().unwrap().id;
    let step = CaseStep {
        action: CaseAction::Verify,
        actor: "王主任".into(),
        at: s.now(),
        note: None,
        attachments: vec![],
    };
    s.case_action(&person("acc-wang", "王主任"), &id, step).unwrap();
    w.push(0, false);
    // PC 2 hears of the case before the rating reaches it: nothing to show yet.
    w.pull(1, 500);
    assert!(w.store(1).case_for_rating("r-0").unwrap().is_none());
    w.ratings_arrive(1);
    let case = w.store(1).case_for_rating("r-0").unwrap().expect("the pulled case is shown with its rating");
    assert_eq!(case.state, CaseState::Verifying);
    w.settle();
    w.assert_converged();
    assert_eq!(w.server_rows()["case"].len(), 1, "PC 2 opened no second case for the rating");
}

#[test]
fn the_rule_documents_set_on_one_pc_reach_the_other_and_the_later_save_wins_whole() {
    let w = World::new(&[0, 0], 0);
    let profile = DeadlineProfile {
        name: "本市".into(),
        rectify_working_days: 3,
        call_back_target_pct: 100,
        due_soon_working_days: 1,
        close_requires_call_back: true,
    };
    w.store(0).set_deadline_profile("王主任", &profile).unwrap();
    let star = hallkeeper_core::proto::StarRule { top_n: 5, ..Default::default() };
    w.store(1).set_star_rule("李值班长", &star).unwrap();
    let mut thresholds = w.store(0).threshold_settings().unwrap();
    thresholds.quiet_min += 7;
    w.store(0).set_threshold_settings("王主任", &thresholds).unwrap();
    let sms =
        hallkeeper_core::proto::SmsRuleSet { rules: Vec::new(), quiet_hours: None, daily_cap_per_citizen: 2 };
    w.store(1).set_sms_rules("李值班长", &sms).unwrap();
    w.settle();
    for r in 0..2 {
        let s = w.store(r);
        assert_eq!(s.deadline_profile().unwrap(), profile, "replica {r}");
        assert_eq!(s.star_rule().unwrap(), star, "replica {r}");
        assert_eq!(s.threshold_settings().unwrap(), thresholds, "replica {r}");
        assert_eq!(s.sms_rules().unwrap(), Some(sms.clone()), "replica {r}");
    }
    w.assert_converged();
    // Two saves at once: the later one wins whole on both PCs.
    w.replicas[1].1.advance(Duration::seconds(1));
    let first = DeadlineProfile { rectify_working_days: 7, ..profile.clone() };
    let later = DeadlineProfile { rectify_working_days: 9, due_soon_working_days: 2, ..profile };
    w.store(0).set_deadline_profile("王主任", &first).unwrap();
    w.store(1).set_deadline_profile("李值班长", &later).unwrap();
    w.settle();
    assert_eq!(w.store(0).deadline_profile().unwrap(), later);
    assert_eq!(w.store(1).deadline_profile().unwrap(), later);
}

#[derive(Debug, Clone)]
enum Move {
    Act { r: usize, who: usize, case: usize, pick: u8 },
    Push { r: usize, lose_answer: bool },
    Pull { r: usize, limit: u32 },
    Ratings { r: usize },
}

fn moves() -> impl Strategy<Value = Move> {
    prop_oneof![
        5 => (0..2usize, 0..2usize, 0..3usize, any::<u8>()).prop_map(|(r, who, case, pick)| Move::Act { r, who, case, pick }),
        2 => (0..2usize, prop::bool::weighted(0.25)).prop_map(|(r, lose_answer)| Move::Push { r, lose_answer }),
        2 => (0..2usize, 1..7u32).prop_map(|(r, limit)| Move::Pull { r, limit }),
        1 => (0..2usize).prop_map(|r| Move::Ratings { r }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Two PCs (clocks 900 ms apart), two people, three cases: any interleaving of steps,
    /// pushes (a quarter of the answers lost) and pulls in small pages ends with both replicas
    /// showing the server's cases and steps, and no step lost.
    #[test]
    fn concurrent_steps_converge_and_none_is_lost(script in prop::collection::vec(moves(), 1..60)) {
        let w = World::new(&[0, 900], 3);
        for m in script {
            match m {
                Move::Act { r, who, case, pick } => w.act(r, who, case, pick),
                Move::Push { r, lose_answer } => w.push(r, lose_answer),
                Move::Pull { r, limit } => w.pull(r, limit),
                Move::Ratings { r } => w.ratings_arrive(r),
            }
        }
        w.ratings_arrive(0);
        w.ratings_arrive(1);
        w.settle();
        w.assert_converged();
    }
}

/// A person who acts on cases (no grants needed: the store's writes are not gated here).
fn person(account_id: &str, name: &str) -> hallkeeper_core::access::Person {
    hallkeeper_core::access::Person { account_id: account_id.into(), name: name.into(), grants: Vec::new() }
}
