//! Service stars: the ranking on hand-made staff reports (minimums, rule order, ties, top N), the
//! rule's validation at its fields, and the store's monthly stars from facts (upheld appeals out).

mod common;

use chrono::NaiveDate;
use common::{staff, store, ACTOR};
use hallkeeper_core::proto::{Locale, RatingLevel};
use hallkeeper_core::reports::{
    Dimension, LevelCounts, Period, RatingFact, ReportRow, ReportTable, TicketFact, TicketOutcome,
};
use hallkeeper_core::stars::{self, SortDirection, StarCriterion, StarMeasure, StarRule};

/// A staff row: `good` of `ratings` good, `poor` poor, the rest neutral.
fn row(key: &str, name: &str, served: u64, ratings: u64, good: u64, poor: u64) -> ReportRow {
    let rate = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
    ReportRow {
        key: Some(key.into()),
        label: Some(name.into()),
        issued: served,
        served,
        no_shows: 0,
        cancelled: 0,
        open: 0,
        transfers: 0,
        wait_count: 0,
        wait_sum_secs: 0,
        avg_wait_secs: None,
        p90_wait_secs: None,
        service_count: 0,
        service_sum_secs: 0,
        avg_service_secs: None,
        p90_service_secs: None,
        ratings,
        levels: LevelCounts {
            very_satisfied: good,
            neutral: ratings - good - poor,
            dissatisfied: poor,
            ..LevelCounts::default()
        },
        good,
        poor,
        excluded: 0,
        rectified: 0,
        rectified_on_time: 0,
        called_back: 0,
        rating_rate: rate(ratings, served),
        good_rate: rate(good, ratings),
        poor_rate: rate(poor, ratings),
        rectification_rate: None,
        on_time_rectification_rate: None,
        call_back_rate: None,
    }
}

fn table(rows: Vec<ReportRow>) -> ReportTable {
    ReportTable { period: Period::month(2026, 11).unwrap().into(), dimension: Dimension::Staff, rows }
}

fn ranked(t: &ReportTable, rule: &StarRule) -> Vec<(u32, String)> {
    stars::rank(t, rule).into_iter().map(|s| (s.rank, s.staff_name)).collect()
}

fn names(list: &[(u32, &str)]) -> Vec<(u32, String)> {
    list.iter().map(|(r, n)| (*r, n.to_string())).collect()
}

#[test]
fn default_rule_is_the_documented_one() {
    let r = StarRule::default();
    assert_eq!((r.min_services, r.min_ratings, r.top_n), (50, 10, 3));
    let order: Vec<_> = r.order.iter().map(|c| (c.measure, c.direction)).collect();
    assert_eq!(
        order,
        [
            (StarMeasure::GoodRate, SortDirection::Desc),
            (StarMeasure::Served, SortDirection::Desc),
            (StarMeasure::PoorCount, SortDirection::Asc)
        ]
    );
    assert!(stars::validate(&r).is_ok());
}

#[test]
fn minimums_keep_out_the_few_and_the_unassigned() {
    let mut unassigned = row("x", "x", 500, 100, 100, 0);
    unassigned.key = None;
    unassigned.label = None;
    let t = table(vec![
        unassigned,
        row("s1", "张三", 49, 40, 40, 0),  // one service short
        row("s2", "李四", 80, 9, 9, 0),    // one rating short
        row("s3", "王五", 50, 10, 8, 1),   // exactly the minimums
        row("s4", "赵六", 200, 50, 45, 2), // 90 %
    ]);
    assert_eq!(ranked(&t, &StarRule::default()), names(&[(1, "赵六"), (2, "王五")]));
    let lenient = StarRule { min_services: 0, min_ratings: 1, ..StarRule::default() };
    // At 100 % good rate the tie is broken by served (李四 80 before 张三 49).
    assert_eq!(ranked(&t, &lenient), names(&[(1, "李四"), (2, "张三"), (3, "赵六")]));
}

