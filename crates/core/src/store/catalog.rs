//! The catalog in the store: reading it, and importing a provincial file (preview, then apply
//! in one transaction with one audit entry).

use super::columns::parsed_column;
use super::outbox::{self, Entity};
use super::{Change, Store, Write};
use crate::access::Actor;
use crate::catalog::diff::{self, Current, DepartmentRef, Plan};
use crate::catalog::{mapping, rows, table};
use crate::error::{Code, Rejection, Result};
use hallkeeper_proto::{
    Catalog, Department, ImportInspection, ImportOutcome, ImportPreview, ImportProgress, ImportRequest,
    ImportStage, Matter, MatterState, MatterSummary,
};
use rusqlite::{params, Connection, Row};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Told where a long import stands; called from the thread doing the work.
pub type Progress<'a> = &'a (dyn Fn(ImportProgress) + Sync);

/// How often (in rows) applying an import reports progress.
const PROGRESS_EVERY: usize = 1000;

const MATTER_COLUMNS: &str =
    "id, catalog_code, name, department_id, matter_type, required, time_limit_days, ticket_prefix, state";

fn matter_from_row(row: &Row<'_>) -> rusqlite::Result<Matter> {
    Ok(from_columns!(row => Matter {
        id, catalog_code, name, department_id, matter_type, required, time_limit_days, ticket_prefix,
        state = parsed_column(row, 8, "unknown matter state", MatterState::parse)?,
    }))
}

