//! The feed sends the UI what changed between two pictures, not the whole dashboard: in a busy
//! hall of 200 windows a few tiles move per update, and the page's cost (parsing the event,
//! comparing, laying out and painting) follows what it receives. Changes are judged as a person
//! sees them — durations in whole minutes, the computation instant aside — so seconds ticking by
//! send nothing.

use hallkeeper_proto::{
    Alert, Dashboard, DashboardDelta, HallTotals, MatterQueue, Suggestion, WaitingPoint, WindowTile,
};
use std::collections::HashMap;

fn minutes(s: Option<i64>) -> Option<i64> {
    s.map(|v| v.div_euclid(60))
}

/// Two tiles look the same on screen.
fn same_tile(a: &WindowTile, b: &WindowTile) -> bool {
    let current = match (&a.current, &b.current) {
        (None, None) => true,
        (Some(x), Some(y)) => {
            x.ticket_id == y.ticket_id
                && x.number == y.number
                && x.matter_name == y.matter_name
                && x.state == y.state
                && x.since == y.since
                && x.for_secs.div_euclid(60) == y.for_secs.div_euclid(60)
        }
        _ => false,
    };
    current
        && a.window_id == b.window_id
        && a.number == b.number
        && a.name == b.name
        && a.state == b.state
        && a.position == b.position
        && a.staff_name == b.staff_name
        && a.waiting == b.waiting
        && minutes(a.longest_wait_secs) == minutes(b.longest_wait_secs)
        && minutes(a.average_wait_secs) == minutes(b.average_wait_secs)
        && a.served_today == b.served_today
        && a.level == b.level
}

fn same_matter(a: &MatterQueue, b: &MatterQueue) -> bool {
    a.matter_id == b.matter_id
        && a.name == b.name
        && a.department_name == b.department_name
        && a.waiting == b.waiting
        && minutes(a.longest_wait_secs) == minutes(b.longest_wait_secs)
        && minutes(a.average_wait_secs) == minutes(b.average_wait_secs)
        && a.window_ids == b.window_ids
        && a.open_windows == b.open_windows
        && a.level == b.level
}

fn same_totals(a: &HallTotals, b: &HallTotals) -> bool {
    a.waiting == b.waiting
        && a.issued_today == b.issued_today
        && a.served_today == b.served_today
        && a.no_shows_today == b.no_shows_today
        && minutes(a.average_wait_today_secs) == minutes(b.average_wait_today_secs)
        && a.satisfaction_today == b.satisfaction_today
        && a.open_poor_ratings == b.open_poor_ratings
}

fn same_alerts(a: &[Alert], b: &[Alert]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.subject == y.subject
                && x.subject_id == y.subject_id
                && x.label == y.label
                && x.level == y.level
                && x.waiting == y.waiting
                && minutes(x.longest_wait_secs) == minutes(y.longest_wait_secs)
        })
}

fn same_suggestions(a: &[Suggestion], b: &[Suggestion]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.kind == y.kind
                && x.matter_id == y.matter_id
                && x.matter_name == y.matter_name
                && x.window_id == y.window_id
                && x.window_number == y.window_number
                && x.waiting == y.waiting
                && minutes(x.longest_wait_secs) == minutes(y.longest_wait_secs)
                && x.window_waiting == y.window_waiting
        })
}

/// The series' last point is "now": its instant moves with every computation, its count is what
/// matters.
fn same_series(a: &[WaitingPoint], b: &[WaitingPoint]) -> bool {
    match (a.split_last(), b.split_last()) {
        (None, None) => true,
        (Some((x, a)), Some((y, b))) => x.waiting == y.waiting && a == b,
        _ => false,
    }
}

/// Items of `next` that are new or look different from `prev`'s item of the same key, and the
/// full key order when the set or the order changed.
fn diff_list<T: Clone>(
    prev: &[T],
    next: &[T],
    key: impl Fn(&T) -> &str,
    same: impl Fn(&T, &T) -> bool,
) -> (Vec<T>, Option<Vec<String>>) {
    let old: HashMap<&str, &T> = prev.iter().map(|x| (key(x), x)).collect();
    let changed = next.iter().filter(|x| old.get(key(x)).is_none_or(|p| !same(p, x))).cloned().collect();
    let reordered = prev.len() != next.len() || prev.iter().zip(next).any(|(a, b)| key(a) != key(b));
    (changed, reordered.then(|| next.iter().map(|x| key(x).to_owned()).collect()))
}

