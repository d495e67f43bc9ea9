//! The live queue monitor's figures at fixed clocks: a small hall's morning written as the
//! server would log it (made with the queue engine itself), appended as sync appends it, and the
//! dashboard read from the store.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{at, import, sample_csv, sample_mapping, seat_zhang_san, window, ACTOR};
use hallkeeper_core::dashboard::AlarmTracker;
use hallkeeper_core::proto::{
    AlertLevel, AlertSubject, BindInput, BindingPriority, PriorityClass, SuggestionKind, ThresholdOverride,
    TicketEvent, TicketState, WindowState,
};
use hallkeeper_core::store::queue_settings;
use hallkeeper_core::{FixedClock, Store};
use hallkeeper_queue::HallQueue;
use std::sync::Arc;

struct Hall {
    store: Store,
    clock: Arc<FixedClock>,
    queue: HallQueue,
    seq: i64,
    a01: String,
    a02: String,
    a03: String,
    m1: String,
    m2: String,
}

/// 09:00 hall time (UTC+8) on 2026-11-25.
fn nine() -> DateTime<Utc> {
    at("2026-11-25T01:00:00Z")
}

impl Hall {
    /// A01 and A03 (paused) handle m1, A02 handles m2; 张三 sits at A01.
    fn new() -> Hall {
        let clock = Arc::new(FixedClock::new(nine()));
        let store = Store::open_in_memory(clock.clone()).unwrap();
        import(&store, &sample_csv(), sample_mapping());
        let matters = store.catalog().unwrap().matters;
        let (m1, m2) = (matters[0].id.clone(), matters[1].id.clone());
        let a01 = window(&store, "A01", WindowState::Open);
        let a02 = window(&store, "A02", WindowState::Open);
        let a03 = window(&store, "A03", WindowState::Paused);
        for (w, m) in [(&a01, &m1), (&a03, &m1), (&a02, &m2)] {
            store
                .bind_matters(
                    ACTOR,
                    &BindInput {
                        window_id: w.clone(),
                        matter_ids: vec![m.clone()],
                        priority: BindingPriority::Primary,
                    },
                )
                .unwrap();
        }
        seat_zhang_san(&store, &a01);
        let queue = HallQueue::new(store.hall_config(queue_settings()).unwrap().queue_config()).unwrap();
        Hall { store, clock, queue, seq: 0, a01, a02, a03, m1, m2 }
    }

    /// Appends events as sync does (seqs increase, not dense).
    fn log(&mut self, events: &[TicketEvent]) {
        let rows: Vec<(i64, String, String)> = events
            .iter()
            .map(|e| {
                self.seq += 3;
                (self.seq, "2026-11-25".to_owned(), serde_json::to_string(e).unwrap())
            })
            .collect();
        let after = self.store.events_cursor().unwrap();
        let last = rows.last().map_or(after, |r| r.0);
        self.store
            .apply_events(after, rows.iter().map(|(s, d, e)| (*s, d.as_str(), e.as_str())), last)
            .unwrap();
    }

    fn issue(&mut self, id: &str, matter: &str, minute: i64) -> TicketEvent {
        let m = matter.to_owned();
        self.queue.issue(id, &m, PriorityClass::Normal, nine() + Duration::minutes(minute)).unwrap()
    }
}

