//! Reports: hand-computed figures for a small hall, rollups against full recomputation under
//! random facts and updates, and the XLSX export read back.

mod common;

use chrono::NaiveDate;
use hallkeeper_core::proto::{Locale, RatingLevel};
use hallkeeper_core::reports::scan::compute_by_scan;
use hallkeeper_core::reports::{
    remove_facts, upsert_facts, xlsx, CaseOutcome, Dimension, Period, RatingFact, Report, ReportRow,
    ReportTable, TicketFact, TicketOutcome,
};
use hallkeeper_core::store::migrations;
use proptest::prelude::*;
use rusqlite::Connection;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn conn() -> Connection {
    let mut c = Connection::open_in_memory().unwrap();
    c.pragma_update(None, "foreign_keys", true).unwrap();
    migrations::migrate(&mut c).unwrap();
    c
}

fn apply(c: &mut Connection, tickets: &[TicketFact], ratings: &[RatingFact]) {
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).unwrap();
    upsert_facts(&tx, tickets, ratings).unwrap();
    tx.commit().unwrap();
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[allow(clippy::too_many_arguments)]
fn ticket(
    id: &str,
    day: &str,
    window: Option<&str>,
    staff: Option<&str>,
    matter: &str,
    dept: &str,
    outcome: TicketOutcome,
    transfers: u32,
    wait: Option<u32>,
    service: Option<u32>,
) -> TicketFact {
    TicketFact {
        ticket_id: id.into(),
        hall_day: d(day),
        window_id: window.map(Into::into),
        staff_id: staff.map(Into::into),
        matter_id: matter.into(),
        department_id: s(dept),
        outcome,
        transfers,
        wait_secs: wait,
        service_secs: service,
    }
}

fn rating(
    id: &str,
    t: &TicketFact,
    level: RatingLevel,
    excluded: bool,
    case: Option<CaseOutcome>,
) -> RatingFact {
    RatingFact {
        rating_id: id.into(),
        ticket_id: t.ticket_id.clone(),
        hall_day: t.hall_day,
        window_id: t.window_id.clone().unwrap(),
        staff_id: t.staff_id.clone(),
        matter_id: t.matter_id.clone(),
        department_id: t.department_id.clone(),
        level,
        excluded,
        case,
    }
}

fn row<'a>(t: &'a ReportTable, key: Option<&str>) -> &'a ReportRow {
    t.rows.iter().find(|r| r.key.as_deref() == key).unwrap_or_else(|| panic!("no row {key:?} in {t:#?}"))
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a rate");
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

/// The small hall, all figures by hand.
///
/// Windows W1 (staff S1) and W2 (staff S2); matter M1 of department D1, M2 of D2.
/// 2024-03-15 (Friday):
///   T1 W1/S1/M1 served, wait 120 s, service 300 s        R1 非常满意
///   T2 W1/S1/M1 served, 1 transfer, wait 600, service 900 R2 不满意, rectified on time, called back
///   T3 W2/S2/M2 served, wait 45, service 200              R3 非常不满意, appeal upheld → excluded
///   T4 W2/S2/M2 no-show, wait 1000
///   T5 —/—/M1 open (still waiting)
///   T6 —/—/M2 cancelled before any call
///   T8 W2/S2/M2 served, wait 300, service 400             R5 非常不满意, rectified late, not called back
/// 2024-03-16 (Saturday):
///   T7 W1/S1/M1 served, wait 30, service 60               R4 基本满意
/// A fresh database holding [`small_hall`]'s facts, and the facts.
fn small_hall_stored() -> (Connection, Vec<TicketFact>, Vec<RatingFact>) {
    let mut c = conn();
    let (tickets, ratings) = small_hall();
    apply(&mut c, &tickets, &ratings);
    (c, tickets, ratings)
}

