//! A hall's sync tables on SQLite: the statements of a push ([`PushTx`]; the algorithm is
//! `crate::sync::push`'s), the change log read back, and the heads.

use super::{backend, bad_column, ready, SqliteStorage};
use crate::storage::{page, StorageError, StorageResult};
use crate::sync::push::{apply_push, dependents_query, DependentsSql, NewChange, PushTx, StoredOp};
use crate::sync::{self, Dependents};
use hallkeeper_proto::{PullResponse, PushResponse, RejectedOp, SyncChange, SyncHeads, SyncOp};
use hallkeeper_sync::merge::Row;
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

fn parse_sync_row(text: &str) -> StorageResult<Row> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(backend)?;
    sync::row_from_json(&v).map_err(StorageError::Backend)
}

/// [`dependents_query`]'s SQLite text.
pub(super) const DEPENDENTS: DependentsSql = DependentsSql {
    select: "SELECT entity_key, row FROM sync_rows WHERE hall_id = ?1 AND entity = ?2",
    key_range: "entity_key >= ?3 AND entity_key < ?4",
    key_tail: "substr(entity_key, instr(entity_key, '/') + 1) = ?3",
    field: |field| format!("json_extract(row, '$.fields.{field}.value') = ?3"),
};

/// One push's statements, inside its immediate transaction.
struct Push<'a> {
    tx: &'a Transaction<'a>,
    hall_id: &'a str,
}

impl PushTx for Push<'_> {
    async fn open_head(&mut self) -> StorageResult<i64> {
        self.tx
            .execute(
                "INSERT INTO sync_heads (hall_id, last_change_id) VALUES (?1, 0) ON CONFLICT (hall_id) DO NOTHING",
                [self.hall_id],
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => {
                    StorageError::NotFound(format!("hall {}", self.hall_id))
                }
                _ => backend(e),
            })?;
        self.tx
            .query_row("SELECT last_change_id FROM sync_heads WHERE hall_id = ?1", [self.hall_id], |r| {
                r.get(0)
            })
            .map_err(backend)
    }

    async fn close_head(&mut self, last_change_id: i64) -> StorageResult<()> {
        self.tx
            .execute(
                "UPDATE sync_heads SET last_change_id = ?2 WHERE hall_id = ?1",
                params![self.hall_id, last_change_id],
            )
            .map_err(backend)?;
        Ok(())
    }

    async fn record_op(&mut self, device_id: &str, op: &SyncOp) -> StorageResult<Option<StoredOp>> {
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT INTO sync_ops (hall_id, device_id, seq, op_id, hlc, entity, entity_key, change, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'applied')
                 ON CONFLICT (hall_id, device_id, seq) DO NOTHING",
            )
            .map_err(backend)?
            .execute(params![
                self.hall_id,
                device_id,
                op.seq,
                op.op_id,
                op.hlc,
                op.entity,
                op.key,
                op.change.to_string()
            ])
            .map_err(backend)?;
        if inserted == 1 {
            return Ok(None);
        }
        self.tx
            .query_row(
                "SELECT state, reject_code, reject_message FROM sync_ops
                  WHERE hall_id = ?1 AND device_id = ?2 AND seq = ?3",
                params![self.hall_id, device_id, op.seq],
                |r| {
                    Ok(StoredOp {
                        rejected: r.get::<_, String>(0)? == "rejected",
                        code: r.get(1)?,
                        message: r.get(2)?,
                    })
                },
            )
            .map(Some)
            .map_err(backend)
    }

    async fn reject_op(&mut self, device_id: &str, rejected: &RejectedOp) -> StorageResult<()> {
        self.tx
            .execute(
                "UPDATE sync_ops SET state = 'rejected', reject_code = ?4, reject_message = ?5
                  WHERE hall_id = ?1 AND device_id = ?2 AND seq = ?3",
                params![self.hall_id, device_id, rejected.seq, rejected.code, rejected.message],
            )
            .map_err(backend)?;
        Ok(())
    }

    async fn row(&mut self, entity: &str, key: &str) -> StorageResult<Row> {
        let text: Option<String> = self
            .tx
            .prepare_cached(
                "SELECT row FROM sync_rows WHERE hall_id = ?1 AND entity = ?2 AND entity_key = ?3",
            )
            .map_err(backend)?
            .query_row(params![self.hall_id, entity, key], |r| r.get(0))
            .optional()
            .map_err(backend)?;
        text.map_or_else(|| Ok(Row::default()), |t| parse_sync_row(&t))
    }

    async fn put_row(&mut self, entity: &str, key: &str, row: &Row) -> StorageResult<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO sync_rows (hall_id, entity, entity_key, row) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (hall_id, entity, entity_key) DO UPDATE SET row = excluded.row",
            )
            .map_err(backend)?
            .execute(params![self.hall_id, entity, key, sync::row_to_json(row).to_string()])
            .map_err(backend)?;
        Ok(())
    }

    async fn append_change(&mut self, c: &NewChange<'_>) -> StorageResult<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO sync_changes (hall_id, change_id, entity, entity_key, hlc, change, device_id, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(backend)?
            .execute(params![
                self.hall_id,
                c.change_id,
                c.entity,
                c.key,
                c.hlc,
                c.change.to_string(),
                c.device_id,
                c.seq
            ])
            .map_err(backend)?;
        Ok(())
    }

    async fn dependent_rows(&mut self, dep: &Dependents) -> StorageResult<Vec<(String, Row)>> {
        let Some((sql, args)) = dependents_query(dep, &DEPENDENTS) else { return Ok(Vec::new()) };
        let mut st = self.tx.prepare_cached(&sql).map_err(backend)?;
        let params = [self.hall_id, dep.entity()].into_iter().chain(args.iter().map(String::as_str));
        let rows = st
            .query_map(rusqlite::params_from_iter(params), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;
        rows.into_iter().map(|(key, text)| Ok((key, parse_sync_row(&text)?))).collect()
    }

    async fn highest_seq(&mut self, device_id: &str) -> StorageResult<i64> {
        self.tx
            .query_row(
                "SELECT coalesce(max(seq), 0) FROM sync_ops WHERE hall_id = ?1 AND device_id = ?2",
                params![self.hall_id, device_id],
                |r| r.get(0),
            )
            .map_err(backend)
    }
}

