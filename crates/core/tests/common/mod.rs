//! Shared by the core's integration tests: a store at a fixed instant and the sample catalog.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use hallkeeper_core::proto::{
    ColumnMapping, ImportProgress, ImportRequest, Rating, RatingLevel, RatingRecord, SeatInput, Staff,
    StaffInput, WindowInput, WindowKind, WindowState,
};
use hallkeeper_core::{FixedClock, Store};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const ACTOR: &str = "tester";

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
}

pub fn store() -> (Store, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(at("2026-11-25T01:30:00Z")));
    (Store::open_in_memory(clock.clone()).unwrap(), clock)
}

pub fn sample_csv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample-catalog/sample-catalog.csv")
}

pub fn sample_json() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample-catalog/sample-catalog.json")
}

#[allow(unused_imports)]
pub use hallkeeper_core::catalog::mapping::standard_order as sample_mapping;

pub fn request(path: &Path, mapping: ColumnMapping) -> ImportRequest {
    ImportRequest { path: path.to_string_lossy().into_owned(), mapping }
}

pub fn quiet(_: ImportProgress) {}

/// Previews and applies a file; returns the outcome.
pub fn import(store: &Store, path: &Path, mapping: ColumnMapping) -> hallkeeper_core::proto::ImportOutcome {
    let req = request(path, mapping);
    let preview = store.preview_import(&req, &quiet).unwrap();
    store.apply_import(ACTOR, &req, &preview.fingerprint, &quiet).unwrap()
}

/// A general window without a zone.
pub fn window_input(number: &str, name: &str, state: WindowState) -> WindowInput {
    WindowInput {
        number: number.into(),
        name: name.into(),
        zone: String::new(),
        kind: WindowKind::General,
        state,
    }
}

pub fn window(store: &Store, number: &str, state: WindowState) -> String {
    store.create_window(ACTOR, &window_input(number, &format!("窗口{number}"), state)).unwrap().id
}

/// A staff member of no department, created by [`ACTOR`].
pub fn staff(store: &Store, employee_no: &str, name: &str) -> Staff {
    store
        .create_staff(
            ACTOR,
            &StaffInput { employee_no: employee_no.into(), name: name.into(), department_id: None },
        )
        .unwrap()
}

/// Staff member 1001 张三, seated at `window_id`; returns the staff id.
pub fn seat_zhang_san(store: &Store, window_id: &str) -> String {
    let p = staff(store, "1001", "张三");
    store.set_seat(ACTOR, &SeatInput { window_id: window_id.into(), staff_id: Some(p.id.clone()) }).unwrap();
    p.id
}

/// The sample CSV's lines (header first), for tests that write variants of it.
pub fn sample_lines() -> Vec<String> {
    std::fs::read_to_string(sample_csv()).unwrap().lines().map(str::to_owned).collect()
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A rating of hall h1 as the server's feed sends it: id `r-<ticket>`, ticket number `A<seq>`, no
/// reasons and no comment.
pub fn rating_record(
    seq: i64,
    ticket: &str,
    window: &str,
    matter: &str,
    level: RatingLevel,
    at: &str,
) -> RatingRecord {
    RatingRecord {
        seq,
        rating: Rating {
            id: format!("r-{ticket}"),
            hall_id: "h1".into(),
            ticket_id: ticket.into(),
            ticket_number: format!("A{seq:03}"),
            window_id: window.into(),
            matter_id: matter.into(),
            level,
            reasons: Vec::new(),
            comment: String::new(),
            at: at.into(),
        },
    }
}
