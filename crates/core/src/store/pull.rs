//! The down half of sync (docs/sync.md): a page of the server's change log is merged into
//! `sync_rows` and shown in the desktop's tables, in one transaction with the cursor.
//!
//! What the tables show for a row is always the same function: the server's merged row, with
//! this PC's operations the server has not yet returned laid on top (PowerSync's write
//! checkpoint — a pull never undoes an edit the server has not seen), projected by
//! [`crate::sync::domain_row`] when its references are shown. A row whose shown-or-not changes
//! re-projects the rows that reference it, so a window deleted elsewhere takes its bindings with
//! it and one that comes back lets them return.

use super::{Change, Write};
use crate::error::{Error, Result};
use crate::sync::{domain_row, merge::Row, merge::RowChange, row_values, DomainRow, Entity, Hlc, Snapshot};
use hallkeeper_proto::{PullResponse, SyncChange};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// What applying one pulled page did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullApplied {
    /// Changes merged (0 when the page was stale: another pull moved the cursor first).
    pub changes: usize,
    /// This PC's edits the server's order says lost to a later edit elsewhere (each audited).
    pub superseded: usize,
    pub cursor: i64,
    pub stale: bool,
}

/// An operation the server will never apply, kept with its reason for the supervisor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedOp {
    pub seq: i64,
    pub entity: String,
    pub key: String,
    pub reason: String,
    pub created_at: String,
}

/// This replica's side of the sync status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncLocal {
    pub device_id: Option<String>,
    pub pending: u64,
    pub rejected: Vec<RejectedOp>,
    pub pull_cursor: i64,
    pub events_cursor: i64,
    pub ratings_cursor: i64,
    pub last_pull_at: Option<String>,
    pub last_push_at: Option<String>,
}

fn corrupt(what: impl std::fmt::Display) -> Error {
    Error::Corrupt(what.to_string())
}

pub(crate) fn load_row(c: &Connection, entity: Entity, key: &str) -> Result<Row> {
    let json: Option<String> = c
        .prepare_cached("SELECT row FROM sync_rows WHERE entity = ?1 AND entity_key = ?2")?
        .query_row(params![entity.as_str(), key], |r| r.get(0))
        .optional()?;
    match json {
        None => Ok(Row::default()),
        Some(j) => {
            let v: Value = serde_json::from_str(&j).map_err(|e| corrupt(format!("sync row {key}: {e}")))?;
            Row::from_json(&v).map_err(corrupt)
        }
    }
}

