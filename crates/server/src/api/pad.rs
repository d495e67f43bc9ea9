//! 评价器: one rating per finished ticket, from the pad of the window that served it; the pad's
//! screen (who serves, what to rate now) and its event stream.

use crate::api::check_id;
use crate::api::device_stream;
use crate::api::params::{DeviceAs, Pad};
use crate::device_events::DeviceEvent;
use crate::error::ApiError;
use crate::halls::HallRuntime;
use crate::json::ApiJson;
use crate::seating;
use crate::storage::StorageError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use axum::Json;
use futures_util::stream::Stream;
use hallkeeper_proto::{
    PadStaff, PadTicket, PadView, Rating, RatingInput, RatingReasons, Ticket, TicketState, WindowState,
};
use std::convert::Infallible;
use std::sync::Arc;

pub const MAX_REASONS: usize = 10;
pub const MAX_REASON_CHARS: usize = 20;
pub const MAX_COMMENT_CHARS: usize = 500;

/// What the pad offers as reasons for 不满意 / 非常不满意 until a desktop syncs the hall's own
/// list (`rating_reasons`): the complaints the source text and the rectification cases name
/// most. Core's defaults are the same six (`DEFAULT_RATING_REASONS`).
pub const DEFAULT_REASON_TAGS: [&str; 6] =
    ["等候时间长", "办理效率低", "服务态度差", "解释不清楚", "材料要求不明确", "环境设施不便"];

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
    // Only the hall's tags: a reason is a category the rectification inbox counts, not free
    // text (the comment is for that). A pad that queued a rating offline under a list edited
    // since is refused here, and the pad says why.
    let tags = reason_tags(&state, &device.hall_id).await?;
    if let Some(unknown) = input.reasons.iter().map(|r| r.trim()).find(|r| !tags.iter().any(|t| t == r)) {
        return Err(ApiError::bad(
            "rating.reason_unknown",
            "reasons",
            format!("评价原因“{unknown}”不在本厅的原因列表中"),
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
            let ticket = finished_here(rt, &input.ticket_id, &window_id)?;
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
        StorageError::Conflict(_) => duplicate(&rating.ticket_number),
        other => other.into(),
    })?;
    // The hall's desktops pull it now (a poor rating opens a rectification case there).
    state.signals.notify(&rating.hall_id);
    Ok((StatusCode::CREATED, Json(rating)))
}

/// The hall's reason tags: the `rating_reasons` row a desktop synced, else
/// [`DEFAULT_REASON_TAGS`]. A row that does not read (the push checked it, so only one of
/// another version) counts as none, said in the log.
pub(crate) async fn reason_tags(state: &AppState, hall_id: &str) -> Result<Vec<String>, ApiError> {
    let defaults = || DEFAULT_REASON_TAGS.iter().map(|t| (*t).to_owned()).collect();
    let Some(row) = state.storage.sync_row_fields(hall_id, "rating_reasons", "hall").await? else {
        return Ok(defaults());
    };
    let Some(doc) = row.get("document") else { return Ok(defaults()) };
    match serde_json::from_value::<RatingReasons>(doc.clone()) {
        Ok(reasons) => Ok(reasons.tags),
        Err(e) => {
            tracing::warn!(hall = hall_id, "the rating_reasons record is unreadable: {e}");
            Ok(defaults())
        }
    }
}

/// A ticket of the hall that finished at this window: what may be rated there.
pub(crate) fn finished_here<'a>(
    rt: &'a HallRuntime,
    ticket_id: &str,
    window_id: &str,
) -> Result<&'a Ticket, ApiError> {
    let ticket = rt.queue.ticket(ticket_id).ok_or_else(|| ApiError::NotFound {
        code: "rating.ticket_not_found",
        what: format!("号码 {ticket_id}"),
    })?;
    if ticket.state != TicketState::Finished {
        return Err(ApiError::Conflict {
            code: "rating.ticket_not_finished",
            message: format!("号码 {} 尚未办结，办结后才能评价", ticket.number),
        });
    }
    if ticket.window_id.as_deref() != Some(window_id) {
        return Err(ApiError::Conflict {
            code: "rating.other_window",
            message: format!("号码 {} 不是在本窗口办结的", ticket.number),
        });
    }
    Ok(ticket)
}

/// 409 `rating.duplicate`: one rating per ticket.
pub(crate) fn duplicate(ticket_number: &str) -> ApiError {
    ApiError::Conflict {
        code: "rating.duplicate",
        message: format!("号码 {ticket_number} 已经评价过，一事只评一次"),
    }
}

/// Whether the ticket has its rating: only ratings stored since it finished can be its own.
pub(crate) async fn rated(state: &AppState, hall_id: &str, ticket: &Ticket) -> Result<bool, ApiError> {
    let since = ticket.ended_at.unwrap_or(ticket.updated_at);
    Ok(state.storage.ratings(hall_id, since).await?.iter().any(|r| r.ticket_id == ticket.id))
}

