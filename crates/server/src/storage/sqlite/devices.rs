//! Devices on SQLite.

use super::{backend, conflict_or, ts, SqliteStorage};
use crate::storage::{DeviceRecord, StorageResult};
use chrono::{DateTime, Utc};
use hallkeeper_proto::{Device, DeviceKind};
use rusqlite::{params, OptionalExtension};

pub(super) fn device_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    let kind: String = r.get(2)?;
    Ok(Device {
        id: r.get(0)?,
        hall_id: r.get(1)?,
        kind: DeviceKind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                format!("device kind {kind:?}").into(),
            )
        })?,
        name: r.get(3)?,
        window_id: r.get(4)?,
        created_at: r.get(5)?,
        revoked_at: r.get(6)?,
    })
}

pub(super) const DEVICE_COLUMNS: &str = "id, hall_id, kind, name, window_id, created_at, revoked_at";

pub(super) async fn add_device(s: &SqliteStorage, device: &DeviceRecord) -> StorageResult<()> {
    let d = device.clone();
    s.with(move |c| {
        c.execute(
            &format!(
                "INSERT INTO devices ({DEVICE_COLUMNS}, token_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ),
            params![
                d.device.id,
                d.device.hall_id,
                d.device.kind.as_str(),
                d.device.name,
                d.device.window_id,
                d.device.created_at,
                d.device.revoked_at,
                d.token_hash
            ],
        )
        .map_err(|e| conflict_or(e, "device"))?;
        Ok(())
    })
    .await
}

pub(super) async fn device_by_token_hash(
    s: &SqliteStorage,
    token_hash: &str,
) -> StorageResult<Option<Device>> {
    let hash = token_hash.to_owned();
    s.with(move |c| {
        let mut st = c
            .prepare_cached(&format!(
                "SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = ?1 AND revoked_at IS NULL"
            ))
            .map_err(backend)?;
        st.query_row([hash], device_from_row).optional().map_err(backend)
    })
    .await
}

pub(super) async fn devices(s: &SqliteStorage, hall_id: &str) -> StorageResult<Vec<Device>> {
    let hall_id = hall_id.to_owned();
    s.with(move |c| {
        let mut st = c
            .prepare_cached(&format!(
                "SELECT {DEVICE_COLUMNS} FROM devices WHERE hall_id = ?1 ORDER BY created_at, id"
            ))
            .map_err(backend)?;
        let rows = st.query_map([hall_id], device_from_row).map_err(backend)?;
        rows.collect::<rusqlite::Result<_>>().map_err(backend)
    })
    .await
}

pub(super) async fn revoke_device(
    s: &SqliteStorage,
    hall_id: &str,
    device_id: &str,
    at: DateTime<Utc>,
) -> StorageResult<bool> {
    let (hall_id, device_id) = (hall_id.to_owned(), device_id.to_owned());
    s.with(move |c| {
        let n = c
            .execute(
                "UPDATE devices SET revoked_at = ?3 WHERE hall_id = ?1 AND id = ?2 AND revoked_at IS NULL",
                params![hall_id, device_id, ts(at)],
            )
            .map_err(backend)?;
        Ok(n == 1)
    })
    .await
}
