//! What importing a file would change in the hall's catalog: added, changed (field by field) and
//! retired matters, and new or renamed departments. Pure: the store computes the plan inside
//! the transaction that applies it, so the preview and the apply cannot disagree.

use super::rows::FileMatter;
use hallkeeper_proto::{
    Department, DepartmentChange, FieldChange, Matter, MatterField, MatterState, MatterSummary,
};
use std::collections::{HashMap, HashSet};

/// A department the plan refers to: one the hall has, or one the import creates (by code).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DepartmentRef {
    Existing(String),
    New(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDepartment {
    pub code: String,
    pub name: String,
}

/// A matter's full record as it will be after the import (ids of new records come at apply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatterRecord {
    pub catalog_code: String,
    pub name: String,
    pub department: DepartmentRef,
    pub matter_type: String,
    pub required: bool,
    pub time_limit_days: Option<i64>,
    pub ticket_prefix: String,
    pub state: MatterState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedMatter {
    pub id: String,
    pub record: MatterRecord,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub new_departments: Vec<NewDepartment>,
    /// (id, code, old name, new name)
    pub renamed_departments: Vec<(String, String, String, String)>,
    pub added: Vec<MatterRecord>,
    pub changed: Vec<ChangedMatter>,
    /// Ids of active matters the file no longer lists.
    pub retired: Vec<String>,
    pub unchanged: u32,
    pub retired_still_bound: u32,
    /// For the preview: summaries of the retired matters, in catalog-code order.
    pub retired_summaries: Vec<MatterSummary>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.new_departments.is_empty()
            && self.renamed_departments.is_empty()
            && self.added.is_empty()
            && self.changed.is_empty()
            && self.retired.is_empty()
    }

    pub fn department_changes(&self) -> Vec<DepartmentChange> {
        let added = self.new_departments.iter().map(|d| DepartmentChange {
            code: d.code.clone(),
            name: d.name.clone(),
            before: None,
        });
        let renamed = self.renamed_departments.iter().map(|(_, code, old, new)| DepartmentChange {
            code: code.clone(),
            name: new.clone(),
            before: Some(old.clone()),
        });
        added.chain(renamed).collect()
    }
}

/// The hall's catalog as the diff needs it.
pub struct Current<'a> {
    pub departments: &'a [Department],
    pub matters: &'a [Matter],
    /// Ids of matters bound to at least one window.
    pub bound: &'a HashSet<String>,
}

/// Codes the import gives new departments when the file has no department-code column.
const AUTO_CODE_PREFIX: &str = "AUTO-";

