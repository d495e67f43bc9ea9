//! Staff and today's seating, each change audited.

use super::outbox::{self, Entity};
use super::{snapshot, Change, Store, Write};
use crate::access::Actor;
use crate::clock::hall_date;
use crate::error::{Code, Rejection, Result};
use crate::staff::validate;
use hallkeeper_proto::{Roster, Seat, SeatInput, Staff, StaffInput};
use rusqlite::{params, Connection, OptionalExtension, Row};

const COLUMNS: &str = "id, employee_no, name, department_id, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Staff> {
    Ok(from_columns!(r => Staff { id, employee_no, name, department_id, created_at, updated_at }))
}

fn load(conn: &Connection, id: &str) -> Result<Staff> {
    conn.query_row(&format!("SELECT {COLUMNS} FROM staff WHERE id = ?1"), [id], from_row)
        .optional()?
        .ok_or_else(|| Rejection::new(Code::StaffNotFound).arg("id", id).into())
}

fn check(w: &Write<'_>, input: &StaffInput, except: Option<&str>) -> Result<()> {
    let holder: Option<String> =
        w.tx.query_row(
            "SELECT name FROM staff WHERE employee_no = ?1 AND id IS NOT ?2",
            params![input.employee_no, except],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(name) = holder {
        return Err(Rejection::new(Code::StaffEmployeeNoDuplicate)
            .field("employeeNo")
            .arg("value", &input.employee_no)
            .arg("name", name)
            .into());
    }
    if let Some(d) = &input.department_id {
        let known: Option<i64> =
            w.tx.query_row("SELECT 1 FROM departments WHERE id = ?1", [d], |r| r.get(0)).optional()?;
        if known.is_none() {
            return Err(Rejection::new(Code::DepartmentNotFound).field("departmentId").arg("id", d).into());
        }
    }
    Ok(())
}

fn roster(conn: &Connection, date: &str) -> Result<Roster> {
    let mut st = conn.prepare_cached(
        "SELECT s.window_id, s.staff_id FROM seats s JOIN windows w ON w.id = s.window_id
          WHERE s.date = ?1 ORDER BY w.position",
    )?;
    let seats = st
        .query_map([date], |r| Ok(Seat { window_id: r.get(0)?, staff_id: r.get(1)? }))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Roster { date: date.to_owned(), seats })
}

