//! Administration: halls, their configuration, devices and their tokens, appointment slots,
//! read access to the day's tickets, bookings and the ratings, and the supervisor's actions on
//! the live queue (moving a matter's waiting tickets to a window). Each route's caller and
//! capability are checked by the guard (`api::ADMIN_ROUTES`) before the handler runs.

use crate::api::appointments::{mark_no_shows, parse_day, slot_views, SlotQuery};
use crate::api::check_id;
use crate::api::params::{check_rules, Admin, AdminHall};
use crate::appointments::{hall_day, parse_hhmm, CAPACITY_MAX, SLOTS_MAX};
use crate::auth;
use crate::error::ApiError;
use crate::halls::queue_config;
use crate::json::{ApiJson, CONFIG_LIMIT};
use crate::storage::{DeviceRecord, Slot, SlotsReplaced, StorageError};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use hallkeeper_access::Capability;
use hallkeeper_proto::{
    Appointment, AppointmentSlot, AppointmentSlotsInput, Device, DeviceCreated, DeviceInput, Hall,
    HallConfig, HallInput, MatterState, MoveWaitingOutcome, MoveWaitingRequest, Rating, Ticket, WindowState,
};
use hallkeeper_queue::{HallQueue, QueueError};
use std::sync::Arc;

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub async fn create_hall(
    State(state): State<Arc<AppState>>,
    _: Admin,
    ApiJson(input): ApiJson<HallInput>,
) -> Result<(StatusCode, Json<Hall>), ApiError> {
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

/// The halls the caller holds a role in; every hall for a 系统管理员 (`halls.manage`).
pub async fn halls(
    State(state): State<Arc<AppState>>,
    Admin(who): Admin,
) -> Result<Json<Vec<Hall>>, ApiError> {
    let all = state.storage.halls().await?;
    if who.allows("", Capability::ManageHalls) {
        return Ok(Json(all));
    }
    let grants = who.grants();
    Ok(Json(
        all.into_iter()
            .filter(|h| grants.iter().any(|g| g.hall_id.as_deref() == Some(h.id.as_str())))
            .collect(),
    ))
}

/// Replaces the hall's configuration. Refused (and nothing changes) if the queue engine finds it
/// inconsistent, or if it drops a window or matter that today's tickets still need.
pub async fn put_config(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    ApiJson(mut config): ApiJson<HallConfig, CONFIG_LIMIT>,
) -> Result<StatusCode, ApiError> {
    let now = (state.now)();
    let existing = state.storage.config(&hall_id).await?;
    // A configuration without SMS rules (from a supervisor PC that never set any, or an older
    // desktop) leaves the hall's rules as they are; an empty rule set is how rules are turned off.
    if config.sms.is_none() {
        config.sms = existing.as_ref().and_then(|c| c.sms.clone());
    }
    if let Some(rules) = &config.sms {
        check_rules(rules)?;
    }
    HallQueue::new(queue_config(&config)).map_err(|e| ApiError::BadRequest {
        code: e.code(),
        message: format!("大厅配置有误：{e}"),
        field: None,
    })?;
    if existing.is_none() {
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
    AdminHall { id: hall_id, .. }: AdminHall,
) -> Result<Json<HallConfig>, ApiError> {
    let config = state.storage.config(&hall_id).await?.ok_or(ApiError::NotConfigured(hall_id))?;
    Ok(Json(config))
}

pub async fn add_device(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    ApiJson(input): ApiJson<DeviceInput>,
) -> Result<(StatusCode, Json<DeviceCreated>), ApiError> {
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
        id: crate::ids::id_at((state.now)()),
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
    AdminHall { id: hall_id, .. }: AdminHall,
) -> Result<Json<Vec<Device>>, ApiError> {
    Ok(Json(state.storage.devices(&hall_id).await?))
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

/// Today's tickets of the hall, in issue order.
pub async fn tickets(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
) -> Result<Json<Vec<Ticket>>, ApiError> {
    let out = state
        .halls
        .with(&*state.storage, &hall_id, (state.now)(), async |rt| {
            Ok(rt.queue.tickets().into_iter().cloned().collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(out))
}

/// 整队转移: sends every ticket waiting in a matter's queue to one open window, each keeping its
/// number and place (see `HallQueue::move_waiting` for which tickets move). Under the hall's
/// lock like a caller's command; every event is stored, in one transaction, before the answer,
/// and the hall's sync streams are woken so desktops pull the events at once.
pub async fn move_waiting(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    ApiJson(input): ApiJson<MoveWaitingRequest>,
) -> Result<Json<MoveWaitingOutcome>, ApiError> {
    check_id("matterId", &input.matter_id)?;
    check_id("toWindowId", &input.to_window_id)?;
    let ticket_ids = state
        .halls
        .with(&*state.storage, &hall_id, (state.now)(), async |rt| {
            // Read under the hall's lock: a time read before it could precede an event stored
            // while this request waited (a kiosk's ticket for the matter), refusing the whole
            // move as out of order.
            let now = (state.now)();
            let events = rt
                .queue
                .move_waiting(&input.matter_id, &input.to_window_id, now)
                .map_err(|e| move_refusal(e, &rt.config))?;
            let events = rt.record_all(&*state.storage, events).await?;
            Ok(events.into_iter().map(|e| e.ticket_id).collect::<Vec<_>>())
        })
        .await?;
    tracing::info!(
        hall = %hall_id,
        matter = %input.matter_id,
        window = %input.to_window_id,
        moved = ticket_ids.len(),
        "waiting tickets moved"
    );
    let moved = u32::try_from(ticket_ids.len()).unwrap_or(u32::MAX);
    Ok(Json(MoveWaitingOutcome { moved, ticket_ids }))
}

/// The queue's refusal of a move, naming the request field at fault in the supervisor's words.
fn move_refusal(e: QueueError, config: &HallConfig) -> ApiError {
    let window = |id: &str| {
        config.windows.iter().find(|w| w.id == id).map_or_else(|| id.to_owned(), |w| w.number.clone())
    };
    let (field, message) = match &e {
        QueueError::WindowNotFound(_) => ("toWindowId", "本大厅没有这个窗口".to_owned()),
        QueueError::WindowClosed { window_id, state } => {
            let now = if *state == WindowState::Paused { "已暂停" } else { "已关闭" };
            ("toWindowId", format!("窗口 {} {now}，不能把排队的群众转过去", window(window_id)))
        }
        QueueError::Refused { .. } => ("matterId", "本大厅没有这个事项".to_owned()),
        QueueError::NothingToMove(_) => {
            ("matterId", "该事项当前没有排队等候的群众（可能都已叫号，或已转到指定窗口）".to_owned())
        }
        _ => return ApiError::Queue(e),
    };
    ApiError::QueueRefused { source: e, field, message }
}

#[derive(serde::Deserialize)]
pub struct Since {
    since: Option<DateTime<Utc>>,
}

pub async fn ratings(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    Query(q): Query<Since>,
) -> Result<Json<Vec<Rating>>, ApiError> {
    let since = q.since.unwrap_or(DateTime::<Utc>::MIN_UTC);
    Ok(Json(state.storage.ratings(&hall_id, since).await?))
}

/// Replaces a matter-day's appointment slots and answers them with their places. Refused (409
/// `appointment.slot_in_use`, nothing changed) if a slot holding bookings would be dropped, have
/// its times changed, or be given fewer places than it has bookings.
pub async fn put_slots(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    ApiJson(input): ApiJson<AppointmentSlotsInput>,
) -> Result<Json<Vec<AppointmentSlot>>, ApiError> {
    check_id("matterId", &input.matter_id)?;
    let config = state.storage.config(&hall_id).await?.ok_or(ApiError::NotConfigured(hall_id.clone()))?;
    if !config.matters.iter().any(|m| m.id == input.matter_id && m.state == MatterState::Active) {
        return Err(ApiError::bad(
            "appointment.matter_invalid",
            "matterId",
            "本大厅没有这个事项，或该事项已停用",
        ));
    }
    let slots = valid_slots(&input)?;
    let now = (state.now)();
    match state.storage.put_slots(&hall_id, &input.matter_id, input.day, &slots).await? {
        SlotsReplaced::Done => {}
        SlotsReplaced::InUse(used) => {
            return Err(ApiError::Conflict {
                code: "appointment.slot_in_use",
                message: format!(
                    "时段 {}–{} 已有 {} 个预约：不能删除它、改它的时间，或把名额减到 {} 以下",
                    used.slot.start, used.slot.end, used.held, used.held
                ),
            })
        }
    }
    tracing::info!(hall = %hall_id, matter = %input.matter_id, day = %input.day, slots = slots.len(), "appointment slots set");
    Ok(Json(slot_views(&state, &hall_id, &input.matter_id, input.day, now).await?))
}

/// The slots checked (`HH:MM`, start before end, capacity 1–500, no overlaps) and sorted.
fn valid_slots(input: &AppointmentSlotsInput) -> Result<Vec<Slot>, ApiError> {
    if input.slots.len() > SLOTS_MAX {
        return Err(ApiError::bad(
            "appointment.slots_invalid",
            "slots",
            format!("一天最多 {SLOTS_MAX} 个时段"),
        ));
    }
    let mut slots = Vec::with_capacity(input.slots.len());
    for (i, s) in input.slots.iter().enumerate() {
        let field = |name: &str| format!("slots[{i}].{name}");
        let time = |name: &str, value: &str| {
            parse_hhmm(value).ok_or_else(|| {
                ApiError::bad(
                    "appointment.time_invalid",
                    &field(name),
                    format!("时间 {value:?} 应为 HH:MM（00:00–23:59）"),
                )
            })
        };
        let (start, end) = (time("start", &s.start)?, time("end", &s.end)?);
        if start >= end {
            return Err(ApiError::bad(
                "appointment.slot_invalid",
                &field("end"),
                format!("时段 {}–{} 的结束时间应晚于开始时间", s.start, s.end),
            ));
        }
        if !(1..=CAPACITY_MAX).contains(&s.capacity) {
            return Err(ApiError::bad(
                "appointment.capacity_invalid",
                &field("capacity"),
                format!("每个时段的名额应为 1–{CAPACITY_MAX}"),
            ));
        }
        slots.push(Slot { start: s.start.clone(), end: s.end.clone(), capacity: s.capacity });
    }
    slots.sort_by(|a, b| a.start.cmp(&b.start));
    if let Some(w) = slots.windows(2).find(|w| w[1].start < w[0].end) {
        return Err(ApiError::bad(
            "appointment.slots_overlap",
            "slots",
            format!("时段 {}–{} 与 {}–{} 重叠", w[0].start, w[0].end, w[1].start, w[1].end),
        ));
    }
    Ok(slots)
}

/// A matter-day's slots with their places (`?matterId=…&day=YYYY-MM-DD`).
pub async fn slots(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    Query(q): Query<SlotQuery>,
) -> Result<Json<Vec<AppointmentSlot>>, ApiError> {
    let (matter_id, day) = q.matter_and_day()?;
    Ok(Json(slot_views(&state, &hall_id, &matter_id, day, (state.now)()).await?))
}

#[derive(serde::Deserialize)]
pub struct Day {
    day: Option<String>,
}

/// A day's bookings (`?day=YYYY-MM-DD`, today by default) in every state, by slot. Bookings whose
/// check-in window has closed are recorded as no-shows first.
pub async fn appointments(
    State(state): State<Arc<AppState>>,
    AdminHall { id: hall_id, .. }: AdminHall,
    Query(q): Query<Day>,
) -> Result<Json<Vec<Appointment>>, ApiError> {
    let now = (state.now)();
    let day = parse_day(q.day.as_deref())?.unwrap_or_else(|| hall_day(now));
    mark_no_shows(&state, &hall_id, now).await?;
    let list = state.storage.appointments(&hall_id, day).await?;
    Ok(Json(list.into_iter().map(|a| crate::api::appointments::presented(&state, a)).collect()))
}
