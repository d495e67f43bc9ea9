//! Working-day deadlines against the State Council's holiday notices for 2024–2026: counts across
//! 春节, 国庆 and 元旦 with their make-up working days (调休上班), the year boundary, and years
//! whose notice is not out (flagged, never guessed). Expected dates are counted by hand in the
//! comments; the count starts the day after the case is opened.

use chrono::{Datelike, NaiveDate, Weekday};
use hallkeeper_core::calendar::{Calendar, CalendarError, DayKind, Deadline, EntryProblem, EMBEDDED_JSON};
use hallkeeper_core::proto::Locale;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn cal() -> &'static Calendar {
    Calendar::builtin()
}

fn known(s: &str) -> Deadline {
    Deadline::Known { date: d(s) }
}

#[test]
fn spring_festival_2025_with_its_two_make_up_days() {
    // Opened Mon 2025-01-20, 15 working days:
    //  1 01-21 Tue   2 01-22 Wed   3 01-23 Thu   4 01-24 Fri
    //  (01-25 Sat off)  5 01-26 Sun 调休上班   6 01-27 Mon
    //  (01-28 … 02-04 春节 off, incl. the weekend 02-01/02)
    //  7 02-05 Wed   8 02-06 Thu   9 02-07 Fri  10 02-08 Sat 调休上班
    //  (02-09 Sun off) 11 02-10 Mon 12 02-11 13 02-12 14 02-13 15 02-14 Fri
    assert_eq!(cal().add_working_days(d("2025-01-20"), 15).unwrap(), known("2025-02-14"));
    // Opened Fri 2025-01-24, 5 working days (德州): 1 01-26 Sun 调休, 2 01-27, then 春节,
    // 3 02-05, 4 02-06, 5 02-07.
    assert_eq!(cal().add_working_days(d("2025-01-24"), 5).unwrap(), known("2025-02-07"));
    // Opened on the first day of the holiday: the count starts after it, on 02-05.
    // 1 02-05 2 02-06 3 02-07 4 02-08 Sat 调休 5 02-10.
    assert_eq!(cal().add_working_days(d("2025-01-28"), 5).unwrap(), known("2025-02-10"));
}

#[test]
fn spring_festival_2026_nine_days_with_saturday_make_ups() {
    // Opened Tue 2026-02-10, 15 working days:
    //  1 02-11 Wed  2 02-12 Thu  3 02-13 Fri  4 02-14 Sat 调休上班
    //  (02-15 Sun … 02-23 Mon 春节 off, nine days)
    //  5 02-24 Tue  6 02-25  7 02-26  8 02-27 Fri  9 02-28 Sat 调休上班
    //  (03-01 Sun off) 10 03-02 Mon 11 03-03 12 03-04 13 03-05 14 03-06 Fri
    //  (03-07/08 weekend) 15 03-09 Mon
    assert_eq!(cal().add_working_days(d("2026-02-10"), 15).unwrap(), known("2026-03-09"));
    // Opened Thu 2026-02-12, 5 working days: 1 02-13, 2 02-14 Sat 调休, 3 02-24, 4 02-25, 5 02-26.
    assert_eq!(cal().add_working_days(d("2026-02-12"), 5).unwrap(), known("2026-02-26"));
}

#[test]
fn national_day_2025_eight_days() {
    // Opened Fri 2025-09-26, 5 working days: (09-27 Sat off) 1 09-28 Sun 调休, 2 09-29 Mon,
    // 3 09-30 Tue, (10-01 … 10-08 国庆节、中秋节 off) 4 10-09 Thu, 5 10-10 Fri.
    assert_eq!(cal().add_working_days(d("2025-09-26"), 5).unwrap(), known("2025-10-10"));
    // …and on to 15: 6 10-11 Sat 调休, 7 10-13 Mon … 11 10-17 Fri, 12 10-20 … 15 10-23 Thu.
    assert_eq!(cal().add_working_days(d("2025-09-26"), 15).unwrap(), known("2025-10-23"));
}

