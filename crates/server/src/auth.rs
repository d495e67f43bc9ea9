//! Who is calling: a device by its bearer token (stored as a SHA-256 hash, revocable), or the
//! administrator by the server's admin token.

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
    let now = (state.now)();
    if needs_touch(device.last_seen_at.as_deref(), now) {
        // Last seen is for the device list, not worth refusing a kiosk's ticket over.
        if let Err(e) = state.storage.touch_device(&device.id, now).await {
            tracing::warn!(device = %device.id, "last seen not recorded: {e}");
        }
    }
    Ok(device)
}

/// How stale a device's last-seen time may get: recorded at most this often, so that a busy
/// kiosk does not write a row per request.
pub const LAST_SEEN_EVERY: chrono::Duration = chrono::Duration::minutes(1);

/// Whether a call at `now` should be recorded as the device's last seen, given the one stored.
pub fn needs_touch(last_seen_at: Option<&str>, now: chrono::DateTime<chrono::Utc>) -> bool {
    match last_seen_at.and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok()) {
        // A clock set back (a last seen in the future) is corrected too.
        Some(seen) => {
            let seen = seen.with_timezone(&chrono::Utc);
            now - seen >= LAST_SEEN_EVERY || seen > now
        }
        None => true,
    }
}

/// The administrator (the admin token from the server's configuration). Without one configured,
/// the admin API is closed.
pub fn admin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let token = bearer(headers)?;
    match &state.admin_token_hash {
        // Compare hashes, not the secret itself, so timing tells nothing about it.
        Some(expected) if *expected == hash_token(token) => Ok(()),
        _ => Err(ApiError::TokenInvalid),
    }
}
