//! The reports fed from what sync stores: ticket events folded into ticket facts in the events'
//! own transaction, ratings into rating facts, a case's steps moving its rating's fact. Figures
//! for a small hall day computed by hand in the comments.

mod common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{at, import, sample_csv, sample_mapping, seat_zhang_san, window, ACTOR};
use hallkeeper_core::proto::{
    NoShowReason, PriorityClass, RatingLevel, TicketEvent, TicketEventKind as K, TransferTarget, WindowState,
};
use hallkeeper_core::rectification::{Action, Step};
use hallkeeper_core::reports::{Dimension, Period, ReportRow, ReportTable};
use hallkeeper_core::{FixedClock, Store};
use std::sync::Arc;

struct Hall {
    store: Store,
    a01: String,
    a02: String,
    m1: String,
    m2: String,
    staff: String,
    event_seq: i64,
    rating_seq: i64,
    _dir: tempfile::TempDir,
}

/// 09:00 hall time (UTC+8) on 2026-11-25.
fn nine() -> DateTime<Utc> {
    at("2026-11-25T01:00:00Z")
}

fn min(m: i64) -> DateTime<Utc> {
    nine() + Duration::minutes(m)
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn ev(ticket: &str, at: DateTime<Utc>, kind: K) -> TicketEvent {
    TicketEvent { ticket_id: ticket.into(), at, kind }
}

impl Hall {
    /// A01 (张三 seated) and A02 (nobody), the sample catalog, a file store.
    fn new() -> Hall {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(min(60)));
        let store = Store::open_in_dir(dir.path(), clock).unwrap();
        import(&store, &sample_csv(), sample_mapping());
        let matters = store.catalog().unwrap().matters;
        let (m1, m2) = (matters[0].id.clone(), matters[1].id.clone());
        let a01 = window(&store, "A01", WindowState::Open);
        let a02 = window(&store, "A02", WindowState::Open);
        let staff = seat_zhang_san(&store, &a01);
        Hall { store, a01, a02, m1, m2, staff, event_seq: 0, rating_seq: 0, _dir: dir }
    }

    fn issued(&self, ticket: &str, m: i64, matter: &str, sequence: u32) -> TicketEvent {
        ev(
            ticket,
            min(m),
            K::Issued {
                matter_id: matter.into(),
                class: PriorityClass::Normal,
                prefix: "A".into(),
                sequence,
            },
        )
    }

    /// Appends a page as sync does; returns the page (seq, day, json) for replaying.
    fn page(&mut self, events: &[TicketEvent]) -> (i64, Vec<(i64, String, String)>) {
        let after = self.store.events_cursor().unwrap();
        let rows: Vec<(i64, String, String)> = events
            .iter()
            .map(|e| {
                self.event_seq += 3;
                (self.event_seq, "2026-11-25".to_owned(), serde_json::to_string(e).unwrap())
            })
            .collect();
        let last = rows.last().map_or(after, |r| r.0);
        let n = self
            .store
            .apply_events(after, rows.iter().map(|(s, d, e)| (*s, d.as_str(), e.as_str())), last)
            .unwrap();
        assert_eq!(n, Some(rows.len() as u64));
        (after, rows)
    }

    fn rate(&mut self, ticket: &str, window: &str, matter: &str, level: RatingLevel) {
        self.rating_seq += 2;
        let record =
            common::rating_record(self.rating_seq, ticket, window, matter, level, "2026-11-25T01:40:00.000Z");
        let after = self.store.ratings_cursor().unwrap();
        self.store.apply_ratings(after, &[record], self.rating_seq).unwrap().unwrap();
    }

    fn step(&self, case: &str, action: Action, actor: &str) {
        let step = Step {
            action,
            actor: actor.into(),
            at: self.store.now(),
            note: Some("已处理".into()),
            attachments: Vec::new(),
        };
        self.store.case_action(ACTOR, case, step).unwrap();
    }

    fn case_of(&self, rating: &str) -> String {
        self.store.case_for_rating(rating).unwrap().unwrap().id
    }

    fn report(&self, dimension: Dimension) -> ReportTable {
        self.store.report(Period::day(day()), dimension).unwrap()
    }

    fn hall_row(&self) -> ReportRow {
        let t = self.report(Dimension::Hall);
        assert_eq!(t.rows.len(), 1);
        t.rows[0].clone()
    }

    /// The morning: five tickets over two pages (t4 issued in the first, finished in the second).
    fn morning(&mut self) -> (i64, Vec<(i64, String, String)>) {
        let (a01, a02, m1, m2) = (self.a01.clone(), self.a02.clone(), self.m1.clone(), self.m2.clone());
        let first = vec![
            // t1: A01, wait 09:00→09:05 = 300 s, service start 09:06 → 09:16 = 600 s.
            self.issued("t1", 0, &m1, 1),
            self.issued("t2", 1, &m1, 2),
            self.issued("t3", 2, &m2, 3),
            ev("t3", min(3), K::Called { window_id: a02.clone() }),
            self.issued("t4", 4, &m1, 4),
            ev("t1", min(5), K::Called { window_id: a01.clone() }),
            ev("t1", min(6), K::Started { window_id: a01.clone() }),
            self.issued("t5", 10, &m2, 5),
            // t3: A02, wait 60 s, no start: service from the call 09:03 → 09:13 = 600 s.
            ev("t3", min(13), K::Finished { window_id: a02.clone() }),
            ev("t1", min(16), K::Finished { window_id: a01.clone() }),
        ];
        self.page(&first);
        let second = vec![
            // t2: A01, wait 09:01→09:17 = 960 s, then a no-show.
            ev("t2", min(17), K::Called { window_id: a01.clone() }),
            ev("t2", min(19), K::NoShow { window_id: a01.clone(), reason: NoShowReason::Manual }),
            // t4: called at A01 09:20 (wait 960 s), transferred to m2, served at A02 09:26→09:30.
            ev("t4", min(20), K::Called { window_id: a01.clone() }),
            ev(
                "t4",
                min(21),
                K::Transferred {
                    window_id: a01.clone(),
                    target: TransferTarget::Matter { matter_id: m2.clone() },
                },
            ),
            ev("t4", min(25), K::Called { window_id: a02.clone() }),
            ev("t4", min(26), K::Started { window_id: a02.clone() }),
            ev("t4", min(30), K::Finished { window_id: a02.clone() }),
            // t5 still waits.
        ];
        self.page(&second)
    }
}