pub(crate) fn pad_ticket(rt: &HallRuntime, ticket: &Ticket) -> PadTicket {
    let matter = rt.config.matters.iter().find(|m| m.id == ticket.matter_id);
    PadTicket {
        ticket_id: ticket.id.clone(),
        ticket_number: ticket.number.clone(),
        matter_id: ticket.matter_id.clone(),
        matter_name: matter.map_or_else(|| ticket.matter_id.clone(), |m| m.name.clone()),
        finished_at: ticket.ended_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
    }
}

/// What the pad should offer for rating: the ticket its terminal asked for, while it is
/// unrated, else the window's last finished ticket, if unrated.
async fn rate_now(
    state: &AppState,
    rt: &HallRuntime,
    window_id: &str,
) -> Result<Option<PadTicket>, ApiError> {
    let asked = rt.rating_asked.get(window_id).and_then(|id| finished_here(rt, id, window_id).ok());
    let last = || {
        rt.queue
            .tickets()
            .into_iter()
            .filter(|t| t.state == TicketState::Finished && t.window_id.as_deref() == Some(window_id))
            .max_by_key(|t| (t.ended_at, t.order))
    };
    for ticket in asked.into_iter().chain(last()) {
        if !rated(state, &rt.hall.id, ticket).await? {
            return Ok(Some(pad_ticket(rt, ticket)));
        }
    }
    Ok(None)
}

/// Who is seated at the window on the hall day (`crate::seating`), as the idle pad shows them.
async fn seated(state: &AppState, rt: &HallRuntime, window_id: &str) -> Result<Option<PadStaff>, ApiError> {
    let storage = state.storage.as_ref();
    let Some(staff_id) = seating::seated_staff_id(storage, &rt.hall.id, rt.day, window_id).await? else {
        return Ok(None);
    };
    let Some(staff) = seating::staff_fields(storage, &rt.hall.id, &staff_id).await? else { return Ok(None) };
    let text = |field: &str| staff.get(field).and_then(serde_json::Value::as_str).map(str::to_owned);
    Ok(Some(PadStaff {
        employee_no: text("employeeNo").unwrap_or_default(),
        name: text("name").unwrap_or_default(),
        photo_url: text("photoUrl"),
        // The grade of the month's 服务之星 record (core ranks them on the desktop); someone
        // not among the month's stars has none to show.
        stars: super::display::star_month(state, &rt.hall.id, rt.day)
            .await?
            .and_then(|m| m.stars.into_iter().find(|s| s.staff_id == staff_id))
            .map(|s| s.grade)
            .filter(|g| (1..=5).contains(g)),
        staff_id,
    }))
}

/// `GET /pad`: the pad's screen — its window and whether it is paused, who serves there, and
/// the ticket to rate now.
pub async fn show(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Pad>,
) -> Result<Json<PadView>, ApiError> {
    let window_id = device.window_id.clone().ok_or(ApiError::WrongDevice)?;
    let reason_tags = reason_tags(&state, &device.hall_id).await?;
    let view = state
        .halls
        .with(&*state.storage, &device.hall_id, (state.now)(), async |rt| {
            let window = rt.config.windows.iter().find(|w| w.id == window_id).ok_or_else(|| {
                ApiError::Queue(hallkeeper_queue::QueueError::WindowNotFound(window_id.clone()))
            })?;
            Ok(PadView {
                window_id: window.id.clone(),
                window_number: window.number.clone(),
                window_name: window.name.clone(),
                window_state: window.state,
                paused: window.state == WindowState::Paused,
                serving: seated(&state, rt, &window_id).await?,
                rate_now: rate_now(&state, rt, &window_id).await?,
                reason_tags,
            })
        })
        .await?;
    Ok(Json(view))
}

/// `GET /pad/events`: `text/event-stream` of this pad's window — `rate_now`
/// (`{"type":"rate_now","windowId","ticketId"}`: a ticket finished there, or 请评价) and
/// `window_state` (`{"type":"window_state","windowId","state"}`: paused, reopened, closed);
/// `resync` when the stream fell behind (read `GET /pad` again).
pub async fn events(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Pad>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let window_id = device.window_id.clone().ok_or(ApiError::WrongDevice)?;
    let slot = device_stream::slot(&state, &device)?;
    let events = state.device_events.subscribe(&device.hall_id);
    Ok(device_stream::open(&state, slot, events, Vec::new(), move |e| match e {
        DeviceEvent::RateNow { window_id: w, .. } | DeviceEvent::WindowState { window_id: w, .. } => {
            *w == window_id
        }
        DeviceEvent::Call { .. } => false,
    }))
}
