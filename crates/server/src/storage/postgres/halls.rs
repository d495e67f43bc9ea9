//! Halls and their configuration on PostgreSQL.

use super::{backend, conflict_or, is_constraint_violation, PostgresStorage};
use crate::storage::{StorageError, StorageResult};
use chrono::{DateTime, Utc};
use hallkeeper_proto::{Hall, HallConfig};
use tokio_postgres::types::Json;

pub(super) async fn create_hall(s: &PostgresStorage, hall: &Hall) -> StorageResult<()> {
    let c = s.client().await?;
    let st = c.prepare_cached("INSERT INTO halls (id, name) VALUES ($1, $2)").await.map_err(backend)?;
    c.execute(&st, &[&hall.id, &hall.name])
        .await
        .map_err(|e| conflict_or(e, &format!("hall {}", hall.id)))?;
    Ok(())
}

pub(super) async fn hall(s: &PostgresStorage, id: &str) -> StorageResult<Option<Hall>> {
    let c = s.client().await?;
    let st = c.prepare_cached("SELECT id, name FROM halls WHERE id = $1").await.map_err(backend)?;
    let row = c.query_opt(&st, &[&id]).await.map_err(backend)?;
    Ok(row.map(|r| Hall { id: r.get(0), name: r.get(1) }))
}

pub(super) async fn halls(s: &PostgresStorage) -> StorageResult<Vec<Hall>> {
    let c = s.client().await?;
    let st = c.prepare_cached("SELECT id, name FROM halls ORDER BY id").await.map_err(backend)?;
    let rows = c.query(&st, &[]).await.map_err(backend)?;
    Ok(rows.iter().map(|r| Hall { id: r.get(0), name: r.get(1) }).collect())
}

pub(super) async fn put_config(
    s: &PostgresStorage,
    hall_id: &str,
    config: &HallConfig,
    at: DateTime<Utc>,
) -> StorageResult<()> {
    let c = s.client().await?;
    let st = c
        .prepare_cached(
            "INSERT INTO hall_configs (hall_id, config, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (hall_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at",
        )
        .await
        .map_err(backend)?;
    c.execute(&st, &[&hall_id, &Json(config), &at]).await.map_err(|e| {
        if is_constraint_violation(&e) {
            StorageError::NotFound(format!("hall {hall_id}"))
        } else {
            backend(e)
        }
    })?;
    Ok(())
}

pub(super) async fn config(s: &PostgresStorage, hall_id: &str) -> StorageResult<Option<HallConfig>> {
    let c = s.client().await?;
    let st = c.prepare_cached("SELECT config FROM hall_configs WHERE hall_id = $1").await.map_err(backend)?;
    let row = c.query_opt(&st, &[&hall_id]).await.map_err(backend)?;
    row.map(|r| r.try_get::<_, Json<HallConfig>>(0).map(|Json(config)| config).map_err(backend)).transpose()
}
