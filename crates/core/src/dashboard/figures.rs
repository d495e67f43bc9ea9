//! The dashboard's figures, a pure function of the hall (windows, matters, bindings in force,
//! who sits where), today's queue as its events leave it, the thresholds and the instant.

use super::thresholds::{level, thresholds_for};
use crate::clock::hall_date;
use chrono::{DateTime, Duration, Utc};
use hallkeeper_proto::{
    Alert, AlertLevel, AlertSubject, Binding, CurrentTicket, Dashboard, Department, HallTotals, HourFigures,
    Matter, MatterQueue, Suggestion, SuggestionKind, ThresholdSettings, Ticket, TicketState, WaitingPoint,
    Window, WindowState, WindowTile,
};
use hallkeeper_queue::{ticket_number, HallQueue};
use std::collections::{BTreeMap, HashMap};

/// The hall as the dashboard reads it.
pub struct HallView<'a> {
    pub windows: &'a [Window],
    pub departments: &'a [Department],
    pub matters: &'a [Matter],
    /// In force today.
    pub bindings: &'a [Binding],
    /// Window id → who sits there today.
    pub staff_at: &'a HashMap<String, String>,
    /// Today's ratings as they have reached this desktop.
    pub ratings_today: crate::store::RatingSummary,
    /// Rectification cases not closed and not appeal-upheld, whatever day they were opened.
    pub open_poor_cases: u32,
}

/// Suggestions per long queue, and how many long queues get them.
const SUGGESTIONS_PER_MATTER: usize = 2;
const MATTERS_WITH_SUGGESTIONS: usize = 3;
/// A window with at most this many waiting can take on more.
const UNDER_USED: u32 = 2;
const SERIES_STEP_MIN: i64 = 10;

fn secs(d: Duration) -> i64 {
    d.num_seconds().max(0)
}

/// The hour of the hall's clock (UTC+8) at `at`.
fn hall_hour(at: DateTime<Utc>) -> u32 {
    ((at.timestamp() + 8 * 3600).rem_euclid(86_400) / 3600) as u32
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Longest and average wait of waiting tickets at `now`.
fn waits<'t>(
    tickets: impl Iterator<Item = &'t Ticket>,
    now: DateTime<Utc>,
) -> (u32, Option<i64>, Option<i64>) {
    let (mut n, mut longest, mut sum) = (0u32, None::<i64>, 0i64);
    for t in tickets {
        let w = secs(now - t.issued_at);
        n += 1;
        sum += w;
        longest = Some(longest.map_or(w, |l| l.max(w)));
    }
    let average = (n > 0).then(|| sum / i64::from(n));
    (n, longest, average)
}

