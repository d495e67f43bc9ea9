//! A hall's sync tables on PostgreSQL: the statements of a push ([`PushTx`]; the algorithm is
//! `crate::sync::push`'s), the change log read back, and the heads.

use super::{backend, is_constraint_violation, PostgresStorage, SYNC_LOCK_CLASS};
use crate::storage::{page, StorageError, StorageResult};
use crate::sync::push::{apply_push, dependents_query, DependentsSql, NewChange, PushTx, StoredOp};
use crate::sync::{self, Dependents};
use deadpool_postgres::Transaction;
use hallkeeper_proto::{PullResponse, PushResponse, RejectedOp, SyncChange, SyncHeads, SyncOp};
use hallkeeper_sync::merge::Row as SyncRow;
use tokio_postgres::types::Json;
use tokio_postgres::Row;

fn parse_sync_row(r: &Row, i: usize) -> StorageResult<SyncRow> {
    let Json(v): Json<serde_json::Value> = r.try_get(i).map_err(backend)?;
    sync::row_from_json(&v).map_err(StorageError::Backend)
}

/// [`dependents_query`]'s PostgreSQL text.
const DEPENDENTS: DependentsSql = DependentsSql {
    select: "SELECT entity_key, row FROM sync_rows WHERE hall_id = $1 AND entity = $2",
    key_range: "entity_key >= $3 AND entity_key < $4",
    key_tail: "substr(entity_key, strpos(entity_key, '/') + 1) = $3",
    field: |field| format!("(row -> 'fields' -> '{field}' ->> 'value') = $3"),
};

/// One push's statements, inside its transaction (which holds the hall's sync lock).
struct Push<'a> {
    tx: &'a Transaction<'a>,
    hall_id: &'a str,
}

