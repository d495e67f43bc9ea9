//! 取号机: what can be taken, taking a ticket, and checking in an appointment.

use crate::api::params::{valid_mobile, DeviceAs, Kiosk};
use crate::api::{appointments, check_id};
use crate::appointments::{check_in_window, hall_day, hall_hhmm, normalize_code};
use crate::error::ApiError;
use crate::halls::HallRuntime;
use crate::json::ApiJson;
use crate::storage::AppointmentChange;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use hallkeeper_proto::{
    AppointmentState, CheckIn, IssuedTicket, KioskDepartment, KioskMatter, MatterState, PriorityClass,
    TakeTicket,
};
use hallkeeper_queue::{matter_totals, people_ahead};
use std::sync::Arc;

/// Departments with the matters a ticket can be taken for now (active, with an open window).
pub async fn matters(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Kiosk>,
) -> Result<Json<Vec<KioskDepartment>>, ApiError> {
    let now = (state.now)();
    let out = state
        .halls
        .with(&*state.storage, &device.hall_id, now, async |rt| {
            let totals = matter_totals(&rt.queue);
            let waiting =
                |id: &str| totals.iter().find(|t| t.matter_id == id).map_or(0, |t| t.counts.waiting);
            let mut departments: Vec<KioskDepartment> = Vec::new();
            let mut depts = rt.config.departments.clone();
            depts.sort_by(|a, b| a.code.cmp(&b.code));
            for d in depts {
                let matters: Vec<KioskMatter> = rt
                    .config
                    .matters
                    .iter()
                    .filter(|m| m.department_id == d.id && m.state == MatterState::Active)
                    .filter(|m| rt.queue.refusal(&m.id).is_none())
                    .map(|m| KioskMatter {
                        id: m.id.clone(),
                        name: m.name.clone(),
                        ticket_prefix: m.ticket_prefix.clone(),
                        waiting: waiting(&m.id),
                    })
                    .collect();
                if !matters.is_empty() {
                    departments.push(KioskDepartment { id: d.id, name: d.name, matters });
                }
            }
            Ok(departments)
        })
        .await?;
    Ok(Json(out))
}

