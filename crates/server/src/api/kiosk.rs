//! 取号机: what can be taken, and taking a ticket.

use crate::api::check_id;
use crate::auth;
use crate::error::ApiError;
use crate::json::ApiJson;
use crate::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use hallkeeper_proto::{DeviceKind, IssuedTicket, KioskDepartment, KioskMatter, MatterState, TakeTicket};
use hallkeeper_queue::{matter_totals, people_ahead};
use std::sync::Arc;

/// Mainland mobile numbers: 11 digits starting 13–19.
pub fn valid_mobile(phone: &str) -> bool {
    phone.len() == 11
        && phone.starts_with('1')
        && phone.as_bytes()[1].is_ascii_digit()
        && phone.as_bytes()[1] >= b'3'
        && phone.bytes().all(|b| b.is_ascii_digit())
}

/// Departments with the matters a ticket can be taken for now (active, with an open window).
pub async fn matters(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<Vec<KioskDepartment>>, ApiError> {
    let device = auth::device(&state, &headers, &[DeviceKind::Kiosk]).await?;
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
    headers: HeaderMap,
    ApiJson(input): ApiJson<TakeTicket>,
) -> Result<(StatusCode, Json<IssuedTicket>), ApiError> {
    let device = auth::device(&state, &headers, &[DeviceKind::Kiosk]).await?;
    check_id("matterId", &input.matter_id)?;
    if let Some(phone) = &input.phone {
        if !valid_mobile(phone) {
            return Err(ApiError::bad("ticket.phone_invalid", "phone", "手机号码应为 11 位中国大陆手机号"));
        }
    }
    if input.class == hallkeeper_proto::PriorityClass::Appointment {
        return Err(ApiError::bad("ticket.class_invalid", "class", "预约号须通过预约签到取得"));
    }
    let now = (state.now)();
    let ticket_id = uuid::Uuid::now_v7().to_string();
    let issued = state
        .halls
        .with(&*state.storage, &device.hall_id, now, async |rt| {
            let event = rt.queue.issue(&ticket_id, &input.matter_id, input.class, now)?;
            rt.record(&*state.storage, event).await?;
            let ticket = rt.queue.ticket(&ticket_id).cloned().ok_or_else(|| ApiError::NotFound {
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
            let ahead = people_ahead(&rt.queue, &ticket_id).unwrap_or(0);
            Ok(IssuedTicket { ticket, matter_name, ahead })
        })
        .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}
