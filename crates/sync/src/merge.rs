//! The merge rule of sync: a row is a map of fields, each holding the value written by the
//! latest operation (by HLC) that set it, and an optional delete tombstone. A row is visible when
//! some field was written after its latest delete.
//!
//! The state is a join of what each operation says (per field: the value with the highest HLC;
//! the tombstone: the highest delete HLC), so applying operations is commutative, associative and
//! idempotent: any order of delivery, any duplicates or replays, gives the same rows on every
//! replica. A property test checks exactly that.

use crate::hlc::Hlc;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What an operation does to a row.
#[derive(Debug, Clone, PartialEq)]
pub enum RowChange {
    Upsert(Map<String, Value>),
    Delete,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Row {
    /// field → (value, HLC of the write that set it)
    pub fields: BTreeMap<String, (Value, Hlc)>,
    pub deleted: Option<Hlc>,
}

/// What an operation changed, for the audit log of the replica that made it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    /// Fields whose value this operation set.
    pub won: Vec<String>,
    /// Fields a later write (on another replica) had already set: this edit is superseded.
    pub superseded: Vec<String>,
}

/// The field an operation sets when it means "this row exists" (a create, a binding made, a
/// seat taken). A delete is undone only by a later write of it: an edit of another field made
/// on a PC that had not yet seen the delete (a rename, a reorder's new position) does not bring
/// a deleted row back — the delete wins, and the edit is reported as superseded.
pub const LIVE: &str = "_live";

impl Row {
    /// Whether the row exists: written to, and not deleted since it was last (re)created.
    pub fn visible(&self) -> bool {
        match &self.deleted {
            None => !self.fields.is_empty(),
            Some(d) => match self.fields.get(LIVE) {
                Some((_, h)) => h > d,
                // A row written before `LIVE` existed: any later write revives it.
                None => self.fields.values().any(|(_, h)| h > d),
            },
        }
    }

    /// The row's current values (None when deleted), without the bookkeeping `LIVE` field.
    pub fn values(&self) -> Option<Map<String, Value>> {
        self.visible().then(|| {
            self.fields.iter().filter(|(k, _)| *k != LIVE).map(|(k, (v, _))| (k.clone(), v.clone())).collect()
        })
    }

    pub fn apply(&mut self, hlc: &Hlc, change: &RowChange) -> Outcome {
        let mut out = Outcome::default();
        match change {
            RowChange::Delete => {
                if self.deleted.as_ref().is_none_or(|d| hlc > d) {
                    self.deleted = Some(hlc.clone());
                }
            }
            RowChange::Upsert(fields) => {
                for (k, v) in fields {
                    match self.fields.get(k) {
                        Some((_, h)) if h > hlc => out.superseded.push(k.clone()),
                        Some((_, h)) if h == hlc => {} // the same operation again
                        _ => {
                            self.fields.insert(k.clone(), (v.clone(), hlc.clone()));
                            out.won.push(k.clone());
                        }
                    }
                }
            }
        }
        out
    }
}

/// The stored form of a row, the same on the server and the desktop:
/// `{"fields":{name:{"value":…,"hlc":"…"}},"deleted":"…"|null}`.
impl Row {
    pub fn to_json(&self) -> Value {
        let fields: Map<String, Value> = self
            .fields
            .iter()
            .map(|(k, (v, h))| (k.clone(), serde_json::json!({ "value": v, "hlc": h.to_string() })))
            .collect();
        serde_json::json!({ "fields": fields, "deleted": self.deleted.as_ref().map(Hlc::to_string) })
    }

    pub fn from_json(v: &Value) -> Result<Row, String> {
        let mut row = Row::default();
        let fields = v.get("fields").and_then(Value::as_object).ok_or("stored sync row without fields")?;
        for (k, f) in fields {
            let hlc = f
                .get("hlc")
                .and_then(Value::as_str)
                .and_then(Hlc::parse)
                .ok_or_else(|| format!("stored sync row: field {k} without a valid hlc"))?;
            row.fields.insert(k.clone(), (f.get("value").cloned().unwrap_or(Value::Null), hlc));
        }
        row.deleted = match v.get("deleted") {
            None | Some(Value::Null) => None,
            Some(d) => Some(d.as_str().and_then(Hlc::parse).ok_or("stored sync row: bad tombstone")?),
        };
        Ok(row)
    }