#[test]
fn year_boundary_across_new_year_2026() {
    // Opened Mon 2025-12-22, 15 working days:
    //  1 12-23 Tue  2 12-24  3 12-25  4 12-26 Fri  (12-27/28 weekend)
    //  5 12-29 Mon  6 12-30  7 12-31 Wed  (2026-01-01 … 01-03 元旦 off)
    //  8 01-04 Sun 调休上班  9 01-05 Mon 10 01-06 11 01-07 12 01-08 13 01-09 Fri
    //  (01-10/11 weekend) 14 01-12 Mon 15 01-13 Tue
    assert_eq!(cal().add_working_days(d("2025-12-22"), 15).unwrap(), known("2026-01-13"));
    assert_eq!(cal().working_days_between(d("2025-12-22"), d("2026-01-13")), Ok(15));
}

#[test]
fn make_up_days_are_working_days_and_holidays_are_not() {
    for s in ["2025-01-26", "2025-02-08", "2026-01-04", "2026-02-14", "2026-02-28", "2024-05-11"] {
        assert_eq!(cal().is_working_day(d(s)), Ok(true), "{s}");
        assert!(matches!(d(s).weekday(), Weekday::Sat | Weekday::Sun), "{s} is a weekend day");
    }
    assert_eq!(cal().day_kind(d("2025-02-08")), Ok(DayKind::MakeUpWorkday { holiday: "春节".into() }));
    // A make-up Saturday counts: from Fri 2025-02-07 the first working day is Sat 02-08.
    assert_eq!(cal().add_working_days(d("2025-02-07"), 1).unwrap(), known("2025-02-08"));
    assert_eq!(cal().add_working_days(d("2026-02-27"), 1).unwrap(), known("2026-02-28"));

    for s in ["2025-01-28", "2025-10-08", "2026-02-23", "2026-01-02", "2024-10-07"] {
        assert_eq!(cal().is_working_day(d(s)), Ok(false), "{s}");
    }
    assert_eq!(cal().day_kind(d("2025-10-08")), Ok(DayKind::Holiday { name: "国庆节、中秋节".into() }));
    assert_eq!(cal().day_kind(d("2025-03-08")), Ok(DayKind::Weekend));
    assert_eq!(cal().day_kind(d("2025-03-12")), Ok(DayKind::Workday));
}

#[test]
fn the_shipped_file_matches_the_notices() {
    let c = cal();
    let notice = |y: i32| c.years().find(|i| i.year == y).and_then(|i| i.notice.clone()).unwrap();
    assert_eq!(notice(2024).id.as_deref(), Some("国办发明电〔2023〕7号"));
    assert_eq!(notice(2025).id.as_deref(), Some("国办发明电〔2024〕12号"));
    assert_eq!(notice(2025).issued, Some(d("2024-11-12")));
    assert_eq!(notice(2026).issued, Some(d("2025-11-04")));
    // 2025 春节: 01-28 … 02-04 off (8 days), 01-26 and 02-08 worked.
    for day in d("2025-01-28").iter_days().take(8) {
        assert_eq!(c.day_kind(day), Ok(DayKind::Holiday { name: "春节".into() }), "{day}");
    }
    assert_eq!(c.day_kind(d("2025-02-05")), Ok(DayKind::Workday));
    // 2026 春节: 02-15 … 02-23 off (9 days), 02-14 and 02-28 worked.
    for day in d("2026-02-15").iter_days().take(9) {
        assert_eq!(c.day_kind(day), Ok(DayKind::Holiday { name: "春节".into() }), "{day}");
    }
    assert_eq!(c.day_kind(d("2026-02-24")), Ok(DayKind::Workday));
    // Per year: days off that would otherwise be working days, and make-up days.
    let count = |y: i32| {
        let days: Vec<_> =
            NaiveDate::from_ymd_opt(y, 1, 1).unwrap().iter_days().take_while(|x| x.year() == y).collect();
        let weekend = |x: &NaiveDate| matches!(x.weekday(), Weekday::Sat | Weekday::Sun);
        let off = days.iter().filter(|x| !weekend(x) && c.is_working_day(**x) == Ok(false)).count();
        let worked = days.iter().filter(|x| weekend(x) && c.is_working_day(**x) == Ok(true)).count();
        (off, worked)
    };
    // 2024: 11 statutory days + 8 moved by 调休 = 19 weekdays off; 8 make-up days.
    assert_eq!(count(2024), (19, 8));
    // 2025 (13 statutory days since the 2024 revision): 13 + 5 = 18 weekdays off; 5 make-up days.
    assert_eq!(count(2025), (18, 5));
    // 2026's last three days wait for the 2027 notice, so count only what is known.
    assert_eq!(c.is_working_day(d("2026-12-29")), Err(CalendarError::YearUnpublished { year: 2027 }));
}