impl Write<'_> {
    /// This device's sync identity, next sequence and clock, made on first use.
    pub(crate) fn sync_state(&self) -> Result<(String, i64, Option<Hlc>)> {
        let state: Option<(String, i64, Option<String>)> = self
            .tx
            .query_row("SELECT device_id, next_seq, last_hlc FROM sync_state WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        match state {
            Some((d, s, h)) => Ok((d, s, h.as_deref().and_then(Hlc::parse))),
            None => {
                let device = self.new_id();
                self.tx.execute(
                    "INSERT INTO sync_state (id, device_id, next_seq) VALUES (1, ?1, 1)",
                    [&device],
                )?;
                Ok((device, 1, None))
            }
        }
    }

    /// Whether sync holds the row (pulled, or made here and not rejected), shown or not.
    pub(crate) fn synced_row_waiting(&self, entity: Entity, key: &str) -> Result<bool> {
        if load_row(&self.tx, entity, key)?.visible() {
            return Ok(true);
        }
        Ok(self
            .tx
            .prepare_cached(
                "SELECT 1 FROM outbox WHERE entity = ?1 AND entity_key = ?2 AND state <> 'rejected'",
            )?
            .exists(params![entity.as_str(), key])?)
    }

    /// The row the tables should show: the server's merged row with this PC's unconfirmed
    /// operations on top.
    pub(crate) fn effective_row(&self, entity: Entity, key: &str) -> Result<Row> {
        let mut row = load_row(&self.tx, entity, key)?;
        let mut st = self.tx.prepare_cached(
            "SELECT seq, hlc, change FROM outbox
              WHERE entity = ?1 AND entity_key = ?2 AND echoed = 0 AND state <> 'rejected' ORDER BY seq",
        )?;
        let ops = st.query_map(params![entity.as_str(), key], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        for op in ops {
            let (seq, hlc, change) = op?;
            let hlc = Hlc::parse(&hlc).ok_or_else(|| corrupt(format!("outbox operation {seq}: bad hlc")))?;
            let change: Value =
                serde_json::from_str(&change).map_err(|e| corrupt(format!("outbox operation {seq}: {e}")))?;
            let change = Row::parse_change(&change)
                .ok_or_else(|| corrupt(format!("outbox operation {seq}: bad change")))?;
            row.apply(&hlc, &change);
        }
        Ok(row)
    }

    fn shown(&self, entity: Entity, key: &str) -> Result<bool> {
        let one = |sql: &str| -> Result<bool> { Ok(self.tx.prepare_cached(sql)?.exists([key])?) };
        let pair = |sql: &str| -> Result<bool> {
            let (a, b) = key.split_once('/').unwrap_or((key, ""));
            Ok(self.tx.prepare_cached(sql)?.exists(params![a, b])?)
        };
        match entity {
            Entity::Window => one("SELECT 1 FROM windows WHERE id = ?1"),
            Entity::Department => one("SELECT 1 FROM departments WHERE id = ?1"),
            Entity::Matter => one("SELECT 1 FROM matters WHERE id = ?1"),
            Entity::Staff => one("SELECT 1 FROM staff WHERE id = ?1"),
            Entity::Binding => pair("SELECT 1 FROM window_bindings WHERE window_id = ?1 AND matter_id = ?2"),
            Entity::Seat => pair("SELECT 1 FROM seats WHERE date = ?1 AND window_id = ?2"),
            Entity::DeadlineProfile
            | Entity::StarRule
            | Entity::Thresholds
            | Entity::SmsRules
            | Entity::RatingReasons => Ok(self
                .tx
                .prepare_cached("SELECT 1 FROM settings WHERE key = ?1")?
                .exists([entity.settings_key()])?),
            Entity::Case => one("SELECT 1 FROM rectification_cases WHERE rating_id = ?1"),
            Entity::CaseEvidence => pair(
                "SELECT 1 FROM rectification_evidence e JOIN rectification_cases c ON c.id = e.case_id
                  WHERE c.rating_id = ?1 AND e.sha256 = ?2",
            ),
            Entity::CaseStep => pair(
                "SELECT 1 FROM rectification_steps s JOIN rectification_cases c ON c.id = s.case_id
                  WHERE c.rating_id = ?1 AND s.step_id = ?2",
            ),
            Entity::StarMonth => Ok(false),
        }
    }

    /// Brings the tables' row for (entity, key) in line with its effective row. Returns whether
    /// the row went from shown to not shown or back (its dependents need a look then).
    pub(crate) fn project(&self, entity: Entity, key: &str) -> Result<bool> {
        let before = self.shown(entity, key)?;
        let row = self.effective_row(entity, key)?;
        let mut target = row_values(entity, &row).and_then(|v| domain_row(entity, key, &v));
        if let Some(t) = &target {
            for (e, k) in &t.requires {
                if !self.shown(*e, k)? {
                    target = None;
                    break;
                }
            }
        }
        let after = match target {
            Some(mut t) => {
                if let Some((e, k)) = &t.optional {
                    if !self.shown(*e, k)? {
                        t.fields.insert("departmentId".into(), Value::Null);
                    }
                }
                self.show(entity, key, &t)?
            }
            None => {
                self.hide(entity, key)?;
                false
            }
        };
        Ok(before != after)
    }

    /// Writes a row into its table; false when the table refuses it (a code another row holds),
    /// in which case it is not shown.
    fn show(&self, entity: Entity, key: &str, t: &DomainRow) -> Result<bool> {
        let f = &t.fields;
        let s = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
        let now = self.now_text();
        let result = match entity {
            Entity::Window => self.tx.prepare_cached(
                "INSERT INTO windows (id, number, name, zone, kind, state, position, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                 ON CONFLICT (id) DO UPDATE SET number = excluded.number, name = excluded.name,
                    zone = excluded.zone, kind = excluded.kind, state = excluded.state,
                    position = excluded.position, updated_at = excluded.updated_at
                 WHERE (number, name, zone, kind, state, position)
                    IS NOT (excluded.number, excluded.name, excluded.zone, excluded.kind, excluded.state, excluded.position)",
            )?
            .execute(params![key, s("number"), s("name"), s("zone"), s("kind"), s("state"), f.get("position").and_then(Value::as_i64), now]),
            Entity::Department => self.tx.prepare_cached(
                "INSERT INTO departments (id, code, name) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name",
            )?
            .execute(params![key, s("code"), s("name")]),
            Entity::Matter => self.tx.prepare_cached(
                "INSERT INTO matters (id, catalog_code, name, department_id, matter_type, required, time_limit_days, ticket_prefix, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (id) DO UPDATE SET catalog_code = excluded.catalog_code, name = excluded.name,
                    department_id = excluded.department_id, matter_type = excluded.matter_type,
                    required = excluded.required, time_limit_days = excluded.time_limit_days,
                    ticket_prefix = excluded.ticket_prefix, state = excluded.state",
            )?
            .execute(params![
                key,
                s("catalogCode"),
                s("name"),
                s("departmentId"),
                s("matterType"),
                f.get("required").and_then(Value::as_bool),
                f.get("timeLimitDays").and_then(Value::as_i64),
                s("ticketPrefix"),
                s("state")
            ]),
            Entity::Staff => self.tx.prepare_cached(
                "INSERT INTO staff (id, employee_no, name, department_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT (id) DO UPDATE SET employee_no = excluded.employee_no, name = excluded.name,
                    department_id = excluded.department_id, updated_at = excluded.updated_at
                 WHERE (employee_no, name, department_id) IS NOT (excluded.employee_no, excluded.name, excluded.department_id)",
            )?
            .execute(params![key, s("employeeNo"), s("name"), f.get("departmentId").and_then(Value::as_str), now]),
            Entity::Binding => self.tx.prepare_cached(
                "INSERT INTO window_bindings (window_id, matter_id, priority, expires_on) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (window_id, matter_id) DO UPDATE SET priority = excluded.priority,
                    expires_on = excluded.expires_on",
            )?
            .execute(params![s("windowId"), s("matterId"), s("priority"), f.get("expiresOn").and_then(Value::as_str)]),
            Entity::Seat => self.tx.prepare_cached(
                "INSERT INTO seats (date, window_id, staff_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT (date, window_id) DO UPDATE SET staff_id = excluded.staff_id",
            )?
            .execute(params![s("date"), s("windowId"), s("staffId")]),
            Entity::DeadlineProfile | Entity::StarRule | Entity::Thresholds | Entity::SmsRules | Entity::RatingReasons => self
                .tx
                .prepare_cached(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )?
                .execute(params![entity.settings_key(), f.get("document").map(Value::to_string)]),
            // A case is shown once its rating is held here (ratings come down on their own feed;
            // `apply_ratings` projects a case that was waiting for its rating).
            Entity::Case => return super::rectification::show_synced_case(self, key, f),
            Entity::CaseEvidence => return super::rectification::show_synced_evidence(self, key, f),
            Entity::CaseStep => return super::rectification::show_synced_step(self, key, f),
            Entity::StarMonth => return Ok(false),
        };
        match result {
            Ok(_) => Ok(true),
            // Only a code held by another row (two imports that made different ids for one
            // code on stores older than stable ids) gets here: the row is kept in sync_rows and
            // said so in the audit log, not written over the other.
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
                self.hide(entity, key)?;
                self.audit(Change {
                    action: "sync.conflict",
                    entity_type: entity.as_str(),
                    entity_id: Some(key),
                    summary: format!("同步来的{}{key}与本机已有记录的编码冲突，未显示：{e}", label(entity)),
                    before: None,
                    after: Some(Value::Object(f.clone())),
                })?;
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn hide(&self, entity: Entity, key: &str) -> Result<()> {
        let tx = &self.tx;
        match entity {
            Entity::Window => {
                tx.execute("DELETE FROM window_bindings WHERE window_id = ?1", [key])?;
                tx.execute("DELETE FROM windows WHERE id = ?1", [key])?;
            }
            Entity::Matter => {
                tx.execute("DELETE FROM window_bindings WHERE matter_id = ?1", [key])?;
                tx.execute("DELETE FROM matters WHERE id = ?1", [key])?;
            }
            Entity::Department => {
                tx.execute(
                    "DELETE FROM window_bindings WHERE matter_id IN (SELECT id FROM matters WHERE department_id = ?1)",
                    [key],
                )?;
                tx.execute("DELETE FROM matters WHERE department_id = ?1", [key])?;
                tx.execute("UPDATE staff SET department_id = NULL WHERE department_id = ?1", [key])?;
                tx.execute("DELETE FROM departments WHERE id = ?1", [key])?;
            }
            Entity::Staff => {
                tx.execute("DELETE FROM staff WHERE id = ?1", [key])?;
            }
            Entity::Binding => {
                if let Some((w, m)) = key.split_once('/') {
                    tx.execute(
                        "DELETE FROM window_bindings WHERE window_id = ?1 AND matter_id = ?2",
                        [w, m],
                    )?;
                }
            }
            Entity::Seat => {
                if let Some((d, w)) = key.split_once('/') {
                    tx.execute("DELETE FROM seats WHERE date = ?1 AND window_id = ?2", [d, w])?;
                }
            }
            // Never deleted (the server refuses a delete of any of them): a document or a case
            // that cannot be shown yet keeps what this PC holds, and nothing of a case's is lost.
            Entity::DeadlineProfile
            | Entity::StarRule
            | Entity::Thresholds
            | Entity::SmsRules
            | Entity::RatingReasons
            | Entity::Case
            | Entity::CaseEvidence
            | Entity::CaseStep
            | Entity::StarMonth => {}
        }
        Ok(())
    }

    /// The rows that reference (entity, key), wherever they are: shown, merged or unconfirmed.
    fn dependents(&self, entity: Entity, key: &str) -> Result<Vec<(Entity, String)>> {
        let queries: &[(Entity, &str)] = match entity {
            Entity::Department => &[
                (Entity::Matter, "SELECT id FROM matters WHERE department_id = ?1
                    UNION SELECT entity_key FROM sync_rows WHERE entity = 'matter' AND row ->> '$.fields.departmentId.value' = ?1
                    UNION SELECT entity_key FROM outbox WHERE entity = 'matter' AND echoed = 0 AND change ->> '$.fields.departmentId' = ?1"),
                (Entity::Staff, "SELECT id FROM staff WHERE department_id = ?1
                    UNION SELECT entity_key FROM sync_rows WHERE entity = 'staff' AND row ->> '$.fields.departmentId.value' = ?1
                    UNION SELECT entity_key FROM outbox WHERE entity = 'staff' AND echoed = 0 AND change ->> '$.fields.departmentId' = ?1"),
            ],
            Entity::Matter => &[(Entity::Binding, "SELECT window_id || '/' || matter_id FROM window_bindings WHERE matter_id = ?1
                    UNION SELECT entity_key FROM sync_rows WHERE entity = 'binding' AND entity_key LIKE '%/' || ?1
                    UNION SELECT entity_key FROM outbox WHERE entity = 'binding' AND echoed = 0 AND entity_key LIKE '%/' || ?1")],
            Entity::Window => &[
                (Entity::Binding, "SELECT window_id || '/' || matter_id FROM window_bindings WHERE window_id = ?1
                    UNION SELECT entity_key FROM sync_rows WHERE entity = 'binding' AND entity_key >= ?1 || '/' AND entity_key < ?1 || '0'
                    UNION SELECT entity_key FROM outbox WHERE entity = 'binding' AND echoed = 0 AND entity_key LIKE ?1 || '/%'"),
                (Entity::Seat, "SELECT date || '/' || window_id FROM seats WHERE window_id = ?1
                    UNION SELECT entity_key FROM sync_rows WHERE entity = 'seat' AND entity_key LIKE '%/' || ?1
                    UNION SELECT entity_key FROM outbox WHERE entity = 'seat' AND echoed = 0 AND entity_key LIKE '%/' || ?1"),
            ],
            Entity::Staff => &[(Entity::Seat, "SELECT date || '/' || window_id FROM seats WHERE staff_id = ?1
                    UNION SELECT entity_key FROM sync_rows WHERE entity = 'seat' AND row ->> '$.fields.staffId.value' = ?1
                    UNION SELECT entity_key FROM outbox WHERE entity = 'seat' AND echoed = 0 AND change ->> '$.fields.staffId' = ?1")],
            Entity::Case => &[
                (Entity::CaseEvidence, "SELECT entity_key FROM sync_rows WHERE entity = 'case_evidence' AND entity_key LIKE ?1 || '/%'
                    UNION SELECT entity_key FROM outbox WHERE entity = 'case_evidence' AND echoed = 0 AND entity_key LIKE ?1 || '/%'"),
                (Entity::CaseStep, "SELECT entity_key FROM sync_rows WHERE entity = 'case_step' AND entity_key LIKE ?1 || '/%'
                    UNION SELECT entity_key FROM outbox WHERE entity = 'case_step' AND echoed = 0 AND entity_key LIKE ?1 || '/%'"),
            ],
            Entity::Binding
            | Entity::Seat
            | Entity::DeadlineProfile
            | Entity::StarRule
            | Entity::Thresholds
            | Entity::SmsRules
            | Entity::RatingReasons
            | Entity::CaseEvidence
            | Entity::CaseStep
            | Entity::StarMonth => &[],
        };
        let mut out = Vec::new();
        for (dep, sql) in queries {
            let mut st = self.tx.prepare_cached(sql)?;
            let keys = st.query_map([key], |r| r.get::<_, String>(0))?;
            for k in keys {
                out.push((*dep, k?));
            }
        }
        Ok(out)
    }

    /// Projects every row in `touched`, parents first, and the dependents of any row whose
    /// shown-or-not changed.
    pub(crate) fn project_all(&self, touched: impl IntoIterator<Item = (Entity, String)>) -> Result<()> {
        let mut queue: BTreeMap<Entity, BTreeSet<String>> = BTreeMap::new();
        for (e, k) in touched {
            queue.entry(e).or_default().insert(k);
        }
        for entity in Entity::ORDER {
            for key in queue.remove(&entity).unwrap_or_default() {
                if self.project(entity, &key)? {
                    for (e, k) in self.dependents(entity, &key)? {
                        queue.entry(e).or_default().insert(k);
                    }
                }
            }
        }
        Ok(())
    }

    fn merge_change(
        &self,
        device: &str,
        c: &SyncChange,
        entity: Entity,
        hlc: &Hlc,
        change: &RowChange,
    ) -> Result<usize> {
        let mut row = load_row(&self.tx, entity, &c.key)?;
        let outcome = row.apply(hlc, change);
        self.tx
            .prepare_cached(
                "INSERT INTO sync_rows (entity, entity_key, row) VALUES (?1, ?2, ?3)
                 ON CONFLICT (entity, entity_key) DO UPDATE SET row = excluded.row",
            )?
            .execute(params![entity.as_str(), c.key, row.to_json().to_string()])?;
        if c.device_id != device {
            return Ok(0);
        }
        self.tx.prepare_cached("UPDATE outbox SET echoed = 1 WHERE seq = ?1")?.execute([c.seq])?;
        if let (RowChange::Upsert(ours), false) = (change, row.visible()) {
            // An edit of a row another PC deleted first: the delete wins.
            self.audit(Change {
                action: "sync.superseded",
                entity_type: entity.as_str(),
                entity_id: Some(&c.key),
                summary: format!("本机对{}{}的修改未生效：它已在其他电脑上删除", label(entity), c.key),
                before: Some(Value::Object(ours.clone())),
                after: None,
            })?;
            return Ok(1);
        }
        if outcome.superseded.is_empty() {
            return Ok(0);
        }
        // The server put this PC's edit after a later one made elsewhere: say which fields lost.
        let current: Map<String, Value> = row
            .fields
            .iter()
            .filter(|(k, _)| outcome.superseded.contains(k))
            .map(|(k, (v, _))| (k.clone(), v.clone()))
            .collect();
        let ours: Map<String, Value> = match change {
            RowChange::Upsert(f) => f
                .iter()
                .filter(|(k, _)| outcome.superseded.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            RowChange::Delete => Map::new(),
        };
        self.audit(Change {
            action: "sync.superseded",
            entity_type: entity.as_str(),
            entity_id: Some(&c.key),
            summary: format!(
                "本机对{}{}的修改（{}）已被其他电脑更晚的修改取代",
                label(entity),
                c.key,
                outcome.superseded.join("、")
            ),
            before: Some(Value::Object(ours)),
            after: Some(Value::Object(current)),
        })?;
        Ok(1)
    }
}

pub(crate) fn label(entity: Entity) -> &'static str {
    match entity {
        Entity::Window => "窗口",
        Entity::Department => "部门",
        Entity::Matter => "事项",
        Entity::Binding => "绑定",
        Entity::Staff => "工作人员",
        Entity::Seat => "排班",
        Entity::DeadlineProfile => "整改时限规则",
        Entity::StarRule => "服务之星规则",
        Entity::Thresholds => "预警阈值",
        Entity::SmsRules => "短信提醒规则",
        Entity::RatingReasons => "评价原因标签",
        Entity::Case => "整改案件",
        Entity::CaseEvidence => "佐证材料",
        Entity::CaseStep => "整改步骤",
        Entity::StarMonth => "服务之星",
    }
}

impl crate::Store {
    /// Where the next pull of the change log starts.
    pub fn pull_cursor(&self) -> Result<i64> {
        self.read(|c| {
            Ok(c.query_row("SELECT pull_cursor FROM sync_state WHERE id = 1", [], |r| r.get(0))
                .optional()?
                .unwrap_or(0))
        })
    }

    /// Merges one page pulled from `cursor` and moves the cursor, in one transaction. A page
    /// that does not continue exactly from the cursor is refused ([`Error::SyncGap`]); one
    /// pulled from a cursor another pull has since moved is ignored (`stale`).
    pub fn apply_pull(&self, cursor: i64, page: &PullResponse) -> Result<PullApplied> {
        // Pulled several times a second in a busy hall, mostly empty: only a page that merged
        // changes makes the hall's rows (and the dashboard's fold over them) read again.
        let applied = self.write_quietly("sync", |w| {
            let (device, _, mut last) = w.sync_state()?;
            let current: i64 =
                w.tx.query_row("SELECT pull_cursor FROM sync_state WHERE id = 1", [], |r| r.get(0))?;
            if current != cursor {
                return Ok(PullApplied { cursor: current, stale: true, ..Default::default() });
            }
            let now_ms = w.now.timestamp_millis();
            let mut next = cursor;
            let mut touched = Vec::with_capacity(page.changes.len());
            let mut superseded = 0;
            for c in &page.changes {
                if c.change_id != next + 1 {
                    return Err(Error::SyncGap { expected: next + 1, found: c.change_id });
                }
                next = c.change_id;
                let hlc = Hlc::parse(&c.hlc)
                    .ok_or_else(|| corrupt(format!("change {}: bad hlc {:?}", c.change_id, c.hlc)))?;
                let change = Row::parse_change(&c.change)
                    .ok_or_else(|| corrupt(format!("change {}: unreadable change", c.change_id)))?;
                // An entity this version does not know (a newer server): kept out of the
                // tables; the schema version check refuses the truly incompatible.
                let Some(entity) = Entity::parse(&c.entity) else { continue };
                superseded += w.merge_change(&device, c, entity, &hlc, &change)?;
                // An edit made after seeing this change must order after it.
                last = Some(Hlc::receive(last.as_ref(), &hlc, now_ms, &device));
                touched.push((entity, c.key.clone()));
            }
            w.project_all(touched)?;
            w.tx.execute(
                "UPDATE sync_state SET pull_cursor = ?1, last_hlc = ?2, last_pull_at = ?3 WHERE id = 1",
                params![next, last.map(|h| h.to_string()), w.now_text()],
            )?;
            Ok(PullApplied { changes: page.changes.len(), superseded, cursor: next, stale: false })
        })?;
        if applied.changes > 0 {
            self.hall_rows_changed();
        }
        Ok(applied)
    }

    /// Where the next pull of ticket events starts (the last event seq held).
    pub fn events_cursor(&self) -> Result<i64> {
        self.read(|c| {
            Ok(c.query_row("SELECT events_cursor FROM sync_state WHERE id = 1", [], |r| r.get(0))
                .optional()?
                .unwrap_or(0))
        })
    }

    /// Appends a page of the server's ticket events (seq, day, event JSON) pulled after
    /// `after`, and moves the cursor to `next_cursor`, in one transaction. A page pulled from a
    /// cursor another pull has since moved is ignored (None).
    pub fn apply_events<'a>(
        &self,
        after: i64,
        events: impl IntoIterator<Item = (i64, &'a str, &'a str)>,
        next_cursor: i64,
    ) -> Result<Option<u64>> {
        self.write_quietly("sync", |w| {
            w.sync_state()?;
            let current: i64 =
                w.tx.query_row("SELECT events_cursor FROM sync_state WHERE id = 1", [], |r| r.get(0))?;
            if current != after {
                return Ok(None);
            }
            let mut insert =
                w.tx.prepare_cached("INSERT INTO ticket_events (seq, day, event) VALUES (?1, ?2, ?3)")?;
            let mut n = 0u64;
            let mut last = after;
            // The touched tickets' report facts, in this transaction (store/report_facts.rs).
            let mut facts = super::report_facts::EventFold::default();
            for (seq, day, event) in events {
                if seq <= last {
                    return Err(corrupt(format!("ticket event {seq} arrived after {last}")));
                }
                insert.execute(params![seq, day, event])?;
                facts.event(&w.tx, event)?;
                last = seq;
                n += 1;
            }
            facts.finish(&w.tx)?;
            w.tx.execute(
                "UPDATE sync_state SET events_cursor = ?1, last_pull_at = ?2 WHERE id = 1",
                params![next_cursor.max(last), w.now_text()],
            )?;
            Ok(Some(n))
        })
    }

    /// The seqs of the ticket events held, in order (for comparing replicas).
    pub fn ticket_event_seqs(&self) -> Result<Vec<i64>> {
        self.read(|c| {
            let mut st = c.prepare("SELECT seq FROM ticket_events ORDER BY seq")?;
            let seqs = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
            Ok(seqs)
        })
    }

    /// What this replica's tables show of the synced rows, in the form [`crate::sync::server_snapshot`]
    /// gives for the server's rows.
    pub fn replica_snapshot(&self) -> Result<Snapshot> {
        self.read(|c| {
            let mut out = Snapshot::new();
            let queries = [
                (Entity::Department, "SELECT id, json_object('code', code, 'name', name) FROM departments"),
                (
                    Entity::Matter,
                    "SELECT id, json_object('catalogCode', catalog_code, 'name', name, 'departmentId', department_id,
                        'matterType', matter_type, 'required', json(iif(required, 'true', 'false')),
                        'timeLimitDays', time_limit_days, 'ticketPrefix', ticket_prefix, 'state', state) FROM matters",
                ),
                (
                    Entity::Window,
                    "SELECT id, json_object('number', number, 'name', name, 'zone', zone, 'kind', kind,
                        'state', state, 'position', position) FROM windows",
                ),
                (
                    Entity::Staff,
                    "SELECT id, json_object('employeeNo', employee_no, 'name', name, 'departmentId', department_id) FROM staff",
                ),
                (
                    Entity::Binding,
                    "SELECT window_id || '/' || matter_id,
                        json_object('windowId', window_id, 'matterId', matter_id, 'priority', priority,
                                    'expiresOn', expires_on) FROM window_bindings",
                ),
                (
                    Entity::Seat,
                    "SELECT date || '/' || window_id,
                        json_object('date', date, 'windowId', window_id, 'staffId', staff_id) FROM seats",
                ),
            ];
            for (entity, sql) in queries {
                let mut st = c.prepare(sql)?;
                let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
                for row in rows {
                    let (key, json) = row?;
                    let Value::Object(fields) = serde_json::from_str(&json).map_err(corrupt)? else {
                        return Err(corrupt(format!("{key}: not an object")));
                    };
                    out.entry(entity.as_str().to_owned()).or_default().insert(key, fields);
                }
            }
            for entity in [Entity::DeadlineProfile, Entity::StarRule, Entity::Thresholds, Entity::SmsRules, Entity::RatingReasons] {
                let doc: Option<String> = c
                    .query_row("SELECT value FROM settings WHERE key = ?1", [entity.settings_key()], |r| r.get(0))
                    .optional()?;
                if let Some(doc) = doc {
                    let doc: Value = serde_json::from_str(&doc).map_err(corrupt)?;
                    let mut fields = Map::new();
                    fields.insert("document".into(), doc);
                    out.entry(entity.as_str().to_owned()).or_default().insert(crate::sync::HALL_KEY.into(), fields);
                }
            }
            super::rectification::snapshot_cases(c, &mut out)?;
            Ok(out)
        })
    }

    /// This replica's side of the sync status: what waits, what was refused and why, where the
    /// cursors are.
    pub fn sync_local(&self) -> Result<SyncLocal> {
        self.read(|c| {
            let mut out = SyncLocal::default();
            if let Some((d, p, e, rc, lp, lu)) = c
                .query_row(
                    "SELECT device_id, pull_cursor, events_cursor, ratings_cursor, last_pull_at, last_push_at
                       FROM sync_state WHERE id = 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
                )
                .optional()?
            {
                (
                    out.device_id,
                    out.pull_cursor,
                    out.events_cursor,
                    out.ratings_cursor,
                    out.last_pull_at,
                    out.last_push_at,
                ) = (Some(d), p, e, rc, lp, lu);
            }
            out.pending = c.query_row("SELECT count(*) FROM outbox WHERE state = 'pending'", [], |r| {
                r.get::<_, i64>(0)
            })? as u64;
            let mut st = c.prepare(
                "SELECT seq, entity, entity_key, coalesce(reason, ''), created_at FROM outbox
                  WHERE state = 'rejected' ORDER BY seq DESC LIMIT 200",
            )?;
            out.rejected = st
                .query_map([], |r| {
                    Ok(from_columns!(r => RejectedOp { seq, entity, key, reason, created_at }))
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store;

    #[test]
    fn an_empty_pull_keeps_what_was_read_of_the_hall() {
        let (s, _) = store();
        let before = s.generation();
        let page = PullResponse { changes: Vec::new(), next_cursor: 0, has_more: false };
        let applied = s.apply_pull(0, &page).unwrap();
        assert_eq!((applied.changes, applied.stale), (0, false));
        // Nothing merged: the dashboard's fold over the hall is still good.
        assert_eq!(s.generation(), before);
        s.record_push_result(0, &[]).unwrap();
        assert_eq!(s.generation(), before);
    }
}
