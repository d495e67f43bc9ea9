//! Windows in the store: create, edit, switch state, delete, reorder — each audited.

use super::outbox::{self, Entity};
use super::{snapshot, Change, Store, Write};
use crate::access::Actor;
use crate::error::{Code, Rejection, Result};
use crate::windows::{normalise_number, validate};
use hallkeeper_proto::{Window, WindowInput, WindowKind, WindowState};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "id, number, name, zone, kind, state, position, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Window> {
    let text = |i: usize| -> rusqlite::Result<String> { row.get(i) };
    let bad = |i: usize, what: &str, v: String| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown window {what} {v:?}").into(),
        )
    };
    let kind = text(4)?;
    let state = text(5)?;
    Ok(Window {
        id: text(0)?,
        number: text(1)?,
        name: text(2)?,
        zone: text(3)?,
        kind: WindowKind::parse(&kind).ok_or_else(|| bad(4, "kind", kind.clone()))?,
        state: WindowState::parse(&state).ok_or_else(|| bad(5, "state", state.clone()))?,
        position: row.get(6)?,
        created_at: text(7)?,
        updated_at: text(8)?,
    })
}

fn load(conn: &Connection, id: &str) -> Result<Window> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM windows WHERE id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| Rejection::new(Code::WindowNotFound).arg("id", id).into())
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<Window>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM windows ORDER BY position, number"))?;
    let rows = st.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Refuses a number another window already has.
fn ensure_number_free(conn: &Connection, number: &str, except_id: Option<&str>) -> Result<()> {
    let holder: Option<String> = conn
        .query_row(
            "SELECT name FROM windows WHERE number = ?1 AND id IS NOT ?2",
            params![number, except_id],
            |r| r.get(0),
        )
        .optional()?;
    match holder {
        Some(name) => Err(Rejection::new(Code::WindowNumberDuplicate)
            .field("number")
            .arg("number", number)
            .arg("name", name)
            .into()),
        None => Ok(()),
    }
}

fn summary(w: &Window) -> String {
    format!("{} {}", w.number, w.name)
}

fn numbers(windows: &[Window]) -> Vec<&str> {
    windows.iter().map(|w| w.number.as_str()).collect()
}

impl Store {
    /// All windows in the supervisor's floor order.
    pub fn list_windows(&self) -> Result<Vec<Window>> {
        self.read(all)
    }

    pub fn get_window(&self, id: &str) -> Result<Window> {
        self.read(|c| load(c, id))
    }

    /// Finds a window by its number, as a person types it (`a03` finds A03).
    pub fn find_window_by_number(&self, number: &str) -> Result<Option<Window>> {
        let Ok(number) = normalise_number(number) else { return Ok(None) };
        self.read(|c| {
            Ok(c.query_row(&format!("SELECT {COLUMNS} FROM windows WHERE number = ?1"), [number], from_row)
                .optional()?)
        })
    }

    /// Adds a window at the end of the floor order.
    pub fn create_window(&self, actor: &(impl Actor + ?Sized), input: &WindowInput) -> Result<Window> {
        let v = validate(input)?;
        self.write(actor, |w| {
            ensure_number_free(&w.tx, &v.number, None)?;
            let position: i64 =
                w.tx.query_row("SELECT COALESCE(MAX(position) + 1, 0) FROM windows", [], |r| r.get(0))?;
            let now = w.now_text();
            let window = Window {
                id: w.new_id(),
                number: v.number,
                name: v.name,
                zone: v.zone,
                kind: v.kind,
                state: v.state,
                position,
                created_at: now.clone(),
                updated_at: now,
            };
            w.tx.execute(
                &format!("INSERT INTO windows ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                params![
                    window.id,
                    window.number,
                    window.name,
                    window.zone,
                    window.kind.as_str(),
                    window.state.as_str(),
                    window.position,
                    window.created_at,
                    window.updated_at
                ],
            )?;
            w.audit(Change {
                action: "window.create",
                entity_type: "window",
                entity_id: Some(&window.id),
                summary: summary(&window),
                before: None,
                after: Some(snapshot(&window)?),
            })?;
            Ok(window)
        })
    }

