//! Matter ↔ window bindings: bind (or re-prioritise) and unbind, each command one audited change.

use super::catalog::load_matter;
use super::columns::parsed_column;
use super::outbox::{self, Entity};
use super::{Change, Store};
use crate::access::Actor;
use crate::error::{Code, Rejection, Result};
use hallkeeper_proto::{BindInput, Binding, BindingPriority, BindingsChange, MatterState, UnbindInput};
use rusqlite::{params, Connection, OptionalExtension};

/// More than a whole catalog in one drop is a mistake, not a selection.
const MAX_MATTERS_PER_CHANGE: usize = 20_000;

/// The bindings in force on hall day `today` (`YYYY-MM-DD`): standing ones and those made for
/// the day from the dashboard; a lapsed one is kept (it syncs like any row) but not in force.
pub(crate) fn all(conn: &Connection, today: &str) -> Result<Vec<Binding>> {
    let mut st = conn.prepare_cached(
        "SELECT b.window_id, b.matter_id, b.priority
           FROM window_bindings b
           JOIN windows w ON w.id = b.window_id
           JOIN matters m ON m.id = b.matter_id
          WHERE b.expires_on IS NULL OR b.expires_on >= ?1
          ORDER BY w.position, b.priority = 'overflow', m.catalog_code",
    )?;
    let rows = st.query_map([today], |r| {
        Ok(Binding {
            window_id: r.get(0)?,
            matter_id: r.get(1)?,
            priority: parsed_column(r, 2, "unknown binding priority", BindingPriority::parse)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn window_label(conn: &Connection, id: &str) -> Result<String> {
    conn.query_row("SELECT number || ' ' || name FROM windows WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| Rejection::new(Code::WindowNotFound).field("windowId").arg("id", id).into())
}

/// A binding's key in sync operations: its window and matter.
fn binding_key(window_id: &str, matter_id: &str) -> String {
    format!("{window_id}/{matter_id}")
}

fn binding_op(
    window_id: &str,
    matter_id: &str,
    priority: &str,
    expires_on: Option<&str>,
) -> (Entity, String, serde_json::Value) {
    let mut fields = serde_json::Map::new();
    fields.insert("windowId".into(), window_id.into());
    fields.insert("matterId".into(), matter_id.into());
    fields.insert("priority".into(), priority.into());
    fields.insert("expiresOn".into(), expires_on.map_or(serde_json::Value::Null, Into::into));
    (Entity::Binding, binding_key(window_id, matter_id), outbox::create(fields))
}

fn check_selection(ids: &[String]) -> Result<()> {
    if ids.is_empty() {
        return Err(Rejection::new(Code::BindingEmptySelection).field("matterIds").into());
    }
    if ids.len() > MAX_MATTERS_PER_CHANGE {
        return Err(Rejection::new(Code::BindingEmptySelection)
            .field("matterIds")
            .arg("max", MAX_MATTERS_PER_CHANGE)
            .into());
    }
    Ok(())
}

impl Store {
    /// Every binding, by window floor order, primary first, then catalog code.
    pub fn list_bindings(&self) -> Result<Vec<Binding>> {
        let today = self.hall_today();
        self.read(|c| all(c, &today))
    }

    /// Binds a matter to a window as overflow for the rest of the hall day (a dashboard action:
    /// an idle window helps with a long queue today, and the binding lapses by itself). A
    /// standing binding of the pair is left as it is.
    pub fn bind_overflow_today(
        &self,
        actor: &(impl Actor + ?Sized),
        window_id: &str,
        matter_id: &str,
    ) -> Result<BindingsChange> {
        self.write(actor, |w| {
            let window = window_label(&w.tx, window_id)?;
            let today = w.hall_today();
            let matter = load_matter(&w.tx, matter_id)?
                .ok_or_else(|| Rejection::new(Code::MatterNotFound).field("matterId").arg("id", matter_id))?;
            if matter.state == MatterState::Retired {
                return Err(Rejection::new(Code::MatterRetired)
                    .field("matterId")
                    .arg("code", &matter.catalog_code)
                    .arg("name", &matter.name)
                    .into());
            }
            let standing: bool = w.tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM window_bindings
                                 WHERE window_id = ?1 AND matter_id = ?2 AND expires_on IS NULL)",
                params![window_id, matter_id],
                |r| r.get(0),
            )?;
            if standing {
                return Ok(BindingsChange { changed: 0, unchanged: 1, bindings: all(&w.tx, &today)? });
            }
            w.tx.execute(
                "INSERT INTO window_bindings (window_id, matter_id, priority, expires_on) VALUES (?1, ?2, 'overflow', ?3)
                 ON CONFLICT (window_id, matter_id) DO UPDATE SET priority = 'overflow', expires_on = excluded.expires_on",
                params![window_id, matter_id, today],
            )?;
            w.record_ops([binding_op(window_id, matter_id, "overflow", Some(&today))])?;
            w.audit(Change {
                action: "binding.overflow_today",
                entity_type: "window",
                entity_id: Some(window_id),
                summary: format!("{window}: +{} {} (今日)", matter.catalog_code, matter.name),
                before: None,
                after: Some(serde_json::json!({ "window": window, "matter": matter.catalog_code, "until": today })),
            })?;
            Ok(BindingsChange { changed: 1, unchanged: 0, bindings: all(&w.tx, &today)? })
        })
    }

    /// Binds matters to a window with a priority; a matter already bound there takes the new
    /// priority. Retired or unknown matters refuse the whole change.
    pub fn bind_matters(&self, actor: &(impl Actor + ?Sized), input: &BindInput) -> Result<BindingsChange> {
        check_selection(&input.matter_ids)?;
        self.write(actor, |w| {
            let window = window_label(&w.tx, &input.window_id)?;
            let mut seen = std::collections::HashSet::new();
            let mut codes = Vec::new();
            let mut reprioritised = Vec::new();
            let mut ops = Vec::new();
            let mut unchanged = 0u32;
            // A binding made for the day only becomes a standing one when bound here.
            let mut get = w.tx.prepare_cached(
                "SELECT priority FROM window_bindings
                  WHERE window_id = ?1 AND matter_id = ?2 AND expires_on IS NULL",
            )?;
            let mut upsert = w.tx.prepare_cached(
                "INSERT INTO window_bindings (window_id, matter_id, priority) VALUES (?1, ?2, ?3)
                 ON CONFLICT (window_id, matter_id) DO UPDATE SET priority = excluded.priority, expires_on = NULL",
            )?;
            for id in &input.matter_ids {
                if !seen.insert(id.as_str()) {
                    continue;
                }
                let matter = load_matter(&w.tx, id)?
                    .ok_or_else(|| Rejection::new(Code::MatterNotFound).field("matterIds").arg("id", id))?;
                if matter.state == MatterState::Retired {
                    return Err(Rejection::new(Code::MatterRetired)
                        .field("matterIds")
                        .arg("code", &matter.catalog_code)
                        .arg("name", &matter.name)
                        .into());
                }
                let before: Option<String> =
                    get.query_row(params![input.window_id, id], |r| r.get(0)).optional()?;
                match before {
                    Some(p) if p == input.priority.as_str() => unchanged += 1,
                    Some(_) => {
                        upsert.execute(params![input.window_id, id, input.priority.as_str()])?;
                        reprioritised.push(matter.catalog_code);
                        ops.push(binding_op(&input.window_id, id, input.priority.as_str(), None));
                    }
                    None => {
                        upsert.execute(params![input.window_id, id, input.priority.as_str()])?;
                        codes.push(matter.catalog_code);
                        ops.push(binding_op(&input.window_id, id, input.priority.as_str(), None));
                    }
                }
            }
            let changed = (codes.len() + reprioritised.len()) as u32;
            w.record_ops(ops)?;
            if changed > 0 {
                w.audit(Change {
                    action: "binding.add",
                    entity_type: "window",
                    entity_id: Some(&input.window_id),
                    summary: format!("{window}: +{} ({})", changed, input.priority.as_str()),
                    before: None,
                    after: Some(serde_json::json!({
                        "window": window,
                        "priority": input.priority,
                        "added": codes,
                        "reprioritised": reprioritised,
                    })),
                })?;
            }
            Ok(BindingsChange { changed, unchanged, bindings: all(&w.tx, &w.hall_today())? })
        })
    }

    pub fn unbind_matters(
        &self,
        actor: &(impl Actor + ?Sized),
        input: &UnbindInput,
    ) -> Result<BindingsChange> {
        check_selection(&input.matter_ids)?;
        self.write(actor, |w| {
            let window = window_label(&w.tx, &input.window_id)?;
            let mut removed = Vec::new();
            let mut unchanged = 0u32;
            let mut delete = w.tx.prepare_cached(
                "DELETE FROM window_bindings WHERE window_id = ?1 AND matter_id = ?2 RETURNING priority",
            )?;
            for id in &input.matter_ids {
                let gone: Option<String> =
                    delete.query_row(params![input.window_id, id], |r| r.get(0)).optional()?;
                match gone {
                    Some(priority) => {
                        w.record_ops([(
                            Entity::Binding,
                            binding_key(&input.window_id, id),
                            outbox::delete(),
                        )])?;
                        let code =
                            load_matter(&w.tx, id)?.map(|m| m.catalog_code).unwrap_or_else(|| id.clone());
                        removed.push(serde_json::json!({ "code": code, "priority": priority }));
                    }
                    None => unchanged += 1,
                }
            }
            if !removed.is_empty() {
                w.audit(Change {
                    action: "binding.remove",
                    entity_type: "window",
                    entity_id: Some(&input.window_id),
                    summary: format!("{window}: -{}", removed.len()),
                    before: Some(serde_json::json!({ "window": window, "removed": removed })),
                    after: None,
                })?;
            }
            Ok(BindingsChange {
                changed: removed.len() as u32,
                unchanged,
                bindings: all(&w.tx, &w.hall_today())?,
            })
        })
    }
}
