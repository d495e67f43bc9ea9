//! The HTTP API, one module per kind of caller (`appointments` is the online booking channel's).
//! Each handler authenticates, validates, runs one operation on the hall's live queue (or
//! storage), and answers with proto types.

pub mod admin;
pub mod appointments;
pub mod caller;
pub mod display;
pub mod kiosk;
pub mod pad;
mod params;
pub mod sms;
pub mod sync;

use crate::error::ApiError;
use crate::AppState;
use axum::routing::{delete, get, post, put};
use axum::Router;
use std::sync::Arc;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/v1/kiosk/matters", get(kiosk::matters))
        .route("/api/v1/kiosk/tickets", post(kiosk::take_ticket))
        .route("/api/v1/kiosk/checkins", post(kiosk::check_in))
        .route("/api/v1/caller", get(caller::show))
        .route("/api/v1/caller/next", post(caller::call_next))
        .route("/api/v1/caller/window-state", put(caller::window_state))
        .route("/api/v1/caller/tickets/{ticket_id}/transfer", post(caller::transfer))
        .route("/api/v1/caller/tickets/{ticket_id}/finish-and-next", post(caller::finish_and_call_next))
        .route("/api/v1/caller/tickets/{ticket_id}/{action}", post(caller::act))
        .route("/api/v1/pad/ratings", post(pad::rate))
        .route("/api/v1/display", get(display::feed))
        .route("/api/v1/appointments", post(appointments::book))
        .route("/api/v1/appointments/slots", get(appointments::slots))
        .route("/api/v1/appointments/{code}", get(appointments::show).delete(appointments::cancel))
        .route("/api/v1/admin/halls", post(admin::create_hall).get(admin::halls))
        .route("/api/v1/admin/halls/{hall_id}/config", put(admin::put_config).get(admin::config))
        .route("/api/v1/admin/halls/{hall_id}/devices", post(admin::add_device).get(admin::devices))
        .route("/api/v1/admin/halls/{hall_id}/devices/{device_id}", delete(admin::revoke_device))
        .route("/api/v1/admin/halls/{hall_id}/tickets", get(admin::tickets))
        .route("/api/v1/admin/halls/{hall_id}/queue/move-waiting", post(admin::move_waiting))
        .route("/api/v1/admin/halls/{hall_id}/ratings", get(admin::ratings))
        .route("/api/v1/admin/halls/{hall_id}/appointment-slots", put(admin::put_slots).get(admin::slots))
        .route("/api/v1/admin/halls/{hall_id}/appointments", get(admin::appointments))
        .route("/api/v1/admin/halls/{hall_id}/sms/outbox", get(sms::outbox))
        .route("/api/v1/admin/halls/{hall_id}/sms/counts", get(sms::counts))
        .route("/api/v1/admin/halls/{hall_id}/sms/status", get(sms::status))
        .route("/api/v1/admin/halls/{hall_id}/sms/test", post(sms::test))
        .route("/api/v1/admin/halls/{hall_id}/sync/push", post(sync::push))
        .route("/api/v1/admin/halls/{hall_id}/sync/pull", get(sync::pull))
        .route("/api/v1/admin/halls/{hall_id}/sync/events", get(sync::events))
        .route("/api/v1/admin/halls/{hall_id}/sync/ratings", get(sync::ratings))
        .route("/api/v1/admin/halls/{hall_id}/sync/stream", get(sync::stream))
        .route("/api/v1/admin/halls/{hall_id}/sync/evidence/{sha256}", put(sync::upload).get(sync::download))
        .fallback(|| async {
            ApiError::NotFound { code: "request.no_such_endpoint", what: "该接口".into() }
        })
        .with_state(state)
}

/// Ids in paths and bodies: non-empty, short, printable ASCII without spaces.
pub(crate) fn check_id(field: &str, id: &str) -> Result<(), ApiError> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::bad("request.invalid_field", field, format!("{field} 不是有效的编号")));
    }
    Ok(())
}