fn check_morning(r: &ReportRow) {
    assert_eq!((r.issued, r.served, r.no_shows, r.cancelled, r.open), (5, 3, 1, 0, 1));
    assert_eq!(r.transfers, 1);
    // Waits: 300 + 60 + 960 + 960 = 2280 over 4 called tickets.
    assert_eq!((r.wait_count, r.wait_sum_secs), (4, 2280));
    assert_eq!(r.avg_wait_secs, Some(570.0));
    // Service: 600 + 600 + 240 = 1440 over 3.
    assert_eq!((r.service_count, r.service_sum_secs), (3, 1440));
    assert_eq!(r.avg_service_secs, Some(480.0));
    // p90 nearest rank: 4th of 4 waits = 960 s → bucket [960, 990) → 990; 3rd of 3 services → 630.
    assert_eq!(r.p90_wait_secs, Some(990));
    assert_eq!(r.p90_service_secs, Some(630));
}

#[test]
fn a_small_day_of_events_gives_the_hand_computed_figures() {
    let mut h = Hall::new();
    h.morning();
    check_morning(&h.hall_row());

    let windows = h.report(Dimension::Window);
    let row = |key: Option<&str>| windows.rows.iter().find(|r| r.key.as_deref() == key).unwrap().clone();
    // The unassigned row first: t5 waiting.
    assert_eq!(windows.rows[0].key, None);
    assert_eq!((row(None).issued, row(None).open), (1, 1));
    let a01 = row(Some(&h.a01));
    assert_eq!((a01.issued, a01.served, a01.no_shows, a01.transfers), (2, 1, 1, 0));
    assert_eq!(a01.label.as_deref().map(|l| l.starts_with("A01")), Some(true));
    let a02 = row(Some(&h.a02));
    assert_eq!((a02.issued, a02.served, a02.transfers, a02.service_sum_secs), (2, 2, 1, 840));

    // Staff: 张三 sat at A01 — t1 and t2; A02's tickets and t5 have nobody.
    let staff = h.report(Dimension::Staff);
    let zs = staff.rows.iter().find(|r| r.key.as_deref() == Some(&h.staff)).unwrap();
    assert_eq!((zs.issued, zs.served, zs.no_shows), (2, 1, 1));
    assert_eq!(zs.label.as_deref(), Some("张三"));

    // Matter after transfers: m1 holds t1, t2; m2 holds t3, t4 (transferred in), t5.
    let matters = h.report(Dimension::Matter);
    let m = |id: &str| matters.rows.iter().find(|r| r.key.as_deref() == Some(id)).unwrap().issued;
    assert_eq!((m(&h.m1), m(&h.m2)), (2, 3));

    // Every dimension adds up to the hall.
    for d in Dimension::ALL {
        let t = h.report(d);
        assert_eq!(t.rows.iter().map(|r| r.issued).sum::<u64>(), 5, "{d:?}");
    }
    // Another day holds nothing.
    let next = h.store.report(Period::day(day().succ_opt().unwrap()), Dimension::Hall).unwrap();
    assert!(next.rows.is_empty());
}

#[test]
fn replaying_a_page_or_rebuilding_changes_nothing() {
    let mut h = Hall::new();
    let (after, rows) = h.morning();
    let before = h.report(Dimension::Window);
    // The page again from its old cursor: stale, nothing appended nor folded.
    let again =
        h.store.apply_events(after, rows.iter().map(|(s, d, e)| (*s, d.as_str(), e.as_str())), 999).unwrap();
    assert_eq!(again, None);
    assert_eq!(h.report(Dimension::Window), before);
    // Recomputing every fact from the log gives the same rollups.
    h.store.rebuild_report_facts().unwrap();
    assert_eq!(h.report(Dimension::Window), before);
    h.store.rebuild_report_facts().unwrap();
    assert_eq!(h.report(Dimension::Window), before);
    assert!(!h.store.backfill_report_facts().unwrap(), "no mark, no backfill");
}

