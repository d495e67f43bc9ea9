//! What the device pages read beyond the first device API: the kiosk's home screen in one answer
//! (`GET /api/v1/kiosk/home`), the extra lines a kiosk ticket prints (the windows serving its
//! matter, an estimated wait, the id of its follow page), and the follow page's data
//! (`GET /api/v1/follow/{followId}`, no token: a phone scanning the ticket's QR code has none).

use crate::api::kiosk;
use crate::api::params::{DeviceAs, Kiosk};
use crate::error::ApiError;
use crate::halls::HallRuntime;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use base64::Engine as _;
use hallkeeper_proto::{FollowView, KioskHome, Ticket, TicketState, WindowState};
use hallkeeper_queue::service_time;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

/// How many matters the kiosk's home shows as large buttons.
pub const TOP_MATTERS: usize = 8;
/// The service time assumed before the hall has finished any service today.
pub const DEFAULT_SERVICE_SECONDS: i64 = 5 * 60;
/// A matter's own mean is used once this many of its services finished today; before that the
/// hall's mean (one odd service should not set a matter's estimate).
pub const MATTER_SAMPLES: usize = 3;
/// The matter's mean is taken over its latest finished services, so the estimate follows the
/// day's pace rather than the morning's.
pub const MATTER_WINDOW: usize = 20;

/// Minutes until a ticket with `ahead` people before it is called: they are served in parallel
/// by the matter's open windows, each taking the mean service time; rounded up, so "0" means
/// "next". Nobody ahead: 0.
pub fn estimate_minutes(ahead: u32, mean_service_seconds: i64, open_windows: usize) -> u32 {
    if ahead == 0 {
        return 0;
    }
    let windows = open_windows.max(1) as i64;
    // Rounded up once, at the end: a part of a minute is a minute to wait.
    let seconds = i64::from(ahead) * mean_service_seconds.max(1);
    let per_minute = windows * 60;
    u32::try_from((seconds + per_minute - 1) / per_minute).unwrap_or(u32::MAX)
}

/// The mean service time (seconds) to estimate a matter's wait with: the matter's latest
/// finished services today when it has enough, else the hall's day so far, else the default.
fn mean_service_seconds(rt: &HallRuntime, matter_id: &str) -> i64 {
    let mut own: Vec<(chrono::DateTime<chrono::Utc>, i64)> = rt
        .queue
        .tickets()
        .into_iter()
        .filter(|t| t.matter_id == matter_id)
        .filter_map(|t| Some((t.ended_at?, service_time(t)?.num_seconds())))
        .collect();
    if own.len() >= MATTER_SAMPLES {
        own.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        own.truncate(MATTER_WINDOW);
        return own.iter().map(|(_, s)| s).sum::<i64>() / own.len() as i64;
    }
    let served = rt.queue.served();
    if served.tickets > 0 {
        return served.seconds / served.tickets as i64;
    }
    DEFAULT_SERVICE_SECONDS
}

/// The numbers of the windows bound to a matter today, open ones first, each group in floor
/// order; and how many are open.
fn matter_windows(rt: &HallRuntime, matter_id: &str) -> (Vec<String>, usize) {
    let config = rt.queue.config();
    let mut windows: Vec<_> = config
        .bindings
        .iter()
        .filter(|b| b.matter_id == matter_id)
        .filter_map(|b| config.windows.iter().find(|w| w.id == b.window_id))
        .filter(|w| w.state != WindowState::Closed)
        .collect();
    windows.sort_by_key(|w| (w.state != WindowState::Open, w.position));
    windows.dedup_by_key(|w| w.id.clone());
    let open = windows.iter().filter(|w| w.state == WindowState::Open).count();
    (windows.into_iter().map(|w| w.number.clone()).collect(), open)
}

/// A ticket's follow id: the first 16 bytes of SHA-256 over the hall and the ticket id, in
/// base64url. One-way, so the page's address cannot be used where a ticket id is asked for,
/// and it says nothing of the person.
pub fn follow_id(hall_id: &str, ticket_id: &str) -> String {
    let digest = Sha256::digest(format!("hallkeeper-follow\n{hall_id}\n{ticket_id}").as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// A well-formed follow id: 22 base64url characters.
fn well_formed(id: &str) -> bool {
    id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What a kiosk ticket prints besides the ticket: windows, estimated wait, follow id.
pub struct TicketExtras {
    pub window_numbers: Vec<String>,
    pub estimated_wait_minutes: u32,
    pub follow_id: String,
}

pub fn ticket_extras(rt: &HallRuntime, ticket: &Ticket, ahead: u32) -> TicketExtras {
    let (window_numbers, open) = matter_windows(rt, &ticket.matter_id);
    let mean = mean_service_seconds(rt, &ticket.matter_id);
    TicketExtras {
        window_numbers,
        estimated_wait_minutes: estimate_minutes(ahead, mean, open),
        follow_id: follow_id(&rt.hall.id, &ticket.id),
    }
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
    fn the_estimate_spreads_the_people_ahead_over_the_open_windows_and_rounds_up() {
        assert_eq!(estimate_minutes(0, 600, 1), 0);
        assert_eq!(estimate_minutes(1, 300, 1), 5);
        assert_eq!(estimate_minutes(3, 300, 2), 8); // 450 s → 7.5 → 8
        assert_eq!(estimate_minutes(4, 240, 0), 16); // no open window counts as one
        assert_eq!(estimate_minutes(1, 1, 3), 1);
    }

    #[test]
    fn follow_ids_are_22_url_safe_characters_and_differ_by_hall() {
        let a = follow_id("h1", "t1");
        assert!(well_formed(&a), "{a}");
        assert_ne!(a, follow_id("h2", "t1"));
        assert!(!well_formed("../etc/passwd"));
    }
}