impl PushTx for Push<'_> {
    async fn open_head(&mut self) -> StorageResult<i64> {
        let hall_id = self.hall_id;
        self.tx
            .execute(
                "INSERT INTO sync_heads (hall_id, last_change_id) VALUES ($1, 0) ON CONFLICT (hall_id) DO NOTHING",
                &[&hall_id],
            )
            .await
            .map_err(|e| {
                if is_constraint_violation(&e) {
                    StorageError::NotFound(format!("hall {hall_id}"))
                } else {
                    backend(e)
                }
            })?;
        self.tx
            .query_one("SELECT last_change_id FROM sync_heads WHERE hall_id = $1", &[&hall_id])
            .await
            .map_err(backend)?
            .try_get(0)
            .map_err(backend)
    }

    async fn close_head(&mut self, last_change_id: i64) -> StorageResult<()> {
        self.tx
            .execute(
                "UPDATE sync_heads SET last_change_id = $2 WHERE hall_id = $1",
                &[&self.hall_id, &last_change_id],
            )
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn record_op(&mut self, device_id: &str, op: &SyncOp) -> StorageResult<Option<StoredOp>> {
        let st = self
            .tx
            .prepare_cached(
                "INSERT INTO sync_ops (hall_id, device_id, seq, op_id, hlc, entity, entity_key, change, state)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'applied')
                 ON CONFLICT (hall_id, device_id, seq) DO NOTHING",
            )
            .await
            .map_err(backend)?;
        let inserted = self
            .tx
            .execute(
                &st,
                &[
                    &self.hall_id,
                    &device_id,
                    &op.seq,
                    &op.op_id,
                    &op.hlc,
                    &op.entity,
                    &op.key,
                    &Json(&op.change),
                ],
            )
            .await
            .map_err(backend)?;
        if inserted == 1 {
            return Ok(None);
        }
        let r = self
            .tx
            .query_one(
                "SELECT state, reject_code, reject_message FROM sync_ops
                  WHERE hall_id = $1 AND device_id = $2 AND seq = $3",
                &[&self.hall_id, &device_id, &op.seq],
            )
            .await
            .map_err(backend)?;
        Ok(Some(StoredOp {
            rejected: r.try_get::<_, String>(0).map_err(backend)? == "rejected",
            code: r.try_get(1).map_err(backend)?,
            message: r.try_get(2).map_err(backend)?,
        }))
    }

    async fn reject_op(&mut self, device_id: &str, rejected: &RejectedOp) -> StorageResult<()> {
        self.tx
            .execute(
                "UPDATE sync_ops SET state = 'rejected', reject_code = $4, reject_message = $5
                  WHERE hall_id = $1 AND device_id = $2 AND seq = $3",
                &[&self.hall_id, &device_id, &rejected.seq, &rejected.code, &rejected.message],
            )
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn row(&mut self, entity: &str, key: &str) -> StorageResult<SyncRow> {
        let st = self
            .tx
            .prepare_cached(
                "SELECT row FROM sync_rows WHERE hall_id = $1 AND entity = $2 AND entity_key = $3",
            )
            .await
            .map_err(backend)?;
        match self.tx.query_opt(&st, &[&self.hall_id, &entity, &key]).await.map_err(backend)? {
            None => Ok(SyncRow::default()),
            Some(r) => parse_sync_row(&r, 0),
        }
    }

    async fn put_row(&mut self, entity: &str, key: &str, row: &SyncRow) -> StorageResult<()> {
        let st = self
            .tx
            .prepare_cached(
                "INSERT INTO sync_rows (hall_id, entity, entity_key, row) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (hall_id, entity, entity_key) DO UPDATE SET row = excluded.row",
            )
            .await
            .map_err(backend)?;
        self.tx
            .execute(&st, &[&self.hall_id, &entity, &key, &Json(sync::row_to_json(row))])
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn append_change(&mut self, c: &NewChange<'_>) -> StorageResult<()> {
        let st = self
            .tx
            .prepare_cached(
                "INSERT INTO sync_changes (hall_id, change_id, entity, entity_key, hlc, change, device_id, seq)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .await
            .map_err(backend)?;
        self.tx
            .execute(
                &st,
                &[
                    &self.hall_id,
                    &c.change_id,
                    &c.entity,
                    &c.key,
                    &c.hlc,
                    &Json(c.change),
                    &c.device_id,
                    &c.seq,
                ],
            )
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn dependent_rows(&mut self, dep: &Dependents) -> StorageResult<Vec<(String, SyncRow)>> {
        let Some((sql, args)) = dependents_query(dep, &DEPENDENTS) else { return Ok(Vec::new()) };
        let st = self.tx.prepare_cached(&sql).await.map_err(backend)?;
        let entity = dep.entity();
        let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![&self.hall_id, &entity];
        params.extend(args.iter().map(|a| a as &(dyn tokio_postgres::types::ToSql + Sync)));
        let rows = self.tx.query(&st, &params).await.map_err(backend)?;
        rows.iter()
            .map(|r| Ok((r.try_get::<_, String>(0).map_err(backend)?, parse_sync_row(r, 1)?)))
            .collect()
    }

    async fn highest_seq(&mut self, device_id: &str) -> StorageResult<i64> {
        self.tx
            .query_one(
                "SELECT coalesce(max(seq), 0) FROM sync_ops WHERE hall_id = $1 AND device_id = $2",
                &[&self.hall_id, &device_id],
            )
            .await
            .map_err(backend)?
            .try_get(0)
            .map_err(backend)
    }
}

pub(super) async fn apply_sync_ops(
    s: &PostgresStorage,
    hall_id: &str,
    device_id: &str,
    ops: &[SyncOp],
    refused: &crate::storage::SyncRefusals,
) -> StorageResult<PushResponse> {
    let mut c = s.client().await?;
    let tx = c.transaction().await.map_err(backend)?;
    // Two desktops pushing at once take turns: change ids are handed out in commit order.
    tx.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", &[&SYNC_LOCK_CLASS, &hall_id])
        .await
        .map_err(backend)?;
    let answer = apply_push(&mut Push { tx: &tx, hall_id }, device_id, ops, refused).await?;
    tx.commit().await.map_err(backend)?;
    Ok(answer)
}

pub(super) async fn pull_changes(
    s: &PostgresStorage,
    hall_id: &str,
    cursor: i64,
    limit: u32,
) -> StorageResult<PullResponse> {
    let c = s.client().await?;
    let st = c
        .prepare_cached(
            "SELECT change_id, entity, entity_key, hlc, change, device_id, seq FROM sync_changes
              WHERE hall_id = $1 AND change_id > $2 ORDER BY change_id LIMIT $3",
        )
        .await
        .map_err(backend)?;
    let rows = c.query(&st, &[&hall_id, &cursor, &(i64::from(limit) + 1)]).await.map_err(backend)?;
    let changes = rows
        .iter()
        .map(|r| {
            let Json(change): Json<serde_json::Value> = r.try_get(4).map_err(backend)?;
            Ok(SyncChange {
                change_id: r.try_get(0).map_err(backend)?,
                entity: r.try_get(1).map_err(backend)?,
                key: r.try_get(2).map_err(backend)?,
                hlc: r.try_get(3).map_err(backend)?,
                change,
                device_id: r.try_get(5).map_err(backend)?,
                seq: r.try_get(6).map_err(backend)?,
            })
        })
        .collect::<StorageResult<Vec<_>>>()?;
    let (changes, next_cursor, has_more) = page(changes, limit, cursor, |c| c.change_id);
    Ok(PullResponse { changes, next_cursor, has_more })
}

pub(super) async fn sync_heads(s: &PostgresStorage, hall_id: &str) -> StorageResult<SyncHeads> {
    let c = s.client().await?;
    let st = c
        .prepare_cached(
            "SELECT (SELECT coalesce(max(last_change_id), 0) FROM sync_heads WHERE hall_id = $1),
                    (SELECT coalesce(max(seq), 0) FROM ticket_events WHERE hall_id = $1),
                    (SELECT coalesce(max(seq), 0) FROM ratings WHERE hall_id = $1)",
        )
        .await
        .map_err(backend)?;
    let r = c.query_one(&st, &[&hall_id]).await.map_err(backend)?;
    Ok(SyncHeads {
        change_id: r.try_get(0).map_err(backend)?,
        event_seq: r.try_get(1).map_err(backend)?,
        rating_seq: r.try_get(2).map_err(backend)?,
    })
}

pub(super) async fn sync_rows(
    s: &PostgresStorage,
    hall_id: &str,
    entity: &str,
    key_prefix: &str,
) -> StorageResult<Vec<crate::storage::SyncedRow>> {
    let c = s.client().await?;
    let st = c
        .prepare_cached(
            "SELECT entity_key, row FROM sync_rows WHERE hall_id = $1 AND entity = $2
              AND left(entity_key, length($3)) = $3 ORDER BY entity_key",
        )
        .await
        .map_err(backend)?;
    let rows = c.query(&st, &[&hall_id, &entity, &key_prefix]).await.map_err(backend)?;
    let mut out = Vec::new();
    for r in &rows {
        let key: String = r.try_get(0).map_err(backend)?;
        // A deleted row keeps its tombstone; only live ones are answered.
        if let Some(values) = parse_sync_row(r, 1)?.values() {
            out.push((key, values));
        }
    }
    Ok(out)
}