/// What the UI holding `prev` needs to show `next`; `None` when nothing visible changed (or the
/// day changed: send the whole dashboard then). The delta is numbered `next.seq` on `prev.seq`.
pub fn diff(prev: &Dashboard, next: &Dashboard) -> Option<DashboardDelta> {
    if prev.day != next.day {
        return None;
    }
    let (tiles, tile_order) = diff_list(&prev.tiles, &next.tiles, |t| &t.window_id, same_tile);
    let (matters, matter_order) = diff_list(&prev.matters, &next.matters, |m| &m.matter_id, same_matter);
    let totals = (!same_totals(&prev.totals, &next.totals)).then(|| next.totals.clone());
    let hours = (prev.hours != next.hours).then(|| next.hours.clone());
    let waiting_series =
        (!same_series(&prev.waiting_series, &next.waiting_series)).then(|| next.waiting_series.clone());
    let alerts = (!same_alerts(&prev.alerts, &next.alerts)).then(|| next.alerts.clone());
    let suggestions =
        (!same_suggestions(&prev.suggestions, &next.suggestions)).then(|| next.suggestions.clone());
    let nothing = tiles.is_empty()
        && tile_order.is_none()
        && matters.is_empty()
        && matter_order.is_none()
        && totals.is_none()
        && hours.is_none()
        && waiting_series.is_none()
        && alerts.is_none()
        && suggestions.is_none()
        && prev.last_event_at == next.last_event_at;
    (!nothing).then(|| DashboardDelta {
        seq: next.seq,
        base_seq: prev.seq,
        day: next.day.clone(),
        at: next.at.clone(),
        last_event_at: next.last_event_at.clone(),
        tiles,
        tile_order,
        matters,
        matter_order,
        totals,
        hours,
        waiting_series,
        alerts,
        suggestions,
    })
}

/// A list with a delta's changed items merged in, in `order` when the delta gives one. The UI
/// does the same in TypeScript; this is the reference the tests check a delta against.
fn apply_list<T: Clone>(
    list: &[T],
    changed: &[T],
    order: Option<&[String]>,
    key: impl Fn(&T) -> &str,
) -> Vec<T> {
    let new: HashMap<&str, &T> = changed.iter().map(|x| (key(x), x)).collect();
    match order {
        None => list.iter().map(|x| new.get(key(x)).copied().unwrap_or(x).clone()).collect(),
        Some(order) => {
            let old: HashMap<&str, &T> = list.iter().map(|x| (key(x), x)).collect();
            order
                .iter()
                .filter_map(|k| new.get(k.as_str()).or_else(|| old.get(k.as_str())).map(|x| (*x).clone()))
                .collect()
        }
    }
}

/// `base` with `delta` applied. The caller checks `delta.base_seq == base.seq`.
pub fn apply(base: &Dashboard, delta: &DashboardDelta) -> Dashboard {
    Dashboard {
        day: delta.day.clone(),
        at: delta.at.clone(),
        last_event_at: delta.last_event_at.clone(),
        tiles: apply_list(&base.tiles, &delta.tiles, delta.tile_order.as_deref(), |t| &t.window_id),
        matters: apply_list(&base.matters, &delta.matters, delta.matter_order.as_deref(), |m| &m.matter_id),
        totals: delta.totals.clone().unwrap_or_else(|| base.totals.clone()),
        hours: delta.hours.clone().unwrap_or_else(|| base.hours.clone()),
        waiting_series: delta.waiting_series.clone().unwrap_or_else(|| base.waiting_series.clone()),
        alerts: delta.alerts.clone().unwrap_or_else(|| base.alerts.clone()),
        suggestions: delta.suggestions.clone().unwrap_or_else(|| base.suggestions.clone()),
        seq: delta.seq,
    }
}