#[test]
fn an_unpublished_year_is_flagged_not_guessed() {
    let c = cal();
    for s in ["2028-03-01", "2027-06-01", "2023-12-01"] {
        let year = d(s).year();
        assert_eq!(c.is_working_day(d(s)), Err(CalendarError::YearUnpublished { year }), "{s}");
    }
    // Opened in 2028: nothing can be counted; the deadline is at least 15 days out.
    assert_eq!(
        c.add_working_days(d("2028-03-01"), 15).unwrap(),
        Deadline::Unpublished { year: 2028, counted: 0, required: 15, earliest: d("2028-03-16") }
    );
    // Opened Thu 2026-12-10, 15 working days: 1 12-11 Fri, 2 12-14 … 6 12-18, 7 12-21 … 11 12-25,
    // 12 12-28 Mon; 12-29 may yet be touched by the 2027 notice (元旦 has reached back into
    // December before), so 3 days are left to count from 12-29: on or after 12-31.
    assert_eq!(
        c.add_working_days(d("2026-12-10"), 15).unwrap(),
        Deadline::Unpublished { year: 2027, counted: 12, required: 15, earliest: d("2026-12-31") }
    );
    // A deadline that stays before the last days of December is certain.
    assert_eq!(c.add_working_days(d("2026-12-18"), 5).unwrap(), known("2026-12-25"));
    assert_eq!(
        c.working_days_between(d("2026-12-01"), d("2027-01-10")),
        Err(CalendarError::YearUnpublished { year: 2027 })
    );
    let e = CalendarError::YearUnpublished { year: 2028 };
    assert_eq!(e.code(), "calendar.year_unpublished");
    assert!(e.message(Locale::ZhCn).contains("2028"));
    assert!(e.message(Locale::EnUs).contains("2028"));
}

#[test]
fn a_newer_file_publishes_the_next_year() {
    // A hypothetical 2027 notice, for the test only: 元旦 2027-01-01 (Fri) … 01-03 off.
    let mut doc: serde_json::Value = serde_json::from_str(EMBEDDED_JSON).unwrap();
    let years = doc["years"].as_array_mut().unwrap();
    let y2027 = years.iter_mut().find(|y| y["year"] == 2027).unwrap();
    *y2027 = serde_json::json!({
        "year": 2027, "published": true,
        "notice": { "title": "测试用假设通知（非真实）" },
        "holidays": [{ "name": "元旦", "start": "2027-01-01", "end": "2027-01-03" }],
        "makeUpDays": []
    });
    let c = Calendar::from_json(&doc.to_string()).unwrap();
    // Opened Thu 2026-12-10 as above: 12 12-28, 13 12-29, 14 12-30, 15 12-31 Thu.
    assert_eq!(c.add_working_days(d("2026-12-10"), 15).unwrap(), known("2026-12-31"));
    assert_eq!(c.is_working_day(d("2027-01-01")), Ok(false));
    assert_eq!(c.is_working_day(d("2027-01-04")), Ok(true));
    assert!(c.is_working_day(d("2027-12-31")).is_err(), "2028 is still unpublished");
}

