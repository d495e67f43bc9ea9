//! 叫号器: a window's caller — call next, recall, start, finish, finish and call next, no-show,
//! park, resume, transfer, and pausing or reopening the window.

use crate::api::check_id;
use crate::api::params::{Caller, DeviceAs};
use crate::device_events::DeviceEvent;
use crate::error::ApiError;
use crate::halls::HallRuntime;
use crate::json::ApiJson;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use hallkeeper_proto::{
    CallerView, Device, FinishedAndCalled, PadTicket, Ticket, TicketEventKind, TransferRequest,
    TransferTarget, WindowStateRequest,
};
use std::sync::Arc;

fn window_of(device: &Device) -> Result<String, ApiError> {
    device.window_id.clone().ok_or(ApiError::WrongDevice)
}

fn view(rt: &HallRuntime, window_id: &str) -> Result<CallerView, ApiError> {
    let window =
        rt.queue.config().windows.iter().find(|w| w.id == window_id).ok_or_else(|| {
            ApiError::Queue(hallkeeper_queue::QueueError::WindowNotFound(window_id.to_owned()))
        })?;
    Ok(CallerView {
        window_id: window_id.to_owned(),
        window_state: window.state,
        current: rt.queue.current(window_id).cloned(),
        waiting: u32::try_from(rt.queue.queue_len(window_id)?).unwrap_or(u32::MAX),
        parked: rt.queue.parked_at(window_id).into_iter().cloned().collect(),
        max_recalls: rt.queue.config().settings.max_recalls,
    })
}

fn ticket(rt: &HallRuntime, id: &str) -> Result<Ticket, ApiError> {
    rt.queue
        .ticket(id)
        .cloned()
        .ok_or_else(|| ApiError::Queue(hallkeeper_queue::QueueError::TicketNotFound(id.to_owned())))
}

/// Runs a caller's command on its hall's live queue, under the hall's lock, with the time read
/// again under the lock: a request that waited for it must not stamp its events before the one
/// that held it.
async fn command<T>(
    state: &AppState,
    device: &Device,
    f: impl AsyncFnOnce(&mut HallRuntime, DateTime<Utc>) -> Result<T, ApiError>,
) -> Result<Json<T>, ApiError> {
    let t = state
        .halls
        .with(&*state.storage, &device.hall_id, (state.now)(), async |rt| f(rt, (state.now)()).await)
        .await?;
    Ok(Json(t))
}

pub async fn show(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
) -> Result<Json<CallerView>, ApiError> {
    let window_id = window_of(&device)?;
    let v = state
        .halls
        .with(&*state.storage, &device.hall_id, (state.now)(), async |rt| view(rt, &window_id))
        .await?;
    Ok(Json(v))
}

pub async fn call_next(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
) -> Result<Json<Ticket>, ApiError> {
    let window_id = window_of(&device)?;
    command(&state, &device, async |rt, now| {
        let event = rt.queue.call_next(&window_id, now)?;
        let id = event.ticket_id.clone();
        rt.record(&*state.storage, event).await?;
        ticket(rt, &id)
    })
    .await
}

/// 完成并叫下一位: the window's ticket finishes and the next one is called, both events stored
/// in one transaction (see `HallQueue::finish_and_call_next`: refused whole, changing nothing,
/// when the ticket is not this window's open one or the window is not open).
pub async fn finish_and_call_next(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
    Path(ticket_id): Path<String>,
) -> Result<Json<FinishedAndCalled>, ApiError> {
    let window_id = window_of(&device)?;
    check_id("ticketId", &ticket_id)?;
    command(&state, &device, async |rt, now| {
        let events = rt.queue.finish_and_call_next(&window_id, &ticket_id, now)?;
        let called = events
            .iter()
            .find(|e| matches!(e.kind, TicketEventKind::Called { .. }))
            .map(|e| e.ticket_id.clone());
        rt.record_all(&*state.storage, events).await?;
        Ok(FinishedAndCalled {
            finished: ticket(rt, &ticket_id)?,
            called: called.map(|id| ticket(rt, &id)).transpose()?,
        })
    })
    .await
}