#[test]
fn order_good_rate_then_served_then_poor() {
    let t = table(vec![
        row("a", "A", 100, 20, 19, 1), // 95 %
        row("b", "B", 300, 20, 18, 0), // 90 %, more served
        row("c", "C", 120, 20, 18, 2), // 90 %, fewer served
        row("d", "D", 120, 20, 18, 0), // 90 %, same served as C, fewer poor
    ]);
    let rule = StarRule { top_n: 4, ..StarRule::default() };
    assert_eq!(ranked(&t, &rule), names(&[(1, "A"), (2, "B"), (3, "D"), (4, "C")]));

    // Served first: B leads.
    let served_first = StarRule {
        order: vec![
            StarCriterion { measure: StarMeasure::Served, direction: SortDirection::Desc },
            StarCriterion { measure: StarMeasure::PoorCount, direction: SortDirection::Asc },
        ],
        top_n: 4,
        ..StarRule::default()
    };
    assert_eq!(ranked(&t, &served_first), names(&[(1, "B"), (2, "D"), (3, "C"), (4, "A")]));
}

#[test]
fn ties_share_a_rank_and_a_tie_at_the_last_place_adds_a_star() {
    let t = table(vec![
        row("a", "甲", 100, 20, 20, 0),
        row("b", "乙", 100, 20, 20, 0), // tied with 甲 on everything
        row("c", "丙", 90, 20, 20, 0),
        row("d", "丁", 90, 20, 20, 0), // tied with 丙
        row("e", "戊", 80, 20, 20, 0),
    ]);
    let rule = StarRule { top_n: 3, ..StarRule::default() };
    // 甲 and 乙 share 1st; 丙 and 丁 share 3rd, so both are stars; 戊 (5th) is not.
    let got = ranked(&t, &rule);
    assert_eq!(got.iter().map(|(r, _)| *r).collect::<Vec<_>>(), [1, 1, 3, 3]);
    let mut firsts: Vec<_> = got[..2].iter().map(|(_, n)| n.as_str()).collect();
    firsts.sort();
    let mut expected = vec!["甲", "乙"];
    expected.sort();
    assert_eq!(firsts, expected);
    let two = StarRule { top_n: 2, ..StarRule::default() };
    assert_eq!(ranked(&t, &two).len(), 2, "two tied firsts fill a top 2");
    let one = StarRule { top_n: 1, ..StarRule::default() };
    assert_eq!(ranked(&t, &one).len(), 2, "a tie at the last place keeps both");
    // The same rate from different counts is a tie too (9/10 = 18/20).
    let t = table(vec![row("a", "A", 60, 10, 9, 0), row("b", "B", 60, 20, 18, 0)]);
    assert_eq!(ranked(&t, &StarRule::default()).iter().map(|(r, _)| *r).collect::<Vec<_>>(), [1, 1]);
}

