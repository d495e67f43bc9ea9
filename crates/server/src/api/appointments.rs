//! 网上预约: the hall's online booking channel (a device of kind `online`: the backend of the
//! hall's website, app or mini-program) lists slots, books and cancels. Check-in is the kiosk's
//! (`kiosk::check_in`); the slots are set through the admin API (`admin::put_slots`). The rules —
//! times, the check-in window, codes, lazy no-shows — are in `crate::appointments`.

use crate::api::check_id;
use crate::api::params::{valid_mobile, DeviceAs, Online};
use crate::appointments::{new_code, normalize_code, parse_hhmm, slot_instant, CHECK_IN_LATE};
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::storage::{AppointmentChange, Booked, NewAppointment, StorageError};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use hallkeeper_proto::{
    Appointment, AppointmentSlot, AppointmentState, BookAppointment, HallConfig, MatterState,
};
use std::sync::Arc;

/// Fresh codes tried when one is already taken in the hall (31⁸ codes: practically never twice).
const CODE_ATTEMPTS: usize = 5;

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotQuery {
    matter_id: Option<String>,
    day: Option<String>,
}

impl SlotQuery {
    pub(crate) fn matter_and_day(&self) -> Result<(String, NaiveDate), ApiError> {
        let matter_id = self.matter_id.clone().unwrap_or_default();
        check_id("matterId", &matter_id)?;
        let day = parse_day(self.day.as_deref())?
            .ok_or_else(|| ApiError::bad("request.invalid_field", "day", "须指定日期 day（YYYY-MM-DD）"))?;
        Ok((matter_id, day))
    }
}

/// A `day` query parameter: `YYYY-MM-DD`, or absent.
pub(crate) fn parse_day(day: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    day.map(|d| {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .filter(|_| d.len() == 10)
            .ok_or_else(|| ApiError::bad("request.invalid_field", "day", "日期 day 应为 YYYY-MM-DD"))
    })
    .transpose()
}

pub(crate) fn not_found(code: &str) -> ApiError {
    ApiError::NotFound { code: "appointment.not_found", what: format!("预约 {code}") }
}

/// What was tried on a booking that is no longer booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    CheckIn,
    Cancel,
}

/// Why a booking that is no longer booked cannot be checked in or cancelled.
pub(crate) fn not_booked(state: AppointmentState, appt: Option<&Appointment>, tried: Attempt) -> ApiError {
    let doing = match tried {
        Attempt::CheckIn => "签到",
        Attempt::Cancel => "取消",
    };
    let (code, message) = match state {
        AppointmentState::Cancelled => ("appointment.cancelled", format!("该预约已取消，不能{doing}")),
        AppointmentState::CheckedIn => ("appointment.checked_in", format!("该预约已签到，不能再{doing}")),
        AppointmentState::NoShow | AppointmentState::Booked => {
            let slot = appt.map(|a| format!("（预约时段 {}–{}）", a.start, a.end)).unwrap_or_default();
            let code = match tried {
                Attempt::CheckIn => "appointment.too_late",
                Attempt::Cancel => "appointment.no_show",
            };
            (code, format!("已过签到时间{slot}，本次预约已记为爽约，请重新预约或现场取号"))
        }
    };
    ApiError::Conflict { code, message }
}

/// Records as no-shows the hall's bookings whose check-in window has closed (lazily: see
/// `crate::appointments`).
pub(crate) async fn mark_no_shows(
    state: &AppState,
    hall_id: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let n = state.storage.mark_no_shows(hall_id, now - CHECK_IN_LATE, now).await?;
    if n > 0 {
        tracing::info!(hall = %hall_id, count = n, "appointments recorded as no-shows");
    }
    Ok(())
}