    /// Replaces a window's editable fields. Saving unchanged fields writes nothing.
    pub fn update_window(
        &self,
        actor: &(impl Actor + ?Sized),
        id: &str,
        input: &WindowInput,
    ) -> Result<Window> {
        let v = validate(input)?;
        self.write(actor, |w| {
            let before = load(&w.tx, id)?;
            if before.number != v.number {
                ensure_number_free(&w.tx, &v.number, Some(id))?;
            }
            let after = Window {
                number: v.number,
                name: v.name,
                zone: v.zone,
                kind: v.kind,
                state: v.state,
                updated_at: w.now_text(),
                ..before.clone()
            };
            let unchanged = Window { updated_at: before.updated_at.clone(), ..after.clone() } == before;
            if unchanged {
                return Ok(before);
            }
            w.tx.execute(
                "UPDATE windows SET number = ?2, name = ?3, zone = ?4, kind = ?5, state = ?6, updated_at = ?7 WHERE id = ?1",
                params![id, after.number, after.name, after.zone, after.kind.as_str(), after.state.as_str(), after.updated_at],
            )?;
            record(w, "window.update", &before, &after)?;
            Ok(after)
        })
    }

    /// The one-click open / paused / closed switch.
    pub fn set_window_state(
        &self,
        actor: &(impl Actor + ?Sized),
        id: &str,
        state: WindowState,
    ) -> Result<Window> {
        self.write(actor, |w| {
            let before = load(&w.tx, id)?;
            if before.state == state {
                return Ok(before);
            }
            let after = Window { state, updated_at: w.now_text(), ..before.clone() };
            w.tx.execute(
                "UPDATE windows SET state = ?2, updated_at = ?3 WHERE id = ?1",
                params![id, state.as_str(), after.updated_at],
            )?;
            record(w, "window.state", &before, &after)?;
            Ok(after)
        })
    }

