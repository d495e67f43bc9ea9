//! One push applied (docs/sync.md), written once for both storage backends: the replay answer,
//! the checks, the references an upsert needs alive, reject or merge, and the cascade of a
//! delete. A backend supplies only the statements ([`PushTx`]), run inside its one push
//! transaction; every decision is here or in the rules of `super`.

use super::{
    cascade, check, delete_change, dependents, reference_deleted, references, Dependents, SERVER_DEVICE,
};
use crate::storage::{StorageResult, SyncRefusals};
use hallkeeper_proto::{PushResponse, RejectedOp, SyncOp};
use hallkeeper_sync::merge::Row;
use hallkeeper_sync::Hlc;
use serde_json::Value;

/// What `sync_ops` holds for an operation pushed before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOp {
    pub rejected: bool,
    pub code: Option<String>,
    pub message: Option<String>,
}

/// One entry of the hall's change log.
#[derive(Debug, Clone, PartialEq)]
pub struct NewChange<'a> {
    pub change_id: i64,
    pub entity: &'a str,
    pub key: &'a str,
    pub hlc: &'a str,
    pub change: &'a Value,
    pub device_id: &'a str,
    pub seq: i64,
}

/// The statements of one push on one hall, inside the transaction that serialises the hall's
/// pushes. Only SQL and row mapping: what to run when is [`apply_push`]'s.
///
/// Crate-private, so that `async fn` needs no `Send` bound here: the PostgreSQL backend's
/// futures are `Send` and its caller sees that through the concrete type; SQLite's never wait.
pub(crate) trait PushTx {
    /// The hall's last change id, its head created at 0 first (`NotFound` for no such hall).
    async fn open_head(&mut self) -> StorageResult<i64>;
    async fn close_head(&mut self, last_change_id: i64) -> StorageResult<()>;
    /// Records `op` as applied unless the device's seq already has a record; returns that record
    /// when it had one.
    async fn record_op(&mut self, device_id: &str, op: &SyncOp) -> StorageResult<Option<StoredOp>>;
    /// Marks a recorded operation rejected.
    async fn reject_op(&mut self, device_id: &str, rejected: &RejectedOp) -> StorageResult<()>;
    /// The stored row, or an empty one.
    async fn row(&mut self, entity: &str, key: &str) -> StorageResult<Row>;
    async fn put_row(&mut self, entity: &str, key: &str, row: &Row) -> StorageResult<()>;
    async fn append_change(&mut self, change: &NewChange<'_>) -> StorageResult<()>;
    /// Rows of `dep`'s entity that may reference the deleted row (an indexed query that only
    /// narrows; [`cascaded`] decides), by key.
    async fn dependent_rows(&mut self, dep: &Dependents) -> StorageResult<Vec<(String, Row)>>;
    /// The highest seq recorded for the device.
    async fn highest_seq(&mut self, device_id: &str) -> StorageResult<i64>;
}

/// The answer to an operation pushed again: the one it got the first time.
pub fn replay_answer(op: &SyncOp, stored: StoredOp) -> Option<RejectedOp> {
    stored.rejected.then(|| RejectedOp {
        seq: op.seq,
        code: stored.code.unwrap_or_default(),
        message: stored.message.unwrap_or_default(),
    })
}

/// Of the rows `dep` found, those that reference the deleted row and are still visible,
/// tombstoned after `cause`, with their tombstone's HLC.
pub fn cascaded(dep: &Dependents, found: Vec<(String, Row)>, cause: &Hlc) -> Vec<(String, Row, Hlc)> {
    found
        .into_iter()
        .filter(|(key, row)| dep.holds(key, row))
        .filter_map(|(key, mut row)| cascade(&mut row, cause).map(|hlc| (key, row, hlc)))
        .collect()
}

/// What finding [`Dependents`] takes in one SQL dialect: the select over a hall's rows of one
/// entity (parameters 1 and 2), and the condition for each kind with its parameters from 3 on.
/// The expressions must be the indexes' of migration 4, verbatim, or the lookup scans the hall.
pub(crate) struct DependentsSql {
    pub select: &'static str,
    pub key_range: &'static str,
    pub key_tail: &'static str,
    pub field: fn(&str) -> String,
}

/// The query for the rows `dep` may name, by key, and its parameters after the hall and the
/// entity; None when no row can.
pub(crate) fn dependents_query(dep: &Dependents, sql: &DependentsSql) -> Option<(String, Vec<String>)> {
    let (condition, params) = match dep {
        Dependents::KeyHead { id, .. } => {
            let (low, high) = Dependents::head_range(id)?;
            (sql.key_range.to_owned(), vec![low, high])
        }
        Dependents::KeyTail { id, .. } => (sql.key_tail.to_owned(), vec![id.clone()]),
        Dependents::Field { field, id, .. } => ((sql.field)(field), vec![id.clone()]),
    };
    Some((format!("{} AND {condition} ORDER BY entity_key", sql.select), params))
}

/// Applies a device's pushed operations in sequence order; answers the highest sequence held
/// for the device and the rejections among `ops`.
pub(crate) async fn apply_push(
    tx: &mut impl PushTx,
    device_id: &str,
    ops: &[SyncOp],
    refused: &SyncRefusals,
) -> StorageResult<PushResponse> {
    let mut ops: Vec<&SyncOp> = ops.iter().collect();
    ops.sort_by_key(|o| o.seq);
    let mut next_change = tx.open_head().await? + 1;
    let mut rejected = Vec::new();
    for op in ops {
        if let Some(r) = apply_op(tx, device_id, op, refused.get(&op.seq), &mut next_change).await? {
            rejected.push(r);
        }
    }
    tx.close_head(next_change - 1).await?;
    let highest_seq = tx.highest_seq(device_id).await?;
    Ok(PushResponse { highest_seq, rejected })
}

/// Applies one operation; `next_change` is the hall's next change id. Returns its rejection, if
/// it has one (now or from when it was first pushed).
async fn apply_op(
    tx: &mut impl PushTx,
    device_id: &str,
    op: &SyncOp,
    refused: Option<&RejectedOp>,
    next_change: &mut i64,
) -> StorageResult<Option<RejectedOp>> {
    if let Some(stored) = tx.record_op(device_id, op).await? {
        return Ok(replay_answer(op, stored));
    }
    if let Some(refused) = refused {
        return reject(tx, device_id, refused.clone()).await;
    }
    let checked = match check(device_id, op) {
        Ok(checked) => checked,
        Err(rejected) => return reject(tx, device_id, rejected).await,
    };
    let mut row = tx.row(&op.entity, &op.key).await?;
    for (entity, key) in references(op, &checked.change, &row) {
        if !tx.row(entity, &key).await?.visible() {
            return reject(tx, device_id, reference_deleted(op, entity, &key)).await;
        }
    }
    row.apply(&checked.hlc, &checked.change);
    tx.put_row(&op.entity, &op.key, &row).await?;
    let change = NewChange {
        change_id: *next_change,
        entity: &op.entity,
        key: &op.key,
        hlc: &op.hlc,
        change: &op.change,
        device_id,
        seq: op.seq,
    };
    tx.append_change(&change).await?;
    *next_change += 1;
    // After the operation's own change, so a puller sees the cause before its effects.
    if !row.visible() {
        cascade_delete(tx, &op.entity, &op.key, &checked.hlc, next_change).await?;
    }
    Ok(None)
}

async fn reject(
    tx: &mut impl PushTx,
    device_id: &str,
    rejected: RejectedOp,
) -> StorageResult<Option<RejectedOp>> {
    tx.reject_op(device_id, &rejected).await?;
    Ok(Some(rejected))
}

/// Tombstones every visible row that references the row `entity`/`key`, which the operation
/// stamped `cause` has just left invisible, and logs each as the server's delete.
async fn cascade_delete(
    tx: &mut impl PushTx,
    entity: &str,
    key: &str,
    cause: &Hlc,
    next_change: &mut i64,
) -> StorageResult<()> {
    let delete = delete_change();
    for dep in dependents(entity, key) {
        let found = tx.dependent_rows(&dep).await?;
        for (dep_key, row, hlc) in cascaded(&dep, found, cause) {
            tx.put_row(dep.entity(), &dep_key, &row).await?;
            let hlc = hlc.to_string();
            let change = NewChange {
                change_id: *next_change,
                entity: dep.entity(),
                key: &dep_key,
                hlc: &hlc,
                change: &delete,
                device_id: SERVER_DEVICE,
                seq: 0,
            };
            tx.append_change(&change).await?;
            *next_change += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::REFERENCE_DELETED;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// A hall's push tables in memory.
    #[derive(Default)]
    struct Memory {
        head: i64,
        ops: BTreeMap<(String, i64), StoredOp>,
        rows: BTreeMap<(String, String), Row>,
        changes: Vec<(i64, String, String, String, String, i64)>,
    }

    impl PushTx for Memory {
        async fn open_head(&mut self) -> StorageResult<i64> {
            Ok(self.head)
        }
        async fn close_head(&mut self, last: i64) -> StorageResult<()> {
            self.head = last;
            Ok(())
        }
        async fn record_op(&mut self, device_id: &str, op: &SyncOp) -> StorageResult<Option<StoredOp>> {
            let key = (device_id.to_owned(), op.seq);
            if let Some(s) = self.ops.get(&key) {
                return Ok(Some(s.clone()));
            }
            self.ops.insert(key, StoredOp { rejected: false, code: None, message: None });
            Ok(None)
        }
        async fn reject_op(&mut self, device_id: &str, r: &RejectedOp) -> StorageResult<()> {
            let stored =
                StoredOp { rejected: true, code: Some(r.code.clone()), message: Some(r.message.clone()) };
            self.ops.insert((device_id.to_owned(), r.seq), stored);
            Ok(())
        }
        async fn row(&mut self, entity: &str, key: &str) -> StorageResult<Row> {
            Ok(self.rows.get(&(entity.to_owned(), key.to_owned())).cloned().unwrap_or_default())
        }
        async fn put_row(&mut self, entity: &str, key: &str, row: &Row) -> StorageResult<()> {
            self.rows.insert((entity.to_owned(), key.to_owned()), row.clone());
            Ok(())
        }
        async fn append_change(&mut self, c: &NewChange<'_>) -> StorageResult<()> {
            let kind = c.change["kind"].as_str().unwrap_or_default().to_owned();
            self.changes.push((c.change_id, c.entity.into(), c.key.into(), kind, c.device_id.into(), c.seq));
            Ok(())
        }
        async fn dependent_rows(&mut self, dep: &Dependents) -> StorageResult<Vec<(String, Row)>> {
            // Every row of the entity: the narrowing is the backends' business, the decision ours.
            Ok(self
                .rows
                .iter()
                .filter(|((e, _), _)| e == dep.entity())
                .map(|((_, k), r)| (k.clone(), r.clone()))
                .collect())
        }
        async fn highest_seq(&mut self, device_id: &str) -> StorageResult<i64> {
            Ok(self.ops.keys().filter(|(d, _)| d == device_id).map(|(_, s)| *s).max().unwrap_or(0))
        }
    }

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the memory tables never wait"),
        }
    }

    fn op(seq: i64, entity: &str, key: &str, change: Value) -> SyncOp {
        let hlc = format!("{:018}-00000-pc1", 10 + seq);
        SyncOp {
            seq,
            op_id: format!("o{seq}"),
            hlc,
            entity: entity.into(),
            key: key.into(),
            change,
            author: None,
        }
    }

    fn upsert(fields: Value) -> Value {
        json!({ "kind": "upsert", "fields": fields })
    }

    #[test]
    fn a_replay_gets_its_first_answer() {
        let o = op(3, "window", "w", json!({}));
        assert_eq!(replay_answer(&o, StoredOp { rejected: false, code: None, message: None }), None);
        let r =
            replay_answer(&o, StoredOp { rejected: true, code: Some("c".into()), message: None }).unwrap();
        assert_eq!((r.seq, r.code.as_str(), r.message.as_str()), (3, "c", ""));
    }

    #[test]
    fn a_push_applies_in_order_rejects_dangling_references_and_cascades() {
        let mut m = Memory::default();
        let ops = [
            op(3, "binding", "w-a/m-1", upsert(json!({ "priority": "primary" }))),
            op(1, "window", "w-a", upsert(json!({ "name": "A" }))),
            op(2, "matter", "m-1", upsert(json!({ "name": "M" }))),
            op(4, "binding", "w-a/m-2", upsert(json!({ "priority": "primary" }))),
            op(5, "ticket", "t", upsert(json!({}))),
        ];
        let answer = run(apply_push(&mut m, "pc1", &ops, &SyncRefusals::new())).unwrap();
        assert_eq!(answer.highest_seq, 5);
        let codes: Vec<_> = answer.rejected.iter().map(|r| (r.seq, r.code.as_str())).collect();
        assert_eq!(codes, [(4, REFERENCE_DELETED), (5, crate::sync::UNKNOWN_ENTITY)]);
        assert_eq!(m.head, 3, "three changes, one per applied operation");

        // Pushed again: nothing applied twice, the same rejections.
        let again = run(apply_push(&mut m, "pc1", &ops, &SyncRefusals::new())).unwrap();
        assert_eq!(again, answer);
        assert_eq!(m.head, 3);

        // The window's delete takes its binding with it, logged after the delete.
        let delete = run(apply_push(
            &mut m,
            "pc1",
            &[op(6, "window", "w-a", json!({ "kind": "delete" }))],
            &SyncRefusals::new(),
        ))
        .unwrap();
        assert!(delete.rejected.is_empty());
        let tail: Vec<_> =
            m.changes[3..].iter().map(|c| (c.0, c.1.as_str(), c.2.as_str(), c.4.as_str(), c.5)).collect();
        assert_eq!(tail, [(4, "window", "w-a", "pc1", 6), (5, "binding", "w-a/m-1", SERVER_DEVICE, 0)]);
        assert!(!m.rows[&("binding".to_owned(), "w-a/m-1".to_owned())].visible());
        assert!(m.rows[&("matter".to_owned(), "m-1".to_owned())].visible());
    }

    #[test]
    fn a_refused_operation_is_recorded_rejected_and_the_others_apply() {
        let mut m = Memory::default();
        let ops = [
            op(1, "window", "w-a", upsert(json!({ "name": "A" }))),
            op(2, "window", "w-b", upsert(json!({ "name": "B" }))),
        ];
        let refusal = RejectedOp { seq: 2, code: "access.author_disabled".into(), message: "停用".into() };
        let refused = SyncRefusals::from([(2, refusal.clone())]);
        let answer = run(apply_push(&mut m, "pc1", &ops, &refused)).unwrap();
        assert_eq!(answer.highest_seq, 2, "the outbox moves past the refused one");
        assert_eq!(answer.rejected, [refusal.clone()]);
        assert_eq!(m.head, 1);
        assert!(!m.rows.contains_key(&("window".to_owned(), "w-b".to_owned())));
        // Pushed again with nothing refused (the author enabled since): the first answer stands.
        let again = run(apply_push(&mut m, "pc1", &ops, &SyncRefusals::new())).unwrap();
        assert_eq!(again.rejected, [refusal]);
        assert_eq!(m.head, 1);
    }

    #[test]
    fn only_visible_rows_that_reference_the_deleted_one_are_cascaded() {
        let cause = Hlc::parse("000000000000000020-00000-pc2").unwrap();
        let mut gone = Row::default();
        gone.apply(
            &Hlc::parse("000000000000000001-00000-pc1").unwrap(),
            &hallkeeper_sync::merge::RowChange::Delete,
        );
        let [bindings, _] = <[Dependents; 2]>::try_from(dependents("window", "w-a")).unwrap();
        let mut alive = Row::default();
        let mut f = serde_json::Map::new();
        f.insert("priority".into(), "primary".into());
        alive.apply(
            &Hlc::parse("000000000000000001-00000-pc1").unwrap(),
            &hallkeeper_sync::merge::RowChange::Upsert(f),
        );
        let found = vec![
            ("w-a/m-1".to_owned(), alive.clone()),
            ("w-ab/m-1".to_owned(), alive.clone()),
            ("w-a/m-2".to_owned(), gone),
        ];
        let out = cascaded(&bindings, found, &cause);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].0, "w-a/m-1");
        assert!(!out[0].1.visible());
        assert_eq!(out[0].2.to_string(), "000000000000000020-00001-server");
    }
}
