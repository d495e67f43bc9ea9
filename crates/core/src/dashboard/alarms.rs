//! When to raise a desktop notification: once when a window or matter crosses into alarm, not on
//! every refresh while it stays there. Hysteresis: having been in alarm, it must fall back below
//! the warning level (not merely below alarm) before another crossing counts, so a queue hovering
//! around the alarm level does not notify on every ticket. And a quiet period: no second notice
//! for the same window or matter within `quiet_min` minutes even after it re-arms.

use chrono::{DateTime, Duration, Utc};
use hallkeeper_proto::{AlarmNotice, AlertLevel, AlertSubject, Dashboard};
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
struct Subject {
    /// In alarm since the last crossing, until it falls below warning.
    armed_off: bool,
    last_notice: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default)]
pub struct AlarmTracker {
    subjects: HashMap<(AlertSubject, String), Subject>,
}

impl AlarmTracker {
    /// The notices this dashboard calls for.
    pub fn observe(&mut self, dashboard: &Dashboard, quiet_min: u32, now: DateTime<Utc>) -> Vec<AlarmNotice> {
        let mut seen: HashMap<(AlertSubject, String), AlertLevel> = HashMap::new();
        let mut labels: HashMap<(AlertSubject, String), (String, u32, Option<i64>)> = HashMap::new();
        for t in &dashboard.tiles {
            let key = (AlertSubject::Window, t.window_id.clone());
            seen.insert(key.clone(), t.level);
            labels.insert(key, (t.number.clone(), t.waiting, t.longest_wait_secs));
        }
        for m in &dashboard.matters {
            let key = (AlertSubject::Matter, m.matter_id.clone());
            seen.insert(key.clone(), m.level);
            labels.insert(key, (m.name.clone(), m.waiting, m.longest_wait_secs));
        }
        // A matter nobody waits for is no longer listed: it is back to normal.
        for (key, s) in self.subjects.iter_mut() {
            if !seen.contains_key(key) {
                s.armed_off = false;
            }
        }
        let mut out = Vec::new();
        let quiet = Duration::minutes(i64::from(quiet_min));
        for (key, level) in seen {
            let s = self.subjects.entry(key.clone()).or_default();
            match level {
                AlertLevel::Alarm if !s.armed_off => {
                    s.armed_off = true;
                    if s.last_notice.is_none_or(|t| now - t >= quiet) {
                        s.last_notice = Some(now);
                        let (label, waiting, longest) = labels.remove(&key).unwrap_or_default();
                        out.push(AlarmNotice {
                            subject: key.0,
                            subject_id: key.1,
                            label,
                            waiting,
                            longest_wait_secs: longest,
                        });
                    }
                }
                AlertLevel::Normal => s.armed_off = false,
                _ => {}
            }
        }
        out.sort_by(|a, b| b.waiting.cmp(&a.waiting).then(a.label.cmp(&b.label)));
        out
    }
}