fn small_hall() -> (Vec<TicketFact>, Vec<RatingFact>) {
    use TicketOutcome::*;
    let day = "2024-03-15";
    let t1 = ticket("T1", day, Some("W1"), Some("S1"), "M1", "D1", Served, 0, Some(120), Some(300));
    let t2 = ticket("T2", day, Some("W1"), Some("S1"), "M1", "D1", Served, 1, Some(600), Some(900));
    let t3 = ticket("T3", day, Some("W2"), Some("S2"), "M2", "D2", Served, 0, Some(45), Some(200));
    let t4 = ticket("T4", day, Some("W2"), Some("S2"), "M2", "D2", NoShow, 0, Some(1000), None);
    let t5 = ticket("T5", day, None, None, "M1", "D1", Open, 0, None, None);
    let t6 = ticket("T6", day, None, None, "M2", "D2", Cancelled, 0, None, None);
    let t8 = ticket("T8", day, Some("W2"), Some("S2"), "M2", "D2", Served, 0, Some(300), Some(400));
    let t7 = ticket("T7", "2024-03-16", Some("W1"), Some("S1"), "M1", "D1", Served, 0, Some(30), Some(60));
    let on_time = CaseOutcome { rectified: true, rectified_on_time: true, called_back: true };
    let late = CaseOutcome { rectified: true, rectified_on_time: false, called_back: false };
    let ratings = vec![
        rating("R1", &t1, RatingLevel::VerySatisfied, false, None),
        rating("R2", &t2, RatingLevel::Dissatisfied, false, Some(on_time)),
        rating("R3", &t3, RatingLevel::VeryDissatisfied, true, None),
        rating("R4", &t7, RatingLevel::Neutral, false, None),
        rating("R5", &t8, RatingLevel::VeryDissatisfied, false, Some(late)),
    ];
    (vec![t1, t2, t3, t4, t5, t6, t7, t8], ratings)
}