    /// An operation's change as it travels: `{"kind":"upsert","fields":{…}}` or `{"kind":"delete"}`.
    pub fn parse_change(change: &Value) -> Option<RowChange> {
        match change.get("kind").and_then(Value::as_str) {
            Some("delete") => Some(RowChange::Delete),
            Some("upsert") => change.get("fields").and_then(Value::as_object).cloned().map(RowChange::Upsert),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hlc(millis: i64, device: &str) -> Hlc {
        Hlc { millis, counter: 0, device: device.into() }
    }

    fn set(k: &str, v: &str) -> RowChange {
        let mut m = Map::new();
        m.insert(k.into(), v.into());
        RowChange::Upsert(m)
    }

    #[test]
    fn the_later_edit_wins_per_field_whatever_the_arrival_order() {
        let mut a = Row::default();
        a.apply(&hlc(10, "pc1"), &set("name", "综合受理"));
        let late = a.apply(&hlc(5, "pc2"), &set("name", "不动产登记")); // made earlier, arrives later
        assert_eq!(late.superseded, ["name"]);
        a.apply(&hlc(6, "pc2"), &set("zone", "二楼")); // another field is not affected
        assert_eq!(a.values().unwrap()["name"], "综合受理");
        assert_eq!(a.values().unwrap()["zone"], "二楼");
    }

    #[test]
    fn a_delete_hides_older_writes_and_only_a_later_create_revives() {
        let create = |name: &str| {
            let mut m = Map::new();
            m.insert("name".into(), name.into());
            m.insert(LIVE.into(), true.into());
            RowChange::Upsert(m)
        };
        let mut r = Row::default();
        r.apply(&hlc(1, "a"), &create("x"));
        r.apply(&hlc(2, "b"), &RowChange::Delete);
        assert!(!r.visible());
        r.apply(&hlc(1, "c"), &set("zone", "y")); // concurrent but older than the delete
        assert!(!r.visible());
        r.apply(&hlc(3, "a"), &set("name", "z")); // an edit made without seeing the delete
        assert!(!r.visible(), "an edit does not bring a deleted row back");
        r.apply(&hlc(4, "a"), &create("w"));
        assert!(r.visible());
        assert_eq!(r.values().unwrap().get(LIVE), None, "the marker is not a value");
    }

    #[test]
    fn rows_written_before_the_live_marker_revive_on_any_later_write() {
        let mut r = Row::default();
        r.apply(&hlc(1, "a"), &set("name", "x"));
        r.apply(&hlc(2, "b"), &RowChange::Delete);
        assert!(!r.visible());
        r.apply(&hlc(3, "a"), &set("name", "z"));
        assert!(r.visible());
    }

    #[derive(Debug, Clone)]
    struct Op {
        key: u8,
        hlc: Hlc,
        change: RowChange,
    }

    fn op() -> impl Strategy<Value = Op> {
        (0u8..3, 0i64..20, 0u32..3, 0u8..3, prop_oneof![Just(None), (0u8..4, 0u8..4).prop_map(Some)])
            .prop_map(|(key, millis, counter, device, field)| Op {
                key,
                hlc: Hlc { millis, counter, device: format!("pc{device}") },
                change: match field {
                    None => RowChange::Delete,
                    // Field 3 is the create marker: some rows revive, some stay deleted.
                    Some((3, _)) => set(LIVE, "true"),
                    Some((f, v)) => set(&format!("f{f}"), &format!("v{v}")),
                },
            })
    }

    fn replay(ops: &[Op]) -> BTreeMap<u8, Option<Map<String, Value>>> {
        let mut rows: BTreeMap<u8, Row> = BTreeMap::new();
        for o in ops {
            rows.entry(o.key).or_default().apply(&o.hlc, &o.change);
        }
        rows.into_iter().map(|(k, r)| (k, r.values())).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Two replicas receive the same operations (HLCs are unique per device and tick) in
        /// different orders, with duplicates and replays: they end with the same rows.
        #[test]
        fn any_order_with_duplicates_converges(
            ops in proptest::collection::vec(op(), 0..30),
            shuffle in proptest::collection::vec(any::<prop::sample::Index>(), 0..30),
            dups in proptest::collection::vec(any::<prop::sample::Index>(), 0..10),
        ) {
            // One HLC names one operation: drop accidental duplicates of an HLC with other content.
            let mut seen = std::collections::HashSet::new();
            let ops: Vec<Op> = ops.into_iter().filter(|o| seen.insert(o.hlc.clone())).collect();
            let mut other = ops.clone();
            for (i, idx) in shuffle.iter().enumerate() {
                if !other.is_empty() {
                    let n = other.len();
                    other.swap(i % n, idx.index(n));
                }
            }
            for idx in &dups {
                if !ops.is_empty() {
                    other.push(ops[idx.index(ops.len())].clone());
                }
            }
            prop_assert_eq!(replay(&ops), replay(&other));
        }
    }
}
