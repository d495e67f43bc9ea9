//! Sync with the supervisors' desktops (docs/sync.md): a desktop pushes its outbox's operations
//! and pulls the hall's change log from its cursor. Authenticated by the admin token (a desktop
//! is the hall's administration).
//!
//! A push is refused whole only when it cannot be read (400), names an unknown hall (404) or
//! speaks another sync schema version (409 `sync.schema_mismatch`). A malformed operation inside
//! a well-formed push is rejected on its own, in the answer's `rejected`, and recorded under its
//! sequence like any rejection: the rest of the batch applies and the desktop's outbox moves on.

use crate::api::admin::hall_exists;
use crate::api::check_id;
use crate::auth;
use crate::error::ApiError;
use crate::json::{ApiJson, CONFIG_LIMIT};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use hallkeeper_proto::{PullResponse, PushRequest, PushResponse, SYNC_SCHEMA_VERSION};
use std::sync::Arc;

/// Changes per pull page unless the desktop asks for another size, and the most it may ask for.
pub const PULL_LIMIT_DEFAULT: u32 = 500;
pub const PULL_LIMIT_MAX: u32 = 5000;

pub async fn push(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(hall_id): Path<String>,
    ApiJson(request): ApiJson<PushRequest, CONFIG_LIMIT>,
) -> Result<Json<PushResponse>, ApiError> {
    auth::admin(&state, &headers)?;
    hall_exists(&state, &hall_id).await?;
    check_id("deviceId", &request.device_id)?;
    if request.schema_version != SYNC_SCHEMA_VERSION {
        let (theirs, ours) = (request.schema_version, SYNC_SCHEMA_VERSION);
        let message = if theirs < ours {
            format!("桌面端的同步版本 {theirs} 旧于服务器的 {ours}：请升级桌面端后再同步")
        } else {
            format!("服务器的同步版本 {ours} 旧于桌面端的 {theirs}：请升级服务器后再同步")
        };
        return Err(ApiError::Conflict { code: "sync.schema_mismatch", message });
    }
    Ok(Json(state.storage.apply_sync_ops(&hall_id, &request.device_id, &request.ops).await?))
}

#[derive(serde::Deserialize)]
pub struct PullQuery {
    cursor: Option<String>,
    limit: Option<String>,
}

pub async fn pull(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(hall_id): Path<String>,
    Query(q): Query<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    auth::admin(&state, &headers)?;
    hall_exists(&state, &hall_id).await?;
    let cursor =
        match q.cursor.as_deref() {
            None | Some("") => 0,
            Some(c) => c.parse::<i64>().ok().filter(|c| *c >= 0).ok_or_else(|| {
                ApiError::bad("request.invalid_field", "cursor", "cursor 须为不小于 0 的整数")
            })?,
        };
    let limit = match q.limit.as_deref() {
        None | Some("") => PULL_LIMIT_DEFAULT,
        Some(l) => l.parse::<u32>().ok().filter(|l| (1..=PULL_LIMIT_MAX).contains(l)).ok_or_else(|| {
            ApiError::bad("request.invalid_field", "limit", format!("limit 须为 1–{PULL_LIMIT_MAX} 的整数"))
        })?,
    };
    Ok(Json(state.storage.pull_changes(&hall_id, cursor, limit).await?))
}