#[test]
fn a_mornings_figures_per_window_matter_and_hall() {
    let mut h = Hall::new();
    let (m1, m2, a01) = (h.m1.clone(), h.m2.clone(), h.a01.clone());
    let mut events =
        vec![h.issue("t1", &m1, 0), h.issue("t2", &m1, 2), h.issue("t3", &m1, 4), h.issue("t4", &m2, 5)];
    events.push(h.queue.call_next(&a01, nine() + Duration::minutes(6)).unwrap()); // t1 waited 6 min
    events.push(h.queue.start(&a01, "t1", nine() + Duration::minutes(7)).unwrap());
    events.push(h.queue.finish(&a01, "t1", nine() + Duration::minutes(15)).unwrap());
    events.push(h.queue.call_next(&a01, nine() + Duration::minutes(16)).unwrap()); // t2 waited 14 min
    h.log(&events);
    h.clock.set(nine() + Duration::minutes(20));

    let d = h.store.dashboard().unwrap();
    assert_eq!(d.day, "2026-11-25");
    let tile = |id: &str| d.tiles.iter().find(|t| t.window_id == id).unwrap();
    let a01t = tile(&h.a01);
    assert_eq!(a01t.staff_name.as_deref(), Some("张三"));
    let current = a01t.current.as_ref().unwrap();
    assert_eq!(
        (current.ticket_id.as_str(), current.state, current.for_secs),
        ("t2", TicketState::Called, 4 * 60)
    );
    assert_eq!(a01t.waiting, 1, "t3 waits for A01");
    assert_eq!(a01t.longest_wait_secs, Some(16 * 60), "t3 issued at 09:04, now 09:20");
    assert_eq!(a01t.served_today, 1);
    assert_eq!(tile(&h.a02).waiting, 1, "t4 waits for A02");
    assert_eq!(tile(&h.a03).waiting, 1, "a paused window still sees its queue");
    assert_eq!(
        d.tiles.iter().map(|t| t.number.as_str()).collect::<Vec<_>>(),
        ["A01", "A02", "A03"],
        "floor order"
    );

    assert_eq!(
        (d.totals.waiting, d.totals.issued_today, d.totals.served_today, d.totals.no_shows_today),
        (2, 4, 1, 0)
    );
    assert_eq!(d.totals.average_wait_today_secs, Some((6 + 14) * 60 / 2), "issue → first call of t1 and t2");
    assert_eq!(d.totals.satisfaction_today, None, "ratings are not on the desktop yet");
    assert_eq!(d.hours.len(), 1);
    assert_eq!((d.hours[0].hour, d.hours[0].arrivals, d.hours[0].served), (9, 4, 1));
    assert_eq!(d.waiting_series.first().map(|p| p.at.as_str()), Some("2026-11-25T01:00:00Z"));
    assert_eq!(d.waiting_series.last().map(|p| p.waiting), Some(2));
    assert_eq!(d.waiting_series[1].waiting, 3, "at 09:10: t1 was called at 09:06, t2–t4 wait");
    let m1q = d.matters.iter().find(|m| m.matter_id == m1).unwrap();
    assert_eq!((m1q.waiting, m1q.open_windows, m1q.window_ids.len()), (1, 1, 2));
    assert_eq!(d.last_event_at.as_deref(), Some("2026-11-25T01:16:00Z"));
    assert!(d.alerts.is_empty(), "all below the default thresholds: {:?}", d.alerts);
}

