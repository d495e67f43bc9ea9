//! Who is calling: a device by its bearer token (`hk_…`, stored as a SHA-256 hash, revocable), a
//! person by their session (`hks_…`, likewise), or — only with break-glass on — the shared admin
//! token.

use crate::accounts::{Actor, Principal, SESSION_PREFIX};
use crate::error::ApiError;
use crate::AppState;
use axum::http::HeaderMap;
use hallkeeper_proto::{Device, DeviceKind};
use sha2::{Digest, Sha256};

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new device token: 256 bits from the OS's random source (two UUIDv4s), hex.
pub fn new_token() -> String {
    format!("hk_{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let value = headers.get(axum::http::header::AUTHORIZATION).ok_or(ApiError::TokenMissing)?;
    let value = value.to_str().map_err(|_| ApiError::TokenInvalid)?;
    let token = value.strip_prefix("Bearer ").ok_or(ApiError::TokenInvalid)?.trim();
    if token.is_empty() {
        return Err(ApiError::TokenMissing);
    }
    Ok(token)
}

/// The device calling, which must be of one of these kinds.
pub async fn device(state: &AppState, headers: &HeaderMap, kinds: &[DeviceKind]) -> Result<Device, ApiError> {
    let token = bearer(headers)?;
    let device =
        state.storage.device_by_token_hash(&hash_token(token)).await?.ok_or(ApiError::TokenInvalid)?;
    if !kinds.contains(&device.kind) {
        return Err(ApiError::WrongDevice);
    }
    Ok(device)
}

/// Who calls an admin or session route, from the request's head: a person's session
/// (`hks_…`), or the break-glass token when it is on. Slides the session (at most one write a
/// minute per session). `allow_pending`: whether a person who must change their password first
/// may use the route (only the session routes); everywhere else they get 403
/// `session.password_change_required`.
pub async fn principal(
    state: &AppState,
    headers: &HeaderMap,
    address: String,
    allow_pending: bool,
) -> Result<Principal, ApiError> {
    let token = bearer(headers)?;
    if token.starts_with(SESSION_PREFIX) {
        let now = (state.now)();
        let hash = hallkeeper_access::token_hash(token);
        let store = state.storage.accounts();
        let session = store.session(&hash).await?.ok_or(ApiError::TokenInvalid)?;
        let life = &state.session_lifetime;
        let live = session.revoked_at.is_none()
            && now < session.idle_expires_at
            && now < session.absolute_expires_at;
        if !live {
            return Err(ApiError::SessionExpired);
        }
        let record = store.account(&session.account_id).await?.ok_or(ApiError::SessionExpired)?;
        if !record.account.active {
            return Err(ApiError::SessionExpired);
        }
        if !allow_pending && record.account.must_change_password {
            return Err(ApiError::Forbidden {
                code: "session.password_change_required",
                message: "请先修改密码".into(),
            });
        }
        if now - session.last_used_at >= chrono::Duration::seconds(TOUCH_EVERY_SECS) {
            let idle = life.expires_at(session.created_at, now).min(session.absolute_expires_at);
            store.touch_session(&hash, crate::storage::to_millis(now), idle).await?;
        }
        return Ok(Principal {
            actor: Actor::Person { account: record.account, session_hash: hash },
            address,
        });
    }
    match &state.break_glass_token_hash {
        // Compare hashes, not the secret itself, so timing tells nothing about it.
        Some(expected) if *expected == hash_token(token) => {
            Ok(Principal { actor: Actor::BreakGlass, address })
        }
        _ => Err(ApiError::TokenInvalid),
    }
}

/// A session is slid (its last use written) at most this often: sliding a 12-hour idle limit by
/// the minute loses nothing, and a busy desktop does not write on every request.
pub const TOUCH_EVERY_SECS: i64 = 60;