pub fn plan(current: &Current<'_>, file: &[FileMatter]) -> Plan {
    let dept_by_code: HashMap<&str, &Department> =
        current.departments.iter().map(|d| (d.code.as_str(), d)).collect();
    let dept_by_name: HashMap<&str, &Department> =
        current.departments.iter().map(|d| (d.name.as_str(), d)).collect();
    let dept_by_id: HashMap<&str, &Department> =
        current.departments.iter().map(|d| (d.id.as_str(), d)).collect();
    let matter_by_code: HashMap<&str, &Matter> =
        current.matters.iter().map(|m| (m.catalog_code.as_str(), m)).collect();

    let mut plan = Plan::default();
    let mut new_by_key: HashMap<String, String> = HashMap::new(); // code-or-name → new code
    let mut renamed: HashSet<String> = HashSet::new();
    let mut next_auto = next_auto_number(current.departments);

    // The department a row names, creating or renaming as the file says.
    let mut resolve = |m: &FileMatter, plan: &mut Plan| -> (DepartmentRef, String) {
        let key = m.department_code.clone().unwrap_or_else(|| m.department.clone());
        let existing = match &m.department_code {
            Some(code) => dept_by_code.get(code.as_str()),
            None => dept_by_name.get(m.department.as_str()),
        };
        if let Some(d) = existing {
            if d.name != m.department && renamed.insert(d.id.clone()) {
                plan.renamed_departments.push((
                    d.id.clone(),
                    d.code.clone(),
                    d.name.clone(),
                    m.department.clone(),
                ));
            }
            return (DepartmentRef::Existing(d.id.clone()), m.department.clone());
        }
        let code = new_by_key.entry(key).or_insert_with(|| {
            let code = m.department_code.clone().unwrap_or_else(|| {
                next_auto += 1;
                format!("{AUTO_CODE_PREFIX}{next_auto:04}")
            });
            plan.new_departments.push(NewDepartment { code: code.clone(), name: m.department.clone() });
            code
        });
        (DepartmentRef::New(code.clone()), m.department.clone())
    };

    let mut in_file: HashSet<&str> = HashSet::with_capacity(file.len());
    for m in file {
        in_file.insert(m.catalog_code.as_str());
        let (department, department_name) = resolve(m, &mut plan);
        match matter_by_code.get(m.catalog_code.as_str()) {
            None => plan.added.push(MatterRecord {
                catalog_code: m.catalog_code.clone(),
                name: m.name.clone(),
                department,
                matter_type: m.matter_type.clone().unwrap_or_default(),
                required: m.required.unwrap_or(true),
                time_limit_days: m.time_limit_days.flatten(),
                ticket_prefix: m.ticket_prefix.clone().unwrap_or_default(),
                state: m.state.unwrap_or(MatterState::Active),
            }),
            Some(old) => {
                let old_dept_name =
                    dept_by_id.get(old.department_id.as_str()).map_or("", |d| d.name.as_str());
                let record = MatterRecord {
                    catalog_code: old.catalog_code.clone(),
                    name: m.name.clone(),
                    department,
                    matter_type: m.matter_type.clone().unwrap_or_else(|| old.matter_type.clone()),
                    required: m.required.unwrap_or(old.required),
                    time_limit_days: m.time_limit_days.unwrap_or(old.time_limit_days),
                    ticket_prefix: m.ticket_prefix.clone().unwrap_or_else(|| old.ticket_prefix.clone()),
                    // Listed in the file means in the catalog, unless the file says otherwise.
                    state: m.state.unwrap_or(MatterState::Active),
                };
                let mut fields = Vec::new();
                let mut note = |field, before: String, after: String| {
                    if before != after {
                        fields.push(FieldChange { field, before, after });
                    }
                };
                note(MatterField::Name, old.name.clone(), record.name.clone());
                let dept_changed = match &record.department {
                    DepartmentRef::Existing(id) => *id != old.department_id,
                    DepartmentRef::New(_) => true,
                };
                if dept_changed {
                    note(MatterField::Department, old_dept_name.to_owned(), department_name);
                }
                note(MatterField::MatterType, old.matter_type.clone(), record.matter_type.clone());
                note(MatterField::Required, old.required.to_string(), record.required.to_string());
                note(MatterField::TimeLimitDays, days(old.time_limit_days), days(record.time_limit_days));
                note(MatterField::TicketPrefix, old.ticket_prefix.clone(), record.ticket_prefix.clone());
                note(MatterField::State, old.state.as_str().to_owned(), record.state.as_str().to_owned());
                if fields.is_empty() {
                    plan.unchanged += 1;
                } else {
                    if record.state == MatterState::Retired && current.bound.contains(&old.id) {
                        plan.retired_still_bound += 1;
                    }
                    plan.changed.push(ChangedMatter { id: old.id.clone(), record, fields });
                }
            }
        }
    }

    let mut gone: Vec<&Matter> = current
        .matters
        .iter()
        .filter(|m| m.state == MatterState::Active && !in_file.contains(m.catalog_code.as_str()))
        .collect();
    gone.sort_by(|a, b| a.catalog_code.cmp(&b.catalog_code));
    for m in gone {
        if current.bound.contains(&m.id) {
            plan.retired_still_bound += 1;
        }
        plan.retired.push(m.id.clone());
        plan.retired_summaries.push(MatterSummary {
            catalog_code: m.catalog_code.clone(),
            name: m.name.clone(),
            department: dept_by_id.get(m.department_id.as_str()).map_or(String::new(), |d| d.name.clone()),
            required: m.required,
        });
    }
    plan
}

fn days(d: Option<i64>) -> String {
    d.map_or(String::new(), |d| d.to_string())
}

fn next_auto_number(departments: &[Department]) -> u32 {
    departments
        .iter()
        .filter_map(|d| d.code.strip_prefix(AUTO_CODE_PREFIX)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0)
}

/// A stable 64-bit FNV-1a hash, hex: identifies a preview so apply can tell it is still current.
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}
