//! Devices of a hall and their enrolment: the administrator registers a device (with a token at
//! once, or with a pairing code the device exchanges for its token), lists, renames, rebinds and
//! revokes them; the device's half is `POST /api/v1/devices/pair` (no token: the code is the
//! credential, see `crate::pairing`). Admin routes are checked by the guard (`devices.manage`,
//! `api::ADMIN_ROUTES`) before the handler runs.

use crate::api::check_id;
use crate::api::params::AdminHall;
use crate::auth;
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::pairing;
use crate::storage::{DeviceChange, DeviceRecord, PairingAdded, PairingRecord};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{Extensions, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use hallkeeper_proto::{
    Device, DeviceCreated, DeviceInput, DeviceKind, DeviceUpdate, PairDevice, PairingCode,
};
use std::sync::Arc;

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A device's name: 1–60 characters after trimming.
fn checked_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(ApiError::bad("device.name_invalid", "name", "设备名称须为 1–60 个字"));
    }
    Ok(name.to_owned())
}

/// The window a device of `kind` is bound to: required for callers and rating pads and one of the
/// hall's configured windows; none for the others (a window given to them is ignored at creation).
async fn checked_window(
    state: &AppState,
    hall_id: &str,
    kind: DeviceKind,
    window_id: Option<String>,
) -> Result<Option<String>, ApiError> {
    match (kind.needs_window(), window_id) {
        (true, None) => {
            Err(ApiError::bad("device.window_missing", "windowId", "叫号器和评价器须指定所属窗口"))
        }
        (true, Some(w)) => {
            check_id("windowId", &w)?;
            let config = state
                .storage
                .config(hall_id)
                .await?
                .ok_or_else(|| ApiError::NotConfigured(hall_id.to_owned()))?;
            if !config.windows.iter().any(|x| x.id == w) {
                return Err(ApiError::bad("device.window_unknown", "windowId", "本大厅没有这个窗口"));
            }
            Ok(Some(w))
        }
        (false, _) => Ok(None),
    }
}

/// A new device record from the administrator's input, checked, with the hash of `token`.
async fn new_device(
    state: &AppState,
    hall_id: &str,
    input: DeviceInput,
    token: &str,
) -> Result<DeviceRecord, ApiError> {
    let name = checked_name(&input.name)?;
    let window_id = checked_window(state, hall_id, input.kind, input.window_id).await?;
    let now = (state.now)();
    let device = Device {
        id: crate::ids::id_at(now),
        hall_id: hall_id.to_owned(),
        kind: input.kind,
        name,
        window_id,
        created_at: ts(now),
        revoked_at: None,
        last_seen_at: None,
    };
    let record = DeviceRecord { device, token_hash: auth::hash_token(token) };
    state.storage.add_device(&record).await?;
    tracing::info!(hall = %hall_id, device = %record.device.id, kind = record.device.kind.as_str(), "device registered");
    Ok(record)
}

/// `POST …/devices`: a device with its token at once (for devices set up by hand).
pub async fn add_device(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    ApiJson(input): ApiJson<DeviceInput>,
) -> Result<(StatusCode, Json<DeviceCreated>), ApiError> {
    let token = auth::new_token();
    let record = new_device(&state, &hall_id, input, &token).await?;
    Ok((StatusCode::CREATED, Json(DeviceCreated { device: record.device, token })))
}

/// `POST …/pairings`: a device that gets its token by pairing. Until it pairs its token is one
/// nobody was told (a random one, thrown away), so the device exists but nothing opens it.
pub async fn add_pairing(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    ApiJson(input): ApiJson<DeviceInput>,
) -> Result<(StatusCode, Json<PairingCode>), ApiError> {
    let record = new_device(&state, &hall_id, input, &auth::new_token()).await?;
    let code = issue_code(&state, &record.device).await?;
    Ok((StatusCode::CREATED, Json(code)))
}

/// `POST …/devices/{deviceId}/pairing`: a new code for a device already listed (a replaced
/// kiosk, a lost token). The device's earlier codes stop working; its token does when the new
/// code is used.
pub async fn repair(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    Path((_, device_id)): Path<(String, String)>,
) -> Result<Json<PairingCode>, ApiError> {
    let device = live_device(&state, &hall_id, &device_id).await?;
    Ok(Json(issue_code(&state, &device).await?))
}

/// The hall's device, not revoked: 404 `device.not_found`, 409 `device.revoked`.
async fn live_device(state: &AppState, hall_id: &str, device_id: &str) -> Result<Device, ApiError> {
    check_id("deviceId", device_id)?;
    let device =
        state.storage.device(hall_id, device_id).await?.ok_or_else(|| ApiError::NotFound {
            code: "device.not_found",
            what: format!("设备 {device_id}"),
        })?;
    if device.revoked_at.is_some() {
        return Err(ApiError::Conflict {
            code: "device.revoked",
            message: "该设备已吊销，请重新添加设备".into(),
        });
    }
    Ok(device)
}