pub async fn take_ticket(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Kiosk>,
    ApiJson(input): ApiJson<TakeTicket>,
) -> Result<(StatusCode, Json<IssuedTicket>), ApiError> {
    check_id("matterId", &input.matter_id)?;
    // Checked even when the server sends no SMS, so a kiosk learns of a typo either way.
    let phone = match input.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) if valid_mobile(p) => hallkeeper_sms::Phone::parse(p).ok(),
        Some(_) => {
            return Err(ApiError::bad("ticket.phone_invalid", "phone", "手机号码应为 11 位中国大陆手机号"))
        }
        None => None,
    };
    if input.class == PriorityClass::Appointment {
        return Err(ApiError::bad("ticket.class_invalid", "class", "预约号须通过预约签到取得"));
    }
    let now = (state.now)();
    let ticket_id = crate::ids::id_at(now);
    let issued = state
        .halls
        .with(&*state.storage, &device.hall_id, now, async |rt| {
            // Read again under the hall's lock: a request that waited for it must not stamp
            // its event before the one that held it.
            let now = (state.now)();
            let event = rt.queue.issue(&ticket_id, &input.matter_id, input.class, now)?;
            keep_phone(&state, rt, &ticket_id, phone.as_ref(), now).await;
            rt.record(&*state.storage, event).await?;
            issued_ticket(rt, &ticket_id)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Keeps the phone of a ticket the queue has just issued (before its event is stored, so the
/// `issued` reminder finds it), sealed. A failure costs the ticket its reminders, not the ticket.
async fn keep_phone(
    state: &AppState,
    rt: &mut HallRuntime,
    ticket_id: &str,
    phone: Option<&hallkeeper_sms::Phone>,
    now: chrono::DateTime<chrono::Utc>,
) {
    let Some(phone) = phone else { return };
    if let Err(e) = rt.keep_ticket_phone(&*state.storage, ticket_id, phone, now).await {
        tracing::error!(hall = %rt.hall.id, phone = %phone, "ticket phone not kept, no reminders: {e}");
    }
}

/// What the kiosk prints for a ticket just issued.
pub(crate) fn issued_ticket(rt: &HallRuntime, ticket_id: &str) -> Result<IssuedTicket, ApiError> {
    let ticket = rt.queue.ticket(ticket_id).cloned().ok_or_else(|| ApiError::NotFound {
        code: "queue.ticket_not_found",
        what: format!("号码 {ticket_id}"),
    })?;
    let matter_name = rt
        .config
        .matters
        .iter()
        .find(|m| m.id == ticket.matter_id)
        .map(|m| m.name.clone())
        .unwrap_or_default();
    let ahead = people_ahead(&rt.queue, ticket_id).unwrap_or(0);
    let extras = crate::kiosk_ticket::ticket_extras(rt, &ticket, ahead);
    Ok(IssuedTicket {
        ticket,
        matter_name,
        ahead,
        window_numbers: extras.window_numbers,
        estimated_wait_minutes: extras.estimated_wait_minutes,
        follow_id: extras.follow_id,
    })
}

/// 预约签到: a booking's code turns it into an appointment-class ticket, called before normal
/// tickets. Open from [`CHECK_IN_EARLY`](crate::appointments::CHECK_IN_EARLY) before the slot's
/// start until [`CHECK_IN_LATE`](crate::appointments::CHECK_IN_LATE) after its end; later, the
/// booking is a no-show. The ticket is issued as `take_ticket` issues one, so the kiosk's refusals
/// hold (a matter with no open window is refused, and the booking stays booked).
pub async fn check_in(
    State(state): State<Arc<AppState>>,
    DeviceAs(device, _): DeviceAs<Kiosk>,
    ApiJson(input): ApiJson<CheckIn>,
) -> Result<(StatusCode, Json<IssuedTicket>), ApiError> {
    let code = normalize_code(&input.code)
        .ok_or_else(|| ApiError::bad("appointment.code_invalid", "code", "预约码应为 8 位字母和数字"))?;
    let now = (state.now)();
    // Looking it up records it as a no-show if its check-in window has passed.
    let appt = appointments::find(&state, &device.hall_id, &code, now).await?;
    if appt.state != AppointmentState::Booked {
        return Err(appointments::not_booked(appt.state, Some(&appt), appointments::Attempt::CheckIn));
    }
    let (opens, closes) = check_in_window(appt.day, &appt.start, &appt.end);
    if now < opens {
        let when = if hall_day(now) == appt.day {
            format!("请于 {} 后签到", hall_hhmm(opens))
        } else {
            format!("您预约的是 {} 的时段，请于当日 {} 后签到", appt.day, hall_hhmm(opens))
        };
        return Err(ApiError::Conflict {
            code: "appointment.too_early",
            message: format!("签到时间未到：预约时段 {}–{}，{when}", appt.start, appt.end),
        });
    }
    if now > closes {
        appointments::mark_no_shows(&state, &device.hall_id, now).await?;
        return Err(appointments::not_booked(
            AppointmentState::NoShow,
            Some(&appt),
            appointments::Attempt::CheckIn,
        ));
    }
    let ticket_id = crate::ids::id_at(now);
    let issued = state
        .halls
        .with(&*state.storage, &device.hall_id, now, async |rt| {
            // Read again under the hall's lock: a request that waited for it must not stamp
            // its event before the one that held it.
            let now = (state.now)();
            let event = rt.queue.issue(&ticket_id, &appt.matter_id, PriorityClass::Appointment, now)?;
            let phone = match (&state.sms, appt.phone.as_deref()) {
                (Some(sms), Some(stored)) => sms.open_booking_phone(stored),
                _ => None,
            };
            keep_phone(&state, rt, &ticket_id, phone.as_ref(), now).await;
            match rt.record_check_in(&*state.storage, &code, event).await? {
                AppointmentChange::Done(_) => issued_ticket(rt, &ticket_id),
                AppointmentChange::NotFound => Err(appointments::not_found(&code)),
                AppointmentChange::NotBooked(s) => {
                    Err(appointments::not_booked(s, None, appointments::Attempt::CheckIn))
                }
            }
        })
        .await?;
    tracing::info!(hall = %device.hall_id, code = %code, ticket = %ticket_id, "appointment checked in");
    Ok((StatusCode::CREATED, Json(issued)))
}