/// recall | start | finish | no-show | park | resume
pub async fn act(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
    Path((ticket_id, action)): Path<(String, String)>,
) -> Result<Json<Ticket>, ApiError> {
    let window_id = window_of(&device)?;
    check_id("ticketId", &ticket_id)?;
    if !["recall", "start", "finish", "no-show", "park", "resume"].contains(&action.as_str()) {
        return Err(ApiError::NotFound {
            code: "request.no_such_endpoint", what: format!("操作 {action}")
        });
    }
    command(&state, &device, async |rt, now| {
        let q = &mut rt.queue;
        let event = match action.as_str() {
            "recall" => q.recall(&window_id, &ticket_id, now)?,
            "start" => q.start(&window_id, &ticket_id, now)?,
            "finish" => q.finish(&window_id, &ticket_id, now)?,
            "no-show" => q.no_show(&window_id, &ticket_id, now)?,
            "park" => q.park(&window_id, &ticket_id, now)?,
            _ => q.resume(&window_id, &ticket_id, now)?,
        };
        rt.record(&*state.storage, event).await?;
        ticket(rt, &ticket_id)
    })
    .await
}

pub async fn transfer(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
    Path(ticket_id): Path<String>,
    ApiJson(input): ApiJson<TransferRequest>,
) -> Result<Json<Ticket>, ApiError> {
    let window_id = window_of(&device)?;
    check_id("ticketId", &ticket_id)?;
    match &input.target {
        TransferTarget::Window { window_id } => check_id("target.windowId", window_id)?,
        TransferTarget::Matter { matter_id } => check_id("target.matterId", matter_id)?,
    }
    command(&state, &device, async |rt, now| {
        let event = rt.queue.transfer(&window_id, &ticket_id, input.target.clone(), now)?;
        rt.record(&*state.storage, event).await?;
        ticket(rt, &ticket_id)
    })
    .await
}

/// Pauses, reopens or closes the caller's window; the hall's configuration keeps the state.
pub async fn window_state(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
    ApiJson(input): ApiJson<WindowStateRequest>,
) -> Result<Json<CallerView>, ApiError> {
    let window_id = window_of(&device)?;
    let now = (state.now)();
    let v = state
        .halls
        .with(&*state.storage, &device.hall_id, now, async |rt| {
            let mut config = rt.config.clone();
            let w = config.windows.iter_mut().find(|w| w.id == window_id).ok_or_else(|| {
                ApiError::Queue(hallkeeper_queue::QueueError::WindowNotFound(window_id.clone()))
            })?;
            if w.state != input.state {
                w.state = input.state;
                state.storage.put_config(&rt.hall.id, &config, now).await?;
                rt.queue.set_window_state(&window_id, input.state)?;
                rt.config = config;
                let event = DeviceEvent::WindowState { window_id: window_id.clone(), state: input.state };
                rt.tell(event);
            }
            view(rt, &window_id)
        })
        .await?;
    Ok(Json(v))
}

/// 请评价: asks the window's pad to show this ticket for rating (`rate_now` on the pad's
/// stream; `GET /pad` shows it until it is rated or another is asked for). The ticket must have
/// finished at this window and not be rated yet.
pub async fn ask_rating(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Caller>,
    Path(ticket_id): Path<String>,
) -> Result<Json<PadTicket>, ApiError> {
    let window_id = window_of(&device)?;
    check_id("ticketId", &ticket_id)?;
    command(&state, &device, async |rt, _| {
        let ticket = crate::api::pad::finished_here(rt, &ticket_id, &window_id)?;
        if crate::api::pad::rated(&state, &rt.hall.id, ticket).await? {
            return Err(crate::api::pad::duplicate(&ticket.number));
        }
        let shown = crate::api::pad::pad_ticket(rt, ticket);
        rt.rating_asked.insert(window_id.clone(), ticket_id.clone());
        rt.tell(DeviceEvent::RateNow { window_id: window_id.clone(), ticket_id: ticket_id.clone() });
        Ok(shown)
    })
    .await
}