/// Draws a code and stores its hash for the device; another draw in the rare case a live code
/// already has it.
async fn issue_code(state: &AppState, device: &Device) -> Result<PairingCode, ApiError> {
    const DRAWS: usize = 8;
    for _ in 0..DRAWS {
        let code = pairing::new_code().ok_or_else(|| {
            ApiError::Storage(crate::storage::StorageError::Backend(
                "no OS randomness for a pairing code".into(),
            ))
        })?;
        let now = (state.now)();
        let expires_at = now + pairing::CODE_LIFETIME;
        let record = PairingRecord {
            code_hash: pairing::hash_code(&code),
            hall_id: device.hall_id.clone(),
            device_id: device.id.clone(),
            expires_at,
        };
        match state.storage.add_pairing(&record, now).await? {
            PairingAdded::Done => {
                tracing::info!(hall = %device.hall_id, device = %device.id, "pairing code issued");
                return Ok(PairingCode { device: device.clone(), code, expires_at: ts(expires_at) });
            }
            PairingAdded::CodeTaken => continue,
            PairingAdded::NoDevice => {
                return Err(ApiError::Conflict {
                    code: "device.revoked",
                    message: "该设备已吊销，请重新添加设备".into(),
                })
            }
        }
    }
    Err(ApiError::Conflict {
        code: "pairing.busy", message: "暂时无法生成配对码，请重试".into()
    })
}

pub async fn devices(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
) -> Result<Json<Vec<Device>>, ApiError> {
    Ok(Json(state.storage.devices(&hall_id).await?))
}

/// `PATCH …/devices/{deviceId}`: rename, or bind a caller or rating pad to another window
/// (checked like a new device's).
pub async fn update_device(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    Path((_, device_id)): Path<(String, String)>,
    ApiJson(update): ApiJson<DeviceUpdate>,
) -> Result<Json<Device>, ApiError> {
    let device = live_device(&state, &hall_id, &device_id).await?;
    let name = update.name.as_deref().map(checked_name).transpose()?;
    let window_id = match update.window_id {
        None => None,
        Some(_) if !device.kind.needs_window() => {
            return Err(ApiError::bad(
                "device.window_not_applicable",
                "windowId",
                "只有叫号器和评价器绑定窗口",
            ))
        }
        w @ Some(_) => checked_window(&state, &hall_id, device.kind, w).await?,
    };
    let change = DeviceChange { name, window_id };
    let updated = state.storage.update_device(&hall_id, &device_id, &change).await?.ok_or_else(|| {
        // Revoked between the look-up and the update.
        ApiError::Conflict {
            code: "device.revoked", message: "该设备已吊销，请重新添加设备".into()
        }
    })?;
    tracing::info!(hall = %hall_id, device = %device_id, "device updated");
    Ok(Json(updated))
}

pub async fn revoke_device(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    Path((_, device_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    check_id("deviceId", &device_id)?;
    if state.storage.revoke_device(&hall_id, &device_id, (state.now)()).await? {
        tracing::info!(hall = %hall_id, device = %device_id, "device revoked");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound { code: "device.not_found", what: format!("设备 {device_id}") })
    }
}

/// `POST /api/v1/devices/pair`: the device's half. Throttled per address before the code is
/// looked at; an unknown, used or expired code all get the same answer, so the answer tells a
/// guesser nothing.
pub async fn pair(
    State(state): State<Arc<AppState>>,
    extensions: Extensions,
    ApiJson(input): ApiJson<PairDevice>,
) -> Result<(StatusCode, Json<DeviceCreated>), ApiError> {
    let now = (state.now)();
    // Without connect info (a router served without it) every caller shares one throttle.
    let addr = crate::api::params::peer(&extensions);
    state.pairing_throttle.try_at(&addr, now).map_err(|seconds| ApiError::PairingThrottled { seconds })?;
    let invalid = || ApiError::bad("pairing.code_invalid", "code", "配对码无效或已过期，请在管理端重新生成");
    let code = input.code.trim();
    if !pairing::well_formed(code) {
        return Err(invalid());
    }
    let token = auth::new_token();
    let device = state
        .storage
        .pair_device(&pairing::hash_code(code), &auth::hash_token(&token), now)
        .await?
        .ok_or_else(|| {
            tracing::info!(%addr, "pairing refused");
            invalid()
        })?;
    tracing::info!(hall = %device.hall_id, device = %device.id, %addr, "device paired");
    Ok((StatusCode::CREATED, Json(DeviceCreated { device, token })))
}