#[test]
fn days_until_counts_working_days_left() {
    let c = cal();
    // Deadline Fri 2025-02-14 seen on Fri 02-07: 02-08 Sat 调休, 02-10 … 02-14: 6 left.
    assert_eq!(c.days_until(d("2025-02-14"), d("2025-02-07")), Ok(6));
    assert_eq!(c.days_until(d("2025-02-14"), d("2025-02-14")), Ok(0));
    // Seen on Sunday 02-16: still 0 working days late; on Monday 02-17 one late.
    assert_eq!(c.days_until(d("2025-02-14"), d("2025-02-16")), Ok(0));
    assert_eq!(c.days_until(d("2025-02-14"), d("2025-02-17")), Ok(-1));
    // Seen during the holiday: 02-05 … 02-14 minus the weekend 02-09 = 9 (02-08 is worked).
    assert_eq!(c.days_until(d("2025-02-14"), d("2025-02-01")), Ok(9));
}

#[test]
fn deadline_serializes_for_the_ui() {
    let k = serde_json::to_value(known("2025-02-14")).unwrap();
    assert_eq!(k, serde_json::json!({ "status": "known", "date": "2025-02-14" }));
    let u = serde_json::to_value(Deadline::Unpublished {
        year: 2027,
        counted: 12,
        required: 15,
        earliest: d("2026-12-31"),
    })
    .unwrap();
    assert_eq!(
        u,
        serde_json::json!({
            "status": "unpublished", "year": 2027, "counted": 12, "required": 15, "earliest": "2026-12-31"
        })
    );
    let back: Deadline = serde_json::from_value(u).unwrap();
    assert_eq!(back.date(), None);
}

/// The shipped file with one year replaced, for the validation tests.
fn with_year(year: serde_json::Value) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(EMBEDDED_JSON).unwrap();
    let years = doc["years"].as_array_mut().unwrap();
    let y = year["year"].clone();
    years.retain(|v| v["year"] != y);
    years.push(year);
    doc.to_string()
}

fn entry_error(json: &str) -> (i32, String, EntryProblem) {
    match Calendar::from_json(json) {
        Err(CalendarError::EntryInvalid { year, entry, problem }) => (year, entry, problem),
        other => panic!("expected an entry error, got {other:?}"),
    }
}

