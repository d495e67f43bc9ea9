//! Devices on SQLite.

use super::{backend, bad_column, conflict_or, ts, SqliteStorage};
use crate::storage::{DeviceChange, DeviceRecord, PairingAdded, PairingRecord, StorageError, StorageResult};
use chrono::{DateTime, Utc};
use hallkeeper_proto::{Device, DeviceKind};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

pub(super) fn device_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    let kind: String = r.get(2)?;
    Ok(from_columns!(rusqlite::Row::get; r => Device {
        id, hall_id,
        kind = DeviceKind::parse(&kind).ok_or_else(|| bad_column(2, format!("device kind {kind:?}")))?,
        name, window_id, created_at, revoked_at, last_seen_at,
    }))
}

pub(super) const DEVICE_COLUMNS: &str =
    "id, hall_id, kind, name, window_id, created_at, revoked_at, last_seen_at";

pub(super) async fn add_device(s: &SqliteStorage, device: &DeviceRecord) -> StorageResult<()> {
    let d = device.clone();
    s.with(move |c| {
        c.execute(
            &format!(
                "INSERT INTO devices ({DEVICE_COLUMNS}, token_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                d.device.id,
                d.device.hall_id,
                d.device.kind.as_str(),
                d.device.name,
                d.device.window_id,
                d.device.created_at,
                d.device.revoked_at,
                d.device.last_seen_at,
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

fn one_device(c: &Connection, hall_id: &str, device_id: &str) -> StorageResult<Option<Device>> {
    let mut st = c
        .prepare_cached(&format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE hall_id = ?1 AND id = ?2"))
        .map_err(backend)?;
    st.query_row([hall_id, device_id], device_from_row).optional().map_err(backend)
}

pub(super) async fn device(
    s: &SqliteStorage,
    hall_id: &str,
    device_id: &str,
) -> StorageResult<Option<Device>> {
    let (hall_id, device_id) = (hall_id.to_owned(), device_id.to_owned());
    s.with(move |c| one_device(c, &hall_id, &device_id)).await
}

pub(super) async fn revoke_device(
    s: &SqliteStorage,
    hall_id: &str,
    device_id: &str,
    at: DateTime<Utc>,
) -> StorageResult<bool> {
    let (hall_id, device_id) = (hall_id.to_owned(), device_id.to_owned());
    s.with(move |c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
        let n = tx
            .execute(
                "UPDATE devices SET revoked_at = ?3 WHERE hall_id = ?1 AND id = ?2 AND revoked_at IS NULL",
                params![hall_id, device_id, ts(at)],
            )
            .map_err(backend)?;
        tx.execute("DELETE FROM device_pairings WHERE device_id = ?1", [&device_id]).map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(n == 1)
    })
    .await
}

pub(super) async fn update_device(
    s: &SqliteStorage,
    hall_id: &str,
    device_id: &str,
    change: &DeviceChange,
) -> StorageResult<Option<Device>> {
    let (hall_id, device_id, change) = (hall_id.to_owned(), device_id.to_owned(), change.clone());
    s.with(move |c| {
        let n = c
            .execute(
                "UPDATE devices SET name = COALESCE(?3, name), window_id = COALESCE(?4, window_id) \
                 WHERE hall_id = ?1 AND id = ?2 AND revoked_at IS NULL",
                params![hall_id, device_id, change.name, change.window_id],
            )
            .map_err(backend)?;
        if n == 0 {
            return Ok(None);
        }
        one_device(c, &hall_id, &device_id)
    })
    .await
}

pub(super) async fn touch_device(s: &SqliteStorage, device_id: &str, at: DateTime<Utc>) -> StorageResult<()> {
    let device_id = device_id.to_owned();
    s.with(move |c| {
        c.execute("UPDATE devices SET last_seen_at = ?2 WHERE id = ?1", params![device_id, ts(at)])
            .map_err(backend)?;
        Ok(())
    })
    .await
}

pub(super) async fn add_pairing(
    s: &SqliteStorage,
    pairing: &PairingRecord,
    now: DateTime<Utc>,
) -> StorageResult<PairingAdded> {
    let p = pairing.clone();
    s.with(move |c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
        let live: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM devices WHERE hall_id = ?1 AND id = ?2 AND revoked_at IS NULL)",
                [&p.hall_id, &p.device_id],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if !live {
            return Ok(PairingAdded::NoDevice);
        }
        tx.execute(
            "DELETE FROM device_pairings WHERE expires_at <= ?1 OR device_id = ?2",
            params![ts(now), p.device_id],
        )
        .map_err(backend)?;
        let inserted = tx.execute(
            "INSERT INTO device_pairings (code_hash, hall_id, device_id, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![p.code_hash, p.hall_id, p.device_id, ts(p.expires_at)],
        );
        match inserted.map_err(|e| conflict_or(e, "pairing code")) {
            Ok(_) => {}
            // Dropping the transaction rolls back the deletes: nothing changed.
            Err(StorageError::Conflict(_)) => return Ok(PairingAdded::CodeTaken),
            Err(e) => return Err(e),
        }
        tx.commit().map_err(backend)?;
        Ok(PairingAdded::Done)
    })
    .await
}

pub(super) async fn pair_device(
    s: &SqliteStorage,
    code_hash: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StorageResult<Option<Device>> {
    let (code_hash, token_hash) = (code_hash.to_owned(), token_hash.to_owned());
    s.with(move |c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
        // Deleted whether or not it is still live: a code is used once, and an expired one is
        // no use to keep.
        let found: Option<(String, String, String)> = tx
            .query_row(
                "DELETE FROM device_pairings WHERE code_hash = ?1 RETURNING hall_id, device_id, expires_at",
                [&code_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(backend)?;
        let device = match found {
            Some((hall_id, device_id, expires_at)) if expires_at > ts(now) => {
                let n = tx
                    .execute(
                        "UPDATE devices SET token_hash = ?3 WHERE hall_id = ?1 AND id = ?2 AND revoked_at IS NULL",
                        params![hall_id, device_id, token_hash],
                    )
                    .map_err(|e| conflict_or(e, "device token"))?;
                if n == 1 {
                    one_device(&tx, &hall_id, &device_id)?
                } else {
                    None
                }
            }
            _ => None,
        };
        tx.commit().map_err(backend)?;
        Ok(device)
    })
    .await
}