#[test]
fn a_small_hall_by_hand() {
    let (c, _, _) = small_hall_stored();
    let friday = Period::day(d("2024-03-15"));

    // The hall on Friday: T1 T2 T3 T4 T5 T6 T8 issued (7); served T1 T2 T3 T8 (4); 1 no-show,
    // 1 cancelled, 1 open; 1 transfer.
    // Waits 45 120 300 600 1000: sum 2065, avg 413; p90 = ⌈0.9·5⌉ = 5th = 1000 s, bucket
    // [990, 1020) → 1020. Services 200 300 400 900: avg 450; p90 = ⌈3.6⌉ = 4th = 900 → [900, 930) → 930.
    // Ratings without the upheld appeal (R3): R1 R2 R5 = 3, excluded 1. Rating rate 3/4;
    // good (R1) 1/3; poor (R2 R5) 2/3; rectified 2/2; on time (R2) 1/2; called back (R2) 1/2.
    let hall = Report::compute(&c, friday, Dimension::Hall).unwrap();
    assert_eq!(hall.rows.len(), 1);
    let h = row(&hall, None);
    assert_eq!((h.issued, h.served, h.no_shows, h.cancelled, h.open, h.transfers), (7, 4, 1, 1, 1, 1));
    assert_eq!((h.wait_count, h.wait_sum_secs, h.p90_wait_secs), (5, 2065, Some(1020)));
    close(h.avg_wait_secs, 413.0);
    assert_eq!((h.service_count, h.service_sum_secs, h.p90_service_secs), (4, 1800, Some(930)));
    close(h.avg_service_secs, 450.0);
    assert_eq!((h.ratings, h.good, h.poor, h.excluded), (3, 1, 2, 1));
    assert_eq!((h.levels.very_satisfied, h.levels.dissatisfied, h.levels.very_dissatisfied), (1, 1, 1));
    assert_eq!((h.rectified, h.rectified_on_time, h.called_back), (2, 1, 1));
    close(h.rating_rate, 0.75);
    close(h.good_rate, 1.0 / 3.0);
    close(h.poor_rate, 2.0 / 3.0);
    close(h.rectification_rate, 1.0);
    close(h.on_time_rectification_rate, 0.5);
    close(h.call_back_rate, 0.5);

    // By window on Friday: three rows, the unassigned one first.
    // none: T5 (open) and T6 (cancelled); nothing served, so no rating rate.
    // W1: T1 T2; waits 120 600 → avg 360, p90 = 2nd = 600 → [600, 630) → 630; services 300 900
    //     → avg 600, p90 900 → 930; R1 R2: rate 2/2, good 1/2, poor 1/2, rectified/on time/called back 1/1.
    // W2: T3 T4 T8; waits 45 1000 300 → avg 448.33, p90 = 3rd = 1000 → 1020; services 200 400 →
    //     p90 = 2nd = 400 → [390, 420) → 420; R5 counted, R3 excluded: rate 1/2, good 0/1, poor
    //     1/1, rectified 1/1, on time 0/1, called back 0/1.
    let by_window = Report::compute(&c, friday, Dimension::Window).unwrap();
    let keys: Vec<_> = by_window.rows.iter().map(|r| r.key.as_deref()).collect();
    assert_eq!(keys, [None, Some("W1"), Some("W2")]);
    let none = row(&by_window, None);
    assert_eq!((none.issued, none.open, none.cancelled, none.served), (2, 1, 1, 0));
    assert_eq!((none.rating_rate, none.avg_wait_secs, none.p90_wait_secs), (None, None, None));
    let w1 = row(&by_window, Some("W1"));
    assert_eq!(
        (w1.issued, w1.served, w1.transfers, w1.p90_wait_secs, w1.p90_service_secs),
        (2, 2, 1, Some(630), Some(930))
    );
    close(w1.avg_wait_secs, 360.0);
    close(w1.avg_service_secs, 600.0);
    close(w1.rating_rate, 1.0);
    close(w1.good_rate, 0.5);
    close(w1.poor_rate, 0.5);
    close(w1.rectification_rate, 1.0);
    close(w1.on_time_rectification_rate, 1.0);
    close(w1.call_back_rate, 1.0);
    let w2 = row(&by_window, Some("W2"));
    assert_eq!((w2.issued, w2.served, w2.no_shows, w2.ratings, w2.excluded), (3, 2, 1, 1, 1));
    assert_eq!((w2.p90_wait_secs, w2.p90_service_secs), (Some(1020), Some(420)));
    close(w2.avg_wait_secs, 1345.0 / 3.0);
    close(w2.rating_rate, 0.5);
    close(w2.good_rate, 0.0);
    close(w2.poor_rate, 1.0);
    close(w2.rectification_rate, 1.0);
    close(w2.on_time_rectification_rate, 0.0);
    close(w2.call_back_rate, 0.0);

    // By department: T5 (M1) belongs to D1 though no window has it yet. D1: T1 T2 T5, D2: T3 T4 T6 T8.
    let by_dept = Report::compute(&c, friday, Dimension::Department).unwrap();
    assert_eq!((row(&by_dept, Some("D1")).issued, row(&by_dept, Some("D2")).issued), (3, 4));

    // March (a whole month, from month rollups): T7 and R4 join. 8 issued, 5 served; waits
    // 30 45 120 300 600 1000 → p90 = ⌈5.4⌉ = 6th = 1000 → 1020; services 60 200 300 400 900 →
    // 5th = 900 → 930. Ratings R1 R2 R4 R5 = 4: rate 4/5, good 1/4, poor 2/4; rectified 2/2.
    let march = Report::compute(&c, Period::month(2024, 3).unwrap(), Dimension::Hall).unwrap();
    let m = row(&march, None);
    assert_eq!((m.issued, m.served, m.wait_count, m.wait_sum_secs), (8, 5, 6, 2095));
    assert_eq!(
        (m.p90_wait_secs, m.p90_service_secs, m.ratings, m.levels.neutral),
        (Some(1020), Some(930), 4, 1)
    );
    close(m.rating_rate, 0.8);
    close(m.good_rate, 0.25);
    close(m.poor_rate, 0.5);
    close(m.rectification_rate, 1.0);
    // The week of Friday (Mon 11th – Sun 17th) holds both days, as does a custom range.
    let week = Report::compute(&c, Period::week_of(d("2024-03-13")), Dimension::Hall).unwrap();
    assert_eq!(week.rows, march.rows);
    let saturday = Report::compute(&c, Period::day(d("2024-03-16")), Dimension::Staff).unwrap();
    assert_eq!(saturday.rows.len(), 1);
    assert_eq!((row(&saturday, Some("S1")).issued, row(&saturday, Some("S1")).ratings), (1, 1));
    // A period without facts has no rows.
    assert!(Report::compute(&c, Period::month(2024, 4).unwrap(), Dimension::Window).unwrap().rows.is_empty());

    for dim in Dimension::ALL {
        for p in [friday, Period::month(2024, 3).unwrap(), Period::week_of(d("2024-03-13"))] {
            assert_eq!(Report::compute(&c, p, dim).unwrap(), compute_by_scan(&c, p, dim).unwrap(), "{dim:?}");
        }
    }
}

