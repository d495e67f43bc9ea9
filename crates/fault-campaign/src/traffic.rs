//! Hall traffic during the campaign, straight to the server (not through the proxy): the kiosk
//! issues tickets and the windows' callers call, start, finish and mark no-shows, so the hall's
//! ticket events keep growing while the desktops pull them; the window's pad rates nine in ten
//! finished tickets, half of those poorly, so both desktops open rectification cases for the
//! same ratings and work them.

use hallkeeper_proto::{PriorityClass, RatingInput, RatingLevel, TakeTicket, TicketState};
use hallkeeper_sim::client::Action;
use hallkeeper_sim::{Api, Prepared};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Default)]
pub struct TrafficCounts {
    pub tickets: AtomicU64,
    pub calls: AtomicU64,
    pub finished: AtomicU64,
    pub no_shows: AtomicU64,
    pub ratings: AtomicU64,
    /// Poor ratings (each opens a rectification case on every desktop that pulls it).
    pub poor_ratings: AtomicU64,
    /// Requests refused by the hall (nothing waiting, …) or failed (the server was down).
    pub refused: AtomicU64,
    pub failed: AtomicU64,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

/// Runs until cancelled, one step every `pace` (jittered).
pub async fn run(
    api: Api,
    hall: Prepared,
    seed: u64,
    pace: Duration,
    counts: Arc<TrafficCounts>,
    cancel: CancellationToken,
) {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x7a11_c0de);
    let bound: BTreeSet<&str> = hall.config.bindings.iter().map(|b| b.matter_id.as_str()).collect();
    let matters: Vec<String> = bound.into_iter().map(str::to_owned).collect();
    // (caller token, the same window's pad token)
    let callers: Vec<(String, Option<String>)> = hall
        .devices
        .callers
        .iter()
        .map(|(window, t)| (t.token.clone(), hall.devices.pads.get(window).map(|p| p.token.clone())))
        .collect();
    let Some(kiosk) = hall.devices.kiosks.first().map(|k| k.token.clone()) else { return };
    if matters.is_empty() || callers.is_empty() {
        return;
    }
    let note = |r: &hallkeeper_sim::SimError| {
        if matches!(r, hallkeeper_sim::SimError::Refused { .. }) {
            bump(&counts.refused)
        } else {
            bump(&counts.failed)
        }
    };
    loop {
        let wait = pace.mul_f64(rng.random_range(0.5..1.5));
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        let step = async {
            if rng.random_bool(0.5) {
                let input = TakeTicket {
                    matter_id: matters[rng.random_range(0..matters.len())].clone(),
                    class: if rng.random_bool(0.1) {
                        PriorityClass::PriorityLane
                    } else {
                        PriorityClass::Normal
                    },
                    phone: None,
                };
                match api.take_ticket(&kiosk, &input).await {
                    Ok(_) => bump(&counts.tickets),
                    Err(e) => note(&e),
                }
                return;
            }
            let (caller, pad) = &callers[rng.random_range(0..callers.len())];
            let rate = rng.random_bool(0.9);
            let level = match rng.random_range(0..4u32) {
                0 => RatingLevel::VeryDissatisfied,
                1 => RatingLevel::Dissatisfied,
                _ => RatingLevel::Satisfied,
            };
            let view = match api.caller_view(caller).await {
                Ok(v) => v,
                Err(e) => return note(&e),
            };
            let result = match view.current {
                Some(t) if t.state == TicketState::Called => {
                    if rng.random_bool(0.1) {
                        api.act(caller, &t.id, Action::NoShow).await.map(|_| bump(&counts.no_shows))
                    } else {
                        api.act(caller, &t.id, Action::Start).await.map(|_| ())
                    }
                }
                Some(t) if t.state == TicketState::Serving => {
                    let finished =
                        api.act(caller, &t.id, Action::Finish).await.map(|_| bump(&counts.finished));
                    if let (Ok(()), Some(pad), true) = (&finished, pad, rate) {
                        let input = RatingInput {
                            ticket_id: t.id.clone(),
                            level,
                            reasons: vec!["等候时间长".into()],
                            comment: String::new(),
                        };
                        match api.rate(pad, &input).await {
                            Ok(r) => {
                                bump(&counts.ratings);
                                if r.level.is_poor() {
                                    bump(&counts.poor_ratings);
                                }
                            }
                            Err(e) => note(&e),
                        }
                    }
                    finished
                }
                Some(t) if t.state == TicketState::Parked => {
                    api.act(caller, &t.id, Action::Resume).await.map(|_| ())
                }
                _ => api.call_next(caller).await.map(|_| bump(&counts.calls)),
            };
            if let Err(e) = result {
                note(&e);
            }
        };
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = step => {}
        }
    }
}
