//! The server's half of sync (docs/sync.md) that both storage backends share: checking an
//! operation a desktop pushed, the rows it must find alive to apply, and the stored form of a
//! merged row. The backends run these inside their one push transaction.
//!
//! A malformed operation (unknown entity, an HLC that does not parse or is not the pushing
//! device's, a change that is neither `upsert {fields}` nor `delete`, an empty key) is rejected
//! on its own, like one that references a deleted row: it is recorded as rejected under its
//! sequence, so the desktop's outbox moves past it and the rest of the batch applies.

pub mod push;
pub mod records;

use hallkeeper_proto::{RejectedOp, SyncOp, SYNC_ENTITIES};
use hallkeeper_sync::merge::{Row, RowChange};
use hallkeeper_sync::Hlc;
use serde_json::{json, Value};

pub const UNKNOWN_ENTITY: &str = "sync.unknown_entity";
pub const HLC_INVALID: &str = "sync.hlc_invalid";
pub const CHANGE_INVALID: &str = "sync.change_invalid";
pub const KEY_INVALID: &str = "sync.key_invalid";
pub const REFERENCE_DELETED: &str = "sync.reference_deleted";

/// Longest key an operation may name (ids are at most 64 characters; a binding's key is two).
const KEY_MAX: usize = 200;

/// An operation that passed [`check`].
#[derive(Debug, Clone)]
pub struct Checked {
    pub hlc: Hlc,
    pub change: RowChange,
}

fn reject(op: &SyncOp, code: &str, message: String) -> RejectedOp {
    RejectedOp { seq: op.seq, code: code.to_owned(), message }
}

/// Whether the operation is well formed, and its parsed HLC and change.
pub fn check(device_id: &str, op: &SyncOp) -> Result<Checked, RejectedOp> {
    if !SYNC_ENTITIES.contains(&op.entity.as_str()) {
        return Err(reject(op, UNKNOWN_ENTITY, format!("未知的同步对象类型 {:?}", op.entity)));
    }
    let key_ok = !op.key.is_empty()
        && op.key.len() <= KEY_MAX
        && !op.key.chars().any(char::is_control)
        && match op.entity.as_str() {
            "binding" | "seat" => op.key.split_once('/').is_some_and(|(a, b)| !a.is_empty() && !b.is_empty()),
            other => records::key_ok(other, &op.key),
        };
    if !key_ok {
        return Err(reject(op, KEY_INVALID, format!("{} 的键 {:?} 无效", op.entity, op.key)));
    }
    let hlc = Hlc::parse(&op.hlc)
        .filter(|h| h.millis >= 0)
        .ok_or_else(|| reject(op, HLC_INVALID, format!("时间戳 {:?} 无效", op.hlc)))?;
    // The device part is the tie-break that makes one HLC name one operation: another device's
    // would let two different edits carry the same timestamp.
    if hlc.device != device_id {
        return Err(reject(op, HLC_INVALID, format!("时间戳 {:?} 不属于设备 {device_id}", op.hlc)));
    }
    let change = match op.change.get("kind").and_then(Value::as_str) {
        Some("delete") if op.change.as_object().is_some_and(|o| o.len() == 1) => RowChange::Delete,
        Some("upsert") => match op.change.get("fields").and_then(Value::as_object) {
            Some(fields) if op.change.as_object().is_some_and(|o| o.len() == 2) => {
                RowChange::Upsert(fields.clone())
            }
            _ => return Err(reject(op, CHANGE_INVALID, "upsert 须带 fields 对象".into())),
        },
        _ => {
            return Err(reject(
                op,
                CHANGE_INVALID,
                "变更须为 {\"kind\":\"upsert\",\"fields\":{…}} 或 {\"kind\":\"delete\"}".into(),
            ))
        }
    };
    if let Err((code, message)) = records::check_change(&op.entity, &change) {
        return Err(reject(op, code, message));
    }
    Ok(Checked { hlc, change })
}