#[test]
fn facts_that_change_replace_their_old_contribution() {
    let (mut c, tickets, ratings) = small_hall_stored();
    let friday = Period::day(d("2024-03-15"));

    // T5 is served at W2 after a 1500 s wait; R5's appeal is upheld; R2 is no longer called back.
    let mut t5 = tickets[4].clone();
    (t5.window_id, t5.staff_id, t5.outcome, t5.wait_secs, t5.service_secs) =
        (s("W2"), s("S2"), TicketOutcome::Served, Some(1500), Some(100));
    let mut r5 = ratings[4].clone();
    r5.excluded = true;
    let mut r2 = ratings[1].clone();
    r2.case = Some(CaseOutcome { rectified: true, rectified_on_time: true, called_back: false });
    apply(&mut c, &[t5], &[r5, r2]);

    let by_window = Report::compute(&c, friday, Dimension::Window).unwrap();
    // Unassigned: only T6 now.
    assert_eq!((row(&by_window, None).issued, row(&by_window, None).open), (1, 0));
    // W2: T3 T4 T5 T8, served 3; waits 45 1000 300 1500 → p90 = 4th = 1500 → [1500, 1530) → 1530.
    // Ratings: R3 and R5 both excluded → 0 ratings, rates None, rating rate 0/3.
    let w2 = row(&by_window, Some("W2"));
    assert_eq!((w2.issued, w2.served, w2.p90_wait_secs, w2.ratings, w2.excluded), (4, 3, Some(1530), 0, 2));
    assert_eq!((w2.good_rate, w2.poor_rate, w2.rectification_rate), (None, None, None));
    close(w2.rating_rate, 0.0);
    // Hall: poor is R2 alone: rectified 1/1, on time 1/1, called back 0/1.
    let hall = Report::compute(&c, friday, Dimension::Hall).unwrap();
    let h = row(&hall, None);
    assert_eq!((h.poor, h.excluded, h.called_back), (1, 2, 0));
    close(h.call_back_rate, 0.0);
    close(h.rating_rate, 2.0 / 5.0);

    // Removing everything leaves no rollup rows at all.
    let tx = c.transaction().unwrap();
    let tids: Vec<&str> = tickets.iter().map(|t| t.ticket_id.as_str()).collect();
    let rids: Vec<&str> = ratings.iter().map(|r| r.rating_id.as_str()).collect();
    remove_facts(&tx, &tids, &rids).unwrap();
    tx.commit().unwrap();
    let left: i64 = c.query_row("SELECT count(*) FROM report_rollups", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0);
}

#[test]
fn the_store_upserts_and_reports() {
    let (store, _) = common::store();
    let (tickets, ratings) = small_hall();
    let applied = store.upsert_report_facts(&tickets, &ratings).unwrap();
    assert_eq!((applied.inserted, applied.updated), (13, 0));
    let again = store.upsert_report_facts(&tickets, &ratings).unwrap();
    assert_eq!((again.inserted, again.unchanged, again.rollup_rows), (0, 13, 0));
    let t = store.report(Period::month(2024, 3).unwrap(), Dimension::Hall).unwrap();
    assert_eq!(t.rows[0].issued, 8);
}

