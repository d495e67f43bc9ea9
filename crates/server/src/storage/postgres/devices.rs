//! Devices on PostgreSQL.

use super::{backend, conflict_or, parse_ts, ts, PostgresStorage};
use crate::storage::{DeviceRecord, StorageError, StorageResult};
use chrono::{DateTime, Utc};
use hallkeeper_proto::{Device, DeviceKind};
use tokio_postgres::Row;

pub(super) const DEVICE_COLUMNS: &str = "id, hall_id, kind, name, window_id, created_at, revoked_at";

pub(super) fn device_from_row(r: &Row) -> StorageResult<Device> {
    let kind: String = r.try_get(2).map_err(backend)?;
    let created_at: DateTime<Utc> = r.try_get(5).map_err(backend)?;
    let revoked_at: Option<DateTime<Utc>> = r.try_get(6).map_err(backend)?;
    Ok(Device {
        id: r.try_get(0).map_err(backend)?,
        hall_id: r.try_get(1).map_err(backend)?,
        kind: DeviceKind::parse(&kind)
            .ok_or_else(|| StorageError::Backend(format!("device kind {kind:?}")))?,
        name: r.try_get(3).map_err(backend)?,
        window_id: r.try_get(4).map_err(backend)?,
        created_at: ts(created_at),
        revoked_at: revoked_at.map(ts),
    })
}

pub(super) async fn add_device(s: &PostgresStorage, device: &DeviceRecord) -> StorageResult<()> {
    let d = &device.device;
    let created_at = parse_ts("device created_at", &d.created_at)?;
    let revoked_at = d.revoked_at.as_deref().map(|s| parse_ts("device revoked_at", s)).transpose()?;
    let c = s.client().await?;
    let st = c
        .prepare_cached(&format!(
            "INSERT INTO devices ({DEVICE_COLUMNS}, token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .await
        .map_err(backend)?;
    c.execute(
        &st,
        &[
            &d.id,
            &d.hall_id,
            &d.kind.as_str(),
            &d.name,
            &d.window_id,
            &created_at,
            &revoked_at,
            &device.token_hash,
        ],
    )
    .await
    .map_err(|e| conflict_or(e, "device"))?;
    Ok(())
}

pub(super) async fn device_by_token_hash(
    s: &PostgresStorage,
    token_hash: &str,
) -> StorageResult<Option<Device>> {
    let c = s.client().await?;
    let st = c
        .prepare_cached(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = $1 AND revoked_at IS NULL"
        ))
        .await
        .map_err(backend)?;
    let row = c.query_opt(&st, &[&token_hash]).await.map_err(backend)?;
    row.as_ref().map(device_from_row).transpose()
}

pub(super) async fn devices(s: &PostgresStorage, hall_id: &str) -> StorageResult<Vec<Device>> {
    let c = s.client().await?;
    let st = c
        .prepare_cached(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE hall_id = $1 ORDER BY created_at, id"
        ))
        .await
        .map_err(backend)?;
    let rows = c.query(&st, &[&hall_id]).await.map_err(backend)?;
    rows.iter().map(device_from_row).collect()
}

pub(super) async fn revoke_device(
    s: &PostgresStorage,
    hall_id: &str,
    device_id: &str,
    at: DateTime<Utc>,
) -> StorageResult<bool> {
    let c = s.client().await?;
    let st = c
        .prepare_cached(
            "UPDATE devices SET revoked_at = $3 WHERE hall_id = $1 AND id = $2 AND revoked_at IS NULL",
        )
        .await
        .map_err(backend)?;
    let n = c.execute(&st, &[&hall_id, &device_id, &at]).await.map_err(backend)?;
    Ok(n == 1)
}