#[test]
fn a_bad_file_is_refused_naming_the_year_and_entry() {
    let notice = serde_json::json!({ "title": "测试" });
    let year = |holidays: serde_json::Value, make_up: serde_json::Value| {
        with_year(serde_json::json!({
            "year": 2027, "published": true, "notice": notice,
            "holidays": holidays, "makeUpDays": make_up
        }))
    };
    let new_year = serde_json::json!([{ "name": "元旦", "start": "2027-01-01", "end": "2027-01-03" }]);

    let (y, entry, p) = entry_error(&year(
        serde_json::json!([{ "name": "春节", "start": "2027-02-10", "end": "2027-02-05" }]),
        serde_json::json!([]),
    ));
    assert_eq!(y, 2027);
    assert!(entry.ends_with(".holidays[0]"), "{entry}");
    assert_eq!(p, EntryProblem::StartAfterEnd { start: d("2027-02-10"), end: d("2027-02-05") });

    // 2027-01-06 is a Wednesday.
    let (_, entry, p) = entry_error(&year(
        new_year.clone(),
        serde_json::json!([{ "date": "2027-01-06", "holiday": "元旦" }]),
    ));
    assert!(entry.ends_with(".makeUpDays[0]"), "{entry}");
    assert_eq!(p, EntryProblem::MakeUpOnWeekday { date: d("2027-01-06") });

    let (_, entry, p) = entry_error(&year(
        new_year.clone(),
        serde_json::json!([{ "date": "2027-01-09", "holiday": "春节" }]),
    ));
    assert!(entry.ends_with(".makeUpDays[0].holiday"), "{entry}");
    assert_eq!(p, EntryProblem::UnknownHoliday { name: "春节".into() });

    let (_, _, p) = entry_error(&year(
        serde_json::json!([{ "name": "国庆节", "start": "2027-12-30", "end": "2028-01-02" }]),
        serde_json::json!([]),
    ));
    assert_eq!(p, EntryProblem::OutsideYear { date: d("2028-01-02") });

    // A date is claimed once only, whichever year's notice claims it.
    let (_, _, p) = entry_error(&year(
        serde_json::json!([{ "name": "元旦", "start": "2026-12-31", "end": "2027-01-01" }, { "name": "x", "start": "2027-01-01", "end": "2027-01-01" }]),
        serde_json::json!([]),
    ));
    assert_eq!(p, EntryProblem::Duplicate { date: d("2027-01-01") });

    let (_, entry, p) =
        entry_error(&with_year(serde_json::json!({ "year": 2027, "published": true, "holidays": new_year })));
    assert!(entry.ends_with(".notice"), "{entry}");
    assert_eq!(p, EntryProblem::NoticeMissing);

    let (_, _, p) = entry_error(&with_year(
        serde_json::json!({ "year": 2027, "published": false, "holidays": new_year }),
    ));
    assert_eq!(p, EntryProblem::UnpublishedWithDays);

    let (_, _, p) = entry_error(&year(serde_json::json!([]), serde_json::json!([])));
    assert_eq!(p, EntryProblem::PublishedWithoutHolidays);

    let e = Calendar::from_json(&year(
        new_year.clone(),
        serde_json::json!([{ "date": "2027-01-06", "holiday": "元旦" }]),
    ))
    .unwrap_err();
    assert_eq!(e.code(), "calendar.entry_invalid");
    assert!(e.to_string().contains("2027") && e.to_string().contains("makeUpDays[0]"), "{e}");
    assert!(e.message(Locale::ZhCn).contains("调休上班日 2027-01-06"), "{}", e.message(Locale::ZhCn));
}

#[test]
fn a_bad_file_shape_or_version_is_refused() {
    assert!(matches!(
        Calendar::from_json("{\"version\": 1, \"years\": ["),
        Err(CalendarError::FileInvalid { .. })
    ));
    let e = Calendar::from_json("{\"version\": 1, \"years\": [{\"year\": 2025, \"published\": \"yes\"}]}")
        .unwrap_err();
    assert_eq!(e.code(), "calendar.file_invalid");
    assert_eq!(
        Calendar::from_json("{\"version\": 2, \"years\": []}").unwrap_err(),
        CalendarError::VersionUnsupported { found: 2, supported: 1 }
    );
    let twice = r#"{"version": 1, "years": [{"year": 2027, "published": false}, {"year": 2027, "published": false}]}"#;
    assert_eq!(Calendar::from_json(twice).unwrap_err(), CalendarError::DuplicateYear { year: 2027 });
    let bad_date = r#"{"version": 1, "years": [{"year": 2027, "published": true, "notice": {"title": "t"},
        "holidays": [{"name": "元旦", "start": "2027-02-30", "end": "2027-02-30"}]}]}"#;
    assert_eq!(Calendar::from_json(bad_date).unwrap_err().code(), "calendar.file_invalid");
}

proptest! {
    /// Counting n working days and counting the working days back give the same n, and the
    /// deadline itself is always a working day.
    #[test]
    fn add_and_between_agree(offset in 0i64..(365 * 3), n in 0u32..40) {
        let c = cal();
        let start = d("2024-01-01") + chrono::Duration::days(offset);
        match c.add_working_days(start, n).unwrap() {
            Deadline::Known { date } => {
                prop_assert_eq!(c.working_days_between(start, date), Ok(i64::from(n)));
                prop_assert_eq!(c.working_days_between(date, start), Ok(-i64::from(n)));
                if n > 0 {
                    prop_assert_eq!(c.is_working_day(date), Ok(true));
                }
            }
            Deadline::Unpublished { year, counted, required, earliest } => {
                prop_assert!(year >= 2027);
                prop_assert!(counted < required);
                prop_assert!(earliest >= d("2026-12-29"));
            }
        }
    }
}
