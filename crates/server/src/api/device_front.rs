//! What the device pages read beyond the first device API: the kiosk's home screen in one answer
//! (`GET /api/v1/kiosk/home`), the extra lines a kiosk ticket prints (the windows serving its
//! matter, an estimated wait, the id of its follow page), and the follow page's data
//! (`GET /api/v1/follow/{followId}`, no token: a phone scanning the ticket's QR code has none).

use crate::api::kiosk;
use crate::api::params::{DeviceAs, Kiosk};
use crate::error::ApiError;
use crate::halls::HallRuntime;
use crate::kiosk_ticket::follow_id;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use hallkeeper_proto::{FollowView, KioskHome, Ticket, TicketState, WindowState};
use std::collections::HashMap;
use std::sync::Arc;

/// How many matters the kiosk's home shows as large buttons.
pub const TOP_MATTERS: usize = 8;

/// A well-formed follow id: 22 base64url characters.
fn well_formed(id: &str) -> bool {
    id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `GET /api/v1/kiosk/home`: the hall's name, whether it is taking tickets, its most-taken
/// matters and the departments → matters the kiosk offers.
pub async fn home(
    State(state): State<Arc<AppState>>,
    device: DeviceAs<Kiosk>,
) -> Result<Json<KioskHome>, ApiError> {
    let hall_id = device.0.hall_id.clone();
    let Json(departments) = kiosk::matters(State(state.clone()), device).await?;
    let now = (state.now)();
    let home = state
        .halls
        .with(&*state.storage, &hall_id, now, async |rt| {
            let open = rt.queue.config().windows.iter().any(|w| w.state == WindowState::Open);
            let mut taken: HashMap<&str, u32> = HashMap::new();
            for t in rt.queue.tickets() {
                *taken.entry(t.issued_matter_id.as_str()).or_default() += 1;
            }
            let offered: Vec<_> = departments.iter().flat_map(|d| d.matters.iter()).collect();
            let mut ranked: Vec<(usize, &hallkeeper_proto::KioskMatter)> =
                offered.iter().copied().enumerate().collect();
            // Most taken today, then most waiting, then catalog order (a stable tie-break, so the
            // buttons do not jump about early in the day).
            ranked.sort_by_key(|(i, m)| {
                (
                    std::cmp::Reverse(taken.get(m.id.as_str()).copied().unwrap_or(0)),
                    std::cmp::Reverse(m.waiting),
                    *i,
                )
            });
            let top_matter_ids = ranked.into_iter().take(TOP_MATTERS).map(|(_, m)| m.id.clone()).collect();
            Ok(KioskHome {
                hall_name: rt.hall.name.clone(),
                open,
                top_matter_ids,
                departments: departments.clone(),
            })
        })
        .await?;
    Ok(Json(home))
}

/// `GET /api/v1/follow/{followId}`: the ticket today's queue of some hall holds under that id.
/// 404 `follow.not_found` for an unknown id, another day's ticket, or a malformed id alike.
pub async fn follow(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<FollowView>, ApiError> {
    let not_found =
        || ApiError::NotFound { code: "follow.not_found", what: "该号码（仅当天有效）".into() };
    if !well_formed(&id) {
        return Err(not_found());
    }
    let now = (state.now)();
    for hall in state.storage.halls().await? {
        let found = state
            .halls
            .with(&*state.storage, &hall.id, now, async |rt| {
                let Some(ticket) =
                    rt.queue.tickets().into_iter().find(|t| follow_id(&rt.hall.id, &t.id) == id)
                else {
                    return Ok(None);
                };
                let ticket = ticket.clone();
                Ok(Some(view(rt, &ticket, now)?))
            })
            .await;
        match found {
            Ok(Some(v)) => return Ok(Json(v)),
            // A hall not configured yet has no tickets; one that fails to load is not this one's
            // business (it is logged where it fails).
            Ok(None) | Err(ApiError::NotConfigured(_)) => continue,
            Err(e) => {
                tracing::debug!(hall = %hall.id, "follow look-up skipped a hall: {e}");
                continue;
            }
        }
    }
    Err(not_found())
}

/// The follow page's view of a ticket: what its kiosk ticket says now (`kiosk::issued_ticket`,
/// whose `ahead` is 0 once it is no longer waiting), and the window that called it.
fn view(
    rt: &HallRuntime,
    ticket: &Ticket,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<FollowView, ApiError> {
    let issued = kiosk::issued_ticket(rt, &ticket.id)?;
    let at_window = match ticket.state {
        TicketState::Called | TicketState::Serving => ticket
            .window_id
            .as_ref()
            .and_then(|w| rt.queue.config().windows.iter().find(|x| &x.id == w))
            .map(|w| vec![w.number.clone()]),
        _ => None,
    };
    Ok(FollowView {
        hall_name: rt.hall.name.clone(),
        number: ticket.number.clone(),
        matter_name: issued.matter_name,
        state: ticket.state,
        ahead: issued.ahead,
        estimated_wait_minutes: issued.estimated_wait_minutes,
        window_numbers: at_window.unwrap_or(issued.window_numbers),
        as_of: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_ids_are_22_url_safe_characters_and_differ_by_hall() {
        let a = follow_id("h1", "t1");
        assert!(well_formed(&a), "{a}");
        assert_ne!(a, follow_id("h2", "t1"));
        assert!(!well_formed("../etc/passwd"));
    }
}
