//! Seeding an empty store with a whole hall (the demo hall the simulator builds, or a hall's
//! configuration fetched from its server): departments, matters, windows and bindings in one
//! transaction and one audit entry.

use super::outbox::{self, Entity};
use super::{snapshot, Change, Store};
use crate::access::Actor;
use crate::error::{Code, Rejection, Result};
use hallkeeper_proto::HallConfig;
use rusqlite::params;

fn empty_hall(c: &rusqlite::Connection) -> Result<bool> {
    let n: i64 =
        c.query_row("SELECT (SELECT count(*) FROM windows) + (SELECT count(*) FROM matters)", [], |r| {
            r.get(0)
        })?;
    Ok(n == 0)
}

impl Store {
    /// Whether the store has no windows and no matters yet.
    pub fn is_empty_hall(&self) -> Result<bool> {
        self.read(|c| {
            let n: i64 = c.query_row(
                "SELECT (SELECT count(*) FROM windows) + (SELECT count(*) FROM matters)",
                [],
                |r| r.get(0),
            )?;
            Ok(n == 0)
        })
    }

    /// Fills an empty store with a hall; refused if it already has windows or matters.
    pub fn seed_hall(&self, actor: &(impl Actor + ?Sized), hall: &HallConfig) -> Result<()> {
        for w in &hall.windows {
            crate::windows::validate(&hallkeeper_proto::WindowInput {
                number: w.number.clone(),
                name: w.name.clone(),
                zone: w.zone.clone(),
                kind: w.kind,
                state: w.state,
            })?;
        }
        self.write(actor, |w| {
            if !empty_hall(&w.tx)? {
                return Err(Rejection::new(Code::SeedNotEmpty).into());
            }
            let now = w.now_text();
            for d in &hall.departments {
                w.tx.execute("INSERT INTO departments (id, code, name) VALUES (?1, ?2, ?3)", params![d.id, d.code, d.name])?;
            }
            for m in &hall.matters {
                w.tx.execute(
                    "INSERT INTO matters (id, catalog_code, name, department_id, matter_type, required, time_limit_days, ticket_prefix, state)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![m.id, m.catalog_code, m.name, m.department_id, m.matter_type, m.required, m.time_limit_days, m.ticket_prefix, m.state.as_str()],
                )?;
            }
            let mut windows: Vec<_> = hall.windows.iter().collect();
            windows.sort_by_key(|x| x.position);
            for (i, x) in windows.iter().enumerate() {
                w.tx.execute(
                    "INSERT INTO windows (id, number, name, zone, kind, state, position, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                    params![x.id, x.number.to_uppercase(), x.name, x.zone, x.kind.as_str(), x.state.as_str(), i as i64, now],
                )?;
            }
            for b in &hall.bindings {
                w.tx.execute(
                    "INSERT INTO window_bindings (window_id, matter_id, priority) VALUES (?1, ?2, ?3)",
                    params![b.window_id, b.matter_id, b.priority.as_str()],
                )?;
            }
            // The whole hall goes to the server as operations, like any other edit.
            let mut ops = Vec::new();
            let mut push = |entity, key: String, value: serde_json::Value| {
                ops.push((entity, key, outbox::create(outbox::changed_fields(None, &value))));
            };
            for d in &hall.departments {
                push(Entity::Department, d.id.clone(), snapshot(d)?);
            }
            for m in &hall.matters {
                push(Entity::Matter, m.id.clone(), snapshot(m)?);
            }
            for x in super::windows::all(&w.tx)? {
                push(Entity::Window, x.id.clone(), snapshot(&x)?);
            }
            for b in &hall.bindings {
                push(Entity::Binding, format!("{}/{}", b.window_id, b.matter_id), snapshot(b)?);
            }
            w.record_ops(ops)?;
            w.audit(Change {
                action: "hall.seed",
                entity_type: "hall",
                entity_id: None,
                summary: format!(
                    "{} windows, {} matters, {} bindings",
                    hall.windows.len(),
                    hall.matters.len(),
                    hall.bindings.len()
                ),
                before: None,
                after: Some(serde_json::json!({
                    "windows": hall.windows.iter().map(|x| &x.number).collect::<Vec<_>>(),
                    "departments": hall.departments.len(),
                    "matters": hall.matters.len(),
                    "bindings": hall.bindings.len(),
                })),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::testing::store;
    use hallkeeper_proto::*;

    fn hall() -> HallConfig {
        let window = |id: &str, n: &str, p| Window {
            id: id.into(),
            number: n.into(),
            name: format!("{n}窗口"),
            zone: String::new(),
            kind: WindowKind::General,
            state: WindowState::Open,
            position: p,
            created_at: String::new(),
            updated_at: String::new(),
        };
        HallConfig {
            windows: vec![window("w2", "B01", 1), window("w1", "A01", 0)],
            departments: vec![Department { id: "d1".into(), code: "D1".into(), name: "公安局".into() }],
            matters: vec![Matter {
                id: "m1".into(),
                catalog_code: "M1".into(),
                name: "居民身份证换领".into(),
                department_id: "d1".into(),
                matter_type: "公共服务".into(),
                required: true,
                time_limit_days: Some(0),
                ticket_prefix: "A".into(),
                state: MatterState::Active,
            }],
            bindings: vec![Binding {
                window_id: "w1".into(),
                matter_id: "m1".into(),
                priority: BindingPriority::Primary,
            }],
            settings: QueueSettings { max_recalls: 2, fallback_prefix: "A".into() },
            sms: None,
        }
    }

    #[test]
    fn an_empty_store_takes_a_whole_hall_once() {
        let (s, _) = store();
        assert!(s.is_empty_hall().unwrap());
        s.seed_hall("demo", &hall()).unwrap();
        assert!(!s.is_empty_hall().unwrap());
        let numbers: Vec<String> = s.list_windows().unwrap().into_iter().map(|w| w.number).collect();
        assert_eq!(numbers, ["A01", "B01"]);
        assert_eq!(s.list_bindings().unwrap().len(), 1);
        assert_eq!(s.coverage().unwrap().red, 0);
        assert_eq!(s.list_audit(10, None).unwrap().entries[0].action, "hall.seed");
        let err = s.seed_hall("demo", &hall()).unwrap_err();
        assert_eq!(err.code(), "seed.not_empty");
        assert_eq!(s.list_windows().unwrap().len(), 2, "a refused seed writes nothing");
    }
}