impl Store {
    pub fn list_staff(&self) -> Result<Vec<Staff>> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!("SELECT {COLUMNS} FROM staff ORDER BY employee_no"))?;
            let rows = st.query_map([], from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    pub fn create_staff(&self, actor: &(impl Actor + ?Sized), input: &StaffInput) -> Result<Staff> {
        let input = validate(input)?;
        self.write(actor, |w| {
            check(w, &input, None)?;
            let id = w.new_id();
            let now = w.now_text();
            w.tx.execute(
                &format!("INSERT INTO staff ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?5)"),
                params![id, input.employee_no, input.name, input.department_id, now],
            )?;
            let staff = load(&w.tx, &id)?;
            w.audit(Change {
                action: "staff.create",
                entity_type: "staff",
                entity_id: Some(&id),
                summary: format!("{} {}", staff.employee_no, staff.name),
                before: None,
                after: Some(snapshot(&staff)?),
            })?;
            Ok(staff)
        })
    }

    pub fn update_staff(&self, actor: &(impl Actor + ?Sized), id: &str, input: &StaffInput) -> Result<Staff> {
        let input = validate(input)?;
        self.write(actor, |w| {
            let before = load(&w.tx, id)?;
            check(w, &input, Some(id))?;
            if before.employee_no == input.employee_no
                && before.name == input.name
                && before.department_id == input.department_id
            {
                return Ok(before);
            }
            w.tx.execute(
                "UPDATE staff SET employee_no = ?2, name = ?3, department_id = ?4, updated_at = ?5 WHERE id = ?1",
                params![id, input.employee_no, input.name, input.department_id, w.now_text()],
            )?;
            let after = load(&w.tx, id)?;
            w.audit(Change {
                action: "staff.update",
                entity_type: "staff",
                entity_id: Some(id),
                summary: format!("{} {}", after.employee_no, after.name),
                before: Some(snapshot(&before)?),
                after: Some(snapshot(&after)?),
            })?;
            Ok(after)
        })
    }

    /// Deletes a staff record and their seats.
    pub fn delete_staff(&self, actor: &(impl Actor + ?Sized), id: &str) -> Result<()> {
        self.write(actor, |w| {
            let before = load(&w.tx, id)?;
            w.tx.execute("DELETE FROM staff WHERE id = ?1", [id])?;
            w.audit(Change {
                action: "staff.delete",
                entity_type: "staff",
                entity_id: Some(id),
                summary: format!("{} {}", before.employee_no, before.name),
                before: Some(snapshot(&before)?),
                after: None,
            })
        })
    }

    /// Who sits where today (the hall's local date).
    pub fn roster_today(&self) -> Result<Roster> {
        let date = hall_date(self.now()).to_string();
        self.read(|c| roster(c, &date))
    }

    /// Seats someone at a window for today (moving them from another window), or clears it.
    pub fn set_seat(&self, actor: &(impl Actor + ?Sized), input: &SeatInput) -> Result<Roster> {
        let date = hall_date(self.now()).to_string();
        self.write(actor, |w| {
            let window: String =
                w.tx.query_row("SELECT number FROM windows WHERE id = ?1", [&input.window_id], |r| r.get(0))
                    .optional()?
                    .ok_or_else(|| {
                        Rejection::new(Code::WindowNotFound).field("windowId").arg("id", &input.window_id)
                    })?;
            let before: Option<String> =
                w.tx.query_row(
                    "SELECT staff_id FROM seats WHERE date = ?1 AND window_id = ?2",
                    params![date, input.window_id],
                    |r| r.get(0),
                )
                .optional()?;
            if before == input.staff_id {
                return roster(&w.tx, &date);
            }
            let staff = match &input.staff_id {
                Some(id) => Some(load(&w.tx, id).map_err(|e| match e {
                    crate::Error::Rejected(r) => {
                        crate::Error::Rejected(Rejection { field: Some("staffId".into()), ..r })
                    }
                    other => other,
                })?),
                None => None,
            };
            w.tx.execute(
                "DELETE FROM seats WHERE date = ?1 AND window_id = ?2",
                params![date, input.window_id],
            )?;
            let seat_key = |window_id: &str| format!("{date}/{window_id}");
            if let Some(s) = &staff {
                // Seating someone who sat elsewhere today empties that seat.
                let elsewhere: Option<String> =
                    w.tx.query_row(
                        "DELETE FROM seats WHERE date = ?1 AND staff_id = ?2 RETURNING window_id",
                        params![date, s.id],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(other) = elsewhere {
                    w.record_ops([(Entity::Seat, seat_key(&other), outbox::delete())])?;
                }
                w.tx.execute(
                    "INSERT INTO seats (date, window_id, staff_id) VALUES (?1, ?2, ?3)",
                    params![date, input.window_id, s.id],
                )?;
            }
            let op = match &staff {
                Some(s) => {
                    let mut fields = serde_json::Map::new();
                    fields.insert("date".into(), date.clone().into());
                    fields.insert("windowId".into(), input.window_id.clone().into());
                    fields.insert("staffId".into(), s.id.clone().into());
                    outbox::create(fields)
                }
                None => outbox::delete(),
            };
            w.record_ops([(Entity::Seat, seat_key(&input.window_id), op)])?;
            w.audit(Change {
                action: "roster.seat",
                entity_type: "window",
                entity_id: Some(&input.window_id),
                summary: format!(
                    "{date} {window}: {}",
                    staff.as_ref().map_or("—".to_owned(), |s| format!("{} {}", s.employee_no, s.name))
                ),
                before: Some(serde_json::json!({ "staffId": before })),
                after: Some(serde_json::json!({ "staffId": input.staff_id })),
            })?;
            roster(&w.tx, &date)
        })
    }
}
