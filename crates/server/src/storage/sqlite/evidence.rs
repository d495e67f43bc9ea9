//! Evidence files on SQLite (the bytes by hall and hash; `crate::evidence` checks them first).

use super::{backend, ts, SqliteStorage};
use crate::storage::{StorageError, StorageResult};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

pub(super) async fn put_evidence(
    s: &SqliteStorage,
    hall_id: &str,
    sha256: &str,
    bytes: &[u8],
    at: DateTime<Utc>,
) -> StorageResult<bool> {
    let (hall_id, sha256, bytes) = (hall_id.to_owned(), sha256.to_owned(), bytes.to_vec());
    s.with(move |c| {
        let n = c
            .execute(
                "INSERT INTO evidence_files (hall_id, sha256, size, bytes, stored_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (hall_id, sha256) DO NOTHING",
                params![hall_id, sha256, bytes.len() as i64, bytes, ts(at)],
            )
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => StorageError::NotFound(format!("hall {hall_id}")),
                _ => backend(e),
            })?;
        Ok(n == 1)
    })
    .await
}

pub(super) async fn evidence(
    s: &SqliteStorage,
    hall_id: &str,
    sha256: &str,
) -> StorageResult<Option<Vec<u8>>> {
    let (hall_id, sha256) = (hall_id.to_owned(), sha256.to_owned());
    s.with(move |c| {
        c.prepare_cached("SELECT bytes FROM evidence_files WHERE hall_id = ?1 AND sha256 = ?2")
            .map_err(backend)?
            .query_row(params![hall_id, sha256], |r| r.get(0))
            .optional()
            .map_err(backend)
    })
    .await
}