/// A booking by its code, with its no-show recorded if its window has passed.
pub(crate) async fn find(
    state: &AppState,
    hall_id: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Appointment, ApiError> {
    mark_no_shows(state, hall_id, now).await?;
    state.storage.appointment(hall_id, code).await?.ok_or_else(|| not_found(code))
}

/// A booking as responses show it: its phone masked (it is stored sealed).
pub(crate) fn presented(state: &AppState, mut appt: Appointment) -> Appointment {
    appt.phone = appt.phone.map(|p| crate::sms::present_booking_phone(state.sms.as_deref(), &p));
    appt
}

/// A matter-day's slots with their places, as the channel and the administrator see them.
pub(crate) async fn slot_views(
    state: &AppState,
    hall_id: &str,
    matter_id: &str,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<AppointmentSlot>, ApiError> {
    let uses = state.storage.slots(hall_id, matter_id, day).await?;
    Ok(uses
        .into_iter()
        .map(|u| {
            let remaining = u.slot.capacity.saturating_sub(u.held);
            AppointmentSlot {
                matter_id: matter_id.to_owned(),
                day,
                bookable: remaining > 0 && slot_instant(day, &u.slot.start) > now,
                start: u.slot.start,
                end: u.slot.end,
                capacity: u.slot.capacity,
                booked: u.held,
                remaining,
            }
        })
        .collect())
}

/// The matter must be in the hall's catalog and active to be booked.
fn bookable_matter(config: &HallConfig, matter_id: &str) -> Result<(), ApiError> {
    match config.matters.iter().find(|m| m.id == matter_id) {
        None => Err(ApiError::NotFound {
            code: "appointment.matter_unknown", what: "可预约的该事项".into()
        }),
        Some(m) if m.state != MatterState::Active => Err(ApiError::Conflict {
            code: "appointment.matter_retired",
            message: "该事项已停用，不能预约".into(),
        }),
        Some(_) => Ok(()),
    }
}

async fn config(state: &AppState, hall_id: &str) -> Result<HallConfig, ApiError> {
    state.storage.config(hall_id).await?.ok_or_else(|| ApiError::NotConfigured(hall_id.to_owned()))
}

/// A matter-day's slots: capacity, places booked, places left.
pub async fn slots(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Online>,
    Query(q): Query<SlotQuery>,
) -> Result<Json<Vec<AppointmentSlot>>, ApiError> {
    let (matter_id, day) = q.matter_and_day()?;
    bookable_matter(&config(&state, &device.hall_id).await?, &matter_id)?;
    Ok(Json(slot_views(&state, &device.hall_id, &matter_id, day, (state.now)()).await?))
}

/// Books a place in a slot that has not started. Atomic: of two bookings for a slot's last
/// place, one gets it and the other `appointment.full`.
pub async fn book(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Online>,
    ApiJson(input): ApiJson<BookAppointment>,
) -> Result<(StatusCode, Json<Appointment>), ApiError> {
    check_id("matterId", &input.matter_id)?;
    if parse_hhmm(&input.start).is_none() {
        return Err(ApiError::bad("appointment.time_invalid", "start", "时段开始时间应为 HH:MM"));
    }
    if let Some(phone) = &input.phone {
        if !valid_mobile(phone) {
            return Err(ApiError::bad(
                "appointment.phone_invalid",
                "phone",
                "手机号码应为 11 位中国大陆手机号",
            ));
        }
    }
    // Stored sealed when the server sends SMS (the heads-up reminder needs the number); without
    // SMS a number has no use, and only its masked form is kept for the booking's confirmation.
    let stored_phone = match input.phone.as_deref().map(hallkeeper_sms::Phone::parse) {
        None => None,
        Some(Err(_)) => {
            return Err(ApiError::bad(
                "appointment.phone_invalid",
                "phone",
                "手机号码应为 11 位中国大陆手机号",
            ))
        }
        Some(Ok(phone)) => match &state.sms {
            Some(sms) => sms.seal_booking_phone(&phone),
            None => Some(phone.masked()),
        },
    };
    let hall_id = device.hall_id;
    bookable_matter(&config(&state, &hall_id).await?, &input.matter_id)?;
    let now = (state.now)();
    let slot_missing = || ApiError::NotFound {
        code: "appointment.slot_not_found",
        what: format!("{} {} 开始的预约时段", input.day, input.start),
    };
    let slots = state.storage.slots(&hall_id, &input.matter_id, input.day).await?;
    if !slots.iter().any(|u| u.slot.start == input.start) {
        return Err(slot_missing());
    }
    if slot_instant(input.day, &input.start) <= now {
        return Err(ApiError::Conflict {
            code: "appointment.slot_past",
            message: "该时段已开始或已过，不能预约".into(),
        });
    }
    for _ in 0..CODE_ATTEMPTS {
        let new = NewAppointment {
            id: crate::ids::id_at(now),
            hall_id: hall_id.clone(),
            code: new_code(),
            matter_id: input.matter_id.clone(),
            day: input.day,
            start: input.start.clone(),
            phone: stored_phone.clone(),
            booked_at: now,
        };
        match state.storage.book(&new).await {
            Ok(Booked::Done(appt)) => {
                tracing::info!(hall = %hall_id, code = %appt.code, matter = %appt.matter_id, day = %appt.day, start = %appt.start, "appointment booked");
                return Ok((StatusCode::CREATED, Json(presented(&state, *appt))));
            }
            Ok(Booked::Full) => {
                return Err(ApiError::Conflict {
                    code: "appointment.full",
                    message: format!("{} {} 开始的时段已约满，请选择其他时段", input.day, input.start),
                })
            }
            Ok(Booked::NoSuchSlot) => return Err(slot_missing()),
            Err(StorageError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StorageError::Backend(format!("no free appointment code after {CODE_ATTEMPTS} attempts")).into())
}

/// A booking by its code (its state, e.g. whether it was recorded as a no-show).
pub async fn show(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Online>,
    Path(code): Path<String>,
) -> Result<Json<Appointment>, ApiError> {
    let code = normalize_code(&code).ok_or_else(|| not_found(&code))?;
    Ok(Json(presented(&state, find(&state, &device.hall_id, &code, (state.now)()).await?)))
}

/// Cancels a booking that is still booked; its place is free again.
pub async fn cancel(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Online>,
    Path(code): Path<String>,
) -> Result<StatusCode, ApiError> {
    let code = normalize_code(&code).ok_or_else(|| not_found(&code))?;
    let now = (state.now)();
    let appt = find(&state, &device.hall_id, &code, now).await?;
    if appt.state != AppointmentState::Booked {
        return Err(not_booked(appt.state, Some(&appt), Attempt::Cancel));
    }
    match state.storage.cancel_appointment(&device.hall_id, &code, now).await? {
        AppointmentChange::Done(_) => {
            tracing::info!(hall = %device.hall_id, code = %code, "appointment cancelled");
            Ok(StatusCode::NO_CONTENT)
        }
        AppointmentChange::NotFound => Err(not_found(&code)),
        AppointmentChange::NotBooked(s) => Err(not_booked(s, Some(&appt), Attempt::Cancel)),
    }
}
