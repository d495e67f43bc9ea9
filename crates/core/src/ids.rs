//! UUIDv7 ids, stamped from the store's clock (not the wall clock) so tests are repeatable in
//! their ordering; the v7 context keeps ids strictly increasing within one millisecond.

use chrono::{DateTime, Utc};
use std::sync::Mutex;
use uuid::{ContextV7, Timestamp, Uuid};

pub(crate) struct IdGen(Mutex<ContextV7>);

impl IdGen {
    pub(crate) fn new() -> Self {
        Self(Mutex::new(ContextV7::new()))
    }

    pub(crate) fn next(&self, now: DateTime<Utc>) -> String {
        let secs = now.timestamp().max(0) as u64;
        let ctx = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let ts = Timestamp::from_unix(&*ctx, secs, now.timestamp_subsec_nanos());
        Uuid::new_v7(ts).to_string()
    }
}

/// The id of a catalog row named by its code (a department's or a matter's): the same on every
/// PC, so two PCs importing one catalog while offline make the same rows, which sync merges,
/// instead of two copies of every matter.
pub(crate) fn from_code(kind: &str, code: &str) -> String {
    const NAMESPACE: Uuid = Uuid::from_u128(0x6b1f_3c2e_8d4a_4f7e_9a51_2c0d_e4b7_a913);
    Uuid::new_v5(&NAMESPACE, format!("{kind}:{code}").as_bytes()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_ids_depend_on_the_code_only() {
        assert_eq!(from_code("matter", "C1"), from_code("matter", "C1"));
        assert_ne!(from_code("matter", "C1"), from_code("matter", "C2"));
        assert_ne!(from_code("matter", "C1"), from_code("department", "C1"));
    }

    #[test]
    fn ids_are_v7_and_increase_within_one_instant() {
        let gen = IdGen::new();
        let now = DateTime::parse_from_rfc3339("2026-11-25T09:00:00Z").unwrap().with_timezone(&Utc);
        let ids: Vec<String> = (0..100).map(|_| gen.next(now)).collect();
        for pair in ids.windows(2) {
            assert!(pair[0] < pair[1], "{} !< {}", pair[0], pair[1]);
        }
        let parsed = Uuid::parse_str(&ids[0]).unwrap();
        assert_eq!(parsed.get_version_num(), 7);
        let (secs, _) = parsed.get_timestamp().unwrap().to_unix();
        assert_eq!(secs as i64, now.timestamp());
    }
}