pub(super) async fn apply_sync_ops(
    s: &SqliteStorage,
    hall_id: &str,
    device_id: &str,
    ops: &[SyncOp],
    refused: &crate::storage::SyncRefusals,
) -> StorageResult<PushResponse> {
    let (hall_id, device_id, ops, refused) =
        (hall_id.to_owned(), device_id.to_owned(), ops.to_vec(), refused.clone());
    s.with(move |c| {
        // Immediate: one push at a time, so change ids are handed out in commit order.
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
        let answer = ready(apply_push(&mut Push { tx: &tx, hall_id: &hall_id }, &device_id, &ops, &refused))?;
        tx.commit().map_err(backend)?;
        Ok(answer)
    })
    .await
}

pub(super) async fn pull_changes(
    s: &SqliteStorage,
    hall_id: &str,
    cursor: i64,
    limit: u32,
) -> StorageResult<PullResponse> {
    let hall_id = hall_id.to_owned();
    s.with(move |c| {
        let mut st = c
            .prepare_cached(
                "SELECT change_id, entity, entity_key, hlc, change, device_id, seq FROM sync_changes
                  WHERE hall_id = ?1 AND change_id > ?2 ORDER BY change_id LIMIT ?3",
            )
            .map_err(backend)?;
        let rows = st
            .query_map(params![hall_id, cursor, i64::from(limit) + 1], |r| {
                let change: String = r.get(4)?;
                Ok(from_columns!(rusqlite::Row::get; r => SyncChange {
                    change_id, entity, key, hlc,
                    change = serde_json::from_str(&change).map_err(|e| bad_column(4, e.to_string()))?,
                    device_id, seq,
                }))
            })
            .map_err(backend)?;
        let rows = rows.collect::<rusqlite::Result<Vec<_>>>().map_err(backend)?;
        let (changes, next_cursor, has_more) = page(rows, limit, cursor, |c| c.change_id);
        Ok(PullResponse { changes, next_cursor, has_more })
    })
    .await
}

pub(super) async fn sync_heads(s: &SqliteStorage, hall_id: &str) -> StorageResult<SyncHeads> {
    let hall_id = hall_id.to_owned();
    s.with(move |c| {
        c.prepare_cached(
            "SELECT (SELECT coalesce(max(last_change_id), 0) FROM sync_heads WHERE hall_id = ?1),
                    (SELECT coalesce(max(seq), 0) FROM ticket_events WHERE hall_id = ?1),
                    (SELECT coalesce(max(seq), 0) FROM ratings WHERE hall_id = ?1)",
        )
        .map_err(backend)?
        .query_row([hall_id], |r| {
            Ok(SyncHeads { change_id: r.get(0)?, event_seq: r.get(1)?, rating_seq: r.get(2)? })
        })
        .map_err(backend)
    })
    .await
}

pub(super) async fn sync_rows(
    s: &SqliteStorage,
    hall_id: &str,
    entity: &str,
    key_prefix: &str,
) -> StorageResult<Vec<crate::storage::SyncedRow>> {
    let (hall_id, entity, prefix) = (hall_id.to_owned(), entity.to_owned(), key_prefix.to_owned());
    s.with(move |c| {
        let mut st = c
            .prepare_cached(
                "SELECT entity_key, row FROM sync_rows WHERE hall_id = ?1 AND entity = ?2
                  AND substr(entity_key, 1, length(?3)) = ?3 ORDER BY entity_key",
            )
            .map_err(backend)?;
        let rows = st
            .query_map(params![hall_id, entity, prefix], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(backend)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(backend)?;
        let mut out = Vec::new();
        for (key, text) in rows {
            // A deleted row keeps its tombstone; only live ones are answered.
            if let Some(values) = parse_sync_row(&text)?.values() {
                out.push((key, values));
            }
        }
        Ok(out)
    })
    .await
}