    /// Deletes a window nothing refers to; a window that still handles matters is refused with
    /// how many, so the supervisor knows what to unbind (or closes the window instead).
    pub fn delete_window(&self, actor: &(impl Actor + ?Sized), id: &str) -> Result<()> {
        self.write(actor, |w| {
            let before = load(&w.tx, id)?;
            let bindings: i64 =
                w.tx.query_row("SELECT count(*) FROM window_bindings WHERE window_id = ?1", [id], |r| {
                    r.get(0)
                })?;
            if bindings > 0 {
                return Err(Rejection::new(Code::WindowReferenced)
                    .arg("number", &before.number)
                    .arg("bindings", bindings)
                    .into());
            }
            w.tx.execute("DELETE FROM windows WHERE id = ?1", [id])?;
            w.audit(Change {
                action: "window.delete",
                entity_type: "window",
                entity_id: Some(id),
                summary: summary(&before),
                before: Some(snapshot(&before)?),
                after: None,
            })?;
            // Keep positions dense so the order survives any later reorder; the windows that
            // moved up travel to the server like any other move.
            let shifted: Vec<(String, i64)> =
                w.tx.prepare(
                    "UPDATE windows SET position = position - 1 WHERE position > ?1 RETURNING id, position",
                )?
                .query_map([before.position], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            w.record_ops(shifted.into_iter().map(|(id, position)| {
                let mut fields = serde_json::Map::new();
                fields.insert("position".into(), position.into());
                (Entity::Window, id, outbox::upsert(fields))
            }))?;
            Ok(())
        })
    }

    /// Sets the floor order. `ordered_ids` must name every window exactly once: a list made
    /// from a stale view is refused rather than half applied.
    pub fn reorder_windows(
        &self,
        actor: &(impl Actor + ?Sized),
        ordered_ids: &[String],
    ) -> Result<Vec<Window>> {
        self.write(actor, |w| {
            let before = all(&w.tx)?;
            let mut given: Vec<&str> = ordered_ids.iter().map(String::as_str).collect();
            let mut known: Vec<&str> = before.iter().map(|x| x.id.as_str()).collect();
            given.sort_unstable();
            known.sort_unstable();
            if given != known {
                return Err(Rejection::new(Code::WindowReorderMismatch).into());
            }
            if before.iter().map(|x| &x.id).eq(ordered_ids.iter()) {
                return Ok(before);
            }
            let now = w.now_text();
            {
                let mut st =
                    w.tx.prepare_cached("UPDATE windows SET position = ?2, updated_at = ?3 WHERE id = ?1")?;
                for (pos, id) in ordered_ids.iter().enumerate() {
                    st.execute(params![id, pos as i64, now])?;
                }
            }
            let after = all(&w.tx)?;
            // Only the windows whose place changed travel to the server.
            let moved =
                after.iter().filter(|a| before.iter().any(|b| b.id == a.id && b.position != a.position));
            w.record_ops(moved.map(|a| {
                let mut fields = serde_json::Map::new();
                fields.insert("position".into(), a.position.into());
                (Entity::Window, a.id.clone(), outbox::upsert(fields))
            }))?;
            w.audit(Change {
                action: "window.reorder",
                entity_type: "window",
                entity_id: None,
                summary: numbers(&after).join(" → "),
                before: Some(snapshot(&numbers(&before))?),
                after: Some(snapshot(&numbers(&after))?),
            })?;
            Ok(after)
        })
    }
}

fn record(w: &Write<'_>, action: &'static str, before: &Window, after: &Window) -> Result<()> {
    w.audit(Change {
        action,
        entity_type: "window",
        entity_id: Some(&after.id),
        summary: summary(after),
        before: Some(snapshot(before)?),
        after: Some(snapshot(after)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store;
    use hallkeeper_proto::Locale;

    fn input(number: &str, name: &str) -> WindowInput {
        WindowInput {
            number: number.into(),
            name: name.into(),
            zone: "一楼A区".into(),
            kind: WindowKind::General,
            state: WindowState::Open,
        }
    }

    /// Everything a supervisor could see change: windows and the audit log.
    fn fingerprint(s: &Store) -> (Vec<Window>, usize) {
        (s.list_windows().unwrap(), s.list_audit(500, None).unwrap().entries.len())
    }

    #[test]
    fn create_lists_in_floor_order_with_timestamps_from_the_clock() {
        let (s, clock) = store();
        let a = s.create_window("值班长", &input("a01", "综合受理")).unwrap();
        clock.advance(chrono::Duration::seconds(5));
        let b = s.create_window("值班长", &input("B02", "不动产登记")).unwrap();
        assert_eq!((a.number.as_str(), a.position, b.position), ("A01", 0, 1));
        assert_eq!(a.created_at, "2026-11-25T01:30:00.000Z");
        assert_eq!(b.created_at, "2026-11-25T01:30:05.000Z");
        assert_eq!(s.list_windows().unwrap(), vec![a, b]);
    }

    #[test]
    fn duplicate_number_is_refused_case_insensitively_and_names_the_holder() {
        let (s, _) = store();
        s.create_window("x", &input("A01", "综合受理")).unwrap();
        let before = fingerprint(&s);
        let err = s.create_window("x", &input(" a01 ", "另一个")).unwrap_err();
        assert_eq!(err.code(), "window.number_duplicate");
        let zh = err.message(Locale::ZhCn);
        assert!(zh.contains("A01") && zh.contains("综合受理"), "{zh}");
        assert!(err.message(Locale::EnUs).contains("already used"));
        assert_eq!(err.to_body(Locale::ZhCn).field.as_deref(), Some("number"));
        assert_eq!(fingerprint(&s), before, "a refused create must change nothing");
    }

    #[test]
    fn bad_inputs_are_refused_and_change_nothing() {
        let (s, _) = store();
        s.create_window("x", &input("A01", "综合受理")).unwrap();
        let before = fingerprint(&s);
        let long = "窗".repeat(200);
        for (inp, want) in [
            (input("", "x"), "window.number_empty"),
            (input("A02", &long), "window.name_too_long"),
            (input("A01", "x"), "window.number_duplicate"),
            (input("A 2", "x"), "window.number_invalid"),
        ] {
            assert_eq!(s.create_window("x", &inp).unwrap_err().code(), want);
        }
        let a01 = s.list_windows().unwrap().remove(0);
        assert_eq!(
            s.update_window("x", &a01.id, &input("A01", &long)).unwrap_err().code(),
            "window.name_too_long"
        );
        assert_eq!(fingerprint(&s), before);
    }

    #[test]
    fn update_changes_fields_and_keeps_identity_and_order() {
        let (s, clock) = store();
        let a = s.create_window("x", &input("A01", "综合受理")).unwrap();
        s.create_window("x", &input("A02", "社保")).unwrap();
        clock.advance(chrono::Duration::minutes(1));
        let mut inp = input("C09", "公积金");
        inp.kind = WindowKind::Priority;
        let u = s.update_window("x", &a.id, &inp).unwrap();
        assert_eq!(
            (u.id.as_str(), u.number.as_str(), u.position, u.kind),
            (a.id.as_str(), "C09", 0, WindowKind::Priority)
        );
        assert_eq!(u.created_at, a.created_at);
        assert_eq!(u.updated_at, "2026-11-25T01:31:00.000Z");
        // Renaming onto another window's number is refused; keeping one's own number is fine.
        assert_eq!(
            s.update_window("x", &a.id, &input("a02", "x")).unwrap_err().code(),
            "window.number_duplicate"
        );
        assert!(s.update_window("x", &a.id, &inp).is_ok());
    }

    #[test]
    fn saving_unchanged_fields_writes_no_audit_entry() {
        let (s, _) = store();
        let a = s.create_window("x", &input("A01", "综合受理")).unwrap();
        let n = s.list_audit(100, None).unwrap().entries.len();
        s.update_window("x", &a.id, &input("A01", " 综合受理 ")).unwrap();
        s.set_window_state("x", &a.id, WindowState::Open).unwrap();
        assert_eq!(s.list_audit(100, None).unwrap().entries.len(), n);
    }

    #[test]
    fn state_switch_is_audited_with_before_and_after() {
        let (s, _) = store();
        let a = s.create_window("王主任", &input("A01", "综合受理")).unwrap();
        let p = s.set_window_state("王主任", &a.id, WindowState::Paused).unwrap();
        assert_eq!(p.state, WindowState::Paused);
        let e = s.list_audit(1, None).unwrap().entries.remove(0);
        assert_eq!((e.action.as_str(), e.actor.as_str()), ("window.state", "王主任"));
        assert_eq!(e.before.unwrap()["state"], "open");
        assert_eq!(e.after.unwrap()["state"], "paused");
        assert_eq!(s.get_window(&a.id).unwrap().state, WindowState::Paused);
    }

    #[test]
    fn delete_keeps_positions_dense() {
        let (s, _) = store();
        let ids: Vec<String> =
            ["A01", "A02", "A03"].iter().map(|n| s.create_window("x", &input(n, "x")).unwrap().id).collect();
        s.delete_window("x", &ids[1]).unwrap();
        let left: Vec<(String, i64)> =
            s.list_windows().unwrap().into_iter().map(|w| (w.number, w.position)).collect();
        assert_eq!(left, vec![("A01".into(), 0), ("A03".into(), 1)]);
        assert_eq!(s.delete_window("x", &ids[1]).unwrap_err().code(), "window.not_found");
        let e = s.list_audit(1, None).unwrap().entries.remove(0);
        assert_eq!((e.action.as_str(), e.after.is_none()), ("window.delete", true));
    }

    #[test]
    fn delete_of_a_bound_window_is_refused_with_the_count_and_changes_nothing() {
        let (s, _) = store();
        let a = s.create_window("x", &input("A01", "综合受理")).unwrap();
        s.exec_for_test(&format!(
            "INSERT INTO departments VALUES ('d1', '11510100', '市自然资源和规划局');
             INSERT INTO matters (id, catalog_code, name, department_id, matter_type) VALUES
               ('m1', '000123', '不动产登记', 'd1', '行政确认'), ('m2', '000124', '测绘成果', 'd1', '公共服务');
             INSERT INTO window_bindings (window_id, matter_id, priority) VALUES ('{0}', 'm1', 'primary'), ('{0}', 'm2', 'overflow');",
            a.id
        ));
        let before = fingerprint(&s);
        let err = s.delete_window("x", &a.id).unwrap_err();
        assert_eq!(err.code(), "window.referenced");
        let zh = err.message(Locale::ZhCn);
        assert!(zh.contains("A01") && zh.contains('2'), "{zh}");
        assert_eq!(fingerprint(&s), before);
    }

    #[test]
    fn reorder_persists_and_refuses_a_stale_list() {
        let (s, _) = store();
        let ids: Vec<String> =
            ["A01", "A02", "A03"].iter().map(|n| s.create_window("x", &input(n, "x")).unwrap().id).collect();
        let new_order = vec![ids[2].clone(), ids[0].clone(), ids[1].clone()];
        let after = s.reorder_windows("x", &new_order).unwrap();
        assert_eq!(numbers(&after), ["A03", "A01", "A02"]);
        assert_eq!(numbers(&s.list_windows().unwrap()), ["A03", "A01", "A02"]);
        let e = s.list_audit(1, None).unwrap().entries.remove(0);
        assert_eq!(e.action, "window.reorder");
        assert_eq!(e.before.unwrap(), serde_json::json!(["A01", "A02", "A03"]));
        let before = fingerprint(&s);
        for stale in
            [vec![ids[0].clone(), ids[1].clone()], vec![ids[0].clone(), ids[0].clone(), ids[1].clone()], {
                let mut v = new_order.clone();
                v.push("ghost".into());
                v
            }]
        {
            assert_eq!(s.reorder_windows("x", &stale).unwrap_err().code(), "window.reorder_mismatch");
        }
        assert_eq!(fingerprint(&s), before);
    }

    #[test]
    fn find_by_number_accepts_what_a_person_types() {
        let (s, _) = store();
        let a = s.create_window("x", &input("A03", "综合受理")).unwrap();
        assert_eq!(s.find_window_by_number(" a03").unwrap(), Some(a));
        assert_eq!(s.find_window_by_number("A04").unwrap(), None);
        assert_eq!(s.find_window_by_number("!!").unwrap(), None);
    }
}
