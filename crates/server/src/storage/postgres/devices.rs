//! Devices on PostgreSQL.

use super::{backend, col, conflict_or, is_constraint_violation, parse_ts, ts, PostgresStorage};
use crate::storage::{DeviceChange, DeviceRecord, PairingAdded, PairingRecord, StorageError, StorageResult};
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use hallkeeper_proto::{Device, DeviceKind};
use tokio_postgres::Row;

pub(super) const DEVICE_COLUMNS: &str =
    "id, hall_id, kind, name, window_id, created_at, revoked_at, last_seen_at";

pub(super) fn device_from_row(r: &Row) -> StorageResult<Device> {
    let kind: String = r.try_get(2).map_err(backend)?;
    let created_at: DateTime<Utc> = r.try_get(5).map_err(backend)?;
    let revoked_at: Option<DateTime<Utc>> = r.try_get(6).map_err(backend)?;
    let last_seen_at: Option<DateTime<Utc>> = r.try_get(7).map_err(backend)?;
    Ok(from_columns!(col; r => Device {
        id, hall_id,
        kind = DeviceKind::parse(&kind)
            .ok_or_else(|| StorageError::Backend(format!("device kind {kind:?}")))?,
        name, window_id,
        created_at = ts(created_at),
        revoked_at = revoked_at.map(ts),
        last_seen_at = last_seen_at.map(ts),
    }))
}

pub(super) async fn add_device(s: &PostgresStorage, device: &DeviceRecord) -> StorageResult<()> {
    let d = &device.device;
    let created_at = parse_ts("device created_at", &d.created_at)?;
    let revoked_at = d.revoked_at.as_deref().map(|s| parse_ts("device revoked_at", s)).transpose()?;
    let last_seen_at = d.last_seen_at.as_deref().map(|s| parse_ts("device last_seen_at", s)).transpose()?;
    let c = s.client().await?;
    let st = c
        .prepare_cached(&format!(
            "INSERT INTO devices ({DEVICE_COLUMNS}, token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
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
            &last_seen_at,
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

async fn one_device(c: &impl GenericClient, hall_id: &str, device_id: &str) -> StorageResult<Option<Device>> {
    let row = c
        .query_opt(
            &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE hall_id = $1 AND id = $2"),
            &[&hall_id, &device_id],
        )
        .await
        .map_err(backend)?;
    row.as_ref().map(device_from_row).transpose()
}

pub(super) async fn device(
    s: &PostgresStorage,
    hall_id: &str,
    device_id: &str,
) -> StorageResult<Option<Device>> {
    let c = s.client().await?;
    one_device(&c, hall_id, device_id).await
}

pub(super) async fn revoke_device(
    s: &PostgresStorage,
    hall_id: &str,
    device_id: &str,
    at: DateTime<Utc>,
) -> StorageResult<bool> {
    let mut c = s.client().await?;
    let tx = c.transaction().await.map_err(backend)?;
    let n = tx
        .execute(
            "UPDATE devices SET revoked_at = $3 WHERE hall_id = $1 AND id = $2 AND revoked_at IS NULL",
            &[&hall_id, &device_id, &at],
        )
        .await
        .map_err(backend)?;
    tx.execute("DELETE FROM device_pairings WHERE device_id = $1", &[&device_id]).await.map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(n == 1)
}

pub(super) async fn update_device(
    s: &PostgresStorage,
    hall_id: &str,
    device_id: &str,
    change: &DeviceChange,
) -> StorageResult<Option<Device>> {
    let c = s.client().await?;
    let row = c
        .query_opt(
            &format!(
                "UPDATE devices SET name = COALESCE($3, name), window_id = COALESCE($4, window_id) \
                 WHERE hall_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING {DEVICE_COLUMNS}"
            ),
            &[&hall_id, &device_id, &change.name, &change.window_id],
        )
        .await
        .map_err(backend)?;
    row.as_ref().map(device_from_row).transpose()
}

pub(super) async fn touch_device(
    s: &PostgresStorage,
    device_id: &str,
    at: DateTime<Utc>,
) -> StorageResult<()> {
    let c = s.client().await?;
    let st = c.prepare_cached("UPDATE devices SET last_seen_at = $2 WHERE id = $1").await.map_err(backend)?;
    c.execute(&st, &[&device_id, &at]).await.map_err(backend)?;
    Ok(())
}

pub(super) async fn add_pairing(
    s: &PostgresStorage,
    pairing: &PairingRecord,
    now: DateTime<Utc>,
) -> StorageResult<PairingAdded> {
    let p = pairing;
    let mut c = s.client().await?;
    let tx = c.transaction().await.map_err(backend)?;
    // The device's row locked: a revoke cannot slip between the check and the insert.
    let live = tx
        .query_opt(
            "SELECT 1 FROM devices WHERE hall_id = $1 AND id = $2 AND revoked_at IS NULL FOR UPDATE",
            &[&p.hall_id, &p.device_id],
        )
        .await
        .map_err(backend)?;
    if live.is_none() {
        return Ok(PairingAdded::NoDevice);
    }
    tx.execute("DELETE FROM device_pairings WHERE expires_at <= $1 OR device_id = $2", &[&now, &p.device_id])
        .await
        .map_err(backend)?;
    let inserted = tx
        .execute(
            "INSERT INTO device_pairings (code_hash, hall_id, device_id, expires_at) VALUES ($1, $2, $3, $4)",
            &[&p.code_hash, &p.hall_id, &p.device_id, &p.expires_at],
        )
        .await;
    match inserted {
        Ok(_) => {}
        // The transaction is dropped and rolled back: nothing changed.
        Err(e) if is_constraint_violation(&e) => return Ok(PairingAdded::CodeTaken),
        Err(e) => return Err(backend(e)),
    }
    tx.commit().await.map_err(backend)?;
    Ok(PairingAdded::Done)
}

pub(super) async fn pair_device(
    s: &PostgresStorage,
    code_hash: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StorageResult<Option<Device>> {
    let mut c = s.client().await?;
    let tx = c.transaction().await.map_err(backend)?;
    // Deleted whether or not it is still live: a code is used once, and an expired one is no use
    // to keep. Two exchanges of one code: the second finds no row to delete.
    let found = tx
        .query_opt(
            "DELETE FROM device_pairings WHERE code_hash = $1 RETURNING hall_id, device_id, expires_at",
            &[&code_hash],
        )
        .await
        .map_err(backend)?;
    let mut device = None;
    if let Some(row) = found {
        let hall_id: String = row.try_get(0).map_err(backend)?;
        let device_id: String = row.try_get(1).map_err(backend)?;
        let expires_at: DateTime<Utc> = row.try_get(2).map_err(backend)?;
        if expires_at > now {
            let n = tx
                .execute(
                    "UPDATE devices SET token_hash = $3 WHERE hall_id = $1 AND id = $2 AND revoked_at IS NULL",
                    &[&hall_id, &device_id, &token_hash],
                )
                .await
                .map_err(|e| conflict_or(e, "device token"))?;
            if n == 1 {
                device = one_device(&tx, &hall_id, &device_id).await?;
            }
        }
    }
    tx.commit().await.map_err(backend)?;
    Ok(device)
}
