//! 设备管理: the hall's kiosks, window terminals (callers), rating pads and displays, on the
//! central server. Thin adapters over the link's [`AdminClient`]: the server decides (names,
//! windows, codes, revocation) and its refusals come back with their code and field. Core maps
//! each command to the `devices.manage` capability (`list_devices` … `revoke_device`).
//!
//! A pairing code is shown with a QR code of `hallkeeper-pair:<server base URL>?code=<code>`
//! (docs/devices.md), drawn here as SVG so the page needs no QR library.

use crate::{AppState, CommandError};
use hallkeeper_client::{AdminClient, ClientError};
use hallkeeper_core::proto::{
    Device, DeviceInput, DeviceKind, DeviceUpdate, ErrorBody, Locale, PairingCode, PairingShown,
};
use hallkeeper_core::{notices, FailureCode};
use std::sync::Arc;
use tauri::State;

/// The link to the central server, or why there is none (shared with 人员与权限).
pub(crate) fn link(state: &AppState) -> Result<Arc<crate::hall_server::ServerLink>, CommandError> {
    state.link().cloned().ok_or_else(|| {
        CommandError(notices::not_connected(state.locale(), FailureCode::ServerNotConnected.as_str()))
    })
}

/// The server's refusal (its code and field, in the UI's language where core has the words), or
/// why there was none (shared with 人员与权限).
pub(crate) fn said(e: ClientError, locale: Locale) -> CommandError {
    if let Some(refusal) = e.server_error() {
        tracing::info!(code = %refusal.code, "server request refused");
        return CommandError(notices::server_refusal(refusal, locale));
    }
    tracing::warn!("server request failed: {e}");
    CommandError(match e {
        ClientError::BadUrl { .. } => notices::server_url_invalid(locale),
        ClientError::Refused { status, .. } | ClientError::Unreadable { status, .. } => {
            notices::server_bad_answer(locale, status)
        }
        _ => notices::server_unreachable(locale),
    })
}

/// What a QR code of `code` for the server at `base_url` holds.
pub fn pairing_qr_text(base_url: &str, code: &str) -> String {
    format!("hallkeeper-pair:{}?code={code}", base_url.trim_end_matches('/'))
}

/// The code with its QR code (SVG, black on white, a quiet zone around it).
pub fn shown(base_url: &str, pairing: PairingCode) -> Result<PairingShown, ErrorBody> {
    let qr_text = pairing_qr_text(base_url, &pairing.code);
    let qr =
        qrcode::QrCode::with_error_correction_level(qr_text.as_bytes(), qrcode::EcLevel::M).map_err(|e| {
            ErrorBody { code: "device.qr_failed".into(), message: format!("QR: {e}"), field: None }
        })?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    Ok(PairingShown { pairing, qr_text, qr_svg })
}

/// The hall's devices (revoked ones too), in the order they were added.
#[tauri::command]
pub async fn list_devices(state: State<'_, AppState>) -> Result<Vec<Device>, CommandError> {
    let link = link(&state)?;
    link.admin().devices().await.map_err(|e| said(e, state.locale()))
}

/// Adds a device that enrols with a one-time pairing code; the code and its QR code.
#[tauri::command(rename_all = "camelCase")]
pub async fn add_device(
    state: State<'_, AppState>,
    kind: DeviceKind,
    name: String,
    window_id: Option<String>,
) -> Result<PairingShown, CommandError> {
    let link = link(&state)?;
    let input = DeviceInput { kind, name, window_id: window_id.filter(|w| !w.is_empty()) };
    let pairing = add(link.admin(), &input).await.map_err(|e| said(e, state.locale()))?;
    tracing::info!(device = %pairing.device.id, kind = kind.as_str(), "device added for pairing");
    shown(link.base_url(), pairing).map_err(CommandError)
}

/// The call, apart from Tauri's state so tests can make it against a server of their own.
pub async fn add(admin: &AdminClient, input: &DeviceInput) -> Result<PairingCode, ClientError> {
    admin.add_device_for_pairing(input).await
}

/// A new pairing code for a listed device (a replaced kiosk, a lost token): when the device uses
/// it, its old token stops working.
#[tauri::command(rename_all = "camelCase")]
pub async fn new_device_pairing_code(
    state: State<'_, AppState>,
    device_id: String,
) -> Result<PairingShown, CommandError> {
    let link = link(&state)?;
    let pairing = link.admin().new_pairing_code(&device_id).await.map_err(|e| said(e, state.locale()))?;
    shown(link.base_url(), pairing).map_err(CommandError)
}

/// Renames a device, or binds a caller or rating pad to another window.
#[tauri::command(rename_all = "camelCase")]
pub async fn update_device(
    state: State<'_, AppState>,
    device_id: String,
    name: Option<String>,
    window_id: Option<String>,
) -> Result<Device, CommandError> {
    let link = link(&state)?;
    let update = DeviceUpdate { name, window_id: window_id.filter(|w| !w.is_empty()) };
    let device =
        link.admin().update_device(&device_id, &update).await.map_err(|e| said(e, state.locale()))?;
    tracing::info!(device = %device_id, "device updated");
    Ok(device)
}

/// Revokes a device: its next request to the server is refused.
#[tauri::command(rename_all = "camelCase")]
pub async fn revoke_device(state: State<'_, AppState>, device_id: String) -> Result<(), CommandError> {
    let link = link(&state)?;
    link.admin().revoke_device(&device_id).await.map_err(|e| said(e, state.locale()))?;
    tracing::info!(device = %device_id, "device revoked");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairing(code: &str) -> PairingCode {
        PairingCode {
            device: Device {
                id: "d-1".into(),
                hall_id: "local".into(),
                kind: DeviceKind::Kiosk,
                name: "一号取号机".into(),
                window_id: None,
                created_at: "2026-12-07T10:00:00.000Z".into(),
                revoked_at: None,
                last_seen_at: None,
            },
            code: code.into(),
            expires_at: "2026-12-07T10:10:00.000Z".into(),
        }
    }

    #[test]
    fn the_qr_code_holds_the_server_and_the_code() {
        let shown = shown("http://10.0.0.5:8720/", pairing("40718263")).unwrap();
        assert_eq!(shown.qr_text, "hallkeeper-pair:http://10.0.0.5:8720?code=40718263");
        assert!(shown.qr_svg.starts_with("<?xml") && shown.qr_svg.contains("<svg"), "{}", shown.qr_svg);
        assert!(shown.qr_svg.contains("#000000"));
        // The same text always draws the same code (nothing random in it).
        assert_eq!(shown.qr_svg, super::shown("http://10.0.0.5:8720", pairing("40718263")).unwrap().qr_svg);
        assert_ne!(shown.qr_svg, super::shown("http://10.0.0.5:8720", pairing("40718264")).unwrap().qr_svg);
    }
}