/// The rows an upsert needs alive: a binding its window and matter, a seat its window and its
/// staff member (from the upsert's `staffId`, else the one the row already holds). Deletes need
/// nothing.
pub fn references(op: &SyncOp, change: &RowChange, current: &Row) -> Vec<(&'static str, String)> {
    let RowChange::Upsert(fields) = change else { return Vec::new() };
    let Some((first, second)) = op.key.split_once('/') else { return Vec::new() };
    match op.entity.as_str() {
        "binding" => vec![("window", first.to_owned()), ("matter", second.to_owned())],
        "seat" => {
            let mut refs = vec![("window", second.to_owned())];
            let staff = match fields.get("staffId") {
                Some(v) => v.as_str().map(str::to_owned),
                None => current.fields.get("staffId").and_then(|(v, _)| v.as_str().map(str::to_owned)),
            };
            if let Some(staff) = staff {
                refs.push(("staff", staff));
            }
            refs
        }
        // A case's evidence and steps belong to it (cases are never deleted, but one must be
        // there: a PC pushes its case before the steps it made on it).
        "case_evidence" | "case_step" => vec![("case", first.to_owned())],
        _ => Vec::new(),
    }
}

/// The rejection of an operation whose reference is missing or deleted.
pub fn reference_deleted(op: &SyncOp, entity: &str, key: &str) -> RejectedOp {
    let what = match entity {
        "window" => "窗口",
        "matter" => "事项",
        "staff" => "工作人员",
        "case" => "整改案件",
        other => other,
    };
    reject(op, REFERENCE_DELETED, format!("{} {} 引用的{what} {key} 不存在或已被删除", op.entity, op.key))
}

/// The device id of the changes the server makes itself (cascaded deletes); their `seq` is 0.
pub const SERVER_DEVICE: &str = "server";

/// Rows that reference a row and must not outlive it, found by part of their key or by a field.
/// The storage backends turn each into an indexed query that only narrows the candidates;
/// [`Dependents::holds`] decides, so both backends cascade to exactly the same rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dependents {
    /// `entity` rows whose key is `{id}/…` (a window's bindings).
    KeyHead { entity: &'static str, id: String },
    /// `entity` rows whose key is `…/{id}`, after the first `/` (a matter's bindings, a window's
    /// seats).
    KeyTail { entity: &'static str, id: String },
    /// `entity` rows whose `field` holds `id` (a staff member's seats).
    Field { entity: &'static str, field: &'static str, id: String },
}

/// The seat field naming its staff member.
pub const SEAT_STAFF_FIELD: &str = "staffId";

/// What a row of `entity` keyed `key` takes with it when it is deleted: the same references
/// [`references`] requires alive, read the other way.
pub fn dependents(entity: &str, key: &str) -> Vec<Dependents> {
    let id = key.to_owned();
    match entity {
        "window" => vec![
            Dependents::KeyHead { entity: "binding", id: id.clone() },
            Dependents::KeyTail { entity: "seat", id },
        ],
        "matter" => vec![Dependents::KeyTail { entity: "binding", id }],
        "staff" => vec![Dependents::Field { entity: "seat", field: SEAT_STAFF_FIELD, id }],
        _ => Vec::new(),
    }
}

impl Dependents {
    pub fn entity(&self) -> &'static str {
        match self {
            Self::KeyHead { entity, .. } | Self::KeyTail { entity, .. } | Self::Field { entity, .. } => {
                entity
            }
        }
    }

    /// Whether the row `key` of [`Self::entity`] references the deleted row, read as
    /// [`references`] reads it (the key split at its first `/`, the field's current value).
    pub fn holds(&self, key: &str, row: &Row) -> bool {
        match self {
            Self::KeyHead { id, .. } => key.split_once('/').is_some_and(|(head, _)| head == id),
            Self::KeyTail { id, .. } => key.split_once('/').is_some_and(|(_, tail)| tail == id),
            Self::Field { field, id, .. } => {
                row.fields.get(*field).and_then(|(v, _)| v.as_str()).is_some_and(|v| v == id)
            }
        }
    }

    /// The bounds `[low, high)` of the keys `{id}/…` in bytewise order, for
    /// [`Dependents::KeyHead`]: `0` is the byte after `/`. None when no key can have that head (an
    /// id holding a `/` is never a key's part before its first `/`).
    pub fn head_range(id: &str) -> Option<(String, String)> {
        (!id.contains('/')).then(|| (format!("{id}/"), format!("{id}0")))
    }
}