#[test]
fn thresholds_colour_and_suggest_and_alarms_notify_once_per_crossing() {
    let mut h = Hall::new();
    let m1 = h.m1.clone();
    let events: Vec<TicketEvent> = (0..6).map(|i| h.issue(&format!("t{i}"), &m1, i)).collect();
    h.log(&events);
    h.clock.set(nine() + Duration::minutes(10));
    // Alarm for the matter at 5 waiting; warning at 3.
    let mut t = h.store.threshold_settings().unwrap();
    t.matters.push(ThresholdOverride {
        subject_id: m1.clone(),
        thresholds: hallkeeper_core::proto::Thresholds {
            waiting_warning: 3,
            waiting_alarm: 5,
            wait_warning_min: 60,
            wait_alarm_min: 120,
        },
    });
    t.quiet_min = 30;
    h.store.set_threshold_settings(ACTOR, &t).unwrap();

    let d = h.store.dashboard().unwrap();
    let m = d.matters.iter().find(|q| q.matter_id == m1).unwrap();
    assert_eq!((m.waiting, m.level), (6, AlertLevel::Alarm));
    assert_eq!(d.alerts[0].subject, AlertSubject::Matter);
    // A03 is bound to it but paused: open it; A02 is open, idle and not bound: overflow.
    let kinds: Vec<(SuggestionKind, &str)> =
        d.suggestions.iter().map(|s| (s.kind, s.window_number.as_str())).collect();
    assert_eq!(kinds, [(SuggestionKind::OpenWindow, "A03"), (SuggestionKind::BindOverflow, "A02")]);

    let mut tracker = AlarmTracker::default();
    let now = h.store.now();
    let first = tracker.observe(&d, t.quiet_min, now);
    assert_eq!(first.len(), 1, "one notice for the crossing: {first:?}");
    assert_eq!(first[0].subject_id, m1);
    assert!(tracker.observe(&d, t.quiet_min, now + Duration::minutes(1)).is_empty(), "still in alarm: quiet");

    // Down to 4 (warning band): not re-armed; back to 6: no new notice.
    let a01 = h.a01.clone();
    let called = h.queue.call_next(&a01, nine() + Duration::minutes(11)).unwrap();
    let ended = h.queue.no_show(&a01, "t0", nine() + Duration::minutes(12)).unwrap();
    let called2 = h.queue.call_next(&a01, nine() + Duration::minutes(12)).unwrap();
    h.log(&[called, ended, called2]);
    h.clock.set(nine() + Duration::minutes(13));
    let d = h.store.dashboard().unwrap();
    assert_eq!(d.matters.iter().find(|q| q.matter_id == m1).unwrap().level, AlertLevel::Warning);
    assert!(tracker.observe(&d, t.quiet_min, h.store.now()).is_empty());
    let more: Vec<TicketEvent> = (6..8).map(|i| h.issue(&format!("t{i}"), &m1, 13)).collect();
    h.log(&more);
    let d = h.store.dashboard().unwrap();
    assert_eq!(d.matters.iter().find(|q| q.matter_id == m1).unwrap().level, AlertLevel::Alarm);
    assert!(
        tracker.observe(&d, t.quiet_min, h.store.now()).is_empty(),
        "hysteresis: it never fell below warning"
    );

    // Binding the matter to A02 for today: the suggestion is taken, the binding lapses tomorrow.
    let a02 = h.a02.clone();
    h.store.bind_overflow_today(ACTOR, &a02, &m1).unwrap();
    let d = h.store.dashboard().unwrap();
    assert_eq!(
        d.tiles.iter().find(|t| t.window_id == a02).unwrap().waiting,
        6,
        "A02 now sees m1's queue (t2–t7)"
    );
    assert!(h.store.list_bindings().unwrap().iter().any(|b| b.window_id == a02 && b.matter_id == m1));
    h.clock.set(at("2026-11-26T01:00:00Z"));
    assert!(
        !h.store.list_bindings().unwrap().iter().any(|b| b.window_id == a02 && b.matter_id == m1),
        "lapsed the next hall day"
    );
    let d = h.store.dashboard().unwrap();
    assert_eq!((d.day.as_str(), d.totals.issued_today), ("2026-11-26", 0), "a new day starts empty");
    // Yesterday's alarm is over: a new crossing today notifies again (the quiet period passed).
    let _ = tracker.observe(&d, t.quiet_min, h.store.now());
}

#[test]
fn a_closed_window_is_never_in_alarm_and_bad_thresholds_name_the_field() {
    let h = Hall::new();
    let mut t = h.store.threshold_settings().unwrap();
    t.window_default.wait_alarm_min = 5; // below the warning of 20
    let err = h.store.set_threshold_settings(ACTOR, &t).unwrap_err();
    assert_eq!(err.code(), "threshold.invalid");
    assert_eq!(err.to_body(Default::default()).field.as_deref(), Some("windowDefault.waitAlarmMin"));
    assert_eq!(h.store.threshold_settings().unwrap().window_default.wait_alarm_min, 40, "nothing saved");
    h.store.set_window_state(ACTOR, &h.a03, WindowState::Closed).unwrap();
    let d = h.store.dashboard().unwrap();
    assert!(d.tiles.iter().all(|t| t.level == AlertLevel::Normal));
}

