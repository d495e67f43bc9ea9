//! Staff records and today's seating.

mod common;

use common::*;
use hallkeeper_core::proto::{Locale, SeatInput, StaffInput, WindowState};

fn input(no: &str, name: &str) -> StaffInput {
    StaffInput { employee_no: no.into(), name: name.into(), department_id: None }
}

#[test]
fn staff_are_validated_and_employee_numbers_are_unique() {
    let (store, _) = store();
    let s = store.create_staff(ACTOR, &input(" zw-001 ", " 张晓燕 ")).unwrap();
    assert_eq!((s.employee_no.as_str(), s.name.as_str()), ("ZW-001", "张晓燕"));
    let err = store.create_staff(ACTOR, &input("zw-001", "李娜")).unwrap_err().to_body(Locale::ZhCn);
    assert_eq!(
        (err.code.as_str(), err.field.as_deref()),
        ("staff.employee_no_duplicate", Some("employeeNo"))
    );
    assert!(err.message.contains("张晓燕"), "{}", err.message);
    for (no, name, code) in [
        ("", "甲", "staff.employee_no_empty"),
        ("ZW 2", "甲", "staff.employee_no_invalid"),
        ("ZW-2", " ", "staff.name_empty"),
        ("ZW-2", "甲\n乙", "staff.name_invalid"),
    ] {
        assert_eq!(store.create_staff(ACTOR, &input(no, name)).unwrap_err().code(), code, "{no:?} {name:?}");
    }
    let err = store
        .create_staff(ACTOR, &StaffInput { department_id: Some("nope".into()), ..input("ZW-3", "王强") })
        .unwrap_err();
    assert_eq!(err.code(), "department.not_found");
    assert_eq!(store.list_staff().unwrap().len(), 1);
    let audit = store.list_audit(10, None).unwrap().entries;
    assert_eq!(audit[0].action, "staff.create");
}

#[test]
fn seating_someone_moves_them_and_the_day_is_the_halls_local_date() {
    let (store, clock) = store();
    let a1 = window(&store, "A01", WindowState::Open);
    let a2 = window(&store, "A02", WindowState::Open);
    let zhang = store.create_staff(ACTOR, &input("ZW-001", "张晓燕")).unwrap().id;
    // 2026-11-25T17:30Z is already the 26th in the hall (UTC+8).
    clock.set(at("2026-11-25T17:30:00Z"));
    let r =
        store.set_seat(ACTOR, &SeatInput { window_id: a1.clone(), staff_id: Some(zhang.clone()) }).unwrap();
    assert_eq!(r.date, "2026-11-26");
    assert_eq!(r.seats.len(), 1);
    let r =
        store.set_seat(ACTOR, &SeatInput { window_id: a2.clone(), staff_id: Some(zhang.clone()) }).unwrap();
    assert_eq!(
        r.seats.iter().map(|s| s.window_id.as_str()).collect::<Vec<_>>(),
        [a2.as_str()],
        "moved, not doubled"
    );
    // The next day starts empty; yesterday's seating is kept.
    clock.set(at("2026-11-26T16:30:00Z"));
    assert!(store.roster_today().unwrap().seats.is_empty());
    assert_eq!(store.roster_today().unwrap().date, "2026-11-27");
    // Deleting the person clears their seats.
    clock.set(at("2026-11-25T17:30:00Z"));
    store.delete_staff(ACTOR, &zhang).unwrap();
    assert!(store.roster_today().unwrap().seats.is_empty());
    let err = store
        .set_seat(ACTOR, &SeatInput { window_id: a1, staff_id: Some(zhang) })
        .unwrap_err()
        .to_body(Locale::EnUs);
    assert_eq!((err.code.as_str(), err.field.as_deref()), ("staff.not_found", Some("staffId")));
}
