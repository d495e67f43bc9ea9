//! Administration: halls, their configuration, devices and their tokens, and read access to the
//! day's tickets and the ratings. Authenticated by the server's admin token.

use crate::api::check_id;
use crate::auth;
use crate::error::ApiError;
use crate::halls::queue_config;
use crate::json::{ApiJson, CONFIG_LIMIT};
use crate::storage::{DeviceRecord, StorageError};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use hallkeeper_proto::{Device, DeviceCreated, DeviceInput, Hall, HallConfig, HallInput, Rating, Ticket};
use hallkeeper_queue::HallQueue;
use std::sync::Arc;

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn hall_exists(state: &AppState, hall_id: &str) -> Result<Hall, ApiError> {
    check_id("hallId", hall_id)?;
    state
        .storage
        .hall(hall_id)
        .await?
        .ok_or_else(|| ApiError::NotFound { code: "hall.not_found", what: format!("大厅 {hall_id}") })
}

pub async fn create_hall(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<HallInput>,
) -> Result<(StatusCode, Json<Hall>), ApiError> {
    auth::admin(&state, &headers)?;
    check_id("id", &input.id)?;
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(ApiError::bad("hall.name_invalid", "name", "大厅名称须为 1–60 个字"));
    }
    let hall = Hall { id: input.id, name: name.to_owned() };
    state.storage.create_hall(&hall).await.map_err(|e| match e {
        StorageError::Conflict(_) => ApiError::Conflict {
            code: "hall.duplicate",
            message: format!("大厅编号 {} 已存在", hall.id),
        },
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(hall)))
}

pub async fn halls(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Vec<Hall>>, ApiError> {
    auth::admin(&state, &headers)?;
    Ok(Json(state.storage.halls().await?))
}

/// Replaces the hall's configuration. Refused (and nothing changes) if the queue engine finds it
/// inconsistent, or if it drops a window or matter that today's tickets still need.
pub async fn put_config(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(hall_id): Path<String>,
    ApiJson(config): ApiJson<HallConfig, CONFIG_LIMIT>,
) -> Result<StatusCode, ApiError> {
    auth::admin(&state, &headers)?;
    hall_exists(&state, &hall_id).await?;
    let now = (state.now)();
    HallQueue::new(queue_config(&config)).map_err(|e| ApiError::BadRequest {
        code: e.code(),
        message: format!("大厅配置有误：{e}"),
        field: None,
    })?;
    if state.storage.config(&hall_id).await?.is_none() {
        state.storage.put_config(&hall_id, &config, now).await?;
        state.halls.invalidate(&hall_id).await;
        return Ok(StatusCode::NO_CONTENT);
    }
    state
        .halls
        .with(&*state.storage, &hall_id, now, async |rt| {
            // Refused if today's tickets still need a window or matter the new one drops.
            rt.queue.set_config(queue_config(&config))?;
            state.storage.put_config(&hall_id, &config, now).await?;
            rt.config = config;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn config(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(hall_id): Path<String>,
) -> Result<Json<HallConfig>, ApiError> {
    auth::admin(&state, &headers)?;
    hall_exists(&state, &hall_id).await?;
    let config = state.storage.config(&hall_id).await?.ok_or(ApiError::NotConfigured(hall_id))?;
    Ok(Json(config))
}

pub async fn add_device(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(hall_id): Path<String>,
    ApiJson(input): ApiJson<DeviceInput>,
) -> Result<(StatusCode, Json<DeviceCreated>), ApiError> {
    auth::admin(&state, &headers)?;
    hall_exists(&state, &hall_id).await?;
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(ApiError::bad("device.name_invalid", "name", "设备名称须为 1–60 个字"));
    }
    let window_id = match (input.kind.needs_window(), input.window_id) {
        (true, None) => {
            return Err(ApiError::bad("device.window_missing", "windowId", "叫号器和评价器须指定所属窗口"))
        }
        (true, Some(w)) => {
            check_id("windowId", &w)?;
            let config =
                state.storage.config(&hall_id).await?.ok_or(ApiError::NotConfigured(hall_id.clone()))?;
            if !config.windows.iter().any(|x| x.id == w) {
                return Err(ApiError::bad("device.window_unknown", "windowId", "本大厅没有这个窗口"));
            }
            Some(w)
        }
        (false, _) => None,
    };
    let token = auth::new_token();
    let device = Device {
        id: uuid::Uuid::now_v7().to_string(),
        hall_id: hall_id.clone(),
        kind: input.kind,
        name: name.to_owned(),
        window_id,
        created_at: ts((state.now)()),
        revoked_at: None,
    };
    state
        .storage
        .add_device(&DeviceRecord { device: device.clone(), token_hash: auth::hash_token(&token) })
        .await?;
    tracing::info!(hall = %hall_id, device = %device.id, kind = device.kind.as_str(), "device registered");
    Ok((StatusCode::CREATED, Json(DeviceCreated { device, token })))
}

pub async fn devices(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(hall_id): Path<String>,
) -> Result<Json<Vec<Device>>, ApiError> {
    auth::admin(&state, &headers)?;
    hall_exists(&state, &hall_id).await?;
    Ok(Json(state.storage.devices(&hall_id).await?))
}

pub async fn revoke_device(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path((hall_id, device_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    auth::admin(&state, &headers)?;
    hall_exists(&state, &hall_id).await?;
    check_id("deviceId", &device_id)?;
    if state.storage.revoke_device(&hall_id, &device_id, (state.now)()).await? {
        tracing::info!(hall = %hall_id, device = %device_id, "device revoked");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound { code: "device.not_found", what: format!("设备 {device_id}") })
    }
}

/// Today's tickets of the hall, in issue order.
pub async fn tickets(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(hall_id): Path<String>,
) -> Result<Json<Vec<Ticket>>, ApiError> {
    auth::admin(&state, &headers)?;
    hall_exists(&state, &hall_id).await?;
    let out = state
        .halls
        .with(&*state.storage, &hall_id, (state.now)(), async |rt| {
            Ok(rt.queue.tickets().into_iter().cloned().collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(out))
}

#[derive(serde::Deserialize)]
pub struct Since {
    since: Option<DateTime<Utc>>,
}

pub async fn ratings(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(hall_id): Path<String>,
    Query(q): Query<Since>,
) -> Result<Json<Vec<Rating>>, ApiError> {
    auth::admin(&state, &headers)?;
    hall_exists(&state, &hall_id).await?;
    let since = q.since.unwrap_or(DateTime::<Utc>::MIN_UTC);
    Ok(Json(state.storage.ratings(&hall_id, since).await?))
}