/// The HLC of the tombstone the server writes on `row` because the row it references was
/// deleted by an operation stamped `cause`: after every field of the row (so the tombstone hides
/// it on every replica whatever arrives later from before) and after `cause`, at the operation's
/// wall time. A counter already at its maximum moves on to the next millisecond instead.
pub fn cascade_hlc(row: &Row, cause: &Hlc) -> Hlc {
    let last = row.fields.values().map(|(_, h)| h).chain(std::iter::once(cause)).max().unwrap_or(cause);
    let next = Hlc::tick(Some(last), cause.millis, SERVER_DEVICE);
    if next > *last {
        next
    } else {
        Hlc { millis: last.millis.saturating_add(1), counter: 0, device: SERVER_DEVICE.to_owned() }
    }
}

/// Tombstones a row that a deletion stamped `cause` leaves dangling; returns the tombstone's
/// HLC, or None when the row is not visible (nothing to hide, nothing to log).
pub fn cascade(row: &mut Row, cause: &Hlc) -> Option<Hlc> {
    if !row.visible() {
        return None;
    }
    let hlc = cascade_hlc(row, cause);
    row.apply(&hlc, &RowChange::Delete);
    Some(hlc)
}

/// The change a cascaded delete logs, the same as a desktop's delete.
pub fn delete_change() -> Value {
    json!({ "kind": "delete" })
}

/// A row as `sync_rows` keeps it (the same stored form as the desktop's, `Row::to_json`).
pub fn row_to_json(row: &Row) -> Value {
    row.to_json()
}

