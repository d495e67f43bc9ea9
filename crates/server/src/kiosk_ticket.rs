//! The lines a kiosk ticket prints besides its number (the windows serving its matter, an
//! estimated wait, the id of its follow page): decided here once, read by the kiosk's ticket
//! answer (`api::kiosk`) and by the follow page (`api::device_front`).

use crate::halls::HallRuntime;
use base64::Engine as _;
use hallkeeper_proto::{Ticket, WindowState};
use hallkeeper_queue::service_time;
use sha2::{Digest, Sha256};

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
}