pub fn compute(
    hall: &HallView<'_>,
    queue: &HallQueue,
    thresholds: &ThresholdSettings,
    now: DateTime<Utc>,
    last_event_at: Option<DateTime<Utc>>,
) -> Dashboard {
    let matter_by_id: HashMap<&str, &Matter> = hall.matters.iter().map(|m| (m.id.as_str(), m)).collect();
    let dept_by_id: HashMap<&str, &Department> =
        hall.departments.iter().map(|d| (d.id.as_str(), d)).collect();
    let mut windows: Vec<&Window> = hall.windows.iter().collect();
    windows.sort_by(|a, b| a.position.cmp(&b.position).then(a.number.cmp(&b.number)));

    let tickets = queue.tickets();
    let mut served_by: HashMap<&str, u32> = HashMap::new();
    let mut totals = HallTotals {
        waiting: 0,
        issued_today: tickets.len() as u32,
        served_today: 0,
        no_shows_today: 0,
        average_wait_today_secs: None,
        satisfaction_today: hall.ratings_today.satisfaction(),
        // Poor ratings today until rectification cases are counted here instead.
        open_poor_ratings: Some(hall.open_poor_cases),
    };
    let mut hours: BTreeMap<u32, (u32, u32)> = BTreeMap::new();
    let (mut called, mut wait_sum) = (0i64, 0i64);
    for t in &tickets {
        hours.entry(hall_hour(t.issued_at)).or_default().0 += 1;
        match t.state {
            TicketState::Waiting => totals.waiting += 1,
            TicketState::Finished => {
                totals.served_today += 1;
                if let Some(w) = &t.window_id {
                    *served_by.entry(w.as_str()).or_default() += 1;
                }
                if let Some(end) = t.ended_at {
                    hours.entry(hall_hour(end)).or_default().1 += 1;
                }
            }
            TicketState::NoShow => totals.no_shows_today += 1,
            _ => {}
        }
        if let Some(first) = t.first_called_at {
            called += 1;
            wait_sum += secs(first - t.issued_at);
        }
    }
    totals.average_wait_today_secs = (called > 0).then(|| wait_sum / called);

    // One pass over the waiting tickets for all 200 windows, not one per window.
    let waiting_by_window = queue.waiting_by_window();
    let mut alerts = Vec::new();
    let mut tiles = Vec::with_capacity(windows.len());
    for w in &windows {
        let (waiting, longest, average) = match waiting_by_window.get(w.id.as_str()) {
            Some(tickets) => waits(tickets.iter().copied(), now),
            None => (0, None, None),
        };
        let current = queue.current(&w.id).map(|t| {
            let since = t.called_at.unwrap_or(t.updated_at);
            CurrentTicket {
                ticket_id: t.id.clone(),
                number: ticket_number(&t.prefix, t.sequence),
                matter_id: t.matter_id.clone(),
                matter_name: matter_by_id
                    .get(t.matter_id.as_str())
                    .map_or_else(|| t.matter_id.clone(), |m| m.name.clone()),
                state: t.state,
                since: rfc3339(since),
                for_secs: secs(now - since),
            }
        });
        let lvl = if w.state == WindowState::Closed {
            AlertLevel::Normal
        } else {
            level(thresholds_for(thresholds, AlertSubject::Window, &w.id), waiting, longest)
        };
        if lvl > AlertLevel::Normal {
            alerts.push(Alert {
                subject: AlertSubject::Window,
                subject_id: w.id.clone(),
                label: w.number.clone(),
                level: lvl,
                waiting,
                longest_wait_secs: longest,
            });
        }
        tiles.push(WindowTile {
            window_id: w.id.clone(),
            number: w.number.clone(),
            name: w.name.clone(),
            state: w.state,
            position: w.position,
            staff_name: hall.staff_at.get(&w.id).cloned(),
            current,
            waiting,
            longest_wait_secs: longest,
            average_wait_secs: average,
            served_today: served_by.get(w.id.as_str()).copied().unwrap_or(0),
            level: lvl,
        });
    }

    // Matters: those with people waiting, or served today.
    let position: HashMap<&str, (i64, &str)> =
        windows.iter().map(|w| (w.id.as_str(), (w.position, w.number.as_str()))).collect();
    let state_of: HashMap<&str, WindowState> = windows.iter().map(|w| (w.id.as_str(), w.state)).collect();
    let mut windows_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for b in hall.bindings {
        windows_of.entry(b.matter_id.as_str()).or_default().push(b.window_id.as_str());
    }
    let mut waiting_of: HashMap<&str, Vec<&Ticket>> = HashMap::new();
    for t in queue.waiting() {
        waiting_of.entry(t.matter_id.as_str()).or_default().push(t);
    }
    let mut matters: Vec<MatterQueue> = Vec::new();
    for (matter_id, waiting) in &waiting_of {
        let (n, longest, average) = waits(waiting.iter().copied(), now);
        let mut bound: Vec<&str> = windows_of.get(matter_id).cloned().unwrap_or_default();
        bound.sort_by_key(|w| position.get(w).copied().unwrap_or((i64::MAX, "")));
        let open = bound.iter().filter(|w| state_of.get(*w) == Some(&WindowState::Open)).count() as u32;
        let m = matter_by_id.get(matter_id);
        let lvl = level(thresholds_for(thresholds, AlertSubject::Matter, matter_id), n, longest);
        let name = m.map_or_else(|| matter_id.to_string(), |m| m.name.clone());
        if lvl > AlertLevel::Normal {
            alerts.push(Alert {
                subject: AlertSubject::Matter,
                subject_id: matter_id.to_string(),
                label: name.clone(),
                level: lvl,
                waiting: n,
                longest_wait_secs: longest,
            });
        }
        matters.push(MatterQueue {
            matter_id: matter_id.to_string(),
            name,
            department_name: m
                .and_then(|m| dept_by_id.get(m.department_id.as_str()))
                .map_or_else(String::new, |d| d.name.clone()),
            waiting: n,
            longest_wait_secs: longest,
            average_wait_secs: average,
            window_ids: bound.iter().map(|w| w.to_string()).collect(),
            open_windows: open,
            level: lvl,
        });
    }
    matters.sort_by(|a, b| b.waiting.cmp(&a.waiting).then(a.name.cmp(&b.name)));
    alerts.sort_by(|a, b| b.level.cmp(&a.level).then(b.waiting.cmp(&a.waiting)).then(a.label.cmp(&b.label)));

    let suggestions = suggest(&matters, &tiles);
    let hours =
        hours.into_iter().map(|(hour, (arrivals, served))| HourFigures { hour, arrivals, served }).collect();
    Dashboard {
        day: hall_date(now).to_string(),
        at: rfc3339(now),
        last_event_at: last_event_at.map(rfc3339),
        tiles,
        matters,
        totals,
        hours,
        waiting_series: waiting_series(&tickets, now),
        alerts,
        suggestions,
        seq: 0,
    }
}

