//! The server's half of sync (docs/sync.md) that both storage backends share: checking an
//! operation a desktop pushed, the rows it must find alive to apply, and the stored form of a
//! merged row. The backends run these inside their one push transaction.
//!
//! A malformed operation (unknown entity, an HLC that does not parse or is not the pushing
//! device's, a change that is neither `upsert {fields}` nor `delete`, an empty key) is rejected
//! on its own, like one that references a deleted row: it is recorded as rejected under its
//! sequence, so the desktop's outbox moves past it and the rest of the batch applies.

use hallkeeper_proto::{RejectedOp, SyncOp, SYNC_ENTITIES};
use hallkeeper_sync::merge::{Row, RowChange};
use hallkeeper_sync::Hlc;
use serde_json::{json, Map, Value};

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
            _ => true,
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
        _ => Vec::new(),
    }
}

/// The rejection of an operation whose reference is missing or deleted.
pub fn reference_deleted(op: &SyncOp, entity: &str, key: &str) -> RejectedOp {
    let what = match entity {
        "window" => "窗口",
        "matter" => "事项",
        "staff" => "工作人员",
        other => other,
    };
    reject(op, REFERENCE_DELETED, format!("{} {} 引用的{what} {key} 不存在或已被删除", op.entity, op.key))
}

/// A row as `sync_rows` keeps it: `{"fields":{name:{"value":…,"hlc":"…"}},"deleted":"…"|null}`.
pub fn row_to_json(row: &Row) -> Value {
    let fields: Map<String, Value> = row
        .fields
        .iter()
        .map(|(k, (v, h))| (k.clone(), json!({ "value": v, "hlc": h.to_string() })))
        .collect();
    json!({ "fields": fields, "deleted": row.deleted.as_ref().map(Hlc::to_string) })
}

pub fn row_from_json(v: &Value) -> Result<Row, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn op(entity: &str, key: &str, hlc: &str, change: Value) -> SyncOp {
        SyncOp { seq: 1, op_id: "o".into(), hlc: hlc.into(), entity: entity.into(), key: key.into(), change }
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
