//! The dashboard over what the store holds: the hall as it stands today and today's ticket
//! events (which sync appends), folded with the queue engine's rules. The fold is kept between
//! calls — only events after the last one seen are applied, and the hall is read again only
//! after a write — so a dashboard refreshed several times a second in a busy hall costs little.

use super::coverage::HallRows;
use super::{Change, Store};
use crate::access::Actor;
use crate::dashboard::{compute, thresholds, HallView};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use hallkeeper_proto::{Dashboard, QueueSettings, ThresholdSettings, TicketEvent};
use hallkeeper_queue::HallQueue;
use rusqlite::{params, OptionalExtension};
use std::collections::HashMap;

const THRESHOLDS_KEY: &str = "dashboard.thresholds";

/// The queue rules the desktop's hall runs with (what it sends the server).
pub fn queue_settings() -> QueueSettings {
    QueueSettings { max_recalls: 2, fallback_prefix: "A".into() }
}

pub(crate) struct DashboardCache {
    day: String,
    generation: u64,
    rows: HallRows,
    staff_at: HashMap<String, String>,
    queue: HallQueue,
    last_seq: i64,
    last_event_at: Option<DateTime<Utc>>,
    /// Events the fold refused (none unless the log and the rules disagree).
    skipped: u64,
}

impl Store {
    pub fn threshold_settings(&self) -> Result<ThresholdSettings> {
        self.read(|c| {
            let saved: Option<String> = c
                .query_row("SELECT value FROM settings WHERE key = ?1", [THRESHOLDS_KEY], |r| r.get(0))
                .optional()?;
            match saved {
                None => Ok(thresholds::defaults()),
                Some(json) => serde_json::from_str(&json)
                    .map_err(|e| Error::Corrupt(format!("saved thresholds are unreadable: {e}"))),
            }
        })
    }