/// For the longest queues above a threshold: open a paused or closed window bound to the
/// matter, or give it as overflow to an open window with little to do (idle first).
fn suggest(matters: &[MatterQueue], tiles: &[WindowTile]) -> Vec<Suggestion> {
    let tile: HashMap<&str, &WindowTile> = tiles.iter().map(|t| (t.window_id.as_str(), t)).collect();
    let mut out = Vec::new();
    for m in matters.iter().filter(|m| m.level > AlertLevel::Normal).take(MATTERS_WITH_SUGGESTIONS) {
        let mut picks = Vec::new();
        for w in &m.window_ids {
            if let Some(t) = tile.get(w.as_str()).filter(|t| t.state != WindowState::Open) {
                picks.push((SuggestionKind::OpenWindow, *t));
            }
        }
        let mut helpers: Vec<&WindowTile> = tiles
            .iter()
            .filter(|t| t.state == WindowState::Open && !m.window_ids.contains(&t.window_id))
            .filter(|t| t.waiting <= UNDER_USED)
            .collect();
        // Idle (nobody at the window, nobody waiting) first, then the least waiting.
        helpers.sort_by_key(|t| (t.current.is_some(), t.waiting, t.position));
        picks.extend(helpers.into_iter().map(|t| (SuggestionKind::BindOverflow, t)));
        for (kind, t) in picks.into_iter().take(SUGGESTIONS_PER_MATTER) {
            out.push(Suggestion {
                kind,
                matter_id: m.matter_id.clone(),
                matter_name: m.name.clone(),
                window_id: t.window_id.clone(),
                window_number: t.number.clone(),
                waiting: m.waiting,
                longest_wait_secs: m.longest_wait_secs,
                window_waiting: t.waiting,
            });
        }
    }
    out
}

/// People waiting (issued, not yet called) every 10 minutes of hall time from the first ticket,
/// and now. One sweep over the day's issues and first calls (a busy hall's day is thousands of
/// tickets and the dashboard is recomputed several times a second).
fn waiting_series(tickets: &[&Ticket], now: DateTime<Utc>) -> Vec<WaitingPoint> {
    let Some(first) = tickets.iter().map(|t| t.issued_at).min() else { return Vec::new() };
    // Whole 10 minutes of UTC are whole 10 minutes of the hall's clock (UTC+8).
    let step = SERIES_STEP_MIN * 60;
    let start =
        DateTime::from_timestamp(first.timestamp() - first.timestamp().rem_euclid(step), 0).unwrap_or(first);
    let mut issued: Vec<DateTime<Utc>> = tickets.iter().map(|t| t.issued_at).collect();
    let mut called: Vec<DateTime<Utc>> = tickets.iter().filter_map(|t| t.first_called_at).collect();
    issued.sort_unstable();
    called.sort_unstable();
    // Issued at or before `at`, minus first called at or before it.
    let waiting_at = |at: DateTime<Utc>| -> u32 {
        let i = issued.partition_point(|t| *t <= at);
        let c = called.partition_point(|t| *t <= at);
        i.saturating_sub(c) as u32
    };
    let mut out = Vec::new();
    let mut at = start;
    while at < now {
        out.push(WaitingPoint { at: rfc3339(at), waiting: waiting_at(at) });
        at += Duration::minutes(SERIES_STEP_MIN);
    }
    out.push(WaitingPoint { at: rfc3339(now), waiting: waiting_at(now) });
    out
}