#[test]
fn deltas_carry_what_a_person_would_see_change_and_rebuild_the_picture() {
    use hallkeeper_core::dashboard::{apply, diff};
    let mut h = Hall::new();
    let (m1, m2, a01) = (h.m1.clone(), h.m2.clone(), h.a01.clone());
    let events = vec![h.issue("t1", &m1, 0), h.issue("t2", &m1, 1), h.issue("t3", &m2, 2)];
    h.log(&events);
    h.clock.set(nine() + Duration::minutes(3));
    let mut before = h.store.dashboard().unwrap();
    before.seq = 7;

    // Seconds alone: nothing to send.
    h.clock.set(nine() + Duration::minutes(3) + Duration::seconds(20));
    let mut same = h.store.dashboard().unwrap();
    same.seq = 8;
    assert_ne!(same.at, before.at);
    assert_eq!(diff(&before, &same), None, "only seconds moved");

    // A01 calls t1: A01's tile and A03's (same matter, one fewer waiting) change, A02's does not.
    let call = h.queue.call_next(&a01, nine() + Duration::minutes(3) + Duration::seconds(30)).unwrap();
    h.log(&[call]);
    h.clock.set(nine() + Duration::minutes(3) + Duration::seconds(40));
    let mut after = h.store.dashboard().unwrap();
    after.seq = 9;
    let delta = diff(&before, &after).expect("a change");
    assert_eq!((delta.seq, delta.base_seq), (9, 7));
    let mut changed: Vec<&str> = delta.tiles.iter().map(|t| t.number.as_str()).collect();
    changed.sort_unstable();
    assert_eq!(changed, ["A01", "A03"]);
    assert_eq!(delta.tile_order, None, "same windows in the same order");
    assert!(delta.totals.as_ref().is_some_and(|t| t.waiting == 2), "{:?}", delta.totals);
    assert!(delta.matters.iter().all(|m| m.matter_id == m1), "m2's queue did not move");
    let rebuilt = apply(&before, &delta);
    assert_eq!(rebuilt.seq, 9);
    assert_eq!(diff(&rebuilt, &after), None, "the delta rebuilds what the UI must show");
    assert!(rebuilt.matters.iter().any(|m| m.matter_id == m2));

    // A new window: the order comes along, and the rebuilt picture has it in floor order.
    window(&h.store, "A04", WindowState::Open);
    let mut more = h.store.dashboard().unwrap();
    more.seq = 10;
    let delta = diff(&after, &more).expect("a new tile");
    assert_eq!(delta.tiles.iter().map(|t| t.number.as_str()).collect::<Vec<_>>(), ["A04"]);
    assert_eq!(delta.tile_order.as_ref().map(Vec::len), Some(4));
    assert_eq!(
        apply(&after, &delta).tiles.iter().map(|t| t.number.as_str()).collect::<Vec<_>>(),
        ["A01", "A02", "A03", "A04"]
    );

    // A new hall day is never a delta: the whole dashboard goes.
    h.clock.set(nine() + Duration::days(1));
    let next_day = h.store.dashboard().unwrap();
    assert_eq!(diff(&more, &next_day), None);
}

#[test]
fn satisfaction_and_poor_ratings_today_come_from_the_ratings_pulled() {
    use hallkeeper_core::proto::RatingLevel;
    let h = Hall::new();
    let rated = |seq: i64, ticket: &str, level: RatingLevel, at: &str| {
        common::rating_record(seq, ticket, &h.a01, &h.m1, level, at)
    };
    let d = h.store.dashboard().unwrap();
    assert_eq!((d.totals.satisfaction_today, d.totals.open_poor_ratings), (None, Some(0)), "no ratings yet");

    let page = [
        rated(2, "t1", RatingLevel::VerySatisfied, "2026-11-25T01:10:00.000Z"),
        rated(4, "t2", RatingLevel::Satisfied, "2026-11-25T01:12:00.000Z"),
        rated(6, "t3", RatingLevel::Neutral, "2026-11-25T01:14:00.000Z"),
        rated(8, "t4", RatingLevel::VeryDissatisfied, "2026-11-25T01:16:00.000Z"),
        // Yesterday evening in the hall: not today's.
        rated(9, "t0", RatingLevel::Dissatisfied, "2026-11-24T12:00:00.000Z"),
    ];
    let applied = h.store.apply_ratings(0, &page, 9).unwrap().unwrap();
    assert_eq!(applied.poor.iter().map(|r| r.ticket_id.as_str()).collect::<Vec<_>>(), ["t4", "t0"]);
    assert!(applied.poor[0].staff_id.is_some(), "张三 sat at A01 today");
    assert_eq!(applied.poor[1].staff_id, None, "nobody was seated there yesterday");

    let d = h.store.dashboard().unwrap();
    assert_eq!(d.totals.satisfaction_today, Some(0.5), "2 good of 4 today");
    // Open rectification cases, whatever day: today's t4 and yesterday's t0.
    assert_eq!(d.totals.open_poor_ratings, Some(2));
    // A replayed page changes nothing.
    assert_eq!(h.store.apply_ratings(0, &page, 9).unwrap(), None);
    assert_eq!(h.store.dashboard().unwrap().totals, d.totals);
}