pub fn row_from_json(v: &Value) -> Result<Row, String> {
    Row::from_json(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn op(entity: &str, key: &str, hlc: &str, change: Value) -> SyncOp {
        SyncOp {
            seq: 1,
            op_id: "o".into(),
            hlc: hlc.into(),
            entity: entity.into(),
            key: key.into(),
            change,
            author: None,
        }
    }

    const H: &str = "000000000000000010-00000-pc1";

    #[test]
    fn malformed_operations_are_named() {
        let up = json!({ "kind": "upsert", "fields": { "name": "x" } });
        let code = |o: SyncOp| check("pc1", &o).err().map(|r| r.code);
        assert_eq!(code(op("window", "w", H, up.clone())), None);
        assert_eq!(code(op("window", "w", H, json!({ "kind": "delete" }))), None);
        assert_eq!(code(op("ticket", "w", H, up.clone())).as_deref(), Some(UNKNOWN_ENTITY));
        assert_eq!(code(op("window", "w", "yesterday", up.clone())).as_deref(), Some(HLC_INVALID));
        assert_eq!(
            code(op("window", "w", "000000000000000010-00000-pc2", up.clone())).as_deref(),
            Some(HLC_INVALID)
        );
        assert_eq!(code(op("window", "", H, up.clone())).as_deref(), Some(KEY_INVALID));
        assert_eq!(code(op("binding", "w-a", H, up.clone())).as_deref(), Some(KEY_INVALID));
        assert_eq!(code(op("window", "w", H, json!({ "kind": "upsert" }))).as_deref(), Some(CHANGE_INVALID));
        assert_eq!(code(op("window", "w", H, json!({ "kind": "move" }))).as_deref(), Some(CHANGE_INVALID));
    }

    fn row(fields: &[(&str, Value, &str)]) -> Row {
        let mut row = Row::default();
        for (k, v, h) in fields {
            let mut f = Map::new();
            f.insert((*k).to_owned(), v.clone());
            row.apply(&Hlc::parse(h).unwrap(), &RowChange::Upsert(f));
        }
        row
    }

    #[test]
    fn a_deleted_row_takes_what_references_it() {
        let keys = |entity: &str, key: &str| -> Vec<(&'static str, String)> {
            dependents(entity, key)
                .into_iter()
                .map(|d| match &d {
                    Dependents::KeyHead { id, .. } => (d.entity(), format!("head:{id}")),
                    Dependents::KeyTail { id, .. } => (d.entity(), format!("tail:{id}")),
                    Dependents::Field { field, id, .. } => (d.entity(), format!("{field}:{id}")),
                })
                .collect()
        };
        assert_eq!(keys("window", "w-a"), [("binding", "head:w-a".into()), ("seat", "tail:w-a".into())]);
        assert_eq!(keys("matter", "m-1"), [("binding", "tail:m-1".into())]);
        assert_eq!(keys("staff", "s-1"), [("seat", "staffId:s-1".into())]);
        assert_eq!(keys("department", "d-1"), []);
        assert_eq!(keys("binding", "w-a/m-1"), []);

        let none = Row::default();
        let [bindings, seats] = <[Dependents; 2]>::try_from(dependents("window", "w-a")).unwrap();
        assert!(bindings.holds("w-a/m-1", &none));
        assert!(!bindings.holds("w-ab/m-1", &none), "a longer window id is another window");
        assert!(!bindings.holds("x/w-a", &none));
        assert!(seats.holds("2026-11-25/w-a", &none));
        assert!(!seats.holds("2026-11-25/w-ab", &none));
        assert!(!seats.holds("w-a/2026-11-25", &none));
        let [by_matter] = <[Dependents; 1]>::try_from(dependents("matter", "m/1")).unwrap();
        assert!(by_matter.holds("w-a/m/1", &none), "the matter is everything after the first slash");

        let [by_staff] = <[Dependents; 1]>::try_from(dependents("staff", "s-1")).unwrap();
        assert!(by_staff.holds("2026-11-25/w-a", &row(&[("staffId", "s-1".into(), H)])));
        assert!(!by_staff.holds("2026-11-25/w-a", &row(&[("staffId", "s-2".into(), H)])));
        assert!(!by_staff.holds("2026-11-25/w-a", &row(&[("staffId", Value::Null, H)])));
        assert!(!by_staff.holds("2026-11-25/w-a", &none));

        assert_eq!(Dependents::head_range("w-a"), Some(("w-a/".into(), "w-a0".into())));
        assert_eq!(Dependents::head_range("w/a"), None);
        let (low, high) = Dependents::head_range("w-a").unwrap();
        for (key, inside) in
            [("w-a/m", true), ("w-a/", true), ("w-a", false), ("w-a0", false), ("w-a.x", false)]
        {
            assert_eq!(low.as_str() <= key && key < high.as_str(), inside, "{key}");
        }
    }

    #[test]
    fn a_cascaded_tombstone_wins_over_every_field_and_follows_its_cause() {
        let cause = Hlc::parse("000000000000000020-00000-pc2").unwrap();
        // A binding made "later" than the window's delete (another PC's clock is ahead).
        let mut bound = row(&[("priority", "primary".into(), "000000000000000050-00003-pc1")]);
        let h = cascade(&mut bound, &cause).unwrap();
        assert_eq!(h.to_string(), "000000000000000050-00004-server");
        assert!(!bound.visible());
        assert_eq!(bound.deleted.as_ref(), Some(&h));
        assert_eq!(cascade(&mut bound, &cause), None, "already hidden: nothing more");

        // The cause is the latest: one tick after it.
        let mut old = row(&[("priority", "primary".into(), "000000000000000005-00000-pc1")]);
        assert_eq!(cascade(&mut old, &cause).unwrap().to_string(), "000000000000000020-00001-server");

        // A counter at its maximum cannot tick; the next millisecond still orders after it.
        let full = row(&[("priority", "primary".into(), "000000000000000050-4294967295-zz")]);
        let h = cascade_hlc(&full, &cause);
        assert!(h > full.fields["priority"].1 && h > cause);
        assert_eq!((h.millis, h.counter), (51, 0));
    }

    #[test]
    fn rows_round_trip_through_their_stored_form() {
        let mut row = Row::default();
        let h = Hlc::parse(H).unwrap();
        let mut f = Map::new();
        f.insert("name".into(), "综合受理".into());
        row.apply(&h, &RowChange::Upsert(f));
        row.apply(&Hlc { millis: 11, ..h }, &RowChange::Delete);
        assert_eq!(row_from_json(&row_to_json(&row)).unwrap(), row);
        assert_eq!(row_from_json(&row_to_json(&Row::default())).unwrap(), Row::default());
    }
}
