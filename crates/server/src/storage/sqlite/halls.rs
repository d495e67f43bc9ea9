//! Halls and their configuration on SQLite.

use super::{backend, conflict_or, ts, SqliteStorage};
use crate::storage::{StorageError, StorageResult};
use chrono::{DateTime, Utc};
use hallkeeper_proto::{Hall, HallConfig};
use rusqlite::{params, OptionalExtension};

pub(super) async fn create_hall(s: &SqliteStorage, hall: &Hall) -> StorageResult<()> {
    let hall = hall.clone();
    s.with(move |c| {
        c.execute("INSERT INTO halls (id, name) VALUES (?1, ?2)", params![hall.id, hall.name])
            .map_err(|e| conflict_or(e, &format!("hall {}", hall.id)))?;
        Ok(())
    })
    .await
}

pub(super) async fn hall(s: &SqliteStorage, id: &str) -> StorageResult<Option<Hall>> {
    let id = id.to_owned();
    s.with(move |c| {
        c.query_row("SELECT id, name FROM halls WHERE id = ?1", [id], |r| {
            Ok(Hall { id: r.get(0)?, name: r.get(1)? })
        })
        .optional()
        .map_err(backend)
    })
    .await
}

pub(super) async fn halls(s: &SqliteStorage) -> StorageResult<Vec<Hall>> {
    s.with(|c| {
        let mut st = c.prepare_cached("SELECT id, name FROM halls ORDER BY id").map_err(backend)?;
        let rows = st.query_map([], |r| Ok(Hall { id: r.get(0)?, name: r.get(1)? })).map_err(backend)?;
        rows.collect::<rusqlite::Result<_>>().map_err(backend)
    })
    .await
}

pub(super) async fn put_config(
    s: &SqliteStorage,
    hall_id: &str,
    config: &HallConfig,
    at: DateTime<Utc>,
) -> StorageResult<()> {
    let json = serde_json::to_string(config).map_err(backend)?;
    let hall_id = hall_id.to_owned();
    s.with(move |c| {
        c.execute(
            "INSERT INTO hall_configs (hall_id, config, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (hall_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at",
            params![hall_id, json, ts(at)],
        )
        .map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => {
                StorageError::NotFound(format!("hall {hall_id}"))
            }
            _ => backend(e),
        })?;
        Ok(())
    })
    .await
}

pub(super) async fn config(s: &SqliteStorage, hall_id: &str) -> StorageResult<Option<HallConfig>> {
    let hall_id = hall_id.to_owned();
    let json: Option<String> = s
        .with(move |c| {
            c.query_row("SELECT config FROM hall_configs WHERE hall_id = ?1", [hall_id], |r| r.get(0))
                .optional()
                .map_err(backend)
        })
        .await?;
    json.map(|j| serde_json::from_str(&j).map_err(backend)).transpose()
}
