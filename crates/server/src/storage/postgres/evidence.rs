//! Evidence files on PostgreSQL (the bytes by hall and hash; `crate::evidence` checks them first).

use super::{backend, is_constraint_violation, PostgresStorage};
use crate::storage::{StorageError, StorageResult};
use chrono::{DateTime, Utc};

pub(super) async fn put_evidence(
    s: &PostgresStorage,
    hall_id: &str,
    sha256: &str,
    bytes: &[u8],
    at: DateTime<Utc>,
) -> StorageResult<bool> {
    let c = s.client().await?;
    let st = c
        .prepare_cached(
            "INSERT INTO evidence_files (hall_id, sha256, size, bytes, stored_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (hall_id, sha256) DO NOTHING",
        )
        .await
        .map_err(backend)?;
    let n = c.execute(&st, &[&hall_id, &sha256, &(bytes.len() as i64), &bytes, &at]).await.map_err(|e| {
        if is_constraint_violation(&e) {
            StorageError::NotFound(format!("hall {hall_id}"))
        } else {
            backend(e)
        }
    })?;
    Ok(n == 1)
}

pub(super) async fn evidence(
    s: &PostgresStorage,
    hall_id: &str,
    sha256: &str,
) -> StorageResult<Option<Vec<u8>>> {
    let c = s.client().await?;
    let st = c
        .prepare_cached("SELECT bytes FROM evidence_files WHERE hall_id = $1 AND sha256 = $2")
        .await
        .map_err(backend)?;
    Ok(c.query_opt(&st, &[&hall_id, &sha256]).await.map_err(backend)?.map(|r| r.get(0)))
}