#[test]
fn the_xlsx_export_reads_back() {
    use calamine::{Data, Reader, Xlsx};
    let (c, _, _) = small_hall_stored();
    let table = Report::compute(&c, Period::day(d("2024-03-15")), Dimension::Window).unwrap();
    for locale in [Locale::ZhCn, Locale::EnUs] {
        let bytes = xlsx::export(&table, locale).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&sheet).unwrap();
        let cell = |r: u32, c: u32| range.get_value((r, c)).cloned().unwrap_or(Data::Empty);
        let text = |r: u32, c: u32| match cell(r, c) {
            Data::String(s) => s,
            other => panic!("({r}, {c}) is {other:?}"),
        };
        let num = |r: u32, c: u32| match cell(r, c) {
            Data::Float(f) => f,
            Data::Int(i) => i as f64,
            other => panic!("({r}, {c}) is {other:?}"),
        };
        assert!(text(0, 0).contains("2024-03-15"), "{}", text(0, 0));
        let headers = xlsx::headers(locale);
        let col = |h: &str| headers.iter().position(|x| *x == h).unwrap() as u32;
        let (issued, avg_wait, rate, good, call_back) = match locale {
            Locale::ZhCn => ("取号量", "平均等候(分)", "主动评价率", "好评率", "回访率"),
            Locale::EnUs => {
                ("Tickets issued", "Avg wait (min)", "Rating rate", "Good rate", "Call-back rate")
            }
        };
        for (i, h) in headers.iter().enumerate() {
            assert_eq!(text(xlsx::HEADER_ROW, i as u32), *h);
        }
        let first = xlsx::FIRST_DATA_ROW;
        // Rows in the table's order: unassigned, W1, W2.
        assert_eq!(text(first, 1), if locale == Locale::ZhCn { "未分配" } else { "Unassigned" });
        assert_eq!(cell(first, col(rate)), Data::Empty, "no rate without a denominator");
        assert_eq!(text(first + 1, 0), "W1");
        assert_eq!(num(first + 1, col(issued)), 2.0);
        assert_eq!(num(first + 1, col(avg_wait)), 6.0);
        assert_eq!(num(first + 1, col(good)), 0.5);
        assert_eq!(text(first + 2, 0), "W2");
        assert_eq!(num(first + 2, col(rate)), 0.5);
        assert_eq!(num(first + 2, col(call_back)), 0.0);
        assert_eq!(range.height() as u32, first + 3);
    }
}

// ---- rollups against full recomputation ----

#[derive(Debug, Clone)]
enum Op {
    Ticket(TicketFact),
    Rating(RatingFact),
    RemoveTicket(String),
    RemoveRating(String),
}

fn opt_id(prefix: &'static str, n: usize) -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(0.8, (0..n).prop_map(move |i| format!("{prefix}{i}")))
}

fn duration() -> impl Strategy<Value = Option<u32>> {
    prop::option::weighted(0.8, prop_oneof![4 => 0u32..1800, 2 => 1800u32..10_000, 1 => 10_000u32..100_000])
}

fn base_day() -> NaiveDate {
    d("2024-01-20")
}

fn day() -> impl Strategy<Value = NaiveDate> {
    (0u64..130).prop_map(|n| base_day() + chrono::Days::new(n))
}

fn ticket_fact() -> impl Strategy<Value = TicketFact> {
    (
        0usize..25,
        day(),
        opt_id("w", 3),
        opt_id("s", 4),
        0usize..4,
        opt_id("d", 2),
        prop_oneof![
            Just(TicketOutcome::Served),
            Just(TicketOutcome::NoShow),
            Just(TicketOutcome::Cancelled),
            Just(TicketOutcome::Open)
        ],
        0u32..3,
        duration(),
        duration(),
    )
        .prop_map(
            |(id, hall_day, window_id, staff_id, m, department_id, outcome, transfers, wait, service)| {
                TicketFact {
                    ticket_id: format!("t{id}"),
                    hall_day,
                    window_id,
                    staff_id,
                    matter_id: format!("m{m}"),
                    department_id,
                    outcome,
                    transfers,
                    wait_secs: wait,
                    service_secs: service,
                }
            },
        )
}

