//! 评价器: one rating per finished ticket, from the pad of the window that served it.

use crate::api::check_id;
use crate::api::params::{DeviceAs, Pad};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::storage::StorageError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hallkeeper_proto::{Rating, RatingInput, TicketState};
use std::sync::Arc;

pub const MAX_REASONS: usize = 10;
pub const MAX_REASON_CHARS: usize = 20;
pub const MAX_COMMENT_CHARS: usize = 500;

pub async fn rate(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Pad>,
    ApiJson(input): ApiJson<RatingInput>,
) -> Result<(StatusCode, Json<Rating>), ApiError> {
    let window_id = device.window_id.clone().ok_or(ApiError::WrongDevice)?;
    check_id("ticketId", &input.ticket_id)?;
    if input.reasons.len() > MAX_REASONS {
        return Err(ApiError::bad(
            "rating.reasons_invalid",
            "reasons",
            format!("评价原因最多 {MAX_REASONS} 项"),
        ));
    }
    if input.reasons.iter().any(|r| r.trim().is_empty() || r.chars().count() > MAX_REASON_CHARS) {
        return Err(ApiError::bad(
            "rating.reasons_invalid",
            "reasons",
            format!("每项评价原因须为 1–{MAX_REASON_CHARS} 个字"),
        ));
    }
    if input.comment.chars().count() > MAX_COMMENT_CHARS {
        return Err(ApiError::bad(
            "rating.comment_too_long",
            "comment",
            format!("留言最多 {MAX_COMMENT_CHARS} 个字"),
        ));
    }
    let now = (state.now)();
    let rating = state
        .halls
        .with(&*state.storage, &device.hall_id, now, async |rt| {
            let ticket = rt.queue.ticket(&input.ticket_id).ok_or_else(|| ApiError::NotFound {
                code: "rating.ticket_not_found",
                what: format!("号码 {}", input.ticket_id),
            })?;
            if ticket.state != TicketState::Finished {
                return Err(ApiError::Conflict {
                    code: "rating.ticket_not_finished",
                    message: format!("号码 {} 尚未办结，办结后才能评价", ticket.number),
                });
            }
            if ticket.window_id.as_deref() != Some(window_id.as_str()) {
                return Err(ApiError::Conflict {
                    code: "rating.other_window",
                    message: format!("号码 {} 不是在本窗口办结的", ticket.number),
                });
            }
            Ok(Rating {
                id: crate::ids::id_at(now),
                hall_id: device.hall_id.clone(),
                ticket_id: ticket.id.clone(),
                ticket_number: ticket.number.clone(),
                window_id: window_id.clone(),
                matter_id: ticket.matter_id.clone(),
                level: input.level,
                reasons: input.reasons.iter().map(|r| r.trim().to_owned()).collect(),
                comment: input.comment.trim().to_owned(),
                at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            })
        })
        .await?;
    state.storage.add_rating(&rating).await.map_err(|e| match e {
        StorageError::Conflict(_) => ApiError::Conflict {
            code: "rating.duplicate",
            message: format!("号码 {} 已经评价过，一事只评一次", rating.ticket_number),
        },
        other => other.into(),
    })?;
    // The hall's desktops pull it now (a poor rating opens a rectification case there).
    state.signals.notify(&rating.hall_id);
    Ok((StatusCode::CREATED, Json(rating)))
}