#[test]
fn a_store_holding_events_without_facts_is_backfilled_once_on_open() {
    let mut h = Hall::new();
    h.morning();
    let (m2, a02) = (h.m2.clone(), h.a02.clone());
    h.rate("t3", &a02, &m2, RatingLevel::Dissatisfied);
    let before = h.report(Dimension::Staff);
    let path = h.store.path().unwrap().to_owned();
    let Hall { store, _dir, .. } = h;
    drop(store);
    // As a store from before the feed: events and ratings, no facts, the migration's mark.
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "DELETE FROM report_ticket_facts; DELETE FROM report_rating_facts; DELETE FROM report_rollups;
             DELETE FROM report_ticket_state;
             INSERT INTO settings (key, value) VALUES ('reports.backfill_pending', '1');",
        )
        .unwrap();
    }
    let store = Store::open(&path, Arc::new(FixedClock::new(min(60)))).unwrap();
    assert_eq!(store.report(Period::day(day()), Dimension::Staff).unwrap(), before);
    assert!(!store.backfill_report_facts().unwrap(), "the mark is gone");
}

#[test]
fn ratings_count_and_a_case_walked_to_closed_moves_the_rates() {
    let mut h = Hall::new();
    h.morning();
    let (a01, a02, m1, m2) = (h.a01.clone(), h.a02.clone(), h.m1.clone(), h.m2.clone());
    h.rate("t1", &a01, &m1, RatingLevel::VerySatisfied);
    h.rate("t3", &a02, &m2, RatingLevel::Dissatisfied);
    h.rate("t4", &a02, &m2, RatingLevel::VeryDissatisfied);
    let r = h.hall_row();
    check_morning(&r);
    // 3 ratings over 3 served; 1 good, 2 poor; no case handled yet.
    assert_eq!((r.ratings, r.good, r.poor, r.excluded), (3, 1, 2, 0));
    assert_eq!(r.rating_rate, Some(1.0));
    assert_eq!(r.poor_rate, Some(2.0 / 3.0));
    assert_eq!(r.rectification_rate, Some(0.0));
    assert_eq!(r.call_back_rate, Some(0.0));
    assert_eq!(r.levels.dissatisfied, 1);
    let by_staff = h.report(Dimension::Staff);
    let zs = by_staff.rows.iter().find(|r| r.key.as_deref() == Some(&h.staff)).unwrap();
    assert_eq!((zs.ratings, zs.good), (1, 1));

    // t3's case walked to closed: rectified and called back — 1 of 2 poor ratings.
    let case = h.case_of("r-t3");
    for action in [
        Action::Verify,
        Action::StartRectifying,
        Action::MarkRectified,
        Action::CallBack { reached: true, satisfied: Some(true) },
        Action::Close,
    ] {
        h.step(&case, action, "王主任");
    }
    let r = h.hall_row();
    assert_eq!((r.rectified, r.called_back), (1, 1));
    assert_eq!(r.rectification_rate, Some(0.5));
    assert_eq!(r.call_back_rate, Some(0.5));
    assert!(r.rectified_on_time <= r.rectified);
    assert_eq!(
        h.store.rating_case_outcome("r-t3").unwrap().unwrap().rectified_on_time == Some(true),
        r.rectified_on_time == 1
    );
    // The A02 row moved too, the A01 row did not.
    let windows = h.report(Dimension::Window);
    let row = |key: &str| windows.rows.iter().find(|r| r.key.as_deref() == Some(key)).unwrap().clone();
    assert_eq!((row(&a02).poor, row(&a02).rectified), (2, 1));
    assert_eq!((row(&a01).poor, row(&a01).rectification_rate), (0, None));
}

#[test]
fn an_upheld_appeal_takes_the_rating_out_of_the_rates() {
    let mut h = Hall::new();
    h.morning();
    let (a01, a02, m1, m2) = (h.a01.clone(), h.a02.clone(), h.m1.clone(), h.m2.clone());
    h.rate("t1", &a01, &m1, RatingLevel::VerySatisfied);
    h.rate("t4", &a02, &m2, RatingLevel::VeryDissatisfied);
    assert_eq!(h.hall_row().poor_rate, Some(0.5));
    let case = h.case_of("r-t4");
    h.step(&case, Action::Appeal { reason: "群众误评，监控可证".into() }, "张三");
    h.step(&case, Action::UpholdAppeal { reason: "监控显示办理正常".into() }, "王主任");
    let r = h.hall_row();
    // Counted in `excluded` only: 1 rating, good, no poor, no case figures.
    assert_eq!((r.ratings, r.good, r.poor, r.excluded), (1, 1, 0, 1));
    assert_eq!(r.levels.very_dissatisfied, 0);
    assert_eq!(r.poor_rate, Some(0.0));
    assert_eq!(r.good_rate, Some(1.0));
    assert_eq!(r.rectification_rate, None);
    assert_eq!(r.rating_rate, Some(1.0 / 3.0));
}