fn rating_fact() -> impl Strategy<Value = RatingFact> {
    let case = prop::option::of((any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(rectified, rectified_on_time, called_back)| CaseOutcome {
            rectified,
            rectified_on_time,
            called_back,
        },
    ));
    (
        0usize..25,
        day(),
        0usize..3,
        opt_id("s", 4),
        0usize..4,
        opt_id("d", 2),
        prop::sample::select(RatingLevel::ALL.to_vec()),
        prop::bool::weighted(0.2),
        case,
    )
        .prop_map(|(id, hall_day, w, staff_id, m, department_id, level, excluded, case)| RatingFact {
            rating_id: format!("r{id}"),
            ticket_id: format!("t{id}"),
            hall_day,
            window_id: format!("w{w}"),
            staff_id,
            matter_id: format!("m{m}"),
            department_id,
            level,
            excluded,
            case,
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => ticket_fact().prop_map(Op::Ticket),
        5 => rating_fact().prop_map(Op::Rating),
        1 => (0usize..25).prop_map(|i| Op::RemoveTicket(format!("t{i}"))),
        1 => (0usize..25).prop_map(|i| Op::RemoveRating(format!("r{i}"))),
    ]
}

fn period() -> impl Strategy<Value = Period> {
    prop_oneof![
        day().prop_map(Period::day),
        day().prop_map(Period::week_of),
        day().prop_map(Period::month_of),
        day().prop_map(Period::quarter_of),
        (0u64..135, 0u64..135).prop_map(|(a, len)| {
            let start = base_day() + chrono::Days::new(a);
            Period::custom(start, start + chrono::Days::new(len)).unwrap()
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Facts inserted, changed and removed in random batches: the rollups' report equals the
    /// full scan's, exactly (percentiles at bucket resolution), for any period and dimension.
    #[test]
    fn rollups_equal_a_full_scan(
        ops in prop::collection::vec(op(), 1..120),
        cuts in prop::collection::vec(0usize..120, 0..6),
        periods in prop::collection::vec(period(), 1..6),
    ) {
        let mut c = conn();
        let mut bounds: Vec<usize> = cuts.into_iter().filter(|&x| x < ops.len()).collect();
        bounds.push(ops.len());
        bounds.sort();
        let mut from = 0;
        for to in bounds {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).unwrap();
            for op in &ops[from..to] {
                match op {
                    Op::Ticket(t) => { upsert_facts(&tx, std::slice::from_ref(t), &[]).unwrap(); }
                    Op::Rating(r) => { upsert_facts(&tx, &[], std::slice::from_ref(r)).unwrap(); }
                    Op::RemoveTicket(id) => { remove_facts(&tx, &[id.as_str()], &[]).unwrap(); }
                    Op::RemoveRating(id) => { remove_facts(&tx, &[], &[id.as_str()]).unwrap(); }
                }
            }
            // A whole batch in one call as well: same id twice in it, last one wins.
            let tickets: Vec<TicketFact> = ops[from..to].iter().filter_map(|o| match o { Op::Ticket(t) => Some(t.clone()), _ => None }).collect();
            let ratings: Vec<RatingFact> = ops[from..to].iter().filter_map(|o| match o { Op::Rating(r) => Some(r.clone()), _ => None }).collect();
            upsert_facts(&tx, &tickets, &ratings).unwrap();
            tx.commit().unwrap();
            from = to;
        }
        let everything = Period::custom(base_day(), base_day() + chrono::Days::new(140)).unwrap();
        for p in periods.into_iter().chain([everything]) {
            for dim in Dimension::ALL {
                let fast = Report::compute(&c, p, dim).unwrap();
                let slow = compute_by_scan(&c, p, dim).unwrap();
                prop_assert_eq!(fast, slow, "{:?} {:?}", p, dim);
            }
        }
    }
}