    /// Saves the thresholds (every value checked; the error names the field), audited.
    pub fn set_threshold_settings(
        &self,
        actor: &(impl Actor + ?Sized),
        settings: &ThresholdSettings,
    ) -> Result<ThresholdSettings> {
        self.write(actor, |w| {
            let exists = |table: &str, id: &str| -> bool {
                w.tx.query_row(&format!("SELECT 1 FROM {table} WHERE id = ?1"), [id], |_| Ok(()))
                    .optional()
                    .ok()
                    .flatten()
                    .is_some()
            };
            thresholds::validate(settings, &|id| exists("windows", id), &|id| exists("matters", id))?;
            let json = serde_json::to_string(settings)
                .map_err(|e| Error::Corrupt(format!("cannot save thresholds: {e}")))?;
            let before: Option<String> =
                w.tx.query_row("SELECT value FROM settings WHERE key = ?1", [THRESHOLDS_KEY], |r| r.get(0))
                    .optional()?;
            if before.as_deref() == Some(json.as_str()) {
                return Ok(settings.clone());
            }
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![THRESHOLDS_KEY, json],
            )?;
            w.record_ops([(
                super::outbox::Entity::Thresholds,
                crate::sync::HALL_KEY.to_owned(),
                super::outbox::document(settings)?,
            )])?;
            let d = &settings.window_default;
            w.audit(Change {
                action: "settings.thresholds",
                entity_type: "settings",
                entity_id: None,
                summary: format!(
                    "窗口 {}/{} 人、{}/{} 分钟；{} 个窗口、{} 个事项单独设置",
                    d.waiting_warning,
                    d.waiting_alarm,
                    d.wait_warning_min,
                    d.wait_alarm_min,
                    settings.windows.len(),
                    settings.matters.len()
                ),
                before: before.and_then(|b| serde_json::from_str(&b).ok()),
                after: serde_json::to_value(settings).ok(),
            })?;
            Ok(settings.clone())
        })
    }

    /// The hall now: tiles, matters, totals, charts, alerts, suggestions.
    pub fn dashboard(&self) -> Result<Dashboard> {
        let now = self.now();
        let today = self.hall_today();
        let generation = self.generation();
        let thresholds = self.threshold_settings()?;
        let mut slot = self.dashboard_cache.lock().unwrap_or_else(|p| p.into_inner());
        let stale = slot.as_ref().is_none_or(|c| c.day != today || c.generation != generation);
        if stale {
            *slot = Some(self.read(|c| {
                let rows = HallRows::read(c, &today)?;
                let mut st = c.prepare_cached(
                    "SELECT s.window_id, p.name FROM seats s JOIN staff p ON p.id = s.staff_id WHERE s.date = ?1",
                )?;
                let staff_at = st
                    .query_map([&today], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                    .collect::<rusqlite::Result<HashMap<_, _>>>()?;
                let config = hallkeeper_proto::HallConfig {
                    windows: rows.windows.clone(),
                    departments: Vec::new(),
                    matters: rows.matters.clone(),
                    bindings: rows.bindings.clone(),
                    settings: queue_settings(),
                    sms: None,
                }
                .queue_config();
                let queue = HallQueue::new(config)
                    .map_err(|e| Error::Corrupt(format!("the hall cannot be read as a queue: {e}")))?;
                Ok(DashboardCache {
                    day: today.clone(),
                    generation,
                    rows,
                    staff_at,
                    queue,
                    last_seq: 0,
                    last_event_at: None,
                    skipped: 0,
                })
            })?);
        }
        let Some(cache) = slot.as_mut() else {
            return Err(Error::Corrupt("dashboard cache missing".into()));
        };
        self.read(|c| {
            let mut st = c.prepare_cached(
                "SELECT seq, event FROM ticket_events WHERE day = ?1 AND seq > ?2 ORDER BY seq",
            )?;
            let rows = st.query_map(params![cache.day, cache.last_seq], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?;
            for row in rows {
                let (seq, json) = row?;
                cache.last_seq = seq;
                match serde_json::from_str::<TicketEvent>(&json) {
                    Ok(event) => {
                        cache.last_event_at = Some(cache.last_event_at.map_or(event.at, |t| t.max(event.at)));
                        if cache.queue.apply(&event).is_err() {
                            cache.skipped += 1;
                        }
                    }
                    Err(_) => cache.skipped += 1,
                }
            }
            Ok(())
        })?;
        // Read on every refresh, not cached with the hall: ratings arrive without a write that
        // moves the generation, and a day's count is one indexed query.
        let (ratings_today, open_poor_cases) = self.read(|c| {
            Ok((super::ratings::summary_on(c, &today)?, super::rectification::open_case_count(c)?))
        })?;
        let view = HallView {
            windows: &cache.rows.windows,
            departments: &cache.rows.departments,
            matters: &cache.rows.matters,
            bindings: &cache.rows.bindings,
            staff_at: &cache.staff_at,
            ratings_today,
            open_poor_cases,
        };
        Ok(compute(&view, &cache.queue, &thresholds, now, cache.last_event_at))
    }
}

impl Store {
    /// Writes the audit entry of a queue action the server carried out (moving a matter's
    /// waiting tickets to another window): the queue is the server's, the record of who asked
    /// for it is the hall's.
    pub fn record_queue_move(
        &self,
        actor: &(impl Actor + ?Sized),
        matter_id: &str,
        to_window_id: &str,
        ticket_ids: &[String],
    ) -> Result<()> {
        self.write(actor, |w| {
            let matter: String =
                w.tx.query_row("SELECT name FROM matters WHERE id = ?1", [matter_id], |r| r.get(0))
                    .optional()?
                    .unwrap_or_else(|| matter_id.to_owned());
            let window: String =
                w.tx.query_row("SELECT number FROM windows WHERE id = ?1", [to_window_id], |r| r.get(0))
                    .optional()?
                    .unwrap_or_else(|| to_window_id.to_owned());
            w.audit(Change {
                action: "queue.move_waiting",
                entity_type: "matter",
                entity_id: Some(matter_id),
                summary: format!("把“{matter}”的 {} 位排队群众转到窗口 {window}", ticket_ids.len()),
                before: None,
                after: Some(serde_json::json!({
                    "matterId": matter_id,
                    "toWindowId": to_window_id,
                    "ticketIds": ticket_ids,
                })),
            })
        })
    }
}