#[test]
fn validation_names_the_field() {
    let field = |r: StarRule| stars::validate(&r).unwrap_err().field.map(|f| f.into_owned());
    let d = StarRule::default;
    assert_eq!(field(StarRule { min_services: 100_001, ..d() }).as_deref(), Some("minServices"));
    assert_eq!(field(StarRule { min_ratings: 0, ..d() }).as_deref(), Some("minRatings"));
    assert_eq!(field(StarRule { top_n: 0, ..d() }).as_deref(), Some("topN"));
    assert_eq!(field(StarRule { top_n: 21, ..d() }).as_deref(), Some("topN"));
    assert_eq!(field(StarRule { order: vec![], ..d() }).as_deref(), Some("order"));
    let dup = StarCriterion { measure: StarMeasure::Served, direction: SortDirection::Asc };
    let mut order = d().order;
    order.push(dup);
    assert_eq!(field(StarRule { order, ..d() }).as_deref(), Some("order[3].measure"));
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn served(staff: &str, n: usize, on: &str) -> Vec<TicketFact> {
    (0..n)
        .map(|i| TicketFact {
            ticket_id: format!("{staff}-t{i}"),
            hall_day: day(on),
            window_id: Some("w1".into()),
            staff_id: Some(staff.into()),
            matter_id: "m1".into(),
            department_id: None,
            outcome: TicketOutcome::Served,
            transfers: 0,
            wait_secs: Some(60),
            service_secs: Some(300),
        })
        .collect()
}

fn rated(staff: &str, levels: &[(RatingLevel, usize, bool)], on: &str) -> Vec<RatingFact> {
    let mut out = Vec::new();
    for (level, n, excluded) in levels {
        for _ in 0..*n {
            let i = out.len();
            out.push(RatingFact {
                rating_id: format!("{staff}-r{i}"),
                ticket_id: format!("{staff}-t{i}"),
                hall_day: day(on),
                window_id: "w1".into(),
                staff_id: Some(staff.into()),
                matter_id: "m1".into(),
                department_id: None,
                level: *level,
                excluded: *excluded,
                case: None,
            });
        }
    }
    out
}

#[test]
fn store_saves_the_rule_audited_and_ranks_a_month() {
    let (s, _) = store();
    assert_eq!(s.star_rule().unwrap(), StarRule::default());
    let bad = StarRule { top_n: 0, ..StarRule::default() };
    let e = s.set_star_rule(ACTOR, &bad).unwrap_err();
    assert_eq!(e.code(), "stars.rule_invalid");
    assert!(e.message(Locale::ZhCn).contains("评选人数"), "{}", e.message(Locale::ZhCn));
    assert_eq!(s.star_rule().unwrap(), StarRule::default(), "a refused rule is not saved");

    let rule = StarRule { min_services: 20, min_ratings: 5, ..StarRule::default() };
    s.set_star_rule(ACTOR, &rule).unwrap();
    assert_eq!(s.star_rule().unwrap(), rule);
    let audit = s.list_audit(10, None).unwrap();
    assert_eq!(audit.entries[0].action, "stars.rule_update");

    let zhang = staff(&s, "001", "张敏");
    let li = staff(&s, "002", "李强");
    use RatingLevel::*;
    let mut tickets = served(&zhang.id, 30, "2026-11-03");
    tickets.extend(served(&li.id, 40, "2026-11-04"));
    // 张敏: 9 of 10 good, plus a poor rating whose appeal was upheld (it must not count).
    let mut ratings = rated(
        &zhang.id,
        &[(VerySatisfied, 9, false), (Neutral, 1, false), (VeryDissatisfied, 1, true)],
        "2026-11-05",
    );
    // 李强: 8 of 10 good.
    ratings.extend(rated(&li.id, &[(Satisfied, 8, false), (Dissatisfied, 2, false)], "2026-11-06"));
    // October's figures do not count in November.
    ratings.extend(rated("other", &[(VerySatisfied, 50, false)], "2026-10-30"));
    tickets.extend(served("other", 50, "2026-10-30"));
    s.upsert_report_facts(&tickets, &ratings).unwrap();

    let m = s.monthly_stars(2026, 11).unwrap();
    assert_eq!((m.year, m.month), (2026, 11));
    let got: Vec<_> = m.stars.iter().map(|x| (x.rank, x.staff_name.as_str(), x.served, x.ratings)).collect();
    assert_eq!(got, [(1, "张敏", 30, 10), (2, "李强", 40, 10)]);
    assert!((m.stars[0].good_rate - 0.9).abs() < 1e-9);
    assert_eq!(m.stars[0].poor, 0, "the upheld appeal's poor rating is left out");

    assert_eq!(s.monthly_stars(2026, 13).unwrap_err().code(), "stars.month_invalid");
    assert!(s.monthly_stars(2026, 12).unwrap().stars.is_empty());
}

/// The month's stars go to the server as one `star_month` operation with the ranking (工号,
/// today's window, grade); published again only when the ranking moves.
#[test]
fn the_months_stars_are_published_once_per_change() {
    use hallkeeper_core::access::Person;
    use hallkeeper_core::proto::{HallRole, Role, SeatInput, StarMonth, WindowState};
    let (s, _) = store();
    let person = |role| Person {
        account_id: "acc-1".into(),
        name: "王值班".into(),
        grants: vec![HallRole { hall_id: Some("local".into()), role }],
    };
    let star_ops = |s: &hallkeeper_core::Store| -> Vec<(String, StarMonth)> {
        s.pending_ops(1000)
            .unwrap()
            .into_iter()
            .filter(|o| o.entity == "star_month")
            .map(|o| (o.key, serde_json::from_value(o.change["fields"]["document"].clone()).unwrap()))
            .collect()
    };
    s.set_signed_in(Some(&person(Role::ShiftLead)));
    assert!(!s.publish_star_month().unwrap(), "no star and nothing published: nothing to say");
    s.set_signed_in(None);
    assert!(star_ops(&s).is_empty());

    s.set_star_rule(ACTOR, &StarRule { min_services: 20, min_ratings: 5, ..StarRule::default() }).unwrap();
    let zhang = staff(&s, "001", "张敏");
    let li = staff(&s, "002", "李强");
    let w = common::window(&s, "3", WindowState::Open);
    s.set_seat(ACTOR, &SeatInput { window_id: w, staff_id: Some(zhang.id.clone()) }).unwrap();
    use RatingLevel::*;
    let mut tickets = served(&zhang.id, 30, "2026-11-03");
    tickets.extend(served(&li.id, 40, "2026-11-04"));
    let mut ratings = rated(&zhang.id, &[(VerySatisfied, 10, false)], "2026-11-05");
    ratings.extend(rated(&li.id, &[(Satisfied, 7, false), (Dissatisfied, 3, false)], "2026-11-06"));
    s.upsert_report_facts(&tickets, &ratings).unwrap();

    // Nobody signed in, or a 监督员 (whose changes the server refuses): nothing is queued.
    assert!(!s.publish_star_month().unwrap());
    s.set_signed_in(Some(&person(Role::Supervisor)));
    assert!(!s.publish_star_month().unwrap());
    assert!(star_ops(&s).is_empty());
    s.set_signed_in(Some(&person(Role::ShiftLead)));
    assert!(s.publish_star_month().unwrap());
    let ops = star_ops(&s);
    assert_eq!(ops.len(), 1);
    let op = s.pending_ops(1000).unwrap().into_iter().find(|o| o.entity == "star_month").unwrap();
    assert_eq!(op.author.as_deref(), Some("acc-1"), "the signed-in person's, as the server re-checks");
    let (key, month) = &ops[0];
    assert_eq!((key.as_str(), month.month.as_str()), ("2026-11", "2026-11"));
    let got: Vec<_> = month
        .stars
        .iter()
        .map(|x| (x.rank, x.staff_id.as_str(), x.employee_no.as_deref(), x.window_number.as_deref(), x.grade))
        .collect();
    assert_eq!(
        got,
        [(1, zhang.id.as_str(), Some("001"), Some("3"), 5), (2, li.id.as_str(), Some("002"), None, 4)],
        "ranked as monthly_stars ranks; 100 % is five stars, 70 % four"
    );
    assert_eq!(
        month.stars,
        s.monthly_stars(2026, 11).unwrap().stars,
        "the desktop's own ranking, not another"
    );

    assert!(!s.publish_star_month().unwrap(), "the same ranking is not queued twice");
    // 李强's month gets worse: the ranking moves, so it is published again.
    s.upsert_report_facts(&[], &rated(&li.id, &[(VeryDissatisfied, 10, false)], "2026-11-07")).unwrap();
    assert!(s.publish_star_month().unwrap());
    let ops = star_ops(&s);
    assert_eq!(ops.len(), 2);
    assert!(ops[1].1.stars[1].grade < 4, "{:?}", ops[1].1.stars);
}