pub(crate) fn departments(conn: &Connection) -> Result<Vec<Department>> {
    let mut st = conn.prepare_cached("SELECT id, code, name FROM departments ORDER BY code")?;
    let rows = st.query_map([], |r| Ok(Department { id: r.get(0)?, code: r.get(1)?, name: r.get(2)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn matters(conn: &Connection) -> Result<Vec<Matter>> {
    let mut st =
        conn.prepare_cached(&format!("SELECT {MATTER_COLUMNS} FROM matters ORDER BY catalog_code"))?;
    let rows = st.query_map([], matter_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn load_matter(conn: &Connection, id: &str) -> Result<Option<Matter>> {
    use rusqlite::OptionalExtension;
    let mut st = conn.prepare_cached(&format!("SELECT {MATTER_COLUMNS} FROM matters WHERE id = ?1"))?;
    Ok(st.query_row([id], matter_from_row).optional()?)
}

fn bound_matters(conn: &Connection) -> Result<HashSet<String>> {
    let mut st = conn.prepare_cached("SELECT DISTINCT matter_id FROM window_bindings")?;
    let rows = st.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The first look at a file: headers, sample rows, proposed mapping. Nothing is stored.
pub fn inspect_file(path: &Path) -> Result<ImportInspection> {
    let table = table::read_file(path)?;
    Ok(ImportInspection {
        file_name: table.file_name.clone(),
        format: table.format,
        encoding: table.encoding,
        sheet: table.sheet.clone(),
        sample_rows: table.rows.iter().take(5).map(|r| r.cells.clone()).collect(),
        row_count: table.rows.len() as u32,
        mapping: mapping::suggest(&table.headers),
        headers: table.headers,
    })
}

/// A file read and checked against a mapping, ready to compare.
struct Parsed {
    file_name: String,
    row_count: u32,
    matters: Vec<rows::FileMatter>,
}

fn parse(request: &ImportRequest, progress: Progress<'_>) -> Result<Parsed> {
    progress(ImportProgress { stage: ImportStage::Reading, done: 0, total: 0 });
    let table = table::read_file(Path::new(&request.path))?;
    let total = table.rows.len() as u32;
    progress(ImportProgress { stage: ImportStage::Parsing, done: 0, total });
    let matters = rows::read(&table, &request.mapping)?;
    Ok(Parsed { file_name: table.file_name, row_count: total, matters })
}

fn plan_against(conn: &Connection, parsed: &Parsed) -> Result<(Plan, ImportPreview)> {
    let departments = departments(conn)?;
    let matters = matters(conn)?;
    let bound = bound_matters(conn)?;
    let plan =
        diff::plan(&Current { departments: &departments, matters: &matters, bound: &bound }, &parsed.matters);
    let dept_name: HashMap<&str, &str> =
        departments.iter().map(|d| (d.id.as_str(), d.name.as_str())).collect();
    let new_name: HashMap<&str, &str> =
        plan.new_departments.iter().map(|d| (d.code.as_str(), d.name.as_str())).collect();
    let department_of = |r: &DepartmentRef| -> String {
        match r {
            DepartmentRef::Existing(id) => plan
                .renamed_departments
                .iter()
                .find(|(rid, ..)| rid == id)
                .map(|(.., new)| new.clone())
                .unwrap_or_else(|| dept_name.get(id.as_str()).copied().unwrap_or("").to_owned()),
            DepartmentRef::New(code) => new_name.get(code.as_str()).copied().unwrap_or("").to_owned(),
        }
    };
    let mut preview = ImportPreview {
        file_name: parsed.file_name.clone(),
        row_count: parsed.row_count,
        added: plan
            .added
            .iter()
            .map(|m| MatterSummary {
                catalog_code: m.catalog_code.clone(),
                name: m.name.clone(),
                department: department_of(&m.department),
                required: m.required,
            })
            .collect(),
        changed: plan
            .changed
            .iter()
            .map(|c| hallkeeper_proto::MatterChange {
                catalog_code: c.record.catalog_code.clone(),
                name: c.record.name.clone(),
                fields: c.fields.clone(),
            })
            .collect(),
        retired: plan.retired_summaries.clone(),
        unchanged: plan.unchanged,
        departments: plan.department_changes(),
        retired_still_bound: plan.retired_still_bound,
        fingerprint: String::new(),
    };
    let canonical = serde_json::to_vec(&preview)
        .map_err(|e| crate::Error::Corrupt(format!("cannot fingerprint a preview: {e}")))?;
    preview.fingerprint = diff::fingerprint(&canonical);
    Ok((plan, preview))
}

impl Store {
    /// Every department and matter, retired ones included.
    pub fn catalog(&self) -> Result<Catalog> {
        self.read(|c| Ok(Catalog { departments: departments(c)?, matters: matters(c)? }))
    }

    /// What importing the file would do. Nothing is written.
    pub fn preview_import(&self, request: &ImportRequest, progress: Progress<'_>) -> Result<ImportPreview> {
        let parsed = parse(request, progress)?;
        progress(ImportProgress { stage: ImportStage::Comparing, done: 0, total: parsed.row_count });
        let (_, preview) = self.read(|c| plan_against(c, &parsed))?;
        progress(ImportProgress {
            stage: ImportStage::Done,
            done: parsed.row_count,
            total: parsed.row_count,
        });
        Ok(preview)
    }

    /// Applies the import the person saw as `fingerprint`, in one transaction; refuses if the
    /// file or the catalog has changed since the preview.
    pub fn apply_import(
        &self,
        actor: &(impl Actor + ?Sized),
        request: &ImportRequest,
        fingerprint: &str,
        progress: Progress<'_>,
    ) -> Result<ImportOutcome> {
        let parsed = parse(request, progress)?;
        let outcome = self.write(actor, |w| {
            progress(ImportProgress { stage: ImportStage::Comparing, done: 0, total: parsed.row_count });
            let (plan, preview) = plan_against(&w.tx, &parsed)?;
            if preview.fingerprint != fingerprint {
                return Err(Rejection::new(Code::ImportPreviewStale).arg("file", &parsed.file_name).into());
            }
            let outcome = ImportOutcome {
                added: plan.added.len() as u32,
                changed: plan.changed.len() as u32,
                retired: plan.retired.len() as u32,
                unchanged: plan.unchanged,
                departments: (plan.new_departments.len() + plan.renamed_departments.len()) as u32,
            };
            if plan.is_empty() {
                return Ok(outcome); // the same file again: nothing to write, nothing to record
            }
            apply(w, &plan, progress)?;
            w.audit(Change {
                action: "catalog.import",
                entity_type: "catalog",
                entity_id: None,
                summary: format!(
                    "{}: +{} ~{} -{}",
                    parsed.file_name, outcome.added, outcome.changed, outcome.retired
                ),
                before: None,
                after: Some(audit_record(&preview)),
            })?;
            Ok(outcome)
        })?;
        progress(ImportProgress {
            stage: ImportStage::Done,
            done: parsed.row_count,
            total: parsed.row_count,
        });
        Ok(outcome)
    }
}

/// A matter's synced fields, named as on the wire.
fn matter_fields(m: &diff::MatterRecord, department_id: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut f = serde_json::Map::new();
    f.insert("catalogCode".into(), m.catalog_code.clone().into());
    f.insert("name".into(), m.name.clone().into());
    f.insert("departmentId".into(), department_id.into());
    f.insert("matterType".into(), m.matter_type.clone().into());
    f.insert("required".into(), m.required.into());
    f.insert("timeLimitDays".into(), m.time_limit_days.into());
    f.insert("ticketPrefix".into(), m.ticket_prefix.clone().into());
    f.insert("state".into(), m.state.as_str().into());
    f
}

fn wire_name(field: hallkeeper_proto::MatterField) -> &'static str {
    use hallkeeper_proto::MatterField as F;
    match field {
        F::CatalogCode => "catalogCode",
        F::Name => "name",
        F::Department | F::DepartmentCode => "departmentId",
        F::MatterType => "matterType",
        F::Required => "required",
        F::TimeLimitDays => "timeLimitDays",
        F::TicketPrefix => "ticketPrefix",
        F::State => "state",
    }
}

fn apply(w: &Write<'_>, plan: &Plan, progress: Progress<'_>) -> Result<()> {
    let mut new_ids: HashMap<&str, String> = HashMap::new();
    // One operation per row touched; only the fields the import changed, so a concurrent edit
    // of another field on another PC is not overwritten.
    let mut ops: Vec<(Entity, String, serde_json::Value)> = Vec::new();
    {
        let mut insert =
            w.tx.prepare_cached("INSERT INTO departments (id, code, name) VALUES (?1, ?2, ?3)")?;
        for d in &plan.new_departments {
            let id = crate::ids::from_code("department", &d.code);
            insert.execute(params![id, d.code, d.name])?;
            let mut f = serde_json::Map::new();
            f.insert("code".into(), d.code.clone().into());
            f.insert("name".into(), d.name.clone().into());
            ops.push((Entity::Department, id.clone(), outbox::create(f)));
            new_ids.insert(d.code.as_str(), id);
        }
        let mut rename = w.tx.prepare_cached("UPDATE departments SET name = ?2 WHERE id = ?1")?;
        for (id, _, _, name) in &plan.renamed_departments {
            rename.execute(params![id, name])?;
            let mut f = serde_json::Map::new();
            f.insert("name".into(), name.clone().into());
            ops.push((Entity::Department, id.clone(), outbox::upsert(f)));
        }
    }
    let department_id = |r: &DepartmentRef| -> Result<String> {
        match r {
            DepartmentRef::Existing(id) => Ok(id.clone()),
            DepartmentRef::New(code) => new_ids.get(code.as_str()).cloned().ok_or_else(|| {
                crate::Error::Corrupt(format!("import plan names an unknown department {code}"))
            }),
        }
    };
    let total = (plan.added.len() + plan.changed.len() + plan.retired.len()) as u32;
    let mut done = 0usize;
    let mut tick = || {
        done += 1;
        if done.is_multiple_of(PROGRESS_EVERY) {
            progress(ImportProgress { stage: ImportStage::Applying, done: done as u32, total });
        }
    };
    let mut insert = w.tx.prepare_cached(&format!(
        "INSERT INTO matters ({MATTER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    ))?;
    for m in &plan.added {
        let id = crate::ids::from_code("matter", &m.catalog_code);
        let dept = department_id(&m.department)?;
        ops.push((Entity::Matter, id.clone(), outbox::create(matter_fields(m, &dept))));
        insert.execute(params![
            id,
            m.catalog_code,
            m.name,
            dept,
            m.matter_type,
            m.required,
            m.time_limit_days,
            m.ticket_prefix,
            m.state.as_str()
        ])?;
        tick();
    }
    let mut update = w.tx.prepare_cached(
        "UPDATE matters SET name = ?2, department_id = ?3, matter_type = ?4, required = ?5,
                time_limit_days = ?6, ticket_prefix = ?7, state = ?8 WHERE id = ?1",
    )?;
    for c in &plan.changed {
        let m = &c.record;
        let dept = department_id(&m.department)?;
        let all = matter_fields(m, &dept);
        let fields = c
            .fields
            .iter()
            .filter_map(|f| all.get(wire_name(f.field)).map(|v| (wire_name(f.field).to_owned(), v.clone())))
            .collect();
        ops.push((Entity::Matter, c.id.clone(), outbox::upsert(fields)));
        update.execute(params![
            c.id,
            m.name,
            dept,
            m.matter_type,
            m.required,
            m.time_limit_days,
            m.ticket_prefix,
            m.state.as_str()
        ])?;
        tick();
    }
    let mut retire = w.tx.prepare_cached("UPDATE matters SET state = 'retired' WHERE id = ?1")?;
    for id in &plan.retired {
        retire.execute([id])?;
        let mut f = serde_json::Map::new();
        f.insert("state".into(), "retired".into());
        ops.push((Entity::Matter, id.clone(), outbox::upsert(f)));
        tick();
    }
    w.record_ops(ops)
}

/// What the audit log keeps of an import: every code added, changed (with its fields) or retired.
fn audit_record(p: &ImportPreview) -> serde_json::Value {
    serde_json::json!({
        "file": p.file_name,
        "rows": p.row_count,
        "added": p.added.iter().map(|m| &m.catalog_code).collect::<Vec<_>>(),
        "changed": p.changed,
        "retired": p.retired.iter().map(|m| &m.catalog_code).collect::<Vec<_>>(),
        "departments": p.departments,
    })
}

impl Store {
    /// What the central server needs of this hall: windows, catalog, bindings, queue rules (one
    /// read, so the four parts agree with each other), and the SMS reminder rules.
    pub fn hall_config(
        &self,
        settings: hallkeeper_proto::QueueSettings,
    ) -> Result<hallkeeper_proto::HallConfig> {
        let rows = self.hall_rows()?;
        Ok(hallkeeper_proto::HallConfig {
            windows: rows.windows,
            departments: rows.departments,
            matters: rows.matters,
            bindings: rows.bindings,
            settings,
            // The SMS rules ride along: every PUT replaces the server's, so they must be in it.
            sms: self.sms_rules()?,
        })
    }
}
